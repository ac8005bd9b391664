//! Exams over the API: a unit's exams and setting one, an exam, its result
//! sheet, its proctor view, adding people to its make-up; a member's exams,
//! starting or resuming a sitting, saving an answer, handing it in.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};
use xueshi_app::exams::paper::{self, MarkSheet, MarksInput, PrintedPaper};
use xueshi_app::exams::{
    self, ExamInput, ExamView, MyExam, OverrideInput, Proctor, Results, SittingView,
};
use xueshi_domain::Id;

use crate::ctx::Auth;
use crate::error::WebResult;
use crate::state::AppState;

/// A unit's own exams.
#[utoipa::path(get, path = "/api/v1/units/{id}/exams", tag = "exams", params(("id" = String, Path)),
    responses((status = 200, body = [ExamView]), (status = 403)))]
pub async fn list(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Json<Vec<ExamView>>> {
    Ok(Json(exams::of_unit(&state.app, &a.ctx(), id).await?))
}

/// Sets an exam for the unit's members (or a named list under it).
#[utoipa::path(post, path = "/api/v1/units/{id}/exams", tag = "exams", params(("id" = String, Path)),
    request_body = ExamInput, responses((status = 201), (status = 403), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Json(input): Json<ExamInput>,
) -> WebResult<(StatusCode, Json<Value>)> {
    let e = exams::create(&state.app, &a.ctx(), id, &input).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": e }))))
}

/// An exam's set-up.
#[utoipa::path(get, path = "/api/v1/exams/{id}", tag = "exams", params(("id" = String, Path)),
    responses((status = 200, body = ExamView), (status = 403), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Json<ExamView>> {
    Ok(Json(exams::get(&state.app, &a.ctx(), id).await?))
}

/// The result sheet: each person's first and make-up results, and the
/// roll-up by unit.
#[utoipa::path(get, path = "/api/v1/exams/{id}/results", tag = "exams", params(("id" = String, Path)),
    responses((status = 200, body = Results), (status = 403)))]
pub async fn results(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Json<Results>> {
    Ok(Json(exams::results(&state.app, &a.ctx(), id).await?))
}

/// Who is sitting, who has finished, who is absent.
#[utoipa::path(get, path = "/api/v1/exams/{id}/proctor", tag = "exams", params(("id" = String, Path)),
    responses((status = 200, body = Proctor), (status = 403)))]
pub async fn proctor(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Json<Proctor>> {
    Ok(Json(exams::proctor(&state.app, &a.ctx(), id).await?))
}

/// Adds people to the make-up, by name or by unit, with the reason.
#[utoipa::path(post, path = "/api/v1/exams/{id}/makeups", tag = "exams", params(("id" = String, Path)),
    request_body = OverrideInput, responses((status = 200), (status = 403), (status = 422)))]
pub async fn add_makeups(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Json(input): Json<OverrideInput>,
) -> WebResult<Json<Value>> {
    let n = exams::add_makeups(&state.app, &a.ctx(), id, &input).await?;
    Ok(Json(json!({ "added": n })))
}

/// The member's exams.
#[utoipa::path(get, path = "/api/v1/my/exams", tag = "exams", responses((status = 200, body = [MyExam])))]
pub async fn mine(State(state): State<AppState>, a: Auth) -> WebResult<Json<Vec<MyExam>>> {
    Ok(Json(exams::mine(&state.app, &a.ctx()).await?))
}

/// Starts a sitting, or resumes the one still running.
#[utoipa::path(post, path = "/api/v1/exams/{id}/sittings", tag = "exams", params(("id" = String, Path)),
    responses((status = 200, body = SittingView), (status = 403), (status = 409)))]
pub async fn start(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Json<SittingView>> {
    Ok(Json(exams::start(&state.app, &a.ctx(), id).await?))
}

/// A sitting: its paper with the answers saved so far, or its score.
#[utoipa::path(get, path = "/api/v1/sittings/{id}", tag = "exams", params(("id" = String, Path)),
    responses((status = 200, body = SittingView), (status = 404)))]
pub async fn sitting(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Json<SittingView>> {
    Ok(Json(exams::sitting(&state.app, &a.ctx(), id).await?))
}

#[derive(Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct AnswerBody {
    pub question: String,
    pub answer: String,
}

/// Saves one answer as it is given.
#[utoipa::path(put, path = "/api/v1/sittings/{id}/answers", tag = "exams", params(("id" = String, Path)),
    request_body = AnswerBody, responses((status = 204), (status = 404), (status = 409), (status = 422)))]
pub async fn save(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Json(b): Json<AnswerBody>,
) -> WebResult<StatusCode> {
    exams::authorize_sitting(&state.app, &a.ctx(), id).await?;
    let q: Id = b
        .question
        .parse()
        .map_err(|_| xueshi_app::AppError::invalid("question", "not_on_paper"))?;
    exams::save(&state.app, &a.ctx(), id, q, &b.answer).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct SubmitBody {
    /// Question id → answer, saved before grading.
    pub answers: HashMap<String, String>,
}

/// Hands a sitting in.
#[utoipa::path(post, path = "/api/v1/sittings/{id}/submit", tag = "exams", params(("id" = String, Path)),
    request_body = SubmitBody, responses((status = 200, body = SittingView), (status = 404), (status = 409)))]
pub async fn submit(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Json(b): Json<SubmitBody>,
) -> WebResult<Json<SittingView>> {
    Ok(Json(
        exams::submit(&state.app, &a.ctx(), id, &b.answers).await?,
    ))
}

/// Which unit's paper, for which round.
#[derive(Default, Deserialize, utoipa::ToSchema, utoipa::IntoParams)]
#[serde(default)]
pub struct PaperQuery {
    /// The exam's own unit when none is named.
    pub unit: Option<Id>,
    /// 1 the exam (default), 2 the make-up.
    pub round: Option<i64>,
}

/// A unit's printed paper for a round, its answer key and its sitters.
#[utoipa::path(get, path = "/api/v1/exams/{id}/paper", tag = "exams",
    params(("id" = String, Path), PaperQuery),
    responses((status = 200, body = PrintedPaper), (status = 403), (status = 409)))]
pub async fn printed(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Query(q): Query<PaperQuery>,
) -> WebResult<Json<PrintedPaper>> {
    Ok(Json(
        paper::printed(&state.app, &a.ctx(), id, q.unit, q.round.unwrap_or(1)).await?,
    ))
}

/// Draws a unit's paper for a round, once.
#[utoipa::path(post, path = "/api/v1/exams/{id}/paper", tag = "exams", params(("id" = String, Path)),
    request_body = PaperQuery, responses((status = 201, body = PrintedPaper), (status = 403), (status = 409)))]
pub async fn draw(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Json(q): Json<PaperQuery>,
) -> WebResult<(StatusCode, Json<PrintedPaper>)> {
    let round = q.round.unwrap_or(1);
    paper::draw(&state.app, &a.ctx(), id, q.unit, round).await?;
    Ok((
        StatusCode::CREATED,
        Json(paper::printed(&state.app, &a.ctx(), id, q.unit, round).await?),
    ))
}

/// The marks recorded for a unit's paper sitting.
#[utoipa::path(get, path = "/api/v1/exams/{id}/marks", tag = "exams",
    params(("id" = String, Path), PaperQuery),
    responses((status = 200, body = MarkSheet), (status = 403)))]
pub async fn marks(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Query(q): Query<PaperQuery>,
) -> WebResult<Json<MarkSheet>> {
    Ok(Json(
        paper::sheet(&state.app, &a.ctx(), id, q.unit, q.round.unwrap_or(1)).await?,
    ))
}

/// Records a unit's marks for its paper sitting, all or none.
#[utoipa::path(post, path = "/api/v1/exams/{id}/marks", tag = "exams", params(("id" = String, Path)),
    request_body = MarksInput, responses((status = 200), (status = 403), (status = 409), (status = 422)))]
pub async fn enter_marks(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Json(input): Json<MarksInput>,
) -> WebResult<Json<Value>> {
    let n = paper::enter(&state.app, &a.ctx(), id, &input).await?;
    Ok(Json(json!({ "recorded": n })))
}

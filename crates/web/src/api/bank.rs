//! The question bank as JSON: its pages, workbook imports, and one question
//! added, read, edited, retired or restored.

use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use xueshi_app::bank::{self, BankQuestion, QuestionInput, QuestionsImported};
use xueshi_domain::Id;

use super::ApiJson;
use crate::ctx::Auth;
use crate::error::WebResult;
use crate::state::AppState;
use crate::upload::uploaded_file;

#[derive(Deserialize, IntoParams)]
pub struct BankQuery {
    #[serde(default)]
    page: i64,
}

#[derive(Serialize, ToSchema)]
pub struct BankPage {
    pub questions: Vec<BankQuestion>,
    pub total: i64,
}

/// The question bank, fifty at a time, answers included (office only).
#[utoipa::path(get, path = "/api/v1/questions", tag = "study", params(BankQuery),
    responses((status = 200, body = BankPage), (status = 403)))]
pub async fn list(
    State(state): State<AppState>,
    a: Auth,
    Query(q): Query<BankQuery>,
) -> WebResult<Json<BankPage>> {
    let (questions, total) = bank::list(&state.app, &a.ctx(), q.page).await?;
    Ok(Json(BankPage { questions, total }))
}

/// Adds the questions of an .xlsx workbook (sheet 题库); any bad row rejects
/// the whole file with every error by row and column.
#[utoipa::path(post, path = "/api/v1/questions/imports", tag = "study",
    request_body(content_type = "multipart/form-data", description = "field `file`: the workbook"),
    responses((status = 201, body = QuestionsImported), (status = 403), (status = 422)))]
pub async fn import(
    State(state): State<AppState>,
    a: Auth,
    form: Multipart,
) -> WebResult<Response> {
    bank::authorize_manage(&a.ctx())?;
    let (name, bytes) = uploaded_file(form).await?;
    let done = bank::import(&state.app, &a.ctx(), &name, bytes).await?;
    Ok((StatusCode::CREATED, Json(done)).into_response())
}

/// Adds one question, checked as a workbook row is.
#[utoipa::path(post, path = "/api/v1/questions", tag = "study", request_body = QuestionInput,
    responses((status = 201, body = BankQuestion), (status = 403), (status = 422)))]
pub async fn add(
    State(state): State<AppState>,
    a: Auth,
    ApiJson(input): ApiJson<QuestionInput>,
) -> WebResult<Response> {
    let id = bank::add(&state.app, &a.ctx(), &input).await?;
    let q = bank::get(&state.app, &a.ctx(), id).await?;
    Ok((StatusCode::CREATED, Json(q)).into_response())
}

/// One question, answer included.
#[utoipa::path(get, path = "/api/v1/questions/{id}", tag = "study", params(("id" = String, Path)),
    responses((status = 200, body = BankQuestion), (status = 403), (status = 404)))]
pub async fn get(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Json<BankQuestion>> {
    Ok(Json(bank::get(&state.app, &a.ctx(), id).await?))
}

/// Rewrites one question; submitted attempts keep their scores.
#[utoipa::path(put, path = "/api/v1/questions/{id}", tag = "study", params(("id" = String, Path)),
    request_body = QuestionInput,
    responses((status = 200, body = BankQuestion), (status = 403), (status = 404), (status = 422)))]
pub async fn edit(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    ApiJson(input): ApiJson<QuestionInput>,
) -> WebResult<Json<BankQuestion>> {
    bank::edit(&state.app, &a.ctx(), id, &input).await?;
    Ok(Json(bank::get(&state.app, &a.ctx(), id).await?))
}

/// Retires a question: no longer drawn for a paper.
#[utoipa::path(post, path = "/api/v1/questions/{id}/retire", tag = "study", params(("id" = String, Path)),
    responses((status = 204), (status = 403), (status = 404)))]
pub async fn retire(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<StatusCode> {
    bank::set_active(&state.app, &a.ctx(), id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Puts a retired question back in use.
#[utoipa::path(post, path = "/api/v1/questions/{id}/restore", tag = "study", params(("id" = String, Path)),
    responses((status = 204), (status = 403), (status = 404)))]
pub async fn restore(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<StatusCode> {
    bank::set_active(&state.app, &a.ctx(), id, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

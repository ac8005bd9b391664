//! The rhythm over the API: a campaign's duties and their occurrences,
//! setting the duties, an occurrence, meeting it (a dispatch meeting, the
//! issue, the year-end ranking), a dispatch record, a decision made a task.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Value, json};
use xueshi_app::rhythm::{
    self, DispatchInput, DispatchView, OccurrenceDetail, Rhythm, RhythmInput, YearEndInput,
};
use xueshi_domain::Id;

use crate::ctx::Auth;
use crate::error::WebResult;
use crate::state::AppState;

/// A campaign's rhythm: the duties it keeps, their occurrences, its
/// dispatch meetings.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/rhythm", tag = "rhythm", params(("id" = String, Path)),
    responses((status = 200, body = Rhythm), (status = 403)))]
pub async fn show(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Json<Rhythm>> {
    Ok(Json(rhythm::of_campaign(&state.app, &a.ctx(), id).await?))
}

/// Sets the duties a campaign keeps (those left out are dropped); the
/// occurrences owed from today on follow.
#[utoipa::path(put, path = "/api/v1/campaigns/{id}/rhythm", tag = "rhythm", params(("id" = String, Path)),
    request_body = RhythmInput, responses((status = 204), (status = 403), (status = 422)))]
pub async fn configure(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Json(input): Json<RhythmInput>,
) -> WebResult<StatusCode> {
    rhythm::configure(&state.app, &a.ctx(), id, &input.schedules).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An occurrence and what meets it.
#[utoipa::path(get, path = "/api/v1/occurrences/{id}", tag = "rhythm", params(("id" = String, Path)),
    responses((status = 200, body = OccurrenceDetail), (status = 403), (status = 404)))]
pub async fn occurrence(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Json<OccurrenceDetail>> {
    Ok(Json(rhythm::occurrence(&state.app, &a.ctx(), id).await?))
}

/// Records the dispatch meeting an occurrence asks for.
#[utoipa::path(post, path = "/api/v1/occurrences/{id}/dispatch", tag = "rhythm", params(("id" = String, Path)),
    request_body = DispatchInput, responses((status = 201), (status = 403), (status = 409), (status = 422)))]
pub async fn dispatch_record(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Json(input): Json<DispatchInput>,
) -> WebResult<(StatusCode, Json<Value>)> {
    let d = rhythm::record_dispatch(&state.app, &a.ctx(), id, &input).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": d }))))
}

/// Generates the issue an occurrence asks for (a draft briefing).
#[utoipa::path(post, path = "/api/v1/occurrences/{id}/issue", tag = "rhythm", params(("id" = String, Path)),
    responses((status = 201), (status = 403), (status = 409)))]
pub async fn issue(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<(StatusCode, Json<Value>)> {
    let b = rhythm::issue(&state.app, &a.ctx(), id).await?;
    Ok((StatusCode::CREATED, Json(json!({ "briefing": b }))))
}

/// The year-end review's ranking, whose lowest units are the 约谈 list.
#[utoipa::path(post, path = "/api/v1/occurrences/{id}/ranking", tag = "rhythm", params(("id" = String, Path)),
    request_body = YearEndInput, responses((status = 201), (status = 403), (status = 409), (status = 422)))]
pub async fn ranking(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Json(input): Json<YearEndInput>,
) -> WebResult<(StatusCode, Json<Value>)> {
    let r = rhythm::year_end_ranking(&state.app, &a.ctx(), id, &input).await?;
    Ok((StatusCode::CREATED, Json(json!({ "ranking": r }))))
}

/// A dispatch meeting's record.
#[utoipa::path(get, path = "/api/v1/dispatches/{id}", tag = "rhythm", params(("id" = String, Path)),
    responses((status = 200, body = DispatchView), (status = 403), (status = 404)))]
pub async fn dispatch(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Json<DispatchView>> {
    Ok(Json(rhythm::dispatch(&state.app, &a.ctx(), id).await?))
}

/// Turns a decision into a draft task, to be published from its page.
#[utoipa::path(post, path = "/api/v1/decisions/{id}/task", tag = "rhythm", params(("id" = String, Path)),
    responses((status = 201), (status = 403), (status = 409), (status = 422)))]
pub async fn decision_task(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<(StatusCode, Json<Value>)> {
    let t = rhythm::decision_to_task(&state.app, &a.ctx(), id).await?;
    Ok((StatusCode::CREATED, Json(json!({ "task": t }))))
}

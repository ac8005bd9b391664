//! Contests over the API: a unit's contests and a new one, a contest as its
//! reader sees it, an entry (a multipart form with a document or a link),
//! a level admitting entries from below (and taking one back), judging,
//! scores and publication.

use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use serde_json::{Value, json};
use xueshi_app::AppError;
use xueshi_app::contests::{
    self, ContestInput, ContestView, ForwardInput, JudgingInput, ScoreInput, UnitContests,
};
use xueshi_domain::Id;

use crate::ctx::Auth;
use crate::error::{HttpError, WebResult};
use crate::state::AppState;

/// The contests a unit runs or may enter (its ancestors').
#[utoipa::path(get, path = "/api/v1/units/{id}/contests", tag = "contests", params(("id" = String, Path)),
    responses((status = 200, body = UnitContests), (status = 403)))]
pub async fn list(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Json<UnitContests>> {
    Ok(Json(contests::of_unit(&state.app, &a.ctx(), id).await?))
}

/// Starts a contest of a unit.
#[utoipa::path(post, path = "/api/v1/units/{id}/contests", tag = "contests", params(("id" = String, Path)),
    request_body = ContestInput, responses((status = 201), (status = 403), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Json(input): Json<ContestInput>,
) -> WebResult<(StatusCode, Json<Value>)> {
    let c = contests::create(&state.app, &a.ctx(), id, &input).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": c }))))
}

/// A contest: the entries, the reader's level, finalists and results.
#[utoipa::path(get, path = "/api/v1/contests/{id}", tag = "contests", params(("id" = String, Path)),
    responses((status = 200, body = ContestView), (status = 403), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Json<ContestView>> {
    Ok(Json(contests::get(&state.app, &a.ctx(), id).await?))
}

/// Submits an entry: a multipart form with `title`, `presenter`, `unit`
/// (the actor's own when absent) and either `file` (PDF or Office) or
/// `link` (http or https).
#[utoipa::path(post, path = "/api/v1/contests/{id}/entries", tag = "contests", params(("id" = String, Path)),
    responses((status = 201), (status = 403), (status = 409), (status = 422)))]
pub async fn submit(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> WebResult<(StatusCode, Json<Value>)> {
    contests::authorize_submit(&state.app, &a.ctx(), id).await?;
    let (input, bad) =
        crate::pages::contests::read_entry(form.map_err(|_| HttpError::bad_request())?).await?;
    if !bad.is_empty() {
        return Err(AppError::Invalid(bad).into());
    }
    let e = contests::submit(&state.app, &a.ctx(), id, input).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": e }))))
}

/// A level admits entries standing at the units directly below it, at most
/// the contest's quota in all.
#[utoipa::path(post, path = "/api/v1/contests/{id}/forwards", tag = "contests", params(("id" = String, Path)),
    request_body = ForwardInput, responses((status = 204), (status = 403), (status = 409), (status = 422)))]
pub async fn forward(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Json(input): Json<ForwardInput>,
) -> WebResult<StatusCode> {
    contests::forward(&state.app, &a.ctx(), id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The level an entry stands at takes back its recommendation (while the
/// round is open): the entry stands again at the unit that put it forward.
#[utoipa::path(post, path = "/api/v1/contest-entries/{id}/withdraw", tag = "contests", params(("id" = String, Path)),
    responses((status = 204), (status = 403), (status = 404), (status = 409)))]
pub async fn withdraw(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<StatusCode> {
    contests::withdraw(&state.app, &a.ctx(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Closes the recommendation round and names the judges.
#[utoipa::path(post, path = "/api/v1/contests/{id}/judging", tag = "contests", params(("id" = String, Path)),
    request_body = JudgingInput, responses((status = 204), (status = 403), (status = 409), (status = 422)))]
pub async fn start_judging(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Json(input): Json<JudgingInput>,
) -> WebResult<StatusCode> {
    contests::start_judging(&state.app, &a.ctx(), id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Publishes the results once every judge has scored every finalist.
#[utoipa::path(post, path = "/api/v1/contests/{id}/publish", tag = "contests", params(("id" = String, Path)),
    responses((status = 204), (status = 403), (status = 409), (status = 422)))]
pub async fn publish(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<StatusCode> {
    contests::publish(&state.app, &a.ctx(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A judge's score of a finalist.
#[utoipa::path(put, path = "/api/v1/contest-entries/{id}/score", tag = "contests", params(("id" = String, Path)),
    request_body = ScoreInput, responses((status = 204), (status = 403), (status = 409), (status = 422)))]
pub async fn score(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Json(input): Json<ScoreInput>,
) -> WebResult<StatusCode> {
    contests::score(&state.app, &a.ctx(), id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

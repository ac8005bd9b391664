//! The public window as JSON, no account needed: a challenge, raising a
//! problem, following it by its code; the disclosed matters, their figures,
//! ratings and typical-case votes.

use axum::Json;
use axum::extract::Query;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use xueshi_app::matters::board::Figures;
use xueshi_app::matters::cases::{self, RoundView, VoteInput};
use xueshi_app::matters::{self, PublicDetail, PublicList, PublicQuery, Rated, RatingInput};
use xueshi_app::problems::{self, Challenge, PublicProblem, RaiseInput, Raised};
use xueshi_domain::Id;

use super::ApiJson;
use crate::ctx::Rc;
use crate::error::WebResult;
use crate::state::AppState;

/// A sum to answer with the next problem: its token goes back with it.
#[utoipa::path(get, path = "/api/v1/public/problems/challenge", tag = "public",
    responses((status = 200, body = Challenge)))]
pub async fn challenge(State(state): State<AppState>) -> Json<Challenge> {
    Json(problems::new_challenge(&state.app))
}

/// Raises a problem (急难愁盼); the same problem raised again within a month
/// is counted on the first report and answers with its code.
#[utoipa::path(post, path = "/api/v1/public/problems", tag = "public",
    request_body = RaiseInput,
    responses((status = 201, body = Raised), (status = 422), (status = 429)))]
pub async fn raise(
    State(state): State<AppState>,
    Rc(rc): Rc,
    ApiJson(input): ApiJson<RaiseInput>,
) -> WebResult<Response> {
    let r = problems::raise(&state.app, input, &rc.ip).await?;
    Ok((StatusCode::CREATED, Json(r)).into_response())
}

/// A problem by its tracking code, without personal data.
#[utoipa::path(get, path = "/api/v1/public/problems/{code}", tag = "public",
    params(("code" = String, Path)),
    responses((status = 200, body = PublicProblem), (status = 404)))]
pub async fn follow(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> WebResult<Json<PublicProblem>> {
    Ok(Json(problems::follow(&state.app, &code).await?))
}

/// Rates a finished matter (群众评价): 满意, 基本满意 or 不满意, once per
/// browser and round; enough 不满意 reopens it.
#[utoipa::path(post, path = "/api/v1/public/matters/{id}/ratings", tag = "public",
    params(("id" = String, Path)), request_body = RatingInput,
    responses((status = 201, body = Rated), (status = 404), (status = 409), (status = 422), (status = 429)))]
pub async fn rate(
    State(state): State<AppState>,
    Rc(rc): Rc,
    Path(id): Path<Id>,
    ApiJson(input): ApiJson<RatingInput>,
) -> WebResult<Response> {
    // The browser's own anonymous token stands for the voter.
    let r = matters::rate(&state.app, id, input, rc.csrf(), &rc.ip).await?;
    Ok((StatusCode::CREATED, Json(r)).into_response())
}

/// The public list of practical matters (公示) with their progress, by
/// level, field and status: what, where and how far, never who.
#[utoipa::path(get, path = "/api/v1/public/matters", tag = "public", params(PublicQuery),
    responses((status = 200, body = PublicList)))]
pub async fn matters_list(
    State(state): State<AppState>,
    Query(q): Query<PublicQuery>,
) -> WebResult<Json<PublicList>> {
    Ok(Json(matters::public_list(&state.app, &q).await?))
}

/// A disclosed matter's public page: progress, outcomes, history and this
/// round's ratings — never who.
#[utoipa::path(get, path = "/api/v1/public/matters/{id}", tag = "public", params(("id" = String, Path)),
    responses((status = 200, body = PublicDetail), (status = 404)))]
pub async fn matter(
    State(state): State<AppState>,
    Path(id): Path<Id>,
) -> WebResult<Json<PublicDetail>> {
    Ok(Json(matters::public_detail(&state.app, id).await?))
}

/// The figures of every disclosed matter: by level, field and status, with
/// the outcomes the reports quote.
#[utoipa::path(get, path = "/api/v1/public/summary", tag = "public",
    responses((status = 200, body = Figures)))]
pub async fn summary(State(state): State<AppState>) -> WebResult<Json<Figures>> {
    Ok(Json(matters::public_summary(&state.app).await?))
}

/// A typical-case round; counts once it has closed.
#[utoipa::path(get, path = "/api/v1/public/cases/{id}", tag = "public", params(("id" = String, Path)),
    responses((status = 200, body = RoundView), (status = 404)))]
pub async fn case_round(
    State(state): State<AppState>,
    Path(id): Path<Id>,
) -> WebResult<Json<RoundView>> {
    Ok(Json(cases::round(&state.app, id, false).await?))
}

/// Votes for a nominee: once per browser per round, with the signed sum; an
/// address has a ceiling per round.
#[utoipa::path(post, path = "/api/v1/public/cases/{id}/votes", tag = "public",
    params(("id" = String, Path)), request_body = VoteInput,
    responses((status = 201), (status = 404), (status = 409), (status = 422), (status = 429)))]
pub async fn vote(
    State(state): State<AppState>,
    Rc(rc): Rc,
    Path(id): Path<Id>,
    ApiJson(input): ApiJson<VoteInput>,
) -> WebResult<StatusCode> {
    cases::vote(&state.app, id, input, rc.csrf(), &rc.ip).await?;
    Ok(StatusCode::CREATED)
}

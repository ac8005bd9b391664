//! Briefings over the API: a unit's issues, generating one, an issue, its
//! road (approve, publish, back to draft) and generating a draft again.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};
use xueshi_app::briefings::review::{self, Review};
use xueshi_app::briefings::{self, Briefing, NewBriefing, UnitBriefings};
use xueshi_domain::Id;

use crate::api::figures::RowsQuery;
use crate::ctx::Auth;
use crate::error::WebResult;
use crate::state::AppState;

/// A unit's issues, newest first, and whether the reader may generate.
#[utoipa::path(get, path = "/api/v1/units/{id}/briefings", tag = "briefings", params(("id" = String, Path)),
    responses((status = 200, body = UnitBriefings), (status = 403)))]
pub async fn list(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Json<UnitBriefings>> {
    Ok(Json(briefings::of_unit(&state.app, &a.ctx(), id).await?))
}

/// Generates a draft issue for the unit's subtree.
#[utoipa::path(post, path = "/api/v1/units/{id}/briefings", tag = "briefings", params(("id" = String, Path)),
    request_body = NewBriefing, responses((status = 201), (status = 403), (status = 422)))]
pub async fn generate(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Json(input): Json<NewBriefing>,
) -> WebResult<(StatusCode, Json<Value>)> {
    let b = briefings::generate(&state.app, &a.ctx(), id, &input).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": b }))))
}

/// An issue; a published one with the figures changed since.
#[utoipa::path(get, path = "/api/v1/briefings/{id}", tag = "briefings", params(("id" = String, Path)),
    responses((status = 200, body = Briefing), (status = 403), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Json<Briefing>> {
    Ok(Json(briefings::get(&state.app, &a.ctx(), id).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct StepInput {
    /// `approved`, `published` or `draft`.
    pub status: String,
}

/// Moves an issue along its road.
#[utoipa::path(post, path = "/api/v1/briefings/{id}/status", tag = "briefings", params(("id" = String, Path)),
    request_body = StepInput, responses((status = 204), (status = 403), (status = 409), (status = 422)))]
pub async fn step(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Json(input): Json<StepInput>,
) -> WebResult<StatusCode> {
    briefings::set_status(&state.app, &a.ctx(), id, &input.status).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct RemarksInput {
    #[serde(default)]
    pub remarks: String,
}

/// Generates a draft again from today's records.
#[utoipa::path(post, path = "/api/v1/briefings/{id}/regenerate", tag = "briefings", params(("id" = String, Path)),
    request_body = RemarksInput, responses((status = 204), (status = 403), (status = 409)))]
pub async fn regenerate(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Json(input): Json<RemarksInput>,
) -> WebResult<StatusCode> {
    briefings::regenerate(&state.app, &a.ctx(), id, &input.remarks).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The campaign review (综述) of a unit's subtree: paragraphs of words and
/// figures; flow figures over `from`..`to`, or the campaign so far.
#[utoipa::path(get, path = "/api/v1/units/{id}/review", tag = "briefings",
    params(("id" = String, Path), ("from" = String, Query), ("to" = String, Query)),
    responses((status = 200, body = Review), (status = 403)))]
pub async fn review(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Query(q): Query<RowsQuery>,
) -> WebResult<Json<Review>> {
    let span = if q.from.trim().is_empty() && q.to.trim().is_empty() {
        None
    } else {
        Some(q.span(&state)?)
    };
    Ok(Json(review::review(&state.app, &a.ctx(), id, span).await?))
}

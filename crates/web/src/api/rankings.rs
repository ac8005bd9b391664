//! Rankings over the API: a unit's rankings, defining one, a ranking's
//! standing computed from the records, and deleting one.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Value, json};
use xueshi_app::rankings::{self, NewRanking, Ranking, UnitRankings};
use xueshi_domain::Id;

use crate::ctx::Auth;
use crate::error::WebResult;
use crate::state::AppState;

/// A unit's rankings, newest first, and whether the reader may define one.
#[utoipa::path(get, path = "/api/v1/units/{id}/rankings", tag = "rankings", params(("id" = String, Path)),
    responses((status = 200, body = UnitRankings), (status = 403)))]
pub async fn list(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Json<UnitRankings>> {
    Ok(Json(rankings::of_unit(&state.app, &a.ctx(), id).await?))
}

/// Defines a ranking over the unit's subtree.
#[utoipa::path(post, path = "/api/v1/units/{id}/rankings", tag = "rankings", params(("id" = String, Path)),
    request_body = NewRanking, responses((status = 201), (status = 403), (status = 422)))]
pub async fn define(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Json(input): Json<NewRanking>,
) -> WebResult<(StatusCode, Json<Value>)> {
    let r = rankings::define(&state.app, &a.ctx(), id, &input).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": r }))))
}

/// A ranking's standing, from today's records.
#[utoipa::path(get, path = "/api/v1/rankings/{id}", tag = "rankings", params(("id" = String, Path)),
    responses((status = 200, body = Ranking), (status = 403), (status = 404), (status = 409)))]
pub async fn show(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Json<Ranking>> {
    Ok(Json(rankings::get(&state.app, &a.ctx(), id).await?))
}

/// Deletes a ranking.
#[utoipa::path(delete, path = "/api/v1/rankings/{id}", tag = "rankings", params(("id" = String, Path)),
    responses((status = 204), (status = 403), (status = 404)))]
pub async fn delete(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<StatusCode> {
    rankings::delete(&state.app, &a.ctx(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

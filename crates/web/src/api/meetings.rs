//! Meetings over the API: who under a unit held one by a day, a unit's
//! records and recording one, a meeting, and ticking an item off.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};
use xueshi_app::meetings::{self, Held, MeetingInput, MeetingView};
use xueshi_domain::Id;

use crate::ctx::Auth;
use crate::error::WebResult;
use crate::state::AppState;

#[derive(Deserialize, utoipa::IntoParams)]
pub struct HeldParams {
    /// organization_life (default) or democratic_life.
    #[serde(default)]
    pub kind: String,
    /// YYYY-MM-DD (default: today).
    #[serde(default)]
    pub by: String,
}

/// The units under a unit that must hold a meeting, how many held it by a
/// day, and the names of those that did not.
#[utoipa::path(get, path = "/api/v1/units/{id}/meetings/held", tag = "meetings", params(("id" = String, Path), HeldParams),
    responses((status = 200, body = Held), (status = 403), (status = 422)))]
pub async fn held(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Query(q): Query<HeldParams>,
) -> WebResult<Json<Held>> {
    let kind = if q.kind.is_empty() {
        "organization_life"
    } else {
        q.kind.as_str()
    };
    Ok(Json(
        meetings::held(&state.app, &a.ctx(), id, kind, &q.by).await?,
    ))
}

/// A unit's own meetings.
#[utoipa::path(get, path = "/api/v1/units/{id}/meetings", tag = "meetings", params(("id" = String, Path)),
    responses((status = 200, body = [MeetingView]), (status = 403)))]
pub async fn list(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Json<Vec<MeetingView>>> {
    Ok(Json(meetings::of_unit(&state.app, &a.ctx(), id).await?))
}

/// Records a unit's meeting.
#[utoipa::path(post, path = "/api/v1/units/{id}/meetings", tag = "meetings", params(("id" = String, Path)),
    request_body = MeetingInput, responses((status = 201), (status = 403), (status = 422)))]
pub async fn record(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Json(input): Json<MeetingInput>,
) -> WebResult<(StatusCode, Json<Value>)> {
    let m = meetings::record(&state.app, &a.ctx(), id, &input).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": m }))))
}

/// A meeting with its rectification items.
#[utoipa::path(get, path = "/api/v1/meetings/{id}", tag = "meetings", params(("id" = String, Path)),
    responses((status = 200, body = MeetingView), (status = 403), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Json<MeetingView>> {
    Ok(Json(meetings::get(&state.app, &a.ctx(), id).await?))
}

/// Marks a rectification item done.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/items/{sub}/done", tag = "meetings",
    params(("id" = String, Path), ("sub" = String, Path)), responses((status = 204), (status = 403), (status = 409)))]
pub async fn item_done(
    State(state): State<AppState>,
    a: Auth,
    Path((id, sub)): Path<(Id, Id)>,
) -> WebResult<StatusCode> {
    meetings::item_done(&state.app, &a.ctx(), id, sub).await?;
    Ok(StatusCode::NO_CONTENT)
}

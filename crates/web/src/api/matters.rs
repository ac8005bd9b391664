//! Practical matters as JSON: the catalogue, claims, the loop's steps, and
//! the office's triage of the public's problems.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::ToSchema;
use xueshi_app::matters::{self, MatterDetail, MatterInput, MatterView, StepInput};
use xueshi_domain::Id;

use super::ApiJson;
use crate::ctx::Auth;
use crate::error::WebResult;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct NewMatter {
    #[serde(flatten)]
    pub matter: MatterInput,
    /// The tracking code of a public problem this matter takes up.
    #[serde(default)]
    pub problem: Option<String>,
}

/// Puts a matter on the catalogue (立项), optionally from a public problem.
#[utoipa::path(post, path = "/api/v1/matters", tag = "matters", request_body = NewMatter,
    responses((status = 201, body = MatterView), (status = 403), (status = 409), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    a: Auth,
    ApiJson(input): ApiJson<NewMatter>,
) -> WebResult<Response> {
    let m = matters::create(&state.app, &a.ctx(), input.matter, input.problem.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(m)).into_response())
}

/// A matter with who takes part and its history.
#[utoipa::path(get, path = "/api/v1/matters/{id}", tag = "matters", params(("id" = String, Path)),
    responses((status = 200, body = MatterDetail), (status = 403), (status = 404)))]
pub async fn detail(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Json<MatterDetail>> {
    Ok(Json(matters::detail(&state.app, &a.ctx(), id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct ClaimInput {
    /// `lead` (领办) or `join` (合领合办).
    #[serde(default)]
    pub role: String,
}

/// Claims a matter as oneself, by the rules of seed 001.
#[utoipa::path(post, path = "/api/v1/matters/{id}/claims", tag = "matters", params(("id" = String, Path)),
    request_body = ClaimInput,
    responses((status = 201), (status = 403), (status = 409), (status = 422)))]
pub async fn claim(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    ApiJson(input): ApiJson<ClaimInput>,
) -> WebResult<StatusCode> {
    matters::claim(&state.app, &a.ctx(), id, &input.role).await?;
    Ok(StatusCode::CREATED)
}

/// One step of the matter's loop: approve, drop, report or finish.
#[utoipa::path(post, path = "/api/v1/matters/{id}/steps", tag = "matters", params(("id" = String, Path)),
    request_body = StepInput,
    responses((status = 200, body = MatterView), (status = 403), (status = 409), (status = 422)))]
pub async fn step(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    ApiJson(input): ApiJson<StepInput>,
) -> WebResult<Json<MatterView>> {
    Ok(Json(matters::step(&state.app, &a.ctx(), id, input).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct Triage {
    /// `reject` (with `reason`) or `merge` (into `matter_id`).
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub matter_id: Option<Id>,
}

/// The office settles a public problem: turned down with a reason, or
/// folded into a matter. (Making a new matter of it is `POST /api/v1/matters`
/// with `problem`.)
#[utoipa::path(post, path = "/api/v1/problems/{code}/triage", tag = "matters", params(("code" = String, Path)),
    request_body = Triage,
    responses((status = 204), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn triage(
    State(state): State<AppState>,
    a: Auth,
    Path(code): Path<String>,
    ApiJson(t): ApiJson<Triage>,
) -> WebResult<StatusCode> {
    let ctx = a.ctx();
    match (t.action.as_str(), t.matter_id) {
        ("reject", _) => matters::reject_problem(&state.app, &ctx, &code, &t.reason).await?,
        ("merge", Some(m)) => matters::merge_problem(&state.app, &ctx, &code, m).await?,
        _ => {
            return Err(xueshi_app::AppError::invalid("action", "bad_choice").into());
        }
    }
    Ok(StatusCode::NO_CONTENT)
}

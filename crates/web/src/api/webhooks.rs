//! A unit's group robot over the API.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use xueshi_app::webhooks::{self, Webhook, WebhookInput};
use xueshi_domain::Id;

use crate::ctx::Auth;
use crate::error::WebResult;
use crate::state::AppState;

/// A unit's group robot (企业微信 / 钉钉) and its latest messages.
#[utoipa::path(get, path = "/api/v1/units/{id}/webhook", tag = "webhooks", params(("id" = String, Path)),
    responses((status = 200, body = Webhook), (status = 403)))]
pub async fn show(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Json<Webhook>> {
    Ok(Json(webhooks::get(&state.app, &a.ctx(), id).await?))
}

/// Sets a unit's group robot: its address and whether it is on.
#[utoipa::path(put, path = "/api/v1/units/{id}/webhook", tag = "webhooks", params(("id" = String, Path)),
    request_body = WebhookInput, responses((status = 204), (status = 403), (status = 422)))]
pub async fn set(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Json(input): Json<WebhookInput>,
) -> WebResult<StatusCode> {
    webhooks::set(&state.app, &a.ctx(), id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Queues a test message to the unit's robot.
#[utoipa::path(post, path = "/api/v1/units/{id}/webhook/test", tag = "webhooks", params(("id" = String, Path)),
    responses((status = 204), (status = 403)))]
pub async fn test(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<StatusCode> {
    webhooks::test(&state.app, &a.ctx(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

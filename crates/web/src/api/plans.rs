//! Implementation plans over the API: a campaign's plans and a new one, a
//! plan with its versions and comments, the next draft, editing a draft,
//! sending it for comment, commenting, answering, publishing.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};
use xueshi_app::plans::{
    self, AnswerInput, CampaignPlans, CommentInput, ConsultInput, PlanInput, PlanView,
};
use xueshi_domain::Id;

use crate::ctx::Auth;
use crate::error::WebResult;
use crate::state::AppState;

/// A campaign's plans.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/plans", tag = "plans", params(("id" = String, Path)),
    responses((status = 200, body = CampaignPlans), (status = 403)))]
pub async fn list(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Json<CampaignPlans>> {
    Ok(Json(plans::of_campaign(&state.app, &a.ctx(), id).await?))
}

/// Starts a plan with its first draft.
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/plans", tag = "plans", params(("id" = String, Path)),
    request_body = PlanInput, responses((status = 201), (status = 403), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Json(input): Json<PlanInput>,
) -> WebResult<(StatusCode, Json<Value>)> {
    let p = plans::create(&state.app, &a.ctx(), id, &input).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": p }))))
}

/// A plan: the versions the reader may read, their consultees and comments.
#[utoipa::path(get, path = "/api/v1/plans/{id}", tag = "plans", params(("id" = String, Path)),
    responses((status = 200, body = PlanView), (status = 403), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Json<PlanView>> {
    Ok(Json(plans::get(&state.app, &a.ctx(), id).await?))
}

/// Drafts the next version from the latest (a version out for comment closes).
#[utoipa::path(post, path = "/api/v1/plans/{id}/versions", tag = "plans", params(("id" = String, Path)),
    responses((status = 201), (status = 403), (status = 409)))]
pub async fn next_version(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<(StatusCode, Json<Value>)> {
    let v = plans::next_version(&state.app, &a.ctx(), id).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": v }))))
}

#[derive(Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct BodyInput {
    pub body: String,
}

/// Rewrites a draft.
#[utoipa::path(put, path = "/api/v1/plan-versions/{id}", tag = "plans", params(("id" = String, Path)),
    request_body = BodyInput, responses((status = 204), (status = 403), (status = 409), (status = 422)))]
pub async fn edit(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Json(input): Json<BodyInput>,
) -> WebResult<StatusCode> {
    plans::edit(&state.app, &a.ctx(), id, &input.body).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sends a draft to units below for comment (征求意见).
#[utoipa::path(post, path = "/api/v1/plan-versions/{id}/consult", tag = "plans", params(("id" = String, Path)),
    request_body = ConsultInput, responses((status = 204), (status = 403), (status = 409), (status = 422)))]
pub async fn consult(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Json(input): Json<ConsultInput>,
) -> WebResult<StatusCode> {
    plans::consult(&state.app, &a.ctx(), id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A consulted unit's comment on a version out for comment.
#[utoipa::path(post, path = "/api/v1/plan-versions/{id}/comments", tag = "plans", params(("id" = String, Path)),
    request_body = CommentInput, responses((status = 201), (status = 403), (status = 409), (status = 422)))]
pub async fn comment(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Json(input): Json<CommentInput>,
) -> WebResult<(StatusCode, Json<Value>)> {
    let c = plans::comment(&state.app, &a.ctx(), id, &input).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": c }))))
}

/// Publishes a version once every comment has its answer.
#[utoipa::path(post, path = "/api/v1/plan-versions/{id}/publish", tag = "plans", params(("id" = String, Path)),
    responses((status = 204), (status = 403), (status = 409), (status = 422)))]
pub async fn publish(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<StatusCode> {
    plans::publish(&state.app, &a.ctx(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Answers a comment: adopted, partly or not, with the reason.
#[utoipa::path(post, path = "/api/v1/plan-comments/{id}/answer", tag = "plans", params(("id" = String, Path)),
    request_body = AnswerInput, responses((status = 204), (status = 403), (status = 409), (status = 422)))]
pub async fn answer(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Json(input): Json<AnswerInput>,
) -> WebResult<StatusCode> {
    plans::answer(&state.app, &a.ctx(), id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

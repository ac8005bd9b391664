//! Campaign set-up over the API: a unit's campaigns, starting one, reading
//! and changing one, and the 五个一 template a new one starts from.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Value, json};
use xueshi_app::campaigns::{self, CampaignInput, CampaignView, UnitCampaigns};
use xueshi_domain::Id;

use crate::ctx::Auth;
use crate::error::WebResult;
use crate::state::AppState;

/// The campaigns a unit runs and the one governing it today.
#[utoipa::path(get, path = "/api/v1/units/{id}/campaigns", tag = "campaigns", params(("id" = String, Path)),
    responses((status = 200, body = UnitCampaigns), (status = 403)))]
pub async fn list(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Json<UnitCampaigns>> {
    Ok(Json(campaigns::of_unit(&state.app, &a.ctx(), id).await?))
}

/// Starts a campaign over the unit's subtree.
#[utoipa::path(post, path = "/api/v1/units/{id}/campaigns", tag = "campaigns", params(("id" = String, Path)),
    request_body = CampaignInput, responses((status = 201), (status = 403), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Json(input): Json<CampaignInput>,
) -> WebResult<(StatusCode, Json<Value>)> {
    let c = campaigns::create(&state.app, &a.ctx(), id, &input).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": c }))))
}

/// A new campaign's set-up as the page offers it: from today, the 五个一
/// quotas and 每日自学1小时.
#[utoipa::path(get, path = "/api/v1/campaign-template", tag = "campaigns",
    responses((status = 200, body = CampaignInput)))]
pub async fn template(State(state): State<AppState>, _a: Auth) -> Json<CampaignInput> {
    Json(campaigns::template(state.app.clock().today()))
}

/// A campaign's set-up.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}", tag = "campaigns", params(("id" = String, Path)),
    responses((status = 200, body = CampaignView), (status = 403), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Json<CampaignView>> {
    Ok(Json(campaigns::get(&state.app, &a.ctx(), id).await?))
}

/// Changes a campaign's set-up; once members are counted its quotas and
/// first day stay.
#[utoipa::path(put, path = "/api/v1/campaigns/{id}", tag = "campaigns", params(("id" = String, Path)),
    request_body = CampaignInput, responses((status = 204), (status = 403), (status = 404), (status = 422)))]
pub async fn update(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Json(input): Json<CampaignInput>,
) -> WebResult<StatusCode> {
    campaigns::update(&state.app, &a.ctx(), id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

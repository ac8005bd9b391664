//! Study as JSON: the member's day, check-ins, a unit's study dashboard and
//! compliance.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;
use xueshi_app::compliance::{self, QuotaCompliance};
use xueshi_app::study::{CheckInInput, CheckInView, Dashboard, MyStudy};
use xueshi_domain::Id;

use super::ApiJson;
use crate::ctx::Auth;
use crate::error::WebResult;
use crate::state::AppState;

/// The signed-in member's day: 党史上的今天, quotas with progress, recent
/// check-ins and the materials to pick from.
#[utoipa::path(get, path = "/api/v1/study/me", tag = "study", responses((status = 200, body = MyStudy), (status = 422)))]
pub async fn me(State(state): State<AppState>, a: Auth) -> WebResult<Json<MyStudy>> {
    Ok(Json(
        xueshi_app::study::my_study(&state.app, &a.ctx()).await?,
    ))
}

/// Records a check-in (学习打卡) for today.
#[utoipa::path(post, path = "/api/v1/study/check-ins", tag = "study", request_body = CheckInInput,
    responses((status = 201, body = CheckInView), (status = 422)))]
pub async fn check_in(
    State(state): State<AppState>,
    a: Auth,
    ApiJson(input): ApiJson<CheckInInput>,
) -> WebResult<Response> {
    let c = xueshi_app::study::check_in(&state.app, &a.ctx(), input).await?;
    Ok((StatusCode::CREATED, Json(c)).into_response())
}

#[derive(Deserialize, IntoParams)]
pub struct DaysQuery {
    /// How many days of trend, up to 90 (default 14).
    #[serde(default = "default_days")]
    days: i64,
}

fn default_days() -> i64 {
    14
}

/// A unit's study dashboard, read from the per-unit daily counters.
#[utoipa::path(get, path = "/api/v1/units/{id}/study", tag = "study", params(("id" = String, Path), DaysQuery),
    responses((status = 200, body = Dashboard), (status = 403)))]
pub async fn dashboard(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Query(q): Query<DaysQuery>,
) -> WebResult<Json<Dashboard>> {
    Ok(Json(
        xueshi_app::study::dashboard(&state.app, &a.ctx(), id, q.days).await?,
    ))
}

/// Each quota's standing over a unit's members this period, with those behind.
#[utoipa::path(get, path = "/api/v1/units/{id}/study/compliance", tag = "study", params(("id" = String, Path)),
    responses((status = 200, body = Vec<QuotaCompliance>), (status = 403)))]
pub async fn compliance(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Json<Vec<QuotaCompliance>>> {
    Ok(Json(
        compliance::compliance(&state.app, &a.ctx(), id).await?,
    ))
}

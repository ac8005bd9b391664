//! Units, members, organs, search and the audit log as JSON.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use xueshi_app::audit;
use xueshi_app::members::{MemberView, Unmasked};
use xueshi_app::organs::OrganView;
use xueshi_app::search::Found;
use xueshi_app::tree::{UnitDetail, UnitInput, UnitView};
use xueshi_domain::Id;
use xueshi_domain::member::MemberInput;

use super::ApiJson;
use crate::ctx::Auth;
use crate::error::WebResult;
use crate::state::AppState;

/// The actor's scope root with its children.
#[utoipa::path(get, path = "/api/v1/units", tag = "tree", responses((status = 200, body = UnitDetail)))]
pub async fn scope(State(state): State<AppState>, a: Auth) -> WebResult<Json<UnitDetail>> {
    Ok(Json(
        xueshi_app::tree::overview(&state.app, &a.ctx()).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/units/{id}", tag = "tree", params(("id" = String, Path)),
    responses((status = 200, body = UnitDetail), (status = 403), (status = 404)))]
pub async fn unit(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Json<UnitDetail>> {
    Ok(Json(
        xueshi_app::tree::detail(&state.app, &a.ctx(), id).await?,
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct PageQuery {
    #[serde(default)]
    page: i64,
    #[serde(default = "default_per")]
    per_page: i64,
}

fn default_per() -> i64 {
    100
}

#[derive(Serialize, ToSchema)]
pub struct MemberPage {
    pub members: Vec<MemberView>,
    pub total: i64,
}

/// Members registered directly in a unit, a page at a time.
#[utoipa::path(get, path = "/api/v1/units/{id}/members", tag = "tree", params(("id" = String, Path), PageQuery),
    responses((status = 200, body = MemberPage), (status = 403)))]
pub async fn unit_members(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Query(q): Query<PageQuery>,
) -> WebResult<Json<MemberPage>> {
    let (members, total) =
        xueshi_app::members::in_unit(&state.app, &a.ctx(), id, q.page, q.per_page).await?;
    Ok(Json(MemberPage { members, total }))
}

#[utoipa::path(post, path = "/api/v1/units/{id}/children", tag = "tree", params(("id" = String, Path)), request_body = UnitInput,
    responses((status = 201, body = UnitView), (status = 403), (status = 422)))]
pub async fn create_unit(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    ApiJson(input): ApiJson<UnitInput>,
) -> WebResult<Response> {
    let u = xueshi_app::tree::create(&state.app, &a.ctx(), id, &input).await?;
    Ok((StatusCode::CREATED, Json(u)).into_response())
}

#[utoipa::path(put, path = "/api/v1/units/{id}", tag = "tree", params(("id" = String, Path)), request_body = UnitInput,
    responses((status = 200, body = UnitView), (status = 403), (status = 422)))]
pub async fn update_unit(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    ApiJson(input): ApiJson<UnitInput>,
) -> WebResult<Json<UnitView>> {
    Ok(Json(
        xueshi_app::tree::update(&state.app, &a.ctx(), id, &input).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct MoveRequest {
    pub parent_id: Id,
}

#[utoipa::path(post, path = "/api/v1/units/{id}/move", tag = "tree", params(("id" = String, Path)), request_body = MoveRequest,
    responses((status = 200, body = UnitView), (status = 403), (status = 422)))]
pub async fn move_unit(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    ApiJson(m): ApiJson<MoveRequest>,
) -> WebResult<Json<UnitView>> {
    Ok(Json(
        xueshi_app::tree::move_unit(&state.app, &a.ctx(), id, m.parent_id).await?,
    ))
}

#[utoipa::path(delete, path = "/api/v1/units/{id}", tag = "tree", params(("id" = String, Path)),
    responses((status = 204), (status = 403), (status = 422)))]
pub async fn delete_unit(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<StatusCode> {
    xueshi_app::tree::delete(&state.app, &a.ctx(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/units/{id}/members", tag = "members", params(("id" = String, Path)), request_body = MemberInput,
    responses((status = 201, body = MemberView), (status = 403), (status = 422)))]
pub async fn create_member(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    ApiJson(input): ApiJson<MemberInput>,
) -> WebResult<Response> {
    let m = xueshi_app::members::create(&state.app, &a.ctx(), id, &input).await?;
    Ok((StatusCode::CREATED, Json(m)).into_response())
}

#[utoipa::path(get, path = "/api/v1/members/{id}", tag = "members", params(("id" = String, Path)),
    responses((status = 200, body = MemberView), (status = 403), (status = 404)))]
pub async fn member(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Json<MemberView>> {
    Ok(Json(
        xueshi_app::members::get(&state.app, &a.ctx(), id).await?,
    ))
}

#[utoipa::path(put, path = "/api/v1/members/{id}", tag = "members", params(("id" = String, Path)), request_body = MemberInput,
    responses((status = 200, body = MemberView), (status = 403), (status = 422)))]
pub async fn update_member(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    ApiJson(input): ApiJson<MemberInput>,
) -> WebResult<Json<MemberView>> {
    Ok(Json(
        xueshi_app::members::update(&state.app, &a.ctx(), id, &input).await?,
    ))
}

/// The whole phone and ID numbers; needs the unmask grant and is audited.
#[utoipa::path(post, path = "/api/v1/members/{id}/unmask", tag = "members", params(("id" = String, Path)),
    responses((status = 200, body = Unmasked), (status = 403)))]
pub async fn unmask(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Json<Unmasked>> {
    Ok(Json(
        xueshi_app::members::unmask(&state.app, &a.ctx(), id).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct TransferRequest {
    pub unit_id: Id,
}

#[utoipa::path(post, path = "/api/v1/members/{id}/transfer", tag = "members", params(("id" = String, Path)), request_body = TransferRequest,
    responses((status = 200, body = MemberView), (status = 403), (status = 422)))]
pub async fn transfer(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    ApiJson(t): ApiJson<TransferRequest>,
) -> WebResult<Json<MemberView>> {
    Ok(Json(
        xueshi_app::members::transfer(&state.app, &a.ctx(), id, t.unit_id).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct LeaveRequest {
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/members/{id}/leave", tag = "members", params(("id" = String, Path)), request_body = LeaveRequest,
    responses((status = 204), (status = 403), (status = 422)))]
pub async fn leave(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    ApiJson(l): ApiJson<LeaveRequest>,
) -> WebResult<StatusCode> {
    xueshi_app::members::leave(&state.app, &a.ctx(), id, &l.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
pub struct SearchQuery {
    /// Unit or member name; traditional and simplified characters alike.
    q: String,
}

#[utoipa::path(get, path = "/api/v1/search", tag = "tree", params(SearchQuery), responses((status = 200, body = Found)))]
pub async fn search(
    State(state): State<AppState>,
    a: Auth,
    Query(q): Query<SearchQuery>,
) -> WebResult<Json<Found>> {
    Ok(Json(
        xueshi_app::search::search(&state.app, &a.ctx(), &q.q).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/organs", tag = "organs", responses((status = 200, body = Vec<OrganView>)))]
pub async fn organs(State(state): State<AppState>, a: Auth) -> WebResult<Json<Vec<OrganView>>> {
    Ok(Json(xueshi_app::organs::list(&state.app, &a.ctx()).await?))
}

#[utoipa::path(get, path = "/api/v1/organs/{id}", tag = "organs", params(("id" = String, Path)),
    responses((status = 200, body = OrganView), (status = 403), (status = 404)))]
pub async fn organ(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Json<OrganView>> {
    Ok(Json(
        xueshi_app::organs::get(&state.app, &a.ctx(), id).await?,
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct AuditQuery {
    action: Option<String>,
    actor: Option<String>,
    /// Entries older than this id.
    before: Option<i64>,
}

/// One entry of the audit log.
#[derive(Serialize, ToSchema)]
pub struct AuditEntry {
    pub id: Id,
    /// UTC epoch milliseconds.
    pub at: i64,
    pub actor: String,
    pub ip: String,
    pub action: String,
    pub outcome: String,
    pub object_kind: String,
    pub object_id: Option<Id>,
    pub object: String,
    pub unit_id: Option<Id>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery), responses((status = 200, body = Vec<AuditEntry>)))]
pub async fn audit_log(
    State(state): State<AppState>,
    a: Auth,
    Query(q): Query<AuditQuery>,
) -> WebResult<Json<Vec<AuditEntry>>> {
    let rows = audit::browse(
        &state.app,
        &a.ctx(),
        audit::Query {
            action: q.action,
            actor: q.actor,
            before_id: q.before,
            ..Default::default()
        },
        200,
    )
    .await?;
    let parse = |j: Option<String>| j.and_then(|s| serde_json::from_str(&s).ok());
    Ok(Json(
        rows.into_iter()
            .map(|r| AuditEntry {
                id: Id(r.id),
                at: r.at,
                actor: r.actor_name,
                ip: r.ip,
                action: r.action,
                outcome: r.outcome,
                object_kind: r.object_kind,
                object_id: r.object_id.map(Id),
                object: r.object_label,
                unit_id: r.unit_id.map(Id),
                before: parse(r.before_json),
                after: parse(r.after_json),
            })
            .collect(),
    ))
}

//! Practical matters as JSON: the catalogue, claims, the loop's steps, and
//! the office's triage of the public's problems.

use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::ToSchema;
use xueshi_app::matters::board::{self, Board, BoardQuery, Figures, Mine};
use xueshi_app::matters::cases::{self, RoundInput, RoundView};
use xueshi_app::matters::{
    self, CatalogueImported, IssuedCodes, MatterDetail, MatterInput, MatterView, StepInput,
};
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
    Ok(Json(
        matters::step(&state.app, &a.ctx(), id, input, Vec::new()).await?,
    ))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct CodesInput {
    /// How many codes to print, 1 to 500.
    pub count: i64,
}

/// Prints fresh rating codes (评价码) for the people a matter served. The
/// codes are in this answer only; the server keeps their digests.
#[utoipa::path(post, path = "/api/v1/matters/{id}/rating-codes", tag = "matters", params(("id" = String, Path)),
    request_body = CodesInput,
    responses((status = 201, body = IssuedCodes), (status = 403), (status = 409), (status = 422)))]
pub async fn rating_codes(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    ApiJson(input): ApiJson<CodesInput>,
) -> WebResult<Response> {
    let issued = matters::issue_rating_codes(&state.app, &a.ctx(), id, input.count).await?;
    Ok((StatusCode::CREATED, Json(issued)).into_response())
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

/// A subtree's board: its matters by status, level, field and lateness,
/// its figures, the units under it and the leaders who owe a claim.
#[utoipa::path(get, path = "/api/v1/units/{id}/matters", tag = "matters",
    params(("id" = String, Path), BoardQuery),
    responses((status = 200, body = Board), (status = 403), (status = 404)))]
pub async fn board(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Query(q): Query<BoardQuery>,
) -> WebResult<Json<Board>> {
    Ok(Json(board::board(&state.app, &a.ctx(), id, &q).await?))
}

/// A subtree's figures by level, field and status, with the outcomes.
#[utoipa::path(get, path = "/api/v1/units/{id}/matters/figures", tag = "matters",
    params(("id" = String, Path)),
    responses((status = 200, body = Figures), (status = 403), (status = 404)))]
pub async fn figures(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Json<Figures>> {
    Ok(Json(board::figures(&state.app, &a.ctx(), id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct CadenceInput {
    /// 7 (weekly) or 30 (monthly).
    #[serde(default)]
    pub report_days: i64,
}

/// Sets how often the leads of the governing campaign's matters report.
#[utoipa::path(post, path = "/api/v1/units/{id}/matters/cadence", tag = "matters",
    params(("id" = String, Path)), request_body = CadenceInput,
    responses((status = 204), (status = 403), (status = 409), (status = 422)))]
pub async fn cadence(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    ApiJson(input): ApiJson<CadenceInput>,
) -> WebResult<StatusCode> {
    board::set_cadence(&state.app, &a.ctx(), id, input.report_days).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in member's matters: claimed, and open to claim.
#[utoipa::path(get, path = "/api/v1/me/matters", tag = "matters",
    responses((status = 200, body = Mine), (status = 403)))]
pub async fn mine(State(state): State<AppState>, a: Auth) -> WebResult<Json<Mine>> {
    Ok(Json(board::mine(&state.app, &a.ctx()).await?))
}

/// Imports a catalogue workbook (sheet 实事目录): all of it or, with every
/// bad cell named by row and column, none of it.
#[utoipa::path(post, path = "/api/v1/matters/imports", tag = "matters",
    responses((status = 201, body = CatalogueImported), (status = 403), (status = 422)))]
pub async fn import(
    State(state): State<AppState>,
    a: Auth,
    form: Multipart,
) -> WebResult<Response> {
    let (name, bytes) = crate::upload::uploaded_file(form).await?;
    let done = matters::import_catalogue(&state.app, &a.ctx(), &name, bytes).await?;
    Ok((StatusCode::CREATED, Json(done)).into_response())
}

/// Opens a typical-case round (典型案例评选) of finished matters.
#[utoipa::path(post, path = "/api/v1/cases", tag = "matters", request_body = RoundInput,
    responses((status = 201, body = RoundView), (status = 403), (status = 422)))]
pub async fn create_round(
    State(state): State<AppState>,
    a: Auth,
    ApiJson(input): ApiJson<RoundInput>,
) -> WebResult<Response> {
    let r = cases::create_round(&state.app, &a.ctx(), input).await?;
    Ok((StatusCode::CREATED, Json(r)).into_response())
}

/// A round with its live counts, for the office.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "matters", params(("id" = String, Path)),
    responses((status = 200, body = RoundView), (status = 403), (status = 404)))]
pub async fn round(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Json<RoundView>> {
    Ok(Json(
        cases::round_for_office(&state.app, &a.ctx(), id).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct FieldInput {
    #[serde(default)]
    pub name: String,
}

/// Adds a field (领域) to the catalogue (an office whose scope is a root).
#[utoipa::path(post, path = "/api/v1/matters/fields", tag = "matters", request_body = FieldInput,
    responses((status = 204), (status = 403), (status = 409), (status = 422)))]
pub async fn add_field(
    State(state): State<AppState>,
    a: Auth,
    ApiJson(input): ApiJson<FieldInput>,
) -> WebResult<StatusCode> {
    matters::add_field(&state.app, &a.ctx(), &input.name).await?;
    Ok(StatusCode::NO_CONTENT)
}

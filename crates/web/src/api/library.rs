//! The study library as JSON: its contents, workbook imports, and one
//! material or 党史上的今天 entry at a time.

use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use xueshi_app::library::{
    self, HistoryDayDetail, HistoryDayInput, Library, LibraryImported, MaterialDetail,
    MaterialInput,
};
use xueshi_domain::Id;

use super::ApiJson;

use crate::ctx::Auth;
use crate::error::WebResult;
use crate::state::AppState;
use crate::upload::uploaded_file;

/// Every material and 党史上的今天 entry.
#[utoipa::path(get, path = "/api/v1/library", tag = "study",
    responses((status = 200, body = Library), (status = 403)))]
pub async fn list(State(state): State<AppState>, a: Auth) -> WebResult<Json<Library>> {
    Ok(Json(library::list(&state.app, &a.ctx()).await?))
}

/// Adds the materials (sheet 学习资料) and 党史上的今天 entries (sheet
/// 党史上的今天) of an .xlsx workbook; any bad row rejects the whole file
/// with every error by row and column.
#[utoipa::path(post, path = "/api/v1/library/imports", tag = "study",
    request_body(content_type = "multipart/form-data", description = "field `file`: the workbook"),
    responses((status = 201, body = LibraryImported), (status = 403), (status = 422)))]
pub async fn import(
    State(state): State<AppState>,
    a: Auth,
    form: Multipart,
) -> WebResult<Response> {
    library::authorize_manage(&a.ctx())?;
    let (name, bytes) = uploaded_file(form).await?;
    let done = library::import(&state.app, &a.ctx(), &name, bytes).await?;
    Ok((StatusCode::CREATED, Json(done)).into_response())
}

/// Adds one material, checked as a workbook row is.
#[utoipa::path(post, path = "/api/v1/library/materials", tag = "study", request_body = MaterialInput,
    responses((status = 201, body = MaterialDetail), (status = 403), (status = 422)))]
pub async fn add_material(
    State(state): State<AppState>,
    a: Auth,
    ApiJson(input): ApiJson<MaterialInput>,
) -> WebResult<Response> {
    let id = library::add_material(&state.app, &a.ctx(), &input).await?;
    let m = library::material(&state.app, &a.ctx(), id).await?;
    Ok((StatusCode::CREATED, Json(m)).into_response())
}

/// Rewrites one material; check-ins already made keep the title they named.
#[utoipa::path(put, path = "/api/v1/library/materials/{id}", tag = "study", params(("id" = String, Path)),
    request_body = MaterialInput,
    responses((status = 200, body = MaterialDetail), (status = 403), (status = 404), (status = 422)))]
pub async fn edit_material(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    ApiJson(input): ApiJson<MaterialInput>,
) -> WebResult<Json<MaterialDetail>> {
    library::edit_material(&state.app, &a.ctx(), id, &input).await?;
    Ok(Json(library::material(&state.app, &a.ctx(), id).await?))
}

/// Retires a material: members no longer pick it.
#[utoipa::path(post, path = "/api/v1/library/materials/{id}/retire", tag = "study", params(("id" = String, Path)),
    responses((status = 204), (status = 403), (status = 404)))]
pub async fn retire_material(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<StatusCode> {
    library::set_material_active(&state.app, &a.ctx(), id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Puts a retired material back in the members' list.
#[utoipa::path(post, path = "/api/v1/library/materials/{id}/restore", tag = "study", params(("id" = String, Path)),
    responses((status = 204), (status = 403), (status = 404)))]
pub async fn restore_material(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<StatusCode> {
    library::set_material_active(&state.app, &a.ctx(), id, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds one 党史上的今天 entry.
#[utoipa::path(post, path = "/api/v1/library/history", tag = "study", request_body = HistoryDayInput,
    responses((status = 201, body = HistoryDayDetail), (status = 403), (status = 422)))]
pub async fn add_history(
    State(state): State<AppState>,
    a: Auth,
    ApiJson(input): ApiJson<HistoryDayInput>,
) -> WebResult<Response> {
    let id = library::save_history_day(&state.app, &a.ctx(), None, &input).await?;
    let h = library::history_day(&state.app, &a.ctx(), id).await?;
    Ok((StatusCode::CREATED, Json(h)).into_response())
}

/// Rewrites one 党史上的今天 entry.
#[utoipa::path(put, path = "/api/v1/library/history/{id}", tag = "study", params(("id" = String, Path)),
    request_body = HistoryDayInput,
    responses((status = 200, body = HistoryDayDetail), (status = 403), (status = 404), (status = 422)))]
pub async fn edit_history(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    ApiJson(input): ApiJson<HistoryDayInput>,
) -> WebResult<Json<HistoryDayDetail>> {
    library::save_history_day(&state.app, &a.ctx(), Some(id), &input).await?;
    Ok(Json(library::history_day(&state.app, &a.ctx(), id).await?))
}

/// Removes one 党史上的今天 entry.
#[utoipa::path(delete, path = "/api/v1/library/history/{id}", tag = "study", params(("id" = String, Path)),
    responses((status = 204), (status = 403), (status = 404)))]
pub async fn delete_history(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<StatusCode> {
    library::delete_history_day(&state.app, &a.ctx(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

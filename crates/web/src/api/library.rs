//! The study library as JSON: its contents, and workbook imports.

use axum::Json;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use xueshi_app::library::{self, Library, LibraryImported};

use crate::ctx::Auth;
use crate::error::WebResult;
use crate::pages::roster::uploaded_file;
use crate::state::AppState;

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

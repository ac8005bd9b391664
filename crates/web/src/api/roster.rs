//! Imports, exports and their progress as JSON.

use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xueshi_app::jobs::{Job, Output};
use xueshi_domain::Id;

use super::ApiJson;
use crate::ctx::Auth;
use crate::download::xlsx;
use crate::error::{HttpError, WebResult};
use crate::i18n::Lang;
use crate::state::AppState;
use crate::upload::uploaded_file;

/// Long work and how far it got.
#[derive(Serialize, ToSchema)]
pub struct JobView {
    pub id: Id,
    pub running: bool,
    /// A message key such as `stage.checking`.
    pub stage: String,
    pub done: u64,
    pub total: u64,
    /// Rows written by a finished import.
    pub imported: Option<Imported>,
    /// Where to fetch a finished export.
    pub download: Option<String>,
    /// Why it failed, in the API's error shape.
    #[schema(value_type = Option<Object>)]
    pub error: Option<serde_json::Value>,
}

#[derive(Serialize, ToSchema)]
pub struct Imported {
    pub units: u64,
    pub members: u64,
    /// Cells that held formulas, read as their saved values.
    pub formulas: xueshi_app::sheet::FormulaCells,
}

fn view(job: &Job, lang: Lang) -> JobView {
    let (stage, done, total) = job.progress();
    let mut v = JobView {
        id: job.id,
        running: true,
        stage: stage.into(),
        done,
        total,
        imported: None,
        download: None,
        error: None,
    };
    match job.result() {
        None => {}
        Some(Ok(out)) => {
            v.running = false;
            match out.as_ref() {
                Output::Imported {
                    units,
                    members,
                    formulas,
                } => {
                    v.imported = Some(Imported {
                        units: *units,
                        members: *members,
                        formulas: formulas.clone(),
                    })
                }
                Output::File { .. } => {
                    v.download = Some(format!("/api/v1/jobs/{}/download", job.id))
                }
                Output::Taken => {}
            }
        }
        Some(Err(e)) => {
            v.running = false;
            v.error = Some(HttpError::from(e.as_ref()).to_json(lang));
        }
    }
    v
}

/// Uploads a roster workbook (multipart field `file`); the import runs in
/// the background and either writes every row or none.
#[utoipa::path(post, path = "/api/v1/imports", tag = "roster", request_body(content_type = "multipart/form-data", content = String),
    responses((status = 202, body = JobView), (status = 403)))]
pub async fn import(
    State(state): State<AppState>,
    a: Auth,
    form: Multipart,
) -> WebResult<Response> {
    let right = xueshi_app::roster::may_import(&a.ctx())?;
    let (name, bytes) = uploaded_file(form).await?;
    let job = xueshi_app::roster::start_import(&state.app, right, name, bytes);
    Ok((StatusCode::ACCEPTED, Json(view(&job, a.rc.lang))).into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct ExportRequest {
    #[serde(default)]
    pub unmasked: bool,
}

/// Starts an export of a unit's subtree roster.
#[utoipa::path(post, path = "/api/v1/units/{id}/exports", tag = "roster", params(("id" = String, Path)), request_body = ExportRequest,
    responses((status = 202, body = JobView), (status = 403)))]
pub async fn export(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    ApiJson(r): ApiJson<ExportRequest>,
) -> WebResult<Response> {
    let job = xueshi_app::roster::start_export(&state.app, &a.ctx(), id, r.unmasked).await?;
    Ok((StatusCode::ACCEPTED, Json(view(&job, a.rc.lang))).into_response())
}

#[utoipa::path(get, path = "/api/v1/jobs/{id}", tag = "roster", params(("id" = String, Path)),
    responses((status = 200, body = JobView), (status = 404)))]
pub async fn job(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Json<JobView>> {
    let job = state
        .app
        .jobs()
        .get(id, a.session.actor.account_id)
        .ok_or_else(HttpError::not_found)?;
    Ok(Json(view(&job, a.rc.lang)))
}

#[utoipa::path(get, path = "/api/v1/jobs/{id}/download", tag = "roster", params(("id" = String, Path)),
    responses((status = 200, description = "the .xlsx file"), (status = 404)))]
pub async fn download(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Response> {
    let d = xueshi_app::roster::export::download(&state.app, &a.ctx(), id).await?;
    Ok(xlsx(&d.name, d.bytes))
}

//! Roster import and export pages, and the progress page of long work.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use xueshi_app::jobs::{Job, Output};
use xueshi_app::roster::{MEMBER_COLUMNS, RowError, UNIT_COLUMNS, column_letter, export, import};
use xueshi_app::{AppError, Ctx};
use xueshi_domain::Id;
use xueshi_domain::access::{Action, authorize};

use super::{Layout, render};
use crate::ctx::{Auth, RequestCtx, urlencode};
use crate::error::{HttpError, WebResult, field_message};
use crate::i18n::{Lang, fill};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    layout: Layout,
}

pub async fn page(a: Auth) -> WebResult<Response> {
    authorize(
        &a.session.actor,
        Action::ImportRoster,
        &a.session.actor.scope,
    )
    .map_err(AppError::from)?;
    let layout = Layout::new(&a.rc, a.rc.lang.msg().import_title);
    Ok(render(&ImportPage { layout }))
}

pub fn xlsx(name: &str, bytes: Vec<u8>) -> Response {
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    );
    let disposition = format!(
        "attachment; filename=\"roster.xlsx\"; filename*=UTF-8''{}",
        urlencode(name)
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

pub async fn template(_a: Auth) -> WebResult<Response> {
    Ok(xlsx("党员名册导入模板.xlsx", export::template()?))
}

/// The uploaded file of a multipart form: (file name, bytes).
pub async fn uploaded_file(mut form: Multipart) -> WebResult<(String, Vec<u8>)> {
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|_| HttpError::bad_request())?
    {
        if field.name() == Some("file") {
            let name = field
                .file_name()
                .unwrap_or("roster.xlsx")
                .chars()
                .take(100)
                .collect();
            let bytes = field
                .bytes()
                .await
                .map_err(|_| HttpError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large"))?;
            return Ok((name, bytes.to_vec()));
        }
    }
    Err(AppError::Rejected(vec![RowError::file("file_empty")]).into())
}

/// Starts an import in the background.
pub fn start_import(state: &AppState, ctx: Ctx, name: String, bytes: Vec<u8>) -> Arc<Job> {
    let app = state.app.clone();
    state.app.jobs().spawn(
        state.app.next_id(),
        ctx.actor.account_id,
        state.app.now(),
        move |job| async move { import::run(&app, &ctx, &name, bytes, job.as_ref()).await },
    )
}

pub async fn upload(
    State(state): State<AppState>,
    a: Auth,
    form: Multipart,
) -> WebResult<Response> {
    let ctx = a.ctx();
    authorize(&ctx.actor, Action::ImportRoster, &ctx.actor.scope).map_err(AppError::from)?;
    let (name, bytes) = uploaded_file(form).await?;
    let job = start_import(&state, ctx, name, bytes);
    Ok(Redirect::to(&format!("/jobs/{}", job.id)).into_response())
}

/// One problem of a rejected file, in words.
pub struct Problem {
    pub place: String,
    pub message: String,
}

/// Where a problem is, as a secretary would look for it.
pub fn place(lang: Lang, e: &RowError) -> String {
    let t = lang.msg();
    let (sheet, spec) = match e.sheet {
        "units" => (t.import_sheet_units, &UNIT_COLUMNS[..]),
        "members" => (t.import_sheet_members, &MEMBER_COLUMNS[..]),
        "questions" => (
            t.import_sheet_questions,
            &xueshi_app::bank::QUESTION_COLUMNS[..],
        ),
        "materials" => (
            t.import_sheet_materials,
            &xueshi_app::library::MATERIAL_COLUMNS[..],
        ),
        "history" => (
            t.import_sheet_history,
            &xueshi_app::library::HISTORY_COLUMNS[..],
        ),
        "matters" => (
            t.import_sheet_matters,
            &xueshi_app::matters::CATALOGUE_COLUMNS[..],
        ),
        _ => return t.import_where_file.to_owned(),
    };
    let header = spec
        .iter()
        .find(|c| c.field == e.error.field)
        .map(|c| c.label)
        .unwrap_or("");
    match e.column {
        Some(c) if header.is_empty() => fill(
            t.import_where_cell_bare,
            &[
                ("sheet", sheet.into()),
                ("row", e.row.to_string()),
                ("col", column_letter(c)),
            ],
        ),
        Some(c) => fill(
            t.import_where_cell,
            &[
                ("sheet", sheet.into()),
                ("row", e.row.to_string()),
                ("col", column_letter(c)),
                ("header", header.into()),
            ],
        ),
        None => fill(
            t.import_where_row,
            &[("sheet", sheet.into()), ("row", e.row.to_string())],
        ),
    }
}

pub fn problems(lang: Lang, rows: &[RowError], limit: usize) -> Vec<Problem> {
    rows.iter()
        .take(limit)
        .map(|e| Problem {
            place: place(lang, e),
            message: field_message(lang, &e.error),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "job.html")]
struct JobPage {
    layout: Layout,
    id: Id,
    running: bool,
    stage: String,
    done: u64,
    total: u64,
    summary: Option<String>,
    download: bool,
    failure: Option<String>,
    problems: Vec<Problem>,
    problems_note: Option<String>,
}

const SHOWN: usize = 500;

fn job_page(rc: &RequestCtx, job: &Job) -> JobPage {
    let t = rc.lang.msg();
    let (stage, done, total) = job.progress();
    let mut p = JobPage {
        layout: Layout::new(rc, t.job_title),
        id: job.id,
        running: true,
        stage: fill(
            t.job_progress,
            &[
                ("stage", t.get(stage).unwrap_or(stage).into()),
                ("done", done.to_string()),
                ("total", total.to_string()),
            ],
        ),
        done,
        total,
        summary: None,
        download: false,
        failure: None,
        problems: Vec::new(),
        problems_note: None,
    };
    match job.result() {
        None => {}
        Some(Ok(out)) => {
            p.running = false;
            match out.as_ref() {
                Output::Imported {
                    units,
                    members,
                    formulas,
                } => {
                    p.summary = Some(fill(
                        t.import_done,
                        &[
                            ("units", units.to_string()),
                            ("members", members.to_string()),
                        ],
                    ));
                    p.problems_note = super::formula_message(rc.lang, formulas);
                }
                Output::File { .. } => {
                    p.summary = Some(t.job_export_ready.to_owned());
                    p.download = true;
                }
                Output::Taken => p.summary = Some(t.job_export_taken.to_owned()),
            }
        }
        Some(Err(e)) => {
            p.running = false;
            match e.as_ref() {
                AppError::Rejected(rows) => {
                    p.failure = Some(fill(t.import_rejected, &[("n", rows.len().to_string())]));
                    if rows.len() > SHOWN {
                        p.problems_note = Some(fill(t.import_showing, &[("n", SHOWN.to_string())]));
                    }
                    p.problems = problems(rc.lang, rows, SHOWN);
                }
                AppError::Invalid(fields) => {
                    p.failure = Some(
                        fields
                            .iter()
                            .map(|f| field_message(rc.lang, f))
                            .collect::<Vec<_>>()
                            .join("；"),
                    );
                }
                other => p.failure = Some(HttpError::from(other).message(rc.lang)),
            }
        }
    }
    p
}

pub async fn job(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Response> {
    let job = state
        .app
        .jobs()
        .get(id, a.session.actor.account_id)
        .ok_or_else(HttpError::not_found)?;
    Ok(render(&job_page(&a.rc, &job)))
}

pub async fn download(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Response> {
    let d = xueshi_app::roster::export::download(&state.app, &a.ctx(), id).await?;
    Ok(xlsx(&d.name, d.bytes))
}

//! Roster import and export pages, and the progress page of long work.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use xueshi_app::AppError;
use xueshi_app::jobs::{Job, Output};
use xueshi_app::roster::{self, export};
use xueshi_domain::Id;

use super::{Layout, render};
use crate::ctx::{Auth, RequestCtx};
use crate::download::xlsx;
use crate::error::{HttpError, WebResult, field_message};
use crate::i18n::fill;
use crate::import_report::{Problem, problems};
use crate::state::AppState;
use crate::upload::uploaded_file;

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    layout: Layout,
}

pub async fn page(a: Auth) -> WebResult<Response> {
    roster::may_import(&a.ctx())?;
    let layout = Layout::new(&a.rc, a.rc.lang.msg().import_title);
    Ok(render(&ImportPage { layout }))
}

pub async fn template(_a: Auth) -> WebResult<Response> {
    Ok(xlsx("党员名册导入模板.xlsx", export::template()?))
}

pub async fn upload(
    State(state): State<AppState>,
    a: Auth,
    form: Multipart,
) -> WebResult<Response> {
    let right = roster::may_import(&a.ctx())?;
    let (name, bytes) = uploaded_file(form).await?;
    let job = roster::start_import(&state.app, right, name, bytes);
    Ok(Redirect::to(&format!("/jobs/{}", job.id)).into_response())
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
                    p.problems_note = crate::import_report::formula_message(rc.lang, formulas);
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

//! The office's triage queue of the public's problems: each turned down
//! with a reason the citizen reads, merged into a matter, or made into one.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xueshi_app::matters::{self, QueuedProblem};
use xueshi_domain::Id;

use super::{Layout, Pager, render};
use crate::ctx::{Auth, urlencode};
use crate::error::WebResult;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "problems_queue.html")]
struct QueuePage {
    layout: Layout,
    problems: Vec<QueuedProblem>,
    total: i64,
    pager: Pager,
    root: Id,
}

impl QueuePage {
    fn take_up(&self, p: &QueuedProblem) -> String {
        let title: String = p.body.chars().take(40).collect();
        format!(
            "/units/{}/matters/new?problem={}&title={}",
            self.root,
            p.code,
            urlencode(&title)
        )
    }
}

#[derive(Deserialize, Default)]
pub struct QueueQuery {
    #[serde(default)]
    page: i64,
    #[serde(default)]
    done: Option<String>,
}

pub async fn queue(
    State(state): State<AppState>,
    a: Auth,
    Query(q): Query<QueueQuery>,
) -> WebResult<Response> {
    let (problems, total) = matters::queue(&state.app, &a.ctx(), q.page).await?;
    let t = a.rc.lang.msg();
    Ok(render(&QueuePage {
        layout: Layout::new(&a.rc, t.triage_title).notice(q.done.as_deref()),
        pager: Pager::new(
            q.page.max(0),
            total,
            matters::QUEUE_PER_PAGE,
            "/problems?".into(),
        ),
        problems,
        total,
        root: a.session.actor.scope_unit,
    }))
}

#[derive(Deserialize)]
pub struct SettleForm {
    code: String,
    action: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    matter_id: String,
}

pub async fn settle(
    State(state): State<AppState>,
    a: Auth,
    Form(f): Form<SettleForm>,
) -> WebResult<Response> {
    let ctx = a.ctx();
    match f.action.as_str() {
        "reject" => matters::reject_problem(&state.app, &ctx, &f.code, &f.reason).await?,
        "merge" => {
            let id = f
                .matter_id
                .trim()
                .parse::<i64>()
                .map_err(|_| xueshi_app::AppError::invalid("matter_id", "unknown_matter"))?;
            matters::merge_problem(&state.app, &ctx, &f.code, Id(id)).await?;
        }
        _ => return Err(xueshi_app::AppError::invalid("action", "bad_choice").into()),
    }
    Ok(Redirect::to("/problems?done=triage.settled").into_response())
}

#[derive(Deserialize)]
pub struct PhotoQuery {
    #[serde(default)]
    code: String,
}

pub async fn photo(
    State(state): State<AppState>,
    a: Auth,
    Query(q): Query<PhotoQuery>,
) -> WebResult<Response> {
    let (bytes, kind) = matters::problem_photo(&state.app, &a.ctx(), &q.code).await?;
    Ok(super::matters::image(bytes, kind))
}

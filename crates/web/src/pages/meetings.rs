//! Meetings: who under a unit held its 专题组织生活会 (or 民主生活会) by a
//! day, by name; a unit's own records with the form that records one; a
//! meeting with its rectification items ticked off as they are done.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xueshi_app::AppError;
use xueshi_app::meetings::{self, Held, ItemInput, MeetingInput, MeetingKind, MeetingView};
use xueshi_domain::Id;
use xueshi_domain::invalid::FieldError;

use super::{FormErrors, Layout, render, render_status};
use crate::ctx::Auth;
use crate::error::WebResult;
use crate::state::AppState;

/// Blank item rows the form offers.
const ITEM_ROWS: usize = 3;

#[derive(Deserialize, Default)]
pub struct HeldQuery {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    by: String,
    #[serde(default)]
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "meetings.html")]
struct MeetingsPage {
    layout: Layout,
    held: Held,
    kinds: Vec<MeetingKind>,
    own: Vec<MeetingView>,
    may_record: bool,
    form: HashMap<String, String>,
    items: Vec<usize>,
    errors: FormErrors,
}

impl MeetingsPage {
    fn kind_name(&self, k: &MeetingKind) -> &'static str {
        self.layout.tr(&format!("meetings.kind_{}", k.as_str()))
    }
    fn get(&self, k: &str) -> &str {
        self.form.get(k).map_or("", |v| v.as_str())
    }
}

async fn page(
    state: &AppState,
    a: &Auth,
    unit: Id,
    q: &HeldQuery,
    form: HashMap<String, String>,
    errors: &[FieldError],
) -> WebResult<MeetingsPage> {
    let ctx = a.ctx();
    let kind = if q.kind.is_empty() {
        "organization_life"
    } else {
        q.kind.as_str()
    };
    let held = meetings::held(&state.app, &ctx, unit, kind, &q.by).await?;
    let own = meetings::of_unit(&state.app, &ctx, unit).await?;
    let may_record = xueshi_app::permit::may(
        &ctx,
        xueshi_domain::access::Action::ManageTasks,
        &xueshi_app::accounts::unit_path(&state.app, unit).await?,
    );
    Ok(MeetingsPage {
        layout: Layout::new(
            &a.rc,
            &format!("{} · {}", held.unit_name, a.rc.lang.msg().meetings_title),
        )
        .notice(q.done.as_deref()),
        held,
        kinds: MeetingKind::ALL.to_vec(),
        own,
        may_record,
        form,
        items: (0..ITEM_ROWS).collect(),
        errors: FormErrors::new(a.rc.lang, errors),
    })
}

pub async fn list(
    State(state): State<AppState>,
    a: Auth,
    Path(unit): Path<Id>,
    Query(q): Query<HeldQuery>,
) -> WebResult<Response> {
    Ok(render(
        &page(&state, &a, unit, &q, HashMap::new(), &[]).await?,
    ))
}

fn input_of(f: &HashMap<String, String>) -> (MeetingInput, Vec<FieldError>) {
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let mut errors = Vec::new();
    let attendance = match get("attendance").trim() {
        "" => 0,
        n => n.parse().unwrap_or_else(|_| {
            errors.push(FieldError::new("attendance", "not_a_number").with("value", n));
            0
        }),
    };
    let items = (0..ITEM_ROWS)
        .map(|i| ItemInput {
            problem: get(&format!("problem_{i}")),
            measure: get(&format!("measure_{i}")),
            due_on: get(&format!("due_{i}")),
        })
        .filter(|it| !it.problem.trim().is_empty())
        .collect();
    (
        MeetingInput {
            kind: get("kind"),
            held_on: get("held_on"),
            attendance,
            topics: get("topics"),
            items,
        },
        errors,
    )
}

pub async fn record(
    State(state): State<AppState>,
    a: Auth,
    Path(unit): Path<Id>,
    Form(f): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    let (input, bad) = input_of(&f);
    let r = if bad.is_empty() {
        meetings::record(&state.app, &a.ctx(), unit, &input).await
    } else {
        Err(AppError::Invalid(bad))
    };
    match r {
        Ok(id) => Ok(Redirect::to(&format!("/meetings/{id}?done=meetings.saved")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let q = HeldQuery {
                kind: input.kind.clone(),
                ..HeldQuery::default()
            };
            let p = page(&state, &a, unit, &q, f, &errors).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "meeting.html")]
struct MeetingPage {
    layout: Layout,
    m: MeetingView,
}

impl MeetingPage {
    fn kind_name(&self) -> &'static str {
        self.layout
            .tr(&format!("meetings.kind_{}", self.m.kind.as_str()))
    }
}

pub async fn show(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Query(q): Query<super::home::Done>,
) -> WebResult<Response> {
    let m = meetings::get(&state.app, &a.ctx(), id).await?;
    Ok(render(&MeetingPage {
        layout: Layout::new(&a.rc, &m.unit_name).notice(q.done()),
        m,
    }))
}

pub async fn item_done(
    State(state): State<AppState>,
    a: Auth,
    Path((id, sub)): Path<(Id, Id)>,
) -> WebResult<Response> {
    meetings::item_done(&state.app, &a.ctx(), id, sub).await?;
    Ok(Redirect::to(&format!("/meetings/{id}?done=meetings.done_saved")).into_response())
}

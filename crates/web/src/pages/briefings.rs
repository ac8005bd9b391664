//! Briefings: a unit's issues and the form that generates one, an issue's
//! printable page with its road (approve, publish), and its Word document.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xueshi_app::AppError;
use xueshi_app::briefings::review::{self, Piece, Review};
use xueshi_app::briefings::{self, Briefing, BriefingItem, NewBriefing};
use xueshi_app::figures::Span;
use xueshi_domain::Id;
use xueshi_domain::briefing::{BriefingKind, BriefingStatus};

use super::{FormErrors, Layout, render, render_status};
use crate::api::figures::RowsQuery;
use crate::chart;
use crate::ctx::Auth;
use crate::download::docx;
use crate::error::WebResult;
use crate::i18n::Lang;
use crate::state::AppState;

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    pub(crate) done: Option<String>,
}

#[derive(Template)]
#[template(path = "briefings.html")]
struct ListPage {
    layout: Layout,
    unit: Id,
    unit_name: String,
    items: Vec<BriefingItem>,
    may_write: bool,
    kinds: Vec<BriefingKind>,
    form: NewBriefing,
    errors: FormErrors,
}

impl ListPage {
    fn kind(&self, k: &BriefingKind) -> &'static str {
        kind_label(self.layout.lang, *k)
    }
    fn issue(&self, b: &BriefingItem) -> String {
        self.layout.fill(
            self.layout.t.briefings_number,
            &[("n", b.number.to_string())],
        )
    }
    fn status(&self, s: &BriefingStatus) -> &'static str {
        status_label(&self.layout, *s)
    }
}

fn kind_label(lang: Lang, k: BriefingKind) -> &'static str {
    match lang {
        Lang::En => k.label_en(),
        Lang::Zh => k.label_zh(),
    }
}

fn status_label(layout: &Layout, s: BriefingStatus) -> &'static str {
    let t = layout.t;
    match s {
        BriefingStatus::Draft => t.briefings_status_draft,
        BriefingStatus::Approved => t.briefings_status_approved,
        BriefingStatus::Published => t.briefings_status_published,
    }
}

async fn list_page(
    state: &AppState,
    a: &Auth,
    unit: Id,
    form: NewBriefing,
    errors: FormErrors,
) -> WebResult<ListPage> {
    let ctx = a.ctx();
    let l = briefings::of_unit(&state.app, &ctx, unit).await?;
    let t = a.rc.lang.msg();
    Ok(ListPage {
        layout: Layout::new(&a.rc, &format!("{} · {}", l.unit_name, t.briefings_title)),
        may_write: l.may_write,
        unit,
        unit_name: l.unit_name,
        items: l.items,
        kinds: BriefingKind::ALL.to_vec(),
        form,
        errors,
    })
}

pub async fn list(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Query(q): Query<DoneQuery>,
) -> WebResult<Response> {
    let mut p = list_page(
        &state,
        &a,
        id,
        NewBriefing::default(),
        FormErrors::default(),
    )
    .await?;
    p.layout = p.layout.notice(q.done.as_deref());
    Ok(render(&p))
}

pub async fn generate(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(form): Form<NewBriefing>,
) -> WebResult<Response> {
    match briefings::generate(&state.app, &a.ctx(), id, &form).await {
        Ok(b) => {
            Ok(Redirect::to(&format!("/briefings/{b}?done=briefings.generated")).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let errors = FormErrors::new(a.rc.lang, &errors);
            let p = list_page(&state, &a, id, form, errors).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "briefing.html")]
struct IssuePage {
    layout: Layout,
    b: Briefing,
    chart: String,
}

impl IssuePage {
    fn rows_link(&self, f: &briefings::FigureLine) -> String {
        f.rows_path(self.b.unit, &self.b.span)
    }
    fn status(&self) -> &'static str {
        status_label(&self.layout, self.b.status)
    }
    fn permille(&self, p: &i64) -> String {
        format!("{}.{}%", p / 10, p % 10)
    }
}

pub async fn show(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Query(q): Query<DoneQuery>,
) -> WebResult<Response> {
    let b = briefings::get(&state.app, &a.ctx(), id).await?;
    let t = a.rc.lang.msg();
    let bars: Vec<(String, i64)> = b
        .content
        .units
        .iter()
        .map(|u| (u.name.clone(), u.quiz_permille / 10))
        .collect();
    let chart = chart::percent_bars(t.briefings_chart, &bars);
    Ok(render(&IssuePage {
        layout: Layout::new(&a.rc, &b.title).notice(q.done.as_deref()),
        b,
        chart,
    }))
}

#[derive(Deserialize)]
pub struct RemarksForm {
    #[serde(default)]
    remarks: String,
}

pub async fn regenerate(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<RemarksForm>,
) -> WebResult<Response> {
    briefings::regenerate(&state.app, &a.ctx(), id, &f.remarks).await?;
    Ok(Redirect::to(&format!("/briefings/{id}?done=briefings.regenerated")).into_response())
}

async fn step(state: &AppState, a: &Auth, id: Id, to: BriefingStatus) -> WebResult<Response> {
    briefings::set_status(&state.app, &a.ctx(), id, to.as_str()).await?;
    Ok(Redirect::to(&format!("/briefings/{id}?done=briefings.{}", to.as_str())).into_response())
}

pub async fn approve(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Response> {
    step(&state, &a, id, BriefingStatus::Approved).await
}

pub async fn publish(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Response> {
    step(&state, &a, id, BriefingStatus::Published).await
}

pub async fn reopen(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Response> {
    step(&state, &a, id, BriefingStatus::Draft).await
}

/// The issue as a Word document.
pub async fn document(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    headers: HeaderMap,
) -> WebResult<Response> {
    let origin = a.rc.origin(&headers);
    let (name, bytes) = briefings::document(&state.app, &a.ctx(), id, &origin).await?;
    Ok(docx(&name, bytes))
}

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage {
    layout: Layout,
    r: Review,
}

impl ReviewPage {
    fn rows_link(&self, f: &briefings::FigureLine) -> String {
        f.rows_path(self.r.unit, &self.r.span)
    }
}

/// The dates a review's flow figures count: the campaign so far when the
/// reader gives none.
fn review_span(state: &AppState, q: &RowsQuery) -> WebResult<Option<Span>> {
    if q.from.trim().is_empty() && q.to.trim().is_empty() {
        return Ok(None);
    }
    Ok(Some(q.span(state)?))
}

pub async fn review(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Query(q): Query<RowsQuery>,
) -> WebResult<Response> {
    let r = review::review(&state.app, &a.ctx(), id, review_span(&state, &q)?).await?;
    let title = format!("{}{}", r.unit_name, a.rc.lang.msg().review_title);
    Ok(render(&ReviewPage {
        layout: Layout::new(&a.rc, &title),
        r,
    }))
}

pub async fn review_document(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Query(q): Query<RowsQuery>,
    headers: HeaderMap,
) -> WebResult<Response> {
    let origin = a.rc.origin(&headers);
    let span = review_span(&state, &q)?;
    let (name, bytes) = review::document(&state.app, &a.ctx(), id, span, &origin).await?;
    Ok(docx(&name, bytes))
}

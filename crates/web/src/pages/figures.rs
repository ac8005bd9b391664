//! A unit's figures from the catalogue and the rows behind each.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use xueshi_app::briefings::UnitLine;
use xueshi_app::figures::{self, Rows, Span, Stated};
use xueshi_domain::Id;

use super::{Layout, render};
use crate::api::figures::RowsQuery;
use crate::chart;
use crate::ctx::Auth;
use crate::download::xlsx;
use crate::error::WebResult;
use crate::i18n::Lang;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "figures.html")]
struct FiguresPage {
    layout: Layout,
    unit: Id,
    unit_name: String,
    figures: Vec<Stated>,
    span: Span,
    quiz_chart: String,
    check_in_chart: String,
    behind: Vec<UnitLine>,
}

impl FiguresPage {
    fn permille(&self, p: &i64) -> String {
        format!("{}.{}%", p / 10, p % 10)
    }
}

pub async fn list(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Query(q): Query<RowsQuery>,
) -> WebResult<Response> {
    let span = q.span(&state)?;
    let o = figures::overview(&state.app, &a.ctx(), id, &span).await?;
    let t = a.rc.lang.msg();
    let series = |pick: fn(&figures::Day) -> i64| -> Vec<(String, f64)> {
        o.days
            .iter()
            .map(|d| (d.day.clone(), pick(d) as f64))
            .collect()
    };
    let (quiz_chart, check_in_chart) = if o.days.is_empty() {
        (String::new(), String::new())
    } else {
        (
            chart::count_columns(t.figures_trend_quiz, &series(|d| d.quiz_taken)),
            chart::count_columns(t.figures_trend_check_ins, &series(|d| d.check_ins)),
        )
    };
    let figures = o.figures;
    let unit_name = figures
        .first()
        .map(|f| f.unit_name.clone())
        .unwrap_or_default();
    Ok(render(&FiguresPage {
        layout: Layout::new(&a.rc, &format!("{unit_name} · {}", t.figures_title)),
        unit: id,
        unit_name,
        figures,
        span,
        quiz_chart,
        check_in_chart,
        behind: o.behind,
    }))
}

#[derive(Template)]
#[template(path = "figure_rows.html")]
struct RowsPage {
    layout: Layout,
    name: String,
    r: Rows,
}

impl RowsPage {
    /// The span of a flow figure, carried on to its other pages and export.
    fn span_query(&self) -> String {
        self.r
            .stated
            .span
            .as_ref()
            .map(|s| format!("&from={}&to={}", s.from, s.to))
            .unwrap_or_default()
    }
}

pub async fn rows(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Query(q): Query<RowsQuery>,
) -> WebResult<Response> {
    let r = figures::rows(
        &state.app,
        &a.ctx(),
        q.figure()?,
        id,
        &q.span(&state)?,
        q.page,
    )
    .await?;
    let name = match a.rc.lang {
        Lang::En => r.stated.name_en,
        Lang::Zh => r.stated.name_zh,
    }
    .to_owned();
    Ok(render(&RowsPage {
        layout: Layout::new(&a.rc, &format!("{} · {name}", r.stated.unit_name)),
        name,
        r,
    }))
}

pub async fn rows_export(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Query(q): Query<RowsQuery>,
) -> WebResult<Response> {
    let (name, bytes) =
        figures::rows_workbook(&state.app, &a.ctx(), q.figure()?, id, &q.span(&state)?).await?;
    Ok(xlsx(&name, bytes))
}

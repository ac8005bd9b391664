//! Rankings: a unit's rankings with the form that defines one, a
//! ranking's standing with each unit's score broken into its measures and
//! the 约谈 list, and its workbook.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use xueshi_app::AppError;
use xueshi_app::rankings::{self, NewRanking, Ranking, RankingItem, Standing};
use xueshi_domain::Id;
use xueshi_domain::invalid::FieldError;
use xueshi_domain::ranking::{DEPTH_MAX, RankingMeasure, Ratio, Term};
use xueshi_domain::unit::UnitKind;

use super::briefings::DoneQuery;
use super::{FormErrors, Layout, render, render_status};
use crate::ctx::Auth;
use crate::download::xlsx;
use crate::error::WebResult;
use crate::i18n::Lang;
use crate::state::AppState;

/// The form as typed: every field a string, so a bad number is named
/// rather than refused wholesale.
#[derive(Clone, Debug, Default)]
pub(crate) struct Typed(pub(crate) HashMap<String, String>);

impl Typed {
    pub(crate) fn get(&self, k: &str) -> &str {
        self.0.get(k).map_or("", |v| v.as_str())
    }
    pub(crate) fn weight(&self, m: &RankingMeasure) -> &str {
        self.get(&format!("weight_{}", m.as_str()))
    }
}

/// The office's form into the use-case's input; numbers that are not
/// numbers become errors of their field.
pub(crate) fn parse(f: &Typed) -> Result<NewRanking, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut number = |field: &'static str, raw: &str, empty: i64| -> i64 {
        let raw = raw.trim();
        if raw.is_empty() {
            return empty;
        }
        raw.parse().unwrap_or_else(|_| {
            errors.push(FieldError::new(field, "not_a_number").with("value", raw));
            0
        })
    };
    let depth = number("depth", f.get("depth"), 1);
    let bottom = number("bottom", f.get("bottom"), 0);
    let mut terms = Vec::new();
    for m in RankingMeasure::ALL {
        let w = number("terms", f.weight(&m), 0);
        if w != 0 {
            terms.push(Term {
                measure: m,
                weight: w,
            });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(NewRanking {
        name: f.get("name").to_owned(),
        depth,
        peer_kind: f.get("peer_kind").to_owned(),
        from: f.get("from").to_owned(),
        to: f.get("to").to_owned(),
        terms,
        bottom,
    })
}

#[derive(Template)]
#[template(path = "rankings.html")]
struct ListPage {
    layout: Layout,
    unit: Id,
    unit_name: String,
    items: Vec<RankingItem>,
    may_write: bool,
    measures: Vec<RankingMeasure>,
    kinds: Vec<UnitKind>,
    depths: Vec<i64>,
    form: Typed,
    errors: FormErrors,
}

impl ListPage {
    fn measure(&self, m: &RankingMeasure) -> &'static str {
        measure_label(self.layout.lang, *m)
    }
}

pub(crate) fn measure_label(lang: Lang, m: RankingMeasure) -> &'static str {
    match lang {
        Lang::En => m.label_en(),
        Lang::Zh => m.label_zh(),
    }
}

/// A new ranking's form: this year so far, the measures of today's
/// capabilities at the weights seed 002's 六比 would give them.
pub(crate) fn blank(today: time::Date) -> Typed {
    let mut f = HashMap::new();
    let jan1 = time::Date::from_ordinal_date(today.year(), 1).unwrap_or(today);
    f.insert("from".into(), xueshi_domain::date::iso(jan1));
    f.insert("to".into(), xueshi_domain::date::iso(today));
    f.insert("depth".into(), "1".into());
    f.insert("bottom".into(), "3".into());
    for (m, w) in [
        (RankingMeasure::QuizParticipation, 30),
        (RankingMeasure::QuizAccuracy, 10),
        (RankingMeasure::QuotaCompliance, 30),
        (RankingMeasure::MattersOnTime, 20),
        (RankingMeasure::MattersSatisfied, 10),
    ] {
        f.insert(format!("weight_{}", m.as_str()), w.to_string());
    }
    Typed(f)
}

async fn list_page(
    state: &AppState,
    a: &Auth,
    unit: Id,
    form: Typed,
    errors: FormErrors,
) -> WebResult<ListPage> {
    let l = rankings::of_unit(&state.app, &a.ctx(), unit).await?;
    let t = a.rc.lang.msg();
    Ok(ListPage {
        layout: Layout::new(&a.rc, &format!("{} · {}", l.unit_name, t.rankings_title)),
        unit,
        unit_name: l.unit_name,
        items: l.items,
        may_write: l.may_write,
        measures: RankingMeasure::ALL.to_vec(),
        kinds: UnitKind::ALL.to_vec(),
        depths: (1..=DEPTH_MAX).collect(),
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
    let form = blank(state.app.clock().today());
    let mut p = list_page(&state, &a, id, form, FormErrors::default()).await?;
    p.layout = p.layout.notice(q.done.as_deref());
    Ok(render(&p))
}

pub async fn define(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(form): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    let form = Typed(form);
    let result = match parse(&form) {
        Ok(input) => rankings::define(&state.app, &a.ctx(), id, &input).await,
        Err(errors) => Err(AppError::Invalid(errors)),
    };
    match result {
        Ok(r) => Ok(Redirect::to(&format!("/rankings/{r}?done=rankings.defined")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let errors = FormErrors::new(a.rc.lang, &errors);
            let p = list_page(&state, &a, id, form, errors).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "ranking.html")]
struct RankingPage {
    layout: Layout,
    r: Ranking,
}

impl RankingPage {
    fn measure(&self, m: &RankingMeasure) -> &'static str {
        measure_label(self.layout.lang, *m)
    }
    fn score(&self, s: &Standing) -> String {
        s.score.map_or("—".to_owned(), |v| format!("{v:.2}"))
    }
    fn place(&self, s: &Standing) -> String {
        s.place.map_or("—".to_owned(), |p| p.to_string())
    }
    fn percent(&self, r: &Ratio) -> String {
        r.percent().map_or("—".to_owned(), |p| format!("{p:.1}%"))
    }
    /// Where a measure's counted rows are listed for one unit.
    fn rows_link(&self, unit: &Id, k: &usize) -> String {
        let span = format!("from={}&to={}", self.r.span.from, self.r.span.to);
        match self.r.terms.get(*k).map(|t| t.measure) {
            Some(RankingMeasure::QuizParticipation | RankingMeasure::QuizAccuracy) => {
                format!("/units/{unit}/figures/rows?figure=quiz_taken&{span}")
            }
            Some(RankingMeasure::QuotaCompliance) => format!("/units/{unit}/study"),
            Some(RankingMeasure::TasksOnTime) => {
                format!("/units/{unit}/figures/rows?figure=tasks_assigned")
            }
            _ => format!("/units/{unit}/matters"),
        }
    }
}

pub async fn show(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Query(q): Query<DoneQuery>,
) -> WebResult<Response> {
    let r = rankings::get(&state.app, &a.ctx(), id).await?;
    Ok(render(&RankingPage {
        layout: Layout::new(&a.rc, &r.name).notice(q.done.as_deref()),
        r,
    }))
}

pub async fn workbook(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Response> {
    let (name, bytes) = rankings::workbook(&state.app, &a.ctx(), id).await?;
    Ok(xlsx(&name, bytes))
}

pub async fn delete(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Response> {
    let unit = rankings::delete(&state.app, &a.ctx(), id).await?;
    Ok(Redirect::to(&format!("/units/{unit}/rankings?done=rankings.deleted")).into_response())
}

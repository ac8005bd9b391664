//! The rhythm: a campaign's duties with the form that sets them and their
//! occurrences; an occurrence with what meets it (the dispatch meeting's
//! form, the issue, the year-end ranking and its 约谈 list); a dispatch
//! meeting's record with its decisions made tasks.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use xueshi_app::AppError;
use xueshi_app::rankings::{self, Ranking};
use xueshi_app::rhythm::{
    self, DecisionInput, DispatchInput, DispatchView, Meets, OccurrenceDetail, OccurrenceState,
    Rhythm, RhythmKind, ScheduleInput, YearEndInput,
};
use xueshi_domain::Id;
use xueshi_domain::invalid::FieldError;
use xueshi_domain::ranking::RankingMeasure;

use super::home::Done;
use super::rankings::{Typed, blank, measure_label, parse};
use super::{FormErrors, Layout, render, render_status};
use crate::ctx::Auth;
use crate::error::WebResult;
use crate::state::AppState;

/// Blank decision rows the dispatch form offers.
const DECISION_ROWS: usize = 5;

fn kind_name(layout: &Layout, k: &RhythmKind) -> &'static str {
    layout.tr(&format!("rhythm.kind_{}", k.as_str()))
}

#[derive(Template)]
#[template(path = "rhythm.html")]
struct RhythmPage {
    layout: Layout,
    r: Rhythm,
    errors: FormErrors,
}

impl RhythmPage {
    fn kind_name(&self, k: &RhythmKind) -> &'static str {
        kind_name(&self.layout, k)
    }
    fn state_name(&self, s: &OccurrenceState) -> &'static str {
        self.layout.tr(&format!("rhythm.state_{}", state_key(*s)))
    }
    fn state_class(&self, s: &OccurrenceState) -> &'static str {
        state_key(*s)
    }
    fn day_hint(&self, k: &RhythmKind) -> &'static str {
        self.layout.tr(&format!("rhythm.day_{}", cadence_key(*k)))
    }
}

fn state_key(s: OccurrenceState) -> &'static str {
    match s {
        OccurrenceState::Done => "done",
        OccurrenceState::Overdue => "overdue",
        OccurrenceState::Due => "due",
        OccurrenceState::Upcoming => "upcoming",
    }
}

fn cadence_key(k: RhythmKind) -> &'static str {
    match k.cadence() {
        rhythm::Cadence::Weekly => "weekly",
        rhythm::Cadence::Monthly => "monthly",
        rhythm::Cadence::Quarterly => "quarterly",
        rhythm::Cadence::YearEnd => "year_end",
    }
}

pub async fn show(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Query(q): Query<Done>,
) -> WebResult<Response> {
    let r = rhythm::of_campaign(&state.app, &a.ctx(), id).await?;
    Ok(render(&RhythmPage {
        layout: Layout::new(
            &a.rc,
            &format!("{} · {}", r.campaign_name, a.rc.lang.msg().rhythm_title),
        )
        .notice(q.done()),
        r,
        errors: FormErrors::default(),
    }))
}

pub async fn configure(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    let mut bad = Vec::new();
    let schedules: Vec<ScheduleInput> = RhythmKind::ALL
        .into_iter()
        .filter(|k| f.contains_key(&format!("keep_{}", k.as_str())))
        .map(|k| {
            let raw = f
                .get(&format!("day_{}", k.as_str()))
                .map_or("", |v| v.trim());
            let day = raw.parse().unwrap_or_else(|_| {
                bad.push(FieldError::new(k.as_str(), "not_a_number").with("value", raw));
                0
            });
            ScheduleInput {
                kind: k.as_str().to_owned(),
                day,
            }
        })
        .collect();
    let r = if bad.is_empty() {
        rhythm::configure(&state.app, &a.ctx(), id, &schedules).await
    } else {
        // Refused before it is read as typed: the actor must still be one
        // who may set it.
        rhythm::of_campaign(&state.app, &a.ctx(), id).await?;
        Err(AppError::Invalid(bad))
    };
    match r {
        Ok(()) => {
            Ok(Redirect::to(&format!("/campaigns/{id}/rhythm?done=rhythm.saved")).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let r = rhythm::of_campaign(&state.app, &a.ctx(), id).await?;
            Ok(render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &RhythmPage {
                    layout: Layout::new(&a.rc, &r.campaign_name),
                    r,
                    errors: FormErrors::new(a.rc.lang, &errors),
                },
            ))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "occurrence.html")]
struct OccurrencePage {
    layout: Layout,
    o: OccurrenceDetail,
    ranking: Option<Ranking>,
    rows: Vec<usize>,
    measures: Vec<RankingMeasure>,
    form: Typed,
    errors: FormErrors,
}

impl OccurrencePage {
    fn kind_name(&self) -> &'static str {
        kind_name(&self.layout, &self.o.occurrence.kind)
    }
    fn state_name(&self) -> &'static str {
        self.layout.tr(&format!(
            "rhythm.state_{}",
            state_key(self.o.occurrence.state)
        ))
    }
    fn is_dispatch(&self) -> bool {
        self.o.meets == Meets::Dispatch
    }
    fn is_year_end(&self) -> bool {
        self.o.meets == Meets::IssueAndRanking
    }
    fn measure(&self, m: &RankingMeasure) -> &'static str {
        measure_label(self.layout.lang, *m)
    }
    fn get(&self, k: &str) -> &str {
        self.form.get(k)
    }
    fn nth(&self, k: &str, i: &usize) -> &str {
        self.form.get(&format!("{k}_{i}"))
    }
}

async fn occurrence_page(
    state: &AppState,
    a: &Auth,
    id: Id,
    form: Option<Typed>,
    errors: &[FieldError],
) -> WebResult<OccurrencePage> {
    let ctx = a.ctx();
    let o = rhythm::occurrence(&state.app, &ctx, id).await?;
    let ranking = match o.occurrence.ranking {
        Some(r) if o.may_read_papers => Some(rankings::get(&state.app, &ctx, r).await?),
        _ => None,
    };
    let form = form.unwrap_or_else(|| {
        let mut f = blank(state.app.clock().today());
        f.0.insert(
            "held_on".into(),
            xueshi_domain::date::iso(state.app.clock().today()),
        );
        f
    });
    Ok(OccurrencePage {
        layout: Layout::new(
            &a.rc,
            a.rc.lang
                .msg()
                .get(&format!("rhythm.kind_{}", o.occurrence.kind.as_str()))
                .unwrap_or_default(),
        ),
        o,
        ranking,
        rows: (0..DECISION_ROWS).collect(),
        measures: RankingMeasure::ALL.to_vec(),
        form,
        errors: FormErrors::new(a.rc.lang, errors),
    })
}

pub async fn occurrence(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Query(q): Query<Done>,
) -> WebResult<Response> {
    let mut p = occurrence_page(&state, &a, id, None, &[]).await?;
    p.layout = p.layout.notice(q.done());
    Ok(render(&p))
}

async fn refused(state: &AppState, a: &Auth, id: Id, f: Typed, r: AppError) -> WebResult<Response> {
    match r {
        AppError::Invalid(errors) => {
            let p = occurrence_page(state, a, id, Some(f), &errors).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
        }
        e => Err(e.into()),
    }
}

pub async fn record_dispatch(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let decisions = (0..DECISION_ROWS)
        .filter(|i| !get(&format!("decision_{i}")).trim().is_empty())
        .map(|i| DecisionInput {
            body: get(&format!("decision_{i}")),
            owner: get(&format!("owner_{i}")).parse().ok(),
            due_on: get(&format!("due_{i}")),
        })
        .collect();
    let input = DispatchInput {
        held_on: get("held_on"),
        chair: get("chair"),
        attendees: get("attendees"),
        decisions,
    };
    match rhythm::record_dispatch(&state.app, &a.ctx(), id, &input).await {
        Ok(d) => Ok(
            Redirect::to(&format!("/dispatches/{d}?done=rhythm.dispatch_saved")).into_response(),
        ),
        Err(e) => refused(&state, &a, id, Typed(f), e).await,
    }
}

pub async fn issue(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Response> {
    let b = rhythm::issue(&state.app, &a.ctx(), id).await?;
    Ok(Redirect::to(&format!("/briefings/{b}?done=briefings.generated")).into_response())
}

pub async fn ranking(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    let typed = Typed(f);
    let r = match parse(&typed) {
        Ok(n) => {
            let input = YearEndInput {
                terms: n.terms,
                bottom: n.bottom,
                depth: Some(n.depth),
                peer_kind: n.peer_kind,
            };
            rhythm::year_end_ranking(&state.app, &a.ctx(), id, &input).await
        }
        Err(errors) => {
            rhythm::occurrence(&state.app, &a.ctx(), id).await?;
            Err(AppError::Invalid(errors))
        }
    };
    match r {
        Ok(_) => Ok(
            Redirect::to(&format!("/occurrences/{id}?done=rhythm.ranking_saved")).into_response(),
        ),
        Err(e) => refused(&state, &a, id, typed, e).await,
    }
}

#[derive(Template)]
#[template(path = "dispatch.html")]
struct DispatchPage {
    layout: Layout,
    d: DispatchView,
}

impl DispatchPage {
    fn figure_name(&self, f: &xueshi_app::briefings::FigureLine) -> String {
        match self.layout.lang {
            crate::i18n::Lang::En => f.name_en.clone(),
            crate::i18n::Lang::Zh => f.name_zh.clone(),
        }
    }
    fn rows_path(&self, f: &xueshi_app::briefings::FigureLine) -> String {
        f.rows_path(self.d.unit, &self.d.span)
    }
}

pub async fn dispatch(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Query(q): Query<Done>,
) -> WebResult<Response> {
    let d = rhythm::dispatch(&state.app, &a.ctx(), id).await?;
    Ok(render(&DispatchPage {
        layout: Layout::new(
            &a.rc,
            &format!("{} · {}", d.unit_name, a.rc.lang.msg().rhythm_dispatch),
        )
        .notice(q.done()),
        d,
    }))
}

pub async fn decision_task(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Response> {
    let t = rhythm::decision_to_task(&state.app, &a.ctx(), id).await?;
    Ok(Redirect::to(&format!("/tasks/{t}?done=rhythm.task_made")).into_response())
}

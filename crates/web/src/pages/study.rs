//! Study pages: a member's day on a phone (党史上的今天, quotas, check-in,
//! the daily quiz, whose form posts to `quiz`), and a unit's study
//! dashboard.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xueshi_app::AppError;
use xueshi_app::compliance::{self, QuotaCompliance};
use xueshi_app::quiz::{self, QuizPaper, QuizResult, Today};
use xueshi_app::study::{CheckInInput, Dashboard, MyStudy};
use xueshi_domain::Id;
use xueshi_domain::quiz::QuestionKind;
use xueshi_domain::study::{Period, StudyKind};

use super::{FormErrors, Layout, render, render_status};
use crate::chart;
use crate::ctx::Auth;
use crate::download::xlsx;
use crate::error::WebResult;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "study.html")]
pub(super) struct StudyPage {
    layout: Layout,
    s: MyStudy,
    paper: Option<QuizPaper>,
    result: Option<QuizResult>,
    /// Questions and seconds of a quiz not started yet.
    ready: Option<(i64, i64)>,
    expired: bool,
    closed: bool,
    not_open: Option<(String, String)>,
    kinds: Vec<StudyKind>,
    errors: FormErrors,
    quiz_error: Option<String>,
}

impl StudyPage {
    fn study_kind(&self, k: &StudyKind) -> &'static str {
        self.layout.tr(&format!("study_kind.{}", k.as_str()))
    }
    fn period(&self, p: &Period) -> &'static str {
        self.layout.tr(&format!("period.{}", p.as_str()))
    }
    fn question_kind(&self, k: &QuestionKind) -> &'static str {
        self.layout.tr(&format!("question_kind.{}", k.as_str()))
    }
    /// A quota's progress as shown against its target: "1 / 1", never
    /// "4 / 1" (the count beyond is shown apart).
    fn capped(&self, done: &i64, target: &i64) -> i64 {
        (*done).min(*target)
    }
    fn letter(&self, i: &usize) -> char {
        (b'A' + *i as u8) as char
    }
    fn multiple(&self, k: &QuestionKind) -> bool {
        *k == QuestionKind::Multiple
    }
    fn choice(&self, k: &QuestionKind) -> bool {
        matches!(k, QuestionKind::Single | QuestionKind::Multiple)
    }
    fn true_false(&self, k: &QuestionKind) -> bool {
        *k == QuestionKind::TrueFalse
    }
    /// An answer as the member reads it.
    fn shown(&self, k: &QuestionKind, a: &str) -> String {
        match (k, a) {
            (QuestionKind::TrueFalse, "true") => self.layout.t.quiz_true.to_owned(),
            (QuestionKind::TrueFalse, "false") => self.layout.t.quiz_false.to_owned(),
            (QuestionKind::FillIn, a) => a.replace('|', " / "),
            (_, "") => self.layout.t.quiz_blank.to_owned(),
            (_, a) => a.to_owned(),
        }
    }
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
}

impl From<Option<String>> for DoneQuery {
    fn from(done: Option<String>) -> Self {
        DoneQuery { done }
    }
}

pub(super) async fn study_page(
    state: &AppState,
    a: &Auth,
    errors: &[xueshi_domain::FieldError],
    quiz_error: Option<String>,
) -> WebResult<StudyPage> {
    let ctx = a.ctx();
    let s = xueshi_app::study::my_study(&state.app, &ctx).await?;
    let (mut paper, mut result, mut ready, mut expired, mut closed, mut not_open) =
        (None, None, None, false, false, None);
    match quiz::status(&state.app, &ctx).await? {
        Today::Open(p) => paper = Some(p),
        Today::Ready { questions, seconds } => ready = Some((questions, seconds)),
        Today::Expired => expired = true,
        Today::Done(r) => result = Some(r),
        Today::Closed => closed = true,
        Today::NotOpen { opens, closes } => not_open = Some((opens, closes)),
    }
    Ok(StudyPage {
        layout: Layout::new(&a.rc, a.rc.lang.msg().study_title),
        s,
        paper,
        result,
        ready,
        expired,
        closed,
        not_open,
        kinds: StudyKind::ALL.to_vec(),
        errors: FormErrors::new(a.rc.lang, errors),
        quiz_error,
    })
}

/// A member's day; an account of no member (office staff, secretaries)
/// sees its scope's study figures instead.
pub async fn page(
    State(state): State<AppState>,
    a: Auth,
    Query(q): Query<DoneQuery>,
) -> WebResult<Response> {
    if a.session.actor.member_id.is_none() {
        let scope = a.session.actor.scope_unit;
        return unit_page(State(state), a, Path(scope)).await;
    }
    let mut p = study_page(&state, &a, &[], None).await?;
    p.layout = p.layout.notice(q.done.as_deref());
    Ok(render(&p))
}

#[derive(Deserialize)]
pub struct CheckInForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    material_id: String,
    #[serde(default)]
    what: String,
    #[serde(default)]
    minutes: String,
    #[serde(default)]
    note: String,
}

pub async fn check_in(
    State(state): State<AppState>,
    a: Auth,
    Form(f): Form<CheckInForm>,
) -> WebResult<Response> {
    let material_id = match f.material_id.trim() {
        "" => None,
        m => Some(
            m.parse::<i64>()
                .map(Id)
                .map_err(|_| AppError::invalid("material_id", "unknown_material"))?,
        ),
    };
    // Picking a material also says what kind of study it was.
    let input = CheckInInput {
        kind: f.kind,
        material_id,
        what: f.what,
        minutes: f.minutes,
        note: f.note,
    };
    match xueshi_app::study::check_in(&state.app, &a.ctx(), input).await {
        Ok(_) => Ok(Redirect::to("/study?done=study.checked_in").into_response()),
        Err(AppError::Invalid(errors)) => {
            let p = study_page(&state, &a, &errors, None).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "unit_study.html")]
struct UnitStudyPage {
    layout: Layout,
    d: Dashboard,
    /// Each quota with its chart by child unit.
    compliance: Vec<(QuotaCompliance, String)>,
    compliance_chart: String,
    trend_chart: String,
    board_chart: String,
}

pub async fn unit_page(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Response> {
    let ctx = a.ctx();
    let d = xueshi_app::study::dashboard(&state.app, &ctx, id, 14).await?;
    let compliance = compliance::compliance(&state.app, &ctx, id).await?;
    let t = a.rc.lang.msg();
    let trend: Vec<(String, f64)> = d
        .trend
        .iter()
        .map(|f| (f.day.clone(), f.participation))
        .collect();
    let board: Vec<(String, i64)> = d
        .leaderboard
        .iter()
        .take(12)
        .map(|r| (r.unit.name.clone(), r.participation.round() as i64))
        .collect();
    let shares: Vec<(String, i64)> = compliance
        .iter()
        .map(|c| (quota_of(a.rc.lang, c), c.percent.round() as i64))
        .collect();
    let compliance = compliance
        .into_iter()
        .map(|c| {
            let by_unit: Vec<(String, i64)> = c
                .by_unit
                .iter()
                .take(12)
                .map(|u| (u.unit.name.clone(), u.percent.round() as i64))
                .collect();
            let svg = if by_unit.is_empty() {
                String::new()
            } else {
                chart::percent_bars(&quota_of(a.rc.lang, &c), &by_unit)
            };
            (c, svg)
        })
        .collect();
    let page = UnitStudyPage {
        compliance_chart: chart::percent_bars(t.study_compliance, &shares),
        layout: Layout::new(&a.rc, &format!("{} · {}", d.unit.name, t.study_dashboard)),
        trend_chart: chart::columns(t.study_trend, &trend),
        board_chart: chart::percent_bars(t.study_board, &board),
        d,
        compliance,
    };
    Ok(render(&page))
}

/// The members behind each quota, as a workbook.
#[derive(Template)]
#[template(path = "unit_standing.html")]
struct StandingPage {
    layout: Layout,
    s: xueshi_app::standing::Standing,
    order: String,
}

impl StandingPage {
    /// Whether the member met the quota in column `i`.
    fn met(&self, m: &xueshi_app::standing::MemberStanding, i: &usize) -> bool {
        match (m.done.get(*i), self.s.quotas.get(*i)) {
            (Some(d), Some(q)) => *d >= q.target,
            _ => false,
        }
    }
    fn shown(&self, m: &xueshi_app::standing::MemberStanding, i: &usize) -> String {
        let done = m.done.get(*i).copied().unwrap_or(0);
        let target = self.s.quotas.get(*i).map_or(0, |q| q.target);
        format!("{} / {}", done.min(target), target)
    }
}

#[derive(Deserialize, Default)]
pub struct OrderQuery {
    #[serde(default)]
    sort: String,
}

/// Every member of a unit against every quota, those behind first.
pub async fn standing(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Query(q): Query<OrderQuery>,
) -> WebResult<Response> {
    let order = xueshi_app::standing::Order::parse(&q.sort);
    let s = xueshi_app::standing::standing(&state.app, &a.ctx(), id, order).await?;
    let t = a.rc.lang.msg();
    let page = StandingPage {
        layout: Layout::new(&a.rc, &format!("{} · {}", s.unit.name, t.standing_title)),
        s,
        order: q.sort,
    };
    Ok(render(&page))
}

pub async fn standing_export(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Response> {
    let (name, bytes) = xueshi_app::standing::standing_workbook(&state.app, &a.ctx(), id).await?;
    Ok(xlsx(&name, bytes))
}

pub async fn behind(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Response> {
    let (name, bytes) = compliance::behind_workbook(&state.app, &a.ctx(), id).await?;
    Ok(xlsx(&name, bytes))
}

fn quota_of(lang: crate::i18n::Lang, c: &QuotaCompliance) -> String {
    super::quota_label(lang, &c.label, c.kind, c.period, c.target)
}

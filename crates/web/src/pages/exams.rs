//! Exams on pages: a unit's exams with the form that sets one (blueprint
//! lines), an exam's result sheet, proctor view and make-up overrides; a
//! member's exams and the sitting itself, its answers saved as they are
//! given (exam.js) and the whole paper handed in by the form.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xueshi_app::AppError;
use xueshi_app::exams::paper::{self, Mark, MarkSheet, MarksInput, PrintedPaper};
use xueshi_app::exams::{
    self, ExamInput, ExamView, MyExam, OverrideInput, Proctor, Results, SittingView,
};
use xueshi_domain::Id;
use xueshi_domain::exam::BlueprintRow;
use xueshi_domain::invalid::FieldError;
use xueshi_domain::quiz::QuestionKind;

use super::home::Done;
use super::{FormErrors, Layout, render, render_status};
use crate::ctx::Auth;
use crate::error::WebResult;
use crate::state::AppState;

/// Blueprint lines the form offers.
const LINES: usize = 4;

#[derive(Template)]
#[template(path = "exams.html")]
struct ListPage {
    layout: Layout,
    unit: Id,
    unit_name: String,
    exams: Vec<ExamView>,
    may_write: bool,
    kinds: Vec<QuestionKind>,
    lines: Vec<usize>,
    form: HashMap<String, String>,
    errors: FormErrors,
}

impl ListPage {
    fn get(&self, k: &str) -> &str {
        self.form.get(k).map_or("", |v| v.as_str())
    }
    fn nth(&self, k: &str, i: &usize) -> &str {
        self.get(&format!("{k}_{i}"))
    }
    fn kind_name(&self, k: &QuestionKind) -> &'static str {
        match self.layout.lang {
            crate::i18n::Lang::Zh => k.label_zh(),
            crate::i18n::Lang::En => k.as_str(),
        }
    }
}

fn blank(state: &AppState) -> HashMap<String, String> {
    let now = state.app.now();
    let at = |ms: i64| xueshi_app::clock::format_ms(ms)[..16].replace(' ', "T");
    HashMap::from([
        ("opens_at".to_owned(), at(now)),
        ("closes_at".to_owned(), at(now + 3 * 86_400_000)),
        ("minutes".to_owned(), "30".to_owned()),
        ("pass_mark".to_owned(), "60".to_owned()),
        ("attempts".to_owned(), "1".to_owned()),
        ("makeup_days".to_owned(), "7".to_owned()),
        ("kind_0".to_owned(), "single".to_owned()),
        ("count_0".to_owned(), "10".to_owned()),
        ("kind_1".to_owned(), "true_false".to_owned()),
        ("count_1".to_owned(), "5".to_owned()),
    ])
}

async fn list_page(
    state: &AppState,
    a: &Auth,
    unit: Id,
    form: HashMap<String, String>,
    errors: &[FieldError],
) -> WebResult<ListPage> {
    let ctx = a.ctx();
    let exams = exams::of_unit(&state.app, &ctx, unit).await?;
    let path = xueshi_app::accounts::unit_path(&state.app, unit).await?;
    let detail = xueshi_app::tree::detail(&state.app, &ctx, unit).await?;
    Ok(ListPage {
        layout: Layout::new(
            &a.rc,
            &format!("{} · {}", detail.unit.name, a.rc.lang.msg().exams_title),
        ),
        unit,
        unit_name: detail.unit.name,
        exams,
        may_write: xueshi_app::permit::may(&ctx, xueshi_domain::access::Action::ManageTasks, &path),
        kinds: QuestionKind::ALL.to_vec(),
        lines: (0..LINES).collect(),
        form,
        errors: FormErrors::new(a.rc.lang, errors),
    })
}

pub async fn list(
    State(state): State<AppState>,
    a: Auth,
    Path(unit): Path<Id>,
    Query(q): Query<Done>,
) -> WebResult<Response> {
    let mut p = list_page(&state, &a, unit, blank(&state), &[]).await?;
    p.layout = p.layout.notice(q.done());
    Ok(render(&p))
}

fn parse(f: &HashMap<String, String>) -> (ExamInput, Vec<FieldError>) {
    let get = |k: &str| f.get(k).map_or("", |v| v.trim()).to_owned();
    let mut bad = Vec::new();
    let mut number = |field: &'static str, raw: String| -> i64 {
        if raw.is_empty() {
            return 0;
        }
        raw.parse().unwrap_or_else(|_| {
            bad.push(FieldError::new(field, "not_a_number").with("value", raw.as_str()));
            0
        })
    };
    let mut blueprint = Vec::new();
    for i in 0..LINES {
        let count = get(&format!("count_{i}"));
        if count.is_empty() || count == "0" {
            continue;
        }
        blueprint.push(BlueprintRow {
            kind: get(&format!("kind_{i}")),
            tag: get(&format!("tag_{i}")),
            difficulty: number("blueprint", get(&format!("difficulty_{i}"))),
            count: number("blueprint", count),
        });
    }
    let input = ExamInput {
        title: get("title"),
        opens_at: get("opens_at"),
        closes_at: get("closes_at"),
        minutes: number("minutes", get("minutes")),
        pass_mark: number("pass_mark", get("pass_mark")),
        attempts: number("attempts", get("attempts")),
        blueprint,
        fixed_paper: f.contains_key("fixed_paper"),
        makeup_failed: f.contains_key("makeup_failed"),
        makeup_days: number("makeup_days", get("makeup_days")),
        members: Vec::new(),
    };
    (input, bad)
}

pub async fn create(
    State(state): State<AppState>,
    a: Auth,
    Path(unit): Path<Id>,
    Form(f): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    let (input, bad) = parse(&f);
    let r = if bad.is_empty() {
        exams::create(&state.app, &a.ctx(), unit, &input).await
    } else {
        exams::of_unit(&state.app, &a.ctx(), unit).await?;
        Err(AppError::Invalid(bad))
    };
    match r {
        Ok(id) => Ok(Redirect::to(&format!("/exams/{id}?done=exams.saved")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let p = list_page(&state, &a, unit, f, &errors).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "exam.html")]
struct ExamPage {
    layout: Layout,
    e: ExamView,
    r: Results,
    p: Proctor,
    errors: FormErrors,
}

impl ExamPage {
    fn mean(&self, tenths: &Option<i64>) -> String {
        tenths.map_or("—".to_owned(), |t| format!("{}.{}", t / 10, t % 10))
    }
    fn reason(&self, r: &Option<String>) -> &'static str {
        r.as_deref()
            .map_or("", |r| self.layout.tr(&format!("exams.reason_{r}")))
    }
}

async fn exam_page(
    state: &AppState,
    a: &Auth,
    id: Id,
    errors: &[FieldError],
) -> WebResult<ExamPage> {
    let ctx = a.ctx();
    let e = exams::get(&state.app, &ctx, id).await?;
    Ok(ExamPage {
        layout: Layout::new(&a.rc, &e.title),
        r: exams::results(&state.app, &ctx, id).await?,
        p: exams::proctor(&state.app, &ctx, id).await?,
        e,
        errors: FormErrors::new(a.rc.lang, errors),
    })
}

pub async fn show(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Query(q): Query<Done>,
) -> WebResult<Response> {
    let mut p = exam_page(&state, &a, id, &[]).await?;
    p.layout = p.layout.notice(q.done());
    Ok(render(&p))
}

pub async fn add_makeups(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    let input = OverrideInput {
        members: Vec::new(),
        unit: f.get("unit").and_then(|u| u.parse().ok()),
        reason: f.get("reason").cloned().unwrap_or_default(),
    };
    match exams::add_makeups(&state.app, &a.ctx(), id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/exams/{id}?done=exams.makeups_saved")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let p = exam_page(&state, &a, id, &errors).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "my_exams.html")]
struct MinePage {
    layout: Layout,
    exams: Vec<MyExam>,
}

impl MinePage {
    fn state_name(&self, s: &str) -> &'static str {
        self.layout.tr(&format!("exams.state_{s}"))
    }
}

pub async fn mine(State(state): State<AppState>, a: Auth) -> WebResult<Response> {
    let exams = exams::mine(&state.app, &a.ctx()).await?;
    Ok(render(&MinePage {
        layout: Layout::new(&a.rc, a.rc.lang.msg().exams_mine),
        exams,
    }))
}

pub async fn start(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Response> {
    let s = exams::start(&state.app, &a.ctx(), id).await?;
    Ok(Redirect::to(&format!("/sittings/{}", s.id)).into_response())
}

#[derive(Template)]
#[template(path = "sitting.html")]
struct SittingPage {
    layout: Layout,
    s: SittingView,
}

impl SittingPage {
    fn letters(&self, n: usize) -> Vec<(String, usize)> {
        (0..n)
            .map(|i| (((b'A' + i as u8) as char).to_string(), i))
            .collect()
    }
    fn picked(&self, saved: &Option<String>, letter: &str) -> bool {
        saved.as_deref().is_some_and(|s| s.contains(letter))
    }
    fn is(&self, k: &QuestionKind, name: &str) -> bool {
        k.as_str() == name
    }
}

pub async fn sitting(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Response> {
    let s = exams::sitting(&state.app, &a.ctx(), id).await?;
    Ok(render(&SittingPage {
        layout: Layout::new(&a.rc, &s.title),
        s,
    }))
}

pub async fn submit(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    exams::authorize_sitting(&state.app, &a.ctx(), id).await?;
    // A multiple-choice question sends one field per box ticked.
    let mut answers: HashMap<String, String> = HashMap::new();
    for (k, v) in f {
        if let Some(q) = k.strip_prefix("q_") {
            answers.entry(q.to_owned()).or_default().push_str(&v);
        }
    }
    exams::submit(&state.app, &a.ctx(), id, &answers).await?;
    Ok(Redirect::to(&format!("/sittings/{id}")).into_response())
}

/// Which unit's paper, for which round.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct PaperQuery {
    unit: Option<Id>,
    round: Option<i64>,
    done: Option<String>,
}

fn paper_params(f: &HashMap<String, String>) -> (Option<Id>, i64) {
    (
        f.get("unit").and_then(|u| u.parse().ok()),
        f.get("round").and_then(|r| r.parse().ok()).unwrap_or(1),
    )
}

#[derive(Template)]
#[template(path = "exam_paper.html")]
struct PaperPage {
    layout: Layout,
    p: PrintedPaper,
}

impl PaperPage {
    fn letters(&self, options: &[String]) -> Vec<(String, String)> {
        options
            .iter()
            .enumerate()
            .map(|(i, o)| (((b'A' + i as u8) as char).to_string(), o.clone()))
            .collect()
    }
    fn kind_name(&self, k: &QuestionKind) -> &'static str {
        match self.layout.lang {
            crate::i18n::Lang::Zh => k.label_zh(),
            crate::i18n::Lang::En => k.as_str(),
        }
    }
    fn answer(&self, k: &QuestionKind, a: &str) -> String {
        match (k, a) {
            (QuestionKind::TrueFalse, "true") => self.layout.t.exams_true.to_owned(),
            (QuestionKind::TrueFalse, "false") => self.layout.t.exams_false.to_owned(),
            _ => a.to_owned(),
        }
    }
}

/// A unit's paper to print: the paper, an answer sheet per sitter and the
/// marking key; or the button that draws it.
pub async fn paper(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Query(q): Query<PaperQuery>,
) -> WebResult<Response> {
    let p = paper::printed(&state.app, &a.ctx(), id, q.unit, q.round.unwrap_or(1)).await?;
    let layout = Layout::new(
        &a.rc,
        &format!("{} · {}", p.title, a.rc.lang.msg().exams_paper),
    )
    .notice(q.done.as_deref());
    Ok(render(&PaperPage { layout, p }))
}

pub async fn draw(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    let (unit, round) = paper_params(&f);
    paper::draw(&state.app, &a.ctx(), id, unit, round).await?;
    let unit = unit.map_or(String::new(), |u| format!("unit={u}&"));
    Ok(Redirect::to(&format!("/exams/{id}/paper?{unit}round={round}")).into_response())
}

#[derive(Template)]
#[template(path = "exam_marks.html")]
struct MarksPage {
    layout: Layout,
    s: MarkSheet,
    form: HashMap<String, String>,
    problems: Vec<String>,
}

impl MarksPage {
    fn value(&self, member: &Id, correct: &Option<i64>) -> String {
        self.form
            .get(&format!("correct_{member}"))
            .cloned()
            .unwrap_or_else(|| correct.map_or(String::new(), |c| c.to_string()))
    }
    fn sat_on(&self) -> &str {
        self.form
            .get("sat_on")
            .map_or(self.s.sat_on.as_str(), |v| v.as_str())
    }
}

async fn marks_page(
    state: &AppState,
    a: &Auth,
    id: Id,
    unit: Option<Id>,
    round: i64,
    form: HashMap<String, String>,
    errors: &[FieldError],
) -> WebResult<MarksPage> {
    let s = paper::sheet(&state.app, &a.ctx(), id, unit, round).await?;
    Ok(MarksPage {
        layout: Layout::new(
            &a.rc,
            &format!("{} · {}", s.title, a.rc.lang.msg().exams_marks),
        ),
        s,
        form,
        problems: errors
            .iter()
            .map(|e| crate::error::field_message(a.rc.lang, e))
            .collect(),
    })
}

pub async fn marks(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Query(q): Query<PaperQuery>,
) -> WebResult<Response> {
    let p = marks_page(
        &state,
        &a,
        id,
        q.unit,
        q.round.unwrap_or(1),
        HashMap::new(),
        &[],
    )
    .await?;
    Ok(render(&p))
}

/// Takes the marks form: one `correct_{member}` field per sitter, in the
/// sheet's order (so a refusal names the row the secretary sees).
pub async fn enter_marks(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let map: HashMap<String, String> = f.iter().cloned().collect();
    let (unit, round) = paper_params(&map);
    let mut bad = Vec::new();
    let marks: Vec<Mark> = f
        .iter()
        .filter_map(|(k, v)| {
            let member: Id = k.strip_prefix("correct_")?.parse().ok()?;
            let v = v.trim();
            let correct = if v.is_empty() {
                None
            } else {
                match v.parse() {
                    Ok(n) => Some(n),
                    Err(_) => {
                        bad.push(FieldError::new("marks", "not_a_number").with("value", v));
                        None
                    }
                }
            };
            Some(Mark { member, correct })
        })
        .collect();
    let input = MarksInput {
        unit,
        round,
        sat_on: map.get("sat_on").cloned().unwrap_or_default(),
        marks,
    };
    let r = if bad.is_empty() {
        paper::enter(&state.app, &a.ctx(), id, &input).await
    } else {
        Err(AppError::Invalid(bad))
    };
    match r {
        Ok(_) => {
            let unit = unit.map_or(String::new(), |u| format!("unit={u}&"));
            Ok(Redirect::to(&format!(
                "/exams/{id}/paper?{unit}round={round}&done=exams.marks_saved"
            ))
            .into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let p = marks_page(&state, &a, id, unit, round, map, &errors).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
        }
        Err(e) => Err(e.into()),
    }
}

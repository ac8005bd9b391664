//! The question bank's pages: the list with its workbook import, export and
//! template, and one question's form (add, edit, retire, restore).

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xueshi_app::AppError;
use xueshi_app::bank::{self, BankQuestion, QuestionInput};
use xueshi_domain::quiz::QuestionKind;
use xueshi_domain::{FieldError, Id};

use super::{FormErrors, Layout, Pager, render, render_status};
use crate::ctx::Auth;
use crate::download::xlsx;
use crate::error::WebResult;
use crate::import_report::FormulaNote;
use crate::import_report::{Problem, problems};
use crate::state::AppState;
use crate::upload::uploaded_file;

/// Letters of the options a form offers (A–H).
const LETTERS: [&str; 8] = ["A", "B", "C", "D", "E", "F", "G", "H"];

#[derive(Template)]
#[template(path = "questions.html")]
struct BankPage {
    layout: Layout,
    questions: Vec<BankQuestion>,
    total: i64,
    pager: Pager,
    problems: Vec<Problem>,
}

impl BankPage {
    fn question_kind(&self, k: &QuestionKind) -> &'static str {
        self.layout.tr(&format!("question_kind.{}", k.as_str()))
    }
}

#[derive(Deserialize, Default)]
pub struct BankQuery {
    #[serde(default)]
    page: i64,
    #[serde(default)]
    done: Option<String>,
}

async fn bank_page_with(
    state: &AppState,
    a: &Auth,
    page: i64,
    problems: Vec<Problem>,
) -> WebResult<BankPage> {
    let (questions, total) = bank::list(&state.app, &a.ctx(), page.max(0)).await?;
    Ok(BankPage {
        layout: Layout::new(&a.rc, a.rc.lang.msg().bank_title),
        questions,
        total,
        pager: Pager::new(page.max(0), total, 50, "/questions?".into()),
        problems,
    })
}

pub async fn list(
    State(state): State<AppState>,
    a: Auth,
    Query(q): Query<BankQuery>,
    Query(f): Query<FormulaNote>,
) -> WebResult<Response> {
    let mut p = bank_page_with(&state, &a, q.page, Vec::new()).await?;
    p.layout = p.layout.notice(q.done.as_deref()).formula_note(&f);
    Ok(render(&p))
}

pub async fn upload(
    State(state): State<AppState>,
    a: Auth,
    form: Multipart,
) -> WebResult<Response> {
    bank::authorize_manage(&a.ctx())?;
    let (name, bytes) = uploaded_file(form).await?;
    match bank::import(&state.app, &a.ctx(), &name, bytes).await {
        Ok(done) => Ok(Redirect::to(&format!(
            "/questions?done=bank.imported{}",
            FormulaNote::query(&done.formulas)
        ))
        .into_response()),
        Err(AppError::Rejected(rows)) => {
            let p = bank_page_with(&state, &a, 0, problems(a.rc.lang, &rows, 200)).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn export(State(state): State<AppState>, a: Auth) -> WebResult<Response> {
    let (name, bytes) = bank::export(&state.app, &a.ctx()).await?;
    Ok(xlsx(&name, bytes))
}

pub async fn template(a: Auth) -> WebResult<Response> {
    bank::authorize_manage(&a.ctx())?;
    Ok(xlsx("题库导入模板.xlsx", bank::template()?))
}

/// The question form as posted: options one field per letter.
#[derive(Deserialize, Default, Clone)]
pub struct QuestionForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    stem: String,
    #[serde(default)]
    option_a: String,
    #[serde(default)]
    option_b: String,
    #[serde(default)]
    option_c: String,
    #[serde(default)]
    option_d: String,
    #[serde(default)]
    option_e: String,
    #[serde(default)]
    option_f: String,
    #[serde(default)]
    option_g: String,
    #[serde(default)]
    option_h: String,
    #[serde(default)]
    answer: String,
    #[serde(default)]
    explanation: String,
    #[serde(default)]
    tags: String,
    #[serde(default)]
    difficulty: String,
}

impl QuestionForm {
    fn options(&self) -> [&String; 8] {
        [
            &self.option_a,
            &self.option_b,
            &self.option_c,
            &self.option_d,
            &self.option_e,
            &self.option_f,
            &self.option_g,
            &self.option_h,
        ]
    }

    /// The form's fields for the use-case; a difficulty that is not a whole
    /// number is reported on its field.
    fn input(&self) -> Result<QuestionInput, FieldError> {
        let difficulty =
            match self.difficulty.trim() {
                "" => None,
                d => Some(d.parse::<i64>().map_err(|_| {
                    FieldError::new("difficulty", "bad_difficulty").with("value", d)
                })?),
            };
        Ok(QuestionInput {
            kind: self.kind.clone(),
            stem: self.stem.clone(),
            options: self.options().iter().map(|o| o.to_string()).collect(),
            answer: self.answer.clone(),
            explanation: self.explanation.clone(),
            tags: self.tags.clone(),
            difficulty,
        })
    }

    fn of(q: &BankQuestion) -> QuestionForm {
        let opt = |i: usize| q.options.get(i).cloned().unwrap_or_default();
        QuestionForm {
            kind: q.kind.as_str().into(),
            stem: q.stem.clone(),
            option_a: opt(0),
            option_b: opt(1),
            option_c: opt(2),
            option_d: opt(3),
            option_e: opt(4),
            option_f: opt(5),
            option_g: opt(6),
            option_h: opt(7),
            answer: q.answer.clone(),
            explanation: q.explanation.clone(),
            tags: q.tags.clone(),
            difficulty: q.difficulty.to_string(),
        }
    }
}

#[derive(Template)]
#[template(path = "question_form.html")]
struct QuestionPage {
    layout: Layout,
    /// None for a new question.
    id: Option<Id>,
    active: bool,
    f: QuestionForm,
    errors: FormErrors,
}

impl QuestionPage {
    fn kinds(&self) -> Vec<(&'static str, &'static str)> {
        QuestionKind::ALL
            .iter()
            .map(|k| {
                (
                    k.as_str(),
                    self.layout.tr(&format!("question_kind.{}", k.as_str())),
                )
            })
            .collect()
    }
    fn option_rows(&self) -> Vec<(&'static str, String, String)> {
        LETTERS
            .iter()
            .zip(self.f.options())
            .map(|(l, v)| (*l, format!("option_{}", l.to_ascii_lowercase()), v.clone()))
            .collect()
    }
    fn action(&self) -> String {
        self.id
            .map_or_else(|| "/questions/add".into(), |id| format!("/questions/{id}"))
    }
}

fn question_page(
    a: &Auth,
    id: Option<Id>,
    active: bool,
    f: QuestionForm,
    errors: &[FieldError],
) -> QuestionPage {
    let t = a.rc.lang.msg();
    let title = if id.is_some() {
        t.bank_edit
    } else {
        t.bank_add
    };
    QuestionPage {
        layout: Layout::new(&a.rc, title),
        id,
        active,
        f,
        errors: FormErrors::new(a.rc.lang, errors),
    }
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
}

pub async fn new_form(a: Auth) -> WebResult<Response> {
    bank::authorize_manage(&a.ctx())?;
    let f = QuestionForm {
        kind: "single".into(),
        difficulty: "2".into(),
        ..QuestionForm::default()
    };
    Ok(render(&question_page(&a, None, true, f, &[])))
}

pub async fn add(
    State(state): State<AppState>,
    a: Auth,
    Form(f): Form<QuestionForm>,
) -> WebResult<Response> {
    bank::authorize_manage(&a.ctx())?;
    let result = match f.input() {
        Ok(input) => bank::add(&state.app, &a.ctx(), &input).await,
        Err(e) => Err(AppError::Invalid(vec![e])),
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/questions/{id}?done=bank.saved")).into_response()),
        Err(AppError::Invalid(errors)) => Ok(render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &question_page(&a, None, true, f, &errors),
        )),
        Err(e) => Err(e.into()),
    }
}

pub async fn show(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Query(q): Query<DoneQuery>,
) -> WebResult<Response> {
    let question = bank::get(&state.app, &a.ctx(), id).await?;
    let mut p = question_page(
        &a,
        Some(id),
        question.active,
        QuestionForm::of(&question),
        &[],
    );
    p.layout = p.layout.notice(q.done.as_deref());
    Ok(render(&p))
}

pub async fn edit(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<QuestionForm>,
) -> WebResult<Response> {
    let question = bank::get(&state.app, &a.ctx(), id).await?;
    let result = match f.input() {
        Ok(input) => bank::edit(&state.app, &a.ctx(), id, &input).await,
        Err(e) => Err(AppError::Invalid(vec![e])),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/questions/{id}?done=bank.saved")).into_response()),
        Err(AppError::Invalid(errors)) => Ok(render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &question_page(&a, Some(id), question.active, f, &errors),
        )),
        Err(e) => Err(e.into()),
    }
}

pub async fn retire(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Response> {
    bank::set_active(&state.app, &a.ctx(), id, false).await?;
    Ok(Redirect::to(&format!("/questions/{id}?done=bank.retired_done")).into_response())
}

pub async fn restore(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Response> {
    bank::set_active(&state.app, &a.ctx(), id, true).await?;
    Ok(Redirect::to(&format!("/questions/{id}?done=bank.restored")).into_response())
}

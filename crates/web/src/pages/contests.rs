//! Contests on pages: a unit's contests (its own and those it may enter)
//! with the form that starts one; a contest with the entry form, the
//! reader's level and the entries it may admit, the finalists with a
//! judge's score form, the judging and publishing forms, and the results.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use xueshi_app::AppError;
use xueshi_app::contests::{
    self, ContestInput, ContestKind, ContestView, EntryInput, ForwardInput, JudgingInput, Round,
    ScoreInput, UnitContests,
};
use xueshi_domain::Id;
use xueshi_domain::invalid::FieldError;

use super::home::Done;
use super::{FormErrors, Layout, render, render_status};
use crate::ctx::Auth;
use crate::error::{HttpError, WebResult};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "contests.html")]
struct ListPage {
    layout: Layout,
    l: UnitContests,
    kinds: Vec<ContestKind>,
    form: HashMap<String, String>,
    errors: FormErrors,
}

impl ListPage {
    fn get(&self, k: &str) -> &str {
        self.form.get(k).map_or("", |v| v.as_str())
    }
    fn kind_name(&self, k: &ContestKind) -> &'static str {
        self.layout.tr(&format!("contests.kind_{}", k.as_str()))
    }
    fn round_name(&self, r: &Round) -> &'static str {
        self.layout.tr(&format!("contests.round_{}", r.as_str()))
    }
}

async fn list_page(
    state: &AppState,
    a: &Auth,
    unit: Id,
    form: HashMap<String, String>,
    errors: &[FieldError],
) -> WebResult<ListPage> {
    let l = contests::of_unit(&state.app, &a.ctx(), unit).await?;
    Ok(ListPage {
        layout: Layout::new(
            &a.rc,
            &format!("{} · {}", l.unit.name, a.rc.lang.msg().contests_title),
        ),
        l,
        kinds: ContestKind::ALL.to_vec(),
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
    let form = HashMap::from([
        ("kind".to_owned(), "story".to_owned()),
        ("quota".to_owned(), "3".to_owned()),
        ("max_score".to_owned(), "100".to_owned()),
        (
            "entries_close".to_owned(),
            xueshi_app::plans::default_until(&state.app),
        ),
    ]);
    let mut p = list_page(&state, &a, unit, form, &[]).await?;
    p.layout = p.layout.notice(q.done());
    Ok(render(&p))
}

pub async fn create(
    State(state): State<AppState>,
    a: Auth,
    Path(unit): Path<Id>,
    Form(f): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    let get = |k: &str| f.get(k).map_or("", |v| v.trim()).to_owned();
    let mut bad = Vec::new();
    let mut number = |field: &'static str| -> Option<i64> {
        let raw = get(field);
        if raw.is_empty() {
            return None;
        }
        raw.parse()
            .map_err(|_| bad.push(FieldError::new(field, "not_a_number").with("value", &raw)))
            .ok()
    };
    let input = ContestInput {
        title: get("title"),
        kind: get("kind"),
        entries_close: get("entries_close"),
        quota: number("quota"),
        max_score: number("max_score"),
    };
    let r = if bad.is_empty() {
        contests::create(&state.app, &a.ctx(), unit, &input).await
    } else {
        Err(AppError::Invalid(bad))
    };
    match r {
        Ok(c) => Ok(Redirect::to(&format!("/contests/{c}?done=contests.saved")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let p = list_page(&state, &a, unit, f, &errors).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "contest.html")]
struct ContestPage {
    layout: Layout,
    c: ContestView,
    judge_choices: Vec<(Id, String)>,
    form: HashMap<String, String>,
    errors: FormErrors,
}

impl ContestPage {
    fn get(&self, k: &str) -> &str {
        self.form.get(k).map_or("", |v| v.as_str())
    }
    fn kind_name(&self) -> &'static str {
        self.layout
            .tr(&format!("contests.kind_{}", self.c.kind.as_str()))
    }
    fn round_name(&self) -> &'static str {
        self.layout
            .tr(&format!("contests.round_{}", self.c.round.as_str()))
    }
    fn score_of(&self, s: &Option<f64>) -> String {
        s.map(|v| v.to_string()).unwrap_or_default()
    }
    fn scoring(&self) -> bool {
        self.c.is_judge && self.c.round == Round::Judging
    }
}

async fn contest_page(
    state: &AppState,
    a: &Auth,
    id: Id,
    form: HashMap<String, String>,
    errors: &[FieldError],
) -> WebResult<ContestPage> {
    let ctx = a.ctx();
    let c = contests::get(&state.app, &ctx, id).await?;
    let judge_choices = if c.may_run && c.round == Round::Recommending {
        contests::judge_choices(&state.app, &ctx, id).await?
    } else {
        Vec::new()
    };
    Ok(ContestPage {
        layout: Layout::new(&a.rc, &c.title),
        c,
        judge_choices,
        form,
        errors: FormErrors::new(a.rc.lang, errors),
    })
}

pub async fn show(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Query(q): Query<Done>,
) -> WebResult<Response> {
    let mut p = contest_page(&state, &a, id, HashMap::new(), &[]).await?;
    p.layout = p.layout.notice(q.done());
    Ok(render(&p))
}

/// After a write: back to the contest, or the page again with what was
/// wrong.
async fn after(
    state: &AppState,
    a: &Auth,
    contest: Id,
    r: Result<(), AppError>,
    done: &str,
    form: HashMap<String, String>,
) -> WebResult<Response> {
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/contests/{contest}?done={done}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let p = contest_page(state, a, contest, form, &errors).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
        }
        Err(e) => Err(e.into()),
    }
}

/// An entry's multipart form: its fields, and what could not be read.
pub(crate) async fn read_entry(
    mut form: Multipart,
) -> Result<(EntryInput, Vec<FieldError>), HttpError> {
    let mut input = EntryInput::default();
    let mut errors = Vec::new();
    while let Some(mut field) = form
        .next_field()
        .await
        .map_err(|_| HttpError::bad_request())?
    {
        let name = field.name().unwrap_or("").to_owned();
        if name == "file" {
            let file_name: String = field
                .file_name()
                .unwrap_or("entry")
                .chars()
                .take(100)
                .collect();
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|_| HttpError::bad_request())? {
                bytes.extend_from_slice(&chunk);
                // Read no further than needed to refuse it by its size.
                if bytes.len() > xueshi_domain::task::MAX_FILE {
                    break;
                }
            }
            if !bytes.is_empty() {
                input.file = Some((file_name, bytes));
            }
            continue;
        }
        let text = field.text().await.map_err(|_| HttpError::bad_request())?;
        match name.as_str() {
            "title" => input.title = text,
            "presenter" => input.presenter = text,
            "link" => input.link = text,
            "unit" if !text.trim().is_empty() => match text.trim().parse::<Id>() {
                Ok(u) => input.unit = Some(u),
                Err(_) => {
                    errors.push(FieldError::new("unit", "bad_choice").with("value", text.trim()))
                }
            },
            _ => {}
        }
    }
    Ok((input, errors))
}

pub async fn submit(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> WebResult<Response> {
    contests::authorize_submit(&state.app, &a.ctx(), id).await?;
    let (input, bad) = read_entry(form.map_err(|_| HttpError::bad_request())?).await?;
    let kept = HashMap::from([
        ("title".to_owned(), input.title.clone()),
        ("presenter".to_owned(), input.presenter.clone()),
        ("link".to_owned(), input.link.clone()),
    ]);
    let r = if bad.is_empty() {
        contests::submit(&state.app, &a.ctx(), id, input)
            .await
            .map(|_| ())
    } else {
        Err(AppError::Invalid(bad))
    };
    after(&state, &a, id, r, "contests.entry_saved", kept).await
}

pub async fn forward(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let mut bad = Vec::new();
    let mut input = ForwardInput::default();
    for (k, v) in &f {
        match (k.as_str(), v.parse::<Id>()) {
            ("entry", Ok(e)) => input.entries.push(e),
            ("level", Ok(l)) => input.level = Some(l),
            ("entry" | "level", Err(_)) => {
                bad.push(FieldError::new("entries", "bad_choice").with("value", v))
            }
            _ => {}
        }
    }
    let r = if bad.is_empty() {
        contests::forward(&state.app, &a.ctx(), id, &input).await
    } else {
        Err(AppError::Invalid(bad))
    };
    after(&state, &a, id, r, "contests.forwarded", HashMap::new()).await
}

pub async fn withdraw(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Response> {
    let contest = contests::contest_of(&state.app, &a.ctx(), id).await?;
    let r = contests::withdraw(&state.app, &a.ctx(), id)
        .await
        .map(|_| ());
    after(&state, &a, contest, r, "contests.withdrawn", HashMap::new()).await
}

pub async fn start_judging(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let mut bad = Vec::new();
    let judges = f
        .iter()
        .filter(|(k, _)| k == "judge")
        .filter_map(|(_, v)| {
            v.parse::<Id>()
                .map_err(|_| bad.push(FieldError::new("judges", "bad_choice").with("value", v)))
                .ok()
        })
        .collect();
    let r = if bad.is_empty() {
        contests::start_judging(&state.app, &a.ctx(), id, &JudgingInput { judges }).await
    } else {
        Err(AppError::Invalid(bad))
    };
    after(
        &state,
        &a,
        id,
        r,
        "contests.judging_started",
        HashMap::new(),
    )
    .await
}

pub async fn publish(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Response> {
    let r = contests::publish(&state.app, &a.ctx(), id).await;
    after(&state, &a, id, r, "contests.published", HashMap::new()).await
}

pub async fn score(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    let contest = contests::contest_of(&state.app, &a.ctx(), id).await?;
    let raw = f.get("score").map_or("", |s| s.trim());
    let r = if raw.is_empty() {
        Err(AppError::invalid("score", "required"))
    } else {
        match raw.parse::<f64>() {
            Ok(s) => {
                contests::score(&state.app, &a.ctx(), id, &ScoreInput { score: Some(s) }).await
            }
            Err(_) => Err(FieldError::new("score", "not_a_number")
                .with("value", raw)
                .into()),
        }
    };
    let mut form = f;
    form.insert("scoring".into(), id.to_string());
    after(&state, &a, contest, r, "contests.scored", form).await
}

pub async fn file(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Response> {
    let (name, kind, bytes) = contests::entry_file(&state.app, &a.ctx(), id).await?;
    let disposition = format!(
        "attachment; filename=\"entry\"; filename*=UTF-8''{}",
        crate::ctx::urlencode(&name)
    );
    Ok((
        [
            (header::CONTENT_TYPE, kind),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

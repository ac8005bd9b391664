//! The study library pages: materials and 党史上的今天, the workbook import
//! with its problems by row and column, the export and the template, and
//! the forms for one material (add, edit, retire, restore) and one entry
//! (add, edit, remove).

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xueshi_app::AppError;
use xueshi_app::library::{self, HistoryDayInput, Library, MaterialInput};
use xueshi_domain::study::StudyKind;
use xueshi_domain::{FieldError, Id};

use super::{FormErrors, Layout, render, render_status};
use crate::ctx::Auth;
use crate::download::xlsx;
use crate::error::WebResult;
use crate::import_report::FormulaNote;
use crate::import_report::{Problem, problems};
use crate::state::AppState;
use crate::upload::uploaded_file;

#[derive(Template)]
#[template(path = "library.html")]
struct LibraryPage {
    layout: Layout,
    library: Library,
    problems: Vec<Problem>,
}

#[derive(Deserialize, Default)]
pub struct LibraryQuery {
    #[serde(default)]
    done: Option<String>,
}

async fn library_page(
    state: &AppState,
    a: &Auth,
    problems: Vec<Problem>,
) -> WebResult<LibraryPage> {
    Ok(LibraryPage {
        layout: Layout::new(&a.rc, a.rc.lang.msg().library_title),
        library: library::list(&state.app, &a.ctx()).await?,
        problems,
    })
}

pub async fn page(
    State(state): State<AppState>,
    a: Auth,
    Query(q): Query<LibraryQuery>,
    Query(f): Query<FormulaNote>,
) -> WebResult<Response> {
    let mut p = library_page(&state, &a, Vec::new()).await?;
    p.layout = p.layout.notice(q.done.as_deref()).formula_note(&f);
    Ok(render(&p))
}

pub async fn upload(
    State(state): State<AppState>,
    a: Auth,
    form: Multipart,
) -> WebResult<Response> {
    library::authorize_manage(&a.ctx())?;
    let (name, bytes) = uploaded_file(form).await?;
    match library::import(&state.app, &a.ctx(), &name, bytes).await {
        Ok(done) => Ok(Redirect::to(&format!(
            "/library?done=library.imported{}",
            FormulaNote::query(&done.formulas)
        ))
        .into_response()),
        Err(AppError::Rejected(rows)) => {
            let p = library_page(&state, &a, problems(a.rc.lang, &rows, 200)).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn export(State(state): State<AppState>, a: Auth) -> WebResult<Response> {
    let (name, bytes) = library::export(&state.app, &a.ctx()).await?;
    Ok(xlsx(&name, bytes))
}

pub async fn template(a: Auth) -> WebResult<Response> {
    library::authorize_manage(&a.ctx())?;
    Ok(xlsx("学习资料库导入模板.xlsx", library::template()?))
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
}

/// The material form as posted; minutes as typed.
#[derive(Deserialize, Default, Clone)]
pub struct MaterialForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    minutes: String,
    #[serde(default)]
    link: String,
    #[serde(default)]
    body: String,
}

/// A whole number typed in a form field, or its error on that field.
fn whole(raw: &str, field: &'static str) -> Result<Option<i64>, FieldError> {
    match raw.trim() {
        "" => Ok(None),
        n => n
            .parse()
            .map(Some)
            .map_err(|_| FieldError::new(field, "bad_number").with("value", n)),
    }
}

impl MaterialForm {
    fn input(&self) -> Result<MaterialInput, FieldError> {
        Ok(MaterialInput {
            kind: self.kind.clone(),
            title: self.title.clone(),
            source: self.source.clone(),
            minutes: whole(&self.minutes, "minutes")?,
            link: self.link.clone(),
            body: self.body.clone(),
        })
    }
}

#[derive(Template)]
#[template(path = "material_form.html")]
struct MaterialPage {
    layout: Layout,
    id: Option<Id>,
    active: bool,
    f: MaterialForm,
    errors: FormErrors,
}

impl MaterialPage {
    fn kinds(&self) -> Vec<(&'static str, &'static str)> {
        StudyKind::ALL
            .iter()
            .map(|k| {
                (
                    k.as_str(),
                    self.layout.tr(&format!("study_kind.{}", k.as_str())),
                )
            })
            .collect()
    }
    fn action(&self) -> String {
        self.id.map_or_else(
            || "/library/materials".into(),
            |id| format!("/library/materials/{id}"),
        )
    }
}

fn material_page(
    a: &Auth,
    id: Option<Id>,
    active: bool,
    f: MaterialForm,
    errors: &[FieldError],
) -> MaterialPage {
    let t = a.rc.lang.msg();
    MaterialPage {
        layout: Layout::new(
            &a.rc,
            if id.is_some() {
                t.library_material_edit
            } else {
                t.library_material_add
            },
        ),
        id,
        active,
        f,
        errors: FormErrors::new(a.rc.lang, errors),
    }
}

pub async fn new_material(a: Auth) -> WebResult<Response> {
    library::authorize_manage(&a.ctx())?;
    let f = MaterialForm {
        kind: StudyKind::Book.as_str().into(),
        ..MaterialForm::default()
    };
    Ok(render(&material_page(&a, None, true, f, &[])))
}

pub async fn add_material(
    State(state): State<AppState>,
    a: Auth,
    Form(f): Form<MaterialForm>,
) -> WebResult<Response> {
    library::authorize_manage(&a.ctx())?;
    let result = match f.input() {
        Ok(input) => library::add_material(&state.app, &a.ctx(), &input).await,
        Err(e) => Err(AppError::Invalid(vec![e])),
    };
    match result {
        Ok(_) => Ok(Redirect::to("/library?done=library.saved").into_response()),
        Err(AppError::Invalid(errors)) => Ok(render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &material_page(&a, None, true, f, &errors),
        )),
        Err(e) => Err(e.into()),
    }
}

pub async fn show_material(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Query(q): Query<DoneQuery>,
) -> WebResult<Response> {
    let m = library::material(&state.app, &a.ctx(), id).await?;
    let f = MaterialForm {
        kind: m.view.kind.as_str().into(),
        title: m.view.title,
        source: m.view.source,
        minutes: if m.view.minutes > 0 {
            m.view.minutes.to_string()
        } else {
            String::new()
        },
        link: m.view.link,
        body: m.body,
    };
    let mut p = material_page(&a, Some(id), m.view.active, f, &[]);
    p.layout = p.layout.notice(q.done.as_deref());
    Ok(render(&p))
}

pub async fn edit_material(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<MaterialForm>,
) -> WebResult<Response> {
    let m = library::material(&state.app, &a.ctx(), id).await?;
    let result = match f.input() {
        Ok(input) => library::edit_material(&state.app, &a.ctx(), id, &input).await,
        Err(e) => Err(AppError::Invalid(vec![e])),
    };
    match result {
        Ok(()) => Ok(
            Redirect::to(&format!("/library/materials/{id}?done=library.saved")).into_response(),
        ),
        Err(AppError::Invalid(errors)) => Ok(render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &material_page(&a, Some(id), m.view.active, f, &errors),
        )),
        Err(e) => Err(e.into()),
    }
}

pub async fn retire_material(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Response> {
    library::set_material_active(&state.app, &a.ctx(), id, false).await?;
    Ok(Redirect::to(&format!(
        "/library/materials/{id}?done=library.retired_done"
    ))
    .into_response())
}

pub async fn restore_material(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Response> {
    library::set_material_active(&state.app, &a.ctx(), id, true).await?;
    Ok(Redirect::to(&format!("/library/materials/{id}?done=library.restored")).into_response())
}

/// The 党史上的今天 form as posted.
#[derive(Deserialize, Default, Clone)]
pub struct HistoryForm {
    #[serde(default)]
    month: String,
    #[serde(default)]
    day: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
}

impl HistoryForm {
    fn input(&self) -> Result<HistoryDayInput, Vec<FieldError>> {
        let (month, day, year) = (
            whole(&self.month, "month"),
            whole(&self.day, "day"),
            whole(&self.year, "year"),
        );
        let bad: Vec<FieldError> = [&month, &day, &year]
            .into_iter()
            .filter_map(|r| r.as_ref().err().cloned())
            .collect();
        match (month, day, year) {
            (Ok(month), Ok(day), Ok(year)) => Ok(HistoryDayInput {
                month,
                day,
                year,
                title: self.title.clone(),
                body: self.body.clone(),
            }),
            _ => Err(bad),
        }
    }
}

#[derive(Template)]
#[template(path = "history_form.html")]
struct HistoryPage {
    layout: Layout,
    id: Option<Id>,
    f: HistoryForm,
    errors: FormErrors,
}

impl HistoryPage {
    fn action(&self) -> String {
        self.id.map_or_else(
            || "/library/history".into(),
            |id| format!("/library/history/{id}"),
        )
    }
}

fn history_page(a: &Auth, id: Option<Id>, f: HistoryForm, errors: &[FieldError]) -> HistoryPage {
    let t = a.rc.lang.msg();
    HistoryPage {
        layout: Layout::new(
            &a.rc,
            if id.is_some() {
                t.library_history_edit
            } else {
                t.library_history_add
            },
        ),
        id,
        f,
        errors: FormErrors::new(a.rc.lang, errors),
    }
}

pub async fn new_history(a: Auth) -> WebResult<Response> {
    library::authorize_manage(&a.ctx())?;
    Ok(render(&history_page(&a, None, HistoryForm::default(), &[])))
}

async fn save_history(
    state: &AppState,
    a: &Auth,
    id: Option<Id>,
    f: HistoryForm,
) -> WebResult<Response> {
    let result = match f.input() {
        Ok(input) => library::save_history_day(&state.app, &a.ctx(), id, &input).await,
        Err(e) => Err(AppError::Invalid(e)),
    };
    match result {
        Ok(_) => Ok(Redirect::to("/library?done=library.saved").into_response()),
        Err(AppError::Invalid(errors)) => Ok(render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &history_page(a, id, f, &errors),
        )),
        Err(e) => Err(e.into()),
    }
}

pub async fn add_history(
    State(state): State<AppState>,
    a: Auth,
    Form(f): Form<HistoryForm>,
) -> WebResult<Response> {
    library::authorize_manage(&a.ctx())?;
    save_history(&state, &a, None, f).await
}

pub async fn show_history(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Response> {
    let h = library::history_day(&state.app, &a.ctx(), id).await?;
    let f = HistoryForm {
        month: h.month.to_string(),
        day: h.day.to_string(),
        year: h.year.to_string(),
        title: h.title,
        body: h.body,
    };
    Ok(render(&history_page(&a, Some(id), f, &[])))
}

pub async fn edit_history(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<HistoryForm>,
) -> WebResult<Response> {
    library::history_day(&state.app, &a.ctx(), id).await?;
    save_history(&state, &a, Some(id), f).await
}

pub async fn delete_history(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Response> {
    library::delete_history_day(&state.app, &a.ctx(), id).await?;
    Ok(Redirect::to("/library?done=library.deleted").into_response())
}

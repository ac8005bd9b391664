//! A unit's page and the forms that change units.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xueshi_app::AppError;
use xueshi_app::members::MemberView;
use xueshi_app::organs::OrganView;
use xueshi_app::tree::{self, UnitDetail, UnitInput};
use xueshi_domain::Id;
use xueshi_domain::unit::UnitKind;

use super::{FormErrors, Layout, Pager, render, render_status};
use crate::ctx::Auth;
use crate::error::WebResult;
use crate::state::AppState;

const PER_PAGE: i64 = 50;

#[derive(Template)]
#[template(path = "unit.html")]
struct UnitPage {
    layout: Layout,
    d: UnitDetail,
    members: Vec<MemberView>,
    pager: Pager,
    covering: Vec<(OrganView, bool)>,
}

#[derive(Deserialize, Default)]
pub struct UnitQuery {
    #[serde(default)]
    page: i64,
    #[serde(default)]
    done: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Query(q): Query<UnitQuery>,
) -> WebResult<Response> {
    let ctx = a.ctx();
    let d = tree::detail(&state.app, &ctx, id).await?;
    let (members, total) = if d.may.view_members {
        xueshi_app::members::in_unit(&state.app, &ctx, id, q.page.max(0), PER_PAGE).await?
    } else {
        (Vec::new(), 0)
    };
    let covering = xueshi_app::organs::covering(&state.app, &ctx, id).await?;
    let layout = Layout::new(&a.rc, &d.unit.name).notice(q.done.as_deref());
    let pager = Pager::new(q.page.max(0), total, PER_PAGE, format!("/units/{id}?"));
    Ok(render(&UnitPage {
        layout,
        d,
        members,
        pager,
        covering,
    }))
}

#[derive(Template)]
#[template(path = "unit_form.html")]
struct UnitForm {
    layout: Layout,
    action: String,
    parent_name: String,
    input: UnitInput,
    kinds: Vec<UnitKind>,
    errors: FormErrors,
}

impl UnitForm {
    fn selected(&self, k: &UnitKind) -> bool {
        UnitKind::parse(&self.input.kind) == Some(*k)
    }
}

#[derive(Deserialize)]
pub struct UnitFormData {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    sort_order: String,
}

impl UnitFormData {
    fn input(self) -> Result<UnitInput, AppError> {
        let sort_order = match self.sort_order.trim() {
            "" => None,
            s => Some(
                s.parse()
                    .map_err(|_| AppError::invalid("sort_order", "bad_number"))?,
            ),
        };
        Ok(UnitInput {
            code: self.code,
            name: self.name,
            kind: self.kind,
            sort_order,
        })
    }
}

fn form_page(
    a: &Auth,
    title: &str,
    action: String,
    parent_name: String,
    input: UnitInput,
    errors: &[xueshi_domain::FieldError],
) -> UnitForm {
    UnitForm {
        layout: Layout::new(&a.rc, title),
        action,
        parent_name,
        input,
        kinds: UnitKind::ALL.to_vec(),
        errors: FormErrors::new(a.rc.lang, errors),
    }
}

pub async fn new_form(
    State(state): State<AppState>,
    a: Auth,
    Path(parent): Path<Id>,
) -> WebResult<Response> {
    let d = tree::detail(&state.app, &a.ctx(), parent).await?;
    let kind = UnitKind::ALL
        .into_iter()
        .find(|k| d.unit.kind.may_contain(*k))
        .map(|k| k.as_str())
        .unwrap_or("branch");
    let input = UnitInput {
        kind: kind.into(),
        ..Default::default()
    };
    let t = a.rc.lang.msg();
    Ok(render(&form_page(
        &a,
        t.unit_add_child,
        format!("/units/{parent}/children"),
        d.unit.name,
        input,
        &[],
    )))
}

pub async fn create(
    State(state): State<AppState>,
    a: Auth,
    Path(parent): Path<Id>,
    Form(f): Form<UnitFormData>,
) -> WebResult<Response> {
    let t = a.rc.lang.msg();
    let raw = UnitInput {
        code: f.code.clone(),
        name: f.name.clone(),
        kind: f.kind.clone(),
        sort_order: None,
    };
    let result = match f.input() {
        Ok(input) => tree::create(&state.app, &a.ctx(), parent, &input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(u) => Ok(Redirect::to(&format!("/units/{}?done=unit.saved", u.id)).into_response()),
        Err(AppError::Invalid(errors)) => {
            let d = tree::detail(&state.app, &a.ctx(), parent).await?;
            let page = form_page(
                &a,
                t.unit_add_child,
                format!("/units/{parent}/children"),
                d.unit.name,
                raw,
                &errors,
            );
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Response> {
    let d = tree::detail(&state.app, &a.ctx(), id).await?;
    let u = &d.unit;
    let input = UnitInput {
        code: u.code.clone(),
        name: u.name.clone(),
        kind: u.kind.as_str().into(),
        sort_order: Some(u.sort_order),
    };
    let parent = d
        .ancestors
        .last()
        .map(|c| c.name.clone())
        .unwrap_or_default();
    Ok(render(&form_page(
        &a,
        a.rc.lang.msg().unit_edit,
        format!("/units/{id}"),
        parent,
        input,
        &[],
    )))
}

pub async fn update(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<UnitFormData>,
) -> WebResult<Response> {
    let raw = UnitInput {
        code: f.code.clone(),
        name: f.name.clone(),
        kind: f.kind.clone(),
        sort_order: None,
    };
    let result = match f.input() {
        Ok(input) => tree::update(&state.app, &a.ctx(), id, &input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/units/{id}?done=unit.saved")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let page = form_page(
                &a,
                a.rc.lang.msg().unit_edit,
                format!("/units/{id}"),
                String::new(),
                raw,
                &errors,
            );
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "unit_move.html")]
struct MoveForm {
    layout: Layout,
    d: UnitDetail,
    parent_code: String,
    errors: FormErrors,
}

pub async fn move_form(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Response> {
    let d = tree::detail(&state.app, &a.ctx(), id).await?;
    Ok(render(&MoveForm {
        layout: Layout::new(&a.rc, a.rc.lang.msg().unit_move),
        d,
        parent_code: String::new(),
        errors: FormErrors::default(),
    }))
}

#[derive(Deserialize)]
pub struct MoveData {
    #[serde(default)]
    parent_code: String,
}

pub async fn move_submit(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<MoveData>,
) -> WebResult<Response> {
    let ctx = a.ctx();
    let result = match tree::by_code(&state.app, &ctx, &f.parent_code).await {
        Ok(parent) => tree::move_unit(&state.app, &ctx, id, parent.id).await,
        Err(AppError::Invalid(e)) => Err(AppError::Invalid(
            e.into_iter()
                .map(|mut x| {
                    x.field = "parent";
                    x
                })
                .collect(),
        )),
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/units/{id}?done=unit.saved")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let d = tree::detail(&state.app, &ctx, id).await?;
            let page = MoveForm {
                layout: Layout::new(&a.rc, a.rc.lang.msg().unit_move),
                d,
                parent_code: f.parent_code,
                errors: FormErrors::new(a.rc.lang, &errors),
            };
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn delete(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Response> {
    let ctx = a.ctx();
    let d = tree::detail(&state.app, &ctx, id).await?;
    tree::delete(&state.app, &ctx, id).await?;
    let back = d
        .ancestors
        .last()
        .map(|c| format!("/units/{}?done=unit.saved", c.id))
        .unwrap_or_else(|| "/home".into());
    Ok(Redirect::to(&back).into_response())
}

#[derive(Deserialize)]
pub struct ExportData {
    #[serde(default)]
    unmasked: Option<String>,
}

/// Starts an export of the unit's roster; the job page offers the file.
pub async fn export(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<ExportData>,
) -> WebResult<Response> {
    let job =
        xueshi_app::roster::start_export(&state.app, &a.ctx(), id, f.unmasked.is_some()).await?;
    Ok(Redirect::to(&format!("/jobs/{}", job.id)).into_response())
}

//! Members' accounts of a unit: making them in one go, printing the login
//! slips (a page laid out for A4, and a workbook), and putting one member
//! back on a fresh slip.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use xueshi_app::AppError;
use xueshi_app::member_accounts::{self, Issued, Slip, UsernameScheme};
use xueshi_domain::Id;

use super::{FormErrors, Layout, render, render_status};
use crate::ctx::Auth;
use crate::download::xlsx;
use crate::error::WebResult;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "member_accounts.html")]
struct AccountsPage {
    layout: Layout,
    unit: Id,
    unit_name: String,
    issued: Option<Issued>,
    errors: FormErrors,
}

async fn unit_name(state: &AppState, a: &Auth, unit: Id) -> WebResult<String> {
    Ok(xueshi_app::tree::detail(&state.app, &a.ctx(), unit)
        .await?
        .unit
        .name)
}

pub async fn show(
    State(state): State<AppState>,
    a: Auth,
    Path(unit): Path<Id>,
) -> WebResult<Response> {
    xueshi_app::permit::allow_in_scope(&a.ctx(), xueshi_domain::access::Action::ManageAccounts)?;
    let unit_name = unit_name(&state, &a, unit).await?;
    Ok(render(&AccountsPage {
        layout: Layout::new(&a.rc, a.rc.lang.msg().member_accounts_title),
        unit,
        unit_name,
        issued: None,
        errors: FormErrors::default(),
    }))
}

#[derive(Deserialize)]
pub struct IssueData {
    #[serde(default)]
    scheme: String,
}

pub async fn issue(
    State(state): State<AppState>,
    a: Auth,
    Path(unit): Path<Id>,
    Form(f): Form<IssueData>,
) -> WebResult<Response> {
    let result = match UsernameScheme::parse(&f.scheme) {
        Some(scheme) => member_accounts::issue(&state.app, &a.ctx(), unit, scheme).await,
        None => Err(AppError::invalid("scheme", "bad_choice")),
    };
    let (issued, errors, status) = match result {
        Ok(i) => (Some(i), Vec::new(), StatusCode::OK),
        Err(AppError::Invalid(e)) => (None, e, StatusCode::UNPROCESSABLE_ENTITY),
        Err(e) => return Err(e.into()),
    };
    let unit_name = unit_name(&state, &a, unit).await?;
    Ok(render_status(
        status,
        &AccountsPage {
            layout: Layout::new(&a.rc, a.rc.lang.msg().member_accounts_title),
            unit,
            unit_name,
            issued,
            errors: FormErrors::new(a.rc.lang, &errors),
        },
    ))
}

#[derive(Template)]
#[template(path = "login_slips.html")]
struct SlipsPage {
    layout: Layout,
    unit: Id,
    slips: Vec<Slip>,
    /// Where the installation is reached, printed on each slip.
    origin: String,
}

pub async fn slips(
    State(state): State<AppState>,
    a: Auth,
    Path(unit): Path<Id>,
    headers: axum::http::HeaderMap,
) -> WebResult<Response> {
    let slips = member_accounts::slips(&state.app, &a.ctx(), unit).await?;
    Ok(render(&SlipsPage {
        layout: Layout::new(&a.rc, a.rc.lang.msg().slips_title),
        unit,
        slips,
        origin: a.rc.origin(&headers),
    }))
}

pub async fn slips_workbook(
    State(state): State<AppState>,
    a: Auth,
    Path(unit): Path<Id>,
) -> WebResult<Response> {
    let (name, bytes) = member_accounts::slips_workbook(&state.app, &a.ctx(), unit).await?;
    Ok(xlsx(&name, bytes))
}

/// A forgotten password: a fresh slip, printed at once.
pub async fn reset(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    headers: axum::http::HeaderMap,
) -> WebResult<Response> {
    let slip = member_accounts::reset_to_slip(&state.app, &a.ctx(), id).await?;
    Ok(render(&SlipsPage {
        layout: Layout::new(&a.rc, a.rc.lang.msg().slips_title),
        unit: slip.unit,
        slips: vec![slip],
        origin: a.rc.origin(&headers),
    }))
}

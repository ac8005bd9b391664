//! Accounts inside one's scope: create, unlock, reset, disable.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xueshi_app::AppError;
use xueshi_app::accounts::{self, AccountView, NewAccountInput};
use xueshi_domain::Id;
use xueshi_domain::access::Role;

use super::{FormErrors, Layout, render, render_status};
use crate::ctx::Auth;
use crate::error::WebResult;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "accounts.html")]
struct AccountsPage {
    layout: Layout,
    accounts: Vec<AccountView>,
    roles: Vec<Role>,
    may_grant_unmask: bool,
    errors: FormErrors,
    now: i64,
}

impl AccountsPage {
    fn locked(&self, a: &AccountView) -> bool {
        a.locked_until.is_some_and(|u| u > self.now)
    }
}

async fn page(
    state: &AppState,
    a: &Auth,
    errors: FormErrors,
    done: Option<&str>,
) -> WebResult<AccountsPage> {
    let accounts = accounts::list(&state.app, &a.ctx()).await?;
    let actor = &a.session.actor;
    Ok(AccountsPage {
        layout: Layout::new(&a.rc, a.rc.lang.msg().accounts_title).notice(done),
        accounts,
        roles: Role::ALL
            .into_iter()
            .filter(|r| actor.role.may_grant(*r))
            .collect(),
        may_grant_unmask: actor.can_unmask,
        errors,
        now: state.app.now(),
    })
}

pub async fn list(
    State(state): State<AppState>,
    a: Auth,
    Query(q): Query<super::home::Done>,
) -> WebResult<Response> {
    Ok(render(
        &page(&state, &a, FormErrors::default(), q.done()).await?,
    ))
}

#[derive(Deserialize)]
pub struct CreateData {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    scope_code: String,
    #[serde(default)]
    can_unmask: Option<String>,
    /// The ID number of the member the account is for, if any.
    #[serde(default)]
    member_id_number: String,
}

pub async fn create(
    State(state): State<AppState>,
    a: Auth,
    Form(f): Form<CreateData>,
) -> WebResult<Response> {
    let member_id = match f.member_id_number.trim() {
        "" => None,
        raw => match xueshi_app::member_accounts::member_by_id_number(&state.app, raw).await {
            Ok(Some(m)) => Some(m),
            // Unknown and malformed alike: the use-case names the field.
            Ok(None) | Err(AppError::Invalid(_)) => Some(Id(0)),
            Err(e) => return Err(e.into()),
        },
    };
    let input = NewAccountInput {
        username: f.username,
        display_name: f.display_name,
        password: f.password,
        role: f.role,
        scope_unit: None,
        scope_code: f.scope_code,
        member_id,
        can_unmask: f.can_unmask.is_some(),
    };
    match accounts::create(&state.app, &a.ctx(), input).await {
        Ok(_) => Ok(Redirect::to("/accounts?done=unit.saved").into_response()),
        Err(AppError::Invalid(errors)) => {
            let p = page(&state, &a, FormErrors::new(a.rc.lang, &errors), None).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn unlock(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Response> {
    accounts::unlock(&state.app, &a.ctx(), id).await?;
    Ok(Redirect::to("/accounts?done=unit.saved").into_response())
}

#[derive(Deserialize)]
pub struct ResetData {
    #[serde(default)]
    password: String,
}

pub async fn reset(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<ResetData>,
) -> WebResult<Response> {
    accounts::reset_password(&state.app, &a.ctx(), id, f.password).await?;
    Ok(Redirect::to("/accounts?done=password.changed").into_response())
}

pub async fn disable(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Response> {
    accounts::set_disabled(&state.app, &a.ctx(), id, true).await?;
    Ok(Redirect::to("/accounts?done=unit.saved").into_response())
}

pub async fn enable(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Response> {
    accounts::set_disabled(&state.app, &a.ctx(), id, false).await?;
    Ok(Redirect::to("/accounts?done=unit.saved").into_response())
}

//! A member's page and the forms that change members.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xueshi_app::members::{self, MemberView, Unmasked};
use xueshi_app::tree::{self, Permissions};
use xueshi_app::{AppError, accounts};
use xueshi_domain::Id;
use xueshi_domain::member::{CadreLevel, Gender, MemberInput, MemberStatus};

use super::{FormErrors, Layout, render, render_status};
use crate::ctx::Auth;
use crate::error::WebResult;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "member.html")]
struct MemberPage {
    layout: Layout,
    m: MemberView,
    may: Permissions,
    unmasked: Option<Unmasked>,
    left_note: Option<String>,
    /// The member's account, shown to those who manage accounts.
    account: Option<accounts::AccountView>,
}

async fn page(
    state: &AppState,
    a: &Auth,
    id: Id,
    unmasked: Option<Unmasked>,
) -> WebResult<MemberPage> {
    let ctx = a.ctx();
    let m = members::get(&state.app, &ctx, id).await?;
    let path = accounts::unit_path(&state.app, m.unit_id).await?;
    let may = Permissions::of(&ctx.actor, &path);
    let t = a.rc.lang.msg();
    let left_note = m.left_at.map(|at| {
        crate::i18n::fill(
            t.member_left,
            &[
                ("at", xueshi_app::clock::format_ms(at)),
                ("reason", m.left_reason.clone().unwrap_or_default()),
            ],
        )
    });
    let account = if may.manage_accounts {
        xueshi_app::member_accounts::of_member(&state.app, id).await?
    } else {
        None
    };
    Ok(MemberPage {
        layout: Layout::new(&a.rc, &m.name),
        m,
        may,
        unmasked,
        left_note,
        account,
    })
}

pub async fn show(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Response> {
    Ok(render(&page(&state, &a, id, None).await?))
}

/// Shows the whole numbers once, on this response only; audited.
pub async fn unmask(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Response> {
    let u = members::unmask(&state.app, &a.ctx(), id).await?;
    Ok(render(&page(&state, &a, id, Some(u)).await?))
}

#[derive(Template)]
#[template(path = "member_form.html")]
struct MemberForm {
    layout: Layout,
    action: String,
    unit_name: String,
    input: MemberInput,
    editing: bool,
    errors: FormErrors,
}

impl MemberForm {
    fn genders(&self) -> [(&'static str, &'static str); 2] {
        [
            (Gender::Male.as_str(), self.layout.t.gender_male),
            (Gender::Female.as_str(), self.layout.t.gender_female),
        ]
    }
    fn statuses(&self) -> [(&'static str, &'static str); 2] {
        [
            (MemberStatus::Formal.as_str(), self.layout.t.status_formal),
            (
                MemberStatus::Probationary.as_str(),
                self.layout.t.status_probationary,
            ),
        ]
    }
    fn cadres(&self) -> [(&'static str, &'static str); 3] {
        [
            (CadreLevel::Ordinary.as_str(), self.layout.t.cadre_ordinary),
            (CadreLevel::Section.as_str(), self.layout.t.cadre_section),
            (CadreLevel::Leader.as_str(), self.layout.t.cadre_leader),
        ]
    }
    fn is(&self, current: &str, value: &&str) -> bool {
        current == *value
    }
}

pub async fn new_form(
    State(state): State<AppState>,
    a: Auth,
    Path(unit): Path<Id>,
) -> WebResult<Response> {
    let d = tree::detail(&state.app, &a.ctx(), unit).await?;
    let input = MemberInput {
        status: MemberStatus::Formal.as_str().into(),
        cadre_level: CadreLevel::Ordinary.as_str().into(),
        ..Default::default()
    };
    let t = a.rc.lang.msg();
    Ok(render(&MemberForm {
        layout: Layout::new(&a.rc, t.member_new),
        action: format!("/units/{unit}/members"),
        unit_name: d.unit.name,
        input,
        editing: false,
        errors: FormErrors::default(),
    }))
}

pub async fn create(
    State(state): State<AppState>,
    a: Auth,
    Path(unit): Path<Id>,
    Form(input): Form<MemberInput>,
) -> WebResult<Response> {
    match members::create(&state.app, &a.ctx(), unit, &input).await {
        Ok(m) => Ok(Redirect::to(&format!("/members/{}", m.id)).into_response()),
        Err(AppError::Invalid(errors)) => {
            let d = tree::detail(&state.app, &a.ctx(), unit).await?;
            let t = a.rc.lang.msg();
            let page = MemberForm {
                layout: Layout::new(&a.rc, t.member_new),
                action: format!("/units/{unit}/members"),
                unit_name: d.unit.name,
                input,
                editing: false,
                errors: FormErrors::new(a.rc.lang, &errors),
            };
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
    let m = members::get(&state.app, &a.ctx(), id).await?;
    let t = a.rc.lang.msg();
    Ok(render(&MemberForm {
        layout: Layout::new(&a.rc, t.member_edit),
        action: format!("/members/{id}"),
        unit_name: m.unit_name.clone(),
        input: members::input_of(&m),
        editing: true,
        errors: FormErrors::default(),
    }))
}

pub async fn update(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(input): Form<MemberInput>,
) -> WebResult<Response> {
    match members::update(&state.app, &a.ctx(), id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/members/{id}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let m = members::get(&state.app, &a.ctx(), id).await?;
            let t = a.rc.lang.msg();
            let page = MemberForm {
                layout: Layout::new(&a.rc, t.member_edit),
                action: format!("/members/{id}"),
                unit_name: m.unit_name,
                input,
                editing: true,
                errors: FormErrors::new(a.rc.lang, &errors),
            };
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "member_transfer.html")]
struct TransferForm {
    layout: Layout,
    m: MemberView,
    unit_code: String,
    errors: FormErrors,
}

pub async fn transfer_form(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Response> {
    let m = members::get(&state.app, &a.ctx(), id).await?;
    Ok(render(&TransferForm {
        layout: Layout::new(&a.rc, a.rc.lang.msg().member_transfer),
        m,
        unit_code: String::new(),
        errors: FormErrors::default(),
    }))
}

#[derive(Deserialize)]
pub struct TransferData {
    #[serde(default)]
    unit_code: String,
}

pub async fn transfer(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<TransferData>,
) -> WebResult<Response> {
    let ctx = a.ctx();
    match members::transfer_to_code(&state.app, &ctx, id, &f.unit_code).await {
        Ok(_) => Ok(Redirect::to(&format!("/members/{id}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let m = members::get(&state.app, &ctx, id).await?;
            let page = TransferForm {
                layout: Layout::new(&a.rc, a.rc.lang.msg().member_transfer),
                m,
                unit_code: f.unit_code,
                errors: FormErrors::new(a.rc.lang, &errors),
            };
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct LeaveData {
    #[serde(default)]
    reason: String,
}

pub async fn leave(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<LeaveData>,
) -> WebResult<Response> {
    members::leave(&state.app, &a.ctx(), id, &f.reason).await?;
    Ok(Redirect::to(&format!("/members/{id}")).into_response())
}

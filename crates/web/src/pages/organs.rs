//! The campaign's organs: list, set up, people, slices.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xueshi_app::members::MemberView;
use xueshi_app::organs::{self, OrganInput, OrganView, PersonInput};
use xueshi_app::tree;
use xueshi_domain::Id;
use xueshi_domain::access::{Action, role_allows};
use xueshi_domain::organ::OrganKind;

use super::{Layout, render};
use crate::ctx::Auth;
use crate::error::WebResult;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "organs.html")]
struct OrgansPage {
    layout: Layout,
    organs: Vec<OrganView>,
    kinds: Vec<OrganKind>,
    may_manage: bool,
}

impl OrgansPage {
    fn children(&self, parent: &Id) -> Vec<&OrganView> {
        self.organs
            .iter()
            .filter(|o| o.parent_id == Some(*parent))
            .collect()
    }
    fn tops(&self) -> Vec<&OrganView> {
        self.organs
            .iter()
            .filter(|o| o.parent_id.is_none())
            .collect()
    }
    fn parents(&self) -> Vec<&OrganView> {
        self.organs
            .iter()
            .filter(|o| matches!(o.kind, OrganKind::LeadingGroup | OrganKind::LectureTeam))
            .collect()
    }
}

pub async fn list(
    State(state): State<AppState>,
    a: Auth,
    Query(q): Query<super::home::Done>,
) -> WebResult<Response> {
    let organs = organs::list(&state.app, &a.ctx()).await?;
    let may_manage = role_allows(a.session.actor.role, Action::ManageOrgans);
    let layout = Layout::new(&a.rc, a.rc.lang.msg().organs_title).notice(q.done());
    Ok(render(&OrgansPage {
        layout,
        organs,
        kinds: OrganKind::ALL.to_vec(),
        may_manage,
    }))
}

#[derive(Deserialize)]
pub struct CreateData {
    #[serde(default)]
    unit_code: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    duties: String,
    #[serde(default)]
    parent_id: String,
}

pub async fn create(
    State(state): State<AppState>,
    a: Auth,
    Form(f): Form<CreateData>,
) -> WebResult<Response> {
    let ctx = a.ctx();
    let unit = tree::by_code(&state.app, &ctx, &f.unit_code).await?;
    let parent_id = f.parent_id.trim().parse().ok();
    let o = organs::create(
        &state.app,
        &ctx,
        unit.id,
        &OrganInput {
            kind: f.kind,
            name: f.name,
            duties: f.duties,
            parent_id,
        },
    )
    .await?;
    Ok(Redirect::to(&format!("/organs/{}", o.id)).into_response())
}

#[derive(Template)]
#[template(path = "organ.html")]
struct OrganPage {
    layout: Layout,
    o: OrganView,
    find: String,
    found: Vec<MemberView>,
    may_manage: bool,
}

#[derive(Deserialize, Default)]
pub struct OrganQuery {
    #[serde(default)]
    find: String,
}

pub async fn show(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Query(q): Query<OrganQuery>,
) -> WebResult<Response> {
    let ctx = a.ctx();
    let o = organs::get(&state.app, &ctx, id).await?;
    let may_manage = tree::detail(&state.app, &ctx, o.unit_id)
        .await
        .map(|d| d.may.manage_organs)
        .unwrap_or(false);
    let find = q.find.trim().chars().take(30).collect::<String>();
    let found = if may_manage && !find.is_empty() {
        xueshi_app::members::search(&state.app, &ctx, &find, 20).await?
    } else {
        Vec::new()
    };
    Ok(render(&OrganPage {
        layout: Layout::new(&a.rc, &o.name),
        o,
        find,
        found,
        may_manage,
    }))
}

#[derive(Deserialize)]
pub struct UpdateData {
    #[serde(default)]
    name: String,
    #[serde(default)]
    duties: String,
}

pub async fn update(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<UpdateData>,
) -> WebResult<Response> {
    organs::update(
        &state.app,
        &a.ctx(),
        id,
        &OrganInput {
            name: f.name,
            duties: f.duties,
            ..Default::default()
        },
    )
    .await?;
    Ok(Redirect::to(&format!("/organs/{id}")).into_response())
}

pub async fn delete(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
) -> WebResult<Response> {
    organs::delete(&state.app, &a.ctx(), id).await?;
    Ok(Redirect::to("/organs?done=unit.saved").into_response())
}

#[derive(Deserialize)]
pub struct PersonData {
    #[serde(default)]
    member_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    post: String,
    #[serde(default)]
    affiliation: String,
}

pub async fn add_person(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<PersonData>,
) -> WebResult<Response> {
    let input = PersonInput {
        member_id: f.member_id.trim().parse().ok(),
        name: f.name,
        post: f.post,
        affiliation: f.affiliation,
    };
    organs::add_person(&state.app, &a.ctx(), id, &input).await?;
    Ok(Redirect::to(&format!("/organs/{id}")).into_response())
}

pub async fn remove_person(
    State(state): State<AppState>,
    a: Auth,
    Path((id, person)): Path<(Id, Id)>,
) -> WebResult<Response> {
    organs::remove_person(&state.app, &a.ctx(), id, person).await?;
    Ok(Redirect::to(&format!("/organs/{id}")).into_response())
}

#[derive(Deserialize)]
pub struct SliceData {
    #[serde(default)]
    unit_code: String,
}

pub async fn assign(
    State(state): State<AppState>,
    a: Auth,
    Path(id): Path<Id>,
    Form(f): Form<SliceData>,
) -> WebResult<Response> {
    let ctx = a.ctx();
    let unit = tree::by_code(&state.app, &ctx, &f.unit_code).await?;
    organs::assign(&state.app, &ctx, id, &[unit.id]).await?;
    Ok(Redirect::to(&format!("/organs/{id}")).into_response())
}

pub async fn unassign(
    State(state): State<AppState>,
    a: Auth,
    Path((id, unit)): Path<(Id, Id)>,
) -> WebResult<Response> {
    organs::unassign(&state.app, &a.ctx(), id, unit).await?;
    Ok(Redirect::to(&format!("/organs/{id}")).into_response())
}

//! The campaign's organs: leading group, office, working groups, guidance
//! groups with their slices (分片包干), lecture teams and sub-teams.

use serde::{Deserialize, Serialize};
use xueshi_domain::access::Action;
use xueshi_domain::organ::{OrganDraft, OrganKind, OrganPersonDraft};
use xueshi_domain::{FieldError, Id};
use xueshi_store::organs::{self, OrganPersonRow, OrganRow};
use xueshi_store::units;

use crate::audit::{Audited, Entry};
use crate::permit::{Allowed, allow, allow_in_scope, may};
use crate::tree::{Crumb, load, load_allowed};
use crate::{App, AppError, AppResult, Ctx};

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PersonView {
    pub id: Id,
    pub member_id: Option<Id>,
    pub name: String,
    pub post: String,
    pub affiliation: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct OrganView {
    pub id: Id,
    pub unit_id: Id,
    pub parent_id: Option<Id>,
    pub kind: OrganKind,
    pub name: String,
    pub duties: String,
    pub people: Vec<PersonView>,
    /// The units it covers, for guidance groups and lecture teams.
    pub slice: Vec<Crumb>,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct OrganInput {
    pub kind: String,
    pub name: String,
    #[serde(default)]
    pub duties: String,
    pub parent_id: Option<Id>,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct PersonInput {
    pub member_id: Option<Id>,
    #[serde(default)]
    pub name: String,
    pub post: String,
    #[serde(default)]
    pub affiliation: String,
}

fn kind_of(o: &OrganRow) -> OrganKind {
    OrganKind::parse(&o.kind).unwrap_or(OrganKind::WorkingGroup)
}

async fn view(conn: &mut sqlx::AnyConnection, o: &OrganRow) -> AppResult<OrganView> {
    let people = organs::people(conn, o.id)
        .await?
        .into_iter()
        .map(|p| PersonView {
            id: Id(p.id),
            member_id: p.member_id.map(Id),
            name: p.name,
            post: p.post,
            affiliation: p.affiliation,
        })
        .collect();
    let slice = organs::slice(conn, o.id)
        .await?
        .into_iter()
        .map(|u| Crumb {
            id: u.id(),
            name: u.name,
        })
        .collect();
    Ok(OrganView {
        id: Id(o.id),
        unit_id: Id(o.unit_id),
        parent_id: o.parent_id.map(Id),
        kind: kind_of(o),
        name: o.name.clone(),
        duties: o.duties.clone(),
        people,
        slice,
    })
}

/// Loads an organ and checks the actor may do `action` on its owning unit.
async fn load_organ<'a>(
    app: &App,
    ctx: &'a Ctx,
    id: Id,
    action: Action,
) -> AppResult<(OrganRow, Allowed<'a>)> {
    let mut conn = app.store().read().await?;
    let o = organs::get(&mut conn, id.0)
        .await?
        .ok_or(AppError::NotFound)?;
    let u = units::get(&mut conn, o.unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let allowed = allow(ctx, action, &u.path())?;
    Ok((o, allowed))
}

/// Organs set up anywhere in the actor's subtree, with people and slices.
pub async fn list(app: &App, ctx: &Ctx) -> AppResult<Vec<OrganView>> {
    allow_in_scope(ctx, Action::ViewOrgans)?;
    let mut conn = app.store().read().await?;
    let (lo, hi) = ctx.actor.scope.subtree_range();
    let rows = organs::in_subtree(&mut conn, &lo, &hi).await?;
    let mut out = Vec::with_capacity(rows.len());
    for o in &rows {
        out.push(view(&mut conn, o).await?);
    }
    Ok(out)
}

pub async fn get(app: &App, ctx: &Ctx, id: Id) -> AppResult<OrganView> {
    let (o, _) = load_organ(app, ctx, id, Action::ViewOrgans).await?;
    let mut conn = app.store().read().await?;
    view(&mut conn, &o).await
}

/// Guidance groups and lecture teams whose slice holds this unit or one of
/// its ancestors, each with whether the actor may open it (one set up above
/// the actor's scope is named, not offered as a link).
pub async fn covering(app: &App, ctx: &Ctx, unit: Id) -> AppResult<Vec<(OrganView, bool)>> {
    let u = load(app, ctx, unit, Action::ViewTree).await?;
    let ids: Vec<i64> = u.path().ids().into_iter().map(|i| i.0).collect();
    let mut conn = app.store().read().await?;
    let mut out = Vec::new();
    for kind in [
        OrganKind::GuidanceGroup,
        OrganKind::LectureSubteam,
        OrganKind::LectureTeam,
    ] {
        for o in organs::covering(&mut conn, &ids, kind.as_str()).await? {
            let may_open = match units::get(&mut conn, o.unit_id).await? {
                Some(owner) => may(ctx, Action::ViewOrgans, &owner.path()),
                None => false,
            };
            let v = OrganView {
                people: Vec::new(),
                slice: Vec::new(),
                ..view(&mut conn, &o).await?
            };
            out.push((v, may_open));
        }
    }
    Ok(out)
}

/// Sets up an organ under a unit (and under a parent organ where its kind
/// needs one).
pub async fn create(app: &App, ctx: &Ctx, unit: Id, input: &OrganInput) -> AppResult<OrganView> {
    let draft =
        OrganDraft::parse(&input.kind, &input.name, &input.duties).map_err(AppError::Invalid)?;
    let (_, allowed) = load_allowed(app, ctx, unit, Action::ManageOrgans).await?;
    let mut conn = app.store().read().await?;
    let parent = match input.parent_id {
        Some(p) => Some(
            organs::get(&mut conn, p.0)
                .await?
                .ok_or_else(|| AppError::invalid("parent_id", "unknown_organ"))?,
        ),
        None => None,
    };
    drop(conn);
    match (draft.kind.parent_kind(), &parent) {
        (Some(want), Some(p)) if kind_of(p) == want && p.unit_id == unit.0 => {}
        (None, None) => {}
        _ => return Err(AppError::invalid("parent_id", "organ_parent_mismatch")),
    }
    let now = app.now();
    let row = OrganRow {
        id: app.next_id().0,
        unit_id: unit.0,
        parent_id: parent.map(|p| p.id),
        kind: draft.kind.as_str().into(),
        name: draft.name.clone(),
        duties: draft.duties.clone(),
        sort_order: now,
        created_at: now,
        updated_at: now,
    };
    let mut tx = Audited::begin(app, allowed).await?;
    organs::insert(&mut tx, &row).await?;
    let v = view(&mut tx, &row).await?;
    tx.commit(
        Entry::new("organ.create", "organ", Some(v.id), &v.name)
            .unit(unit)
            .after(&v),
    )
    .await?;
    Ok(v)
}

pub async fn update(app: &App, ctx: &Ctx, id: Id, input: &OrganInput) -> AppResult<OrganView> {
    let (o, allowed) = load_organ(app, ctx, id, Action::ManageOrgans).await?;
    let draft = OrganDraft::parse(kind_of(&o).as_str(), &input.name, &input.duties)
        .map_err(AppError::Invalid)?;
    let mut tx = Audited::begin(app, allowed).await?;
    organs::update(&mut tx, o.id, &draft.name, &draft.duties, app.now()).await?;
    let e = Entry::new("organ.update", "organ", Some(id), &draft.name)
        .unit(Id(o.unit_id))
        .before(&serde_json::json!({ "name": o.name, "duties": o.duties }))
        .after(&serde_json::json!({ "name": draft.name, "duties": draft.duties }));
    let row = organs::get(&mut tx, o.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let v = view(&mut tx, &row).await?;
    tx.commit(e).await?;
    Ok(v)
}

/// Dissolves an organ that has no sub-organs.
pub async fn delete(app: &App, ctx: &Ctx, id: Id) -> AppResult<()> {
    let (o, allowed) = load_organ(app, ctx, id, Action::ManageOrgans).await?;
    let mut tx = Audited::begin(app, allowed).await?;
    if organs::count_children(&mut tx, o.id).await? > 0 {
        return Err(AppError::invalid("organ", "organ_has_children"));
    }
    let before = view(&mut tx, &o).await?;
    organs::delete(&mut tx, o.id).await?;
    tx.commit(
        Entry::new("organ.delete", "organ", Some(id), &o.name)
            .unit(Id(o.unit_id))
            .before(&before),
    )
    .await?;
    Ok(())
}

/// Puts a person on an organ: a member from the organ's subtree, or someone
/// from outside the roster.
pub async fn add_person(
    app: &App,
    ctx: &Ctx,
    organ: Id,
    input: &PersonInput,
) -> AppResult<PersonView> {
    let (o, allowed) = load_organ(app, ctx, organ, Action::ManageOrgans).await?;
    let mut conn = app.store().read().await?;
    let name = match input.member_id {
        Some(mid) => {
            let m = xueshi_store::members::get(&mut conn, mid.0)
                .await?
                .ok_or_else(|| AppError::invalid("member_id", "unknown_member"))?;
            let mu = units::get(&mut conn, m.unit_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let ou = units::get(&mut conn, o.unit_id)
                .await?
                .ok_or(AppError::NotFound)?;
            if !mu.path().is_within(&ou.path()) {
                return Err(AppError::invalid("member_id", "member_outside_organ"));
            }
            allow(ctx, Action::ViewMembers, &mu.path())?;
            m.name
        }
        None => input.name.clone(),
    };
    drop(conn);
    let draft = OrganPersonDraft::parse(&name, &input.post, &input.affiliation)
        .map_err(AppError::Invalid)?;
    let now = app.now();
    let row = OrganPersonRow {
        id: app.next_id().0,
        organ_id: o.id,
        member_id: input.member_id.map(|m| m.0),
        name: draft.name,
        post: draft.post,
        affiliation: draft.affiliation,
        sort_order: now,
        created_at: now,
    };
    let mut tx = Audited::begin(app, allowed).await?;
    organs::add_person(&mut tx, &row).await.map_err(|e| {
        if xueshi_store::is_unique_violation(&e) {
            AppError::invalid("member_id", "already_on_organ")
        } else {
            e.into()
        }
    })?;
    let v = PersonView {
        id: Id(row.id),
        member_id: row.member_id.map(Id),
        name: row.name.clone(),
        post: row.post.clone(),
        affiliation: row.affiliation.clone(),
    };
    let label = format!("{} · {}", o.name, v.name);
    tx.commit(
        Entry::new("organ.person.add", "organ", Some(organ), &label)
            .unit(Id(o.unit_id))
            .after(&v),
    )
    .await?;
    Ok(v)
}

pub async fn remove_person(app: &App, ctx: &Ctx, organ: Id, person: Id) -> AppResult<()> {
    let (o, allowed) = load_organ(app, ctx, organ, Action::ManageOrgans).await?;
    let mut tx = Audited::begin(app, allowed).await?;
    let p = organs::get_person(&mut tx, person.0)
        .await?
        .filter(|p| p.organ_id == o.id)
        .ok_or(AppError::NotFound)?;
    organs::remove_person(&mut tx, p.id).await?;
    let label = format!("{} · {}", o.name, p.name);
    let before = serde_json::json!({ "name": p.name, "post": p.post });
    tx.commit(
        Entry::new("organ.person.remove", "organ", Some(organ), &label)
            .unit(Id(o.unit_id))
            .before(&before),
    )
    .await?;
    Ok(())
}

/// Adds units to an organ's slice; each must lie under the organ's unit.
pub async fn assign(app: &App, ctx: &Ctx, organ: Id, unit_ids: &[Id]) -> AppResult<OrganView> {
    let (o, allowed) = load_organ(app, ctx, organ, Action::ManageOrgans).await?;
    if !kind_of(&o).has_slice() {
        return Err(AppError::invalid("organ", "organ_has_no_slice"));
    }
    let mut conn = app.store().read().await?;
    let owner = units::get(&mut conn, o.unit_id)
        .await?
        .ok_or(AppError::NotFound)?
        .path();
    let ids: Vec<i64> = unit_ids.iter().map(|i| i.0).collect();
    let found = units::by_ids(&mut conn, &ids).await?;
    drop(conn);
    if found.len() != ids.len() || found.iter().any(|u| !u.path().is_within(&owner)) {
        return Err(AppError::Invalid(vec![FieldError::new(
            "units",
            "unit_outside_organ",
        )]));
    }
    let mut tx = Audited::begin(app, allowed).await?;
    organs::assign_units(&mut tx, o.id, &ids).await?;
    let names: Vec<&str> = found.iter().map(|u| u.name.as_str()).collect();
    let v = view(&mut tx, &o).await?;
    tx.commit(
        Entry::new("organ.assign", "organ", Some(organ), &o.name)
            .unit(Id(o.unit_id))
            .after(&names),
    )
    .await?;
    Ok(v)
}

pub async fn unassign(app: &App, ctx: &Ctx, organ: Id, unit: Id) -> AppResult<()> {
    let (o, allowed) = load_organ(app, ctx, organ, Action::ManageOrgans).await?;
    let mut tx = Audited::begin(app, allowed).await?;
    organs::unassign_unit(&mut tx, o.id, unit.0).await?;
    tx.commit(
        Entry::new("organ.unassign", "organ", Some(organ), &o.name)
            .unit(Id(o.unit_id))
            .before(&unit),
    )
    .await?;
    Ok(())
}

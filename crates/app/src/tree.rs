//! The organisation tree: browsing, searching, and changing units while
//! keeping every ancestor's tally true.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use xueshi_domain::Id;
use xueshi_domain::access::Action;
use xueshi_domain::tally::Tally;
use xueshi_domain::text::{fold, plan_search};
use xueshi_domain::unit::{UnitDraft, UnitKind, UnitPath};
use xueshi_store::units::{self, NewUnit, UnitRow};
use xueshi_store::{grams, tallies};

use crate::audit::{Audited, Entry};
use crate::permit::{Allowed, allow, allow_in_scope, allow_restructure, allow_shell};
use crate::{App, AppError, AppResult, Ctx};

/// A unit with its subtree tally.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct UnitView {
    pub id: Id,
    pub parent_id: Option<Id>,
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    pub depth: i64,
    pub sort_order: i64,
    pub tally: Tally,
}

impl UnitView {
    fn of(row: &UnitRow, tally: Tally) -> UnitView {
        UnitView {
            id: row.id(),
            parent_id: row.parent_id.map(Id),
            code: row.code.clone(),
            name: row.name.clone(),
            kind: row.kind(),
            depth: row.depth,
            sort_order: row.sort_order,
            tally,
        }
    }
}

/// One step of the way from the actor's scope down to a unit.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Crumb {
    pub id: Id,
    pub name: String,
}

/// A unit with where it sits and what lies directly under it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct UnitDetail {
    pub unit: UnitView,
    /// From the actor's scope root down to the parent.
    pub ancestors: Vec<Crumb>,
    pub children: Vec<UnitView>,
    /// Members registered directly in this unit.
    pub direct_members: i64,
    /// What the actor may do here, for offering only what will work.
    pub may: Permissions,
}

/// The actions open to an actor on one unit.
#[derive(Clone, Copy, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct Permissions {
    pub edit_units: bool,
    pub restructure: bool,
    pub view_members: bool,
    pub edit_members: bool,
    pub export: bool,
    pub unmask: bool,
    pub manage_organs: bool,
    /// The unit's study figures (学习统计) and its matters board.
    pub view_study: bool,
    pub view_matters: bool,
    pub read_briefings: bool,
    /// Members' accounts and login slips (账号开通).
    pub manage_accounts: bool,
}

impl Permissions {
    pub fn of(actor: &xueshi_domain::access::Actor, path: &UnitPath) -> Permissions {
        let can = |a| xueshi_domain::access::authorize(actor, a, path).is_ok();
        Permissions {
            edit_units: can(Action::EditUnits),
            view_study: can(Action::ViewStudy) && actor.role != xueshi_domain::access::Role::Member,
            view_matters: can(Action::ViewMatters),
            read_briefings: can(Action::ReadBriefings),
            manage_accounts: can(Action::ManageAccounts),
            restructure: xueshi_domain::access::authorize_restructure(actor, path, None).is_ok(),
            view_members: can(Action::ViewMembers),
            edit_members: can(Action::EditMembers),
            export: can(Action::ExportRoster),
            unmask: can(Action::UnmaskPii),
            manage_organs: can(Action::ManageOrgans),
        }
    }
}

/// Input for creating or editing a unit.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct UnitInput {
    pub code: String,
    pub name: String,
    pub kind: String,
    #[serde(default)]
    pub sort_order: Option<i64>,
}

/// Every ancestor's (and the unit's own) tally changes by `delta`.
pub(crate) fn along(path: &UnitPath, delta: Tally, into: &mut HashMap<Id, Tally>) {
    for id in path.ids() {
        *into.entry(id).or_default() += delta;
    }
}

/// Loads a unit and checks the actor may do `action` there.
pub(crate) async fn load(app: &App, ctx: &Ctx, id: Id, action: Action) -> AppResult<UnitRow> {
    Ok(load_allowed(app, ctx, id, action).await?.0)
}

/// A unit the actor may do `action` on, with the proof, for a use-case
/// that goes on to write.
pub(crate) async fn load_allowed<'a>(
    app: &App,
    ctx: &'a Ctx,
    id: Id,
    action: Action,
) -> AppResult<(UnitRow, Allowed<'a>)> {
    let mut conn = app.store().read().await?;
    let row = units::get(&mut conn, id.0)
        .await?
        .ok_or(AppError::NotFound)?;
    let allowed = allow(ctx, action, &row.path())?;
    Ok((row, allowed))
}

/// A unit, its place in the actor's view of the tree, and its children.
pub async fn detail(app: &App, ctx: &Ctx, id: Id) -> AppResult<UnitDetail> {
    let row = load(app, ctx, id, Action::ViewTree).await?;
    let mut conn = app.store().read().await?;
    let path = row.path();
    let scope_depth = ctx.actor.scope.depth() as usize;
    let up: Vec<i64> = path
        .ids()
        .into_iter()
        .skip(scope_depth)
        .map(|i| i.0)
        .filter(|i| *i != row.id)
        .collect();
    let mut by_id: HashMap<i64, UnitRow> = units::by_ids(&mut conn, &up)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let ancestors = up
        .iter()
        .filter_map(|i| by_id.remove(i))
        .map(|u| Crumb {
            id: u.id(),
            name: u.name,
        })
        .collect();
    let kids = units::children(&mut conn, row.id).await?;
    let ids: Vec<i64> = kids.iter().map(|k| k.id).chain([row.id]).collect();
    let t = tallies::get_many(&mut conn, &ids).await?;
    let children = kids
        .iter()
        .map(|k| UnitView::of(k, t.get(&k.id).copied().unwrap_or_default()))
        .collect();
    let direct_members = xueshi_store::members::count_in_unit(&mut conn, row.id).await?;
    Ok(UnitDetail {
        unit: UnitView::of(&row, t.get(&row.id).copied().unwrap_or_default()),
        ancestors,
        children,
        direct_members,
        may: Permissions::of(&ctx.actor, &path),
    })
}

/// The actor's scope root with its tally and children: the home page.
pub async fn overview(app: &App, ctx: &Ctx) -> AppResult<UnitDetail> {
    detail(app, ctx, ctx.actor.scope_unit).await
}

/// The subtree tally of a unit, read from one row.
pub async fn tally(app: &App, ctx: &Ctx, id: Id) -> AppResult<Tally> {
    load(app, ctx, id, Action::ViewTree).await?;
    let mut conn = app.store().read().await?;
    Ok(tallies::get(&mut conn, id.0).await?)
}

/// Units whose name matches, inside the actor's subtree.
pub async fn search(app: &App, ctx: &Ctx, query: &str, limit: i64) -> AppResult<Vec<UnitView>> {
    allow_in_scope(ctx, Action::ViewTree)?;
    let mut conn = app.store().read().await?;
    let rows = units::search(
        &mut conn,
        &plan_search(query),
        &ctx.actor.scope,
        limit.clamp(1, 200),
    )
    .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let t = tallies::get_many(&mut conn, &ids).await?;
    Ok(rows
        .iter()
        .map(|r| UnitView::of(r, t.get(&r.id).copied().unwrap_or_default()))
        .collect())
}

fn invalid_code(e: sqlx::Error) -> AppError {
    if xueshi_store::is_unique_violation(&e) {
        AppError::invalid("code", "taken")
    } else {
        e.into()
    }
}

/// A unit found by its code, inside the actor's view.
pub async fn by_code(app: &App, ctx: &Ctx, code: &str) -> AppResult<UnitView> {
    let mut conn = app.store().read().await?;
    let row = units::get_by_code(&mut conn, code.trim())
        .await?
        .ok_or_else(|| AppError::invalid("code", "unknown_unit"))?;
    allow(ctx, Action::ViewTree, &row.path())?;
    let t = tallies::get(&mut conn, row.id).await?;
    Ok(UnitView::of(&row, t))
}

/// Creates the root of the tree (the committee that runs the campaign).
/// Only for set-up from the command line or the demo.
pub async fn create_root(app: &App, draft: &UnitDraft) -> AppResult<(Id, UnitPath)> {
    let id = app.next_id();
    let path = UnitPath::root(id);
    let ctx = Ctx::system(&path);
    let mut tx = Audited::begin(app, allow_shell(&ctx)?).await?;
    insert(&mut tx, app, id, None, &path, draft).await?;
    tx.commit(
        Entry::new("unit.create", "unit", Some(id), &draft.name)
            .unit(id)
            .after(draft),
    )
    .await?;
    crate::matters::add_default_fields(app).await?;
    crate::tasks::ensure_kinds(app).await?;
    Ok((id, path))
}

async fn insert(
    conn: &mut sqlx::AnyConnection,
    app: &App,
    id: Id,
    parent: Option<Id>,
    path: &UnitPath,
    draft: &UnitDraft,
) -> AppResult<()> {
    let folded = fold(&draft.name);
    units::insert(
        conn,
        &NewUnit {
            id: id.0,
            parent_id: parent.map(|p| p.0),
            path: path.as_str(),
            depth: path.depth(),
            kind: draft.kind.as_str(),
            code: &draft.code,
            name: &draft.name,
            name_folded: &folded,
            sort_order: draft.sort_order,
            now: app.now(),
        },
    )
    .await
    .map_err(invalid_code)?;
    grams::replace(conn, grams::Indexed::Unit, id.0, &folded).await?;
    let mut deltas = HashMap::new();
    along(path, Tally::of_unit(draft.kind), &mut deltas);
    tallies::add(conn, &deltas).await?;
    Ok(())
}

/// Creates a unit under `parent`.
pub async fn create(app: &App, ctx: &Ctx, parent: Id, input: &UnitInput) -> AppResult<UnitView> {
    let draft = UnitDraft::parse(&input.code, &input.name, &input.kind, input.sort_order)
        .map_err(AppError::Invalid)?;
    let (parent_row, allowed) = load_allowed(app, ctx, parent, Action::EditUnits).await?;
    if !parent_row.kind().may_contain(draft.kind) {
        return Err(AppError::invalid("kind", "kind_not_allowed_here"));
    }
    let id = app.next_id();
    let path = parent_row.path().child(id);
    let mut tx = Audited::begin(app, allowed).await?;
    insert(&mut tx, app, id, Some(parent), &path, &draft).await?;
    crate::tasks::assign_new_units(app, &mut tx, &[(id, &path, draft.kind)]).await?;
    let row = units::get(&mut tx, id.0).await?.ok_or(AppError::NotFound)?;
    let t = tallies::get(&mut tx, id.0).await?;
    tx.commit(
        Entry::new("unit.create", "unit", Some(id), &draft.name)
            .unit(id)
            .after(&draft),
    )
    .await?;
    Ok(UnitView::of(&row, t))
}

/// Renames, re-codes or re-kinds a unit.
pub async fn update(app: &App, ctx: &Ctx, id: Id, input: &UnitInput) -> AppResult<UnitView> {
    let draft = UnitDraft::parse(&input.code, &input.name, &input.kind, input.sort_order)
        .map_err(AppError::Invalid)?;
    let (row, allowed) = load_allowed(app, ctx, id, Action::EditUnits).await?;
    let mut tx = Audited::begin(app, allowed).await?;
    let old_kind = row.kind();
    if draft.kind != old_kind {
        if let Some(pid) = row.parent_id
            && let Some(parent) = units::get(&mut tx, pid).await?
            && !parent.kind().may_contain(draft.kind)
        {
            return Err(AppError::invalid("kind", "kind_not_allowed_here"));
        }
        let kids = units::children(&mut tx, row.id).await?;
        if kids.iter().any(|k| !draft.kind.may_contain(k.kind())) {
            return Err(AppError::invalid("kind", "kind_children_conflict"));
        }
        if !draft.kind.holds_members()
            && xueshi_store::members::count_in_unit(&mut tx, row.id).await? > 0
        {
            return Err(AppError::invalid("kind", "kind_members_conflict"));
        }
        let mut deltas = HashMap::new();
        along(&row.path(), Tally::of_unit(draft.kind), &mut deltas);
        along(&row.path(), -Tally::of_unit(old_kind), &mut deltas);
        tallies::add(&mut tx, &deltas).await?;
    }
    let folded = fold(&draft.name);
    units::update(
        &mut tx,
        row.id,
        &units::UnitEdit {
            code: &draft.code,
            name: &draft.name,
            name_folded: &folded,
            kind: draft.kind.as_str(),
            sort_order: draft.sort_order,
        },
        app.now(),
    )
    .await
    .map_err(invalid_code)?;
    grams::replace(&mut tx, grams::Indexed::Unit, row.id, &folded).await?;
    let before = UnitDraft {
        code: row.code.clone(),
        name: row.name.clone(),
        kind: old_kind,
        sort_order: row.sort_order,
    };
    let row = units::get(&mut tx, id.0).await?.ok_or(AppError::NotFound)?;
    let t = tallies::get(&mut tx, id.0).await?;
    tx.commit(
        Entry::new("unit.update", "unit", Some(id), &draft.name)
            .unit(id)
            .before(&before)
            .after(&draft),
    )
    .await?;
    Ok(UnitView::of(&row, t))
}

/// Moves a unit and everything under it beneath a new parent.
pub async fn move_unit(app: &App, ctx: &Ctx, id: Id, new_parent: Id) -> AppResult<UnitView> {
    let mut conn = app.store().read().await?;
    let row = units::get(&mut conn, id.0)
        .await?
        .ok_or(AppError::NotFound)?;
    let parent = units::get(&mut conn, new_parent.0)
        .await?
        .ok_or_else(|| AppError::invalid("parent", "unknown_unit"))?;
    drop(conn);
    let (old, target) = (row.path(), parent.path());
    let allowed = allow_restructure(ctx, &old, Some(&target))?;
    if target.is_within(&old) {
        return Err(AppError::invalid("parent", "move_into_own_subtree"));
    }
    if !parent.kind().may_contain(row.kind()) {
        return Err(AppError::invalid("parent", "kind_not_allowed_here"));
    }
    if row.parent_id == Some(parent.id) {
        return Err(AppError::invalid("parent", "already_there"));
    }
    let mut tx = Audited::begin(app, allowed).await?;
    let subtree = tallies::get(&mut tx, row.id).await?;
    let mut deltas = HashMap::new();
    if let Some(p) = old.parent() {
        along(&p, -subtree, &mut deltas);
    }
    along(&target, subtree, &mut deltas);
    tallies::add(&mut tx, &deltas).await?;
    crate::tasks::move_counters(&mut tx, id, old.parent().as_ref(), &target).await?;
    units::move_subtree(&mut tx, row.id, &old, Some((parent.id, &target)), app.now()).await?;
    let e = Entry::new("unit.move", "unit", Some(id), &row.name)
        .unit(id)
        .before(&serde_json::json!({ "parent_id": row.parent_id.map(Id) }))
        .after(&serde_json::json!({ "parent_id": Id(parent.id), "parent": parent.name }));
    let moved = units::get(&mut tx, id.0).await?.ok_or(AppError::NotFound)?;
    tx.commit(e).await?;
    app.placement().changed();
    app.catalogue_changed();
    app.sessions().clear();
    Ok(UnitView::of(&moved, subtree))
}

/// Deletes an empty unit: no sub-units, no member records, no accounts, no
/// organs. Its assignments to organs' slices go with it.
pub async fn delete(app: &App, ctx: &Ctx, id: Id) -> AppResult<()> {
    let mut conn = app.store().read().await?;
    let row = units::get(&mut conn, id.0)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(conn);
    let allowed = allow_restructure(ctx, &row.path(), None)?;
    let mut tx = Audited::begin(app, allowed).await?;
    let blockers = units::dependants(&mut tx, row.id).await?;
    if let Some(code) = blockers {
        return Err(AppError::invalid("unit", code));
    }
    let mut deltas = HashMap::new();
    along(&row.path(), -Tally::of_unit(row.kind()), &mut deltas);
    deltas.remove(&row.id());
    tallies::add(&mut tx, &deltas).await?;
    units::delete(&mut tx, row.id).await?;
    let before = UnitDraft {
        code: row.code.clone(),
        name: row.name.clone(),
        kind: row.kind(),
        sort_order: row.sort_order,
    };
    let e = Entry::new("unit.delete", "unit", Some(id), &row.name).before(&before);
    let e = match row.parent_id {
        Some(p) => e.unit(Id(p)),
        None => e,
    };
    tx.commit(e).await?;
    app.placement().changed();
    app.catalogue_changed();
    app.sessions().clear();
    Ok(())
}

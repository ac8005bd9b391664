//! Members: the roster of each unit, with personal numbers sealed and shown
//! masked; unmasking is a permission of its own and always audited.

use std::collections::HashMap;

use serde::Serialize;
use xueshi_domain::access::Action;
use xueshi_domain::member::{CadreLevel, Gender, MemberDraft, MemberInput, MemberStatus};
use xueshi_domain::tally::Tally;
use xueshi_domain::text::{fold, plan_search};
use xueshi_domain::{Id, date::iso};
use xueshi_store::members::{self, MemberRow, MemberUpdate, NewMember};
use xueshi_store::tallies;
use xueshi_store::units::{self, UnitRow};

use crate::audit::{Audited, Entry, record_denied};
use crate::permit::{Allowed, allow, allow_in_scope};
use crate::tree::{along, load};
use crate::{App, AppError, AppResult, Ctx, Vault};

/// A member as every page shows one: personal numbers masked.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MemberView {
    pub id: Id,
    pub unit_id: Id,
    pub unit_name: String,
    pub name: String,
    pub gender: Gender,
    pub birth_date: Option<String>,
    pub join_date: Option<String>,
    pub status: MemberStatus,
    pub cadre_level: CadreLevel,
    pub position: String,
    pub phone: Option<String>,
    pub id_number: Option<String>,
    pub left_at: Option<i64>,
    pub left_reason: Option<String>,
}

impl MemberView {
    pub(crate) fn of(m: &MemberRow, unit_name: &str) -> MemberView {
        MemberView {
            id: m.id(),
            unit_id: Id(m.unit_id),
            unit_name: unit_name.to_owned(),
            name: m.name.clone(),
            gender: m.gender(),
            birth_date: m.birth_date.clone(),
            join_date: m.join_date.clone(),
            status: m.status(),
            cadre_level: m.cadre_level(),
            position: m.position.clone(),
            phone: m.phone_masked.clone(),
            id_number: m.id_number_masked.clone(),
            left_at: m.left_at,
            left_reason: m.left_reason.clone(),
        }
    }

    fn tally(&self) -> Tally {
        Tally::of_member(self.status, self.cadre_level, self.gender)
    }
}

/// Whole personal numbers, for those allowed to see them.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Unmasked {
    pub phone: Option<String>,
    pub id_number: Option<String>,
}

/// Sealed and masked forms of a draft's personal numbers.
pub(crate) struct Sealed {
    pub phone: Option<(String, Vec<u8>)>,
    pub id_number: Option<(String, Vec<u8>, String)>,
}

pub(crate) fn seal(vault: &Vault, d: &MemberDraft) -> Sealed {
    Sealed {
        phone: d
            .phone
            .as_ref()
            .map(|p| (p.masked(), vault.seal(p.as_str()))),
        id_number: d
            .id_number
            .as_ref()
            .map(|n| (n.masked(), vault.seal(n.as_str()), vault.digest(n.as_str()))),
    }
}

/// The row to insert for a validated draft.
pub(crate) fn new_member(app: &App, id: Id, unit: Id, d: &MemberDraft) -> NewMember {
    let s = seal(app.vault(), d);
    let (phone_masked, phone_sealed) = s.phone.map_or((None, None), |(m, c)| (Some(m), Some(c)));
    let (id_number_masked, id_number_sealed, id_number_digest) = s
        .id_number
        .map_or((None, None, None), |(m, c, g)| (Some(m), Some(c), Some(g)));
    NewMember {
        id: id.0,
        unit_id: unit.0,
        name: d.name.clone(),
        name_folded: fold(&d.name),
        gender: d.gender.as_str(),
        birth_date: d.birth_date.map(iso),
        join_date: d.join_date.map(iso),
        status: d.status.as_str(),
        cadre_level: d.cadre_level.as_str(),
        position: d.position.clone(),
        phone_masked,
        phone_sealed,
        id_number_masked,
        id_number_sealed,
        id_number_digest,
        now: app.now(),
    }
}

fn taken(e: sqlx::Error) -> AppError {
    if xueshi_store::is_unique_violation(&e) {
        AppError::invalid("id_number", "id_number_taken")
    } else {
        e.into()
    }
}

async fn load_member<'a>(
    app: &App,
    ctx: &'a Ctx,
    id: Id,
    action: Action,
) -> AppResult<(MemberRow, UnitRow, Allowed<'a>)> {
    let mut conn = app.store().read().await?;
    let m = members::get(&mut conn, id.0)
        .await?
        .ok_or(AppError::NotFound)?;
    let u = units::get(&mut conn, m.unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let allowed = allow(ctx, action, &u.path())?;
    Ok((m, u, allowed))
}

pub async fn get(app: &App, ctx: &Ctx, id: Id) -> AppResult<MemberView> {
    let (m, u, _) = load_member(app, ctx, id, Action::ViewMembers).await?;
    Ok(MemberView::of(&m, &u.name))
}

/// Opens a member's sealed numbers. Needs the unmask grant; every opening is
/// audited (a refusal by the web layer, which sees every refused request).
pub async fn unmask(app: &App, ctx: &Ctx, id: Id) -> AppResult<Unmasked> {
    let (m, u, _) = load_member(app, ctx, id, Action::ViewMembers).await?;
    let allowed = allow(ctx, Action::UnmaskPii, &u.path())?;
    let mut tx = Audited::begin(app, allowed).await?;
    let (phone, idn) = members::sealed(&mut tx, m.id).await?;
    let v = app.vault();
    let out = Unmasked {
        phone: phone.as_deref().and_then(|s| v.open(s)),
        id_number: idn.as_deref().and_then(|s| v.open(s)),
    };
    tx.commit(Entry::new("member.unmask", "member", Some(id), &m.name).unit(u.id()))
        .await?;
    Ok(out)
}

fn parse(app: &App, input: &MemberInput) -> AppResult<MemberDraft> {
    MemberDraft::parse(input, app.clock().today()).map_err(AppError::Invalid)
}

/// Registers a member in a unit that holds members.
pub async fn create(app: &App, ctx: &Ctx, unit: Id, input: &MemberInput) -> AppResult<MemberView> {
    let draft = parse(app, input)?;
    let (u, allowed) = crate::tree::load_allowed(app, ctx, unit, Action::EditMembers).await?;
    if !u.kind().holds_members() {
        return Err(AppError::invalid("unit", "unit_holds_no_members"));
    }
    let id = app.next_id();
    let row = new_member(app, id, unit, &draft);
    let mut tx = Audited::begin(app, allowed).await?;
    members::insert_many(&mut tx, vec![row])
        .await
        .map_err(taken)?;
    let m = members::get(&mut tx, id.0)
        .await?
        .ok_or(AppError::NotFound)?;
    let view = MemberView::of(&m, &u.name);
    let mut deltas = HashMap::new();
    along(&u.path(), view.tally(), &mut deltas);
    tallies::add(&mut tx, &deltas).await?;
    tx.commit(
        Entry::new("member.create", "member", Some(id), &view.name)
            .unit(unit)
            .after(&view),
    )
    .await?;
    Ok(view)
}

/// Edits a member. Blank phone or ID number fields keep the stored ones (the
/// form only ever shows them masked).
pub async fn update(app: &App, ctx: &Ctx, id: Id, input: &MemberInput) -> AppResult<MemberView> {
    let draft = parse(app, input)?;
    let (m, u, allowed) = load_member(app, ctx, id, Action::EditMembers).await?;
    if m.left_at.is_some() {
        return Err(AppError::Conflict("member_left"));
    }
    let before = MemberView::of(&m, &u.name);
    let s = seal(app.vault(), &draft);
    let mut tx = Audited::begin(app, allowed).await?;
    let upd = MemberUpdate {
        name: draft.name.clone(),
        name_folded: fold(&draft.name),
        gender: draft.gender.as_str(),
        birth_date: draft.birth_date.map(iso),
        join_date: draft.join_date.map(iso),
        status: draft.status.as_str(),
        cadre_level: draft.cadre_level.as_str(),
        position: draft.position.clone(),
        phone: s.phone,
        id_number: s.id_number,
        now: app.now(),
    };
    members::update(&mut tx, m.id, &upd).await.map_err(taken)?;
    let after_row = members::get(&mut tx, m.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let after = MemberView::of(&after_row, &u.name);
    let mut deltas = HashMap::new();
    along(&u.path(), after.tally(), &mut deltas);
    along(&u.path(), -before.tally(), &mut deltas);
    tallies::add(&mut tx, &deltas).await?;
    tx.commit(
        Entry::new("member.update", "member", Some(id), &after.name)
            .unit(u.id())
            .before(&before)
            .after(&after),
    )
    .await?;
    Ok(after)
}

/// Transfers a member to another unit (组织关系转接) inside the actor's scope.
pub async fn transfer(app: &App, ctx: &Ctx, id: Id, to: Id) -> AppResult<MemberView> {
    let (m, from, allowed) = load_member(app, ctx, id, Action::EditMembers).await?;
    // A unit outside the actor's subtree answers as a missing one does, so
    // the form cannot be used to learn what exists elsewhere; the attempt
    // is on record.
    let target = match load(app, ctx, to, Action::EditMembers).await {
        Ok(t) => t,
        Err(AppError::Forbidden(_)) => {
            record_denied(
                app,
                ctx,
                Entry::new("member.transfer", "member", Some(id), &m.name).unit(from.id()),
            )
            .await?;
            return Err(AppError::invalid("unit", "unknown_unit"));
        }
        Err(AppError::NotFound) => return Err(AppError::invalid("unit", "unknown_unit")),
        Err(e) => return Err(e),
    };
    if !target.kind().holds_members() {
        return Err(AppError::invalid("unit", "unit_holds_no_members"));
    }
    if m.left_at.is_some() {
        return Err(AppError::Conflict("member_left"));
    }
    if m.unit_id == target.id {
        return Err(AppError::invalid("unit", "already_there"));
    }
    let view = MemberView::of(&m, &from.name);
    let mut tx = Audited::begin(app, allowed).await?;
    members::set_unit(&mut tx, m.id, target.id, app.now()).await?;
    // The member's account works where the member now is.
    let account =
        xueshi_store::accounts::follow_member(&mut tx, m.id, target.id, app.now()).await?;
    let mut deltas = HashMap::new();
    along(&from.path(), -view.tally(), &mut deltas);
    along(&target.path(), view.tally(), &mut deltas);
    tallies::add(&mut tx, &deltas).await?;
    let e = Entry::new("member.transfer", "member", Some(id), &m.name)
        .unit(target.id())
        .before(&serde_json::json!({ "unit_id": from.id(), "unit": from.name }))
        .after(&serde_json::json!({ "unit_id": target.id(), "unit": target.name }));
    tx.commit(e).await?;
    app.placement().changed();
    if let Some(a) = account {
        app.sessions().forget_account(a);
    }
    Ok(MemberView {
        unit_id: target.id(),
        unit_name: target.name.clone(),
        ..view
    })
}

/// Moves a member to the unit with this code, the transfer form's way.
pub async fn transfer_to_code(app: &App, ctx: &Ctx, id: Id, code: &str) -> AppResult<MemberView> {
    let mut conn = app.store().read().await?;
    let unit = units::get_by_code(&mut conn, code.trim()).await?;
    drop(conn);
    match unit {
        Some(u) => transfer(app, ctx, id, Id(u.id)).await,
        None => {
            load_member(app, ctx, id, Action::EditMembers).await?;
            Err(AppError::invalid("unit", "unknown_unit"))
        }
    }
}

/// Takes a member off the active roster, keeping the record.
pub async fn leave(app: &App, ctx: &Ctx, id: Id, reason: &str) -> AppResult<()> {
    let reason = xueshi_domain::invalid::required_text("reason", reason, 100)?;
    let (m, u, allowed) = load_member(app, ctx, id, Action::EditMembers).await?;
    if m.left_at.is_some() {
        return Err(AppError::Conflict("member_left"));
    }
    let view = MemberView::of(&m, &u.name);
    let mut tx = Audited::begin(app, allowed).await?;
    members::set_left(&mut tx, m.id, &reason, app.now()).await?;
    // Off the roster, off the platform: the account stays, disabled, for
    // the record.
    if let Some(a) = xueshi_store::accounts::of_member(&mut tx, m.id).await? {
        xueshi_store::accounts::set_disabled(&mut tx, a.id, true, app.now()).await?;
        crate::auth::end_sessions(app, &mut tx, a.id).await?;
    }
    let mut deltas = HashMap::new();
    along(&u.path(), -view.tally(), &mut deltas);
    tallies::add(&mut tx, &deltas).await?;
    let e = Entry::new("member.leave", "member", Some(id), &m.name)
        .unit(u.id())
        .before(&view)
        .after(&serde_json::json!({ "left_reason": reason }));
    tx.commit(e).await?;
    app.placement().changed();
    Ok(())
}

/// One page of a unit's own members and how many there are in all.
pub async fn in_unit(
    app: &App,
    ctx: &Ctx,
    unit: Id,
    page: i64,
    per_page: i64,
) -> AppResult<(Vec<MemberView>, i64)> {
    let u = load(app, ctx, unit, Action::ViewMembers).await?;
    let mut conn = app.store().read().await?;
    let per = per_page.clamp(1, 500);
    let rows = members::in_unit(&mut conn, u.id, per, page.max(0) * per).await?;
    let total = members::count_in_unit(&mut conn, u.id).await?;
    Ok((
        rows.iter().map(|m| MemberView::of(m, &u.name)).collect(),
        total,
    ))
}

/// Members whose name matches, inside the actor's subtree.
pub async fn search(app: &App, ctx: &Ctx, query: &str, limit: i64) -> AppResult<Vec<MemberView>> {
    allow_in_scope(ctx, Action::ViewMembers)?;
    let mut conn = app.store().read().await?;
    let rows = members::search(
        &mut conn,
        &plan_search(query),
        &ctx.actor.scope,
        limit.clamp(1, 200),
    )
    .await?;
    let mut unit_ids: Vec<i64> = rows.iter().map(|m| m.unit_id).collect();
    unit_ids.sort_unstable();
    unit_ids.dedup();
    let names: HashMap<i64, String> = units::by_ids(&mut conn, &unit_ids)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    Ok(rows
        .iter()
        .map(|m| MemberView::of(m, names.get(&m.unit_id).map_or("", |s| s.as_str())))
        .collect())
}

/// The form fields of an existing member, for editing.
pub fn input_of(v: &MemberView) -> MemberInput {
    MemberInput {
        name: v.name.clone(),
        gender: v.gender.as_str().into(),
        birth_date: v.birth_date.clone().unwrap_or_default(),
        join_date: v.join_date.clone().unwrap_or_default(),
        status: v.status.as_str().into(),
        cadre_level: v.cadre_level.as_str().into(),
        position: v.position.clone(),
        phone: String::new(),
        id_number: String::new(),
    }
}

//! 专题组织生活会 and 专题民主生活会: a unit records its meeting — when, how
//! many of its members attended, the topics, the problems found in 查摆 and
//! the rectification items (整改) they become, each ticked off when done —
//! and an office asks which units under it held theirs by a day, by name.

use serde::{Deserialize, Serialize};
use xueshi_domain::Id;
use xueshi_domain::access::{Action, Denied, Role};
use xueshi_domain::date::{from_iso, iso};
use xueshi_domain::invalid::FieldError;
use xueshi_store::meetings::{self as store, ItemRow, MeetingRow, NewMeeting};
use xueshi_store::{tallies, units};

use crate::audit::{Audited, Entry};
use crate::permit::{allow, may};
use crate::tree::load_allowed;
use crate::{App, AppError, AppResult, Ctx};

/// Most rectification items one meeting lists.
pub const ITEMS_MAX: usize = 30;

/// Which meeting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeetingKind {
    /// 专题组织生活会: every branch.
    OrganizationLife,
    /// 专题民主生活会: a leadership team (党委, 党组).
    DemocraticLife,
}

impl MeetingKind {
    pub const ALL: [MeetingKind; 2] = [MeetingKind::OrganizationLife, MeetingKind::DemocraticLife];
    pub fn as_str(self) -> &'static str {
        match self {
            MeetingKind::OrganizationLife => "organization_life",
            MeetingKind::DemocraticLife => "democratic_life",
        }
    }
    pub fn parse(raw: &str) -> Option<MeetingKind> {
        MeetingKind::ALL
            .into_iter()
            .find(|k| k.as_str() == raw.trim())
    }
}

/// A rectification item as typed.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ItemInput {
    /// The problem found (查摆出的问题).
    pub problem: String,
    /// What will be done about it.
    pub measure: String,
    /// YYYY-MM-DD, optional.
    pub due_on: String,
}

/// A meeting as the unit records it.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct MeetingInput {
    pub kind: String,
    /// YYYY-MM-DD, not after today.
    pub held_on: String,
    pub attendance: i64,
    pub topics: String,
    pub items: Vec<ItemInput>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ItemView {
    pub id: Id,
    pub problem: String,
    pub measure: String,
    pub due_on: Option<String>,
    pub done_at: Option<i64>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MeetingView {
    pub id: Id,
    pub unit: Id,
    pub unit_name: String,
    pub kind: MeetingKind,
    pub held_on: String,
    pub attendance: i64,
    /// The unit's members when it was recorded.
    pub members: i64,
    pub topics: String,
    pub items: Vec<ItemView>,
    /// The reader may tick items off.
    pub may_write: bool,
}

/// Who held a meeting of a kind by a day, under a unit.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Held {
    pub unit: Id,
    pub unit_name: String,
    pub kind: MeetingKind,
    pub by: String,
    /// Units that must hold one (those that hold members).
    pub total: usize,
    pub held: usize,
    /// Those that did not, by name, in the tree's order.
    pub missing: Vec<UnitBrief>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct UnitBrief {
    pub id: Id,
    pub name: String,
}

fn view(m: &MeetingRow, items: &[ItemRow], may_write: bool) -> MeetingView {
    MeetingView {
        id: Id(m.id),
        unit: Id(m.unit_id),
        unit_name: m.unit_name.clone(),
        kind: MeetingKind::parse(&m.kind).unwrap_or(MeetingKind::OrganizationLife),
        held_on: m.held_on.clone(),
        attendance: m.attendance,
        members: m.members,
        topics: m.topics.clone(),
        items: items
            .iter()
            .map(|i| ItemView {
                id: Id(i.id),
                problem: i.problem.clone(),
                measure: i.measure.clone(),
                due_on: i.due_on.clone(),
                done_at: i.done_at,
            })
            .collect(),
        may_write,
    }
}

fn text(field: &'static str, raw: &str, max: usize, e: &mut Vec<FieldError>) -> String {
    let t = raw.trim().to_owned();
    if t.is_empty() {
        e.push(FieldError::new(field, "required"));
    } else if t.chars().count() > max {
        e.push(FieldError::new(field, "too_long").with("max", max));
    } else if t.chars().any(|c| c.is_control() && c != '\n' && c != '\r') {
        e.push(FieldError::new(field, "control_chars"));
    }
    t
}

/// Records a unit's meeting with its rectification items.
pub async fn record(app: &App, ctx: &Ctx, unit: Id, input: &MeetingInput) -> AppResult<Id> {
    let (urow, allowed) = load_allowed(app, ctx, unit, Action::ManageTasks).await?;
    let mut e = Vec::new();
    let kind = MeetingKind::parse(&input.kind);
    if kind.is_none() {
        e.push(FieldError::new("kind", "bad_choice").with("value", input.kind.trim()));
    }
    if kind == Some(MeetingKind::OrganizationLife) && !urow.kind().holds_members() {
        e.push(FieldError::new("kind", "meeting_not_for_unit"));
    }
    let held_on = input.held_on.trim();
    match from_iso(held_on) {
        None if held_on.is_empty() => e.push(FieldError::new("held_on", "required")),
        None => e.push(FieldError::new("held_on", "bad_date").with("value", held_on)),
        Some(d) if d > app.clock().today() => e.push(FieldError::new("held_on", "date_in_future")),
        Some(_) => {}
    }
    let topics = text("topics", &input.topics, 2000, &mut e);
    let members = {
        let mut conn = app.store().read().await?;
        tallies::get(&mut conn, urow.id).await?.members_total
    };
    if !(0..=members).contains(&input.attendance) {
        e.push(
            FieldError::new("attendance", "attendance_over_members")
                .with("max", members)
                .with("value", input.attendance),
        );
    }
    if input.items.len() > ITEMS_MAX {
        e.push(FieldError::new("items", "too_many").with("max", ITEMS_MAX));
    }
    let mut items = Vec::new();
    for (i, it) in input.items.iter().enumerate() {
        let problem = text("items", &it.problem, 500, &mut e);
        let measure = text("items", &it.measure, 500, &mut e);
        let due = it.due_on.trim();
        if !due.is_empty() && from_iso(due).is_none() {
            e.push(FieldError::new("items", "bad_date").with("value", due));
        }
        items.push(ItemRow {
            id: 0,
            meeting_id: 0,
            problem,
            measure,
            due_on: (!due.is_empty()).then(|| due.to_owned()),
            done_at: None,
            sort_order: i as i64,
        });
    }
    let Some(kind) = kind.filter(|_| e.is_empty()) else {
        return Err(AppError::Invalid(e));
    };
    let id = app.next_id();
    let mut tx = Audited::begin(app, allowed).await?;
    store::insert(
        &mut tx,
        &NewMeeting {
            id: id.0,
            unit_id: urow.id,
            kind: kind.as_str(),
            held_on,
            attendance: input.attendance,
            members,
            topics: &topics,
            created_by: Some(ctx.actor.account_id.0),
            now: app.now(),
        },
    )
    .await?;
    for it in items {
        store::insert_item(
            &mut tx,
            &ItemRow {
                id: app.next_id().0,
                meeting_id: id.0,
                ..it
            },
        )
        .await?;
    }
    tx.commit(
        Entry::new("meeting.record", "meeting", Some(id), &urow.name)
            .unit(unit)
            .after(input),
    )
    .await?;
    Ok(id)
}

/// Members read their study, not their branch's 查摆 record.
fn not_member(ctx: &Ctx) -> AppResult<()> {
    if ctx.actor.role == Role::Member {
        return Err(AppError::Forbidden(Denied::RoleLacks));
    }
    Ok(())
}

/// A meeting with its items.
pub async fn get(app: &App, ctx: &Ctx, id: Id) -> AppResult<MeetingView> {
    not_member(ctx)?;
    let mut conn = app.store().read().await?;
    let m = store::get(&mut conn, id.0)
        .await?
        .ok_or(AppError::NotFound)?;
    allow(ctx, Action::ViewTree, &m.unit_path)?;
    let items = store::items(&mut conn, m.id).await?;
    Ok(view(
        &m,
        &items,
        may(ctx, Action::ManageTasks, &m.unit_path),
    ))
}

/// A unit's own meetings.
pub async fn of_unit(app: &App, ctx: &Ctx, unit: Id) -> AppResult<Vec<MeetingView>> {
    not_member(ctx)?;
    let (urow, _) = load_allowed(app, ctx, unit, Action::ViewTree).await?;
    let mut conn = app.store().read().await?;
    let rows = store::of_unit(&mut conn, urow.id).await?;
    let write = may(ctx, Action::ManageTasks, &urow.path());
    let mut out = Vec::with_capacity(rows.len());
    for m in &rows {
        let items = store::items(&mut conn, m.id).await?;
        out.push(view(m, &items, write));
    }
    Ok(out)
}

/// Ticks a rectification item off.
pub async fn item_done(app: &App, ctx: &Ctx, meeting: Id, item: Id) -> AppResult<()> {
    not_member(ctx)?;
    let mut conn = app.store().read().await?;
    let m = store::get(&mut conn, meeting.0)
        .await?
        .ok_or(AppError::NotFound)?;
    let allowed = allow(ctx, Action::ManageTasks, &m.unit_path)?;
    let it = store::item(&mut conn, item.0)
        .await?
        .filter(|i| i.meeting_id == m.id)
        .ok_or(AppError::NotFound)?;
    drop(conn);
    let mut tx = Audited::begin(app, allowed).await?;
    if !store::item_done(&mut tx, it.id, app.now()).await? {
        return Err(AppError::Conflict("item_done"));
    }
    tx.commit(
        Entry::new("meeting.item_done", "meeting", Some(meeting), &it.problem).unit(Id(m.unit_id)),
    )
    .await?;
    Ok(())
}

/// Which units under `unit` that must hold a meeting of `kind` held one by
/// `by` (today when empty), and the names of those that did not.
pub async fn held(app: &App, ctx: &Ctx, unit: Id, kind: &str, by: &str) -> AppResult<Held> {
    not_member(ctx)?;
    let kind = MeetingKind::parse(kind).ok_or_else(|| AppError::invalid("kind", "bad_choice"))?;
    let by = match by.trim() {
        "" => iso(app.clock().today()),
        d => iso(from_iso(d).ok_or_else(|| AppError::invalid("by", "bad_date"))?),
    };
    let (urow, _) = load_allowed(app, ctx, unit, Action::ViewTree).await?;
    let mut conn = app.store().read().await?;
    let rows = store::held_by(&mut conn, &urow.path(), kind.as_str(), &by).await?;
    drop(conn);
    let held = rows.iter().filter(|r| r.meeting_id.is_some()).count();
    Ok(Held {
        unit,
        unit_name: urow.name.clone(),
        kind,
        by,
        total: rows.len(),
        held,
        missing: rows
            .iter()
            .filter(|r| r.meeting_id.is_none())
            .map(|r| UnitBrief {
                id: Id(r.unit_id),
                name: r.name.clone(),
            })
            .collect(),
    })
}

/// Whether a unit may hold a 专题组织生活会 (for the page's form).
pub async fn holds_members(app: &App, unit: Id) -> AppResult<bool> {
    let mut conn = app.store().read().await?;
    Ok(units::get(&mut conn, unit.0)
        .await?
        .is_some_and(|u| u.kind().holds_members()))
}

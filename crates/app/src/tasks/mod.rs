//! The task list (任务清单) pushed down the tree: a unit's office sets tasks
//! — 规定动作 of a kind the list holds, or 自选动作 any unit may add for its
//! own subtree — and publishing one gives every target unit its assignment.
//! A unit reports its assignment done with the evidence the task asks for;
//! the office may send it back (退回) or extend its deadline (延期); a
//! leader may comment (批示) and follow. Completion over any subtree is read
//! from counters (`task_tally`) kept by every one of these writes, and a
//! unit added under a target after publishing is given the task too.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use xueshi_domain::Id;
use xueshi_domain::access::{Action, Role};
use xueshi_domain::date::{from_iso, iso};
use xueshi_domain::invalid::FieldError;
use xueshi_domain::task::{self, Evidence, MAX_ATTENDANCE, MAX_NOTE};
use xueshi_domain::unit::{UnitKind, UnitPath};
use xueshi_store::tasks::{
    self as store, AssignmentRow, EventRow, NewAssignment, Report, TallyDelta, TallyKey, TaskRow,
};
use xueshi_store::units::{self, UnitRow};

use crate::audit::{Audited, Entry};
use crate::permit::{allow, may};
use crate::tree::load_allowed;
use crate::{App, AppError, AppResult, Ctx};

mod assignments;
mod oversight;
mod roadmap;

pub use assignments::{assignment, authorize_report, evidence_file, extend, report, send_back};
use assignments::{event, views};
use oversight::task_view;
pub use oversight::{comment, detail, follow, matrix, set_by, to_do};
pub use roadmap::{
    Roadmap, RoadmapGroup, RoadmapTask, matrix_workbook, roadmap, schedule_workbook,
};

/// Most assignments one task may make: every branch of a province.
pub const TARGETS_MAX: usize = 400_000;

/// A task as the office types it.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct TaskInput {
    /// A kind's code from the task list's kinds (`GET /api/v1/task-kinds`).
    pub kind: String,
    pub title: String,
    pub body: String,
    /// YYYY-MM-DD, within the campaign.
    pub deadline: String,
    /// The unit whose subtree the task goes to (default: the setting unit).
    pub target_unit: Option<Id>,
    /// Unit kinds it goes to (e.g. `branch`); empty: every unit.
    pub target_kinds: Vec<String>,
    /// text, photo, file, attendance or link.
    pub evidence: String,
    /// 牵头 unit.
    pub lead_unit: Option<Id>,
    /// 配合 units.
    pub co_units: Vec<Id>,
    /// The responsible working group (an organ).
    pub organ: Option<Id>,
}

/// A task as read back.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TaskView {
    pub id: Id,
    pub unit: Id,
    pub campaign: Id,
    pub kind: String,
    pub kind_name: String,
    pub mandated: bool,
    pub title: String,
    pub body: String,
    pub deadline: String,
    pub target_unit: Id,
    pub target_name: String,
    pub target_kinds: Vec<UnitKind>,
    pub evidence: Evidence,
    pub lead_unit: Option<Id>,
    pub lead_name: Option<String>,
    pub co_units: Vec<Id>,
    pub organ: Option<Id>,
    pub organ_name: Option<String>,
    pub published: bool,
}

/// Completion of one task in some subtree, from the counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Completion {
    pub assigned: i64,
    pub done: i64,
    /// Done after their deadline.
    pub late: i64,
    /// Not done, deadline past.
    pub overdue: i64,
}

impl Completion {
    fn add(&mut self, r: &store::TallyRow, today: &str) {
        self.assigned += r.assigned;
        self.done += r.done;
        self.late += r.late;
        if r.due_on.as_str() < today {
            self.overdue += r.assigned - r.done;
        }
    }
}

/// One row of the matrix: a unit and each task's completion in its subtree.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MatrixRow {
    pub unit: Id,
    pub name: String,
    /// In the order of [`Matrix::tasks`]; `None` where the task does not
    /// reach this unit.
    pub cells: Vec<Option<Completion>>,
}

/// Completion by unit × task over a subtree: the unit's own line, then
/// one per unit directly below it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Matrix {
    pub unit: Id,
    pub unit_name: String,
    pub tasks: Vec<TaskBrief>,
    pub total: MatrixRow,
    pub rows: Vec<MatrixRow>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TaskBrief {
    pub id: Id,
    pub title: String,
    pub kind_name: String,
    pub deadline: String,
}

/// A unit's share of a task, as it and the office see it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AssignmentView {
    pub id: Id,
    pub task: TaskBrief,
    pub evidence: Evidence,
    pub unit: Id,
    pub unit_name: String,
    pub due_on: String,
    /// open, done or returned.
    pub status: String,
    pub extensions: i64,
    pub late: bool,
    pub overdue: bool,
    pub note: String,
    pub attendance: Option<i64>,
    pub link: Option<String>,
    pub file_name: Option<String>,
    pub done_at: Option<i64>,
}

/// What happened to an assignment or a task.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct EventView {
    pub kind: String,
    pub body: String,
    pub due_on: Option<String>,
    pub actor_name: String,
    pub at: i64,
}

impl From<&EventRow> for EventView {
    fn from(e: &EventRow) -> Self {
        EventView {
            kind: e.kind.clone(),
            body: e.body.clone(),
            due_on: e.due_on.clone(),
            actor_name: e.actor_name.clone(),
            at: e.created_at,
        }
    }
}

/// A task's page: the task, its comments, completion within the reader's
/// reach, and the units still owing it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TaskDetail {
    pub task: TaskView,
    pub comments: Vec<EventView>,
    pub following: bool,
    /// The reader may publish, edit, send back and extend.
    pub may_manage: bool,
    /// Where the figures below are counted: the task's target, or the
    /// reader's scope inside it.
    pub within: Id,
    pub within_name: String,
    pub completion: Completion,
    /// Not done, soonest due first (at most 500).
    pub not_done: Vec<AssignmentView>,
    /// Reported, latest first (at most 200).
    pub done: Vec<AssignmentView>,
}

/// The to-do of a unit admin's home page (待办).
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct ToDo {
    pub overdue: Vec<AssignmentView>,
    pub returned: Vec<AssignmentView>,
    pub due_this_week: Vec<AssignmentView>,
    pub later: Vec<AssignmentView>,
}

/// A completion report as a unit sends it.
#[derive(Clone, Debug, Default)]
pub struct ReportInput {
    pub note: String,
    pub attendance: Option<i64>,
    pub link: String,
    /// A document: (file name, bytes).
    pub file: Option<(String, Vec<u8>)>,
    /// A phone photo, as taken.
    pub photo: Option<Vec<u8>>,
}

fn text(
    field: &'static str,
    raw: &str,
    max: usize,
    required: bool,
    e: &mut Vec<FieldError>,
) -> String {
    let t = raw.trim().to_owned();
    if t.is_empty() && required {
        e.push(FieldError::new(field, "required"));
    } else if t.chars().count() > max {
        e.push(FieldError::new(field, "too_long").with("max", max));
    } else if t.chars().any(|c| c.is_control() && c != '\n' && c != '\r') {
        e.push(FieldError::new(field, "control_chars"));
    }
    t
}

fn kinds_of(raw: &str) -> Vec<UnitKind> {
    raw.split(',').filter_map(UnitKind::parse).collect()
}

fn brief(t: &TaskRow, kind_names: &HashMap<String, (String, bool)>) -> TaskBrief {
    TaskBrief {
        id: Id(t.id),
        title: t.title.clone(),
        kind_name: kind_names
            .get(&t.kind)
            .map_or_else(|| t.kind.clone(), |k| k.0.clone()),
        deadline: t.deadline.clone(),
    }
}

async fn kind_names(app: &App) -> AppResult<HashMap<String, (String, bool)>> {
    let mut conn = app.store().read().await?;
    Ok(store::kinds(&mut conn)
        .await?
        .into_iter()
        .map(|k| (k.code, (k.name, k.mandated != 0)))
        .collect())
}

/// A kind of task on the list (data, not code).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TaskKind {
    pub code: String,
    pub name: String,
    /// A 规定动作 the office sets; otherwise a 自选动作 any unit may add.
    pub mandated: bool,
}

/// Gives a tree that has a root the default kinds it lacks (a new tree,
/// or one made before the task list existed); an empty database is left
/// empty, for a restore.
pub async fn ensure_kinds(app: &App) -> AppResult<()> {
    let mut tx = app.store().write().await?;
    if !units::roots(&mut tx).await?.is_empty() {
        store::add_kinds(&mut tx, &xueshi_domain::task::DEFAULT_KINDS).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The kinds of task, mandated first.
pub async fn kinds(app: &App) -> AppResult<Vec<TaskKind>> {
    let mut conn = app.store().read().await?;
    Ok(store::kinds(&mut conn)
        .await?
        .into_iter()
        .map(|k| TaskKind {
            code: k.code,
            name: k.name,
            mandated: k.mandated != 0,
        })
        .collect())
}

/// Checks a task against its setting unit and the actor: the checked row,
/// or every field that is wrong.
pub(crate) async fn check(
    app: &App,
    ctx: &Ctx,
    unit: &UnitRow,
    input: &TaskInput,
) -> AppResult<TaskRow> {
    let mut e = Vec::new();
    let title = text("title", &input.title, 100, true, &mut e);
    let body = text("body", &input.body, 4000, false, &mut e);
    let names = kind_names(app).await?;
    match names.get(input.kind.trim()) {
        None => e.push(FieldError::new("kind", "bad_choice").with("value", input.kind.trim())),
        // 规定动作 are the office's to set; a secretary adds 自选动作.
        Some((_, true)) if !matches!(ctx.actor.role, Role::SystemAdmin | Role::CampaignOffice) => {
            e.push(FieldError::new("kind", "mandated_by_office"));
        }
        Some(_) => {}
    }
    let evidence = Evidence::parse(&input.evidence);
    if evidence.is_none() {
        e.push(FieldError::new("evidence", "bad_choice").with("value", input.evidence.trim()));
    }
    let mut target_kinds = Vec::new();
    for k in &input.target_kinds {
        match UnitKind::parse(k) {
            Some(k) => target_kinds.push(k.as_str()),
            None => e.push(FieldError::new("target_kinds", "bad_choice").with("value", k.trim())),
        }
    }
    let today = app.clock().today();
    let campaign = crate::participant::campaign(app, &unit.path(), today).await?;
    let deadline = input.deadline.trim();
    match (from_iso(deadline), &campaign) {
        (_, None) => e.push(FieldError::new("deadline", "no_campaign")),
        (None, _) => e.push(FieldError::new("deadline", "bad_date").with("value", deadline)),
        (Some(d), Some(c)) => {
            if deadline < c.starts_on.as_str() || deadline > c.ends_on.as_str() {
                e.push(
                    FieldError::new("deadline", "deadline_outside_campaign")
                        .with("from", &c.starts_on)
                        .with("to", &c.ends_on),
                );
            } else if d < today {
                e.push(FieldError::new("deadline", "deadline_past"));
            }
        }
    }
    let mut conn = app.store().read().await?;
    // Units it names must lie in the setting unit's subtree, which is in
    // the actor's scope; one outside answers as an unknown one.
    let mut within = async |field: &'static str,
                            id: Option<Id>,
                            e: &mut Vec<FieldError>|
           -> AppResult<Option<UnitRow>> {
        let Some(id) = id else { return Ok(None) };
        match units::get(&mut conn, id.0).await? {
            Some(u)
                if u.path().is_within(&unit.path()) && may(ctx, Action::ViewTree, &u.path()) =>
            {
                Ok(Some(u))
            }
            _ => {
                e.push(FieldError::new(field, "unknown_unit"));
                Ok(None)
            }
        }
    };
    let target = within(
        "target_unit",
        input.target_unit.or(Some(Id(unit.id))),
        &mut e,
    )
    .await?;
    let lead = within("lead_unit", input.lead_unit, &mut e).await?;
    let mut co = Vec::new();
    for c in &input.co_units {
        if let Some(u) = within("co_units", Some(*c), &mut e).await? {
            co.push(u.id.to_string());
        }
    }
    let organ = match input.organ {
        None => None,
        Some(o) => match xueshi_store::organs::get(&mut conn, o.0).await? {
            Some(org)
                if unit.path().ids().iter().any(|a| a.0 == org.unit_id)
                    || org.unit_id == unit.id =>
            {
                Some(org.id)
            }
            _ => {
                e.push(FieldError::new("organ", "unknown_organ"));
                None
            }
        },
    };
    drop(conn);
    let (Some(target), Some(evidence), Some(campaign), true) =
        (target, evidence, campaign, e.is_empty())
    else {
        return Err(AppError::Invalid(e));
    };
    Ok(TaskRow {
        id: 0,
        campaign_id: campaign.id,
        unit_id: unit.id,
        kind: input.kind.trim().to_owned(),
        title,
        body,
        lead_unit_id: lead.map(|u| u.id),
        co_units: co.join(","),
        organ_id: organ,
        deadline: deadline.to_owned(),
        target_unit_id: target.id,
        target_kinds: target_kinds.join(","),
        evidence: evidence.as_str().to_owned(),
        status: "draft".into(),
        published_at: None,
        created_by: Some(ctx.actor.account_id.0),
        created_at: app.now(),
    })
}

/// Sets a task (a draft) for a unit's subtree.
pub async fn create(app: &App, ctx: &Ctx, unit: Id, input: &TaskInput) -> AppResult<Id> {
    let (urow, allowed) = load_allowed(app, ctx, unit, Action::ManageTasks).await?;
    let mut row = check(app, ctx, &urow, input).await?;
    let id = app.next_id();
    row.id = id.0;
    let mut tx = Audited::begin(app, allowed).await?;
    store::insert(&mut tx, &row).await?;
    tx.commit(
        Entry::new("task.create", "task", Some(id), &row.title)
            .unit(unit)
            .after(input),
    )
    .await?;
    Ok(id)
}

/// A task with the right to manage it (the setting unit's office).
async fn load_managed<'a>(
    app: &App,
    ctx: &'a Ctx,
    id: Id,
) -> AppResult<(TaskRow, UnitRow, crate::permit::Allowed<'a>)> {
    let mut conn = app.store().read().await?;
    let t = store::get(&mut conn, id.0)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(conn);
    let (u, allowed) = load_allowed(app, ctx, Id(t.unit_id), Action::ManageTasks).await?;
    Ok((t, u, allowed))
}

/// Changes a draft; a published task is fixed.
pub async fn update(app: &App, ctx: &Ctx, id: Id, input: &TaskInput) -> AppResult<()> {
    let (old, urow, allowed) = load_managed(app, ctx, id).await?;
    if old.status != "draft" {
        return Err(AppError::Conflict("task_published"));
    }
    let mut row = check(app, ctx, &urow, input).await?;
    row.id = old.id;
    let mut tx = Audited::begin(app, allowed).await?;
    store::update(&mut tx, &row).await?;
    tx.commit(
        Entry::new("task.update", "task", Some(id), &row.title)
            .unit(Id(old.unit_id))
            .after(input),
    )
    .await?;
    Ok(())
}

/// The counter deltas of assignments (unit path, deadline) along every
/// ancestor of each.
fn deltas_for<'a>(
    task: i64,
    items: impl Iterator<Item = (&'a UnitPath, &'a str, TallyDelta)>,
) -> HashMap<TallyKey, TallyDelta> {
    let mut out: HashMap<TallyKey, TallyDelta> = HashMap::new();
    for (path, due, d) in items {
        for a in path.ids() {
            let e = out.entry((a.0, task, due.to_owned())).or_default();
            e.assigned += d.assigned;
            e.done += d.done;
            e.late += d.late;
        }
    }
    out
}

/// Publishes a draft: one assignment for every target unit, counted.
/// Returns how many units got it.
pub async fn publish(app: &App, ctx: &Ctx, id: Id) -> AppResult<usize> {
    let (t, setter, allowed) = load_managed(app, ctx, id).await?;
    if t.status != "draft" {
        return Err(AppError::Conflict("task_published"));
    }
    if t.deadline < iso(app.clock().today()) {
        return Err(AppError::invalid("deadline", "deadline_past"));
    }
    let mut conn = app.store().read().await?;
    let target = units::get(&mut conn, t.target_unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let kinds: Vec<&str> = t
        .target_kinds
        .split(',')
        .filter(|k| !k.is_empty())
        .collect();
    let targets = store::targets(&mut conn, &target.path(), &kinds).await?;
    drop(conn);
    if targets.len() > TARGETS_MAX {
        return Err(AppError::Invalid(vec![
            FieldError::new("target_unit", "too_many_targets").with("max", TARGETS_MAX),
        ]));
    }
    let now = app.now();
    let rows: Vec<NewAssignment> = targets
        .iter()
        .map(|u| NewAssignment {
            id: app.next_id().0,
            task_id: t.id,
            unit_id: u.id,
            due_on: t.deadline.clone(),
        })
        .collect();
    let one = TallyDelta {
        assigned: 1,
        ..TallyDelta::default()
    };
    let deltas = deltas_for(
        t.id,
        targets.iter().map(|u| (&u.path, t.deadline.as_str(), one)),
    );
    let mut tx = Audited::begin(app, allowed).await?;
    if !store::mark_published(&mut tx, t.id, now).await? {
        return Err(AppError::Conflict("task_published"));
    }
    store::insert_assignments(&mut tx, &rows, now).await?;
    store::add_tally(&mut tx, &deltas).await?;
    if !rows.is_empty() {
        let content = format!(
            "【学史·任务下达】{}下达“{}”，完成时限 {}，{}下共 {} 个单位。",
            setter.name,
            t.title,
            t.deadline,
            target.name,
            rows.len()
        );
        crate::webhooks::notify_around(app, &mut tx, &target.path(), &content).await?;
    }
    tx.commit(
        Entry::new("task.publish", "task", Some(id), &t.title)
            .unit(Id(t.unit_id))
            .after(&serde_json::json!({ "assignments": rows.len() })),
    )
    .await?;
    Ok(rows.len())
}

/// Gives units just added the live published tasks whose target subtree
/// holds them (a branch set up after the task went out owes it too):
/// called inside the transaction that adds them.
pub(crate) async fn assign_new_units(
    app: &App,
    tx: &mut sqlx::AnyConnection,
    added: &[(Id, &UnitPath, UnitKind)],
) -> AppResult<()> {
    if added.is_empty() {
        return Ok(());
    }
    let live = store::published_live(tx, &iso(app.clock().today())).await?;
    if live.is_empty() {
        return Ok(());
    }
    let mut rows = Vec::new();
    let mut deltas: HashMap<TallyKey, TallyDelta> = HashMap::new();
    let one = TallyDelta {
        assigned: 1,
        ..TallyDelta::default()
    };
    for t in &live {
        let kinds = kinds_of(&t.target_kinds);
        for (id, path, kind) in added {
            let reaches = path.ids().iter().any(|a| a.0 == t.target_unit_id)
                && (kinds.is_empty() || kinds.contains(kind));
            if !reaches {
                continue;
            }
            rows.push(NewAssignment {
                id: app.next_id().0,
                task_id: t.id,
                unit_id: id.0,
                due_on: t.deadline.clone(),
            });
            for (k, v) in deltas_for(t.id, std::iter::once((*path, t.deadline.as_str(), one))) {
                deltas.entry(k).or_default().assigned += v.assigned;
            }
        }
    }
    store::insert_assignments(tx, &rows, app.now()).await?;
    store::add_tally(tx, &deltas).await?;
    Ok(())
}

/// Moves a subtree's counters from its old ancestors to its new ones
/// (called inside a move's transaction, before the paths change).
pub(crate) async fn move_counters(
    tx: &mut sqlx::AnyConnection,
    root: Id,
    old_parent: Option<&UnitPath>,
    new_parent: &UnitPath,
) -> AppResult<()> {
    let rows = store::tally_of_units(tx, &[root.0]).await?;
    let mut deltas: HashMap<TallyKey, TallyDelta> = HashMap::new();
    for r in rows {
        let d = TallyDelta {
            assigned: r.assigned,
            done: r.done,
            late: r.late,
        };
        if let Some(p) = old_parent {
            for a in p.ids() {
                let e = deltas
                    .entry((a.0, r.task_id, r.due_on.clone()))
                    .or_default();
                e.assigned -= d.assigned;
                e.done -= d.done;
                e.late -= d.late;
            }
        }
        for a in new_parent.ids() {
            let e = deltas
                .entry((a.0, r.task_id, r.due_on.clone()))
                .or_default();
            e.assigned += d.assigned;
            e.done += d.done;
            e.late += d.late;
        }
    }
    store::add_tally(tx, &deltas).await?;
    Ok(())
}

/// Every counter recomputed from the assignments: what `task_tally` must
/// hold (rows that are all zero left out).
pub async fn recount(app: &App) -> AppResult<HashMap<TallyKey, TallyDelta>> {
    let mut conn = app.store().read().await?;
    let rows = store::all_assignments(&mut conn).await?;
    drop(conn);
    let mut out: HashMap<TallyKey, TallyDelta> = HashMap::new();
    for (task, path, due, status, late) in rows {
        let Ok(path) = UnitPath::try_from(path) else {
            continue;
        };
        let done = i64::from(status == "done");
        for a in path.ids() {
            let e = out.entry((a.0, task, due.clone())).or_default();
            e.assigned += 1;
            e.done += done;
            e.late += late * done;
        }
    }
    Ok(out)
}

/// The counters as stored, keyed as [`recount`] keys them.
pub async fn stored_counters(app: &App) -> AppResult<HashMap<TallyKey, TallyDelta>> {
    let mut conn = app.store().read().await?;
    Ok(store::all_tally(&mut conn)
        .await?
        .into_iter()
        .map(|r| {
            (
                (r.unit_id, r.task_id, r.due_on),
                TallyDelta {
                    assigned: r.assigned,
                    done: r.done,
                    late: r.late,
                },
            )
        })
        .collect())
}

/// What a unit's task form offers: its working groups (organs it set up)
/// and the units that may lead or help (itself and those directly below).
pub async fn form_choices(
    app: &App,
    ctx: &Ctx,
    unit: Id,
) -> AppResult<(Vec<(Id, String)>, Vec<(Id, String)>)> {
    let (urow, _) = load_allowed(app, ctx, unit, Action::ViewTree).await?;
    let mut conn = app.store().read().await?;
    let (lo, hi) = urow.path().subtree_range();
    let groups = xueshi_store::organs::in_subtree(&mut conn, &lo, &hi)
        .await?
        .into_iter()
        .filter(|o| o.unit_id == urow.id && o.kind == "working_group")
        .map(|o| (Id(o.id), o.name))
        .collect();
    let mut units_out = vec![(Id(urow.id), urow.name.clone())];
    units_out.extend(
        units::children(&mut conn, urow.id)
            .await?
            .into_iter()
            .map(|c| (Id(c.id), c.name)),
    );
    Ok((groups, units_out))
}

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
async fn check(app: &App, ctx: &Ctx, unit: &UnitRow, input: &TaskInput) -> AppResult<TaskRow> {
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
    let (t, _, allowed) = load_managed(app, ctx, id).await?;
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

fn view_of(
    a: &AssignmentRow,
    t: &TaskRow,
    names: &HashMap<String, (String, bool)>,
    today: &str,
) -> AssignmentView {
    AssignmentView {
        id: Id(a.id),
        task: brief(t, names),
        evidence: Evidence::parse(&t.evidence).unwrap_or(Evidence::Text),
        unit: Id(a.unit_id),
        unit_name: a.unit_name.clone(),
        due_on: a.due_on.clone(),
        status: a.status.clone(),
        extensions: a.extensions,
        late: a.late != 0,
        overdue: a.status != "done" && a.due_on.as_str() < today,
        note: a.note.clone(),
        attendance: a.attendance,
        link: a.link.clone(),
        file_name: a.file_name.clone(),
        done_at: a.done_at,
    }
}

async fn views(app: &App, rows: &[AssignmentRow]) -> AppResult<Vec<AssignmentView>> {
    let mut ids: Vec<i64> = rows.iter().map(|a| a.task_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut conn = app.store().read().await?;
    let tasks: HashMap<i64, TaskRow> = store::many(&mut conn, &ids)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    drop(conn);
    let names = kind_names(app).await?;
    let today = iso(app.clock().today());
    Ok(rows
        .iter()
        .filter_map(|a| tasks.get(&a.task_id).map(|t| view_of(a, t, &names, &today)))
        .collect())
}

/// An assignment the actor may report (its unit is in their scope).
async fn load_assignment<'a>(
    app: &App,
    ctx: &'a Ctx,
    id: Id,
    action: Action,
) -> AppResult<(AssignmentRow, TaskRow, crate::permit::Allowed<'a>)> {
    let mut conn = app.store().read().await?;
    let a = store::assignment(&mut conn, id.0)
        .await?
        .ok_or(AppError::NotFound)?;
    let t = store::get(&mut conn, a.task_id)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(conn);
    let allowed = allow(ctx, action, &a.unit_path)?;
    Ok((a, t, allowed))
}

/// One assignment with its task and history.
pub async fn assignment(
    app: &App,
    ctx: &Ctx,
    id: Id,
) -> AppResult<(AssignmentView, TaskView, Vec<EventView>)> {
    let (a, t, _) = load_assignment(app, ctx, id, Action::ViewTree).await?;
    let mut conn = app.store().read().await?;
    let history = store::history(&mut conn, a.id).await?;
    drop(conn);
    let v = views(app, std::slice::from_ref(&a)).await?.remove(0);
    Ok((
        v,
        task_view(app, &t).await?,
        history.iter().map(EventView::from).collect(),
    ))
}

/// Whether the actor may report an assignment: asked before its form (and
/// its photo) is read, so a foreign id is refused whatever the body.
pub async fn authorize_report(app: &App, ctx: &Ctx, id: Id) -> AppResult<()> {
    load_assignment(app, ctx, id, Action::ManageTasks).await?;
    Ok(())
}

/// Reports an assignment done with the evidence its task asks for.
pub async fn report(app: &App, ctx: &Ctx, id: Id, input: ReportInput) -> AppResult<()> {
    let (a, t, allowed) = load_assignment(app, ctx, id, Action::ManageTasks).await?;
    if a.status == "done" {
        return Err(AppError::Conflict("already_reported"));
    }
    let evidence = Evidence::parse(&t.evidence).unwrap_or(Evidence::Text);
    let mut e = Vec::new();
    let note = text(
        "note",
        &input.note,
        MAX_NOTE,
        evidence == Evidence::Text,
        &mut e,
    );
    let mut report = Report {
        note,
        ..Report::default()
    };
    // Only the evidence the task asks for: anything else is refused rather
    // than silently dropped.
    if input.attendance.is_some() && evidence != Evidence::Attendance {
        e.push(FieldError::new("attendance", "evidence_not_asked"));
    }
    if !input.link.trim().is_empty() && evidence != Evidence::Link {
        e.push(FieldError::new("link", "evidence_not_asked"));
    }
    if input.file.is_some() && evidence != Evidence::File {
        e.push(FieldError::new("file", "evidence_not_asked"));
    }
    if input.photo.is_some() && evidence != Evidence::Photo {
        e.push(FieldError::new("photo", "evidence_not_asked"));
    }
    match evidence {
        Evidence::Text => {}
        Evidence::Attendance => match input.attendance {
            Some(n) if (1..=MAX_ATTENDANCE).contains(&n) => report.attendance = Some(n),
            Some(n) => e.push(
                FieldError::new("attendance", "out_of_range")
                    .with("min", 1)
                    .with("max", MAX_ATTENDANCE)
                    .with("value", n),
            ),
            None => e.push(FieldError::new("attendance", "required")),
        },
        Evidence::Link => match task::check_link(&input.link) {
            Ok(l) => report.link = Some(l),
            Err(f) => e.push(f),
        },
        Evidence::File => match &input.file {
            Some((name, bytes)) => match task::check_document(bytes) {
                Ok(kind) => {
                    let name: String = name.chars().filter(|c| !c.is_control()).take(100).collect();
                    report.file = Some((name, kind.to_owned(), bytes.clone()));
                }
                Err(f) => e.push(f),
            },
            None => e.push(FieldError::new("file", "required")),
        },
        Evidence::Photo => match input.photo {
            Some(raw) => match crate::photo::prepare(app, raw).await {
                Ok(p) => report.file = Some(("photo.jpg".into(), "image/jpeg".into(), p.bytes)),
                Err(f) => e.push(FieldError {
                    field: "photo",
                    ..f
                }),
            },
            None => e.push(FieldError::new("photo", "required")),
        },
    }
    if !e.is_empty() {
        return Err(AppError::Invalid(e));
    }
    let today = iso(app.clock().today());
    let late = a.due_on.as_str() < today.as_str();
    let now = app.now();
    let mut tx = Audited::begin(app, allowed).await?;
    if !store::mark_done(&mut tx, a.id, &report, late, ctx.actor.account_id.0, now).await? {
        return Err(AppError::Conflict("already_reported"));
    }
    let d = TallyDelta {
        assigned: 0,
        done: 1,
        late: i64::from(late),
    };
    store::add_tally(
        &mut tx,
        &deltas_for(t.id, std::iter::once((&a.unit_path, a.due_on.as_str(), d))),
    )
    .await?;
    event(
        app,
        &mut tx,
        ctx,
        &t,
        Some(a.id),
        "report",
        &report.note,
        None,
    )
    .await?;
    tx.commit(
        Entry::new("task.report", "task_assignment", Some(id), &t.title)
            .unit(Id(a.unit_id))
            .after(&serde_json::json!({ "late": late, "evidence": t.evidence })),
    )
    .await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn event(
    app: &App,
    tx: &mut sqlx::AnyConnection,
    ctx: &Ctx,
    t: &TaskRow,
    assignment: Option<i64>,
    kind: &str,
    body: &str,
    due_on: Option<String>,
) -> AppResult<()> {
    store::insert_event(
        tx,
        &EventRow {
            id: app.next_id().0,
            task_id: t.id,
            assignment_id: assignment,
            kind: kind.into(),
            body: body.into(),
            due_on,
            account_id: Some(ctx.actor.account_id.0),
            actor_name: ctx.actor.display_name.clone(),
            created_at: app.now(),
        },
    )
    .await?;
    Ok(())
}

/// Sends a reported assignment back (退回) with the office's reason.
pub async fn send_back(app: &App, ctx: &Ctx, id: Id, reason: &str) -> AppResult<()> {
    let (a, t, _) = load_assignment(app, ctx, id, Action::ViewTree).await?;
    let (_, _, allowed) = load_managed(app, ctx, Id(t.id)).await?;
    let mut e = Vec::new();
    let reason = text("reason", reason, 500, true, &mut e);
    if !e.is_empty() {
        return Err(AppError::Invalid(e));
    }
    if a.status != "done" {
        return Err(AppError::Conflict("not_reported"));
    }
    let mut tx = Audited::begin(app, allowed).await?;
    if !store::mark_returned(&mut tx, a.id, app.now()).await? {
        return Err(AppError::Conflict("not_reported"));
    }
    let d = TallyDelta {
        assigned: 0,
        done: -1,
        late: -a.late,
    };
    store::add_tally(
        &mut tx,
        &deltas_for(t.id, std::iter::once((&a.unit_path, a.due_on.as_str(), d))),
    )
    .await?;
    event(app, &mut tx, ctx, &t, Some(a.id), "return", &reason, None).await?;
    tx.commit(
        Entry::new("task.return", "task_assignment", Some(id), &t.title)
            .unit(Id(a.unit_id))
            .after(&serde_json::json!({ "reason": reason })),
    )
    .await?;
    Ok(())
}

/// Moves an assignment's deadline (延期), with the reason; the count of
/// extensions is kept.
pub async fn extend(app: &App, ctx: &Ctx, id: Id, due_on: &str, reason: &str) -> AppResult<()> {
    let (a, t, _) = load_assignment(app, ctx, id, Action::ViewTree).await?;
    let (_, _, allowed) = load_managed(app, ctx, Id(t.id)).await?;
    let mut e = Vec::new();
    let reason = text("reason", reason, 500, true, &mut e);
    let due = due_on.trim();
    let campaign = {
        let mut conn = app.store().read().await?;
        xueshi_store::study::campaign(&mut conn, t.campaign_id).await?
    };
    match (from_iso(due), campaign) {
        (None, _) => e.push(FieldError::new("due_on", "bad_date").with("value", due)),
        (Some(_), Some(c)) if due > c.ends_on.as_str() => e.push(
            FieldError::new("due_on", "deadline_outside_campaign")
                .with("from", &c.starts_on)
                .with("to", &c.ends_on),
        ),
        (Some(_), _) if due <= a.due_on.as_str() => {
            e.push(FieldError::new("due_on", "extension_not_later").with("value", &a.due_on));
        }
        _ => {}
    }
    if !e.is_empty() {
        return Err(AppError::Invalid(e));
    }
    if a.status == "done" {
        return Err(AppError::Conflict("already_reported"));
    }
    let mut tx = Audited::begin(app, allowed).await?;
    if !store::extend(&mut tx, a.id, due, app.now()).await? {
        return Err(AppError::Conflict("already_reported"));
    }
    let off = TallyDelta {
        assigned: -1,
        ..TallyDelta::default()
    };
    let on = TallyDelta {
        assigned: 1,
        ..TallyDelta::default()
    };
    let mut d = deltas_for(
        t.id,
        std::iter::once((&a.unit_path, a.due_on.as_str(), off)),
    );
    for (k, v) in deltas_for(t.id, std::iter::once((&a.unit_path, due, on))) {
        let e = d.entry(k).or_default();
        e.assigned += v.assigned;
    }
    store::add_tally(&mut tx, &d).await?;
    event(
        app,
        &mut tx,
        ctx,
        &t,
        Some(a.id),
        "extend",
        &reason,
        Some(due.to_owned()),
    )
    .await?;
    tx.commit(
        Entry::new("task.extend", "task_assignment", Some(id), &t.title)
            .unit(Id(a.unit_id))
            .before(&serde_json::json!({ "due_on": a.due_on }))
            .after(&serde_json::json!({ "due_on": due, "reason": reason })),
    )
    .await?;
    Ok(())
}

/// A task the actor may read: its target subtree and the actor's scope
/// overlap. Returns the task and where the reader's figures are counted.
async fn load_readable(app: &App, ctx: &Ctx, id: Id) -> AppResult<(TaskRow, UnitRow)> {
    // Members study; tasks are their secretaries' work.
    if ctx.actor.role == Role::Member {
        return Err(AppError::Forbidden(
            xueshi_domain::access::Denied::RoleLacks,
        ));
    }
    let mut conn = app.store().read().await?;
    let t = store::get(&mut conn, id.0)
        .await?
        .ok_or(AppError::NotFound)?;
    let target = units::get(&mut conn, t.target_unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let setter = units::get(&mut conn, t.unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let within = if may(ctx, Action::ViewTree, &setter.path()) {
        target
    } else if ctx.actor.scope.is_within(&target.path()) && t.status == "published" {
        units::get(&mut conn, ctx.actor.scope_unit.0)
            .await?
            .ok_or(AppError::NotFound)?
    } else {
        return Err(AppError::Forbidden(
            xueshi_domain::access::Denied::OutOfScope,
        ));
    };
    allow(ctx, Action::ViewTree, &within.path())?;
    Ok((t, within))
}

async fn task_view(app: &App, t: &TaskRow) -> AppResult<TaskView> {
    let names = kind_names(app).await?;
    let mut conn = app.store().read().await?;
    let target = units::get(&mut conn, t.target_unit_id).await?;
    let lead = match t.lead_unit_id {
        Some(l) => units::get(&mut conn, l).await?,
        None => None,
    };
    let organ = match t.organ_id {
        Some(o) => xueshi_store::organs::get(&mut conn, o).await?,
        None => None,
    };
    let (kind_name, mandated) = names
        .get(&t.kind)
        .cloned()
        .unwrap_or((t.kind.clone(), false));
    Ok(TaskView {
        id: Id(t.id),
        unit: Id(t.unit_id),
        campaign: Id(t.campaign_id),
        kind: t.kind.clone(),
        kind_name,
        mandated,
        title: t.title.clone(),
        body: t.body.clone(),
        deadline: t.deadline.clone(),
        target_unit: Id(t.target_unit_id),
        target_name: target.map(|u| u.name).unwrap_or_default(),
        target_kinds: kinds_of(&t.target_kinds),
        evidence: Evidence::parse(&t.evidence).unwrap_or(Evidence::Text),
        lead_unit: t.lead_unit_id.map(Id),
        lead_name: lead.map(|u| u.name),
        co_units: t
            .co_units
            .split(',')
            .filter_map(|s| s.parse().ok())
            .map(Id)
            .collect(),
        organ: t.organ_id.map(Id),
        organ_name: organ.map(|o| o.name),
        published: t.status == "published",
    })
}

/// A task with its comments and completion within the reader's reach.
pub async fn detail(app: &App, ctx: &Ctx, id: Id) -> AppResult<TaskDetail> {
    let (t, within) = load_readable(app, ctx, id).await?;
    let mut conn = app.store().read().await?;
    let comments = store::comments(&mut conn, t.id).await?;
    let following = store::follows(&mut conn, t.id, ctx.actor.account_id.0).await?;
    let counters = store::tally_of_units(&mut conn, &[within.id]).await?;
    let not_done = store::in_subtree(&mut conn, t.id, &within.path(), false, 500).await?;
    let done = store::in_subtree(&mut conn, t.id, &within.path(), true, 200).await?;
    drop(conn);
    let today = iso(app.clock().today());
    let mut completion = Completion::default();
    for r in counters.iter().filter(|r| r.task_id == t.id) {
        completion.add(r, &today);
    }
    let setter_path = {
        let mut conn = app.store().read().await?;
        units::get(&mut conn, t.unit_id).await?.map(|u| u.path())
    };
    Ok(TaskDetail {
        task: task_view(app, &t).await?,
        comments: comments.iter().map(EventView::from).collect(),
        following,
        may_manage: setter_path.is_some_and(|p| may(ctx, Action::ManageTasks, &p)),
        within: Id(within.id),
        within_name: within.name.clone(),
        completion,
        not_done: views(app, &not_done).await?,
        done: views(app, &done).await?,
    })
}

/// A leader's comment on a task (批示).
pub async fn comment(app: &App, ctx: &Ctx, id: Id, body: &str) -> AppResult<()> {
    // Who may comment is settled before what they wrote is read.
    let (t, within) = load_readable(app, ctx, id).await?;
    let allowed = allow(ctx, Action::ViewTree, &within.path())?;
    let mut e = Vec::new();
    let body = text("body", body, 1000, true, &mut e);
    if !e.is_empty() {
        return Err(AppError::Invalid(e));
    }
    let mut tx = Audited::begin(app, allowed).await?;
    event(app, &mut tx, ctx, &t, None, "comment", &body, None).await?;
    tx.commit(
        Entry::new("task.comment", "task", Some(id), &t.title)
            .unit(Id(t.unit_id))
            .after(&serde_json::json!({ "body": body })),
    )
    .await?;
    Ok(())
}

/// Follows a task, or stops following it.
pub async fn follow(app: &App, ctx: &Ctx, id: Id, on: bool) -> AppResult<()> {
    let (t, within) = load_readable(app, ctx, id).await?;
    let allowed = allow(ctx, Action::ViewTree, &within.path())?;
    let mut tx = Audited::begin(app, allowed).await?;
    store::follow(&mut tx, t.id, ctx.actor.account_id.0, on).await?;
    tx.commit(Entry::new(
        if on { "task.follow" } else { "task.unfollow" },
        "task",
        Some(id),
        &t.title,
    ))
    .await?;
    Ok(())
}

/// The tasks a unit set, drafts included.
pub async fn set_by(app: &App, ctx: &Ctx, unit: Id) -> AppResult<(UnitRow, Vec<TaskView>, bool)> {
    let (urow, _) = load_allowed(app, ctx, unit, Action::ViewTree).await?;
    let mut conn = app.store().read().await?;
    let rows = store::set_by(&mut conn, urow.id).await?;
    drop(conn);
    let mut out = Vec::with_capacity(rows.len());
    for t in &rows {
        out.push(task_view(app, t).await?);
    }
    let may_write = may(ctx, Action::ManageTasks, &urow.path());
    Ok((urow, out, may_write))
}

/// Completion by unit × task under a unit: its own line and one per unit
/// directly below, every task that reaches it — all read from counters.
pub async fn matrix(app: &App, ctx: &Ctx, unit: Id) -> AppResult<Matrix> {
    let (urow, _) = load_allowed(app, ctx, unit, Action::ViewTree).await?;
    let mut conn = app.store().read().await?;
    let children = units::children(&mut conn, urow.id).await?;
    let mut ids = vec![urow.id];
    ids.extend(children.iter().map(|c| c.id));
    let counters = store::tally_of_units(&mut conn, &ids).await?;
    let mut task_ids: Vec<i64> = counters
        .iter()
        .filter(|r| r.unit_id == urow.id)
        .map(|r| r.task_id)
        .collect();
    task_ids.sort_unstable();
    task_ids.dedup();
    let mut tasks = store::many(&mut conn, &task_ids).await?;
    drop(conn);
    tasks.sort_by(|a, b| (&a.deadline, a.id).cmp(&(&b.deadline, b.id)));
    let names = kind_names(app).await?;
    let today = iso(app.clock().today());
    let col: HashMap<i64, usize> = tasks.iter().enumerate().map(|(i, t)| (t.id, i)).collect();
    let mut cells: BTreeMap<i64, Vec<Option<Completion>>> = BTreeMap::new();
    for r in &counters {
        let Some(&c) = col.get(&r.task_id) else {
            continue;
        };
        let line = cells
            .entry(r.unit_id)
            .or_insert_with(|| vec![None; tasks.len()]);
        line[c]
            .get_or_insert_with(Completion::default)
            .add(r, &today);
    }
    let mut line = |id: i64, name: &str| MatrixRow {
        unit: Id(id),
        name: name.to_owned(),
        cells: cells.remove(&id).unwrap_or_else(|| vec![None; tasks.len()]),
    };
    let total = line(urow.id, &urow.name);
    let rows = children.iter().map(|c| line(c.id, &c.name)).collect();
    Ok(Matrix {
        unit: Id(urow.id),
        unit_name: urow.name.clone(),
        tasks: tasks.iter().map(|t| brief(t, &names)).collect(),
        total,
        rows,
    })
}

/// The actor's own unit's assignments, sorted into the home page's to-do.
pub async fn to_do(app: &App, ctx: &Ctx) -> AppResult<ToDo> {
    if !may(ctx, Action::ManageTasks, &ctx.actor.scope) {
        return Ok(ToDo::default());
    }
    let mut conn = app.store().read().await?;
    let rows = store::of_unit(&mut conn, ctx.actor.scope_unit.0).await?;
    drop(conn);
    let today = app.clock().today();
    let week_end =
        iso(today + time::Duration::days(i64::from(6 - today.weekday().number_days_from_monday())));
    let mut out = ToDo::default();
    for v in views(app, &rows).await? {
        if v.status == "done" {
            continue;
        }
        if v.status == "returned" {
            out.returned.push(v);
        } else if v.overdue {
            out.overdue.push(v);
        } else if v.due_on <= week_end {
            out.due_this_week.push(v);
        } else {
            out.later.push(v);
        }
    }
    Ok(out)
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

/// The matrix as a workbook: units down, tasks across, "done/assigned"
/// with overdue counts, and a sheet per task of the units not done.
pub async fn matrix_workbook(app: &App, ctx: &Ctx, unit: Id) -> AppResult<(String, Vec<u8>)> {
    let m = matrix(app, ctx, unit).await?;
    let (urow, allowed) = load_allowed(app, ctx, unit, Action::ViewTree).await?;
    let wrap = |e: rust_xlsxwriter::XlsxError| AppError::Internal(e.into());
    let mut book = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name("完成情况").map_err(wrap)?;
    sheet
        .write_string_with_format(0, 0, "组织", &bold)
        .map_err(wrap)?;
    for (c, t) in m.tasks.iter().enumerate() {
        let head = format!("{}（{}）", crate::sheet::safe_text(&t.title), t.deadline);
        sheet
            .write_string_with_format(0, c as u16 + 1, &head, &bold)
            .map_err(wrap)?;
        sheet.set_column_width(c as u16 + 1, 18).map_err(wrap)?;
    }
    sheet.set_column_width(0, 30).map_err(wrap)?;
    for (r, row) in std::iter::once(&m.total).chain(m.rows.iter()).enumerate() {
        let r = r as u32 + 1;
        sheet
            .write_string(r, 0, crate::sheet::safe_text(&row.name))
            .map_err(wrap)?;
        for (c, cell) in row.cells.iter().enumerate() {
            if let Some(x) = cell {
                let s = if x.overdue > 0 {
                    format!("{}/{}（逾期{}）", x.done, x.assigned, x.overdue)
                } else {
                    format!("{}/{}", x.done, x.assigned)
                };
                sheet.write_string(r, c as u16 + 1, &s).map_err(wrap)?;
            }
        }
    }
    let owing = book.add_worksheet();
    owing.set_name("未完成单位").map_err(wrap)?;
    for (c, h) in ["任务", "组织", "期限", "状态", "延期次数"]
        .iter()
        .enumerate()
    {
        owing
            .write_string_with_format(0, c as u16, *h, &bold)
            .map_err(wrap)?;
    }
    let mut r = 1u32;
    let today = iso(app.clock().today());
    for t in &m.tasks {
        let mut conn = app.store().read().await?;
        let rows = store::in_subtree(&mut conn, t.id.0, &urow.path(), false, 20_000).await?;
        drop(conn);
        for a in rows {
            let state = match (a.status.as_str(), a.due_on < today) {
                ("returned", _) => "已退回",
                (_, true) => "逾期未完成",
                _ => "未完成",
            };
            owing
                .write_string(r, 0, crate::sheet::safe_text(&t.title))
                .map_err(wrap)?;
            owing
                .write_string(r, 1, crate::sheet::safe_text(&a.unit_name))
                .map_err(wrap)?;
            owing.write_string(r, 2, &a.due_on).map_err(wrap)?;
            owing.write_string(r, 3, state).map_err(wrap)?;
            owing
                .write_number(r, 4, a.extensions as f64)
                .map_err(wrap)?;
            r += 1;
        }
    }
    owing.set_column_width(0, 30).map_err(wrap)?;
    owing.set_column_width(1, 30).map_err(wrap)?;
    let bytes = book.save_to_buffer().map_err(wrap)?;
    let tx = Audited::begin(app, allowed).await?;
    tx.commit(
        Entry::new("task.export", "unit", Some(unit), &urow.name)
            .unit(unit)
            .after(&serde_json::json!({ "tasks": m.tasks.len(), "owing": r - 1 })),
    )
    .await?;
    Ok((format!("tasks-{}.xlsx", unit.0), bytes))
}

/// An assignment's evidence document or photo, for those who may read it.
pub async fn evidence_file(app: &App, ctx: &Ctx, id: Id) -> AppResult<(String, String, Vec<u8>)> {
    let (a, _, _) = load_assignment(app, ctx, id, Action::ViewTree).await?;
    let mut conn = app.store().read().await?;
    store::file(&mut conn, a.id)
        .await?
        .ok_or(AppError::NotFound)
}

/// One task on a working group's timeline.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RoadmapTask {
    pub task: TaskBrief,
    pub published: bool,
    /// Where its bar starts and how wide it is, in percent of the campaign.
    pub start_pct: f64,
    pub width_pct: f64,
    pub completion: Completion,
}

/// A working group (领导小组的工作组) and its tasks, by deadline.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RoadmapGroup {
    pub organ: Option<Id>,
    /// The group's name; empty for tasks no group is responsible for.
    pub name: String,
    pub tasks: Vec<RoadmapTask>,
}

/// The roadmap (工作任务路线图): a unit's tasks per working group on the
/// campaign's timeline.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Roadmap {
    pub unit: Id,
    pub unit_name: String,
    pub from: String,
    pub to: String,
    /// Where today falls, in percent of the campaign.
    pub today_pct: f64,
    pub groups: Vec<RoadmapGroup>,
}

/// A unit's tasks grouped by working group on the timeline of the campaign
/// governing it, each with its completion from the counters.
pub async fn roadmap(app: &App, ctx: &Ctx, unit: Id) -> AppResult<Roadmap> {
    let (urow, _) = load_allowed(app, ctx, unit, Action::ViewTree).await?;
    let today = app.clock().today();
    let campaign = crate::participant::campaign(app, &urow.path(), today).await?;
    let mut conn = app.store().read().await?;
    let mut rows = store::set_by(&mut conn, urow.id).await?;
    let targets: Vec<i64> = rows.iter().map(|t| t.target_unit_id).collect();
    let counters = store::tally_of_units(&mut conn, &targets).await?;
    let mut organs: HashMap<i64, String> = HashMap::new();
    for o in rows.iter().filter_map(|t| t.organ_id) {
        if let std::collections::hash_map::Entry::Vacant(e) = organs.entry(o)
            && let Some(org) = xueshi_store::organs::get(&mut conn, o).await?
        {
            e.insert(org.name);
        }
    }
    drop(conn);
    if let Some(c) = &campaign {
        rows.retain(|t| t.campaign_id == c.id);
    }
    let (from, to) = match &campaign {
        Some(c) => (c.starts_on.clone(), c.ends_on.clone()),
        None => (
            rows.iter()
                .map(|t| t.deadline.clone())
                .min()
                .unwrap_or_else(|| iso(today)),
            rows.iter()
                .map(|t| t.deadline.clone())
                .max()
                .unwrap_or_else(|| iso(today)),
        ),
    };
    let (f, l) = (
        from_iso(&from).unwrap_or(today),
        from_iso(&to).unwrap_or(today),
    );
    let span = ((l - f).whole_days().max(1)) as f64;
    let pct = |d: time::Date| (((d - f).whole_days() as f64) / span * 100.0).clamp(0.0, 100.0);
    let today_s = iso(today);
    let names = kind_names(app).await?;
    let mut groups: BTreeMap<(bool, String), RoadmapGroup> = BTreeMap::new();
    for t in &rows {
        let name = t
            .organ_id
            .and_then(|o| organs.get(&o).cloned())
            .unwrap_or_default();
        let g = groups
            .entry((name.is_empty(), name.clone()))
            .or_insert_with(|| RoadmapGroup {
                organ: t.organ_id.map(Id),
                name,
                tasks: Vec::new(),
            });
        let published_on = t.published_at.map_or(f, crate::clock::date_of).max(f);
        let due = from_iso(&t.deadline).unwrap_or(l);
        let start = pct(published_on);
        let mut completion = Completion::default();
        for r in counters
            .iter()
            .filter(|r| r.task_id == t.id && r.unit_id == t.target_unit_id)
        {
            completion.add(r, &today_s);
        }
        g.tasks.push(RoadmapTask {
            task: brief(t, &names),
            published: t.status == "published",
            start_pct: start,
            width_pct: (pct(due) - start).max(1.0),
            completion,
        });
    }
    Ok(Roadmap {
        unit,
        unit_name: urow.name.clone(),
        from,
        to,
        today_pct: pct(today),
        groups: groups.into_values().collect(),
    })
}

/// The key-task schedule (重点任务安排表) as a workbook: one row per task
/// with its kind, lead and co-units, working group, deadline and
/// completion; plain cells and explicit widths, so Excel and WPS open it
/// alike.
pub async fn schedule_workbook(app: &App, ctx: &Ctx, unit: Id) -> AppResult<(String, Vec<u8>)> {
    let map = roadmap(app, ctx, unit).await?;
    let (urow, allowed) = load_allowed(app, ctx, unit, Action::ViewTree).await?;
    let mut conn = app.store().read().await?;
    let rows = store::set_by(&mut conn, urow.id).await?;
    let mut unit_names: HashMap<i64, String> = HashMap::new();
    let named: Vec<i64> = rows
        .iter()
        .flat_map(|t| {
            let co: Vec<i64> = t
                .co_units
                .split(',')
                .filter_map(|s| s.parse().ok())
                .collect();
            t.lead_unit_id.into_iter().chain(co)
        })
        .collect();
    for id in named {
        if let std::collections::hash_map::Entry::Vacant(e) = unit_names.entry(id)
            && let Some(u) = units::get(&mut conn, id).await?
        {
            e.insert(u.name);
        }
    }
    drop(conn);
    let by_id: HashMap<i64, &TaskRow> = rows.iter().map(|t| (t.id, t)).collect();
    let wrap = |e: rust_xlsxwriter::XlsxError| AppError::Internal(e.into());
    let mut book = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new()
        .set_bold()
        .set_text_wrap()
        .set_border(rust_xlsxwriter::FormatBorder::Thin);
    let cell = rust_xlsxwriter::Format::new()
        .set_text_wrap()
        .set_border(rust_xlsxwriter::FormatBorder::Thin);
    let sheet = book.add_worksheet();
    sheet.set_name("重点任务安排表").map_err(wrap)?;
    let title = format!("{}重点任务安排表", crate::sheet::safe_text(&urow.name));
    sheet
        .write_string_with_format(0, 0, &title, &bold)
        .map_err(wrap)?;
    let heads = [
        "序号",
        "工作组",
        "任务类型",
        "重点任务",
        "牵头单位",
        "配合单位",
        "完成时限",
        "完成情况",
    ];
    let widths = [6.0, 16.0, 14.0, 36.0, 20.0, 24.0, 12.0, 16.0];
    for (c, (h, w)) in heads.iter().zip(widths).enumerate() {
        sheet
            .write_string_with_format(1, c as u16, *h, &bold)
            .map_err(wrap)?;
        sheet.set_column_width(c as u16, w).map_err(wrap)?;
    }
    let mut r = 2u32;
    for g in &map.groups {
        for t in &g.tasks {
            let Some(row) = by_id.get(&t.task.id.0) else {
                continue;
            };
            let name_of = |id: i64| unit_names.get(&id).cloned().unwrap_or_default();
            let co: Vec<String> = row
                .co_units
                .split(',')
                .filter_map(|s| s.parse().ok())
                .map(name_of)
                .collect();
            let state = if t.published {
                format!(
                    "{}/{}（逾期{}）",
                    t.completion.done, t.completion.assigned, t.completion.overdue
                )
            } else {
                "未发布".to_owned()
            };
            let values = [
                (r - 1).to_string(),
                if g.name.is_empty() {
                    "—".to_owned()
                } else {
                    g.name.clone()
                },
                t.task.kind_name.clone(),
                t.task.title.clone(),
                row.lead_unit_id.map(name_of).unwrap_or_default(),
                co.join("、"),
                t.task.deadline.clone(),
                state,
            ];
            for (c, v) in values.iter().enumerate() {
                sheet
                    .write_string_with_format(r, c as u16, crate::sheet::safe_text(v), &cell)
                    .map_err(wrap)?;
            }
            r += 1;
        }
    }
    let bytes = book.save_to_buffer().map_err(wrap)?;
    let tx = Audited::begin(app, allowed).await?;
    tx.commit(
        Entry::new("task.schedule", "unit", Some(unit), &urow.name)
            .unit(unit)
            .after(&serde_json::json!({ "tasks": r - 2 })),
    )
    .await?;
    Ok((format!("schedule-{}.xlsx", unit.0), bytes))
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

//! A task as the office and leaders follow it: its page (completion
//! within the reader's reach, the units still owing it), comments (批示)
//! and following, a unit's task list, the completion matrix and a
//! secretary's to-do.

use super::*;

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

pub(super) async fn task_view(app: &App, t: &TaskRow) -> AppResult<TaskView> {
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

//! One unit's share of a task: reading it, reporting it done with the
//! evidence the task asks for, and the office sending it back or
//! extending its deadline — each moving the counters along the unit's
//! ancestors in the same transaction.

use super::*;

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

pub(super) async fn views(app: &App, rows: &[AssignmentRow]) -> AppResult<Vec<AssignmentView>> {
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
pub(super) async fn event(
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
    let content = format!(
        "【学史·任务退回】“{}”：{}的报送被退回，原因：{}",
        t.title, a.unit_name, reason
    );
    crate::webhooks::notify_above(app, &mut tx, &a.unit_path, &content).await?;
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

/// An assignment's evidence document or photo, for those who may read it.
pub async fn evidence_file(app: &App, ctx: &Ctx, id: Id) -> AppResult<(String, String, Vec<u8>)> {
    let (a, _, _) = load_assignment(app, ctx, id, Action::ViewTree).await?;
    let mut conn = app.store().read().await?;
    store::file(&mut conn, a.id)
        .await?
        .ok_or(AppError::NotFound)
}

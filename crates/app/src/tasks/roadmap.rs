//! The task list on paper: the roadmap (工作任务路线图) per working group,
//! the key-task schedule (重点任务安排表) and the completion matrix as
//! workbooks.

use super::*;

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

//! The catalogue (实事目录) as a workbook: imported all-or-nothing with every
//! bad cell named by row and column, exported in the import's layout with
//! each matter's state and outcomes after it (read back, those columns are
//! ignored, and every exported matter is reported as already there).

use std::collections::HashMap;

use xueshi_domain::access::Action;
use xueshi_domain::date::iso;
use xueshi_domain::{FieldError, Id};
use xueshi_store::matter_board::{self, BoardFilter};
use xueshi_store::{matters, units};

use super::{MatterInput, cadence, draft, event_row};
use crate::audit::{Audited, Entry};
use crate::permit::{allow, allow_in_scope};
use crate::roster::{Column, RowError};
use crate::sheet::safe_text;
use crate::sheet::{self, FormulaCells, RowErrors, Wanted, gaps, layout};
use crate::{App, AppError, AppResult, Ctx};

const SHEET: &str = "实事目录";

/// The import's columns, then the state the export adds (ignored on import).
pub const CATALOGUE_COLUMNS: [Column; 15] = [
    Column::text("title", "标题", true),
    Column::text("level", "级别", true),
    Column::text("field", "领域", true),
    Column::text("unit_code", "责任单位编码", true),
    Column::text("deadline", "完成时限", true),
    Column::text("target", "目标", false),
    Column::text("budget_yuan", "预算（元）", false),
    Column::text("description", "说明", false),
    Column::text("status", "状态", false),
    Column::text("progress", "进度（%）", false),
    Column::text("affairs", "帮办事务（件）", false),
    Column::text("problems_solved", "解决急难愁事项（个）", false),
    Column::text("disputes", "化解矛盾纠纷（件）", false),
    Column::text("people_served", "服务群众（人次）", false),
    Column::text("enterprises_served", "服务企业（家）", false),
];
const IMPORTED: usize = 8;

/// What a catalogue import put on the catalogue.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct CatalogueImported {
    pub matters: u64,
    /// Cells that held formulas, read as their saved values.
    pub formulas: FormulaCells,
}

/// Checks a catalogue workbook and, when every row is right, puts all its
/// matters on the catalogue in one transaction.
pub async fn import_catalogue(
    app: &App,
    ctx: &Ctx,
    name: &str,
    bytes: Vec<u8>,
) -> AppResult<CatalogueImported> {
    let allowed = allow_in_scope(ctx, Action::ManageMatters)?;
    let mut book = sheet::read(
        app,
        bytes,
        &[Wanted {
            name: SHEET,
            key: "matters",
            columns: &CATALOGUE_COLUMNS,
        }],
    )
    .await?;
    let formulas = book.formula_cells();
    let sheet = book
        .sheets
        .pop()
        .flatten()
        .ok_or_else(|| AppError::Rejected(vec![RowError::file("no_matters_sheet")]))?;
    let mut errors = RowErrors::new(&app.settings().import);
    let l = layout("matters", &sheet, &CATALOGUE_COLUMNS, &mut errors);
    gaps(&l, &sheet, &mut errors);
    if !errors.is_empty() {
        return Err(errors.into_rejected(&["matters"]));
    }
    let mut conn = app.store().read().await?;
    let fields = matters::fields(&mut conn).await?;
    let codes: Vec<String> = sheet
        .rows
        .iter()
        .map(|r| l.cell(r, "unit_code").to_owned())
        .filter(|c| !c.is_empty())
        .collect();
    let known_units = units::by_codes(&mut conn, &codes).await?;
    let mut first: HashMap<(i64, String), u32> = HashMap::new();
    let mut out = Vec::new();
    for cells in &sheet.rows {
        let row = &cells.num;
        let code = l.cell(cells, "unit_code");
        let unit = known_units.iter().find(|u| u.code == code);
        let mut bad = Vec::new();
        match unit {
            None if code.is_empty() => bad.push(FieldError::new("unit_code", "required")),
            None => bad.push(FieldError::new("unit_code", "unknown_unit").with("value", code)),
            Some(u) if !u.path().is_within(&ctx.actor.scope) => {
                bad.push(FieldError::new("unit_code", "out_of_scope").with("value", code));
            }
            Some(_) => {}
        }
        let input = MatterInput {
            unit_id: Id(unit.map_or(0, |u| u.id)),
            title: l.cell(cells, "title").to_owned(),
            description: l.cell(cells, "description").to_owned(),
            level: l.cell(cells, "level").to_owned(),
            field: l.cell(cells, "field").to_owned(),
            deadline: l.cell(cells, "deadline").to_owned(),
            target: l.cell(cells, "target").to_owned(),
            budget_yuan: l.cell(cells, "budget_yuan").to_owned(),
        };
        let drafted = draft(app, &input, &fields).map_err(|e| bad.extend(e)).ok();
        let (Some(unit), Some((m, _)), true) = (unit, drafted, bad.is_empty()) else {
            errors.extend(bad.into_iter().map(|e| l.error(*row, e)));
            continue;
        };
        let key = (unit.id, m.title_folded.clone());
        if let Some(r) = first.get(&key) {
            errors.push(l.error(
                *row,
                FieldError::new("title", "duplicate_in_file").with("row", r),
            ));
            continue;
        }
        if matters::find_by_title(&mut conn, unit.id, &m.title_folded)
            .await?
            .is_some()
        {
            errors.push(l.error(*row, FieldError::new("title", "matter_exists")));
            continue;
        }
        first.insert(key, *row);
        out.push((m, unit.path()));
    }
    drop(conn);
    if out.is_empty() && errors.is_empty() {
        errors.push(RowError::file("no_rows"));
    }
    if !errors.is_empty() {
        return Err(errors.into_rejected(&["matters"]));
    }
    let mut cadences: HashMap<i64, i64> = HashMap::new();
    for (m, path) in &mut out {
        m.report_days = match cadences.get(&m.unit_id) {
            Some(d) => *d,
            None => {
                let d = cadence(app, path).await?;
                cadences.insert(m.unit_id, d);
                d
            }
        };
    }
    let mut tx = Audited::begin(app, allowed).await?;
    for (m, _) in &out {
        matters::insert(&mut tx, m).await?;
        let e = event_row(
            app,
            &ctx.actor.display_name,
            m,
            "approve",
            "collected",
            name,
        );
        matters::insert_event(&mut tx, &e).await?;
    }
    tx.commit(
        Entry::new("matter.import", "matters", None, name)
            .unit(ctx.actor.scope_unit)
            .after(&serde_json::json!({ "file": name, "matters": out.len() })),
    )
    .await?;
    app.catalogue_changed();
    Ok(CatalogueImported {
        matters: out.len() as u64,
        formulas,
    })
}

/// A subtree's catalogue as a workbook (audited as an export).
pub async fn export_catalogue(app: &App, ctx: &Ctx, unit: Id) -> AppResult<(String, Vec<u8>)> {
    let (u, rows, allowed) = {
        let mut conn = app.store().read().await?;
        let u = units::get(&mut conn, unit.0)
            .await?
            .ok_or(AppError::NotFound)?;
        let allowed = allow(ctx, Action::ViewMatters, &u.path())?;
        let f = BoardFilter {
            subtree: u.path(),
            status: None,
            levels: Vec::new(),
            field_id: None,
            overdue: false,
            behind_report: false,
            today: iso(app.clock().today()),
            now: app.now(),
        };
        let (rows, _) = matter_board::page(&mut conn, &f, i64::MAX, 0).await?;
        let mut full = Vec::with_capacity(rows.len());
        let codes: HashMap<i64, String> = units::by_ids(
            &mut conn,
            &rows.iter().map(|r| r.unit_id).collect::<Vec<_>>(),
        )
        .await?
        .into_iter()
        .map(|u| (u.id, u.code))
        .collect();
        for r in rows {
            if let Some(m) = matters::get(&mut conn, r.id).await? {
                let code = codes.get(&m.unit_id).cloned().unwrap_or_default();
                full.push((m, r.field, code));
            }
        }
        (u, full, allowed)
    };
    let xlsx = |e: rust_xlsxwriter::XlsxError| AppError::Internal(e.into());
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(SHEET).map_err(xlsx)?;
    crate::roster::export::header(ws, &CATALOGUE_COLUMNS).map_err(xlsx)?;
    for (i, (m, field, code)) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        let level = m.level.label_zh();
        let status = m.status.label_zh();
        let budget = if m.budget_fen == 0 {
            String::new()
        } else {
            format!("{}.{:02}", m.budget_fen / 100, m.budget_fen % 100)
        };
        let texts = [
            m.title.as_str(),
            level,
            field.as_str(),
            code.as_str(),
            m.deadline.as_str(),
            m.target.as_str(),
            budget.as_str(),
            m.description.as_str(),
            status,
        ];
        for (c, t) in texts.iter().enumerate() {
            ws.write_string(r, c as u16, safe_text(t)).map_err(xlsx)?;
        }
        let numbers = [
            m.progress,
            m.affairs,
            m.problems_solved,
            m.disputes,
            m.people_served,
            m.enterprises_served,
        ];
        for (c, n) in numbers.iter().enumerate() {
            ws.write_number(r, (IMPORTED + 1 + c) as u16, *n as f64)
                .map_err(xlsx)?;
        }
    }
    ws.set_column_width(0, 36).map_err(xlsx)?;
    let bytes = wb.save_to_buffer().map_err(xlsx)?;
    let tx = Audited::begin(app, allowed).await?;
    tx.commit(
        Entry::new("matter.export", "matters", None, &u.name)
            .unit(unit)
            .after(&serde_json::json!({ "matters": rows.len() })),
    )
    .await?;
    Ok((
        format!("实事目录-{}-{}.xlsx", u.name, iso(app.clock().today())),
        bytes,
    ))
}

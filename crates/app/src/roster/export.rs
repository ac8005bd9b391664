//! Writing roster workbooks: the empty template and a subtree's roster.
//! Personal numbers are masked unless the actor may unmask them and asks to.

use std::collections::HashMap;

use rust_xlsxwriter::{DataValidation, Format, Workbook, Worksheet, XlsxError};
use xueshi_domain::Id;
use xueshi_domain::access::Action;
use xueshi_domain::member::{CadreLevel, Gender, MemberStatus};
use xueshi_domain::unit::UnitKind;
use xueshi_store::{members, units};

use super::{Column, MEMBER_COLUMNS, MEMBER_SHEET, UNIT_COLUMNS, UNIT_SHEET};
use crate::audit::{Audited, Entry, record_denied};
use crate::jobs::Download;
use crate::jobs::{Output, Progress};
use crate::permit::{allow, allow_own};
use crate::sheet::safe_text;
use crate::{App, AppError, AppResult, Ctx};

/// Excel's row limit, less the header.
const ROWS_PER_SHEET: usize = 1_048_575;
const PAGE: i64 = 5_000;

fn xlsx_err(e: XlsxError) -> AppError {
    AppError::Internal(anyhow::anyhow!("xlsx: {e}"))
}

/// The header row of a sheet in the import's layout: required columns
/// starred, widths set, the row frozen.
pub(crate) fn header(ws: &mut Worksheet, cols: &[Column]) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold().set_background_color("#F2DCDB");
    for (i, c) in cols.iter().enumerate() {
        let label = if c.required {
            format!("{}*", c.label)
        } else {
            c.label.to_owned()
        };
        ws.write_string_with_format(0, i as u16, label, &bold)?;
        ws.set_column_width(i as u16, if c.text { 22 } else { 16 })?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

/// A template's first sheet, 说明: one line of guidance a row.
pub(crate) fn instructions(wb: &mut Workbook, lines: &[&str]) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet().set_name("说明")?;
    ws.set_column_width(0, 100)?;
    for (i, l) in lines.iter().enumerate() {
        ws.write_string(i as u32, 0, safe_text(l))?;
    }
    Ok(())
}

/// A drop-down of fixed values down column `col`.
pub(crate) fn list(ws: &mut Worksheet, col: u16, items: &[&str]) -> Result<(), XlsxError> {
    let dv = DataValidation::new().allow_list_strings(items)?;
    ws.add_data_validation(1, col, 100_000, col, &dv)?;
    Ok(())
}

fn col_index(cols: &[Column], field: &str) -> u16 {
    cols.iter().position(|c| c.field == field).unwrap_or(0) as u16
}

/// The empty workbook to fill in, with an instructions sheet and drop-down
/// lists for the columns that take fixed values.
pub fn template() -> AppResult<Vec<u8>> {
    let build = || -> Result<Vec<u8>, XlsxError> {
        let mut wb = Workbook::new();
        let text = Format::new().set_num_format("@");
        instructions(
            &mut wb,
            &[
                "党员名册导入模板（学史）",
                "1. 「组织」表：每行一个党组织。组织编码全局唯一；上级组织编码填已有组织或本表中组织的编码。",
                "2. 「党员」表：每行一名党员。所在组织编码填党支部、党总支、党小组或临时党支部的编码。",
                "3. 带 * 的列必填。日期写作 2021-03-05；手机号、身份证号请按文本填写。",
                "4. 性别、出生日期可不填，由身份证号推出；填写时须与身份证号一致。",
                "5. 导入前会检查全部行；任何一行有误，整个文件都不会导入，并列出每个错误的行和列。",
            ],
        )?;
        {
            let ws = wb.add_worksheet().set_name(UNIT_SHEET)?;
            header(ws, &UNIT_COLUMNS)?;
            let kinds: Vec<&str> = UnitKind::ALL.iter().map(|k| k.label_zh()).collect();
            list(ws, col_index(&UNIT_COLUMNS, "kind"), &kinds)?;
        }
        {
            let ws = wb.add_worksheet().set_name(MEMBER_SHEET)?;
            header(ws, &MEMBER_COLUMNS)?;
            let genders: Vec<&str> = Gender::ALL.iter().map(|g| g.label_zh()).collect();
            let statuses: Vec<&str> = MemberStatus::ALL.iter().map(|s| s.label_zh()).collect();
            let levels: Vec<&str> = CadreLevel::ALL.iter().map(|c| c.label_zh()).collect();
            list(ws, col_index(&MEMBER_COLUMNS, "gender"), &genders)?;
            list(ws, col_index(&MEMBER_COLUMNS, "status"), &statuses)?;
            list(ws, col_index(&MEMBER_COLUMNS, "cadre_level"), &levels)?;
            for (i, _) in MEMBER_COLUMNS.iter().enumerate().filter(|(_, c)| c.text) {
                ws.set_column_format(i as u16, &text)?;
            }
        }
        wb.save_to_buffer()
    };
    build().map_err(xlsx_err)
}

/// The roster of a unit's subtree as a workbook. With `unmasked`, needs the
/// unmask grant; either way the export is audited.
pub async fn roster(
    app: &App,
    ctx: &Ctx,
    unit: Id,
    unmasked: bool,
    progress: &dyn Progress,
) -> AppResult<Output> {
    let (root, allowed) = crate::tree::load_allowed(app, ctx, unit, Action::ExportRoster).await?;
    let root_path = root.path();
    if unmasked && let Err(d) = allow(ctx, Action::UnmaskPii, &root_path) {
        record_denied(
            app,
            ctx,
            Entry::new("roster.export", "roster", Some(unit), &root.name).unit(unit),
        )
        .await?;
        return Err(d);
    }
    let mut conn = app.store().read().await?;
    let subtree = units::subtree(&mut conn, &root_path).await?;
    let parent_of_root = match root.parent_id {
        Some(p) => units::get(&mut conn, p)
            .await?
            .map(|u| u.code)
            .unwrap_or_default(),
        None => String::new(),
    };
    let codes: HashMap<i64, String> = subtree.iter().map(|u| (u.id, u.code.clone())).collect();
    let total_members = xueshi_store::tallies::get(&mut conn, root.id)
        .await?
        .members_total;
    progress.stage(
        "stage.exporting",
        subtree.len() as u64 + total_members.max(0) as u64,
    );

    let mut wb = Workbook::new();
    {
        let ws = wb
            .add_worksheet_with_constant_memory()
            .map_err(xlsx_err)?
            .set_name(UNIT_SHEET)
            .map_err(xlsx_err)?;
        header(ws, &UNIT_COLUMNS).map_err(xlsx_err)?;
        for (i, u) in subtree.iter().enumerate() {
            let parent = u
                .parent_id
                .and_then(|p| codes.get(&p).cloned())
                .unwrap_or_else(|| parent_of_root.clone());
            let row = (i + 1) as u32;
            let cells = [
                u.code.clone(),
                u.name.clone(),
                u.kind().label_zh().to_owned(),
                parent,
                u.sort_order.to_string(),
            ];
            for (c, v) in cells.into_iter().enumerate() {
                ws.write_string(row, c as u16, safe_text(&v))
                    .map_err(xlsx_err)?;
            }
        }
        progress.advance(subtree.len() as u64);
    }
    let mut written = 0usize;
    let mut after = 0i64;
    let mut sheet_no = 1;
    let mut row_in_sheet = ROWS_PER_SHEET;
    let mut ws_index = None;
    loop {
        let page = members::in_subtree(&mut conn, &root_path, after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        let opened: HashMap<i64, (Option<String>, Option<String>)> = if unmasked {
            let ids: Vec<i64> = page.iter().map(|m| m.id).collect();
            let v = app.vault();
            members::sealed_many(&mut conn, &ids)
                .await?
                .into_iter()
                .map(|(id, p, n)| {
                    (
                        id,
                        (
                            p.as_deref().and_then(|s| v.open(s)),
                            n.as_deref().and_then(|s| v.open(s)),
                        ),
                    )
                })
                .collect()
        } else {
            HashMap::new()
        };
        for m in &page {
            if row_in_sheet >= ROWS_PER_SHEET {
                let name = if sheet_no == 1 {
                    MEMBER_SHEET.to_owned()
                } else {
                    format!("{MEMBER_SHEET}({sheet_no})")
                };
                let ws = wb.add_worksheet_with_constant_memory().map_err(xlsx_err)?;
                ws.set_name(name).map_err(xlsx_err)?;
                header(ws, &MEMBER_COLUMNS).map_err(xlsx_err)?;
                ws_index = Some(wb.worksheets().len() - 1);
                sheet_no += 1;
                row_in_sheet = 0;
            }
            let Some(ws) = ws_index.and_then(|i| wb.worksheets_mut().get_mut(i)) else {
                break;
            };
            let (phone, idn) = match opened.get(&m.id) {
                Some((p, n)) => (p.clone(), n.clone()),
                None => (m.phone_masked.clone(), m.id_number_masked.clone()),
            };
            let cells = [
                m.name.clone(),
                m.gender().label_zh().to_owned(),
                m.birth_date.clone().unwrap_or_default(),
                m.join_date.clone().unwrap_or_default(),
                m.status().label_zh().to_owned(),
                m.cadre_level().label_zh().to_owned(),
                m.position.clone(),
                phone.unwrap_or_default(),
                idn.unwrap_or_default(),
                codes.get(&m.unit_id).cloned().unwrap_or_default(),
            ];
            row_in_sheet += 1;
            for (c, v) in cells.into_iter().enumerate() {
                ws.write_string(row_in_sheet as u32, c as u16, safe_text(&v))
                    .map_err(xlsx_err)?;
            }
            written += 1;
        }
        progress.advance(page.len() as u64);
    }
    if ws_index.is_none() {
        let ws = wb
            .add_worksheet()
            .set_name(MEMBER_SHEET)
            .map_err(xlsx_err)?;
        header(ws, &MEMBER_COLUMNS).map_err(xlsx_err)?;
    }
    drop(conn);
    let bytes = tokio::task::spawn_blocking(move || wb.save_to_buffer())
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(xlsx_err)?;
    let tx = Audited::begin(app, allowed).await?;
    let summary =
        serde_json::json!({ "units": subtree.len(), "members": written, "unmasked": unmasked });
    tx.commit(
        Entry::new("roster.export", "roster", Some(unit), &root.name)
            .unit(unit)
            .after(&summary),
    )
    .await?;
    let name = format!(
        "党员名册-{}-{}.xlsx",
        root.code,
        crate::clock::date_of(app.now())
    );
    Ok(Output::File {
        name,
        bytes,
        unit,
        unmasked,
    })
}

/// Hands out the file of a finished export to the account that started it.
/// Every download is audited; an unmasked export goes out once.
pub async fn download(app: &App, ctx: &Ctx, job: Id) -> AppResult<Download> {
    let job = app
        .jobs()
        .get(job, ctx.actor.account_id)
        .ok_or(AppError::NotFound)?;
    if matches!(job.result(), Some(Ok(ref o)) if matches!(o.as_ref(), Output::Taken)) {
        return Err(AppError::Conflict("download_used"));
    }
    let d = job.take_file().ok_or(AppError::NotFound)?;
    let tx = Audited::begin(app, allow_own(ctx)).await?;
    tx.commit(
        Entry::new("roster.download", "roster", Some(d.unit), &d.name)
            .unit(d.unit)
            .after(&serde_json::json!({ "unmasked": d.unmasked })),
    )
    .await?;
    Ok(d)
}

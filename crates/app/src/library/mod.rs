//! The study library (学习资料库): materials (books, red films, songs, short
//! videos, articles, 微党课) and 党史上的今天 entries, in and out as one
//! workbook. An import is checked whole — every bad cell named by row and
//! column, duplicates against the file and the library — and then added in
//! one transaction, or not at all.

mod items;

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use xueshi_domain::access::Action;
use xueshi_domain::study::{MAX_CHECK_IN_MINUTES, StudyKind};
use xueshi_domain::text::fold;
use xueshi_domain::{FieldError, Id};
use xueshi_store::study::{self, HistoryDayRow, MaterialRow};

use crate::audit::{Audited, Entry};
use crate::permit::{Allowed, allow_in_scope};
use crate::roster::{Column, RowError};
use crate::sheet::safe_text;
use crate::sheet::{self, FormulaCells, Layout, RowErrors, Sheet, Wanted, gaps, layout};
use crate::study::{MaterialView, material_view};
use crate::{App, AppError, AppResult, Ctx};

pub use items::{
    HistoryDayDetail, MaterialDetail, add_material, delete_history_day, edit_material, history_day,
    material, save_history_day, set_material_active,
};

pub const MATERIAL_SHEET: &str = "学习资料";
pub const HISTORY_SHEET: &str = "党史上的今天";

pub const MATERIAL_COLUMNS: [Column; 6] = [
    Column::text("kind", "类型", true),
    Column::text("title", "标题", true),
    Column::text("source", "来源", false),
    Column::text("minutes", "时长（分钟）", false),
    Column::text("link", "链接", false),
    Column::text("body", "正文", false),
];

pub const HISTORY_COLUMNS: [Column; 5] = [
    Column::text("month", "月", true),
    Column::text("day", "日", true),
    Column::text("year", "年份", true),
    Column::text("title", "标题", true),
    Column::text("body", "内容", false),
];

const MAX_TITLE: usize = 200;
const MAX_BODY: usize = 20_000;
const MAX_LINK: usize = 1_000;

/// What an import added.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LibraryImported {
    pub materials: u64,
    pub history_days: u64,
    /// Cells that held formulas, read as their saved values.
    pub formulas: FormulaCells,
}

/// Refuses actors who may not keep the library, before an upload is read.
pub fn authorize_manage(ctx: &Ctx) -> AppResult<Allowed<'_>> {
    allow_in_scope(ctx, Action::ManageStudy)
}

fn too_long(field: &'static str, s: &str, max: usize) -> Option<FieldError> {
    (s.chars().count() > max).then(|| FieldError::new(field, "too_long").with("max", max))
}

/// A web link a member can open: http or https only, never `javascript:`.
fn link_ok(s: &str) -> bool {
    s.is_empty()
        || ((s.starts_with("https://") || s.starts_with("http://"))
            && !s.chars().any(|c| c.is_whitespace() || c.is_control()))
}

/// One material as a form or the API gives it: the workbook's columns.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct MaterialInput {
    /// A code (`video`) or a label (短视频).
    pub kind: String,
    pub title: String,
    pub source: String,
    pub minutes: Option<i64>,
    pub link: String,
    pub body: String,
}

/// One 党史上的今天 entry as a form or the API gives it.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct HistoryDayInput {
    pub month: Option<i64>,
    pub day: Option<i64>,
    pub year: Option<i64>,
    pub title: String,
    pub body: String,
}

fn number_of(raw: &str, field: &'static str, range: (i64, i64)) -> Result<Option<i64>, FieldError> {
    match raw.trim() {
        "" => Ok(None),
        raw => match raw.parse::<i64>() {
            Ok(n) if (range.0..=range.1).contains(&n) => Ok(Some(n)),
            Ok(_) => Err(FieldError::new(field, "out_of_range")
                .with("min", range.0)
                .with("max", range.1)),
            Err(_) => Err(FieldError::new(field, "bad_number").with("value", raw)),
        },
    }
}

/// Checks one material, from a workbook row or a form, by one set of rules;
/// on success the row to store (id 0) and its folded title.
pub(super) fn check_material<'a>(
    get: impl Fn(&'static str) -> &'a str,
) -> Result<(MaterialRow, String), Vec<FieldError>> {
    let mut bad = Vec::new();
    let kind_raw = get("kind");
    let kind = StudyKind::from_label(kind_raw);
    if kind.is_none() {
        bad.push(FieldError::new("kind", "bad_choice").with("value", kind_raw));
    }
    let (title, source, link, body) = (
        get("title").trim(),
        get("source").trim(),
        get("link").trim(),
        get("body"),
    );
    if title.is_empty() {
        bad.push(FieldError::new("title", "required"));
    }
    bad.extend(too_long("title", title, MAX_TITLE));
    bad.extend(too_long("source", source, MAX_TITLE));
    bad.extend(too_long("body", body, MAX_BODY));
    bad.extend(too_long("link", link, MAX_LINK));
    if !link_ok(link) {
        bad.push(FieldError::new("link", "bad_link"));
    }
    let minutes = number_of(
        get("minutes"),
        "minutes",
        (0, i64::from(MAX_CHECK_IN_MINUTES)),
    )
    .unwrap_or_else(|e| {
        bad.push(e);
        None
    });
    match (kind, bad.is_empty()) {
        (Some(kind), true) => Ok((
            MaterialRow {
                id: 0,
                kind,
                title: title.to_owned(),
                source: source.to_owned(),
                minutes: minutes.unwrap_or(0),
                link: link.to_owned(),
                body: body.to_owned(),
                active: 1,
            },
            fold(title),
        )),
        _ => Err(bad),
    }
}

fn materials_of(
    l: &Layout,
    sheet: &Sheet,
    known: &HashSet<(String, String)>,
    errors: &mut RowErrors,
) -> Vec<(MaterialRow, String)> {
    gaps(l, sheet, errors);
    let mut out = Vec::new();
    let mut first: HashMap<(String, String), u32> = HashMap::new();
    for cells in &sheet.rows {
        let row = cells.num;
        let (m, folded) = match check_material(|f| l.cell(cells, f)) {
            Ok(m) => m,
            Err(bad) => {
                errors.extend(bad.into_iter().map(|e| l.error(row, e)));
                continue;
            }
        };
        let key = (m.kind.as_str().to_owned(), folded);
        if let Some(r) = first.get(&key) {
            errors.push(l.error(
                row,
                FieldError::new("title", "duplicate_in_file").with("row", r),
            ));
            continue;
        }
        if known.contains(&key) {
            errors.push(l.error(row, FieldError::new("title", "material_exists")));
            continue;
        }
        first.insert(key.clone(), row);
        out.push((m, key.1));
    }
    out
}

type HistoryKey = (i64, i64, i64, String);

/// Checks one 党史上的今天 entry, from a row or a form; on success the row
/// to store (id 0) and its folded title.
pub(super) fn check_history<'a>(
    get: impl Fn(&'static str) -> &'a str,
    this_year: i64,
) -> Result<(HistoryDayRow, String), Vec<FieldError>> {
    let mut bad = Vec::new();
    let mut num = |field, range| {
        number_of(get(field), field, range).unwrap_or_else(|e| {
            bad.push(e);
            None
        })
    };
    let month = num("month", (1, 12));
    let day = num("day", (1, 31));
    let year = num("year", (1840, this_year));
    for (field, v) in [("month", month), ("day", day), ("year", year)] {
        if v.is_none() && get(field).trim().is_empty() {
            bad.push(FieldError::new(field, "required"));
        }
    }
    let title = get("title").trim();
    let body = get("body");
    if title.is_empty() {
        bad.push(FieldError::new("title", "required"));
    }
    bad.extend(too_long("title", title, MAX_TITLE));
    bad.extend(too_long("body", body, MAX_BODY));
    if let (Some(m), Some(d), Some(y)) = (month, day, year) {
        let valid = time::Month::try_from(m as u8)
            .ok()
            .and_then(|m| time::Date::from_calendar_date(y as i32, m, d as u8).ok())
            .is_some();
        if !valid {
            bad.push(
                FieldError::new("day", "bad_date").with("value", format!("{y}-{m:02}-{d:02}")),
            );
        }
    }
    match (month, day, year, bad.is_empty()) {
        (Some(month), Some(day), Some(year), true) => Ok((
            HistoryDayRow {
                id: 0,
                month,
                day,
                year,
                title: title.to_owned(),
                body: body.to_owned(),
            },
            fold(title),
        )),
        _ => Err(bad),
    }
}

fn history_of(
    l: &Layout,
    sheet: &Sheet,
    known: &HashSet<HistoryKey>,
    this_year: i64,
    errors: &mut RowErrors,
) -> Vec<HistoryDayRow> {
    gaps(l, sheet, errors);
    let mut out = Vec::new();
    let mut first: HashMap<HistoryKey, u32> = HashMap::new();
    for cells in &sheet.rows {
        let row = cells.num;
        let (h, folded) = match check_history(|f| l.cell(cells, f), this_year) {
            Ok(h) => h,
            Err(bad) => {
                errors.extend(bad.into_iter().map(|e| l.error(row, e)));
                continue;
            }
        };
        let key = (h.month, h.day, h.year, folded);
        if let Some(r) = first.get(&key) {
            errors.push(l.error(
                row,
                FieldError::new("title", "duplicate_in_file").with("row", r),
            ));
            continue;
        }
        if known.contains(&key) {
            errors.push(l.error(row, FieldError::new("title", "history_exists")));
            continue;
        }
        first.insert(key, row);
        out.push(h);
    }
    out
}

/// Checks a library workbook (either sheet or both) and, when every row is
/// right, adds all of it in one transaction.
pub async fn import(
    app: &App,
    ctx: &Ctx,
    name: &str,
    bytes: Vec<u8>,
) -> AppResult<LibraryImported> {
    let allowed = authorize_manage(ctx)?;
    let mut book = sheet::read(
        app,
        bytes,
        &[
            Wanted {
                name: MATERIAL_SHEET,
                key: "materials",
                columns: &MATERIAL_COLUMNS,
            },
            Wanted {
                name: HISTORY_SHEET,
                key: "history",
                columns: &HISTORY_COLUMNS,
            },
        ],
    )
    .await?;
    let formulas = book.formula_cells();
    let history_sheet = book.sheets.pop().flatten();
    let material_sheet = book.sheets.pop().flatten();
    let (known_materials, known_history) = {
        let mut conn = app.store().read().await?;
        let m: HashSet<(String, String)> = study::all_materials(&mut conn)
            .await?
            .into_iter()
            .map(|m| (m.kind.as_str().to_owned(), fold(&m.title)))
            .collect();
        let h: HashSet<HistoryKey> = study::all_history_days(&mut conn)
            .await?
            .into_iter()
            .map(|h| (h.month, h.day, h.year, fold(&h.title)))
            .collect();
        (m, h)
    };
    let mut errors = RowErrors::new(&app.settings().import);
    let mut materials = Vec::new();
    if let Some(s) = &material_sheet {
        let l = layout("materials", s, &MATERIAL_COLUMNS, &mut errors);
        if errors.is_empty() {
            materials = materials_of(&l, s, &known_materials, &mut errors);
        }
    }
    let mut history = Vec::new();
    if let Some(s) = &history_sheet {
        let before = errors.len();
        let l = layout("history", s, &HISTORY_COLUMNS, &mut errors);
        if errors.len() == before {
            let year = i64::from(app.clock().today().year());
            history = history_of(&l, s, &known_history, year, &mut errors);
        }
    }
    if materials.is_empty() && history.is_empty() && errors.is_empty() {
        errors.push(RowError::file("no_rows"));
    }
    if !errors.is_empty() {
        return Err(errors.into_rejected(&["history", "materials"]));
    }
    for (m, _) in &mut materials {
        m.id = app.next_id().0;
    }
    for h in &mut history {
        h.id = app.next_id().0;
    }
    let done = LibraryImported {
        materials: materials.len() as u64,
        history_days: history.len() as u64,
        formulas,
    };
    let mut tx = Audited::begin(app, allowed).await?;
    study::insert_materials(&mut tx, &materials, app.now()).await?;
    study::insert_history_days(&mut tx, &history).await?;
    tx.commit(
        Entry::new("library.import", "materials", None, name)
            .unit(ctx.actor.scope_unit)
            .after(&serde_json::json!({
                "file": name, "materials": done.materials, "history_days": done.history_days,
            })),
    )
    .await?;
    Ok(done)
}

/// The library as it stands, for the office's page.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Library {
    pub materials: Vec<MaterialView>,
    pub history_days: Vec<LibraryHistoryDay>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct LibraryHistoryDay {
    pub id: Id,
    pub month: i64,
    pub day: i64,
    pub year: i64,
    pub title: String,
}

/// Every material and 党史上的今天 entry.
pub async fn list(app: &App, ctx: &Ctx) -> AppResult<Library> {
    allow_in_scope(ctx, Action::ViewStudy)?;
    let mut conn = app.store().read().await?;
    let materials = study::all_materials(&mut conn)
        .await?
        .into_iter()
        .map(material_view)
        .collect();
    let history_days = study::all_history_days(&mut conn)
        .await?
        .into_iter()
        .map(|h| LibraryHistoryDay {
            id: Id(h.id),
            month: h.month,
            day: h.day,
            year: h.year,
            title: h.title,
        })
        .collect();
    Ok(Library {
        materials,
        history_days,
    })
}

/// The whole library as a workbook in the import's own layout, so it can be
/// edited and imported elsewhere (audited as an export).
pub async fn export(app: &App, ctx: &Ctx) -> AppResult<(String, Vec<u8>)> {
    let allowed = allow_in_scope(ctx, Action::ViewStudy)?;
    let (materials, history) = {
        let mut conn = app.store().read().await?;
        (
            study::all_materials(&mut conn).await?,
            study::all_history_days(&mut conn).await?,
        )
    };
    let xlsx = |e: rust_xlsxwriter::XlsxError| AppError::Internal(e.into());
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(MATERIAL_SHEET).map_err(xlsx)?;
    crate::roster::export::header(ws, &MATERIAL_COLUMNS).map_err(xlsx)?;
    for (r, m) in materials.iter().enumerate() {
        let r = r as u32 + 1;
        let kind = m.kind.label_zh();
        ws.write_string(r, 0, safe_text(kind)).map_err(xlsx)?;
        ws.write_string(r, 1, safe_text(&m.title)).map_err(xlsx)?;
        ws.write_string(r, 2, safe_text(&m.source)).map_err(xlsx)?;
        if m.minutes > 0 {
            ws.write_number(r, 3, m.minutes as f64).map_err(xlsx)?;
        }
        ws.write_string(r, 4, safe_text(&m.link)).map_err(xlsx)?;
        ws.write_string(r, 5, safe_text(&m.body)).map_err(xlsx)?;
    }
    ws.set_column_width(1, 36).map_err(xlsx)?;
    ws.set_column_width(2, 20).map_err(xlsx)?;
    let ws = wb.add_worksheet();
    ws.set_name(HISTORY_SHEET).map_err(xlsx)?;
    crate::roster::export::header(ws, &HISTORY_COLUMNS).map_err(xlsx)?;
    for (r, h) in history.iter().enumerate() {
        let r = r as u32 + 1;
        ws.write_number(r, 0, h.month as f64).map_err(xlsx)?;
        ws.write_number(r, 1, h.day as f64).map_err(xlsx)?;
        ws.write_number(r, 2, h.year as f64).map_err(xlsx)?;
        ws.write_string(r, 3, safe_text(&h.title)).map_err(xlsx)?;
        ws.write_string(r, 4, safe_text(&h.body)).map_err(xlsx)?;
    }
    ws.set_column_width(3, 40).map_err(xlsx)?;
    let bytes = wb.save_to_buffer().map_err(xlsx)?;
    let tx = Audited::begin(app, allowed).await?;
    tx.commit(
        Entry::new("library.export", "materials", None, "")
            .unit(ctx.actor.scope_unit)
            .after(&serde_json::json!({
                "materials": materials.len(), "history_days": history.len(),
            })),
    )
    .await?;
    Ok((
        format!(
            "学习资料库-{}.xlsx",
            xueshi_domain::date::iso(app.clock().today())
        ),
        bytes,
    ))
}

/// The empty library workbook: both sheets, a drop-down of kinds, and a
/// sheet that explains the columns.
pub fn template() -> AppResult<Vec<u8>> {
    let build = || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut wb = rust_xlsxwriter::Workbook::new();
        crate::roster::export::instructions(
            &mut wb,
            &[
                "学习资料库导入模板（学史）",
                "1. 「学习资料」表：每行一份资料。类型：书籍、红色电影、红色歌曲、短视频、文章、微党课、体验式学习。",
                "2. 时长为看完或读完所需分钟数，可不填；链接须以 http:// 或 https:// 开头。",
                "3. 「党史上的今天」表：每行一条，填月、日、年份和标题。",
                "4. 可只填一张表。与资料库中已有的同类同名资料（含繁简体写法不同）重复会被指出。",
                "5. 导入前会检查全部行；任何一行有误，整个文件都不会导入，并列出每个错误的行和列。",
            ],
        )?;
        {
            let ws = wb.add_worksheet().set_name(MATERIAL_SHEET)?;
            crate::roster::export::header(ws, &MATERIAL_COLUMNS)?;
            let kinds: Vec<&str> = StudyKind::ALL.iter().map(|k| k.label_zh()).collect();
            crate::roster::export::list(ws, 0, &kinds)?;
        }
        {
            let ws = wb.add_worksheet().set_name(HISTORY_SHEET)?;
            crate::roster::export::header(ws, &HISTORY_COLUMNS)?;
        }
        wb.save_to_buffer()
    };
    build().map_err(|e| AppError::Internal(anyhow::anyhow!("xlsx: {e}")))
}

//! Reading uploaded spreadsheets: refusing what is not a sane .xlsx before
//! parsing, reading named sheets as text with their row numbers, and matching
//! header cells to expected columns so every error names its row and column.
//! Each import (roster, question bank, materials) checks its own rows.

use std::collections::HashMap;
use std::io::Cursor;

use std::io::Read as _;

use calamine::{DataRef, Reader, Xlsx, open_workbook_from_rs};
use xueshi_domain::FieldError;
use xueshi_domain::text::fold;

use crate::roster::{Column, RowError};
use crate::{App, AppError, AppResult};

/// How much larger than its packed size one part may be before it is taken
/// for a zip bomb.
const MAX_RATIO: u64 = 250;

/// What one import may hold. The sheet's declared dimension is never
/// trusted: cells are streamed and counted against these before any is kept,
/// so a refused file costs no more than the reader's buffers.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Rows kept across the sheets of one file.
    pub max_rows: usize,
    /// Columns a cell may stand in (0-based index below this).
    pub max_columns: u32,
    /// Non-empty cells kept across the file.
    pub max_cells: usize,
    /// Bytes of cell text kept across the file.
    pub max_text_bytes: usize,
    /// Bytes the workbook may unpack to.
    pub max_unpacked: u64,
    /// Row errors reported; the rest are counted.
    pub max_errors: usize,
}

impl Default for Limits {
    /// A province roster of five million members fits (in several sheets or
    /// files of Excel's 1,048,576 rows each); a file declaring more is
    /// refused while it streams.
    fn default() -> Self {
        Limits {
            max_rows: 5_000_000,
            max_columns: 64,
            max_cells: 64_000_000,
            max_text_bytes: 512 * 1024 * 1024,
            max_unpacked: 512 * 1024 * 1024,
            max_errors: 1_000,
        }
    }
}

/// Checks the bytes are a zip container of sane proportions whose shared
/// strings do not declare more entries than an import may hold (the reader
/// reserves room for them up front).
pub fn sniff(bytes: &[u8], max_bytes: usize, limits: &Limits) -> Result<(), RowError> {
    if bytes.len() > max_bytes {
        return Err(RowError::file("file_too_large"));
    }
    if bytes.is_empty() {
        return Err(RowError::file("file_empty"));
    }
    if !bytes.starts_with(b"PK\x03\x04") {
        return Err(RowError::file("not_xlsx"));
    }
    let mut zip =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| RowError::file("not_xlsx"))?;
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let f = zip
            .by_index_raw(i)
            .map_err(|_| RowError::file("not_xlsx"))?;
        total = total.saturating_add(f.size());
        if f.size() > 16 * 1024 * 1024 && f.size() / f.compressed_size().max(1) > MAX_RATIO {
            return Err(RowError::file("zip_bomb"));
        }
    }
    if total > limits.max_unpacked {
        return Err(RowError::file("zip_bomb"));
    }
    let names: Vec<String> = zip
        .file_names()
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .collect();
    for name in names
        .iter()
        .filter(|n| n.to_ascii_lowercase().ends_with("sharedstrings.xml"))
    {
        let mut head = Vec::with_capacity(4096);
        zip.by_name(name)
            .map_err(|_| RowError::file("not_xlsx"))?
            .take(4096)
            .read_to_end(&mut head)
            .map_err(|_| RowError::file("not_xlsx"))?;
        if declared_count(&head, b"uniqueCount=").is_some_and(|n| n > limits.max_cells as u64) {
            return Err(RowError::file("too_many_cells"));
        }
    }
    Ok(())
}

/// The number in `attr"…"` near the start of an XML part, if any.
fn declared_count(head: &[u8], attr: &[u8]) -> Option<u64> {
    let at = head.windows(attr.len()).position(|w| w == attr)? + attr.len();
    let rest = head.get(at + 1..)?;
    let digits: Vec<u8> = rest
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .copied()
        .collect();
    if digits.is_empty() {
        return None;
    }
    // Too many digits to parse is too many entries.
    Some(
        std::str::from_utf8(&digits)
            .ok()?
            .parse()
            .unwrap_or(u64::MAX),
    )
}

/// One data row, kept compact: the texts of its non-empty cells one after
/// another, with each cell's column and where its text ends.
#[derive(Debug)]
pub(crate) struct Row {
    /// 1-based spreadsheet row number.
    pub(crate) num: u32,
    text: String,
    cells: Vec<(u32, u32)>,
    /// Columns whose cell held a number rather than text.
    numeric: u64,
}

impl Row {
    fn new(num: u32) -> Row {
        Row {
            num,
            text: String::new(),
            cells: Vec::new(),
            numeric: 0,
        }
    }

    /// The trimmed text in column `col` (0-based), empty when none.
    pub(crate) fn get(&self, col: u32) -> &str {
        let mut start = 0;
        for &(c, end) in &self.cells {
            if c == col {
                return &self.text[start..end as usize];
            }
            start = end as usize;
        }
        ""
    }

    /// Whether column `col` held a number (a long number such as an ID
    /// number loses digits that way).
    pub(crate) fn is_numeric(&self, col: u32) -> bool {
        col < 64 && self.numeric & (1 << col) != 0
    }

    fn push(&mut self, col: u32, text: &str, numeric: bool) {
        if self.cells.iter().any(|(c, _)| *c == col) {
            return;
        }
        self.text.push_str(text);
        self.cells.push((col, self.text.len() as u32));
        if numeric && col < 64 {
            self.numeric |= 1 << col;
        }
    }
}

/// A sheet as text: the header cells and the data rows, with their
/// spreadsheet row numbers (1-based). Blank rows are not kept; runs of them
/// between data rows are listed, so an import can name them.
#[derive(Debug, Default)]
pub(crate) struct Sheet {
    /// The name the sheet was found under.
    pub(crate) name: String,
    pub(crate) headers: Vec<(u32, String)>,
    pub(crate) header_row: u32,
    pub(crate) rows: Vec<Row>,
    /// First and last row of each run of blank rows between data rows.
    pub(crate) gaps: Vec<(u32, u32)>,
    /// Cells (row, column, 0-based) that held a formula whose saved value
    /// was read: the first [`FORMULAS_NAMED`], and how many in all.
    pub(crate) formulas: Vec<(u32, u32)>,
    pub(crate) formula_count: u64,
}

/// Formula cells an import names in its notice.
const FORMULAS_NAMED: usize = 20;

/// The cells of an import that held formulas: their values are what the
/// spreadsheet saved when it last calculated, and the import says so.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct FormulaCells {
    /// The first few, as `sheet!F12`.
    pub cells: Vec<String>,
    /// How many in all.
    pub count: u64,
}

/// Text that a spreadsheet would take for a formula once the file is saved
/// as CSV (`=`, `+`, `-`, `@`, a tab or a carriage return first) goes out
/// behind an apostrophe, as OWASP's CSV-injection guidance recommends.
pub(crate) fn safe_text(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}").into()
    } else {
        s.into()
    }
}

/// The apostrophe [`safe_text`] put in front is dropped again on import,
/// so an exported file imports as it was.
fn unguarded(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => s,
    }
}

/// Appends a cell's text, trimmed, and says whether it was a number.
fn push_text(d: &DataRef<'_>, out: &mut String) -> bool {
    use std::fmt::Write;
    match d {
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
            out.push_str(unguarded(s.trim()));
        }
        DataRef::SharedString(s) => out.push_str(unguarded(s.trim())),
        DataRef::Int(i) => {
            let _ = write!(out, "{i}");
            return true;
        }
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
            let _ = write!(out, "{}", *f as i64);
            return true;
        }
        DataRef::Float(f) => {
            let _ = write!(out, "{f}");
            return true;
        }
        DataRef::Bool(b) => {
            let _ = write!(out, "{b}");
        }
        DataRef::DateTime(dt) => match xueshi_domain::date::from_serial(dt.as_f64()) {
            Some(d) => out.push_str(&xueshi_domain::date::iso(d)),
            None => {
                let _ = write!(out, "{}", dt.as_f64());
            }
        },
        DataRef::Error(e) => {
            let _ = write!(out, "#{e:?}");
        }
        DataRef::Empty => {}
    }
    false
}

/// What has been kept so far across the sheets of one file.
#[derive(Default)]
struct Kept {
    rows: usize,
    cells: usize,
    text: usize,
}

fn cell_error(sheet: &'static str, (row, col): (u32, u32), code: &'static str) -> RowError {
    RowError {
        sheet,
        row: row.saturating_add(1),
        column: Some(col),
        error: FieldError::new("cell", code),
    }
}

/// A sheet an import reads: its name in the template, its English key (also
/// accepted as a name), and its columns.
pub(crate) struct Wanted {
    pub(crate) name: &'static str,
    pub(crate) key: &'static str,
    pub(crate) columns: &'static [Column],
}

/// Whether a header cell names one of the columns.
fn names_column(text: &str, columns: &[Column]) -> bool {
    let key = fold(text.trim_end_matches('*').trim_end_matches('＊'));
    columns
        .iter()
        .any(|c| fold(c.label) == key || c.field == key)
}

/// Reads the wanted sheets as text: each is the sheet named as the template
/// names it (or by its English key), or else a sheet whose header row holds
/// every required column. Refuses, naming the cell, a cell beyond the
/// columns an import reads, a formula with no stored value, and a file
/// beyond the limits; a workbook with none of the sheets is refused naming
/// the sheets expected and those found.
pub(crate) fn read_sheets(
    bytes: Vec<u8>,
    wanted: &[Wanted],
    limits: &Limits,
) -> Result<Vec<Option<Sheet>>, RowError> {
    let mut wb: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(bytes)).map_err(|_| RowError::file("not_xlsx"))?;
    let names = wb.sheet_names();
    let mut out: Vec<Option<Sheet>> = wanted.iter().map(|_| None).collect();
    let mut kept = Kept::default();
    let mut others = Vec::new();
    for name in &names {
        let key = fold(name);
        match wanted
            .iter()
            .position(|w| key == fold(w.name) || key == w.key)
        {
            Some(i) if out[i].is_none() => {
                out[i] = Some(read_one(&mut wb, name, &wanted[i], limits, &mut kept)?);
            }
            _ => others.push(name),
        }
    }
    // A sheet renamed (Sheet1, 2021年名册) is known by its header row.
    for name in others {
        for i in 0..wanted.len() {
            if out[i].is_some() {
                continue;
            }
            let s = read_one(&mut wb, name, &wanted[i], limits, &mut kept)?;
            let has = |c: &Column| {
                s.headers
                    .iter()
                    .any(|(_, h)| names_column(h, std::slice::from_ref(c)))
            };
            let required = wanted[i].columns.iter().filter(|c| c.required);
            if !s.headers.is_empty()
                && required.clone().count() > 0
                && required.into_iter().all(has)
            {
                out[i] = Some(s);
                break;
            }
        }
    }
    if out.iter().all(Option::is_none) {
        let expected: Vec<&str> = wanted.iter().map(|w| w.name).collect();
        return Err(RowError {
            sheet: "",
            row: 0,
            column: None,
            error: FieldError::new("file", "no_expected_sheet")
                .with("expected", expected.join("、"))
                .with("found", names.join("、")),
        });
    }
    Ok(out)
}

/// Streams one sheet, keeping its non-empty rows under the limits.
fn read_one(
    wb: &mut Xlsx<Cursor<Vec<u8>>>,
    name: &str,
    wanted: &Wanted,
    limits: &Limits,
    kept: &mut Kept,
) -> Result<Sheet, RowError> {
    let sheet_key = wanted.key;
    let mut cells = match wb.worksheet_cells_reader(name) {
        Ok(r) => r,
        Err(_) => return Err(RowError::file("not_xlsx")),
    };
    let mut sheet = Sheet {
        name: name.to_owned(),
        ..Sheet::default()
    };
    let mut pending = Vec::new();
    let mut current: Option<Row> = None;
    let mut last_row: u32 = 0;
    let mut text = String::new();
    loop {
        let cell = match cells.next_cell_with_formula_metadata() {
            Ok(Some(c)) => c,
            Ok(None) => break,
            Err(_) => return Err(RowError::file("not_xlsx")),
        };
        text.clear();
        let numeric = push_text(&cell.value, &mut text);
        let (r, c) = cell.pos;
        if text.is_empty() {
            if cell.formula.is_some() && cell.value == DataRef::Empty {
                return Err(cell_error(sheet_key, cell.pos, "formula_without_value"));
            }
            continue;
        }
        if c >= limits.max_columns {
            return Err(cell_error(sheet_key, cell.pos, "beyond_columns"));
        }
        if cell.formula.is_some() {
            sheet.formula_count += 1;
            if sheet.formulas.len() < FORMULAS_NAMED {
                sheet.formulas.push((r, c));
            }
        }
        kept.cells += 1;
        kept.text += text.len();
        if kept.cells > limits.max_cells || kept.text > limits.max_text_bytes {
            return Err(RowError::file("too_many_cells"));
        }
        let num = r.saturating_add(1);
        if current.as_ref().is_some_and(|row| row.num != num) {
            if num < last_row {
                return Err(cell_error(sheet_key, cell.pos, "cells_out_of_order"));
            }
            if let Some(done) = current.take() {
                keep(&mut sheet, &mut pending, done, wanted.columns, limits, kept)?;
            }
        }
        last_row = num;
        current
            .get_or_insert_with(|| Row::new(num))
            .push(c, &text, numeric);
    }
    if let Some(done) = current.take() {
        keep(&mut sheet, &mut pending, done, wanted.columns, limits, kept)?;
    }
    if sheet.headers.is_empty() && !pending.is_empty() {
        settle_header(&mut sheet, &mut pending, limits, kept)?;
    }
    Ok(sheet)
}

/// Rows above the header a file may carry (a title, a date, a note).
const TITLE_ROWS: usize = 10;

fn last_row_before(sheet: &Sheet) -> u32 {
    sheet.rows.last().map_or(sheet.header_row, |r| r.num)
}

/// Files a finished row. Until the header is found, rows wait: the first
/// that names one of the columns is the header and those above it are a
/// title; when none of the first few does, the first row is the header (and
/// its unknown columns are reported).
fn keep(
    sheet: &mut Sheet,
    pending: &mut Vec<Row>,
    row: Row,
    columns: &[Column],
    limits: &Limits,
    kept: &mut Kept,
) -> Result<(), RowError> {
    if sheet.headers.is_empty() {
        if row
            .cells
            .iter()
            .any(|&(c, _)| names_column(row.get(c), columns))
        {
            pending.clear();
            set_header(sheet, &row);
            return Ok(());
        }
        pending.push(row);
        if pending.len() >= TITLE_ROWS {
            settle_header(sheet, pending, limits, kept)?;
        }
        return Ok(());
    }
    data_row(sheet, row, limits, kept)
}

/// No row named a column: the first is the header, the rest data.
fn settle_header(
    sheet: &mut Sheet,
    pending: &mut Vec<Row>,
    limits: &Limits,
    kept: &mut Kept,
) -> Result<(), RowError> {
    let mut rows = std::mem::take(pending).into_iter();
    if let Some(first) = rows.next() {
        set_header(sheet, &first);
    }
    for r in rows {
        data_row(sheet, r, limits, kept)?;
    }
    Ok(())
}

fn set_header(sheet: &mut Sheet, row: &Row) {
    sheet.header_row = row.num;
    sheet.headers = row
        .cells
        .iter()
        .map(|&(c, _)| (c, row.get(c).to_owned()))
        .collect();
    sheet.headers.sort_by_key(|(c, _)| *c);
}

fn data_row(sheet: &mut Sheet, row: Row, limits: &Limits, kept: &mut Kept) -> Result<(), RowError> {
    let previous = last_row_before(sheet);
    kept.rows += 1;
    if kept.rows > limits.max_rows {
        return Err(RowError::file("too_many_rows"));
    }
    if row.num > previous + 1 && sheet.gaps.len() < limits.max_errors {
        sheet.gaps.push((previous + 1, row.num - 1));
    }
    sheet.rows.push(row);
    Ok(())
}

/// Row errors of one import, at most `cap` of them kept; the rest counted.
pub(crate) struct RowErrors {
    list: Vec<RowError>,
    more: u64,
    cap: usize,
}

impl RowErrors {
    pub(crate) fn new(limits: &Limits) -> RowErrors {
        RowErrors {
            list: Vec::new(),
            more: 0,
            cap: limits.max_errors,
        }
    }

    pub(crate) fn push(&mut self, e: RowError) {
        if self.list.len() < self.cap {
            self.list.push(e);
        } else {
            self.more += 1;
        }
    }

    pub(crate) fn extend(&mut self, es: impl IntoIterator<Item = RowError>) {
        for e in es {
            self.push(e);
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub(crate) fn len(&self) -> u64 {
        self.list.len() as u64 + self.more
    }

    /// The refusal: errors in sheet-and-row order, then how many more.
    pub(crate) fn into_rejected(mut self, sheet_order: &[&str]) -> AppError {
        self.list.sort_by_key(|e| {
            (
                sheet_order.iter().position(|s| *s == e.sheet),
                e.row,
                e.column,
            )
        });
        if self.more > 0 {
            self.list.push(RowError {
                sheet: "",
                row: 0,
                column: None,
                error: FieldError::new("file", "more_errors").with("count", self.more),
            });
        }
        AppError::Rejected(self.list)
    }
}

/// A workbook read for import: its sheets, and this import's turn at the
/// reader, held until the import is done so imports run one at a time and
/// their memory does not add up.
pub(crate) struct Workbook {
    pub(crate) sheets: Vec<Option<Sheet>>,
    _turn: tokio::sync::OwnedSemaphorePermit,
}

impl Workbook {
    /// The formula cells across the sheets, named for the notice.
    pub(crate) fn formula_cells(&self) -> FormulaCells {
        let mut out = FormulaCells::default();
        for sheet in self.sheets.iter().flatten() {
            out.count += sheet.formula_count;
            for &(r, c) in &sheet.formulas {
                if out.cells.len() < FORMULAS_NAMED {
                    out.cells.push(format!(
                        "{}!{}{}",
                        sheet.name,
                        crate::roster::column_letter(c),
                        r + 1
                    ));
                }
            }
        }
        out
    }
}

/// Checks, waits its turn, and reads the named sheets off the async threads.
pub(crate) async fn read(
    app: &App,
    bytes: Vec<u8>,
    wanted: &'static [Wanted],
) -> AppResult<Workbook> {
    let limits = app.settings().import;
    sniff(&bytes, app.settings().import_max_bytes, &limits)
        .map_err(|e| AppError::Rejected(vec![e]))?;
    let turn = app.import_turn().await;
    let sheets = tokio::task::spawn_blocking(move || read_sheets(bytes, wanted, &limits))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(|e| AppError::Rejected(vec![e]))?;
    Ok(Workbook {
        sheets,
        _turn: turn,
    })
}

/// Turns runs of blank rows into errors naming them.
pub(crate) fn gaps(l: &Layout, s: &Sheet, errors: &mut RowErrors) {
    for &(from, to) in &s.gaps {
        let mut e = l.empty_row(from);
        if to > from {
            e.error = FieldError::new("row", "empty_rows").with("to", to);
        }
        errors.push(e);
    }
}

/// Which file column each expected column is in.
pub(crate) struct Layout {
    pub(crate) sheet: &'static str,
    pub(crate) at: HashMap<&'static str, u32>,
}

impl Layout {
    pub(crate) fn cell<'a>(&self, row: &'a Row, field: &str) -> &'a str {
        self.at.get(field).map_or("", |c| row.get(*c))
    }

    /// Whether the field's cell in `row` held a number, not text.
    pub(crate) fn is_numeric(&self, row: &Row, field: &str) -> bool {
        self.at.get(field).is_some_and(|c| row.is_numeric(*c))
    }

    /// A row left blank between data rows.
    pub(crate) fn empty_row(&self, row: u32) -> RowError {
        RowError {
            sheet: self.sheet,
            row,
            column: None,
            error: FieldError::new("row", "empty_row"),
        }
    }

    pub(crate) fn error(&self, row: u32, e: FieldError) -> RowError {
        let field = match e.field {
            "unit" => "unit_code",
            "parent" => "parent_code",
            f => f,
        };
        RowError {
            sheet: self.sheet,
            row,
            column: self.at.get(field).copied(),
            error: e,
        }
    }
}

pub(crate) fn layout(
    sheet: &'static str,
    s: &Sheet,
    spec: &[Column],
    errors: &mut RowErrors,
) -> Layout {
    let mut at = HashMap::new();
    for (c, text) in &s.headers {
        let key = fold(text.trim_end_matches('*').trim_end_matches('＊'));
        match spec
            .iter()
            .find(|col| fold(col.label) == key || col.field == key)
        {
            Some(col) if at.contains_key(col.field) => errors.push(RowError {
                sheet,
                row: s.header_row,
                column: Some(*c),
                error: FieldError::new("header", "duplicate_column").with("value", text),
            }),
            Some(col) => {
                at.insert(col.field, *c);
            }
            None => errors.push(RowError {
                sheet,
                row: s.header_row,
                column: Some(*c),
                error: FieldError::new("header", "unknown_column").with("value", text),
            }),
        }
    }
    for col in spec
        .iter()
        .filter(|c| c.required && !at.contains_key(c.field))
    {
        errors.push(RowError {
            sheet,
            row: s.header_row.max(1),
            column: None,
            error: FieldError::new("header", "missing_column").with("value", col.label),
        });
    }
    Layout { sheet, at }
}

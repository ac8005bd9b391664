//! Reading uploaded spreadsheets: refusing what is not a sane .xlsx before
//! parsing, reading named sheets as text with their row numbers, and matching
//! header cells to expected columns so every error names its row and column.
//! Each import (roster, question bank, materials) checks its own rows.

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use xueshi_domain::FieldError;
use xueshi_domain::text::fold;

use crate::roster::{Column, RowError};

/// Unpacked size a workbook may reach, and how much larger than its packed
/// size one part may be, before it is taken for a zip bomb.
const MAX_UNPACKED: u64 = 512 * 1024 * 1024;
const MAX_RATIO: u64 = 250;

/// Checks the bytes are a zip container of sane proportions.
pub fn sniff(bytes: &[u8], max_bytes: usize) -> Result<(), RowError> {
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
    if total > MAX_UNPACKED {
        return Err(RowError::file("zip_bomb"));
    }
    Ok(())
}

/// A sheet as text: the header cells and the data rows, with their
/// spreadsheet row numbers (1-based).
#[derive(Debug, Default)]
pub(crate) struct Sheet {
    pub(crate) headers: Vec<(u32, String)>,
    pub(crate) header_row: u32,
    pub(crate) rows: Vec<(u32, Vec<String>)>,
}

pub(crate) fn text_of(d: &Data) -> String {
    match d {
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_owned(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => match xueshi_domain::date::from_serial(dt.as_f64()) {
            Some(d) => xueshi_domain::date::iso(d),
            None => dt.as_f64().to_string(),
        },
        Data::Error(e) => format!("#{e:?}"),
        Data::Empty => String::new(),
    }
}

/// Reads the named sheets as text: for each `(中文名, english key)` the sheet
/// called either, folded, or `None` when the workbook lacks it.
pub(crate) fn read_sheets(
    bytes: Vec<u8>,
    wanted: &[(&str, &str)],
) -> Result<Vec<Option<Sheet>>, RowError> {
    let mut wb: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(bytes)).map_err(|_| RowError::file("not_xlsx"))?;
    let mut out: Vec<Option<Sheet>> = wanted.iter().map(|_| None).collect();
    for name in wb.sheet_names() {
        let key = fold(&name);
        let Some(i) = wanted
            .iter()
            .position(|(zh, en)| key == fold(zh) || key == *en)
        else {
            continue;
        };
        let range = wb
            .worksheet_range(&name)
            .map_err(|_| RowError::file("not_xlsx"))?;
        let (row0, col0) = range.start().unwrap_or((0, 0));
        let mut sheet = Sheet::default();
        for (i, cells) in range.rows().enumerate() {
            let rownum = row0 + i as u32 + 1;
            let texts: Vec<String> = cells.iter().map(text_of).collect();
            if sheet.headers.is_empty() {
                if texts.iter().all(String::is_empty) {
                    continue;
                }
                sheet.header_row = rownum;
                sheet.headers = texts
                    .into_iter()
                    .enumerate()
                    .filter(|(_, t)| !t.is_empty())
                    .map(|(c, t)| (col0 + c as u32, t))
                    .collect();
                continue;
            }
            let mut full = vec![String::new(); col0 as usize];
            full.extend(texts);
            sheet.rows.push((rownum, full));
        }
        // Rows left blank at the end are formatting, not data.
        while sheet
            .rows
            .last()
            .is_some_and(|(_, r)| r.iter().all(String::is_empty))
        {
            sheet.rows.pop();
        }
        out[i] = Some(sheet);
    }
    Ok(out)
}

/// Which file column each expected column is in.
pub(crate) struct Layout {
    pub(crate) sheet: &'static str,
    pub(crate) at: HashMap<&'static str, u32>,
}

impl Layout {
    pub(crate) fn cell<'a>(&self, row: &'a [String], field: &str) -> &'a str {
        self.at
            .get(field)
            .and_then(|c| row.get(*c as usize))
            .map_or("", |s| s.as_str())
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
    errors: &mut Vec<RowError>,
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

//! What an import reports in words: where each problem of a refused file
//! is (sheet, row, column and header) and what is wrong there, and the
//! formula cells whose saved values it read. Pages, the API and the command
//! line word them alike.

use xueshi_app::roster::{MEMBER_COLUMNS, RowError, UNIT_COLUMNS, column_letter};

use crate::error::field_message;
use crate::i18n::{Lang, fill};

/// One problem of a rejected file, in words.
pub struct Problem {
    pub place: String,
    pub message: String,
}

/// Where a problem is, as a secretary would look for it.
pub fn place(lang: Lang, e: &RowError) -> String {
    let t = lang.msg();
    let (sheet, spec) = match e.sheet {
        "units" => (t.import_sheet_units, &UNIT_COLUMNS[..]),
        "members" => (t.import_sheet_members, &MEMBER_COLUMNS[..]),
        "questions" => (
            t.import_sheet_questions,
            &xueshi_app::bank::QUESTION_COLUMNS[..],
        ),
        "materials" => (
            t.import_sheet_materials,
            &xueshi_app::library::MATERIAL_COLUMNS[..],
        ),
        "history" => (
            t.import_sheet_history,
            &xueshi_app::library::HISTORY_COLUMNS[..],
        ),
        "matters" => (
            t.import_sheet_matters,
            &xueshi_app::matters::CATALOGUE_COLUMNS[..],
        ),
        _ => return t.import_where_file.to_owned(),
    };
    let header = spec
        .iter()
        .find(|c| c.field == e.error.field)
        .map(|c| c.label)
        .unwrap_or("");
    match e.column {
        Some(c) if header.is_empty() => fill(
            t.import_where_cell_bare,
            &[
                ("sheet", sheet.into()),
                ("row", e.row.to_string()),
                ("col", column_letter(c)),
            ],
        ),
        Some(c) => fill(
            t.import_where_cell,
            &[
                ("sheet", sheet.into()),
                ("row", e.row.to_string()),
                ("col", column_letter(c)),
                ("header", header.into()),
            ],
        ),
        None => fill(
            t.import_where_row,
            &[("sheet", sheet.into()), ("row", e.row.to_string())],
        ),
    }
}

pub fn problems(lang: Lang, rows: &[RowError], limit: usize) -> Vec<Problem> {
    rows.iter()
        .take(limit)
        .map(|e| Problem {
            place: place(lang, e),
            message: field_message(lang, &e.error),
        })
        .collect()
}

/// The formula cells of an import, carried on the redirect after it so the
/// page that follows can name them.
#[derive(serde::Deserialize, Default)]
pub struct FormulaNote {
    #[serde(default)]
    pub formulas: u64,
    #[serde(default)]
    pub cells: String,
}

impl FormulaNote {
    /// The query string that carries an import's formula cells (empty when
    /// it had none), to append to a redirect.
    pub fn query(f: &xueshi_app::sheet::FormulaCells) -> String {
        if f.count == 0 {
            return String::new();
        }
        format!(
            "&formulas={}&cells={}",
            f.count,
            crate::ctx::urlencode(&f.cells.join(","))
        )
    }
}

/// What an import tells of its formula cells: their saved values were read.
pub fn formula_message(lang: Lang, f: &xueshi_app::sheet::FormulaCells) -> Option<String> {
    (f.count > 0).then(|| {
        let t = lang.msg();
        let list = f.cells.join(t.punct_list);
        let more = if f.count > f.cells.len() as u64 {
            t.import_formulas_more
        } else {
            ""
        };
        fill(
            t.import_formulas,
            &[
                ("n", f.count.to_string()),
                ("cells", format!("{list}{more}")),
            ],
        )
    })
}

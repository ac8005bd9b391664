//! The roster as a spreadsheet: a template to fill in, imports that check
//! every row before writing any, and exports of a subtree.
//!
//! One workbook, two sheets: 组织 (units) and 党员 (members), with the same
//! columns in the template, the import and the export, so an export can be
//! edited and imported into another installation.

pub mod export;
pub mod import;
mod work;

pub use work::{MayImport, may_import, start_export, start_import};

use serde::Serialize;
use xueshi_domain::FieldError;

/// A column of a roster sheet.
#[derive(Clone, Copy, Debug)]
pub struct Column {
    /// The field name (also the English header).
    pub field: &'static str,
    /// The Chinese header.
    pub label: &'static str,
    pub required: bool,
    /// Shown as text in spreadsheets (phone and ID numbers).
    pub text: bool,
}

impl Column {
    /// A column read as plain text (question banks, the study library).
    pub const fn text(field: &'static str, label: &'static str, required: bool) -> Column {
        Column {
            field,
            label,
            required,
            text: true,
        }
    }
}

const fn col(field: &'static str, label: &'static str, required: bool) -> Column {
    Column {
        field,
        label,
        required,
        text: false,
    }
}

pub const UNIT_SHEET: &str = "组织";
pub const MEMBER_SHEET: &str = "党员";

pub const UNIT_COLUMNS: [Column; 5] = [
    col("code", "组织编码", true),
    col("name", "组织名称", true),
    col("kind", "组织类型", true),
    col("parent_code", "上级组织编码", true),
    col("sort_order", "排序", false),
];

pub const MEMBER_COLUMNS: [Column; 10] = [
    col("name", "姓名", true),
    col("gender", "性别", false),
    col("birth_date", "出生日期", false),
    col("join_date", "入党日期", false),
    col("status", "党员状态", true),
    col("cadre_level", "干部层级", false),
    col("position", "职务", false),
    Column {
        field: "phone",
        label: "手机号",
        required: false,
        text: true,
    },
    Column {
        field: "id_number",
        label: "身份证号",
        required: false,
        text: true,
    },
    col("unit_code", "所在组织编码", true),
];

/// Something wrong with one cell, row or header of an uploaded file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// `units` or `members`; empty for the file as a whole.
    pub sheet: &'static str,
    /// 1-based spreadsheet row; 0 for the file as a whole.
    pub row: u32,
    /// 0-based column index, when one column is at fault.
    pub column: Option<u32>,
    pub error: FieldError,
}

impl RowError {
    pub fn file(code: &'static str) -> RowError {
        RowError {
            sheet: "",
            row: 0,
            column: None,
            error: FieldError::new("file", code),
        }
    }
}

/// `A`, `B`, … `Z`, `AA` for a 0-based column index.
pub fn column_letter(mut i: u32) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn column_letters() {
        assert_eq!(super::column_letter(0), "A");
        assert_eq!(super::column_letter(25), "Z");
        assert_eq!(super::column_letter(26), "AA");
        assert_eq!(super::column_letter(27), "AB");
    }
}

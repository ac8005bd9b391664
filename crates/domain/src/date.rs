//! Calendar dates as people type them in rosters.
//!
//! Owns the parsing of `2021-03-05`, `2021/3/5`, `2021.3.5`, `2021年3月5日`,
//! `20210305` and spreadsheet serial numbers into one date, and its stored
//! form `YYYY-MM-DD`. It must not decide which dates a rule allows.

use time::{Date, Month};

use crate::invalid::FieldError;

/// Parses a date written any of the usual ways.
pub fn parse_date(field: &'static str, raw: &str) -> Result<Date, FieldError> {
    let t = raw.trim();
    let bad = || FieldError::new(field, "bad_date").with("value", t);
    if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
        return ymd(&t[..4], &t[4..6], &t[6..]).ok_or_else(bad);
    }
    let parts: Vec<&str> = t
        .split(['-', '/', '.', '年', '月', '日'])
        .filter(|p| !p.is_empty())
        .collect();
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 => ymd(y, m, d).ok_or_else(bad),
        _ => Err(bad()),
    }
}

fn ymd(y: &str, m: &str, d: &str) -> Option<Date> {
    let y: i32 = y.parse().ok()?;
    let m: u8 = m.parse().ok()?;
    let d: u8 = d.parse().ok()?;
    Date::from_calendar_date(y, Month::try_from(m).ok()?, d).ok()
}

/// A spreadsheet date serial (days since 1899-12-30) as a date.
pub fn from_serial(serial: f64) -> Option<Date> {
    if !(1.0..=2_958_465.0).contains(&serial) {
        return None;
    }
    let base = Date::from_calendar_date(1899, Month::December, 30).ok()?;
    base.checked_add(time::Duration::days(serial.floor() as i64))
}

/// The stored form, `YYYY-MM-DD`.
pub fn iso(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Reads the stored form back.
pub fn from_iso(s: &str) -> Option<Date> {
    parse_date("date", s).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_usual_ways_of_writing_a_date() {
        let want = Date::from_calendar_date(2021, Month::March, 5).unwrap();
        for raw in [
            "2021-03-05",
            "2021/3/5",
            "2021.3.5",
            "2021年3月5日",
            "20210305",
            " 2021-3-05 ",
        ] {
            assert_eq!(parse_date("d", raw), Ok(want), "{raw}");
        }
        for raw in ["2021-02-30", "21-3-5", "yesterday", "", "2021-13-01"] {
            assert_eq!(parse_date("d", raw).unwrap_err().code, "bad_date", "{raw}");
        }
        assert_eq!(iso(want), "2021-03-05");
    }

    #[test]
    fn spreadsheet_serials() {
        assert_eq!(
            from_serial(44260.0),
            Date::from_calendar_date(2021, Month::March, 5).ok()
        );
        assert_eq!(from_serial(-3.0), None);
    }
}

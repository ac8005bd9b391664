//! Personal data that must never be shown whole by default: phone numbers and
//! resident ID numbers (居民身份证号码).
//!
//! Owns their validation, normalisation and masked form. It must not encrypt
//! or store them; the app layer seals the whole value and keeps only the
//! masked form in clear.

use serde::Serialize;
use time::Date;

use crate::invalid::FieldError;

/// A mainland mobile number, normalised to 11 digits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Phone(String);

impl Phone {
    /// Accepts spaces, dashes and a `+86` / `86` prefix.
    pub fn parse(field: &'static str, raw: &str) -> Result<Phone, FieldError> {
        let digits: String = raw
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '\u{3000}'))
            .collect();
        let digits = digits
            .strip_prefix("+86")
            .or_else(|| digits.strip_prefix("0086"))
            .unwrap_or(&digits);
        let digits = if digits.len() == 13 {
            digits.strip_prefix("86").unwrap_or(digits)
        } else {
            digits
        };
        let ok = digits.len() == 11
            && digits.bytes().all(|b| b.is_ascii_digit())
            && digits.as_bytes()[0] == b'1'
            && (b'3'..=b'9').contains(&digits.as_bytes()[1]);
        if ok {
            Ok(Phone(digits.to_owned()))
        } else {
            Err(FieldError::new(field, "bad_phone"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `138****5678`
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

/// An 18-character resident ID number with a valid check character.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IdNumber(String);

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: &[u8; 11] = b"10X98765432";

impl IdNumber {
    pub fn parse(field: &'static str, raw: &str) -> Result<IdNumber, FieldError> {
        let t: String = raw.trim().chars().map(|c| c.to_ascii_uppercase()).collect();
        let b = t.as_bytes();
        if b.len() != 18
            || !b[..17].iter().all(u8::is_ascii_digit)
            || !(b[17].is_ascii_digit() || b[17] == b'X')
        {
            return Err(FieldError::new(field, "bad_id_number"));
        }
        let id = IdNumber(t);
        if id.birth_date().is_none() {
            return Err(FieldError::new(field, "bad_id_number"));
        }
        if check_char(&id.0.as_bytes()[..17]) != id.0.as_bytes()[17] {
            return Err(FieldError::new(field, "bad_id_checksum"));
        }
        Ok(id)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `430***********123X`
    pub fn masked(&self) -> String {
        format!("{}***********{}", &self.0[..3], &self.0[14..])
    }

    /// The birth date the number encodes.
    pub fn birth_date(&self) -> Option<Date> {
        let y: i32 = self.0[6..10].parse().ok()?;
        let m: u8 = self.0[10..12].parse().ok()?;
        let d: u8 = self.0[12..14].parse().ok()?;
        Date::from_calendar_date(y, time::Month::try_from(m).ok()?, d).ok()
    }

    /// The 17th digit is odd for men, even for women.
    pub fn is_male(&self) -> bool {
        (self.0.as_bytes()[16] - b'0') % 2 == 1
    }
}

/// The check character for the first 17 digits of an ID number.
pub fn check_char(first17: &[u8]) -> u8 {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK[(sum % 11) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid_id(first17: &str) -> String {
        format!("{first17}{}", check_char(first17.as_bytes()) as char)
    }

    #[test]
    fn phones_normalise_and_mask() {
        let p = Phone::parse("phone", "+86 138-1234-5678").unwrap();
        assert_eq!(p.as_str(), "13812345678");
        assert_eq!(p.masked(), "138****5678");
        assert_eq!(
            Phone::parse("phone", "12812345678").unwrap_err().code,
            "bad_phone"
        );
        assert_eq!(
            Phone::parse("phone", "1381234567").unwrap_err().code,
            "bad_phone"
        );
    }

    #[test]
    fn id_numbers_check_and_mask() {
        let raw = valid_id("43060319850315123");
        let id = IdNumber::parse("id_number", &raw).unwrap();
        assert_eq!(
            id.birth_date(),
            Date::from_calendar_date(1985, time::Month::March, 15).ok()
        );
        assert!(id.is_male());
        assert_eq!(id.masked().len(), 18);
        assert!(id.masked().starts_with("430***") && id.masked().ends_with(&raw[14..]));
        let mut wrong = raw.clone().into_bytes();
        wrong[17] = if wrong[17] == b'1' { b'2' } else { b'1' };
        assert_eq!(
            IdNumber::parse("id_number", std::str::from_utf8(&wrong).unwrap())
                .unwrap_err()
                .code,
            "bad_id_checksum"
        );
        assert_eq!(
            IdNumber::parse("id_number", &valid_id("43060319851315123"))
                .unwrap_err()
                .code,
            "bad_id_number"
        );
        assert_eq!(
            IdNumber::parse("id_number", "abc").unwrap_err().code,
            "bad_id_number"
        );
    }

    #[test]
    fn lower_case_x_is_accepted() {
        // 11010519491231002X is the standard's own example.
        let id = IdNumber::parse("id_number", "11010519491231002x").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert!(!id.is_male());
    }
}

//! Problems the public raises (急难愁盼) through the public window: what a
//! valid one looks like, its tracking code, the photo types accepted, and
//! the small arithmetic challenge that keeps scripts out.
//!
//! It must not read anything or keep secrets: the app signs challenges and
//! seals contacts.

use crate::FieldError;
use crate::pii::Phone;
use crate::text::fold;

/// Shortest and longest description a citizen may write.
pub const MIN_BODY: usize = 8;
pub const MAX_BODY: usize = 2_000;
pub const MAX_AREA: usize = 100;
/// Largest photo accepted, in bytes: what a phone's camera sends. It is
/// kept shrunk (see the app's `photo`).
pub const MAX_PHOTO: usize = 10 * 1024 * 1024;

/// Letters and digits that cannot be mistaken for one another when read
/// aloud or copied by hand (no 0/O, 1/I/L).
const CODE_ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ_";

/// A tracking code of 12 characters from 60 random bits, grouped for
/// reading: `ABCD-EFGH-JKMN`. Unguessable, so the code is the citizen's
/// only key to the follow-up page.
pub fn tracking_code(random: u64) -> String {
    let mut out = String::with_capacity(14);
    for i in 0..12 {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        // 31 letters: the last of the alphabet is never used.
        let n = ((random >> (i * 5)) & 0x1f) as usize % 31;
        out.push(CODE_ALPHABET[n] as char);
    }
    out
}

/// A code as typed back: upper case, spaces dropped, dashes where they go.
pub fn normalise_code(raw: &str) -> Option<String> {
    let chars: Vec<char> = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if chars.len() != 12
        || !chars
            .iter()
            .all(|c| CODE_ALPHABET[..31].contains(&(*c as u8)))
    {
        return None;
    }
    let mut out = String::with_capacity(14);
    for (i, c) in chars.into_iter().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(c);
    }
    Some(out)
}

/// The kinds of photo accepted, told by their first bytes, not their name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhotoType {
    Jpeg,
    Png,
}

/// A photo no larger than [`MAX_PHOTO`] whose bytes are a JPEG or PNG,
/// whatever its name claims.
pub fn check_photo(bytes: Vec<u8>) -> Result<(PhotoType, Vec<u8>), FieldError> {
    if bytes.len() > MAX_PHOTO {
        return Err(
            FieldError::new("photo", "photo_too_large").with("max_mb", MAX_PHOTO / 1024 / 1024)
        );
    }
    match PhotoType::sniff(&bytes) {
        Some(t) => Ok((t, bytes)),
        None => Err(FieldError::new("photo", "photo_type")),
    }
}

impl PhotoType {
    pub fn sniff(bytes: &[u8]) -> Option<PhotoType> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(PhotoType::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(PhotoType::Png)
        } else {
            None
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            PhotoType::Jpeg => "image/jpeg",
            PhotoType::Png => "image/png",
        }
    }
}

/// A problem as the public form sends it, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProblemDraft {
    pub body: String,
    pub area: String,
    pub contact: Option<Phone>,
    pub photo: Option<(PhotoType, Vec<u8>)>,
}

impl ProblemDraft {
    /// Every problem with the input, each on its field.
    pub fn parse(
        body: &str,
        area: &str,
        contact: &str,
        photo: Option<Vec<u8>>,
    ) -> Result<ProblemDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        let body = body.trim();
        let n = body.chars().count();
        if n == 0 {
            errors.push(FieldError::new("body", "required"));
        } else if n < MIN_BODY {
            errors.push(FieldError::new("body", "too_short").with("min", MIN_BODY));
        } else if n > MAX_BODY {
            errors.push(FieldError::new("body", "too_long").with("max", MAX_BODY));
        }
        let area = area.trim();
        if area.chars().count() > MAX_AREA {
            errors.push(FieldError::new("area", "too_long").with("max", MAX_AREA));
        }
        for (field, s) in [("body", body), ("area", area)] {
            if s.chars()
                .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
            {
                errors.push(FieldError::new(field, "control_chars"));
            }
        }
        let contact = match contact.trim() {
            "" => None,
            raw => match Phone::parse("contact", raw) {
                Ok(p) => Some(p),
                Err(e) => {
                    errors.push(e);
                    None
                }
            },
        };
        let photo = match photo.filter(|p| !p.is_empty()) {
            None => None,
            Some(bytes) => check_photo(bytes).map_err(|e| errors.push(e)).ok(),
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ProblemDraft {
            body: body.to_owned(),
            area: area.to_owned(),
            contact,
            photo,
        })
    }

    /// What two reports of the same problem share: the folded text without
    /// spaces and punctuation, so 繁體 and 简体, or an extra comma, match.
    pub fn fingerprint(&self) -> String {
        fold(&format!("{}|{}", self.area, self.body))
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == '|')
            .collect()
    }
}

/// A sum small enough for anyone, from two random numbers: the question's
/// two terms and the answer.
pub fn challenge(random: u64) -> (u32, u32, u32) {
    let a = (random % 9 + 1) as u32;
    let b = ((random >> 8) % 9 + 1) as u32;
    (a, b, a + b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back_however_they_are_typed() {
        let c = tracking_code(0x0123_4567_89AB_CDEF);
        assert_eq!(c.len(), 14);
        assert_eq!(normalise_code(&c), Some(c.clone()));
        assert_eq!(
            normalise_code(&c.to_lowercase().replace('-', " ")),
            Some(c.clone())
        );
        assert_eq!(
            normalise_code("ABCD-EFGH-IJKL"),
            None,
            "I and L are not used"
        );
        assert_eq!(normalise_code("ABCD"), None);
        assert_ne!(tracking_code(1), tracking_code(2));
    }

    #[test]
    fn drafts_are_checked_field_by_field() {
        let ok = ProblemDraft::parse(
            "小区门口路灯坏了两个月，晚上很黑。",
            "松杨湖街道",
            "13812345678",
            None,
        )
        .unwrap();
        assert_eq!(
            ok.contact.as_ref().map(|p| p.masked()),
            Some("138****5678".to_owned())
        );
        let errs =
            ProblemDraft::parse("太短", &"长".repeat(101), "12345", Some(b"GIF89a".to_vec()))
                .unwrap_err();
        let fields: Vec<(&str, &str)> = errs.iter().map(|e| (e.field, e.code)).collect();
        assert!(fields.contains(&("body", "too_short")), "{fields:?}");
        assert!(fields.contains(&("area", "too_long")), "{fields:?}");
        assert!(fields.iter().any(|f| f.0 == "contact"), "{fields:?}");
        assert!(fields.contains(&("photo", "photo_type")), "{fields:?}");
        let big = [&[0xFF, 0xD8, 0xFF][..], &vec![0u8; MAX_PHOTO]].concat();
        let errs = ProblemDraft::parse("小区门口路灯坏了两个月。", "", "", Some(big)).unwrap_err();
        assert_eq!(errs[0].code, "photo_too_large");
    }

    #[test]
    fn the_same_problem_folds_across_scripts_and_punctuation() {
        let a = ProblemDraft::parse("小区门口路灯坏了，晚上很黑。", "云溪", "", None).unwrap();
        let b = ProblemDraft::parse("小區門口路燈壞了 晚上很黑", "云溪", "", None).unwrap();
        assert_eq!(a.fingerprint(), b.fingerprint());
        let c = ProblemDraft::parse("小区门口路灯坏了，晚上很黑。", "长岭", "", None).unwrap();
        assert_ne!(
            a.fingerprint(),
            c.fingerprint(),
            "another place is another problem"
        );
    }

    #[test]
    fn challenges_are_small_sums() {
        for r in [0, 1, 255, 256, u64::MAX] {
            let (a, b, s) = challenge(r);
            assert!((1..=9).contains(&a) && (1..=9).contains(&b) && s == a + b);
        }
    }
}

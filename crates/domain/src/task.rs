//! Tasks (任务): the evidence that completes one, and the rules it is
//! checked by. Pure; the use-cases in `app::tasks` apply them.

use serde::{Deserialize, Serialize};

use crate::invalid::FieldError;

/// What a unit hands in to show a task done.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Evidence {
    /// A written account.
    Text,
    /// A phone photo of the activity.
    Photo,
    /// A document (PDF, Word, Excel).
    File,
    /// How many attended.
    Attendance,
    /// A record elsewhere in xueshi (a meeting, a matter, a briefing …).
    Link,
}

impl Evidence {
    pub const ALL: [Evidence; 5] = [
        Evidence::Text,
        Evidence::Photo,
        Evidence::File,
        Evidence::Attendance,
        Evidence::Link,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Evidence::Text => "text",
            Evidence::Photo => "photo",
            Evidence::File => "file",
            Evidence::Attendance => "attendance",
            Evidence::Link => "link",
        }
    }

    pub fn parse(raw: &str) -> Option<Evidence> {
        Evidence::ALL.into_iter().find(|e| e.as_str() == raw.trim())
    }
}

/// The kinds a new tree starts with: (code, name, mandated). The six
/// 规定动作 of the reports' 六重抓 and the 自选动作 any unit may add.
pub const DEFAULT_KINDS: [(&str, &str, bool); 7] = [
    ("study", "专题学习", true),
    ("training", "专题培训", true),
    ("party_lecture", "专题党课", true),
    ("preaching", "专题宣讲", true),
    ("research", "专题研究宣传阐释", true),
    ("life_meeting", "专题民主生活会和组织生活会", true),
    ("elective", "自选动作", false),
];

/// Largest evidence document.
pub const MAX_FILE: usize = 10 * 1024 * 1024;
/// Longest written account.
pub const MAX_NOTE: usize = 2000;
/// Most attendance one report may claim.
pub const MAX_ATTENDANCE: i64 = 100_000;

/// The type of an evidence document, told by its first bytes rather than
/// its name: PDF, or an Office Open XML file (a zip).
pub fn document_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(b"PK\x03\x04") {
        Some("application/octet-stream")
    } else {
        None
    }
}

/// Checks an evidence document: its size and type.
pub fn check_document(bytes: &[u8]) -> Result<&'static str, FieldError> {
    if bytes.is_empty() {
        return Err(FieldError::new("file", "required"));
    }
    if bytes.len() > MAX_FILE {
        return Err(
            FieldError::new("file", "document_too_large").with("max", MAX_FILE / 1024 / 1024)
        );
    }
    document_type(bytes).ok_or_else(|| FieldError::new("file", "bad_document_type"))
}

/// Records a link may point at: paths of this installation, never
/// another site.
const LINKABLE: [&str; 6] = [
    "/matters/",
    "/briefings/",
    "/rankings/",
    "/meetings/",
    "/units/",
    "/campaigns/",
];

/// Checks a link to a record of this installation.
pub fn check_link(raw: &str) -> Result<String, FieldError> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(FieldError::new("link", "required"));
    }
    let path = t
        .find("://")
        .map_or(t, |i| t[i + 3..].find('/').map_or("", |p| &t[i + 3 + p..]));
    let ok = LINKABLE.iter().any(|p| path.starts_with(p))
        && path.len() <= 200
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/-_.?=&".contains(c));
    if ok {
        Ok(path.to_owned())
    } else {
        Err(FieldError::new("link", "bad_record_link"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_stay_inside_the_installation() {
        assert_eq!(check_link("/matters/12").unwrap(), "/matters/12");
        assert_eq!(
            check_link("https://xueshi.example/meetings/3").unwrap(),
            "/meetings/3"
        );
        assert!(check_link("https://evil.example/").is_err());
        assert!(check_link("/login").is_err());
        assert!(check_link("javascript:alert(1)").is_err());
        assert!(check_link("/matters/1\"><script>").is_err());
    }

    #[test]
    fn documents_are_told_by_their_bytes() {
        assert!(check_document(b"%PDF-1.7 ...").is_ok());
        assert!(check_document(b"PK\x03\x04...").is_ok());
        assert_eq!(
            check_document(b"MZ\x90").unwrap_err().code,
            "bad_document_type"
        );
        assert_eq!(
            check_document(&vec![b'%'; MAX_FILE + 1]).unwrap_err().code,
            "document_too_large"
        );
    }
}

//! The campaign's own organs: the leading group (领导小组) with its office
//! (办公室) and working groups (工作组), the guidance groups (巡回指导组)
//! each assigned a slice of units (分片包干), and lecture teams (宣讲团) with
//! their sub-teams (宣讲小组 / 小分队).
//!
//! Owns organ kinds, which may sit under which, and validated input. It must
//! not read or write rows.

use serde::{Deserialize, Serialize};

use crate::invalid::{Checks, FieldError, optional_text, parse_choice, required_text};
use crate::text::fold;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrganKind {
    LeadingGroup,
    Office,
    WorkingGroup,
    GuidanceGroup,
    LectureTeam,
    LectureSubteam,
}

impl OrganKind {
    pub const ALL: [OrganKind; 6] = [
        OrganKind::LeadingGroup,
        OrganKind::Office,
        OrganKind::WorkingGroup,
        OrganKind::GuidanceGroup,
        OrganKind::LectureTeam,
        OrganKind::LectureSubteam,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrganKind::LeadingGroup => "leading_group",
            OrganKind::Office => "office",
            OrganKind::WorkingGroup => "working_group",
            OrganKind::GuidanceGroup => "guidance_group",
            OrganKind::LectureTeam => "lecture_team",
            OrganKind::LectureSubteam => "lecture_subteam",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            OrganKind::LeadingGroup => "领导小组",
            OrganKind::Office => "办公室",
            OrganKind::WorkingGroup => "工作组",
            OrganKind::GuidanceGroup => "巡回指导组",
            OrganKind::LectureTeam => "宣讲团",
            OrganKind::LectureSubteam => "宣讲小组",
        }
    }

    pub fn parse(raw: &str) -> Option<OrganKind> {
        let t = fold(raw);
        OrganKind::ALL
            .into_iter()
            .find(|k| k.as_str() == t || fold(k.label_zh()) == t)
    }

    /// The kind an organ of this kind must sit under, if any.
    pub fn parent_kind(self) -> Option<OrganKind> {
        match self {
            OrganKind::Office | OrganKind::WorkingGroup | OrganKind::GuidanceGroup => {
                Some(OrganKind::LeadingGroup)
            }
            OrganKind::LectureSubteam => Some(OrganKind::LectureTeam),
            OrganKind::LeadingGroup | OrganKind::LectureTeam => None,
        }
    }

    /// Whether the organ covers a slice of units (分片包干).
    pub fn has_slice(self) -> bool {
        matches!(
            self,
            OrganKind::GuidanceGroup | OrganKind::LectureSubteam | OrganKind::LectureTeam
        )
    }
}

/// Validated input for an organ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrganDraft {
    pub kind: OrganKind,
    pub name: String,
    pub duties: String,
}

impl OrganDraft {
    pub fn parse(kind: &str, name: &str, duties: &str) -> Result<OrganDraft, Vec<FieldError>> {
        let mut c = Checks::new();
        let kind = c.take(parse_choice("kind", kind, OrganKind::parse));
        let name = c.take(required_text("name", name, 60));
        let duties = c.take(optional_text("duties", duties, 500));
        match (kind, name, duties) {
            (Some(kind), Some(name), Some(duties)) if c.is_empty() => {
                Ok(OrganDraft { kind, name, duties })
            }
            _ => Err(c.into_errors()),
        }
    }
}

/// A person on an organ: a member of the roster, or someone from outside it
/// (a teacher, a student volunteer, a 百姓名嘴, a veteran).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrganPersonDraft {
    pub name: String,
    pub post: String,
    pub affiliation: String,
}

impl OrganPersonDraft {
    pub fn parse(
        name: &str,
        post: &str,
        affiliation: &str,
    ) -> Result<OrganPersonDraft, Vec<FieldError>> {
        let mut c = Checks::new();
        let name = c.take(crate::member::parse_person_name(name));
        let post = c.take(required_text("post", post, 30));
        let affiliation = c.take(optional_text("affiliation", affiliation, 60));
        match (name, post, affiliation) {
            (Some(name), Some(post), Some(affiliation)) if c.is_empty() => Ok(OrganPersonDraft {
                name,
                post,
                affiliation,
            }),
            _ => Err(c.into_errors()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organs_nest_under_their_parents() {
        assert_eq!(
            OrganKind::GuidanceGroup.parent_kind(),
            Some(OrganKind::LeadingGroup)
        );
        assert_eq!(
            OrganKind::LectureSubteam.parent_kind(),
            Some(OrganKind::LectureTeam)
        );
        assert_eq!(
            OrganKind::parse("巡回指導組"),
            Some(OrganKind::GuidanceGroup)
        );
        assert!(OrganDraft::parse("工作组", "", "").is_err());
    }
}

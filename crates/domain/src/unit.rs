//! Organisation units (党组织) and the tree they form.
//!
//! Owns unit kinds and which kind may sit under which, the materialised path
//! that makes "everything under X" one index range, and validated unit input.
//! It must not read or write rows.

use serde::{Deserialize, Serialize};

use crate::id::Id;
use crate::invalid::{Checks, FieldError, parse_choice, required_text};

/// The kind of a unit in the Party's organisation tree.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    PartialOrd,
    Ord,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// 地方党委: a province's, city's, district's or county's committee.
    LocalCommittee,
    /// 基层党委: a grassroots Party committee (town, enterprise, school).
    PartyCommittee,
    /// 党工委: a working committee (development zone, organs of a district).
    WorkingCommittee,
    /// 党组: the leading Party group of a department.
    LeadingPartyGroup,
    /// 机关党委: the Party committee of a department's organs.
    OrganCommittee,
    /// 党总支: a general Party branch.
    GeneralBranch,
    /// 党支部: a Party branch.
    Branch,
    /// 党小组: a Party group inside a branch.
    PartyGroup,
    /// 临时党支部: a temporary branch (a ship at sea, an epidemic front line).
    TemporaryBranch,
}

impl UnitKind {
    pub const ALL: [UnitKind; 9] = [
        UnitKind::LocalCommittee,
        UnitKind::PartyCommittee,
        UnitKind::WorkingCommittee,
        UnitKind::LeadingPartyGroup,
        UnitKind::OrganCommittee,
        UnitKind::GeneralBranch,
        UnitKind::Branch,
        UnitKind::PartyGroup,
        UnitKind::TemporaryBranch,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::LocalCommittee => "local_committee",
            UnitKind::PartyCommittee => "party_committee",
            UnitKind::WorkingCommittee => "working_committee",
            UnitKind::LeadingPartyGroup => "leading_party_group",
            UnitKind::OrganCommittee => "organ_committee",
            UnitKind::GeneralBranch => "general_branch",
            UnitKind::Branch => "branch",
            UnitKind::PartyGroup => "party_group",
            UnitKind::TemporaryBranch => "temporary_branch",
        }
    }

    /// The Chinese name, as written in rosters and imports.
    pub fn label_zh(self) -> &'static str {
        match self {
            UnitKind::LocalCommittee => "地方党委",
            UnitKind::PartyCommittee => "党委",
            UnitKind::WorkingCommittee => "党工委",
            UnitKind::LeadingPartyGroup => "党组",
            UnitKind::OrganCommittee => "机关党委",
            UnitKind::GeneralBranch => "党总支",
            UnitKind::Branch => "党支部",
            UnitKind::PartyGroup => "党小组",
            UnitKind::TemporaryBranch => "临时党支部",
        }
    }

    /// A kind as a person writes it (its key or its Chinese name, in
    /// either script).
    pub fn parse(raw: &str) -> Option<UnitKind> {
        let t = crate::text::fold(raw);
        UnitKind::ALL
            .into_iter()
            .find(|k| k.as_str() == t || crate::text::fold(k.label_zh()) == t)
    }

    /// Counted among the 基层党组织 that reports quote ("534个基层党组织"):
    /// grassroots committees, 机关党委, general branches and branches, temporary
    /// ones included. Local committees, working committees, leading Party
    /// groups and Party groups are not organisations of that kind.
    pub fn is_grassroots(self) -> bool {
        matches!(
            self,
            UnitKind::PartyCommittee
                | UnitKind::OrganCommittee
                | UnitKind::GeneralBranch
                | UnitKind::Branch
                | UnitKind::TemporaryBranch
        )
    }

    /// Whether members may be registered directly in a unit of this kind.
    pub fn holds_members(self) -> bool {
        matches!(
            self,
            UnitKind::Branch
                | UnitKind::TemporaryBranch
                | UnitKind::PartyGroup
                | UnitKind::GeneralBranch
        )
    }

    /// Whether a unit of kind `child` may sit directly under one of this kind.
    pub fn may_contain(self, child: UnitKind) -> bool {
        use UnitKind::*;
        match self {
            PartyGroup => false,
            Branch | TemporaryBranch => child == PartyGroup,
            GeneralBranch => matches!(child, Branch | TemporaryBranch),
            PartyCommittee | OrganCommittee => {
                matches!(
                    child,
                    PartyCommittee | OrganCommittee | GeneralBranch | Branch | TemporaryBranch
                )
            }
            WorkingCommittee | LeadingPartyGroup => !matches!(child, LocalCommittee | PartyGroup),
            LocalCommittee => child != PartyGroup,
        }
    }
}

/// A unit's place in the tree: the ids from the root down to the unit, each as
/// 16 lower-case hex digits. All descendants of a unit have paths in the
/// half-open range `[path, next)` where `next` increments the last segment, so
/// "everything under X" is one index range on either database, whatever the
/// collation of the text column.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct UnitPath(String);

const SEG: usize = 16;

impl UnitPath {
    pub fn root(id: Id) -> Self {
        UnitPath(format!("{:016x}", id.0))
    }

    pub fn child(&self, id: Id) -> Self {
        UnitPath(format!("{}{:016x}", self.0, id.0))
    }

    /// Accepts a stored path; `None` if it is not a sequence of segments.
    pub fn parse(raw: &str) -> Option<Self> {
        let ok = !raw.is_empty()
            && raw.len().is_multiple_of(SEG)
            && raw
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        ok.then(|| UnitPath(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// 0 for a root.
    pub fn depth(&self) -> i64 {
        (self.0.len() / SEG) as i64 - 1
    }

    /// The ids from the root down to (and including) the unit itself.
    pub fn ids(&self) -> Vec<Id> {
        (0..self.0.len() / SEG)
            .filter_map(|i| {
                i64::from_str_radix(&self.0[i * SEG..(i + 1) * SEG], 16)
                    .ok()
                    .map(Id)
            })
            .collect()
    }

    pub fn id(&self) -> Id {
        let tail = &self.0[self.0.len() - SEG..];
        Id(i64::from_str_radix(tail, 16).unwrap_or(0))
    }

    pub fn parent(&self) -> Option<UnitPath> {
        (self.0.len() > SEG).then(|| UnitPath(self.0[..self.0.len() - SEG].to_owned()))
    }

    /// True when `self` is `ancestor` or lies under it.
    pub fn is_within(&self, ancestor: &UnitPath) -> bool {
        self.0.starts_with(&ancestor.0)
    }

    /// `[lo, hi)` bounds of the subtree rooted here, the unit itself included.
    pub fn subtree_range(&self) -> (String, String) {
        let head = &self.0[..self.0.len() - SEG];
        let next = format!("{head}{:016x}", self.id().0.wrapping_add(1));
        (self.0.clone(), next)
    }

    /// The path this unit's subtree gets when moved under `new_parent`:
    /// returns the new path of a descendant whose current path is `old`.
    pub fn rebase(&self, old: &UnitPath, new_parent: Option<&UnitPath>) -> UnitPath {
        let keep_from = self.0.len() - SEG;
        let prefix = new_parent.map(|p| p.0.as_str()).unwrap_or("");
        UnitPath(format!("{prefix}{}", &old.0[keep_from..]))
    }
}

/// Validated input for creating or editing a unit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UnitDraft {
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    pub sort_order: i64,
}

impl UnitDraft {
    pub fn parse(
        code: &str,
        name: &str,
        kind: &str,
        sort_order: Option<i64>,
    ) -> Result<Self, Vec<FieldError>> {
        let mut c = Checks::new();
        let code = c.take(parse_code(code));
        let name = c.take(required_text("name", name, 60));
        let kind = c.take(parse_choice("kind", kind, UnitKind::parse));
        match (code, name, kind) {
            (Some(code), Some(name), Some(kind)) if c.is_empty() => Ok(UnitDraft {
                code,
                name,
                kind,
                sort_order: sort_order.unwrap_or(0),
            }),
            _ => Err(c.into_errors()),
        }
    }
}

/// A unit's code: what rosters and imports call it. Letters, digits, `-`,
/// `_` and `.`, at most 32.
pub fn parse_code(raw: &str) -> Result<String, FieldError> {
    let t = required_text("code", raw, 32)?;
    if t.chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        Ok(t)
    } else {
        Err(FieldError::new("code", "bad_code"))
    }
}

stored_as_key!(UnitKind, "unit kind");

/// A path as stored.
impl TryFrom<String> for UnitPath {
    type Error = String;
    fn try_from(s: String) -> Result<UnitPath, String> {
        UnitPath::parse(&s).ok_or_else(|| format!("malformed unit path {s:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subtree_range_holds_descendants_only() {
        let root = UnitPath::root(Id(10));
        let a = root.child(Id(0xff));
        let a1 = a.child(Id(3));
        let b = root.child(Id(0x100));
        let (lo, hi) = a.subtree_range();
        let inside = |p: &UnitPath| p.as_str() >= lo.as_str() && p.as_str() < hi.as_str();
        assert!(inside(&a) && inside(&a1));
        assert!(!inside(&b) && !inside(&root));
        assert!(a1.is_within(&a) && a1.is_within(&root) && !b.is_within(&a));
        assert_eq!(a1.ids(), vec![Id(10), Id(0xff), Id(3)]);
        assert_eq!(a1.depth(), 2);
        assert_eq!(a1.parent(), Some(a.clone()));
    }

    #[test]
    fn rebase_moves_a_subtree() {
        let root = UnitPath::root(Id(1));
        let a = root.child(Id(2));
        let a1 = a.child(Id(3));
        let b = root.child(Id(4));
        let moved = a.rebase(&a1, Some(&b));
        assert_eq!(moved, b.child(Id(2)).child(Id(3)));
    }

    #[test]
    fn kinds_nest_sensibly() {
        assert!(UnitKind::Branch.may_contain(UnitKind::PartyGroup));
        assert!(!UnitKind::PartyGroup.may_contain(UnitKind::Branch));
        assert!(!UnitKind::Branch.may_contain(UnitKind::Branch));
        assert!(UnitKind::LocalCommittee.may_contain(UnitKind::TemporaryBranch));
        assert_eq!(UnitKind::parse("党支部"), Some(UnitKind::Branch));
        assert_eq!(UnitKind::parse("黨支部"), Some(UnitKind::Branch));
        assert_eq!(UnitKind::parse("branch"), Some(UnitKind::Branch));
        assert!(UnitKind::TemporaryBranch.is_grassroots());
        assert!(!UnitKind::LocalCommittee.is_grassroots());
    }

    #[test]
    fn drafts_report_every_bad_field() {
        let errs = UnitDraft::parse("a b", "", "党小队", None).unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| (e.field, e.code)).collect();
        assert_eq!(
            fields,
            vec![
                ("code", "bad_code"),
                ("name", "required"),
                ("kind", "bad_choice")
            ]
        );
    }
}

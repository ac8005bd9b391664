//! Practical matters for the masses (我为群众办实事): a matter's level and
//! field, its lifecycle 征集 → 立项 → 领办 → 推进 → 办结 → 群众评价 with the
//! transitions allowed between them, the claiming rules of seed 001, and
//! when the public's ratings reopen a finished matter.
//!
//! It must not read anything: callers pass the claims and ratings they hold.

use serde::Serialize;

use crate::member::CadreLevel;

/// Where a matter sits in the catalogue (实事目录).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatterLevel {
    /// 省重点民生实事
    ProvinceKey,
    /// 市重点民生实事
    CityKey,
    /// 区（县）重点民生实事
    DistrictKey,
    /// 一般实事
    #[default]
    General,
    /// 单位自选实事: a unit's own "自命题"
    UnitOwn,
}

impl MatterLevel {
    pub const ALL: [MatterLevel; 5] = [
        MatterLevel::ProvinceKey,
        MatterLevel::CityKey,
        MatterLevel::DistrictKey,
        MatterLevel::General,
        MatterLevel::UnitOwn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MatterLevel::ProvinceKey => "province_key",
            MatterLevel::CityKey => "city_key",
            MatterLevel::DistrictKey => "district_key",
            MatterLevel::General => "general",
            MatterLevel::UnitOwn => "unit_own",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            MatterLevel::ProvinceKey => "省重点民生实事",
            MatterLevel::CityKey => "市重点民生实事",
            MatterLevel::DistrictKey => "区重点民生实事",
            MatterLevel::General => "一般实事",
            MatterLevel::UnitOwn => "单位自选实事",
        }
    }

    /// A level from a spreadsheet cell: the Chinese label, a short form, or
    /// the English key.
    pub fn parse(s: &str) -> Option<MatterLevel> {
        let s = s.trim();
        let short = match s {
            "省重点" | "省级重点" => Some(MatterLevel::ProvinceKey),
            "市重点" | "市级重点" => Some(MatterLevel::CityKey),
            "区重点" | "县重点" | "区级重点" | "县级重点" => {
                Some(MatterLevel::DistrictKey)
            }
            "一般" => Some(MatterLevel::General),
            "自选" | "单位自选" => Some(MatterLevel::UnitOwn),
            _ => None,
        };
        short
            .or_else(|| MatterLevel::ALL.into_iter().find(|l| l.label_zh() == s))
            .or_else(|| MatterLevel::ALL.into_iter().find(|l| l.as_str() == s))
    }

    /// 重点 matters are the ones the reports count apart ("重点民生实事28件").
    pub fn is_key(self) -> bool {
        matches!(
            self,
            MatterLevel::ProvinceKey | MatterLevel::CityKey | MatterLevel::DistrictKey
        )
    }
}

stored_as_key!(MatterLevel, "matter level");

/// The fields the seeds name (八大重点领域 and the like); a campaign may add
/// its own, so fields are data, and these are the defaults a new
/// installation starts with.
pub const DEFAULT_FIELDS: [&str; 8] = [
    "产业发展",
    "生态保护",
    "乡村振兴",
    "民生改善",
    "安全稳定",
    "党的建设",
    "企业服务",
    "基层治理",
];

/// The default fields in English, in [`DEFAULT_FIELDS`]' order.
pub const DEFAULT_FIELDS_EN: [&str; 8] = [
    "Industry",
    "Ecology",
    "Rural revitalisation",
    "Livelihoods",
    "Safety and stability",
    "Party building",
    "Services to enterprises",
    "Community governance",
];

/// A default field's English name; a field a campaign added keeps the name
/// it was given.
pub fn field_name_en(name: &str) -> Option<&'static str> {
    DEFAULT_FIELDS
        .iter()
        .position(|f| *f == name)
        .map(|i| DEFAULT_FIELDS_EN[i])
}

/// Where a matter is in its closed loop; a new one starts collected.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatterStatus {
    /// 征集: proposed (by the public, a unit or the office), not yet taken on.
    #[default]
    Collected,
    /// 立项: on the catalogue, waiting for someone to lead it.
    Approved,
    /// 领办: led by someone, no progress reported yet.
    Claimed,
    /// 推进: under way, reporting progress.
    InProgress,
    /// 办结: finished, open to the public's rating (群众评价).
    Done,
    /// 不予立项: turned down, with a reason.
    Dropped,
}

impl MatterStatus {
    pub const ALL: [MatterStatus; 6] = [
        MatterStatus::Collected,
        MatterStatus::Approved,
        MatterStatus::Claimed,
        MatterStatus::InProgress,
        MatterStatus::Done,
        MatterStatus::Dropped,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MatterStatus::Collected => "collected",
            MatterStatus::Approved => "approved",
            MatterStatus::Claimed => "claimed",
            MatterStatus::InProgress => "in_progress",
            MatterStatus::Done => "done",
            MatterStatus::Dropped => "dropped",
        }
    }

    pub fn parse(s: &str) -> Option<MatterStatus> {
        MatterStatus::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// A status as stored; anything else is a value the catalogue never wrote.
impl TryFrom<String> for MatterStatus {
    type Error = String;
    fn try_from(s: String) -> Result<MatterStatus, String> {
        MatterStatus::parse(&s).ok_or_else(|| format!("unknown matter status {s:?}"))
    }
}

impl MatterStatus {
    pub fn label_zh(self) -> &'static str {
        match self {
            MatterStatus::Collected => "征集",
            MatterStatus::Approved => "立项",
            MatterStatus::Claimed => "领办",
            MatterStatus::InProgress => "推进",
            MatterStatus::Done => "办结",
            MatterStatus::Dropped => "不予立项",
        }
    }
}

/// Something that moves a matter along its loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatterEvent {
    /// The office puts it on the catalogue (立项).
    Approve,
    /// The office turns it down (不予立项).
    Drop,
    /// Someone takes the lead (领办).
    Lead,
    /// A progress report (推进).
    Report,
    /// The lead declares it finished (办结).
    Finish,
    /// The public's ratings found it wanting: back to work.
    Reopen,
}

impl MatterEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            MatterEvent::Approve => "approve",
            MatterEvent::Drop => "drop",
            MatterEvent::Lead => "lead",
            MatterEvent::Report => "report",
            MatterEvent::Finish => "finish",
            MatterEvent::Reopen => "reopen",
        }
    }
}

/// Where `event` takes a matter in `status`, or `None` when the loop does
/// not allow it (refused, nothing changes). Progress may be reported again
/// and again; a second lead joins without changing the status; a finished
/// matter can only be reopened.
pub fn next_status(status: MatterStatus, event: MatterEvent) -> Option<MatterStatus> {
    use MatterEvent as E;
    use MatterStatus as S;
    match (status, event) {
        (S::Collected, E::Approve) => Some(S::Approved),
        (S::Collected, E::Drop) => Some(S::Dropped),
        (S::Approved, E::Lead) => Some(S::Claimed),
        (S::Claimed | S::InProgress, E::Lead) => Some(status),
        (S::Claimed | S::InProgress, E::Report) => Some(S::InProgress),
        (S::InProgress, E::Finish) => Some(S::Done),
        (S::Done, E::Reopen) => Some(S::InProgress),
        _ => None,
    }
}

/// How someone takes part in a matter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimRole {
    /// 领办: leads it (alone, or as the head of those who join).
    Lead,
    /// 合领合办: works on it with others.
    Join,
}

/// Why a claim is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClaimRefusal {
    /// Ordinary members claim jointly: they join a matter someone leads.
    OrdinaryMustJoin,
    /// Nobody leads the matter yet, so there is nothing to join.
    NoLeadToJoin,
    /// 科级 cadres lead one matter alone; this one already has a lead.
    AlreadyLed,
    /// The member already takes part in this matter.
    AlreadyClaimed,
    /// Only approved matters, under way or not yet finished, take claims.
    NotOpen,
}

impl ClaimRefusal {
    pub fn code(self) -> &'static str {
        match self {
            ClaimRefusal::OrdinaryMustJoin => "claim_ordinary_must_join",
            ClaimRefusal::NoLeadToJoin => "claim_no_lead",
            ClaimRefusal::AlreadyLed => "claim_already_led",
            ClaimRefusal::AlreadyClaimed => "claim_already_claimed",
            ClaimRefusal::NotOpen => "claim_not_open",
        }
    }
}

/// Whether a member of `level` may take `role` in a matter in `status` that
/// has `leads` leads and already counts the member (`mine`) or not.
///
/// Seed 001: 副处级以上 leaders choose at least one matter from the catalogue
/// and lead it (others may join theirs); 科级 cadres lead one alone, so a
/// matter already led is not theirs to lead too; ordinary members claim
/// jointly, joining a matter that has a lead.
pub fn may_claim(
    level: CadreLevel,
    role: ClaimRole,
    status: MatterStatus,
    leads: usize,
    mine: bool,
) -> Result<(), ClaimRefusal> {
    if !matches!(
        status,
        MatterStatus::Approved | MatterStatus::Claimed | MatterStatus::InProgress
    ) {
        return Err(ClaimRefusal::NotOpen);
    }
    if mine {
        return Err(ClaimRefusal::AlreadyClaimed);
    }
    match (level, role) {
        (CadreLevel::Ordinary, ClaimRole::Lead) => Err(ClaimRefusal::OrdinaryMustJoin),
        (CadreLevel::Section, ClaimRole::Lead) if leads > 0 => Err(ClaimRefusal::AlreadyLed),
        (_, ClaimRole::Join) if leads == 0 => Err(ClaimRefusal::NoLeadToJoin),
        _ => Ok(()),
    }
}

/// Whether a member still owes the claim the rules require: a leader who
/// leads nothing. (科级 cadres and ordinary members are encouraged, not
/// obliged.)
pub fn owes_claim(level: CadreLevel, leads_held: usize) -> bool {
    level == CadreLevel::Leader && leads_held == 0
}

/// The public's verdict on a finished matter (群众评价).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    /// 满意
    Satisfied,
    /// 基本满意
    Fair,
    /// 不满意
    Unsatisfied,
}

impl Rating {
    pub fn as_str(self) -> &'static str {
        match self {
            Rating::Satisfied => "satisfied",
            Rating::Fair => "fair",
            Rating::Unsatisfied => "unsatisfied",
        }
    }

    pub fn parse(s: &str) -> Option<Rating> {
        [Rating::Satisfied, Rating::Fair, Rating::Unsatisfied]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

/// Ratings since a matter was last finished: enough of them, and a large
/// enough share 不满意, send it back to work. Three votes keep one angry
/// neighbour from reopening a matter alone; a third keeps a matter most
/// people accept from bouncing.
pub const REOPEN_MIN_RATINGS: i64 = 3;
pub const REOPEN_SHARE: f64 = 1.0 / 3.0;

pub fn reopens(satisfied: i64, fair: i64, unsatisfied: i64) -> bool {
    let total = satisfied + fair + unsatisfied;
    total >= REOPEN_MIN_RATINGS && unsatisfied as f64 >= REOPEN_SHARE * total as f64
}

impl MatterStatus {
    /// Still to be finished: a deadline can pass on it.
    pub fn is_open(self) -> bool {
        !matches!(self, MatterStatus::Done | MatterStatus::Dropped)
    }
}

/// A matter is overdue (逾期) when its deadline (YYYY-MM-DD) has passed and
/// it is neither finished nor dropped; the deadline day itself is in time.
pub fn overdue(status: MatterStatus, deadline: &str, today: &str) -> bool {
    status.is_open() && deadline < today
}

/// The cadences a campaign may ask of its matters' leads: weekly or monthly.
pub const REPORT_CADENCES: [i64; 2] = [7, 30];

/// A led matter is behind on reporting when its last report (or its lead,
/// before the first) is older than its cadence.
pub fn behind_report(status: MatterStatus, reported_at: Option<i64>, days: i64, now: i64) -> bool {
    matches!(status, MatterStatus::Claimed | MatterStatus::InProgress)
        && reported_at.is_some_and(|at| at + days * 86_400_000 < now)
}

/// The most votes one network address may cast in a typical-case round: a
/// household or an office behind one address votes, a script that throws
/// its browser token away after each vote does not stuff the box.
pub const VOTES_PER_ADDRESS: i64 = 20;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lateness_counts_days_and_cadence() {
        use MatterStatus as S;
        assert!(overdue(S::InProgress, "2026-11-22", "2026-11-23"));
        assert!(
            !overdue(S::InProgress, "2026-11-23", "2026-11-23"),
            "the deadline day is in time"
        );
        assert!(!overdue(S::Done, "2026-01-01", "2026-11-23"));
        assert!(!overdue(S::Dropped, "2026-01-01", "2026-11-23"));
        let day = 86_400_000;
        assert!(behind_report(S::InProgress, Some(0), 7, 8 * day));
        assert!(!behind_report(S::InProgress, Some(0), 7, 7 * day));
        assert!(!behind_report(S::InProgress, Some(0), 30, 8 * day));
        assert!(
            !behind_report(S::Approved, Some(0), 7, 80 * day),
            "nobody leads it yet"
        );
        assert!(!behind_report(S::Done, Some(0), 7, 80 * day));
    }

    #[test]
    fn the_loop_allows_only_its_own_steps() {
        use MatterEvent as E;
        use MatterStatus as S;
        let path = [
            (S::Collected, E::Approve, S::Approved),
            (S::Approved, E::Lead, S::Claimed),
            (S::Claimed, E::Report, S::InProgress),
            (S::InProgress, E::Report, S::InProgress),
            (S::InProgress, E::Finish, S::Done),
            (S::Done, E::Reopen, S::InProgress),
        ];
        for (from, e, to) in path {
            assert_eq!(next_status(from, e), Some(to), "{from:?} {e:?}");
        }
        // Every pair not on the loop is refused.
        let events = [
            E::Approve,
            E::Drop,
            E::Lead,
            E::Report,
            E::Finish,
            E::Reopen,
        ];
        let mut allowed = 0;
        for s in MatterStatus::ALL {
            for e in events {
                allowed += usize::from(next_status(s, e).is_some());
            }
        }
        assert_eq!(
            allowed, 9,
            "the six steps, drop, and leads joining under way"
        );
        assert_eq!(
            next_status(S::Approved, E::Finish),
            None,
            "no finishing unled work"
        );
        assert_eq!(next_status(S::Done, E::Report), None);
        assert_eq!(next_status(S::Dropped, E::Approve), None);
    }

    #[test]
    fn claims_follow_seed_001() {
        use CadreLevel as L;
        use ClaimRole as R;
        use MatterStatus as S;
        assert_eq!(may_claim(L::Leader, R::Lead, S::Approved, 0, false), Ok(()));
        assert_eq!(
            may_claim(L::Leader, R::Lead, S::Claimed, 1, false),
            Ok(()),
            "leaders may co-lead"
        );
        assert_eq!(
            may_claim(L::Section, R::Lead, S::Approved, 0, false),
            Ok(())
        );
        assert_eq!(
            may_claim(L::Section, R::Lead, S::Claimed, 1, false),
            Err(ClaimRefusal::AlreadyLed)
        );
        assert_eq!(
            may_claim(L::Ordinary, R::Lead, S::Approved, 0, false),
            Err(ClaimRefusal::OrdinaryMustJoin)
        );
        assert_eq!(
            may_claim(L::Ordinary, R::Join, S::Approved, 0, false),
            Err(ClaimRefusal::NoLeadToJoin)
        );
        assert_eq!(
            may_claim(L::Ordinary, R::Join, S::InProgress, 1, false),
            Ok(())
        );
        assert_eq!(
            may_claim(L::Ordinary, R::Join, S::InProgress, 1, true),
            Err(ClaimRefusal::AlreadyClaimed)
        );
        for s in [S::Collected, S::Done, S::Dropped] {
            assert_eq!(
                may_claim(L::Leader, R::Lead, s, 0, false),
                Err(ClaimRefusal::NotOpen)
            );
        }
        assert!(owes_claim(L::Leader, 0));
        assert!(!owes_claim(L::Leader, 1));
        assert!(!owes_claim(L::Section, 0));
    }

    #[test]
    fn enough_unsatisfied_ratings_reopen() {
        assert!(!reopens(0, 0, 2), "two votes are not enough");
        assert!(reopens(0, 0, 3));
        assert!(reopens(4, 0, 2), "a third of six");
        assert!(!reopens(5, 1, 2));
    }

    #[test]
    fn levels_read_back_from_their_labels() {
        for l in MatterLevel::ALL {
            assert_eq!(MatterLevel::parse(l.label_zh()), Some(l));
            assert_eq!(MatterLevel::parse(l.as_str()), Some(l));
        }
        assert_eq!(MatterLevel::parse("区重点"), Some(MatterLevel::DistrictKey));
        assert!(MatterLevel::DistrictKey.is_key() && !MatterLevel::General.is_key());
        for s in MatterStatus::ALL {
            assert_eq!(MatterStatus::parse(s.as_str()), Some(s));
        }
    }
}

//! Briefings (简报) and the campaign's other periodic papers: what kinds
//! the reports name, and the road an issue travels from draft to
//! published. Seeds 001 (一周一简报、一月一小结) and 002 (每月一通报、每季
//! 一点评、年终一总评).

use serde::Serialize;

/// A kind of periodic paper, each numbered on its own (第N期).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BriefingKind {
    /// 工作简报, weekly.
    Weekly,
    /// 月度小结.
    MonthlySummary,
    /// 月度通报.
    MonthlyNotice,
    /// 季度点评.
    QuarterlyReview,
    /// 年终总评.
    YearEnd,
}

impl BriefingKind {
    pub const ALL: [BriefingKind; 5] = [
        BriefingKind::Weekly,
        BriefingKind::MonthlySummary,
        BriefingKind::MonthlyNotice,
        BriefingKind::QuarterlyReview,
        BriefingKind::YearEnd,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            BriefingKind::Weekly => "weekly",
            BriefingKind::MonthlySummary => "monthly_summary",
            BriefingKind::MonthlyNotice => "monthly_notice",
            BriefingKind::QuarterlyReview => "quarterly_review",
            BriefingKind::YearEnd => "year_end",
        }
    }
    /// The paper's name, as its masthead prints it.
    pub fn label_zh(self) -> &'static str {
        match self {
            BriefingKind::Weekly => "党史学习教育工作简报",
            BriefingKind::MonthlySummary => "党史学习教育月度小结",
            BriefingKind::MonthlyNotice => "党史学习教育工作通报",
            BriefingKind::QuarterlyReview => "党史学习教育季度点评",
            BriefingKind::YearEnd => "党史学习教育年终总评",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            BriefingKind::Weekly => "Weekly briefing",
            BriefingKind::MonthlySummary => "Monthly summary",
            BriefingKind::MonthlyNotice => "Monthly notice",
            BriefingKind::QuarterlyReview => "Quarterly review",
            BriefingKind::YearEnd => "Year-end review",
        }
    }
    /// The days an issue usually covers, ending on the day it is made.
    pub fn usual_days(self) -> i64 {
        match self {
            BriefingKind::Weekly => 7,
            BriefingKind::MonthlySummary | BriefingKind::MonthlyNotice => 30,
            BriefingKind::QuarterlyReview => 91,
            BriefingKind::YearEnd => 365,
        }
    }
    pub fn parse(s: &str) -> Option<BriefingKind> {
        BriefingKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
    }
}

stored_as_key!(BriefingKind, "briefing kind");

/// Where an issue stands. A draft is regenerated and edited freely; an
/// approved one waits to go out; a published one is fixed for good.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BriefingStatus {
    Draft,
    Approved,
    Published,
}

impl BriefingStatus {
    pub const ALL: [BriefingStatus; 3] = [
        BriefingStatus::Draft,
        BriefingStatus::Approved,
        BriefingStatus::Published,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            BriefingStatus::Draft => "draft",
            BriefingStatus::Approved => "approved",
            BriefingStatus::Published => "published",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            BriefingStatus::Draft => "草稿",
            BriefingStatus::Approved => "已审核",
            BriefingStatus::Published => "已印发",
        }
    }
    /// The steps the road allows: a draft is approved, an approved issue is
    /// published or sent back to draft; nothing leaves published.
    pub fn may_become(self, next: BriefingStatus) -> bool {
        use BriefingStatus::*;
        matches!(
            (self, next),
            (Draft, Approved) | (Approved, Published) | (Approved, Draft)
        )
    }
}

stored_as_key!(BriefingStatus, "briefing status");

/// 第N期 in the masthead's numerals (Arabic, as the reports print them).
pub fn issue_number(n: i64) -> String {
    format!("第{n}期")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_published_issue_is_fixed_and_a_draft_is_approved_first() {
        use BriefingStatus::*;
        assert!(Draft.may_become(Approved));
        assert!(!Draft.may_become(Published));
        assert!(Approved.may_become(Published) && Approved.may_become(Draft));
        for s in BriefingStatus::ALL {
            assert!(!Published.may_become(s));
        }
        assert_eq!(issue_number(12), "第12期");
        assert_eq!(
            BriefingKind::try_from("weekly".to_owned()),
            Ok(BriefingKind::Weekly)
        );
        assert!(BriefingKind::try_from("daily".to_owned()).is_err());
    }
}

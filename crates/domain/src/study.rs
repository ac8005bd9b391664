//! Study (学习): what members study, the quotas a campaign sets (五个一,
//! 每日自学1小时) and the periods those quotas count over.
//!
//! Owns the calendar of a quota period — day, week from Monday, 旬 (the
//! 1st–10th, 11th–20th and 21st–end of a month), month, the whole campaign —
//! and whether a count meets a quota. It must not read check-ins itself:
//! callers pass the counts.

use serde::Serialize;
use time::{Date, Duration};

/// What a check-in (学习打卡) or a material is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StudyKind {
    /// 读一本书
    Book,
    /// 看一部红色电影
    Film,
    /// 唱一首红色歌曲
    Song,
    /// 看一个短视频
    Video,
    /// 文章
    Article,
    /// 微党课
    MicroLecture,
    /// 体验式学习 (a visit to a red site, a lecture attended)
    Experiential,
}

impl StudyKind {
    pub const ALL: [StudyKind; 7] = [
        StudyKind::Book,
        StudyKind::Film,
        StudyKind::Song,
        StudyKind::Video,
        StudyKind::Article,
        StudyKind::MicroLecture,
        StudyKind::Experiential,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StudyKind::Book => "book",
            StudyKind::Film => "film",
            StudyKind::Song => "song",
            StudyKind::Video => "video",
            StudyKind::Article => "article",
            StudyKind::MicroLecture => "micro_lecture",
            StudyKind::Experiential => "experiential",
        }
    }

    pub fn parse(s: &str) -> Option<StudyKind> {
        StudyKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The word a spreadsheet uses for the kind.
    pub fn label_zh(self) -> &'static str {
        match self {
            StudyKind::Book => "书籍",
            StudyKind::Film => "红色电影",
            StudyKind::Song => "红色歌曲",
            StudyKind::Video => "短视频",
            StudyKind::Article => "文章",
            StudyKind::MicroLecture => "微党课",
            StudyKind::Experiential => "体验式学习",
        }
    }

    /// A kind from a spreadsheet cell: the Chinese word, a short form of
    /// it, or the English key.
    pub fn from_label(s: &str) -> Option<StudyKind> {
        let s = s.trim();
        let short = match s {
            "书" | "读书" | "图书" => Some(StudyKind::Book),
            "电影" | "影片" => Some(StudyKind::Film),
            "歌曲" | "红歌" => Some(StudyKind::Song),
            "视频" => Some(StudyKind::Video),
            "微课" => Some(StudyKind::MicroLecture),
            "体验" | "实地学习" => Some(StudyKind::Experiential),
            _ => None,
        };
        short
            .or_else(|| StudyKind::ALL.into_iter().find(|k| k.label_zh() == s))
            .or_else(|| StudyKind::parse(s))
    }
}

/// A kind as stored; anything else is a value the library never wrote.
impl TryFrom<String> for StudyKind {
    type Error = String;
    fn try_from(s: String) -> Result<StudyKind, String> {
        StudyKind::parse(&s).ok_or_else(|| format!("unknown study kind {s:?}"))
    }
}

/// What a quota counts as stored: a kind of study, or minutes (no kind).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QuotaKind(pub Option<StudyKind>);

impl TryFrom<Option<String>> for QuotaKind {
    type Error = String;
    fn try_from(s: Option<String>) -> Result<QuotaKind, String> {
        match s {
            None => Ok(QuotaKind(None)),
            Some(k) => StudyKind::try_from(k).map(|k| QuotaKind(Some(k))),
        }
    }
}

/// The span a quota counts over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Day,
    /// Monday to Sunday.
    Week,
    /// 旬: ten days, the last one running to the month's end.
    Xun,
    Month,
    /// From the campaign's first day to its last.
    Campaign,
}

impl Period {
    pub const ALL: [Period; 5] = [
        Period::Day,
        Period::Week,
        Period::Xun,
        Period::Month,
        Period::Campaign,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Week => "week",
            Period::Xun => "xun",
            Period::Month => "month",
            Period::Campaign => "campaign",
        }
    }

    pub fn parse(s: &str) -> Option<Period> {
        Period::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// The first and last day (both included) of the period holding `day`;
    /// a campaign period is clipped to the campaign.
    pub fn window(self, day: Date, campaign: (Date, Date)) -> (Date, Date) {
        match self {
            Period::Day => (day, day),
            Period::Week => {
                let from = day - Duration::days(i64::from(day.weekday().number_days_from_monday()));
                (from, from + Duration::days(6))
            }
            Period::Xun => {
                let (first, last) = match day.day() {
                    1..=10 => (1, 10),
                    11..=20 => (11, 20),
                    _ => (21, month_end(day).day()),
                };
                (with_day(day, first), with_day(day, last))
            }
            Period::Month => (with_day(day, 1), month_end(day)),
            Period::Campaign => campaign,
        }
    }
}

/// A period as stored; anything else is a value the campaign never wrote.
impl TryFrom<String> for Period {
    type Error = String;
    fn try_from(s: String) -> Result<Period, String> {
        Period::parse(&s).ok_or_else(|| format!("unknown quota period {s:?}"))
    }
}

fn with_day(d: Date, day: u8) -> Date {
    d.replace_day(day).unwrap_or(d)
}

fn month_end(d: Date) -> Date {
    with_day(d, d.month().length(d.year()))
}

/// A study quota (学习定额): `count` of `kind` per `period`, or, with
/// `minutes`, that many minutes of any study per day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Quota {
    pub kind: Option<StudyKind>,
    pub count: u32,
    pub period: Period,
    pub minutes: u32,
}

impl Quota {
    /// Whether a member's `done` (check-ins of the kind, or minutes) in the
    /// current period meets the quota.
    pub fn met(&self, done: u32) -> bool {
        done >= self.target()
    }

    /// What must be reached: a count, or minutes for a minutes quota.
    pub fn target(&self) -> u32 {
        if self.kind.is_none() {
            self.minutes
        } else {
            self.count
        }
    }
}

/// The longest a single check-in may claim: a whole day of study is not
/// believable from a phone in one go.
pub const MAX_CHECK_IN_MINUTES: u32 = 600;

#[cfg(test)]
mod tests {
    #[test]
    fn kinds_read_back_from_their_labels() {
        for k in super::StudyKind::ALL {
            assert_eq!(super::StudyKind::from_label(k.label_zh()), Some(k));
            assert_eq!(super::StudyKind::from_label(k.as_str()), Some(k));
        }
        assert_eq!(
            super::StudyKind::from_label("红歌"),
            Some(super::StudyKind::Song)
        );
        assert_eq!(super::StudyKind::from_label("小说"), None);
    }

    use time::macros::date;

    use super::*;

    const CAMPAIGN: (Date, Date) = (date!(2021 - 02 - 20), date!(2021 - 12 - 31));

    #[test]
    fn xun_boundaries_fall_on_the_tenth_the_twentieth_and_the_month_end() {
        let w = |d| Period::Xun.window(d, CAMPAIGN);
        assert_eq!(
            w(date!(2021 - 03 - 01)),
            (date!(2021 - 03 - 01), date!(2021 - 03 - 10))
        );
        assert_eq!(
            w(date!(2021 - 03 - 10)),
            (date!(2021 - 03 - 01), date!(2021 - 03 - 10))
        );
        assert_eq!(
            w(date!(2021 - 03 - 11)),
            (date!(2021 - 03 - 11), date!(2021 - 03 - 20))
        );
        assert_eq!(
            w(date!(2021 - 03 - 20)),
            (date!(2021 - 03 - 11), date!(2021 - 03 - 20))
        );
        assert_eq!(
            w(date!(2021 - 03 - 21)),
            (date!(2021 - 03 - 21), date!(2021 - 03 - 31))
        );
        assert_eq!(
            w(date!(2021 - 02 - 28)),
            (date!(2021 - 02 - 21), date!(2021 - 02 - 28))
        );
        assert_eq!(
            w(date!(2024 - 02 - 29)),
            (date!(2024 - 02 - 21), date!(2024 - 02 - 29))
        );
        assert_eq!(
            w(date!(2021 - 04 - 30)),
            (date!(2021 - 04 - 21), date!(2021 - 04 - 30))
        );
    }

    #[test]
    fn weeks_start_on_monday_and_months_end_on_their_last_day() {
        // 2021-07-01 was a Thursday.
        assert_eq!(
            Period::Week.window(date!(2021 - 07 - 01), CAMPAIGN),
            (date!(2021 - 06 - 28), date!(2021 - 07 - 04))
        );
        assert_eq!(
            Period::Week.window(date!(2021 - 06 - 28), CAMPAIGN),
            (date!(2021 - 06 - 28), date!(2021 - 07 - 04))
        );
        assert_eq!(
            Period::Week.window(date!(2021 - 07 - 04), CAMPAIGN),
            (date!(2021 - 06 - 28), date!(2021 - 07 - 04))
        );
        assert_eq!(
            Period::Month.window(date!(2021 - 02 - 14), CAMPAIGN),
            (date!(2021 - 02 - 01), date!(2021 - 02 - 28))
        );
        assert_eq!(
            Period::Month.window(date!(2021 - 12 - 31), CAMPAIGN),
            (date!(2021 - 12 - 01), date!(2021 - 12 - 31))
        );
        assert_eq!(
            Period::Day.window(date!(2021 - 05 - 04), CAMPAIGN),
            (date!(2021 - 05 - 04), date!(2021 - 05 - 04))
        );
        assert_eq!(
            Period::Campaign.window(date!(2021 - 05 - 04), CAMPAIGN),
            CAMPAIGN
        );
    }

    #[test]
    fn a_minutes_quota_counts_minutes() {
        let hour = Quota {
            kind: None,
            count: 0,
            period: Period::Day,
            minutes: 60,
        };
        assert!(!hour.met(59));
        assert!(hour.met(60));
        let book = Quota {
            kind: Some(StudyKind::Book),
            count: 1,
            period: Period::Month,
            minutes: 0,
        };
        assert!(!book.met(0));
        assert!(book.met(2));
    }

    #[test]
    fn kinds_and_periods_round_trip() {
        for k in StudyKind::ALL {
            assert_eq!(StudyKind::parse(k.as_str()), Some(k));
        }
        for p in Period::ALL {
            assert_eq!(Period::parse(p.as_str()), Some(p));
        }
    }
}

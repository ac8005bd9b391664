//! Figures in the reports' own words (数字的表述): a briefing writes
//! "1.4万批次", "40.5万人次", "1800多支", "7万多人", "近万", "超过1万",
//! "全覆盖". Each way of saying a figure is a rule over the exact value, so
//! the words never claim more than the records hold, and the exact value
//! stays beside them.

/// How a figure is said.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wording {
    /// The number itself, as the reports print counts: "11543", "534".
    Exact,
    /// Rounded half up to one decimal of 万 from 10,000 on ("1.4万",
    /// "40.5万", "2万"); below that, exact.
    Rounded,
    /// Cut down to its leading figure and "多" after it, when anything was
    /// cut: hundreds below 10,000 ("600多", "1400多", "1800多"), whole 万
    /// from there ("7万多"); below 100, tens ("50多"). Exact when nothing
    /// was cut, or below 20.
    More,
    /// "近" and the round number (one significant digit) it is within a
    /// tenth below: 9,800 → "近万", 97,000 → "近10万", 1,950 → "近2000".
    /// Exact when no round number is that close.
    Near,
    /// "超过" and the round number (one significant digit) it exceeds:
    /// 11,543 → "超过1万", 405,000 → "超过40万". Exact when the value is
    /// itself round (nothing to exceed) or below 10.
    Over,
}

/// `n` said the way `wording` says it.
pub fn in_words(n: i64, wording: Wording) -> String {
    if n < 0 {
        return n.to_string();
    }
    match wording {
        Wording::Exact => n.to_string(),
        Wording::Rounded => rounded(n),
        Wording::More => more(n),
        Wording::Near => near(n).unwrap_or_else(|| n.to_string()),
        Wording::Over => over(n).unwrap_or_else(|| n.to_string()),
    }
}

const WAN: i64 = 10_000;

fn rounded(n: i64) -> String {
    if n < WAN {
        return n.to_string();
    }
    // Tenths of 万, half up.
    let tenths = (n + 500) / 1_000;
    wan_tenths(tenths)
}

/// A count of tenths of 万 as "1.4万", "2万".
fn wan_tenths(tenths: i64) -> String {
    if tenths % 10 == 0 {
        format!("{}万", tenths / 10)
    } else {
        format!("{}.{}万", tenths / 10, tenths % 10)
    }
}

fn more(n: i64) -> String {
    let step = match n {
        ..20 => return n.to_string(),
        20..100 => 10,
        100..WAN => 100,
        _ => WAN,
    };
    let kept = n / step * step;
    if kept == n {
        return round_words(n);
    }
    format!("{}多", round_words(kept))
}

/// A round number as the reports write it: whole 万 from 10,000 on
/// ("7万", "40万"), else the digits.
fn round_words(n: i64) -> String {
    if n >= WAN && n % 1_000 == 0 {
        wan_tenths(n / 1_000)
    } else {
        n.to_string()
    }
}

/// One significant digit, rounded down: 11,543 → 10,000; 405,000 → 400,000.
fn leading(n: i64) -> i64 {
    let mut p = 1;
    while p * 10 <= n {
        p *= 10;
    }
    n / p * p
}

fn near(n: i64) -> Option<String> {
    if n < 9 {
        return None;
    }
    let mut p = 1;
    while p * 10 <= n {
        p *= 10;
    }
    // The next round number above n with one significant digit.
    let target = (n / p + 1) * p;
    if n * 10 < target * 9 || n == target {
        return None;
    }
    Some(if target == WAN {
        "近万".to_owned()
    } else {
        format!("近{}", round_words(target))
    })
}

fn over(n: i64) -> Option<String> {
    if n < 10 {
        return None;
    }
    let floor = leading(n);
    (floor < n).then(|| format!("超过{}", round_words(floor)))
}

/// How a share is said: coverage of units or people ("全覆盖" at 100%), or
/// a rate ("百分之百" at 100%).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Share {
    Coverage,
    Rate,
}

/// `part` of `whole` as the reports say it: the whole as "全覆盖" or
/// "百分之百", otherwise a percentage to one decimal, cut down, never
/// rounded up to 100%. Nothing of nothing is "0%".
pub fn share_in_words(part: i64, whole: i64, share: Share) -> String {
    if whole > 0 && part >= whole {
        return match share {
            Share::Coverage => "全覆盖".to_owned(),
            Share::Rate => "百分之百".to_owned(),
        };
    }
    if whole <= 0 || part <= 0 {
        return "0%".to_owned();
    }
    let permille = part.saturating_mul(1_000) / whole;
    if permille % 10 == 0 {
        format!("{}%", permille / 10)
    } else {
        format!("{}.{}%", permille / 10, permille % 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_the_reports_print_whole_stay_whole() {
        // 001: 534个基层党组织、11543名党员; 320件矛盾纠纷.
        assert_eq!(in_words(534, Wording::Exact), "534");
        assert_eq!(in_words(11_543, Wording::Exact), "11543");
        assert_eq!(in_words(320, Wording::Exact), "320");
    }

    #[test]
    fn rounded_figures_are_tenths_of_wan() {
        // 000: 1.4万批次、40.5万人次.
        assert_eq!(in_words(14_012, Wording::Rounded), "1.4万");
        assert_eq!(in_words(13_950, Wording::Rounded), "1.4万");
        assert_eq!(in_words(405_320, Wording::Rounded), "40.5万");
        assert_eq!(in_words(19_960, Wording::Rounded), "2万");
        assert_eq!(in_words(9_999, Wording::Rounded), "9999");
    }

    #[test]
    fn more_cuts_down_and_never_up() {
        // 001: 600多件、1400多个; 002: 1800多支; 004: 7万多人.
        assert_eq!(in_words(612, Wording::More), "600多");
        assert_eq!(in_words(1_437, Wording::More), "1400多");
        assert_eq!(in_words(1_899, Wording::More), "1800多");
        assert_eq!(in_words(73_560, Wording::More), "7万多");
        assert_eq!(in_words(405_320, Wording::More), "40万多");
        assert_eq!(in_words(57, Wording::More), "50多");
        // Nothing cut, nothing added.
        assert_eq!(in_words(1_800, Wording::More), "1800");
        assert_eq!(in_words(70_000, Wording::More), "7万");
        assert_eq!(in_words(12, Wording::More), "12");
    }

    #[test]
    fn near_is_within_a_tenth_below_a_round_number() {
        assert_eq!(in_words(9_800, Wording::Near), "近万");
        assert_eq!(in_words(9_000, Wording::Near), "近万");
        assert_eq!(in_words(97_000, Wording::Near), "近10万");
        assert_eq!(in_words(1_950, Wording::Near), "近2000");
        assert_eq!(in_words(8_999, Wording::Near), "近9000");
        // Too far below, or round already: the number itself.
        assert_eq!(in_words(1_050, Wording::Near), "1050");
        assert_eq!(in_words(2_000, Wording::Near), "2000");
    }

    #[test]
    fn over_names_the_round_number_exceeded() {
        assert_eq!(in_words(11_543, Wording::Over), "超过1万");
        assert_eq!(in_words(405_320, Wording::Over), "超过40万");
        assert_eq!(in_words(1_899, Wording::Over), "超过1000");
        assert_eq!(in_words(10_000, Wording::Over), "10000");
    }

    #[test]
    fn shares_say_the_whole_only_when_it_is_whole() {
        // 002: 三轮巡回指导全覆盖; 001: 宣讲全覆盖.
        assert_eq!(share_in_words(534, 534, Share::Coverage), "全覆盖");
        assert_eq!(share_in_words(20_470, 20_470, Share::Rate), "百分之百");
        // 99.96% is not said as 100%.
        assert_eq!(share_in_words(9_996, 10_000, Share::Rate), "99.9%");
        assert_eq!(share_in_words(1, 3, Share::Rate), "33.3%");
        assert_eq!(share_in_words(1, 2, Share::Coverage), "50%");
        assert_eq!(share_in_words(0, 0, Share::Coverage), "0%");
    }
}

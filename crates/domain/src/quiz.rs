//! The question bank (题库) and the daily quiz (每日答题): question kinds,
//! how answers are written and graded, and which questions a member draws on
//! a day.
//!
//! Owns grading and the draw. It must not time attempts or store them: the
//! app signs what was drawn and the store keeps one attempt a day.

use serde::Serialize;

use crate::invalid::FieldError;
use crate::text::fold;

/// A question's kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// 单选题
    Single,
    /// 多选题
    Multiple,
    /// 判断题
    TrueFalse,
    /// 填空题
    FillIn,
}

impl QuestionKind {
    pub const ALL: [QuestionKind; 4] = [
        QuestionKind::Single,
        QuestionKind::Multiple,
        QuestionKind::TrueFalse,
        QuestionKind::FillIn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            QuestionKind::Single => "single",
            QuestionKind::Multiple => "multiple",
            QuestionKind::TrueFalse => "true_false",
            QuestionKind::FillIn => "fill_in",
        }
    }

    pub fn parse(s: &str) -> Option<QuestionKind> {
        QuestionKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The kind as a spreadsheet names it (单选/多选/判断/填空, or the code).
    pub fn from_label(s: &str) -> Option<QuestionKind> {
        match s.trim().trim_end_matches('题') {
            "单选" => Some(QuestionKind::Single),
            "多选" => Some(QuestionKind::Multiple),
            "判断" => Some(QuestionKind::TrueFalse),
            "填空" => Some(QuestionKind::FillIn),
            other => QuestionKind::parse(other),
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            QuestionKind::Single => "单选题",
            QuestionKind::Multiple => "多选题",
            QuestionKind::TrueFalse => "判断题",
            QuestionKind::FillIn => "填空题",
        }
    }
}

/// A kind as stored; anything else is a value the bank never wrote.
impl TryFrom<String> for QuestionKind {
    type Error = String;
    fn try_from(s: String) -> Result<QuestionKind, String> {
        QuestionKind::parse(&s).ok_or_else(|| format!("unknown question kind {s:?}"))
    }
}

/// A question's options as stored: a JSON array of strings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct QuestionOptions(pub Vec<String>);

impl QuestionOptions {
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.0).unwrap_or_else(|_| "[]".into())
    }
}

impl TryFrom<String> for QuestionOptions {
    type Error = String;
    fn try_from(s: String) -> Result<QuestionOptions, String> {
        serde_json::from_str(&s)
            .map(QuestionOptions)
            .map_err(|e| format!("question options {s:?}: {e}"))
    }
}

/// Most options a choice question may carry (A–H).
pub const MAX_OPTIONS: usize = 8;

/// A question as the bank keeps it. `answer` is in its canonical form:
/// option letters in order (`B`, `ACD`), `true`/`false`, or the accepted
/// fill-in answers joined by `|`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    pub kind: QuestionKind,
    pub stem: String,
    pub options: Vec<String>,
    pub answer: String,
}

impl Question {
    /// Checks a question typed into a form or a spreadsheet and brings its
    /// answer to the canonical form.
    pub fn new(
        kind: QuestionKind,
        stem: &str,
        options: Vec<String>,
        answer: &str,
    ) -> Result<Question, Vec<FieldError>> {
        let mut errors = Vec::new();
        let stem = stem.trim().to_owned();
        if stem.is_empty() {
            errors.push(FieldError::new("stem", "required"));
        } else if stem.chars().count() > 1000 {
            errors.push(FieldError::new("stem", "too_long").with("max", 1000));
        }
        let options: Vec<String> = options
            .into_iter()
            .map(|o| o.trim().to_owned())
            .filter(|o| !o.is_empty())
            .collect();
        let answer = match kind {
            QuestionKind::Single | QuestionKind::Multiple => {
                if options.len() < 2 {
                    errors.push(FieldError::new("options", "too_few_options"));
                }
                if options.len() > MAX_OPTIONS {
                    errors.push(
                        FieldError::new("options", "too_many_options").with("max", MAX_OPTIONS),
                    );
                }
                match letters(answer, options.len()) {
                    Some(l) if kind == QuestionKind::Single && l.len() != 1 => {
                        errors.push(FieldError::new("answer", "single_needs_one"));
                        l
                    }
                    Some(l) if kind == QuestionKind::Multiple && l.len() < 2 => {
                        errors.push(FieldError::new("answer", "multiple_needs_two"));
                        l
                    }
                    Some(l) => l,
                    None => {
                        errors.push(
                            FieldError::new("answer", "bad_choice").with("value", answer.trim()),
                        );
                        String::new()
                    }
                }
            }
            QuestionKind::TrueFalse => match truth(answer) {
                Some(t) => t.to_string(),
                None => {
                    errors
                        .push(FieldError::new("answer", "bad_truth").with("value", answer.trim()));
                    String::new()
                }
            },
            QuestionKind::FillIn => {
                let accepted: Vec<&str> = answer
                    .split(['|', '｜'])
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .collect();
                if accepted.is_empty() {
                    errors.push(FieldError::new("answer", "required"));
                }
                accepted.join("|")
            }
        };
        if errors.is_empty() {
            let options = if matches!(kind, QuestionKind::Single | QuestionKind::Multiple) {
                options
            } else {
                Vec::new()
            };
            Ok(Question {
                kind,
                stem,
                options,
                answer,
            })
        } else {
            Err(errors)
        }
    }

    /// Whether `given` (as the member's form sent it) answers the question.
    pub fn grade(&self, given: &str) -> bool {
        match self.kind {
            QuestionKind::Single | QuestionKind::Multiple => {
                letters(given, self.options.len()).is_some_and(|l| l == self.answer)
            }
            QuestionKind::TrueFalse => truth(given).is_some_and(|t| t.to_string() == self.answer),
            QuestionKind::FillIn => {
                let g = loose(given);
                !g.is_empty() && self.answer.split('|').any(|a| loose(a) == g)
            }
        }
    }

    /// The text duplicate detection compares: the stem folded to simplified
    /// Chinese without spaces or punctuation, so 「黨的一大」 equals 「党的一大」.
    pub fn fingerprint(&self) -> String {
        loose(&self.stem)
    }
}

/// Option letters in order without repeats, each within the options.
fn letters(raw: &str, options: usize) -> Option<String> {
    let mut picked = [false; MAX_OPTIONS];
    let mut any = false;
    for c in raw.chars() {
        if c.is_whitespace() || matches!(c, ',' | '，' | '、' | ';' | '；') {
            continue;
        }
        let c = c.to_ascii_uppercase();
        let i = (c as u32).checked_sub('A' as u32)? as usize;
        if !c.is_ascii_uppercase() || i >= options.min(MAX_OPTIONS) {
            return None;
        }
        picked[i] = true;
        any = true;
    }
    any.then(|| {
        (0..MAX_OPTIONS)
            .filter(|&i| picked[i])
            .map(|i| (b'A' + i as u8) as char)
            .collect()
    })
}

fn truth(raw: &str) -> Option<bool> {
    match raw.trim().to_lowercase().as_str() {
        "true" | "t" | "对" | "正确" | "是" | "√" | "✓" | "1" | "yes" => Some(true),
        "false" | "f" | "错" | "错误" | "否" | "×" | "✗" | "x" | "0" | "no" => Some(false),
        _ => None,
    }
}

/// Folded, lower-cased, without whitespace, punctuation and the readings a
/// converter leaves after characters (`上海(shàng hǎi)`), so a question copied
/// from another bank in traditional script, full-width punctuation or with
/// pinyin annotations is known as the same question.
fn loose(s: &str) -> String {
    without_readings(&fold(s))
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A letter of pinyin: Latin, with or without tone marks (ā á ǎ à ü …).
fn pinyin_letter(c: char) -> bool {
    c.is_ascii_alphabetic() || (c.is_alphabetic() && ('\u{00C0}'..='\u{024F}').contains(&c))
}

/// Drops parenthesised runs of pinyin (letters, tone marks or tone digits,
/// spaces, apostrophes) from folded text, where full-width parentheses are
/// already plain ones.
fn without_readings(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(open) = rest.find('(') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let reading = after.find(')').filter(|&close| {
            let inner = &after[..close];
            inner.chars().any(pinyin_letter)
                && inner
                    .chars()
                    .all(|c| pinyin_letter(c) || matches!(c, ' ' | '\'' | '-' | '1'..='5'))
        });
        match reading {
            Some(close) => rest = &after[close + 1..],
            None => {
                out.push('(');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The questions a member draws on the `day`-th day of the campaign: the
/// bank in an order of the member's own, read `n` at a time, so a member
/// meets every question before any repeats (no repeat within
/// `bank.len() / n` days), and different members get different questions.
pub fn draw(member: i64, day: i64, bank: &[i64], n: usize) -> Vec<i64> {
    if bank.is_empty() || n == 0 {
        return Vec::new();
    }
    let mut order: Vec<(u64, i64)> = bank
        .iter()
        .map(|&q| (mix(member as u64 ^ mix(q as u64)), q))
        .collect();
    order.sort_unstable();
    let n = n.min(order.len());
    let start = (day.rem_euclid(i64::MAX / n as i64) as usize * n) % order.len();
    (0..n).map(|j| order[(start + j) % order.len()].1).collect()
}

/// splitmix64's finaliser: a fixed, well-spread hash of a 64-bit value.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use super::*;

    #[test]
    fn pinyin_readings_and_full_width_punctuation_do_not_make_a_new_question() {
        let plain = loose("中共一大在上海召开，后转移到嘉兴南湖。");
        assert_eq!(
            loose("中共一大在上海（shàng hǎi）召开,后转移到嘉兴南湖(jia1 xing1)."),
            plain
        );
        assert_eq!(loose("中共一大在上海召開，後轉移到嘉興南湖。"), plain);
        assert_ne!(
            loose("第(1)题：中共一大在上海召开"),
            loose("第题中共一大在上海召开"),
            "a number in parentheses is content"
        );
    }

    fn q(kind: QuestionKind, options: &[&str], answer: &str) -> Question {
        Question::new(
            kind,
            "中国共产党第一次全国代表大会在哪里召开？",
            options.iter().map(|s| s.to_string()).collect(),
            answer,
        )
        .unwrap()
    }

    #[test]
    fn every_kind_is_graded_on_its_canonical_answer() {
        let single = q(QuestionKind::Single, &["北京", "上海", "广州"], "b");
        assert_eq!(single.answer, "B");
        assert!(single.grade("B") && single.grade(" b "));
        assert!(
            !single.grade("A") && !single.grade("AB") && !single.grade("") && !single.grade("D")
        );

        let multiple = q(QuestionKind::Multiple, &["甲", "乙", "丙", "丁"], "D,A、C");
        assert_eq!(multiple.answer, "ACD");
        assert!(multiple.grade("CAD") && multiple.grade("A C D"));
        assert!(!multiple.grade("AC") && !multiple.grade("ABCD") && !multiple.grade("ACE"));

        let tf = q(QuestionKind::TrueFalse, &[], "对");
        assert_eq!(tf.answer, "true");
        assert!(tf.grade("true") && tf.grade("√") && tf.grade("正确"));
        assert!(!tf.grade("false") && !tf.grade("maybe"));

        let fill = q(QuestionKind::FillIn, &[], "嘉兴南湖｜南湖");
        assert_eq!(fill.answer, "嘉兴南湖|南湖");
        assert!(
            fill.grade("南湖")
                && fill.grade(" 嘉興南湖。")
                && !fill.grade("上海")
                && !fill.grade("")
        );
    }

    #[test]
    fn malformed_questions_are_refused_with_the_field_at_fault() {
        let codes = |r: Result<Question, Vec<FieldError>>| {
            r.unwrap_err().iter().map(|e| e.code).collect::<Vec<_>>()
        };
        let opts = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            codes(Question::new(QuestionKind::Single, "x", opts(&["a"]), "A")),
            ["too_few_options"]
        );
        assert_eq!(
            codes(Question::new(
                QuestionKind::Single,
                "x",
                opts(&["a", "b"]),
                "AB"
            )),
            ["single_needs_one"]
        );
        assert_eq!(
            codes(Question::new(
                QuestionKind::Single,
                "x",
                opts(&["a", "b"]),
                "C"
            )),
            ["bad_choice"]
        );
        assert_eq!(
            codes(Question::new(
                QuestionKind::Multiple,
                "x",
                opts(&["a", "b"]),
                "A"
            )),
            ["multiple_needs_two"]
        );
        assert_eq!(
            codes(Question::new(QuestionKind::TrueFalse, "x", vec![], "也许")),
            ["bad_truth"]
        );
        assert_eq!(
            codes(Question::new(QuestionKind::FillIn, " ", vec![], "")),
            ["required", "required"]
        );
    }

    #[test]
    fn traditional_and_simplified_stems_share_a_fingerprint() {
        let a = Question::new(
            QuestionKind::TrueFalse,
            "黨的一大在上海召開。",
            vec![],
            "对",
        )
        .unwrap();
        let b = Question::new(QuestionKind::TrueFalse, "党的一大在上海召开", vec![], "对").unwrap();
        assert_eq!(a.fingerprint(), b.fingerprint());
    }

    #[test]
    fn the_draw_covers_the_bank_before_repeating_and_spreads_over_members() {
        let bank: Vec<i64> = (1000..1100).collect();
        let mut seen = HashSet::new();
        for day in 0..20 {
            let d = draw(42, day, &bank, 5);
            assert_eq!(d.len(), 5);
            for q in d {
                assert!(seen.insert(q), "question {q} repeated on day {day}");
            }
        }
        assert_eq!(seen.len(), 100);
        assert_eq!(
            draw(42, 3, &bank, 5),
            draw(42, 3, &bank, 5),
            "the draw is stable"
        );
        let mut uses: HashMap<i64, u32> = HashMap::new();
        for member in 0..2000 {
            for q in draw(member, 0, &bank, 5) {
                *uses.entry(q).or_default() += 1;
            }
        }
        // 10,000 draws over 100 questions: about 100 each.
        assert_eq!(uses.len(), 100);
        assert!(uses.values().all(|&u| (50..=160).contains(&u)), "{uses:?}");
        assert_eq!(draw(1, 0, &[7, 8], 5).len(), 2);
        assert!(draw(1, 0, &[], 5).is_empty());
    }
}

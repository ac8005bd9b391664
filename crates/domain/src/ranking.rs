//! Fair rankings (比学赶超, seed 002's 六比一看): units compared among their
//! peers on weighted measures over a period. Every measure is a rate —
//! something done per member, per question or per matter due — so a large
//! unit does not win by its size, and every rate counts only what one
//! person cannot inflate: a member's daily quiz counts once a day (the
//! store allows no second), a quota counts a member once however often they
//! check in, and a matter counts as finished on time only when its history
//! carries photo evidence.
//!
//! The score is the weighted mean of the rates a unit has something to be
//! measured on, out of 100: Σ wᵢ·rateᵢ ÷ Σ wᵢ over those measures (a unit
//! with no matter due is not marked down for it). Equal scores share a
//! place (1, 2, 2, 4).

use serde::{Deserialize, Serialize};

use crate::FieldError;

/// A measure a ranking may weigh.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RankingMeasure {
    /// 答题参与率: daily quizzes taken ÷ (members × days).
    QuizParticipation,
    /// 答题正确率: questions answered right ÷ questions answered.
    QuizAccuracy,
    /// 学习定额达标率: members meeting each quota ÷ (members × quotas).
    QuotaCompliance,
    /// 实事按期办结率: matters finished by their deadline with photo
    /// evidence ÷ matters due by the period's end.
    MattersOnTime,
    /// 群众满意率: 满意 verdicts ÷ verdicts on finished matters.
    MattersSatisfied,
    /// 任务按期完成率: a task's assignments done by their deadline ÷ those
    /// whose deadline falls in the period.
    TasksOnTime,
}

impl RankingMeasure {
    pub const ALL: [RankingMeasure; 6] = [
        RankingMeasure::QuizParticipation,
        RankingMeasure::QuizAccuracy,
        RankingMeasure::QuotaCompliance,
        RankingMeasure::MattersOnTime,
        RankingMeasure::MattersSatisfied,
        RankingMeasure::TasksOnTime,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            RankingMeasure::QuizParticipation => "quiz_participation",
            RankingMeasure::QuizAccuracy => "quiz_accuracy",
            RankingMeasure::QuotaCompliance => "quota_compliance",
            RankingMeasure::MattersOnTime => "matters_on_time",
            RankingMeasure::MattersSatisfied => "matters_satisfied",
            RankingMeasure::TasksOnTime => "tasks_on_time",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            RankingMeasure::QuizParticipation => "每日答题参与率",
            RankingMeasure::QuizAccuracy => "答题正确率",
            RankingMeasure::QuotaCompliance => "学习定额达标率",
            RankingMeasure::MattersOnTime => "实事按期办结率（有照片佐证）",
            RankingMeasure::MattersSatisfied => "群众满意率",
            RankingMeasure::TasksOnTime => "任务按期完成率",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            RankingMeasure::QuizParticipation => "Daily quiz participation",
            RankingMeasure::QuizAccuracy => "Quiz accuracy",
            RankingMeasure::QuotaCompliance => "Study quotas met",
            RankingMeasure::MattersOnTime => "Matters finished on time (with photos)",
            RankingMeasure::MattersSatisfied => "Public satisfaction",
            RankingMeasure::TasksOnTime => "Tasks done on time",
        }
    }
    pub fn parse(s: &str) -> Option<RankingMeasure> {
        RankingMeasure::ALL
            .into_iter()
            .find(|m| m.as_str() == s.trim())
    }
}

stored_as_key!(RankingMeasure, "ranking measure");

/// A measure and its weight in a ranking.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Term {
    pub measure: RankingMeasure,
    /// 1 to [`WEIGHT_MAX`].
    pub weight: i64,
}

pub const WEIGHT_MAX: i64 = 100;

/// Levels below the ranking's unit its peers may be taken from.
pub const DEPTH_MAX: i64 = 6;

/// Units per peer group a ranking may list at most (the lowest
/// [`BOTTOM_MAX`] of each are the 约谈 list).
pub const BOTTOM_MAX: i64 = 50;

/// Checks a ranking's terms: at least one, each measure once, weights in
/// range. Errors name the field `terms`.
pub fn check_terms(terms: &[Term]) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if terms.is_empty() {
        errors.push(FieldError::new("terms", "required"));
    }
    for (i, t) in terms.iter().enumerate() {
        if !(1..=WEIGHT_MAX).contains(&t.weight) {
            errors.push(
                FieldError::new("terms", "out_of_range")
                    .with("min", 1)
                    .with("max", WEIGHT_MAX)
                    .with("value", t.weight),
            );
        }
        if terms[..i].iter().any(|o| o.measure == t.measure) {
            errors.push(
                FieldError::new("terms", "measure_twice").with("value", t.measure.label_zh()),
            );
        }
    }
    errors
}

/// A rate as its parts, so a reader sees what was counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Ratio {
    pub done: i64,
    pub of: i64,
}

impl Ratio {
    /// Out of 100; `None` when there is nothing to measure.
    pub fn percent(self) -> Option<f64> {
        (self.of > 0).then(|| self.done.clamp(0, self.of) as f64 * 100.0 / self.of as f64)
    }
}

/// The score out of 100 from each term's ratio (in the terms' order):
/// the weighted mean over the terms with something to measure, `None`
/// when there is none.
pub fn score(terms: &[Term], ratios: &[Ratio]) -> Option<f64> {
    let (mut sum, mut weights) = (0.0, 0);
    for (t, r) in terms.iter().zip(ratios) {
        if let Some(p) = r.percent() {
            sum += t.weight as f64 * p;
            weights += t.weight;
        }
    }
    (weights > 0).then(|| sum / weights as f64)
}

/// Places for scores in descending order, equal scores (to 1/100 of a
/// point, as shown) sharing a place and the next place skipping: 1, 2, 2, 4.
/// Units with no score come last, unplaced.
pub fn places(scores: &[Option<f64>]) -> Vec<Option<usize>> {
    let shown = |s: f64| (s * 100.0).round() as i64;
    scores
        .iter()
        .map(|s| {
            s.map(|s| {
                1 + scores
                    .iter()
                    .flatten()
                    .filter(|o| shown(**o) > shown(s))
                    .count()
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(measure: RankingMeasure, weight: i64) -> Term {
        Term { measure, weight }
    }

    /// The worked example the ranking page explains: two branches of very
    /// different size, weights 40 / 30 / 30.
    #[test]
    fn per_capita_worked_example() {
        let terms = [
            term(RankingMeasure::QuizParticipation, 40),
            term(RankingMeasure::QuotaCompliance, 30),
            term(RankingMeasure::MattersOnTime, 30),
        ];
        // 200 members over 7 days took 700 quizzes (50 %); 120 of 200 met
        // the one quota (60 %); 3 of 4 matters due were finished on time
        // with photos (75 %): (40×50 + 30×60 + 30×75) ÷ 100 = 60.5.
        let big = [
            Ratio {
                done: 700,
                of: 1_400,
            },
            Ratio { done: 120, of: 200 },
            Ratio { done: 3, of: 4 },
        ];
        // 10 members, 63 quizzes over 7 days (90 %), 9 of 10 met (90 %),
        // no matter due: (40×90 + 30×90) ÷ 70 = 90 — the small branch is
        // not marked down for having no matter, nor up for its size.
        let small = [
            Ratio { done: 63, of: 70 },
            Ratio { done: 9, of: 10 },
            Ratio { done: 0, of: 0 },
        ];
        assert_eq!(score(&terms, &big), Some(60.5));
        assert_eq!(score(&terms, &small), Some(90.0));
        // A raw count would have put the big branch first (700 quizzes to 63).
        assert_eq!(
            places(&[score(&terms, &big), score(&terms, &small)]),
            vec![Some(2), Some(1)]
        );
    }

    #[test]
    fn nothing_to_measure_is_unplaced() {
        let terms = [term(RankingMeasure::QuizAccuracy, 10)];
        assert_eq!(score(&terms, &[Ratio::default()]), None);
        assert_eq!(
            places(&[Some(80.0), None, Some(80.004), Some(70.0)]),
            vec![Some(1), None, Some(1), Some(3)]
        );
    }

    #[test]
    fn a_rate_never_exceeds_the_whole() {
        assert_eq!(Ratio { done: 12, of: 10 }.percent(), Some(100.0));
    }

    #[test]
    fn terms_are_checked() {
        assert!(check_terms(&[term(RankingMeasure::QuizAccuracy, 1)]).is_empty());
        assert_eq!(check_terms(&[]).len(), 1);
        let e = check_terms(&[
            term(RankingMeasure::QuizAccuracy, 0),
            term(RankingMeasure::QuizAccuracy, 101),
        ]);
        assert_eq!(e.len(), 3, "{e:?}");
    }
}

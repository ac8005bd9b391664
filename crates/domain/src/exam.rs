//! Closed-book exams (闭卷测试): a paper drawn from the bank by blueprint —
//! how many questions of each kind, tag and difficulty — fresh for each
//! person, and a make-up paper that repeats none of the first; the score as
//! a share of questions right against the pass mark.
//!
//! Owns the draw and the score. It must not time sittings or store them.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::quiz::QuestionKind;

/// Most questions one paper holds.
pub const PAPER_MAX: i64 = 200;

/// A line of a blueprint: `count` questions of a kind, a tag and a
/// difficulty (each optional).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct BlueprintRow {
    /// single, multiple, true_false or fill_in; empty: any.
    pub kind: String,
    /// A tag the question carries; empty: any.
    pub tag: String,
    /// 1 to 5; 0: any.
    pub difficulty: i64,
    pub count: i64,
}

/// A question as the draw sees it.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub id: i64,
    pub kind: QuestionKind,
    pub tags: Vec<String>,
    pub difficulty: i64,
}

impl BlueprintRow {
    fn admits(&self, c: &Candidate) -> bool {
        (self.kind.is_empty() || self.kind == c.kind.as_str())
            && (self.tag.trim().is_empty() || c.tags.iter().any(|t| t == self.tag.trim()))
            && (self.difficulty == 0 || self.difficulty == c.difficulty)
    }
}

/// A blueprint line the bank cannot fill: its place, what it asks and what
/// the bank holds for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Short {
    pub row: usize,
    pub wanted: i64,
    pub available: i64,
}

/// How many questions each line could take, lines taking in order, none
/// twice and none of `exclude`.
pub fn available(
    bank: &[Candidate],
    blueprint: &[BlueprintRow],
    exclude: &HashSet<i64>,
) -> Vec<i64> {
    let mut taken: HashSet<i64> = exclude.clone();
    blueprint
        .iter()
        .map(|row| {
            let fit: Vec<i64> = bank
                .iter()
                .filter(|c| !taken.contains(&c.id) && row.admits(c))
                .map(|c| c.id)
                .collect();
            taken.extend(fit.iter().take(row.count.max(0) as usize));
            fit.len() as i64
        })
        .collect()
}

/// A paper for one sitting: each line's questions in an order of the
/// sitter's own (`seed`), none twice and none of `exclude` (a make-up
/// excludes the first paper). The first line the bank cannot fill is named.
pub fn draw(
    seed: u64,
    bank: &[Candidate],
    blueprint: &[BlueprintRow],
    exclude: &HashSet<i64>,
) -> Result<Vec<i64>, Short> {
    let mut taken: HashSet<i64> = exclude.clone();
    let mut paper = Vec::new();
    for (i, row) in blueprint.iter().enumerate() {
        let mut fit: Vec<(u64, i64)> = bank
            .iter()
            .filter(|c| !taken.contains(&c.id) && row.admits(c))
            .map(|c| (mix(seed ^ mix(c.id as u64)), c.id))
            .collect();
        if (fit.len() as i64) < row.count {
            return Err(Short {
                row: i,
                wanted: row.count,
                available: fit.len() as i64,
            });
        }
        fit.sort_unstable();
        for (_, id) in fit.into_iter().take(row.count.max(0) as usize) {
            taken.insert(id);
            paper.push(id);
        }
    }
    Ok(paper)
}

/// A score out of 100, rounded half up, from questions right of all.
pub fn score(correct: i64, total: i64) -> i64 {
    if total <= 0 {
        return 0;
    }
    (correct * 200 + total) / (2 * total)
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
    use super::*;

    fn bank() -> Vec<Candidate> {
        (1..=40)
            .map(|id| Candidate {
                id,
                kind: if id % 2 == 0 {
                    QuestionKind::Single
                } else {
                    QuestionKind::TrueFalse
                },
                tags: vec![if id <= 20 {
                    "建党".into()
                } else {
                    "改革开放".into()
                }],
                difficulty: id % 3 + 1,
            })
            .collect()
    }

    fn row(kind: &str, tag: &str, difficulty: i64, count: i64) -> BlueprintRow {
        BlueprintRow {
            kind: kind.into(),
            tag: tag.into(),
            difficulty,
            count,
        }
    }

    #[test]
    fn a_paper_follows_its_blueprint_and_differs_by_sitter() {
        let bank = bank();
        let bp = [row("single", "建党", 0, 4), row("true_false", "", 2, 3)];
        let a = draw(1, &bank, &bp, &HashSet::new()).unwrap();
        let b = draw(2, &bank, &bp, &HashSet::new()).unwrap();
        assert_eq!(a.len(), 7);
        assert_ne!(a, b);
        for id in &a[..4] {
            assert!(id % 2 == 0 && *id <= 20, "{id}");
        }
        for id in &a[4..] {
            assert!(id % 2 == 1 && id % 3 + 1 == 2, "{id}");
        }
        assert_eq!(
            a.iter().collect::<HashSet<_>>().len(),
            7,
            "no question twice"
        );
    }

    #[test]
    fn a_make_up_repeats_nothing_of_the_first_paper_and_a_short_bank_is_named() {
        let bank = bank();
        let bp = [row("single", "", 0, 10)];
        let first = draw(7, &bank, &bp, &HashSet::new()).unwrap();
        let seen: HashSet<i64> = first.iter().copied().collect();
        let again = draw(7, &bank, &bp, &seen).unwrap();
        assert!(again.iter().all(|q| !seen.contains(q)));
        // Twenty single-choice questions in all: a third paper cannot be fresh.
        let both: HashSet<i64> = first.iter().chain(&again).copied().collect();
        assert_eq!(
            draw(7, &bank, &bp, &both),
            Err(Short {
                row: 0,
                wanted: 10,
                available: 0
            })
        );
        assert_eq!(
            available(
                &bank,
                &[row("single", "", 0, 10), row("single", "", 0, 15)],
                &HashSet::new()
            ),
            [20, 10]
        );
    }

    #[test]
    fn scores_round_half_up() {
        assert_eq!(score(0, 0), 0);
        assert_eq!(score(2, 3), 67);
        assert_eq!(score(1, 8), 13);
        assert_eq!(score(10, 10), 100);
    }
}

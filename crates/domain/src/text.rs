//! Text folding for search and duplicate detection.
//!
//! Owns how a name or title is reduced to a comparable key: traditional
//! characters become simplified (OpenCC's T2S tables), full-width letters and
//! digits become half-width, ASCII is lower-cased and white space dropped. It
//! also cuts folded text into the bigrams the search index stores. It must not
//! touch storage: callers index and query with what it returns.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use ferrous_opencc::OpenCC;
use ferrous_opencc::config::BuiltinConfig;

fn t2s() -> Option<&'static OpenCC> {
    static T2S: OnceLock<Option<OpenCC>> = OnceLock::new();
    T2S.get_or_init(|| OpenCC::from_config(BuiltinConfig::T2s).ok())
        .as_ref()
}

/// Folds text for comparison: 「黨史 學習」 and 「党史学习」 fold alike.
pub fn fold(text: &str) -> String {
    let mut plain = String::with_capacity(text.len());
    for c in text.chars() {
        let c = match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{30FB}' | '\u{2022}' | '\u{2027}' => '·',
            _ => c,
        };
        if c.is_whitespace() || c.is_control() {
            continue;
        }
        plain.push(c.to_ascii_lowercase());
    }
    if plain.is_ascii() {
        return plain;
    }
    match t2s() {
        Some(cc) => cc.convert(&plain),
        None => plain,
    }
}

/// The distinct pairs of adjacent characters of folded text, the way a CJK
/// analyser indexes it. A one-character text has none.
pub fn bigrams(folded: &str) -> Vec<String> {
    let chars: Vec<char> = folded.chars().collect();
    let set: BTreeSet<String> = chars.windows(2).map(|w| w.iter().collect()).collect();
    set.into_iter().collect()
}

/// How a folded query is best answered.
#[derive(Debug, PartialEq, Eq)]
pub enum SearchPlan {
    /// Nothing to look for.
    Empty,
    /// One character: a prefix scan of the folded names.
    Prefix(String),
    /// Two or more characters: look up the rarest-looking bigram, then confirm
    /// the whole folded query is contained in the name.
    Gram { gram: String, contains: String },
}

pub fn plan_search(query: &str) -> SearchPlan {
    let folded = fold(query);
    let mut chars = folded.chars();
    match (chars.next(), chars.next()) {
        (None, _) => SearchPlan::Empty,
        (Some(_), None) => SearchPlan::Prefix(folded),
        _ => {
            // The last bigram of a Chinese name (the given name) is far more
            // selective than the first (which starts with a common surname).
            let grams: Vec<char> = folded.chars().collect();
            let n = grams.len();
            let gram: String = grams[n - 2..].iter().collect();
            SearchPlan::Gram {
                gram,
                contains: folded,
            }
        }
    }
}

/// The exclusive upper bound of all strings that start with `prefix`, for
/// index range scans written the same way on SQLite and PostgreSQL.
pub fn prefix_upper_bound(prefix: &str) -> String {
    let mut s = prefix.to_owned();
    s.push(char::MAX);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traditional_and_simplified_fold_alike() {
        assert_eq!(fold("黨史學習教育"), fold("党史学习教育"));
        assert_eq!(fold("黨史學習教育"), "党史学习教育");
        assert_eq!(fold(" 王　偉 "), "王伟");
    }

    #[test]
    fn full_width_and_case_fold() {
        assert_eq!(fold("ＡＢＣ１２３"), "abc123");
        assert_eq!(fold("Party HISTORY"), "partyhistory");
    }

    #[test]
    fn real_parentheses_survive() {
        assert_eq!(fold("黨組(黨委)"), "党组(党委)");
    }

    #[test]
    fn bigrams_of_names() {
        assert_eq!(bigrams("王伟"), vec!["王伟"]);
        assert_eq!(bigrams("欧阳建国"), vec!["建国", "欧阳", "阳建"]);
        assert!(bigrams("王").is_empty());
    }

    #[test]
    fn search_plans() {
        assert_eq!(plan_search(" "), SearchPlan::Empty);
        assert_eq!(plan_search("黨"), SearchPlan::Prefix("党".into()));
        assert_eq!(
            plan_search("王建國"),
            SearchPlan::Gram {
                gram: "建国".into(),
                contains: "王建国".into()
            }
        );
    }
}

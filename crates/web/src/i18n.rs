//! Messages in Chinese (default) and English, generated from
//! `locales/*.toml` by the build script.

include!(concat!(env!("OUT_DIR"), "/messages.rs"));

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn msg(self) -> &'static Msg {
        match self {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        let c = code.trim().to_ascii_lowercase();
        if c.starts_with("zh") {
            Some(Lang::Zh)
        } else if c.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The first supported language an `Accept-Language` header names.
    pub fn from_accept(header: &str) -> Option<Lang> {
        header
            .split(',')
            .filter_map(|part| Lang::parse(part.split(';').next().unwrap_or("")))
            .next()
    }
}

/// Replaces `{name}` placeholders.
pub fn fill(template: &str, params: &[(&str, String)]) -> String {
    let mut out = template.to_owned();
    for (k, v) in params {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

/// The message for a key, or the key itself when there is none (so a
/// missing message shows up in tests instead of vanishing).
pub fn text(t: &Msg, key: &str) -> &'static str {
    t.get(key).unwrap_or("?")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_text_in_both_languages() {
        for k in KEYS {
            assert!(!ZH.get(k).unwrap_or("").is_empty(), "zh-CN {k}");
            assert!(!EN.get(k).unwrap_or("").is_empty(), "en {k}");
        }
    }

    #[test]
    fn placeholders_are_the_same_in_both_languages() {
        for k in KEYS {
            let names = |s: &str| {
                let mut v: Vec<String> = s
                    .split('{')
                    .skip(1)
                    .filter_map(|p| p.split('}').next().map(str::to_owned))
                    .collect();
                v.sort();
                v
            };
            assert_eq!(
                names(ZH.get(k).unwrap_or("")),
                names(EN.get(k).unwrap_or("")),
                "{k}"
            );
        }
    }

    #[test]
    fn languages_from_headers() {
        assert_eq!(Lang::from_accept("en-US,en;q=0.9"), Some(Lang::En));
        assert_eq!(Lang::from_accept("fr, zh-CN;q=0.8"), Some(Lang::Zh));
        assert_eq!(Lang::from_accept("fr"), None);
        assert_eq!(fill("第 {row} 行", &[("row", "3".into())]), "第 3 行");
    }
}

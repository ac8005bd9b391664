//! Generates the message catalogue from `locales/*.toml`: one struct field
//! per key, so a template that names a missing key does not compile, and a
//! key present in one language but not the other fails the build.

use std::collections::BTreeMap;
use std::fmt::Write;

fn flatten(prefix: &str, v: &toml::Value, out: &mut BTreeMap<String, String>) {
    match v {
        toml::Value::Table(t) => {
            for (k, v) in t {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        toml::Value::String(s) => {
            out.insert(prefix.to_owned(), s.clone());
        }
        other => panic!("message {prefix} must be a string, found {other}"),
    }
}

fn load(file: &str) -> BTreeMap<String, String> {
    println!("cargo:rerun-if-changed={file}");
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{file}: {e}"));
    let value: toml::Value = toml::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
    let mut out = BTreeMap::new();
    flatten("", &value, &mut out);
    out
}

fn field(key: &str) -> String {
    key.replace(['.', '-'], "_")
}

fn main() {
    let zh = load("locales/zh-CN.toml");
    let en = load("locales/en.toml");
    let missing: Vec<String> = zh
        .keys()
        .filter(|k| !en.contains_key(*k))
        .map(|k| format!("en lacks {k}"))
        .chain(
            en.keys()
                .filter(|k| !zh.contains_key(*k))
                .map(|k| format!("zh-CN lacks {k}")),
        )
        .collect();
    if !missing.is_empty() {
        panic!("message files differ:\n{}", missing.join("\n"));
    }
    let mut code = String::from(
        "/// Every user-facing string, one field per key.\n#[derive(Debug)]\npub struct Msg {\n",
    );
    for k in zh.keys() {
        writeln!(code, "    pub {}: &'static str,", field(k)).unwrap();
    }
    code.push_str("}\n\n");
    for (name, map) in [("ZH", &zh), ("EN", &en)] {
        writeln!(code, "pub static {name}: Msg = Msg {{").unwrap();
        for (k, v) in map {
            writeln!(code, "    {}: {:?},", field(k), v).unwrap();
        }
        code.push_str("};\n\n");
    }
    code.push_str("impl Msg {\n    /// Looks a message up by its dotted key.\n    pub fn get(&self, key: &str) -> Option<&'static str> {\n        match key {\n");
    for k in zh.keys() {
        writeln!(code, "            {k:?} => Some(self.{}),", field(k)).unwrap();
    }
    code.push_str("            _ => None,\n        }\n    }\n}\n\n");
    let keys: Vec<String> = zh.keys().map(|k| format!("{k:?}")).collect();
    writeln!(
        code,
        "/// Every key, for tests.\npub const KEYS: &[&str] = &[{}];",
        keys.join(", ")
    )
    .unwrap();
    let out = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("messages.rs");
    std::fs::write(out, code).unwrap();
}

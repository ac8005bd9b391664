//! Validation failures, in a form every caller can render in its own language.
//!
//! Owns the field-error value: which field, a stable message key, parameters.
//! It must not hold user-facing text; the web layer and the CLI turn keys into
//! sentences from the message files.

use serde::Serialize;

/// One thing wrong with one field. `code` is a message key (`err.<code>`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub code: &'static str,
    pub params: Vec<(&'static str, String)>,
}

impl FieldError {
    pub fn new(field: &'static str, code: &'static str) -> Self {
        FieldError {
            field,
            code,
            params: Vec::new(),
        }
    }

    pub fn with(mut self, name: &'static str, value: impl ToString) -> Self {
        self.params.push((name, value.to_string()));
        self
    }
}

/// Collects field errors so a form or a row reports everything at once.
#[derive(Debug, Default)]
pub struct Checks {
    errors: Vec<FieldError>,
}

impl Checks {
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps the value of a successful check, records the error otherwise.
    pub fn take<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.errors.push(e);
                None
            }
        }
    }

    pub fn push(&mut self, e: FieldError) {
        self.errors.push(e);
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn into_errors(self) -> Vec<FieldError> {
        self.errors
    }
}

/// A required, trimmed text of at most `max` characters.
pub fn required_text(field: &'static str, raw: &str, max: usize) -> Result<String, FieldError> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(FieldError::new(field, "required"));
    }
    optional_text(field, t, max)
}

/// A trimmed text of at most `max` characters; empty is allowed.
pub fn optional_text(field: &'static str, raw: &str, max: usize) -> Result<String, FieldError> {
    let t = raw.trim();
    if t.chars().count() > max {
        return Err(FieldError::new(field, "too_long").with("max", max));
    }
    if t.chars().any(|c| c.is_control()) {
        return Err(FieldError::new(field, "control_chars"));
    }
    Ok(t.to_owned())
}

/// Parses one of a fixed set of choices with the type's own parser.
pub fn parse_choice<T>(
    field: &'static str,
    raw: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<T, FieldError> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(FieldError::new(field, "required"));
    }
    parse(t).ok_or_else(|| FieldError::new(field, "bad_choice").with("value", t))
}

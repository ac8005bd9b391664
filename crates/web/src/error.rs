//! The one place errors become responses.
//!
//! Handlers return `HttpError` (from an `AppError` or a web-level refusal).
//! It carries a status, a stable snake_case code and the field or row
//! details; the request-context middleware renders it afterwards, as JSON
//! `{code, message, fields, rows}` under `/api/` and as an error page
//! elsewhere, in the requester's language. Internal causes are logged here
//! and never shown.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use xueshi_app::AppError;
use xueshi_app::roster::RowError;
use xueshi_domain::FieldError;

use crate::i18n::{Lang, fill, text};

#[derive(Clone, Debug)]
pub struct HttpError {
    pub status: StatusCode,
    /// Also the message key `err.<code>`.
    pub code: &'static str,
    pub fields: Vec<FieldError>,
    pub rows: Vec<RowError>,
    pub params: Vec<(&'static str, String)>,
}

impl HttpError {
    pub fn new(status: StatusCode, code: &'static str) -> HttpError {
        HttpError {
            status,
            code,
            fields: Vec::new(),
            rows: Vec::new(),
            params: Vec::new(),
        }
    }
    pub fn not_found() -> HttpError {
        HttpError::new(StatusCode::NOT_FOUND, "not_found")
    }
    pub fn csrf() -> HttpError {
        HttpError::new(StatusCode::FORBIDDEN, "csrf")
    }
    pub fn rate_limited() -> HttpError {
        HttpError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited")
    }
    pub fn bad_request() -> HttpError {
        HttpError::new(StatusCode::BAD_REQUEST, "bad_request")
    }
    pub fn unauthenticated() -> HttpError {
        HttpError::new(StatusCode::UNAUTHORIZED, "unauthenticated")
    }
}

impl From<&AppError> for HttpError {
    fn from(e: &AppError) -> HttpError {
        match e {
            AppError::NotFound => HttpError::not_found(),
            AppError::Forbidden(_) => HttpError::new(StatusCode::FORBIDDEN, "forbidden"),
            AppError::Unauthenticated => HttpError::unauthenticated(),
            AppError::Conflict(code) => HttpError::new(StatusCode::CONFLICT, code),
            AppError::Invalid(fields) => HttpError {
                fields: fields.clone(),
                ..HttpError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid")
            },
            AppError::Rejected(rows) => HttpError {
                rows: rows.clone(),
                ..HttpError::new(StatusCode::UNPROCESSABLE_ENTITY, "file_rejected")
            },
            AppError::Locked { until } => HttpError {
                params: vec![("until", xueshi_app::clock::format_ms(*until))],
                ..HttpError::new(StatusCode::LOCKED, "account_locked")
            },
            AppError::Internal(cause) => {
                tracing::error!(error = ?cause, "internal error");
                HttpError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal")
            }
        }
    }
}

impl From<AppError> for HttpError {
    fn from(e: AppError) -> HttpError {
        HttpError::from(&e)
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let mut r = self.status.into_response();
        r.extensions_mut().insert(self);
        r
    }
}

/// An application error in words, for a reader without a page (the
/// command line): what a page would say, with every row or field named.
pub fn in_words(lang: Lang, e: AppError) -> String {
    let h = HttpError::from(e);
    let details: Vec<String> = if h.rows.is_empty() {
        h.fields.iter().map(|f| field_message(lang, f)).collect()
    } else {
        crate::import_report::problems(lang, &h.rows, usize::MAX)
            .into_iter()
            .map(|p| format!("{}：{}", p.place, p.message))
            .collect()
    };
    let head = if h.rows.is_empty() {
        h.message(lang)
    } else {
        fill(
            lang.msg().import_rejected,
            &[("n", h.rows.len().to_string())],
        )
    };
    if details.is_empty() {
        head
    } else if h.rows.is_empty() {
        format!("{head} {}", details.join("; "))
    } else {
        format!("{head}\n{}\n", details.join("\n"))
    }
}

/// A field error in words.
pub fn field_message(lang: Lang, e: &FieldError) -> String {
    let t = lang.msg();
    let key = format!("err.{}", e.code);
    fill(t.get(&key).unwrap_or(e.code), &e.params)
}

#[derive(Serialize)]
struct FieldJson<'a> {
    field: &'a str,
    code: &'a str,
    message: String,
}

#[derive(Serialize)]
struct RowJson<'a> {
    sheet: &'a str,
    row: u32,
    column: Option<String>,
    field: &'a str,
    code: &'a str,
    message: String,
}

#[derive(Serialize)]
struct ErrorJson<'a> {
    code: &'a str,
    message: String,
    fields: Vec<FieldJson<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    rows: Vec<RowJson<'a>>,
}

impl HttpError {
    pub fn message(&self, lang: Lang) -> String {
        let key = format!("err.{}", self.code);
        let t = lang.msg();
        if self.code == "account_locked" {
            return fill(t.login_locked, &self.params);
        }
        fill(t.get(&key).unwrap_or(text(t, "err.internal")), &self.params)
    }

    pub fn to_json(&self, lang: Lang) -> serde_json::Value {
        let body = ErrorJson {
            code: self.code,
            message: self.message(lang),
            fields: self
                .fields
                .iter()
                .map(|f| FieldJson {
                    field: f.field,
                    code: f.code,
                    message: field_message(lang, f),
                })
                .collect(),
            rows: self
                .rows
                .iter()
                .map(|r| RowJson {
                    sheet: r.sheet,
                    row: r.row,
                    column: r.column.map(xueshi_app::roster::column_letter),
                    field: r.error.field,
                    code: r.error.code,
                    message: field_message(lang, &r.error),
                })
                .collect(),
        };
        serde_json::to_value(body).unwrap_or_default()
    }
}

pub type WebResult<T> = Result<T, HttpError>;

//! The one error type of the use-cases.
//!
//! Policy: the app returns `AppError`; storage errors become `Internal`
//! except unique-constraint violations, which become `Conflict`. The web
//! layer maps each variant once to a status, a stable code and a message in
//! the user's language, and logs internal causes without showing them.

use xueshi_domain::FieldError;
use xueshi_domain::access::Denied;

use crate::roster::RowError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden: {0}")]
    Forbidden(Denied),
    #[error("not signed in")]
    Unauthenticated,
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error("the file was rejected")]
    Rejected(Vec<RowError>),
    #[error("account locked until {until}")]
    Locked { until: i64 },
    #[error("internal error: {0}")]
    Internal(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        if xueshi_store::is_unique_violation(&e) {
            AppError::Conflict("duplicate")
        } else {
            AppError::Internal(e.into())
        }
    }
}

impl From<Denied> for AppError {
    fn from(d: Denied) -> Self {
        AppError::Forbidden(d)
    }
}

impl AppError {
    pub fn invalid(field: &'static str, code: &'static str) -> AppError {
        AppError::Invalid(vec![FieldError::new(field, code)])
    }
}

/// One bad field, as the rest of its form would report it.
impl From<FieldError> for AppError {
    fn from(e: FieldError) -> AppError {
        AppError::Invalid(vec![e])
    }
}

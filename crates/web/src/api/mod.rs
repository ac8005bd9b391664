//! The JSON API under `/api/v1`: the same use-cases as the pages, with the
//! same session cookie; writes carry the session's CSRF token in the
//! `X-CSRF-Token` header. Described at `/api/v1/openapi.json`.

pub mod bank;
pub mod briefings;
pub mod campaigns;
pub mod competitions;
pub mod contests;
pub mod exams;
pub mod figures;
pub mod library;
pub mod matters;
pub mod meetings;
pub mod member_accounts;
pub mod openapi;
pub mod plans;
pub mod public;
pub mod quiz;
pub mod rankings;
pub mod rhythm;
pub mod roster;
pub mod session;
pub mod study;
pub mod tasks;
pub mod tree;
pub mod webhooks;

use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use crate::error::HttpError;

/// A JSON body whose parse errors are reported in the API's error shape.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = HttpError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::Json::<T>::from_request(req, state)
            .await
            .map(|j| ApiJson(j.0))
            .map_err(|_| HttpError::bad_request())
    }
}

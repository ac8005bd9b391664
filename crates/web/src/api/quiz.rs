//! The daily quiz as JSON: today's paper or result, and the answers.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use xueshi_app::quiz::{self, QuizResult, Submission, Today};

use super::ApiJson;
use crate::ctx::Auth;
use crate::error::WebResult;
use crate::state::AppState;

/// Today's quiz: the paper (no answers) with its signed ticket, or the
/// graded result once taken.
#[utoipa::path(get, path = "/api/v1/quiz/today", tag = "study", responses((status = 200, body = Today), (status = 422)))]
pub async fn today(State(state): State<AppState>, a: Auth) -> WebResult<Json<Today>> {
    Ok(Json(quiz::today(&state.app, &a.ctx()).await?))
}

/// Submits today's answers; graded on the server. A second submission is a
/// 409, a late or tampered one a 422, and neither changes anything.
#[utoipa::path(post, path = "/api/v1/quiz/today", tag = "study", request_body = Submission,
    responses((status = 201, body = QuizResult), (status = 409), (status = 422)))]
pub async fn submit(
    State(state): State<AppState>,
    a: Auth,
    ApiJson(s): ApiJson<Submission>,
) -> WebResult<Response> {
    let r = quiz::submit(&state.app, &a.ctx(), s).await?;
    Ok((StatusCode::CREATED, Json(r)).into_response())
}

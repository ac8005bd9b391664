//! The daily quiz on the member's study page: starting today's paper (its
//! clock runs from then) and sending the answers from the form.

use std::collections::HashMap;

use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use xueshi_app::AppError;
use xueshi_app::quiz::{self, Submission};

use super::render_status;
use super::study::study_page;
use crate::ctx::Auth;
use crate::error::{HttpError, WebResult, field_message};
use crate::state::AppState;

/// Starts today's quiz: its clock runs from now.
pub async fn start(State(state): State<AppState>, a: Auth) -> WebResult<Response> {
    quiz::today(&state.app, &a.ctx()).await?;
    Ok(Redirect::to("/study#quiz").into_response())
}

/// The quiz form: `ticket`, then `q<id>` for each answer (several values for
/// a multiple choice).
pub async fn submit(
    State(state): State<AppState>,
    a: Auth,
    Form(fields): Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let mut s = Submission::default();
    let mut answers: HashMap<String, String> = HashMap::new();
    for (k, v) in fields {
        if k == "ticket" {
            s.ticket = v;
        } else if let Some(id) = k.strip_prefix('q') {
            answers.entry(id.to_owned()).or_default().push_str(&v);
        }
    }
    s.answers = answers;
    match quiz::submit(&state.app, &a.ctx(), s).await {
        Ok(_) => Ok(Redirect::to("/study?done=quiz.submitted#quiz").into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let err = HttpError::from(e);
            let message = err
                .fields
                .first()
                .map_or_else(|| err.message(a.rc.lang), |f| field_message(a.rc.lang, f));
            let p = study_page(&state, &a, &[], Some(message)).await?;
            Ok(render_status(err.status, &p))
        }
        Err(e) => Err(e.into()),
    }
}

//! A unit's group robot: its address, switched on or off, a test message,
//! and what became of the latest messages.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xueshi_app::AppError;
use xueshi_app::webhooks::{self, Webhook, WebhookInput};
use xueshi_domain::Id;
use xueshi_domain::invalid::FieldError;

use super::home::Done;
use super::{FormErrors, Layout, render, render_status};
use crate::ctx::Auth;
use crate::error::WebResult;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "webhook.html")]
struct WebhookPage {
    layout: Layout,
    w: Webhook,
    errors: FormErrors,
}

impl WebhookPage {
    fn state_name(&self, s: &str) -> &'static str {
        self.layout.tr(&format!("webhook.state_{s}"))
    }
    fn when(&self, ms: &i64) -> String {
        xueshi_app::clock::format_ms(*ms)
    }
}

async fn page(
    state: &AppState,
    a: &Auth,
    unit: Id,
    errors: &[FieldError],
) -> WebResult<WebhookPage> {
    let w = webhooks::get(&state.app, &a.ctx(), unit).await?;
    Ok(WebhookPage {
        layout: Layout::new(
            &a.rc,
            &format!("{} · {}", w.unit_name, a.rc.lang.msg().webhook_title),
        ),
        w,
        errors: FormErrors::new(a.rc.lang, errors),
    })
}

pub async fn show(
    State(state): State<AppState>,
    a: Auth,
    Path(unit): Path<Id>,
    Query(q): Query<Done>,
) -> WebResult<Response> {
    let mut p = page(&state, &a, unit, &[]).await?;
    p.layout = p.layout.notice(q.done());
    Ok(render(&p))
}

#[derive(Deserialize, Default)]
pub struct WebhookForm {
    #[serde(default)]
    url: String,
    #[serde(default)]
    enabled: Option<String>,
}

pub async fn set(
    State(state): State<AppState>,
    a: Auth,
    Path(unit): Path<Id>,
    Form(f): Form<WebhookForm>,
) -> WebResult<Response> {
    let input = WebhookInput {
        url: f.url,
        enabled: f.enabled.is_some(),
    };
    match webhooks::set(&state.app, &a.ctx(), unit, &input).await {
        Ok(()) => {
            Ok(Redirect::to(&format!("/units/{unit}/webhook?done=webhook.saved")).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let mut p = page(&state, &a, unit, &errors).await?;
            p.w.url = input.url;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn test(
    State(state): State<AppState>,
    a: Auth,
    Path(unit): Path<Id>,
) -> WebResult<Response> {
    webhooks::test(&state.app, &a.ctx(), unit).await?;
    Ok(Redirect::to(&format!("/units/{unit}/webhook?done=webhook.test_queued")).into_response())
}

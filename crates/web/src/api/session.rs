//! Signing in and out through the API, and who one is.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xueshi_app::auth;
use xueshi_domain::Id;
use xueshi_domain::access::Role;

use super::ApiJson;
use crate::ctx::{Auth, Rc, SESSION_COOKIE, set_cookie};
use crate::error::{HttpError, WebResult};
use crate::limits::within_login_limit;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

/// The signed-in account as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct Me {
    pub account_id: Id,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub scope_unit: Id,
    pub can_unmask: bool,
    pub member_id: Option<Id>,
    pub locale: String,
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    /// Send it back in `X-CSRF-Token` on every write.
    pub csrf_token: String,
    pub me: Me,
}

fn me(s: &auth::Session) -> Me {
    let a = &s.actor;
    Me {
        account_id: a.account_id,
        username: a.username.clone(),
        display_name: a.display_name.clone(),
        role: a.role,
        scope_unit: a.scope_unit,
        can_unmask: a.can_unmask,
        member_id: a.member_id,
        locale: s.locale.clone(),
    }
}

/// Signs in; the session cookie comes back with the CSRF token.
#[utoipa::path(post, path = "/api/v1/session", tag = "session", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 422, description = "wrong username or password"),
        (status = 423, description = "account locked"), (status = 429, description = "too many attempts from this address")))]
pub async fn login(
    State(state): State<AppState>,
    Rc(rc): Rc,
    headers: axum::http::HeaderMap,
    ApiJson(body): ApiJson<LoginRequest>,
) -> WebResult<Response> {
    if !within_login_limit(&state, &rc.ip) {
        return Err(HttpError::rate_limited());
    }
    let ua = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let done = auth::login(&state.app, &body.username, &body.password, &rc.ip, ua).await?;
    let mut r = Json(LoginResponse {
        csrf_token: done.session.csrf.clone(),
        me: me(&done.session),
    })
    .into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, &done.token, rc.secure, None),
    );
    Ok(r)
}

/// Ends the session on the server.
#[utoipa::path(delete, path = "/api/v1/session", tag = "session", responses((status = 204)))]
pub async fn logout(State(state): State<AppState>, a: Auth) -> WebResult<Response> {
    auth::logout(&state.app, &a.session, &a.rc.ip).await?;
    let mut r = StatusCode::NO_CONTENT.into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", a.rc.secure, Some(0)),
    );
    Ok(r)
}

#[utoipa::path(get, path = "/api/v1/me", tag = "session", responses((status = 200, body = Me), (status = 401)))]
pub async fn whoami(a: Auth) -> Json<Me> {
    Json(me(&a.session))
}

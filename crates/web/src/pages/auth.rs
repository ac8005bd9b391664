//! Signing in and out, the language switch, and one's own password.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xueshi_app::{AppError, accounts, auth};
use xueshi_domain::access::Role;

use super::{FormErrors, Layout, render, render_status};
use crate::ctx::{Auth, LANG_COOKIE, Rc, SESSION_COOKIE, set_cookie};
use crate::error::{HttpError, WebResult};
use crate::i18n::{Lang, fill};
use crate::limits::within_login_limit;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    message: Option<String>,
    username: String,
    next: String,
    demo: Vec<(String, Role)>,
    demo_note: String,
}

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    #[serde(default)]
    next: String,
    #[serde(default)]
    expired: Option<String>,
    #[serde(default)]
    out: Option<String>,
}

/// Where to go after signing in or switching language: a path on this site,
/// or home. Browsers drop tabs and line breaks from a URL and read `\` as
/// `/`, so `/\t/evil.example` would leave the site: only a plain absolute
/// path that parses as one is followed.
pub(crate) fn safe_next(next: &str) -> &str {
    let plain = next
        .chars()
        .all(|c| !c.is_control() && !c.is_whitespace() && c != '\\');
    let local = next.starts_with('/') && !next.starts_with("//");
    if plain && local && next.parse::<axum::http::uri::PathAndQuery>().is_ok() {
        next
    } else {
        "/home"
    }
}

fn login_page(
    state: &AppState,
    rc: &crate::ctx::RequestCtx,
    message: Option<String>,
    username: String,
    next: String,
) -> LoginPage {
    let t = rc.lang.msg();
    LoginPage {
        layout: Layout::new(rc, t.login_title),
        message,
        username,
        next,
        demo: state
            .web
            .demo_sign_in
            .as_ref()
            .map(|d| d.accounts.clone())
            .unwrap_or_default(),
        demo_note: state
            .web
            .demo_sign_in
            .as_ref()
            .map(|d| fill(t.login_demo, &[("password", d.password.clone())]))
            .unwrap_or_default(),
    }
}

pub async fn show(
    State(state): State<AppState>,
    Rc(rc): Rc,
    Query(q): Query<LoginQuery>,
) -> Response {
    if rc.session.is_some() {
        return Redirect::to(safe_next(&q.next)).into_response();
    }
    let t = rc.lang.msg();
    let message = if q.expired.is_some() {
        Some(t.login_expired.to_owned())
    } else if q.out.is_some() {
        Some(t.login_logged_out.to_owned())
    } else {
        None
    };
    render(&login_page(&state, &rc, message, String::new(), q.next))
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    next: String,
}

fn user_agent(headers: &axum::http::HeaderMap) -> String {
    headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

pub async fn submit(
    State(state): State<AppState>,
    Rc(rc): Rc,
    headers: axum::http::HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let t = rc.lang.msg();
    if !within_login_limit(&state, &rc.ip) {
        let page = login_page(
            &state,
            &rc,
            Some(t.err_rate_limited.to_owned()),
            f.username,
            f.next,
        );
        return render_status(StatusCode::TOO_MANY_REQUESTS, &page);
    }
    match auth::login(
        &state.app,
        &f.username,
        &f.password,
        &rc.ip,
        &user_agent(&headers),
    )
    .await
    {
        Ok(done) => {
            let mut r = Redirect::to(safe_next(&f.next)).into_response();
            r.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(SESSION_COOKIE, &done.token, rc.secure, None),
            );
            r
        }
        Err(e) => {
            let err = HttpError::from(e);
            let status = if err.code == "invalid" {
                StatusCode::UNAUTHORIZED
            } else {
                err.status
            };
            let msg = if err.code == "invalid" {
                t.err_bad_credentials.to_owned()
            } else {
                err.message(rc.lang)
            };
            render_status(
                status,
                &login_page(&state, &rc, Some(msg), f.username, f.next),
            )
        }
    }
}

pub async fn logout(State(state): State<AppState>, a: Auth) -> WebResult<Response> {
    auth::logout(&state.app, &a.session, &a.rc.ip).await?;
    let mut r = Redirect::to("/login?out=1").into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", a.rc.secure, Some(0)),
    );
    Ok(r)
}

#[derive(Deserialize)]
pub struct LangForm {
    lang: String,
    #[serde(default)]
    back: String,
}

pub async fn switch_lang(
    State(state): State<AppState>,
    Rc(rc): Rc,
    Form(f): Form<LangForm>,
) -> WebResult<Response> {
    let lang = Lang::parse(&f.lang).ok_or_else(HttpError::bad_request)?;
    if let Some(s) = &rc.session {
        auth::set_locale(&state.app, s, lang.code()).await?;
    }
    let mut r = Redirect::to(safe_next(&f.back)).into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(LANG_COOKIE, lang.code(), rc.secure, Some(31_536_000)),
    );
    Ok(r)
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    layout: Layout,
    errors: FormErrors,
    /// Signed in with a slip or after a reset: a password must be chosen
    /// before anything else.
    must: bool,
}

pub async fn password_form(a: Auth) -> Response {
    render(&PasswordPage {
        layout: Layout::new(&a.rc, a.rc.lang.msg().password_title),
        errors: FormErrors::default(),
        must: a.session.must_change_password,
    })
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
}

pub async fn password_submit(
    State(state): State<AppState>,
    a: Auth,
    Form(f): Form<PasswordForm>,
) -> WebResult<Response> {
    let t = a.rc.lang.msg();
    match accounts::change_own_password(&state.app, &a.ctx(), &f.current, f.new).await {
        Ok(()) => Ok(Redirect::to("/home?done=password.changed").into_response()),
        Err(AppError::Invalid(errors)) => {
            let page = PasswordPage {
                layout: Layout::new(&a.rc, t.password_title),
                errors: FormErrors::new(a.rc.lang, &errors),
                must: a.session.must_change_password,
            };
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

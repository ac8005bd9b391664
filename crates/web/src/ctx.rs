//! Per-request context: who is asking (session cookie), in which language,
//! from which address — as `middleware` resolved it — and the extractors
//! handlers take it by (`Rc`, `Auth`).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use xueshi_app::auth::Session;

use crate::error::HttpError;
use crate::i18n::Lang;

pub const SESSION_COOKIE: &str = "xs_session";
pub const CSRF_COOKIE: &str = "xs_csrf";
pub const LANG_COOKIE: &str = "xs_lang";
pub const CSRF_HEADER: &str = "x-csrf-token";
pub const CSRF_FIELD: &str = "csrf";

/// What the middleware learnt about a request.
#[derive(Clone, Debug)]
pub struct RequestCtx {
    pub ip: String,
    pub lang: Lang,
    pub session: Option<Session>,
    /// Token for forms sent before signing in (double-submit cookie).
    pub anon_csrf: String,
    pub secure: bool,
    pub path: String,
    pub api: bool,
}

impl RequestCtx {
    /// Where this installation is reached, as the request names it: links
    /// that leave the page (rating slips' QR codes, a briefing's figures in
    /// Word) point there.
    pub fn origin(&self, headers: &axum::http::HeaderMap) -> String {
        let host = headers
            .get(axum::http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| {
                h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
            })
            .unwrap_or("localhost");
        format!("{}://{host}", if self.secure { "https" } else { "http" })
    }

    /// The token forms on this page must send back.
    pub fn csrf(&self) -> &str {
        self.session
            .as_ref()
            .map_or(self.anon_csrf.as_str(), |s| s.csrf.as_str())
    }
}

pub fn cookies(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| {
            kv.trim()
                .split_once('=')
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
        })
        .collect()
}

pub(crate) fn cookie<'a>(all: &'a [(String, String)], name: &str) -> Option<&'a str> {
    all.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// A `Set-Cookie` value. Session cookies carry no expiry: the server ends
/// sessions itself.
pub fn set_cookie(name: &str, value: &str, secure: bool, max_age: Option<i64>) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if secure {
        c.push_str("; Secure");
    }
    if let Some(a) = max_age {
        c.push_str(&format!("; Max-Age={a}"));
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
}

/// Percent-encodes a value for a query string.
pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|q| q.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}

/// The request context, for pages that work with or without an account.
pub struct Rc(pub RequestCtx);

impl<S: Send + Sync> FromRequestParts<S> for Rc {
    type Rejection = HttpError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<RequestCtx>()
            .cloned()
            .map(Rc)
            .ok_or_else(HttpError::unauthenticated)
    }
}

/// A signed-in request: the session and its context. Handlers that take it
/// refuse anonymous requests (a redirect to the login page, or 401).
pub struct Auth {
    pub session: Session,
    pub rc: RequestCtx,
}

impl Auth {
    /// The actor and address for the use-cases.
    pub fn ctx(&self) -> xueshi_app::Ctx {
        xueshi_app::Ctx::new(self.session.actor.clone(), self.rc.ip.clone())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Auth {
    type Rejection = HttpError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let rc = parts
            .extensions
            .get::<RequestCtx>()
            .cloned()
            .ok_or_else(HttpError::unauthenticated)?;
        match rc.session.clone() {
            Some(session) => Ok(Auth { session, rc }),
            None => Err(HttpError::unauthenticated()),
        }
    }
}

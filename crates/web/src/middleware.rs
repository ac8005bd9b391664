//! The middleware every request passes: it resolves the context (session,
//! language, address behind trusted proxies), applies the route's body
//! limit and the public ceilings, checks the CSRF token of every
//! state-changing request, audits refusals, and renders any `HttpError` the
//! handler returned as a page or JSON in the user's language.

use std::net::{IpAddr, SocketAddr};

use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use futures_util::StreamExt;
use xueshi_app::auth::{self, Session};

use crate::ctx::*;
use crate::error::HttpError;
use crate::i18n::Lang;
use crate::limits::{within_join_limit, within_public_limit};
use crate::routes::{BodySize, Ceiling, SMALL_BODY};
use crate::state::AppState;

fn trusted(state: &AppState, ip: IpAddr) -> bool {
    state.web.trusted_proxies.iter().any(|n| n.contains(&ip))
}

/// The client's address. Only a trusted proxy's word is taken: walking
/// `X-Forwarded-For` from the right (each proxy appends the address it was
/// reached from), the first entry that is not a trusted proxy is the client.
/// Entries further left are whatever the client chose to send.
fn client_ip(state: &AppState, headers: &HeaderMap, peer: SocketAddr) -> IpAddr {
    let mut client = peer.ip().to_canonical();
    if !trusted(state, client) {
        return client;
    }
    let hops = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect::<Vec<_>>();
    for hop in hops.iter().rev() {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) => {
                client = ip.to_canonical();
                if !trusted(state, client) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    client
}

fn is_secure(state: &AppState, headers: &HeaderMap, peer: SocketAddr) -> bool {
    match state.web.secure_cookies {
        Some(s) => s,
        None => {
            trusted(state, peer.ip().to_canonical())
                && headers
                    .get("x-forwarded-proto")
                    .is_some_and(|v| v.as_bytes() == b"https")
        }
    }
}

/// Equal without revealing where two tokens first differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

/// Checks the CSRF token of a state-changing request. Returns the request
/// (its body re-assembled when it had to be read) or the refusal.
async fn check_csrf(rc: &RequestCtx, req: Request, limit: usize) -> Result<Request, HttpError> {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(req);
    }
    let headers = req.headers();
    // Browsers cannot send JSON across sites without CORS, which is off;
    // an anonymous JSON call (the API's sign-in) needs no token.
    if rc.session.is_none() && is_json(headers) {
        return Ok(req);
    }
    let expected = rc.csrf().to_owned();
    if let Some(given) = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
        return if same(given, &expected) {
            Ok(req)
        } else {
            Err(HttpError::csrf())
        };
    }
    if let Some(boundary) = multipart_boundary(headers) {
        // The token is the form's first field: read just that much, then
        // hand the handler the body as it came, unbuffered.
        let (parts, body) = req.into_parts();
        let mut stream = body.into_data_stream();
        let mut head: Vec<u8> = Vec::new();
        while head.len() < MULTIPART_PEEK {
            match stream.next().await {
                Some(Ok(chunk)) => head.extend_from_slice(&chunk),
                Some(Err(_)) => return Err(HttpError::bad_request()),
                None => break,
            }
        }
        return match first_field(&head, &boundary, CSRF_FIELD) {
            Some(g) if same(&g, &expected) => {
                let first = futures_util::stream::once(async move {
                    Ok::<_, axum::Error>(axum::body::Bytes::from(head))
                });
                Ok(Request::from_parts(
                    parts,
                    Body::from_stream(first.chain(stream)),
                ))
            }
            _ => Err(HttpError::csrf()),
        };
    }
    if is_form(headers) {
        let (parts, body) = req.into_parts();
        let bytes = to_bytes(body, limit)
            .await
            .map_err(|_| HttpError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large"))?;
        let given = form_urlencoded_field(&bytes, CSRF_FIELD);
        return match given {
            Some(g) if same(&g, &expected) => Ok(Request::from_parts(parts, Body::from(bytes))),
            _ => Err(HttpError::csrf()),
        };
    }
    Err(HttpError::csrf())
}

/// How much of a multipart body is read to find its first field.
const MULTIPART_PEEK: usize = 4096;

fn multipart_boundary(headers: &HeaderMap) -> Option<String> {
    let ct = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    if !ct.starts_with("multipart/form-data") {
        return None;
    }
    ct.split(';')
        .filter_map(|p| p.trim().strip_prefix("boundary="))
        .map(|b| b.trim_matches('"').to_owned())
        .next()
}

/// The value of a multipart body's first part when that part is the field
/// `name` (a small text field; a file or any other part first is `None`).
fn first_field(head: &[u8], boundary: &str, name: &str) -> Option<String> {
    let delimiter = format!("--{boundary}");
    let rest = head.strip_prefix(delimiter.as_bytes())?;
    let rest = rest.strip_prefix(b"\r\n")?;
    let split = rest.windows(4).position(|w| w == b"\r\n\r\n")?;
    let headers = std::str::from_utf8(&rest[..split]).ok()?;
    let named = headers.lines().any(|l| {
        l.to_ascii_lowercase().starts_with("content-disposition:")
            && l.contains(&format!("name=\"{name}\""))
            && !l.contains("filename=")
    });
    if !named {
        return None;
    }
    let value = &rest[split + 4..];
    let end_marker = format!("\r\n{delimiter}");
    let end = value
        .windows(end_marker.len())
        .position(|w| w == end_marker.as_bytes())?;
    String::from_utf8(value[..end].to_vec()).ok()
}

fn form_urlencoded_field(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// What is checked before a body is read: a public form's per-address
/// ceiling, and the declared length against the route's limit. Returns the
/// limit the body is then read under.
fn before_body(state: &AppState, rc: &RequestCtx, req: &Request) -> Result<usize, HttpError> {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .and_then(|m| state.routes.get(&(req.method().clone(), m.as_str())));
    let limit = match route.map(|r| r.body) {
        Some(BodySize::Upload) => state.web.max_body_bytes,
        Some(BodySize::Photos(n)) => crate::routes::photos_body(n),
        _ => SMALL_BODY.min(state.web.max_body_bytes),
    };
    let within = match route.and_then(|r| r.rate_limited) {
        None => true,
        Some(Ceiling::Public) => within_public_limit(state, &rc.ip),
        Some(Ceiling::Join) => within_join_limit(state, &rc.ip),
    };
    if !within {
        return Err(HttpError::rate_limited());
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(HttpError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large"));
    }
    Ok(limit)
}

/// Records a refused write, unmask or download (reads of pages are not
/// logged). The action is named from the route: `/members/{id}/unmask` is
/// `member.unmask`, `POST /units/{id}` is `unit.update`.
async fn audit_refusal(
    state: &AppState,
    rc: &RequestCtx,
    session: &Session,
    method: &Method,
    route: &str,
) {
    let download = route.ends_with("/download") || route.ends_with(".xlsx");
    if *method == Method::GET && !download {
        return;
    }
    let route_parts: Vec<&str> = route
        .trim_start_matches("/api/v1")
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let path_parts: Vec<&str> = rc
        .path
        .trim_start_matches("/api/v1")
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let named: Vec<&str> = route_parts
        .iter()
        .filter(|s| !s.starts_with('{'))
        .copied()
        .collect();
    let kind = named
        .first()
        .map_or("request", |k| k.strip_suffix('s').unwrap_or(k));
    let verb = match *method {
        Method::DELETE => "delete".to_owned(),
        Method::PUT => "update".to_owned(),
        Method::GET => "download".to_owned(),
        _ if named.len() > 1 => named[1..].join("."),
        _ if route_parts.len() > 1 => "update".to_owned(),
        _ => "create".to_owned(),
    };
    let action = format!("{kind}.{verb}");
    let object = route_parts
        .iter()
        .position(|s| *s == "{id}")
        .and_then(|i| path_parts.get(i))
        .and_then(|s| s.parse::<i64>().ok())
        .map(xueshi_domain::Id);
    let ctx = xueshi_app::Ctx::new(session.actor.clone(), rc.ip.clone());
    let label = format!("{method} {}", rc.path);
    if let Err(e) =
        xueshi_app::audit::refused(&state.app, &ctx, &action, kind, object, &label).await
    {
        tracing::error!(error = %e, "recording a refusal failed");
    }
}

/// What an account that owes a new password may still reach.
const PASSWORD_CHANGE_ROUTES: &[&str] = &[
    "/password",
    "/logout",
    "/lang",
    "/login",
    "/health",
    "/api/v1/session",
    "/api/v1/me",
    "/api/v1/me/password",
];

/// Resolves the request context, checks CSRF, runs the handler and renders
/// any error it returned.
pub async fn context(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    mut req: Request,
    next: Next,
) -> Response {
    let jar = cookies(req.headers());
    let ip = client_ip(&state, req.headers(), peer).to_string();
    let secure = is_secure(&state, req.headers(), peer);
    let session = match cookie(&jar, SESSION_COOKIE) {
        Some(token) => match auth::resolve(&state.app, token).await {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(error = %e, "session lookup failed");
                None
            }
        },
        None => None,
    };
    let lang = session
        .as_ref()
        .and_then(|s| Lang::parse(&s.locale))
        .or_else(|| cookie(&jar, LANG_COOKIE).and_then(Lang::parse))
        .or_else(|| {
            req.headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept)
        })
        .unwrap_or_default();
    let existing_csrf = cookie(&jar, CSRF_COOKIE)
        .filter(|v| v.len() >= 32)
        .map(str::to_owned);
    let new_csrf = existing_csrf.is_none();
    let path = req.uri().path().to_owned();
    let rc = RequestCtx {
        ip,
        lang,
        session,
        anon_csrf: existing_csrf.unwrap_or_else(auth::random_token),
        secure,
        api: path.starts_with("/api/"),
        path,
    };
    req.extensions_mut().insert(rc.clone());
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned());
    let owes_password = rc.session.as_ref().is_some_and(|s| s.must_change_password)
        && !PASSWORD_CHANGE_ROUTES.contains(&rc.path.as_str())
        && !rc.path.starts_with("/assets/");
    let mut resp = match before_body(&state, &rc, &req) {
        // A login slip or an administrator's reset: nothing else until the
        // holder has chosen a password of their own.
        Ok(_) if owes_password && !rc.api => Redirect::to("/password").into_response(),
        Ok(_) if owes_password => {
            HttpError::new(StatusCode::FORBIDDEN, "password_change_required").into_response()
        }
        Err(e) => e.into_response(),
        Ok(limit) => match check_csrf(&rc, req, limit).await {
            Ok(req) => next.run(req).await,
            Err(e) => e.into_response(),
        },
    };
    if let Some(err) = resp.extensions_mut().remove::<HttpError>() {
        if err.code == "forbidden"
            && let (Some(session), Some(route)) = (&rc.session, &route)
        {
            audit_refusal(&state, &rc, session, &method, route).await;
        }
        resp = render_error(&state, &rc, err);
    }
    let h = resp.headers_mut();
    if new_csrf {
        h.append(
            header::SET_COOKIE,
            set_cookie(CSRF_COOKIE, &rc.anon_csrf, rc.secure, None),
        );
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'",
        ),
    );
    if rc.session.is_some() {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

fn render_error(state: &AppState, rc: &RequestCtx, err: HttpError) -> Response {
    if rc.api {
        return (err.status, axum::Json(err.to_json(rc.lang))).into_response();
    }
    if err.status == StatusCode::UNAUTHORIZED {
        let next = urlencode(&rc.path);
        return Redirect::to(&format!("/login?expired=1&next={next}")).into_response();
    }
    crate::pages::error_page(state, rc, &err)
}

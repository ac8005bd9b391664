//! What every handler can reach: the use-cases and the web settings.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use axum::http::Method;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use ipnet::IpNet;
use xueshi_app::App;
use xueshi_domain::access::Role;

use crate::routes::RouteInfo;

/// Web settings with safe defaults.
#[derive(Clone, Debug)]
pub struct WebConfig {
    /// `Some(true)`: cookies always `Secure`; `None`: when the request came
    /// over HTTPS (as a trusted proxy says).
    pub secure_cookies: Option<bool>,
    /// Reverse proxies whose `X-Forwarded-For` / `X-Forwarded-Proto` are
    /// believed: the client is the rightmost forwarded address that is not
    /// one of them. Empty: the peer is the client.
    pub trusted_proxies: Vec<IpNet>,
    /// Login attempts per IP per minute.
    pub login_per_minute: u32,
    /// Problems the public may raise per IP per minute.
    pub problems_per_minute: u32,
    /// Phones that may join competitions from one IP per minute.
    pub joins_per_minute: u32,
    /// Largest request body, in bytes (uploads included).
    pub max_body_bytes: usize,
    /// The demo's accounts and password, listed on the login page when the
    /// database holds the demo.
    pub demo_sign_in: Option<DemoSignIn>,
}

/// The accounts a newcomer to the demo may sign in as, one per role.
#[derive(Clone, Debug)]
pub struct DemoSignIn {
    pub password: String,
    pub accounts: Vec<(String, Role)>,
}

impl DemoSignIn {
    pub fn new(password: &str, accounts: &[(&str, Role)]) -> DemoSignIn {
        DemoSignIn {
            password: password.to_owned(),
            accounts: accounts
                .iter()
                .map(|(n, r)| ((*n).to_owned(), *r))
                .collect(),
        }
    }
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: None,
            trusted_proxies: Vec::new(),
            login_per_minute: 10,
            problems_per_minute: 5,
            joins_per_minute: 600,
            max_body_bytes: 32 * 1024 * 1024,
            demo_sign_in: None,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub web: Arc<WebConfig>,
    /// Each route's body size and rate limit, by method and matched path,
    /// for the checks made before a body is read.
    pub routes: Arc<HashMap<(Method, &'static str), RouteInfo>>,
    pub login_limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    pub public_limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    pub join_limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
}

impl AppState {
    pub fn new(app: App, web: WebConfig) -> AppState {
        let per = NonZeroU32::new(web.login_per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        let public = NonZeroU32::new(web.problems_per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        let joins = NonZeroU32::new(web.joins_per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        let routes = crate::routes::route_table()
            .into_iter()
            .map(|r| ((r.method.clone(), r.path), r))
            .collect();
        AppState {
            app,
            routes: Arc::new(routes),
            login_limiter: Arc::new(RateLimiter::keyed(Quota::per_minute(per))),
            public_limiter: Arc::new(RateLimiter::keyed(Quota::per_minute(public))),
            join_limiter: Arc::new(RateLimiter::keyed(Quota::per_minute(joins))),
            web: Arc::new(web),
        }
    }
}

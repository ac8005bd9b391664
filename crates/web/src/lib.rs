//! HTTP: the pages and the JSON API over the use-cases.
//!
//! A request passes the context middleware (session, language, address,
//! CSRF), reaches a handler that parses, authorises through the app, calls
//! the use-case and renders, and comes back through the middleware, which
//! turns any `HttpError` into a page or JSON in the user's language. This
//! crate holds no SQL and no rules.

pub mod api;
pub mod assets;
pub mod chart;
pub mod ctx;
pub mod download;
pub mod error;
pub mod i18n;
pub mod import_report;
pub mod limits;
pub mod live;
pub mod middleware;
pub mod pages;
pub mod routes;
pub mod state;
pub mod upload;

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use routes::{Access, RouteInfo, route_table};
pub use state::{AppState, DemoSignIn, WebConfig};

/// The whole application as a router.
pub fn router(state: AppState) -> Router {
    // Each route reads under its own limit (see `ctx`); this is the largest.
    let limit = state.web.max_body_bytes.max(routes::photos_body(
        xueshi_app::matters::MAX_STEP_PHOTOS + 1,
    ));
    routes::routes()
        .fallback(|| async { error::HttpError::not_found() })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::context,
        ))
        .layer(DefaultBodyLimit::max(limit))
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(120),
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Sessions ended elsewhere (another process, the CLI) reach this
    // server's session cache while it serves.
    let watch = tokio::spawn(xueshi_app::auth::watch_revocations(state.app.clone()));
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    watch.abort();
    served
}

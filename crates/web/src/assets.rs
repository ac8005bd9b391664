//! Static files compiled into the binary.

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::error::HttpError;

const CSS: &str = include_str!("../assets/app.css");

pub async fn serve(Path(file): Path<String>) -> Response {
    match file.as_str() {
        "app.css" => {
            let mut r = CSS.into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            );
            r.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            );
            r
        }
        _ => HttpError::not_found().into_response(),
    }
}

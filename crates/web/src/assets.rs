//! Static files compiled into the binary.

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::error::HttpError;

const CSS: &str = include_str!("../assets/app.css");
const QUIZ_JS: &str = include_str!("../assets/quiz.js");
const EXAM_JS: &str = include_str!("../assets/exam.js");
const STUDY_JS: &str = include_str!("../assets/study.js");
const PRINT_JS: &str = include_str!("../assets/print.js");
const LIVE_JS: &str = include_str!("../assets/live.js");

pub async fn serve(Path(file): Path<String>) -> Response {
    let (body, kind) = match file.as_str() {
        "app.css" => (CSS, "text/css; charset=utf-8"),
        "quiz.js" => (QUIZ_JS, "text/javascript; charset=utf-8"),
        "exam.js" => (EXAM_JS, "text/javascript; charset=utf-8"),
        "study.js" => (STUDY_JS, "text/javascript; charset=utf-8"),
        "print.js" => (PRINT_JS, "text/javascript; charset=utf-8"),
        "live.js" => (LIVE_JS, "text/javascript; charset=utf-8"),
        _ => return HttpError::not_found().into_response(),
    };
    let mut r = body.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    r
}

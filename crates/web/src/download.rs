//! Files handed to the browser: a workbook as an attachment under its
//! Chinese name.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::ctx::urlencode;

/// A workbook response, saved under `name`.
pub fn xlsx(name: &str, bytes: Vec<u8>) -> Response {
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    );
    let disposition = format!(
        "attachment; filename=\"roster.xlsx\"; filename*=UTF-8''{}",
        urlencode(name)
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

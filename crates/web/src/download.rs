//! Files handed to the browser: a workbook or a Word document as an
//! attachment under its Chinese name.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::ctx::urlencode;

/// A workbook response, saved under `name`.
pub fn xlsx(name: &str, bytes: Vec<u8>) -> Response {
    attachment(
        name,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "roster.xlsx",
        bytes,
    )
}

/// A Word document response, saved under `name`.
pub fn docx(name: &str, bytes: Vec<u8>) -> Response {
    attachment(
        name,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "briefing.docx",
        bytes,
    )
}

/// `ascii_name` for clients that cannot read the UTF-8 name.
fn attachment(name: &str, mime: &'static str, ascii_name: &str, bytes: Vec<u8>) -> Response {
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    let disposition = format!(
        "attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{}",
        urlencode(name)
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

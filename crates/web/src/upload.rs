//! What a request uploads: a workbook from a multipart form, and photos
//! read no further than the size allowed.

use axum::extract::Multipart;
use axum::http::StatusCode;
use xueshi_app::AppError;
use xueshi_app::roster::RowError;
use xueshi_domain::problem::MAX_PHOTO;

use crate::error::{HttpError, WebResult};

/// The uploaded file of a multipart form: (file name, bytes).
pub async fn uploaded_file(mut form: Multipart) -> WebResult<(String, Vec<u8>)> {
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|_| HttpError::bad_request())?
    {
        if field.name() == Some("file") {
            let name = field
                .file_name()
                .unwrap_or("roster.xlsx")
                .chars()
                .take(100)
                .collect();
            let bytes = field
                .bytes()
                .await
                .map_err(|_| HttpError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large"))?;
            return Ok((name, bytes.to_vec()));
        }
    }
    Err(AppError::Rejected(vec![RowError::file("file_empty")]).into())
}

/// A photo field's bytes, cut short just past the size allowed (then refused
/// by its size) so a huge upload is not read whole.
pub async fn read_photo(
    field: &mut axum::extract::multipart::Field<'_>,
) -> Result<Vec<u8>, HttpError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|_| HttpError::bad_request())? {
        bytes.extend_from_slice(&chunk);
        if bytes.len() > MAX_PHOTO {
            break;
        }
    }
    Ok(bytes)
}

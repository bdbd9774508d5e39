//! Reading a `multipart/form-data` upload: one file part, refused as soon as it passes its
//! limit, and a few short text fields, each named in advance.

use actix_multipart::{Multipart, MultipartError};
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;

use crate::error::AppError;

/// The longest text field accepted beside the file.
const MAX_FIELD_BYTES: usize = 4 * 1024;

/// An upload as read: the file (if one was sent) and the text fields.
#[derive(Debug, Clone, Default)]
pub struct UploadForm {
    pub file_name: String,
    pub declared_type: Option<String>,
    pub file: Option<Bytes>,
    pub fields: Vec<(String, String)>,
}

impl UploadForm {
    /// Text field `name`, if sent.
    pub fn field(&self, name: &str) -> Option<String> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }
}

fn problem(e: MultipartError) -> AppError {
    match e {
        MultipartError::ContentTypeMissing
        | MultipartError::ContentTypeParse
        | MultipartError::ContentTypeIncompatible
        | MultipartError::BoundaryMissing => AppError::UnsupportedMediaType(
            "Send the document as multipart/form-data with a `file` part.".into(),
        ),
        other => AppError::BadRequest(format!("The upload could not be read: {other}")),
    }
}

/// Read the form: at most one `file` part of at most `max_bytes` (413 past it) and the text
/// fields in `fields` (400 for any other part).
pub async fn read(
    mut form: Multipart,
    max_bytes: u64,
    fields: &[&str],
) -> Result<UploadForm, AppError> {
    let mut out = UploadForm::default();
    while let Some(part) = form.next().await {
        let mut part = part.map_err(problem)?;
        let name = part.name().unwrap_or("").to_string();
        let limit = match name.as_str() {
            "file" if out.file.is_some() => {
                return Err(AppError::invalid("file", "Send one file per upload."));
            }
            "file" => {
                out.file_name = part
                    .content_disposition()
                    .and_then(|d| d.get_filename())
                    .unwrap_or("")
                    .to_string();
                out.declared_type = part.content_type().map(|m| m.to_string());
                max_bytes as usize
            }
            known if fields.contains(&known) => MAX_FIELD_BYTES,
            other => {
                return Err(AppError::invalid(
                    other,
                    format!("is not a field of this form (file, {})", fields.join(", ")),
                ));
            }
        };
        let mut buf = BytesMut::new();
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(problem)?;
            if buf.len() + chunk.len() > limit {
                return Err(if name == "file" {
                    AppError::PayloadTooLarge(format!(
                        "A document may be at most {} MiB.",
                        max_bytes / (1024 * 1024)
                    ))
                } else {
                    AppError::invalid(&name, "is too long")
                });
            }
            buf.extend_from_slice(&chunk);
        }
        if name == "file" {
            out.file = Some(buf.freeze());
        } else {
            let text = String::from_utf8(buf.to_vec())
                .map_err(|_| AppError::invalid(&name, "is not valid UTF-8 text"))?;
            out.fields.push((name, text));
        }
    }
    Ok(out)
}

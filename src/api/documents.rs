//! Documents: upload to a case (multipart/form-data), the case's list, a new version, and the
//! download.

use actix_multipart::{Multipart, MultipartError};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use bytes::BytesMut;
use futures_util::StreamExt;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::extract::AuthUser;
use crate::domain::role::Permission;
use crate::error::{AppError, AppResult, Problem};
use crate::services::documents::{self, Content, DocumentView, Upload};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(upload_document)
        .service(list_documents)
        .service(replace_document)
        .service(redact_document)
        .service(download_document);
}

/// The form an upload sends.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct DocumentUploadForm {
    /// The file (its name and declared type travel with it; the type is checked by content).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// `complainant_letter`, `email`, `consent_form`, `statement`, `evidence`,
    /// `response_letter`, `meeting_notes` or `other` (not sent for a new version).
    kind: Option<String>,
    /// What it is, in a line (at most 500 characters).
    description: Option<String>,
}

/// The form a redaction sends.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct DocumentRedactionForm {
    /// The redacted file.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// Why the document is redacted (kept on the timeline, at most 500 characters).
    reason: String,
    description: Option<String>,
}

/// The longest text field accepted beside the file.
const MAX_FIELD_BYTES: usize = 4 * 1024;

fn multipart_problem(e: MultipartError) -> AppError {
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

/// The text fields each form takes beside its file.
const NEW: &[&str] = &["kind", "description"];
const VERSION: &[&str] = &["description"];
const REDACTION: &[&str] = &["description", "reason"];

/// Read the form: one `file` part (refused as soon as it passes `max_bytes`) and the text
/// fields in `fields`.
async fn read_upload(mut form: Multipart, max_bytes: u64, fields: &[&str]) -> AppResult<Upload> {
    let mut upload = Upload::default();
    let mut saw_file = false;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(multipart_problem)?;
        let name = field.name().unwrap_or("").to_string();
        let limit = match name.as_str() {
            "file" if saw_file => {
                return Err(AppError::invalid("file", "Send one file per upload."));
            }
            "file" => {
                saw_file = true;
                upload.file_name = field
                    .content_disposition()
                    .and_then(|d| d.get_filename())
                    .unwrap_or("")
                    .to_string();
                upload.declared_type = field.content_type().map(|m| m.to_string());
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
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(multipart_problem)?;
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
            upload.bytes = buf.freeze();
        } else {
            let text = String::from_utf8(buf.to_vec())
                .map_err(|_| AppError::invalid(&name, "is not valid UTF-8 text"))?;
            match name.as_str() {
                "kind" => upload.kind = Some(text),
                "reason" => upload.reason = Some(text),
                _ => upload.description = Some(text),
            }
        }
    }
    if !saw_file {
        return Err(AppError::invalid("file", "is required"));
    }
    Ok(upload)
}

/// Add a document to a case: a letter, email, consent form, statement, evidence, response
/// letter or meeting notes. The type is checked by content, the size against the limits, and
/// the configured virus scan runs first; the upload goes on the timeline.
#[utoipa::path(
    tag = "documents",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Case id")),
    request_body(content = DocumentUploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Kept; `Location` names the content", body = DocumentView),
        (status = 400, description = "No file, an empty one, an unknown kind, or refused by the virus scan", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not your case, or a role that adds nothing to cases", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than the file limit, or past the case's total", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not multipart, a type not accepted, or content that is not what the name says", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/cases/{id}/documents")]
pub async fn upload_document(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    form: Multipart,
) -> AppResult<HttpResponse> {
    user.0.require(Permission::AddCaseNote)?;
    let upload = read_upload(form, state.settings.documents.max_file_bytes(), NEW).await?;
    let doc = documents::upload(&state, &user.0, id.into_inner(), upload).await?;
    Ok(created(doc))
}

fn created(doc: DocumentView) -> HttpResponse {
    HttpResponse::build(StatusCode::CREATED)
        .insert_header(("Location", format!("/api/v1/documents/{}/content", doc.id)))
        .json(doc)
}

/// A case's documents: each current version with the versions it replaced.
#[utoipa::path(
    tag = "documents",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Case id")),
    responses(
        (status = 200, description = "Documents in the order first added", body = Vec<DocumentView>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not your case", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/cases/{id}/documents")]
pub async fn list_documents(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> AppResult<web::Json<Vec<DocumentView>>> {
    let route = "GET /api/v1/cases/{id}/documents";
    documents::list(&state, &user.0, id.into_inner(), route)
        .await
        .map(web::Json)
}

/// Replace a document with a new version (same form; `kind` is kept). The earlier version
/// stays downloadable and the replacement goes on the timeline.
#[utoipa::path(
    tag = "documents",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The newest version's id")),
    request_body(content = DocumentUploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "The new version, with the earlier ones", body = DocumentView),
        (status = 400, description = "No file, an empty one, or refused by the virus scan", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not your case", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such document", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "That version was already replaced", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The document's content was erased", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than the file limit, or past the case's total", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not multipart, a type not accepted, or content that is not what the name says", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/documents/{id}/versions")]
pub async fn replace_document(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    form: Multipart,
) -> AppResult<HttpResponse> {
    user.0.require(Permission::AddCaseNote)?;
    let upload = read_upload(form, state.settings.documents.max_file_bytes(), VERSION).await?;
    let doc = documents::replace(&state, &user.0, id.into_inner(), upload).await?;
    Ok(created(doc))
}

/// Replace a document with a redacted version (complaints managers and admins): every earlier
/// version's content is erased (its name, size and digest stay, so the record still verifies)
/// and the reason goes on the timeline.
#[utoipa::path(
    tag = "documents",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The newest version's id")),
    request_body(content = DocumentRedactionForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "The redacted version, with the erased ones", body = DocumentView),
        (status = 400, description = "No file or no reason, or refused by the virus scan", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Complaints managers and admins only, on cases they can read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such document", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "That version was already replaced", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The document's content was already erased", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than the file limit, or past the case's total", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not multipart, a type not accepted, or content that is not what the name says", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/documents/{id}/redactions")]
pub async fn redact_document(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    form: Multipart,
) -> AppResult<HttpResponse> {
    user.0.require(Permission::RedactCase)?;
    let upload = read_upload(form, state.settings.documents.max_file_bytes(), REDACTION).await?;
    let doc = documents::redact(&state, &user.0, id.into_inner(), upload).await?;
    Ok(created(doc))
}

/// Download a document version with its original name and type, as an attachment. The
/// download goes in the case's access log.
#[utoipa::path(
    tag = "documents",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Document (version) id")),
    responses(
        (status = 200, description = "The file", body = Vec<u8>, content_type = "application/octet-stream"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not your case", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such document", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The content was erased (retention or redaction)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/documents/{id}/content")]
pub async fn download_document(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let route = "GET /api/v1/documents/{id}/content";
    let content = documents::content(&state, &user.0, id.into_inner(), route).await?;
    Ok(attachment(content))
}

/// The file as a download: never shown inline, never sniffed, never cached.
fn attachment(c: Content) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(c.media_type)
        .insert_header(("Content-Disposition", disposition(&c.file_name)))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("Content-Security-Policy", "default-src 'none'; sandbox"))
        .body(c.bytes)
}

/// `attachment` with an ASCII fallback name and the exact name in RFC 5987 form.
fn disposition(file_name: &str) -> String {
    let fallback: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

//! Documents: upload to a case (multipart/form-data), the case's list, a new version, and the
//! download.

use crate::api::routes::Routes;
use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use utoipa::ToSchema;

use super::extract::AuthUser;
use crate::domain::role::Permission;
use crate::error::{AppError, AppResult, Problem};
use crate::http::multipart;
use crate::services::documents::{self, Content, DocumentView, Upload};
use crate::state::AppState;

pub fn configure(cfg: &mut impl Routes) {
    cfg.service(upload_document)
        .service(list_documents)
        .service(replace_document)
        .service(redact_document)
        .service(get_document)
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

/// The text fields each form takes beside its file.
const NEW: &[&str] = &["kind", "description"];
const VERSION: &[&str] = &["description"];
const REDACTION: &[&str] = &["description", "reason"];

/// Read the form into an upload: a `file` is required.
async fn read_upload(form: Multipart, max_bytes: u64, fields: &[&str]) -> AppResult<Upload> {
    let form = multipart::read(form, max_bytes, fields).await?;
    let bytes = form
        .file
        .clone()
        .ok_or_else(|| AppError::invalid("file", "is required"))?;
    Ok(Upload {
        kind: form.field("kind"),
        description: form.field("description"),
        reason: form.field("reason"),
        file_name: form.file_name,
        declared_type: form.declared_type,
        bytes,
    })
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
    let id = id.into_inner();
    // Nobody who may not add to the case gets as far as sending the file.
    documents::may_add(&state, &user.0, id.clone()).await?;
    let upload = read_upload(form, state.settings.documents.max_file_bytes(), NEW).await?;
    let doc = documents::upload(&state, &user.0, id, upload).await?;
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
    add_version(&state, &user, id.into_inner(), form, false).await
}

/// A new version (or, with `redaction`, a redacted one): the role and the case are checked
/// before the file is read.
async fn add_version(
    state: &AppState,
    user: &AuthUser,
    id: String,
    form: Multipart,
    redaction: bool,
) -> AppResult<HttpResponse> {
    let (permission, fields) = if redaction {
        (Permission::RedactCase, REDACTION)
    } else {
        (Permission::AddCaseNote, VERSION)
    };
    documents::may_change(state, &user.0, id.clone(), permission).await?;
    let upload = read_upload(form, state.settings.documents.max_file_bytes(), fields).await?;
    let doc = if redaction {
        documents::redact(state, &user.0, id, upload).await?
    } else {
        documents::replace(state, &user.0, id, upload).await?
    };
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
    add_version(&state, &user, id.into_inner(), form, true).await
}

/// One document: its current version with the earlier ones (any version's id finds it).
#[utoipa::path(
    tag = "documents",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Document (version) id")),
    responses(
        (status = 200, description = "The document", body = DocumentView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not your case", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such document", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/documents/{id}")]
pub async fn get_document(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> AppResult<web::Json<DocumentView>> {
    let route = "GET /api/v1/documents/{id}";
    documents::get(&state, &user.0, id.into_inner(), route)
        .await
        .map(web::Json)
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

/// The file as a download (`http::download`).
fn attachment(c: Content) -> HttpResponse {
    crate::http::download::attachment(&c.media_type, &c.file_name, c.bytes)
}

//! A case's records on the staff pages: adding a note (a note, a finding or a record of
//! contact), a letter's printable copy, and the case's documents (added from the page, each
//! downloaded as an attachment). The same services and permissions as the API; reads and
//! downloads are in the case's access log.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde_json::{Value, json};

use super::forms::value;
use super::{Staff, app_error, message, see_other};
use crate::error::AppError;
use crate::http::multipart;
use crate::pages::form_pairs;
use crate::services::case_history::{self, NoteCategory, NoteRequest};
use crate::services::documents::{self, Upload};
use crate::services::letters;
use crate::state::AppState;

/// The note categories offered, with their labels.
pub const NOTE_KINDS: &[(&str, &str)] = &[
    ("note", "A note"),
    ("finding", "A finding from the investigation"),
    (
        "contact",
        "Contact with the complainant (a call, a meeting, a letter)",
    ),
];

fn refused(state: &AppState, status: StatusCode, title: &str, why: &str) -> HttpResponse {
    message(
        state,
        status,
        title,
        &[why, "Go back to the case and try again."],
    )
}

/// `POST /staff/cases/{id}/notes`.
pub async fn add_note(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let id = id.into_inner();
    let pairs = form_pairs(&body).unwrap_or_default();
    if let Some(refused) = staff.csrf_refusal(&state, value(&pairs, "csrf")) {
        return refused;
    }
    let category = match value(&pairs, "category").unwrap_or("note") {
        "finding" => NoteCategory::Finding,
        "contact" => NoteCategory::Contact,
        _ => NoteCategory::Note,
    };
    let req = NoteRequest {
        text: value(&pairs, "text").unwrap_or("").to_string(),
        category,
    };
    match case_history::add_note(&state, &staff.actor, id.clone(), req).await {
        Ok(_) => see_other(&format!("/staff/cases/{id}?done=note#timeline")),
        Err(AppError::Validation(_)) => refused(
            &state,
            StatusCode::BAD_REQUEST,
            "The note is empty",
            "Write the note before adding it.",
        ),
        Err(e) => app_error(&state, &e),
    }
}

/// `GET /staff/cases/{id}/letters/{letter_id}`: the letter as it was sent, to print (the
/// complainant's private links shown as placeholders).
pub async fn letter(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (case_id, letter_id) = path.into_inner();
    match letters::printable(&state, &staff.actor, case_id, letter_id).await {
        Ok(html) => crate::http::page::letter(html),
        Err(e) => app_error(&state, &e),
    }
}

/// `GET /staff/documents/{id}`: a document's content, as an attachment.
pub async fn download(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
) -> HttpResponse {
    let route = "GET /staff/documents/{id}";
    match documents::content(&state, &staff.actor, id.into_inner(), route).await {
        Ok(c) => crate::http::download::attachment(&c.media_type, &c.file_name, c.bytes),
        Err(AppError::Gone(why)) => {
            refused(&state, StatusCode::GONE, "This document was erased", &why)
        }
        Err(e) => app_error(&state, &e),
    }
}

/// `POST /staff/cases/{id}/documents` (multipart): add a document to the case. The role and the
/// case are checked before the file is read.
pub async fn upload(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
    form: Multipart,
) -> HttpResponse {
    let id = id.into_inner();
    if let Err(e) = documents::may_add(&state, &staff.actor, id.clone()).await {
        return app_error(&state, &e);
    }
    let max = state.settings.documents.max_file_bytes();
    let form = match multipart::read(form, max, &["csrf", "kind", "description"]).await {
        Ok(form) => form,
        Err(e) => return upload_refused(&state, &e),
    };
    if let Some(refused) = staff.csrf_refusal(&state, form.field("csrf").as_deref()) {
        return refused;
    }
    let Some(bytes) = form.file.clone().filter(|b| !b.is_empty()) else {
        return upload_refused(&state, &AppError::invalid("file", "Choose a file to add"));
    };
    let upload = Upload {
        file_name: form.file_name.clone(),
        declared_type: form.declared_type.clone(),
        bytes,
        kind: form.field("kind"),
        description: form.field("description"),
        reason: None,
    };
    match documents::upload(&state, &staff.actor, id.clone(), upload).await {
        Ok(_) => see_other(&format!("/staff/cases/{id}?done=document#documents")),
        Err(e) => upload_refused(&state, &e),
    }
}

/// The page for a refused upload: what was wrong, in words.
fn upload_refused(state: &AppState, e: &AppError) -> HttpResponse {
    use actix_web::ResponseError;
    let status = e.status_code();
    if status.is_server_error()
        || status == StatusCode::FORBIDDEN
        || status == StatusCode::NOT_FOUND
    {
        return app_error(state, e);
    }
    let why = match e {
        AppError::Validation(fields) => fields
            .iter()
            .map(|f| format!("The {}: {}", f.field.replace('_', " "), f.message))
            .collect::<Vec<_>>()
            .join(". "),
        other => other.to_string(),
    };
    refused(state, status, "The document was not added", &why)
}

/// The documents section's rows for a case's documents.
pub fn document_rows(docs: &[crate::services::documents::DocumentView]) -> Vec<Value> {
    docs.iter()
        .map(|d| {
            json!({
                "href": format!("/staff/documents/{}", d.id),
                "name": d.file_name,
                "kind": d.kind.label(),
                "description": d.description,
                "version": d.version,
                "from_complainant": d.source == "complainant",
                "erased": d.erased.is_some(),
                "at": super::words::time(d.uploaded_at),
            })
        })
        .collect()
}

/// The records part of the case page: its letters, its documents, and the choices of the
/// note and document forms (offered to those who may add them).
pub async fn for_case_page(
    state: &AppState,
    staff: &Staff,
    case_id: &str,
) -> Result<Value, HttpResponse> {
    let route = "GET /staff/cases/{id}";
    let sent = letters::for_case(state, &staff.actor, case_id.to_string())
        .await
        .map_err(|e| app_error(state, &e))?;
    let docs = documents::list(state, &staff.actor, case_id.to_string(), route)
        .await
        .map_err(|e| app_error(state, &e))?;
    let letters: Vec<Value> = sent
        .iter()
        .map(|l| {
            json!({
                "href": format!("/staff/cases/{case_id}/letters/{}", l.id),
                "subject": l.subject,
                "channel": if l.channel == "email" { "Email" } else { "Post" },
                "status": l.status.replace('_', " "),
                "at": super::words::time(l.created_at),
            })
        })
        .collect();
    let kinds: Vec<Value> = crate::domain::document::DocumentKind::ALL
        .iter()
        .map(|k| json!({ "value": k.as_str(), "label": k.label() }))
        .collect();
    let may_add = staff
        .actor
        .role
        .can(crate::domain::role::Permission::AddCaseNote);
    Ok(json!({
        "letters": letters,
        "documents": document_rows(&docs),
        "document_kinds": kinds,
        "note_kinds": NOTE_KINDS.iter().map(|(v, l)| json!({ "value": v, "label": l })).collect::<Vec<_>>(),
        "may_add": may_add,
    }))
}

//! A case's timeline, notes, redactions and access log.

use crate::api::routes::Routes;
use actix_web::{HttpResponse, get, post, web};

use super::extract::{ApiJson, AuthUser};
use crate::domain::role::Permission;
use crate::error::{AppResult, Problem};
use crate::services::case_history::{self, AccessLogEntry, NoteRequest, TimelineEntry};
use crate::services::redaction::{self, RedactionRequest, RedactionView};
use crate::state::AppState;

pub fn configure(cfg: &mut impl Routes) {
    cfg.service(get_timeline)
        .service(add_note)
        .service(get_access_log)
        .service(redact);
}

/// The case's timeline, oldest first: every change with before/after values, every note.
/// Each entry carries the hash that chains it to the one before.
#[utoipa::path(
    tag = "cases",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Case id")),
    responses(
        (status = 200, description = "The timeline", body = Vec<TimelineEntry>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not your case", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/cases/{id}/timeline")]
pub async fn get_timeline(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> AppResult<web::Json<Vec<TimelineEntry>>> {
    case_history::timeline(
        &state,
        &user.0,
        id.into_inner(),
        "GET /api/v1/cases/{id}/timeline",
    )
    .await
    .map(web::Json)
}

/// Add a staff note, finding or contact record. Notes are never shown to the complainant.
#[utoipa::path(
    tag = "cases",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Case id")),
    request_body = NoteRequest,
    responses(
        (status = 201, description = "The note as a timeline entry", body = TimelineEntry),
        (status = 400, description = "Empty or too long", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not your case", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/cases/{id}/notes")]
pub async fn add_note(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    body: ApiJson<serde_json::Value>,
) -> AppResult<HttpResponse> {
    user.0.require(Permission::AddCaseNote)?;
    let note: NoteRequest = crate::json::from_value(body.0)?;
    let entry = case_history::add_note(&state, &user.0, id.into_inner(), note).await?;
    Ok(HttpResponse::Created().json(entry))
}

/// Who read the case and through which route, newest first.
#[utoipa::path(
    tag = "cases",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Case id")),
    responses(
        (status = 200, description = "Reads of the case", body = Vec<AccessLogEntry>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Admins and complaints managers only", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/cases/{id}/access-log")]
pub async fn get_access_log(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> AppResult<web::Json<Vec<AccessLogEntry>>> {
    case_history::access_log(&state, &user.0, id.into_inner())
        .await
        .map(web::Json)
}

/// Redact a case's text: a free-text field (with the timeline events that recorded its words)
/// or one timeline event's summary and details. The words are replaced by `[redacted]`; who,
/// when and why go on the timeline, and the audit chain still verifies.
#[utoipa::path(
    tag = "cases",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Case id")),
    request_body = RedactionRequest,
    responses(
        (status = 201, description = "Redacted; the events erased and the event that records it", body = RedactionView),
        (status = 400, description = "Unknown target, no such event, or no reason", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Admins and complaints managers only", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already redacted, or the event records an erasure", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/cases/{id}/redactions")]
pub async fn redact(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    body: ApiJson<serde_json::Value>,
) -> AppResult<HttpResponse> {
    let view = redaction::redact(&state, &user.0, id.into_inner(), body.0).await?;
    Ok(HttpResponse::Created().json(view))
}

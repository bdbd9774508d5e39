//! Subject access for admins and complaints managers: find a person across cases, and export
//! everything held about them as JSON or a printable page.

use crate::api::routes::Routes;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::extract::AuthUser;
use crate::error::{AppError, AppResult, Problem};
use crate::services::subject_access::{self, PersonMatch, SubjectAccessExport};
use crate::state::AppState;

pub fn configure(cfg: &mut impl Routes) {
    cfg.service(search_persons).service(export_person);
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PersonSearch {
    /// An NHS number (10 digits, spaces allowed), an email address, or at least three
    /// characters of a name.
    pub q: String,
}

/// Find a person across cases, as complainant or patient (at most 50). The search is on the
/// audit log, without the words searched for.
#[utoipa::path(
    tag = "subject access",
    security(("bearer" = [])),
    params(PersonSearch),
    responses(
        (status = 200, description = "The people found and the cases naming each", body = Vec<PersonMatch>),
        (status = 400, description = "Nothing usable to search for", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Admins and complaints managers only", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/persons")]
pub async fn search_persons(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<PersonSearch>,
) -> AppResult<web::Json<Vec<PersonMatch>>> {
    subject_access::search(&state, &user.0, query.into_inner().q)
        .await
        .map(web::Json)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExportFormat {
    /// `json` (default) or `html` (a page to print); `Accept: text/html` also asks for the page.
    pub format: Option<String>,
}

/// Everything held about a person: each case naming them with its timeline, letters (their
/// full text), meetings, candour record, ombudsman referral, feedback and access log. Each
/// case read is on its access log; the export is on the audit log.
#[utoipa::path(
    tag = "subject access",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Person id"), ExportFormat),
    responses(
        (status = 200, description = "The export (JSON, or HTML with `format=html`)", body = SubjectAccessExport),
        (status = 400, description = "Unknown format", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Admins and complaints managers only", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/persons/{id}/export")]
pub async fn export_person(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    req: HttpRequest,
    query: web::Query<ExportFormat>,
) -> AppResult<HttpResponse> {
    let html = match query.format.as_deref() {
        None => req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html")),
        Some("json") => false,
        Some("html") => true,
        Some(_) => return Err(AppError::invalid("format", "must be json or html")),
    };
    let export = subject_access::export(&state, &user.0, id.into_inner()).await?;
    if html {
        crate::http::page::render_standalone(&state, "subject_access", &page_context(&export))
    } else {
        Ok(HttpResponse::Ok().json(export))
    }
}

/// The export as the printable page shows it: event details and the candour and ombudsman
/// records as indented JSON text.
fn page_context(export: &SubjectAccessExport) -> serde_json::Value {
    let pretty = |v: &serde_json::Value| serde_json::to_string_pretty(v).unwrap_or_default();
    let mut x = serde_json::to_value(export).unwrap_or_default();
    if let Some(files) = x["cases"].as_array_mut() {
        for f in files {
            if let Some(events) = f["timeline"].as_array_mut() {
                for e in events {
                    e["details"] = serde_json::Value::String(pretty(&e["details"]));
                }
            }
            for part in ["candour", "ombudsman"] {
                if !f[part].is_null() {
                    f[part] = serde_json::Value::String(pretty(&f[part]));
                }
            }
        }
    }
    serde_json::json!({ "x": x })
}

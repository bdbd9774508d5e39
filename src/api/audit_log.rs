//! The system audit log for admins: accounts, roles, sign-ins and failed sign-ins, settings,
//! exports and retention runs, newest first.

use actix_web::{get, web};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use super::extract::AuthUser;
use crate::error::{AppResult, Problem};
use crate::services::audit::{self, AuditPage, AuditQuery};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(list_audit_log);
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditLogQuery {
    /// Only this action, e.g. `sign_in.failed`, `user.role_changed`, `service.lead_changed`.
    pub action: Option<String>,
    /// Only events by this member of staff.
    pub actor_id: Option<String>,
    /// Only events about this record (a user, service, calendar version…).
    pub target_id: Option<String>,
    /// Page size, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// The `next` value of the previous page.
    pub cursor: Option<String>,
}

/// The system audit log, newest first. Each event is sealed into one chain with the audit
/// key, which `candour audit verify` checks.
#[utoipa::path(
    tag = "audit",
    security(("bearer" = [])),
    params(AuditLogQuery),
    responses(
        (status = 200, description = "A page of audit events", body = AuditPage),
        (status = 400, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/audit-log")]
pub async fn list_audit_log(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<AuditLogQuery>,
) -> AppResult<web::Json<AuditPage>> {
    let q = query.into_inner();
    let query = AuditQuery {
        action: q.action,
        actor_id: q.actor_id,
        target_id: q.target_id,
        limit: q.limit,
        cursor: q.cursor,
    };
    audit::list(&state, &user.0, query).await.map(web::Json)
}

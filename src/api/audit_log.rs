//! The system audit log for admins: accounts, roles, sign-ins and failed sign-ins, settings,
//! exports and retention runs, newest first.

use crate::api::routes::Routes;
use actix_web::{get, web};

use super::extract::AuthUser;
use crate::error::{AppResult, Problem};
use crate::services::audit::{self, AuditPage, AuditQuery};
use crate::state::AppState;

pub fn configure(cfg: &mut impl Routes) {
    cfg.service(list_audit_log);
}

/// The system audit log, newest first. Each event is sealed into one chain with the audit
/// key, which `candour audit verify` checks.
#[utoipa::path(
    tag = "audit",
    security(("bearer" = [])),
    params(AuditQuery),
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
    query: web::Query<AuditQuery>,
) -> AppResult<web::Json<AuditPage>> {
    audit::list(&state, &user.0, query.into_inner())
        .await
        .map(web::Json)
}

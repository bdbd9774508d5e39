//! Duty of Candour: the record on a case (flag, harm decision, exception), its steps and contact
//! attempts, and the list across cases by computed status for patient-safety leads.

use crate::api::routes::Routes;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, patch, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{ApiJson, AuthUser, VersionedWrite, comma_list};
use super::versioned::tagged;
use crate::domain::candour::CandourStatus;
use crate::domain::role::Permission;
use crate::error::{AppResult, Problem};
use crate::services::candour::{
    self, CandourListItem, CandourStepRequest, CandourView, FlagCandourRequest,
    PatchCandourRequest, StepView,
};
use crate::state::AppState;

pub fn configure(cfg: &mut impl Routes) {
    cfg.service(flag_candour)
        .service(get_candour)
        .service(update_candour)
        .service(add_candour_step)
        .service(list_candour_steps)
        .service(list_candour);
}

/// Flag the case as a possible notifiable safety incident: the day the trust became aware
/// starts the clock; the harm may be decided now or later.
#[utoipa::path(
    tag = "duty of candour",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Case id")),
    request_body = FlagCandourRequest,
    responses(
        (status = 201, description = "The new record; `ETag` carries its version", body = CandourView),
        (status = 400, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only admins and complaints managers make candour decisions", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The case already has a record", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/cases/{id}/candour")]
pub async fn flag_candour(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    body: ApiJson<serde_json::Value>,
) -> AppResult<HttpResponse> {
    user.0.require(Permission::ManageCandour)?;
    let view = candour::flag(&state, &user.0, id.into_inner(), body.0).await?;
    Ok(tagged(StatusCode::CREATED, view))
}

/// The case's Duty of Candour record: harm decision, steps, contact attempts, exception, due
/// dates and status today. The read is logged.
#[utoipa::path(
    tag = "duty of candour",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Case id")),
    responses(
        (status = 200, description = "The record; `ETag` carries its version", body = CandourView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not your case, or the board role", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case, or no record on it", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/cases/{id}/candour")]
pub async fn get_candour(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let view = candour::get(
        &state,
        &user.0,
        id.into_inner(),
        "GET /api/v1/cases/{id}/candour",
    )
    .await?;
    Ok(tagged(StatusCode::OK, view))
}

/// Change the record: incident reference and dates, a (new) harm decision recorded as yours,
/// or a reg 20(5) exception (which needs logged contact attempts). Needs the record's version.
#[utoipa::path(
    tag = "duty of candour",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Case id"),
        ("If-Match" = Option<String>, Header, description = "The record's ETag; or send `version` in the body"),
    ),
    request_body = PatchCandourRequest,
    responses(
        (status = 200, description = "The record after the change", body = CandourView),
        (status = 400, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only admins and complaints managers make candour decisions", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case, or no record on it", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Stale version, or an exception without logged contact attempts", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No version sent", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/cases/{id}/candour")]
pub async fn update_candour(
    state: web::Data<AppState>,
    write: VersionedWrite,
) -> AppResult<HttpResponse> {
    write.actor.require(Permission::ManageCandour)?;
    let version = write.if_match()?;
    let view = candour::update(&state, &write.actor, write.id, version, write.body).await?;
    Ok(tagged(StatusCode::OK, view))
}

/// Record a step (in-person or written notification with its checklist, results of further
/// enquiries shared, copy of correspondence kept) or an attempt to contact the relevant person.
#[utoipa::path(
    tag = "duty of candour",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Case id"),
        ("If-Match" = Option<String>, Header, description = "Optional: the record's ETag"),
    ),
    request_body = CandourStepRequest,
    responses(
        (status = 201, description = "The step as recorded", body = StepView),
        (status = 400, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only admins and complaints managers record candour steps", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case, or no record on it", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Stale version, or the incident was decided not notifiable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/cases/{id}/candour/steps")]
pub async fn add_candour_step(
    state: web::Data<AppState>,
    write: VersionedWrite,
) -> AppResult<HttpResponse> {
    write.actor.require(Permission::ManageCandour)?;
    let version = write.if_match()?;
    let step = candour::add_step(&state, &write.actor, write.id, version, write.body).await?;
    Ok(HttpResponse::Created().json(step))
}

/// The record's steps and contact attempts, by date. The read is logged.
#[utoipa::path(
    tag = "duty of candour",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Case id")),
    responses(
        (status = 200, description = "Steps and contact attempts", body = Vec<StepView>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not your case, or the board role", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case, or no record on it", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/cases/{id}/candour/steps")]
pub async fn list_candour_steps(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> AppResult<web::Json<Vec<StepView>>> {
    candour::list_steps(
        &state,
        &user.0,
        id.into_inner(),
        "GET /api/v1/cases/{id}/candour/steps",
    )
    .await
    .map(web::Json)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CandourListQuery {
    /// One status or several separated by commas: `pending`, `due_soon`, `overdue`,
    /// `completed_on_time`, `completed_late`, `exception`, `not_notifiable`.
    pub status: Option<String>,
    /// 1 to 200, default 50.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// A page of candour records.
#[derive(Debug, Serialize, ToSchema)]
pub struct CandourList {
    pub items: Vec<CandourListItem>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next: Option<String>,
    /// How many records match in all.
    pub total: i64,
}

/// Duty of Candour records across cases by status today, soonest due first (e.g.
/// `?status=overdue`). Investigators see only the records of cases they can read.
#[utoipa::path(
    tag = "duty of candour",
    security(("bearer" = [])),
    params(CandourListQuery),
    responses(
        (status = 200, description = "A page of records", body = CandourList),
        (status = 400, description = "Bad filter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The board role", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/candour")]
pub async fn list_candour(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<CandourListQuery>,
) -> AppResult<web::Json<CandourList>> {
    user.0.require(Permission::ReadCaseRecords)?;
    let q = query.into_inner();
    let statuses: Vec<CandourStatus> = comma_list("status", q.status.as_deref())?;
    let page = candour::list(&state, &user.0, statuses, q.limit, q.cursor).await?;
    Ok(web::Json(CandourList {
        items: page.items,
        next: page.next,
        total: page.total,
    }))
}

//! Cases: intake, the work-queue list and the case itself.

use crate::api::routes::Routes;
use actix_web::{HttpResponse, get, patch, post, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{ApiJson, AuthUser, VersionedWrite, comma_list};
use super::versioned::tagged;
use crate::domain::case::{CaseKind, CaseStatus};
use crate::domain::role::Permission;
use crate::error::{AppError, AppResult, Problem};
use crate::services::case_edit::{self, PatchCaseRequest};
use crate::services::case_intake::{self, CreateCaseRequest};
use crate::services::case_view::{CaseSummary, CaseView};
use crate::services::cases::{self, ListQuery};
use crate::services::cases::{CaseFilter, CaseSort};
use crate::state::AppState;

pub fn configure(cfg: &mut impl Routes) {
    cfg.service(create_case)
        .service(list_cases)
        .service(get_case)
        .service(update_case);
}

/// Log a new concern or complaint.
#[utoipa::path(
    tag = "cases",
    security(("bearer" = [])),
    request_body = CreateCaseRequest,
    responses(
        (status = 201, description = "Logged; `Location` names the case", body = CaseView),
        (status = 400, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not log cases", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/cases")]
pub async fn create_case(
    state: web::Data<AppState>,
    user: AuthUser,
    body: ApiJson<serde_json::Value>,
) -> AppResult<HttpResponse> {
    user.0.require(Permission::CreateCase)?;
    let request: CreateCaseRequest = crate::json::from_value(body.0)?;
    let view = case_intake::create(&state, &user.0, request).await?;
    Ok(tagged(actix_web::http::StatusCode::CREATED, view))
}

/// List orders for `GET /cases`.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SortParam {
    /// Newest received first (default).
    Received,
    /// Oldest received first.
    Oldest,
    /// Soonest next due date first: the work queue.
    NextDue,
    Reference,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CaseListQuery {
    pub kind: Option<CaseKind>,
    /// One status or several separated by commas, e.g. `acknowledged,investigating`.
    pub status: Option<String>,
    pub service_id: Option<String>,
    /// A subject_area code.
    pub subject: Option<String>,
    /// A user id, or `me`.
    pub handler: Option<String>,
    pub risk_grade: Option<String>,
    /// Only cases with a missed deadline today.
    pub overdue: Option<bool>,
    /// Only cases whose next date due is before this day.
    pub due_before: Option<NaiveDate>,
    pub received_from: Option<NaiveDate>,
    pub received_to: Option<NaiveDate>,
    /// Text to find in the reference or summary.
    pub q: Option<String>,
    #[param(inline)]
    pub sort: Option<SortParam>,
    /// 1 to 200, default 50.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// A page of cases.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseList {
    pub items: Vec<CaseSummary>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next: Option<String>,
    /// How many cases match the filters in all, up to 1,000.
    pub total: i64,
    /// `false` when more than 1,000 match (then `total` is 1,000: narrow the filters).
    pub total_exact: bool,
}

/// List cases: filters, work-queue order, cursor pagination.
///
/// Investigators see only cases assigned to them or in services they lead.
#[utoipa::path(
    tag = "cases",
    security(("bearer" = [])),
    params(CaseListQuery),
    responses(
        (status = 200, description = "A page of cases", body = CaseList),
        (status = 400, description = "Bad filter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not see cases", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/cases")]
pub async fn list_cases(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<CaseListQuery>,
) -> AppResult<web::Json<CaseList>> {
    let q = query.into_inner();
    let statuses: Vec<CaseStatus> = comma_list("status", q.status.as_deref())?;
    if let Some(g) = &q.risk_grade {
        g.parse::<crate::domain::risk::RiskGrade>()
            .map_err(|m| AppError::invalid("risk_grade", m))?;
    }
    let handler_is_me = q.handler.as_deref() == Some("me");
    let filter = CaseFilter {
        kind: q.kind,
        statuses,
        service_ids: q.service_id.map(|s| vec![s]),
        subject: q.subject,
        handler_id: q.handler.filter(|h| h != "me"),
        risk_grade: q.risk_grade,
        due_before: q.due_before,
        received_from: q.received_from,
        received_to: q.received_to,
        text: q
            .q
            .map(|t| t.trim().to_lowercase())
            .filter(|t| !t.is_empty()),
        overdue_at: None,
        visible_to: None,
        assigned_to: None,
        people: None,
    };
    let sort = q.sort.map(|s| match s {
        SortParam::Received => CaseSort::Received,
        SortParam::Oldest => CaseSort::Oldest,
        SortParam::NextDue => CaseSort::NextDue,
        SortParam::Reference => CaseSort::Reference,
    });
    let page = cases::list(
        &state,
        &user.0,
        ListQuery {
            filter,
            handler_is_me,
            overdue: q.overdue.unwrap_or(false),
            sort,
            limit: q.limit,
            cursor: q.cursor,
            find: None,
        },
        "GET /api/v1/cases",
    )
    .await?;
    Ok(web::Json(CaseList {
        items: page.items,
        next: page.next,
        total: page.total,
        total_exact: page.total_exact,
    }))
}

/// One case in full, with its clock and the actions allowed now. The read is logged.
#[utoipa::path(
    tag = "cases",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Case id")),
    responses(
        (status = 200, description = "The case; `ETag` carries its version", body = CaseView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not your case", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/cases/{id}")]
pub async fn get_case(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let view = cases::get(&state, &user.0, id.into_inner(), "GET /api/v1/cases/{id}").await?;
    Ok(tagged(actix_web::http::StatusCode::OK, view))
}

/// Edit a case's details, coding, risk or people. Needs the case's version (`If-Match` or
/// `version`); the timeline records which fields changed.
#[utoipa::path(
    tag = "cases",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Case id"),
        ("If-Match" = Option<String>, Header, description = "The case's ETag; or send `version` in the body"),
    ),
    request_body = PatchCaseRequest,
    responses(
        (status = 200, description = "The edited case", body = CaseView),
        (status = 400, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not edit this case", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Stale version, or a change the case's state rules out", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No version sent", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/cases/{id}")]
pub async fn update_case(
    state: web::Data<AppState>,
    write: VersionedWrite,
) -> AppResult<HttpResponse> {
    let version = write.if_match()?;
    let view = case_edit::edit(&state, &write.actor, write.id, version, write.body).await?;
    Ok(tagged(actix_web::http::StatusCode::OK, view))
}

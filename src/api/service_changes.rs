//! The service changes register ("you said, we did"): record and edit changes, take them
//! through their steps with `POST /service-changes/{id}/{action}` (each versioned), list them,
//! and the public list of what was done (`GET /you-said-we-did`, no sign-in).

use crate::api::routes::Routes;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, patch, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{ApiJson, AuthUser, VersionedWrite, comma_list};
use super::versioned::{command_endpoint, tagged};
use crate::domain::role::Permission;
use crate::domain::service_change::{ChangeAction, ChangeStatus};
use crate::error::{AppResult, Problem};
use crate::services::service_changes::ChangeFilter;
use crate::services::service_changes::{
    self, AbandonRequest, Change, CreateServiceChangeRequest, ImplementRequest, ListQuery,
    PatchServiceChangeRequest, ServiceChangeView, StartRequest, SustainRequest, YouSaidWeDid,
};
use crate::state::AppState;

pub fn configure(cfg: &mut impl Routes) {
    cfg.service(create_service_change)
        .service(list_service_changes)
        .service(get_service_change)
        .service(update_service_change)
        .service(start_service_change)
        .service(implement_service_change)
        .service(sustain_service_change)
        .service(abandon_service_change)
        .service(you_said_we_did);
}

/// Record a service change made because of complaints: what, why, the public summary, the
/// service, owner and due date, and the cases and/or theme it answers. Each linked case's
/// timeline records the link.
#[utoipa::path(
    tag = "service changes",
    security(("bearer" = [])),
    request_body = CreateServiceChangeRequest,
    responses(
        (status = 201, description = "Recorded as planned; `Location` names it, `ETag` carries its version", body = ServiceChangeView),
        (status = 400, description = "Invalid fields, each named (unknown service, owner, case or subject included)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only admins and complaints managers record service changes", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/service-changes")]
pub async fn create_service_change(
    state: web::Data<AppState>,
    user: AuthUser,
    body: ApiJson<serde_json::Value>,
) -> AppResult<HttpResponse> {
    user.0.require(Permission::ManageServiceChanges)?;
    let view = service_changes::create(&state, &user.0, body.0).await?;
    Ok(tagged(StatusCode::CREATED, view))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ServiceChangeListQuery {
    /// One status or several separated by commas, e.g. `planned,in_progress`.
    pub status: Option<String>,
    pub service_id: Option<String>,
    pub owner_id: Option<String>,
    /// Only changes still planned or in progress after their due date.
    pub overdue: Option<bool>,
    /// Only changes that answer this case (not for the board); a case you may not see is a
    /// 404.
    pub case_id: Option<String>,
    /// 1 to 200, default 50.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// A page of service changes.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceChangeList {
    pub items: Vec<ServiceChangeView>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next: Option<String>,
    /// How many changes match the filters in all.
    pub total: i64,
}

/// The register, newest first. The board sees each change without the cases it answers.
#[utoipa::path(
    tag = "service changes",
    security(("bearer" = [])),
    params(ServiceChangeListQuery),
    responses(
        (status = 200, description = "A page of service changes", body = ServiceChangeList),
        (status = 400, description = "Bad filter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The board filtering by case", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No case has the `case_id` (or not one you may see)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/service-changes")]
pub async fn list_service_changes(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<ServiceChangeListQuery>,
) -> AppResult<web::Json<ServiceChangeList>> {
    user.0.require(Permission::ReadServiceChanges)?;
    let q = query.into_inner();
    let statuses: Vec<ChangeStatus> = comma_list("status", q.status.as_deref())?;
    let page = service_changes::list(
        &state,
        &user.0,
        ListQuery {
            filter: ChangeFilter {
                statuses,
                service_id: q.service_id,
                owner_id: q.owner_id,
                overdue_at: None,
                case_id: q.case_id,
            },
            overdue: q.overdue.unwrap_or(false),
            limit: q.limit,
            cursor: q.cursor,
        },
    )
    .await?;
    Ok(web::Json(ServiceChangeList {
        items: page.items,
        next: page.next,
        total: page.total,
    }))
}

/// One service change with the cases it answers and its history (the board: without either).
#[utoipa::path(
    tag = "service changes",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Service change id")),
    responses(
        (status = 200, description = "The change; `ETag` carries its version", body = ServiceChangeView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such service change", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/service-changes/{id}")]
pub async fn get_service_change(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let view = service_changes::get(&state, &user.0, id.into_inner()).await?;
    Ok(tagged(StatusCode::OK, view))
}

/// Edit what, why, the public summary, service, owner, due date, theme or linked cases. Needs
/// the change's version (`If-Match` or `version`); the history records what changed, and cases
/// linked or unlinked get a timeline event.
#[utoipa::path(
    tag = "service changes",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Service change id"),
        ("If-Match" = Option<String>, Header, description = "The change's ETag; or send `version` in the body"),
    ),
    request_body = PatchServiceChangeRequest,
    responses(
        (status = 200, description = "The change after the edit", body = ServiceChangeView),
        (status = 400, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only admins and complaints managers edit service changes", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such service change", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Stale version", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No version sent", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/service-changes/{id}")]
pub async fn update_service_change(
    state: web::Data<AppState>,
    write: VersionedWrite,
) -> AppResult<HttpResponse> {
    write.actor.require(Permission::ManageServiceChanges)?;
    let version = write.if_match()?;
    let view = service_changes::edit(&state, &write.actor, write.id, version, write.body).await?;
    Ok(tagged(StatusCode::OK, view))
}

/// One step of a service change: `$name`, `$path`, its action, body type and step builder,
/// the 409's description and its doc.
macro_rules! change_action {
    ($name:ident, $path:literal, $action:expr, $body:ty, $build:path, $conflict:literal, $doc:literal) => {
        command_endpoint!(
            $name,
            $path,
            "service changes",
            Change,
            $action,
            $body,
            $build,
            ServiceChangeView,
            "Service change id",
            "The change's ETag; or send `version` in the body",
            "The change after the step",
            "Only admins and complaints managers run service changes",
            "No such service change",
            $conflict,
            $doc
        );
    };
}

change_action!(
    start_service_change,
    "/service-changes/{id}/start",
    ChangeAction::Start,
    StartRequest,
    service_changes::start,
    "Stale version, or not planned (names the status and the allowed actions)",
    "Start work on a planned change (planned → in_progress)."
);
change_action!(
    implement_service_change,
    "/service-changes/{id}/implement",
    ChangeAction::Implement,
    ImplementRequest,
    service_changes::implement,
    "Stale version, or not in progress (names the status and the allowed actions)",
    "Record that the change took effect on `implemented_on`, not in the future (in_progress → implemented)."
);
change_action!(
    sustain_service_change,
    "/service-changes/{id}/sustain",
    ChangeAction::Sustain,
    SustainRequest,
    service_changes::sustain,
    "Stale version, not implemented, or still within the review period after implementation (`learning.sustain_review_months`; the detail names the first day allowed)",
    "Verify, with evidence, that an implemented change has stuck (implemented → sustained). Records who verified it and when. Refused until `learning.sustain_review_months` months after `implemented_on`."
);
change_action!(
    abandon_service_change,
    "/service-changes/{id}/abandon",
    ChangeAction::Abandon,
    AbandonRequest,
    service_changes::abandon,
    "Stale version, or already sustained or abandoned (names the status and the allowed actions)",
    "Abandon a planned, in-progress or implemented change, giving the reason."
);

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct YouSaidWeDidQuery {
    /// Only this service's changes.
    pub service_id: Option<String>,
}

/// 'You said, we did' for the public, no sign-in: the public summaries of implemented and
/// sustained changes, grouped by service, newest first (at most 500). The same content as the
/// HTML page `GET /you-said-we-did`. No case, no person, no internal text.
#[utoipa::path(
    tag = "service changes",
    params(YouSaidWeDidQuery),
    responses(
        (status = 200, description = "What changed, by service", body = YouSaidWeDid),
        (status = 400, description = "Unknown service_id", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/you-said-we-did")]
pub async fn you_said_we_did(
    state: web::Data<AppState>,
    query: web::Query<YouSaidWeDidQuery>,
) -> AppResult<web::Json<YouSaidWeDid>> {
    service_changes::published(&state.db, query.into_inner().service_id)
        .await
        .map(web::Json)
}

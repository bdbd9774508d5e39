//! The trust's service tree: every signed-in role reads it; admins and complaints managers change it.

use crate::api::routes::Routes;
use actix_web::http::header;
use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{ApiJson, AuthUser};
use crate::domain::service::{Service, ServiceKind};
use crate::error::{AppResult, Problem};
use crate::json::present;
use crate::services::service_tree::{self, NewServiceInput};
use crate::services::service_tree::{ServiceChanges, ServiceFilter};
use crate::state::AppState;

pub fn configure(cfg: &mut impl Routes) {
    cfg.service(list_services)
        .service(create_service)
        .service(get_service)
        .service(update_service);
}

/// A service: a site, directorate, specialty or ward/team of the trust.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceResponse {
    pub id: String,
    /// `null` for a site; every other kind sits under a parent.
    pub parent_id: Option<String>,
    pub kind: ServiceKind,
    #[schema(example = "W7")]
    pub code: String,
    pub name: String,
    /// A code of the `service_area` coding list.
    pub service_area: Option<String>,
    /// The user who leads the service (investigators see the cases of services they lead).
    pub lead_user_id: Option<String>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Service> for ServiceResponse {
    fn from(s: Service) -> Self {
        Self {
            id: s.id,
            parent_id: s.parent_id,
            kind: s.kind,
            code: s.code,
            name: s.name,
            service_area: s.service_area,
            lead_user_id: s.lead_user_id,
            active: s.active,
            created_at: s.created_at.and_utc(),
            updated_at: s.updated_at.and_utc(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ServiceListQuery {
    pub active: Option<bool>,
    pub kind: Option<ServiceKind>,
}

/// Every service matching the filters, as a flat list ordered by code.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceList {
    pub items: Vec<ServiceResponse>,
}

/// List services.
#[utoipa::path(
    tag = "services",
    security(("bearer" = [])),
    params(ServiceListQuery),
    responses(
        (status = 200, description = "The services, ordered by code", body = ServiceList),
        (status = 400, description = "Bad filter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/services")]
pub async fn list_services(
    state: web::Data<AppState>,
    _user: AuthUser,
    query: web::Query<ServiceListQuery>,
) -> AppResult<web::Json<ServiceList>> {
    let q = query.into_inner();
    let filter = ServiceFilter {
        active: q.active,
        kind: q.kind,
    };
    let items = service_tree::list(&state, filter).await?;
    Ok(web::Json(ServiceList {
        items: items.into_iter().map(ServiceResponse::from).collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateServiceRequest {
    /// Required for every kind but `site`; must be empty for a site.
    pub parent_id: Option<String>,
    pub kind: ServiceKind,
    /// 1 to 32 of `A-Z a-z 0-9 _ -`, unique.
    #[schema(example = "W7")]
    pub code: String,
    /// 1 to 200 characters.
    #[schema(example = "Ward 7 (acute medicine)")]
    pub name: String,
    /// An active code of the `service_area` coding list.
    pub service_area: Option<String>,
    /// An active user.
    pub lead_user_id: Option<String>,
    /// Default `true`.
    pub active: Option<bool>,
}

/// Add a service.
#[utoipa::path(
    tag = "services",
    security(("bearer" = [])),
    request_body = CreateServiceRequest,
    responses(
        (status = 201, description = "Created", body = ServiceResponse),
        (status = 400, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin or complaints manager", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Code already in use", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/services")]
pub async fn create_service(
    state: web::Data<AppState>,
    user: AuthUser,
    body: ApiJson<serde_json::Value>,
) -> AppResult<HttpResponse> {
    // The role is checked before the body is read: 403 comes before any 400.
    user.0
        .require(crate::domain::role::Permission::ManageServices)?;
    let body: CreateServiceRequest = crate::json::from_value(body.0)?;
    let b = body;
    let input = NewServiceInput {
        parent_id: b.parent_id,
        kind: b.kind,
        code: b.code,
        name: b.name,
        service_area: b.service_area,
        lead_user_id: b.lead_user_id,
        active: b.active,
    };
    let created = service_tree::create(&state, &user.0, input).await?;
    let location = format!("/api/v1/services/{}", created.id);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .json(ServiceResponse::from(created)))
}

/// One service.
#[utoipa::path(
    tag = "services",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Service id")),
    responses(
        (status = 200, description = "The service", body = ServiceResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such service", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/services/{id}")]
pub async fn get_service(
    state: web::Data<AppState>,
    _user: AuthUser,
    id: web::Path<String>,
) -> AppResult<web::Json<ServiceResponse>> {
    let found = service_tree::get(&state, id.into_inner()).await?;
    Ok(web::Json(found.into()))
}

/// Send only what changes; `null` clears `lead_user_id` or `service_area`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateServiceRequest {
    pub name: Option<String>,
    /// Move the service; it may not go beneath itself.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub parent_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub lead_user_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub service_area: Option<Option<String>>,
    /// `false` is refused while active services sit beneath this one.
    pub active: Option<bool>,
}

/// Change a service.
#[utoipa::path(
    tag = "services",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Service id")),
    request_body = UpdateServiceRequest,
    responses(
        (status = 200, description = "The changed service", body = ServiceResponse),
        (status = 400, description = "Invalid fields, or nothing to change", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin or complaints manager", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such service", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Would make a loop, or leave active services under an inactive one", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/services/{id}")]
pub async fn update_service(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    body: ApiJson<serde_json::Value>,
) -> AppResult<web::Json<ServiceResponse>> {
    // The role is checked before the body is read: 403 comes before any 400.
    user.0
        .require(crate::domain::role::Permission::ManageServices)?;
    let body: UpdateServiceRequest = crate::json::from_value(body.0)?;
    let b = body;
    let changes = ServiceChanges {
        name: b.name,
        parent_id: b.parent_id,
        lead_user_id: b.lead_user_id,
        service_area: b.service_area,
        active: b.active,
    };
    let updated = service_tree::update(&state, &user.0, id.into_inner(), changes).await?;
    Ok(web::Json(updated.into()))
}

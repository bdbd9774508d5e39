//! Ombudsman referrals: record that the complainant went to the PHSO, then its decision and
//! recommendations (`PUT`, versioned).

use crate::api::routes::Routes;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, put, web};

use super::extract::{ApiJson, AuthUser, VersionedWrite};
use super::versioned::tagged;
use crate::domain::role::Permission;
use crate::error::{AppResult, Problem};
use crate::services::ombudsman::{self, OmbudsmanRequest, OmbudsmanView};
use crate::state::AppState;

pub fn configure(cfg: &mut impl Routes) {
    cfg.service(get_ombudsman)
        .service(create_ombudsman)
        .service(replace_ombudsman);
}

/// The case's ombudsman referral. The read is logged.
#[utoipa::path(
    tag = "ombudsman",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Case id")),
    responses(
        (status = 200, description = "The referral; `ETag` carries its version", body = OmbudsmanView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not your case, or the board role", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case, or no referral on it", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/cases/{id}/ombudsman")]
pub async fn get_ombudsman(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let view = ombudsman::get(
        &state,
        &user.0,
        id.into_inner(),
        "GET /api/v1/cases/{id}/ombudsman",
    )
    .await?;
    Ok(tagged(StatusCode::OK, view))
}

/// Record that the complainant referred the complaint to the Parliamentary and Health Service
/// Ombudsman (and, if already known, its decision).
#[utoipa::path(
    tag = "ombudsman",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Case id")),
    request_body = OmbudsmanRequest,
    responses(
        (status = 201, description = "Recorded; `ETag` carries its version", body = OmbudsmanView),
        (status = 400, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only admins and complaints managers record referrals", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already recorded, or not a formal complaint", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/cases/{id}/ombudsman")]
pub async fn create_ombudsman(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    body: ApiJson<serde_json::Value>,
) -> AppResult<HttpResponse> {
    user.0.require(Permission::ManageOmbudsman)?;
    let view = ombudsman::create(&state, &user.0, id.into_inner(), body.0).await?;
    Ok(tagged(StatusCode::CREATED, view))
}

/// Replace the referral: dates, PHSO reference, decision, and the recommendations with the days
/// they were met. Needs the referral's version.
#[utoipa::path(
    tag = "ombudsman",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Case id"),
        ("If-Match" = Option<String>, Header, description = "The referral's ETag; or send `version` in the body"),
    ),
    request_body = OmbudsmanRequest,
    responses(
        (status = 200, description = "The referral after the change", body = OmbudsmanView),
        (status = 400, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only admins and complaints managers record referrals", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case, or no referral on it", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Stale version", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No version sent", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/cases/{id}/ombudsman")]
pub async fn replace_ombudsman(
    state: web::Data<AppState>,
    write: VersionedWrite,
) -> AppResult<HttpResponse> {
    write.actor.require(Permission::ManageOmbudsman)?;
    let version = write.if_match()?;
    let view = ombudsman::replace(&state, &write.actor, write.id, version, write.body).await?;
    Ok(tagged(StatusCode::OK, view))
}

//! Staff routes for a complainant's tracking link: issue a new one, revoke it.

use crate::api::routes::Routes;
use actix_web::{HttpResponse, post, web};

use super::extract::AuthUser;
use crate::error::{AppResult, Problem};
use crate::services::tracking::{self, IssuedLink, RevokedLinks};
use crate::state::AppState;

pub fn configure(cfg: &mut impl Routes) {
    cfg.service(issue_tracking_link)
        .service(revoke_tracking_links);
}

/// Issue the complainant a new private tracking link; every older link stops working. The
/// address is in this answer only (Candour keeps just its hash): send it to the complainant.
#[utoipa::path(
    tag = "tracking",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Case id")),
    responses(
        (status = 201, description = "The new link", body = IssuedLink),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Complaints managers and admins only", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/cases/{id}/tracking-links")]
pub async fn issue_tracking_link(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let issued = tracking::reissue(&state, &user.0, id.into_inner()).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Cache-Control", "no-store"))
        .json(IssuedLink {
            url: crate::links::track(&state.settings.server.base_url(), &issued.token),
            replaced: issued.replaced,
        }))
}

/// Revoke the complainant's tracking link: the page answers "expired" from now on.
#[utoipa::path(
    tag = "tracking",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Case id")),
    responses(
        (status = 200, description = "How many live links were revoked", body = RevokedLinks),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Complaints managers and admins only", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/cases/{id}/tracking-links/revoke")]
pub async fn revoke_tracking_links(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> AppResult<web::Json<RevokedLinks>> {
    tracking::revoke(&state, &user.0, id.into_inner())
        .await
        .map(web::Json)
}

//! Operations endpoints: liveness, readiness and Prometheus metrics.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{AppError, AppResult, Problem};
use crate::http::metrics::scrape_allowed;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
    pub version: &'static str,
}

/// The process is up.
#[utoipa::path(tag = "operations", responses((status = 200, body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> web::Json<Health> {
    web::Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    #[schema(example = "ready")]
    pub status: &'static str,
    /// `sqlite` or `postgres`.
    pub database: &'static str,
}

/// The database answers; a load balancer should only send traffic when this is 200.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, body = Readiness),
        (status = 503, description = "Database unreachable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> AppResult<web::Json<Readiness>> {
    let db = state.db.clone();
    tokio::task::spawn_blocking(move || db.ping())
        .await
        .map_err(|e| AppError::Unavailable(e.to_string()))?
        .map_err(|e| AppError::Unavailable(e.to_string()))?;
    Ok(web::Json(Readiness {
        status: "ready",
        database: state.db.backend().as_str(),
    }))
}

/// Request counts, latency histograms and pool gauges in the Prometheus text format.
///
/// When `metrics.token` is set, the scrape must send `Authorization: Bearer <token>`.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "Prometheus exposition", body = String, content_type = "text/plain"),
        (status = 401, description = "`metrics.token` is set and the request does not carry it", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>, req: HttpRequest) -> AppResult<HttpResponse> {
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if !scrape_allowed(&state.settings.metrics.token, authorization) {
        return Err(AppError::Unauthorized(
            "The metrics need the scrape token: send Authorization: Bearer <metrics.token>.".into(),
        ));
    }
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render(&state.db.pool_states())))
}

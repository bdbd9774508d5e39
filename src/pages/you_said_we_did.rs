//! `GET /you-said-we-did`: the public 'you said, we did' page, with no sign-in. It shows the
//! public summaries of implemented and sustained service changes by service, newest first, and
//! nothing else: no case, no person, no internal text. `?service_id=` narrows it to one service
//! (an unknown one is a 404 page). The same content as JSON is `GET /api/v1/you-said-we-did`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::{app_error, not_found, render};
use crate::error::AppError;
use crate::services::service_changes;
use crate::services::tracking::long_date;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct Query {
    service_id: Option<String>,
}

pub async fn show(state: web::Data<AppState>, query: web::Query<Query>) -> HttpResponse {
    let service_id = query
        .into_inner()
        .service_id
        .filter(|s| !s.trim().is_empty());
    let register = match service_changes::published(&state.db, service_id).await {
        Ok(r) => r,
        Err(AppError::Validation(_)) => return not_found(&state),
        Err(e) => return app_error(&state, &e),
    };
    let services: Vec<_> = register
        .services
        .iter()
        .map(|s| {
            json!({
                "service_name": s.service_name,
                "changes": s.changes.iter().map(|c| json!({
                    "summary": c.summary,
                    "implemented_on": long_date(c.implemented_on),
                    "sustained": c.sustained,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let trust = &state.settings.trust;
    render(
        &state,
        StatusCode::OK,
        "you_said_we_did",
        &json!({
            "title": "You said, we did",
            "services": services,
            "complaints_team": trust.complaints_team,
            "phone": trust.phone,
            "email": trust.email,
        }),
    )
}

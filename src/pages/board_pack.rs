//! `GET /reports/board`: the printable board pack, for a member of staff signed in with a
//! bearer token or holding a short-lived pack link (`POST /api/v1/reports/board-pack-links`).
//! Self-contained: its one inline stylesheet is allowed by hash, nothing else loads.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDate;
use serde::Deserialize;

use crate::error::AppError;
use crate::services::{self, reports};
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct PackQuery {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub service_id: Option<String>,
    pub key: Option<String>,
}

pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<PackQuery>,
) -> HttpResponse {
    let q = query.into_inner();
    let bearer = crate::http::page::bearer_token(&req);
    let actor = match (bearer, q.key.as_deref()) {
        (Some(token), _) => services::auth::authenticate(&state, &token).await,
        (None, Some(key)) => {
            reports::pack_reader(&state, key, q.from, q.to, q.service_id.as_deref()).await
        }
        (None, None) => Err(AppError::Unauthorized(
            "Open the board pack from Candour: the link is made for you there.".into(),
        )),
    };
    let result = match actor {
        Ok(actor) => reports::board_pack(&state, &actor, q.from, q.to, q.service_id).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(context) => crate::http::page::render_standalone(&state, "board_pack", &context)
            .unwrap_or_else(|e| super::server_error(Some(&state), &e.to_string())),
        Err(e) => {
            let status = actix_web::ResponseError::status_code(&e);
            if status.is_server_error() {
                return super::server_error(Some(&state), &e.to_string());
            }
            let problem = e.problem();
            let mut lines = vec![problem.detail.clone()];
            lines.extend(
                problem
                    .errors
                    .iter()
                    .map(|f| format!("{}: {}", f.field, f.message)),
            );
            let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
            super::message(
                &state,
                status,
                match status {
                    StatusCode::UNAUTHORIZED => "This board pack link does not work",
                    StatusCode::FORBIDDEN => "You cannot see board reports",
                    _ => "The board pack could not be made",
                },
                &lines,
            )
        }
    }
}

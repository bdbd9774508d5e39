//! `GET/POST /feedback/{token}`: the handling-feedback survey, answered once.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::Value;

use super::{app_error, form_pairs, gone, message, not_found, render, throttled};
use crate::services::feedback::{self, Submitted, Survey, SurveyView};
use crate::services::tracking::Lookup;
use crate::state::AppState;

fn form(state: &AppState, status: StatusCode, view: &SurveyView) -> HttpResponse {
    let ctx = serde_json::to_value(view).unwrap_or(Value::Null);
    render(state, status, "feedback", &ctx)
}

fn thanks(state: &AppState) -> HttpResponse {
    message(
        state,
        StatusCode::OK,
        "Thank you for your feedback",
        &[
            "We have received your answers. They will help us improve how we handle complaints.",
            "You do not need to do anything else.",
        ],
    )
}

fn already(state: &AppState, status: StatusCode) -> HttpResponse {
    message(
        state,
        status,
        "We already have your answers",
        &[
            "Thank you: we received your answers to this survey earlier, so we have not changed them.",
            "Each survey link can be used once. You do not need to do anything else.",
        ],
    )
}

/// The survey form (or a page saying it was answered or has closed).
pub async fn show(state: web::Data<AppState>, token: web::Path<String>) -> HttpResponse {
    match feedback::survey(&state, token.into_inner()).await {
        Ok(Lookup::Found(Survey::Open(view))) => form(&state, StatusCode::OK, &view),
        Ok(Lookup::Found(Survey::Answered)) => already(&state, StatusCode::OK),
        Ok(Lookup::Unknown) => not_found(&state),
        Ok(Lookup::Gone) => gone(&state, "survey"),
        Err(e) => app_error(&state, &e),
    }
}

/// Store the answers, once (throttled per client address and per link).
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let token = token.into_inner();
    if let Some(refused) = throttled(&state, &req, &token) {
        return refused;
    }
    let fields = form_pairs(&body).unwrap_or_default();
    match feedback::submit(&state, token, fields).await {
        Ok(Lookup::Found(Submitted::Thanks)) => thanks(&state),
        Ok(Lookup::Found(Submitted::AlreadyAnswered)) => already(&state, StatusCode::CONFLICT),
        Ok(Lookup::Found(Submitted::Invalid(view))) => form(&state, StatusCode::BAD_REQUEST, &view),
        Ok(Lookup::Unknown) => not_found(&state),
        Ok(Lookup::Gone) => gone(&state, "survey"),
        Err(e) => app_error(&state, &e),
    }
}

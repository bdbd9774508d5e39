//! `GET /track/{token}`: the complainant's view of their case; `POST` sends a message to the
//! handler and comes back to the page (POST, redirect, GET).

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::{app_error, form_pairs, gone, not_found, render, throttled};
use crate::services::tracking::{self, Lookup, MessageOutcome, TrackView};
use crate::state::AppState;

fn page(
    state: &AppState,
    status: StatusCode,
    view: &TrackView,
    extra: impl FnOnce(&mut Value),
) -> HttpResponse {
    let mut ctx = serde_json::to_value(view).unwrap_or(Value::Null);
    ctx["sent"] = json!(false);
    ctx["message"] = json!("");
    ctx["message_error"] = Value::Null;
    ctx["errors"] = json!([]);
    extra(&mut ctx);
    render(state, status, "track", &ctx)
}

fn sent_flag(req: &HttpRequest) -> bool {
    req.query_string().split('&').any(|p| p == "sent=1")
}

/// The tracking page.
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> HttpResponse {
    match tracking::page(&state, token.into_inner()).await {
        Ok(Lookup::Found(view)) => {
            let sent = sent_flag(&req);
            page(&state, StatusCode::OK, &view, |ctx| {
                ctx["sent"] = json!(sent)
            })
        }
        Ok(Lookup::Unknown) => not_found(&state),
        Ok(Lookup::Gone) => gone(&state, "tracking"),
        Err(e) => app_error(&state, &e),
    }
}

/// Send a message from the tracking page (throttled per client address and per link).
pub async fn send_message(
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
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let text = field("message");
    let outcome = tracking::send_message(&state, token.clone(), field("csrf"), text.clone()).await;
    let with_error = |ctx: &mut Value, message: &str, text: &str| {
        ctx["message"] = json!(text);
        ctx["message_error"] = json!(message);
        ctx["errors"] = json!([{ "href": "#message", "text": message }]);
    };
    match outcome {
        // Relative to /track/{token}: works behind a proxy that adds a path prefix.
        Ok(Lookup::Found(MessageOutcome::Sent)) => HttpResponse::SeeOther()
            .insert_header((header::LOCATION, format!("{token}?sent=1")))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .insert_header((header::REFERRER_POLICY, "no-referrer"))
            .finish(),
        Ok(Lookup::Found(MessageOutcome::Invalid { page: view, error })) => {
            page(&state, StatusCode::BAD_REQUEST, &view, |ctx| {
                with_error(ctx, &error, &text);
            })
        }
        Ok(Lookup::Found(MessageOutcome::Limited(view))) => {
            let max = state.settings.tracking.max_messages_per_day;
            let error = format!(
                "You have sent {max} messages today, which is the most this page can send in a day. \
                 Your earlier messages have reached us. Please try again tomorrow, or phone the complaints team."
            );
            page(&state, StatusCode::TOO_MANY_REQUESTS, &view, |ctx| {
                with_error(ctx, &error, &text);
            })
        }
        Ok(Lookup::Found(MessageOutcome::StaleForm(view))) => {
            let error = "Your message was not sent because the page had expired. Check it and send it again";
            page(&state, StatusCode::BAD_REQUEST, &view, |ctx| {
                with_error(ctx, error, &text);
            })
        }
        Ok(Lookup::Unknown) => not_found(&state),
        Ok(Lookup::Gone) => gone(&state, "tracking"),
        Err(e) => app_error(&state, &e),
    }
}

//! `GET /track/{token}`: the complainant's view of their case; `POST` sends a message to the
//! handler and comes back to the page (POST, redirect, GET).

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::{app_error, form_pairs, gone, not_found, render, throttled};
use crate::error::AppError;
use crate::http::multipart;
use crate::services::documents::Upload;
use crate::services::tracking::{self, Lookup, MessageOutcome, TrackView, UploadOutcome};
use crate::state::AppState;

fn page(
    state: &AppState,
    token: &str,
    status: StatusCode,
    view: &TrackView,
    extra: impl FnOnce(&mut Value),
) -> HttpResponse {
    let mut ctx = serde_json::to_value(view).unwrap_or(Value::Null);
    ctx["sent"] = json!(false);
    ctx["uploaded"] = json!(false);
    ctx["message"] = json!("");
    ctx["message_error"] = Value::Null;
    ctx["upload_error"] = Value::Null;
    ctx["can_upload"] = json!(view.can_message && state.settings.tracking.max_uploads_per_day > 0);
    ctx["max_file_mib"] = json!(state.settings.documents.max_file_mib);
    ctx["errors"] = json!([]);
    // Relative to /track/{token}: works behind a proxy that adds a path prefix.
    ctx["upload_action"] = json!(format!("{token}/documents"));
    if let Some(letters) = ctx["letters"].as_array_mut() {
        for l in letters {
            l["href"] = json!(format!("{token}/letters/{}", l["number"]));
        }
    }
    extra(&mut ctx);
    render(state, status, "track", &ctx)
}

fn sent_flag(req: &HttpRequest) -> bool {
    req.query_string().split('&').any(|p| p == "sent=1")
}

fn uploaded_flag(req: &HttpRequest) -> bool {
    req.query_string().split('&').any(|p| p == "uploaded=1")
}

/// The tracking page.
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> HttpResponse {
    let token = token.into_inner();
    match tracking::page(&state, token.clone()).await {
        Ok(Lookup::Found(view)) => {
            let (sent, uploaded) = (sent_flag(&req), uploaded_flag(&req));
            page(&state, &token, StatusCode::OK, &view, |ctx| {
                ctx["sent"] = json!(sent);
                ctx["uploaded"] = json!(uploaded);
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
            page(&state, &token, StatusCode::BAD_REQUEST, &view, |ctx| {
                with_error(ctx, &error, &text);
            })
        }
        Ok(Lookup::Found(MessageOutcome::Limited(view))) => {
            let max = state.settings.tracking.max_messages_per_day;
            let error = format!(
                "You have sent {max} messages today, which is the most this page can send in a day. \
                 Your earlier messages have reached us. Please try again tomorrow, or phone the complaints team."
            );
            page(
                &state,
                &token,
                StatusCode::TOO_MANY_REQUESTS,
                &view,
                |ctx| {
                    with_error(ctx, &error, &text);
                },
            )
        }
        Ok(Lookup::Found(MessageOutcome::StaleForm(view))) => {
            let error = "Your message was not sent because the page had expired. Check it and send it again";
            page(&state, &token, StatusCode::BAD_REQUEST, &view, |ctx| {
                with_error(ctx, error, &text);
            })
        }
        Ok(Lookup::Unknown) => not_found(&state),
        Ok(Lookup::Gone) => gone(&state, "tracking"),
        Err(e) => app_error(&state, &e),
    }
}

/// The page again with `error` on the file field.
fn upload_refused(
    state: &AppState,
    token: &str,
    status: u16,
    view: &TrackView,
    error: &str,
) -> HttpResponse {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    page(state, token, status, view, |ctx| {
        ctx["upload_error"] = json!(error);
        ctx["errors"] = json!([{ "href": "#file", "text": error }]);
    })
}

/// The page again when the form itself could not be read (too large, no file).
async fn refused_early(state: &AppState, token: &str, e: AppError) -> HttpResponse {
    let error = match &e {
        AppError::Validation(errors) => errors.first().map(|f| f.message.clone()),
        _ => None,
    }
    .unwrap_or_else(|| e.to_string());
    match tracking::page(state, token.to_string()).await {
        Ok(Lookup::Found(view)) => {
            let status = actix_web::ResponseError::status_code(&e).as_u16();
            upload_refused(state, token, status, &view, &error)
        }
        Ok(Lookup::Unknown) => not_found(state),
        Ok(Lookup::Gone) => gone(state, "tracking"),
        Err(e) => app_error(state, &e),
    }
}

/// Send a document from the tracking page (multipart: `csrf`, `file`, `description`;
/// throttled per client address and per link).
pub async fn upload_document(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
    form: Multipart,
) -> HttpResponse {
    let token = token.into_inner();
    if let Some(refused) = throttled(&state, &req, &token) {
        return refused;
    }
    let max = state.settings.documents.max_file_bytes();
    let read = multipart::read(form, max, &["csrf", "description"]).await;
    let form = match read {
        Ok(form) => form,
        Err(e) => return refused_early(&state, &token, e).await,
    };
    let Some(bytes) = form.file.clone().filter(|b| !b.is_empty()) else {
        return refused_early(
            &state,
            &token,
            AppError::invalid("file", "Choose a file to send"),
        )
        .await;
    };
    let upload = Upload {
        file_name: form.file_name.clone(),
        declared_type: form.declared_type.clone(),
        bytes,
        kind: None,
        description: form.field("description"),
        reason: None,
    };
    let csrf = form.field("csrf").unwrap_or_default();
    match tracking::upload_document(&state, token.clone(), csrf, upload).await {
        Ok(Lookup::Found(UploadOutcome::Uploaded)) => HttpResponse::SeeOther()
            .insert_header((header::LOCATION, format!("../{token}?uploaded=1")))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .insert_header((header::REFERRER_POLICY, "no-referrer"))
            .finish(),
        Ok(Lookup::Found(UploadOutcome::Refused {
            page: view,
            error,
            status,
        })) => upload_refused(&state, &token, status, &view, &error),
        Ok(Lookup::Found(UploadOutcome::Limited(view))) => {
            let max = state.settings.tracking.max_uploads_per_day;
            let error = format!(
                "You have sent {max} documents today, which is the most this page can take in a day. \
                 The ones you sent have reached us. Please try again tomorrow, or post them to the complaints team."
            );
            upload_refused(&state, &token, 429, &view, &error)
        }
        Ok(Lookup::Found(UploadOutcome::StaleForm(view))) => upload_refused(
            &state,
            &token,
            400,
            &view,
            "Your document was not sent because the page had expired. Choose it and send it again",
        ),
        Ok(Lookup::Unknown) => not_found(&state),
        Ok(Lookup::Gone) => gone(&state, "tracking"),
        Err(e) => app_error(&state, &e),
    }
}

/// A letter sent to the complainant, to read again (its private links as placeholders).
pub async fn letter(state: web::Data<AppState>, path: web::Path<(String, String)>) -> HttpResponse {
    let (token, number) = path.into_inner();
    let Ok(number) = number.parse::<usize>() else {
        return not_found(&state);
    };
    match tracking::letter(&state, token, number).await {
        Ok(Lookup::Found(html)) => crate::http::page::private_html(
            StatusCode::OK,
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
            html,
        ),
        Ok(Lookup::Unknown) => not_found(&state),
        Ok(Lookup::Gone) => gone(&state, "tracking"),
        Err(e) => app_error(&state, &e),
    }
}

//! The HTML pages, outside `/api/v1`: for the public the tracking page, the feedback survey and
//! the 'you said, we did' register (no JavaScript, Candour's own CSS); for staff the workspace
//! under `/staff` (the NHS design system). Every page carries a strict Content-Security-Policy,
//! is never cached or indexed, and sends no referrer. Errors are friendly HTML pages that
//! reveal nothing, never problem documents.

pub mod assets;
pub mod board_pack;
pub mod feedback;
pub mod staff;
pub mod tracking;
pub mod you_said_we_did;

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use crate::error::AppError;
use crate::state::AppState;

/// The Content-Security-Policy of every page: nothing but our own stylesheet, forms that post
/// back to us, no framing.
pub const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
                       base-uri 'none'; frame-ancestors 'none'";

/// Register the pages (on the actix app, not in the OpenAPI document).
pub fn configure(cfg: &mut web::ServiceConfig) {
    assets::configure(cfg);
    staff::configure(cfg);
    cfg.service(
        web::resource("/track/{token}")
            .route(web::get().to(tracking::show))
            .route(web::post().to(tracking::send_message)),
    )
    .service(
        web::resource("/track/{token}/documents").route(web::post().to(tracking::upload_document)),
    )
    .route(
        "/track/{token}/letters/{number}",
        web::get().to(tracking::letter),
    )
    .route("/reports/board", web::get().to(board_pack::show))
    .service(
        web::resource("/feedback/{token}")
            .route(web::get().to(feedback::show))
            .route(web::post().to(feedback::submit)),
    )
    .route("/you-said-we-did", web::get().to(you_said_we_did::show));
}

/// Whether `path` belongs to the pages (whose errors are HTML, not problem documents).
pub fn is_page_path(path: &str) -> bool {
    [
        "/track/",
        "/feedback/",
        "/assets/",
        "/reports/",
        "/you-said-we-did",
        "/staff",
    ]
    .iter()
    .any(|p| path.starts_with(p))
}

/// An HTML response with the pages' security and privacy headers.
pub fn html(status: StatusCode, body: String) -> HttpResponse {
    crate::http::page::private_html(status, CSP, body)
}

/// Render page template `name` with `context`; a broken template becomes the error page.
pub fn render(state: &AppState, status: StatusCode, name: &str, context: &Value) -> HttpResponse {
    match state.outbox.templates().render_page(name, context) {
        Ok(body) => html(status, body),
        Err(e) => server_error(Some(state), &e.to_string()),
    }
}

/// A page of a heading and paragraphs.
pub fn message(
    state: &AppState,
    status: StatusCode,
    title: &str,
    paragraphs: &[&str],
) -> HttpResponse {
    render(
        state,
        status,
        "message",
        &json!({ "title": title, "heading": title, "paragraphs": paragraphs }),
    )
}

/// The page for an unknown link. It says nothing about why.
pub fn not_found(state: &AppState) -> HttpResponse {
    message(
        state,
        StatusCode::NOT_FOUND,
        "Page not found",
        &[
            "If you typed the web address, check it is correct.",
            "If you pasted the web address, check you copied the entire address.",
            "If the address came in an email or letter from us and still does not work, contact the complaints team.",
        ],
    )
}

/// The page for a link that no longer works (revoked or expired).
pub fn gone(state: &AppState, what: &str) -> HttpResponse {
    let first = format!("This {what} link no longer works.");
    message(
        state,
        StatusCode::GONE,
        "This link has expired",
        &[
            first.as_str(),
            "Links stop working some time after a case finishes, or when we send you a new one.",
            "If you need to contact us, reply to our last letter or email, or contact the complaints team.",
        ],
    )
}

/// The page for a server error: the cause is logged under an id the person can quote.
pub fn server_error(state: Option<&AppState>, cause: &str) -> HttpResponse {
    let problem = crate::error::internal_problem(cause);
    let id = problem.error_id.unwrap_or_default();
    let quote = format!("If you contact us about this, quote error {id}.");
    let paragraphs = [
        "Sorry, there is a problem with the service. Try again later.",
        quote.as_str(),
    ];
    let rendered = state.and_then(|s| {
        s.outbox
            .templates()
            .render_page(
                "message",
                &json!({"title": "Sorry, there is a problem with the service",
                        "heading": "Sorry, there is a problem with the service",
                        "paragraphs": paragraphs}),
            )
            .ok()
    });
    // If even the template is broken, a bare page still says what to do.
    let body = rendered.unwrap_or_else(|| {
        format!(
            "<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\"><title>Sorry, there is a problem with the service</title></head><body><main><h1>Sorry, there is a problem with the service</h1><p>{}</p><p>{}</p></main></body></html>",
            paragraphs[0], paragraphs[1]
        )
    });
    html(StatusCode::INTERNAL_SERVER_ERROR, body)
}

/// The answer to a public form post refused by the throttle (per client address and per
/// link), before anything is read or stored; `None` lets the post through.
pub fn throttled(state: &AppState, req: &HttpRequest, token: &str) -> Option<HttpResponse> {
    let client = crate::http::client::address(req, &state.settings.server.trusted_proxy_addrs());
    let refused = state.throttle.public_form(&client, token).err()?;
    Some(app_error(state, &refused.into()))
}

/// The page for a request turned away for coming too often, with `Retry-After`.
pub fn too_many(state: &AppState, retry_after_seconds: u64) -> HttpResponse {
    let wait = if retry_after_seconds < 120 {
        format!("{retry_after_seconds} seconds")
    } else {
        format!("{} minutes", retry_after_seconds.div_ceil(60))
    };
    let advice = format!("Wait {wait}, then go back to the page and try again.");
    let mut res = message(
        state,
        StatusCode::TOO_MANY_REQUESTS,
        "You have tried too many times in a short time",
        &["Nothing you sent has been stored.", advice.as_str()],
    );
    res.headers_mut()
        .insert(header::RETRY_AFTER, retry_after_seconds.max(1).into());
    res
}

/// The page for an error from a use-case.
pub fn app_error(state: &AppState, e: &AppError) -> HttpResponse {
    use actix_web::ResponseError;
    if let AppError::TooManyRequests {
        retry_after_seconds,
        ..
    } = e
    {
        return too_many(state, *retry_after_seconds);
    }
    let status = e.status_code();
    match status {
        StatusCode::NOT_FOUND => not_found(state),
        s if s.is_server_error() => server_error(Some(state), &e.to_string()),
        s => error_status(state, s),
    }
}

/// The page for an HTTP error that reached no page handler (bad method, unreadable body).
pub fn error_status(state: &AppState, status: StatusCode) -> HttpResponse {
    match status {
        StatusCode::NOT_FOUND => not_found(state),
        StatusCode::METHOD_NOT_ALLOWED => message(
            state,
            status,
            "This page cannot do that",
            &["Go back to the page and use its form or links."],
        ),
        StatusCode::PAYLOAD_TOO_LARGE => message(
            state,
            status,
            "What you sent is too long",
            &["Go back, shorten your message and send it again."],
        ),
        s if s.is_server_error() => server_error(Some(state), "HTTP error on a page"),
        s => message(
            state,
            s,
            "Sorry, we could not handle that request",
            &["Go back to the page and try again."],
        ),
    }
}

/// Parse an `application/x-www-form-urlencoded` body into name, value pairs; `None` when it
/// cannot be, or a value holds a NUL character (no engine should be given one).
pub fn form_pairs(body: &[u8]) -> Option<Vec<(String, String)>> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
    (!pairs
        .iter()
        .any(|(k, v)| k.contains('\0') || v.contains('\0')))
    .then_some(pairs)
}

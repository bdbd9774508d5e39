//! HTML answers with the headers every Candour page carries (never cached, indexed, framed or
//! referred from), for the pages and for API reports asked for as `text/html`.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};

/// An HTML response under Content-Security-Policy `csp`, private to whoever asked.
pub fn private_html(status: StatusCode, csp: &str, body: String) -> HttpResponse {
    let mut res = HttpResponse::build(status);
    res.insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"));
    if let Ok(v) = HeaderValue::from_str(csp) {
        res.insert_header((header::CONTENT_SECURITY_POLICY, v));
    }
    for (name, value) in [
        (header::CACHE_CONTROL, "no-store"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ] {
        res.insert_header((name, HeaderValue::from_static(value)));
    }
    res.insert_header(("x-robots-tag", "noindex, nofollow"));
    res.body(body)
}

/// A letter as a page of its own (its print view): never cached, and nothing in it runs.
pub fn letter(html: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        ))
        .body(html)
}

/// A self-contained page (the board pack, the annual report): its one inline stylesheet is
/// allowed by hash, nothing else loads, no scripts, no framing.
pub fn standalone(body: String) -> HttpResponse {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    let style = body
        .split_once("<style>")
        .and_then(|(_, rest)| rest.split_once("</style>"))
        .map(|(css, _)| css)
        .unwrap_or("");
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(style.as_bytes()));
    let csp = format!(
        "default-src 'none'; style-src 'sha256-{hash}'; img-src 'self' data:; base-uri 'none'; \
         form-action 'none'; frame-ancestors 'none'"
    );
    private_html(StatusCode::OK, &csp, body)
}

/// Page template `name` rendered with `context` as a self-contained page.
pub fn render_standalone(
    state: &crate::state::AppState,
    name: &str,
    context: &serde_json::Value,
) -> crate::error::AppResult<HttpResponse> {
    state
        .outbox
        .templates()
        .render_page(name, context)
        .map(standalone)
        .map_err(|e| crate::error::AppError::internal(e.to_string()))
}

/// The token of an `Authorization: Bearer <token>` header, if there is a non-empty one.
pub fn bearer_token(req: &actix_web::HttpRequest) -> Option<String> {
    req.headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.trim().split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| token.trim().to_string())
        })
        .filter(|t| !t.is_empty())
}

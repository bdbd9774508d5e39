//! The static files of the pages, compiled into the binary: the public pages' own stylesheet,
//! and for the staff pages the NHS design system vendored under `assets/nhsuk/` (see
//! `assets/update-nhsuk-frontend`) with Candour's few additions. Cached for an hour, never
//! sniffed.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

/// The public pages' stylesheet.
pub const STYLESHEET: &str = include_str!("../../assets/candour.css");

const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const SVG: &str = "image/svg+xml";

/// Each file by the path it is served at, with its media type.
const FILES: &[(&str, &str, &[u8])] = &[
    ("/assets/candour.css", CSS, STYLESHEET.as_bytes()),
    (
        "/assets/nhsuk-frontend.min.css",
        CSS,
        include_bytes!("../../assets/nhsuk/nhsuk-frontend.min.css"),
    ),
    (
        "/assets/nhsuk-frontend.min.js",
        JS,
        include_bytes!("../../assets/nhsuk/nhsuk-frontend.min.js"),
    ),
    (
        "/assets/staff.css",
        CSS,
        include_bytes!("../../assets/staff.css"),
    ),
    (
        "/assets/staff.js",
        JS,
        include_bytes!("../../assets/staff.js"),
    ),
    (
        "/assets/images/favicon.svg",
        SVG,
        include_bytes!("../../assets/nhsuk/images/favicon.svg"),
    ),
    (
        "/assets/images/favicon.ico",
        "image/x-icon",
        include_bytes!("../../assets/nhsuk/images/favicon.ico"),
    ),
    (
        "/assets/images/nhsuk-icon-arrow-down.svg",
        SVG,
        include_bytes!("../../assets/nhsuk/images/nhsuk-icon-arrow-down.svg"),
    ),
    (
        "/assets/images/nhsuk-icon-arrow-up-down.svg",
        SVG,
        include_bytes!("../../assets/nhsuk/images/nhsuk-icon-arrow-up-down.svg"),
    ),
    (
        "/assets/images/nhsuk-icon-arrow-up.svg",
        SVG,
        include_bytes!("../../assets/nhsuk/images/nhsuk-icon-arrow-up.svg"),
    ),
    (
        "/assets/images/nhsuk-icon-cross.svg",
        SVG,
        include_bytes!("../../assets/nhsuk/images/nhsuk-icon-cross.svg"),
    ),
];

/// Register a route for each file.
pub fn configure(cfg: &mut web::ServiceConfig) {
    for (path, media_type, body) in FILES {
        cfg.route(
            path,
            web::get().to(move || async move { file(media_type, body) }),
        );
    }
}

fn file(media_type: &'static str, body: &'static [u8]) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, media_type))
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(body)
}

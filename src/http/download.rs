//! A file sent as a download (a case's document, to staff through the API or the pages):
//! always an attachment, never sniffed, cached or run, its name kept in RFC 5987 form.

use actix_web::HttpResponse;

/// The file as a download: never shown inline, never sniffed, never cached.
pub fn attachment(media_type: &str, file_name: &str, bytes: bytes::Bytes) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(media_type)
        .insert_header(("Content-Disposition", disposition(file_name)))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("Content-Security-Policy", "default-src 'none'; sandbox"))
        .body(bytes)
}

/// `attachment` with an ASCII fallback name and the exact name in RFC 5987 form.
fn disposition(file_name: &str) -> String {
    let fallback: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

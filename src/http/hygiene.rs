//! Input no engine should see: a NUL character in the path or query string is refused with a
//! 400 before any handler runs (PostgreSQL cannot store it, SQLite would). JSON and form bodies
//! are checked where they are parsed (`json::parse`, `pages::form_pairs`).

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, ResponseError};

use crate::error::AppError;

/// What a request carrying a NUL character is told.
pub const NUL_REFUSED: &str = "Text must not contain the NUL character (U+0000).";

/// Refuse a request whose path or query string holds an encoded NUL (`%00`).
pub async fn refuse_nul(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let raw = req.uri().path_and_query().map_or("", |p| p.as_str());
    if raw.contains("%00") {
        let res = AppError::BadRequest(NUL_REFUSED.into()).error_response();
        return Ok(req.into_response(res).map_into_right_body());
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

//! Request extractors: JSON bodies with field-level errors, and the signed-in user.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::web::{self, Bytes};
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use crate::error::AppError;
use crate::services::{self, Actor};
use crate::state::AppState;

/// A JSON body. Wrong media type → 415, too large → 413, bad JSON → 400 naming the field.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for ApiJson<T> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase())
            .is_some_and(|v| v == "application/json" || v.ends_with("+json"));
        let limit = req
            .app_data::<web::Data<AppState>>()
            .map_or(256 * 1024, |s| s.settings.server.max_json_bytes);
        let body = Bytes::from_request(req, payload);
        Box::pin(async move {
            if !is_json {
                return Err(AppError::UnsupportedMediaType(
                    "Send the body as JSON with Content-Type: application/json.".into(),
                ));
            }
            let bytes = body.await.map_err(|e| {
                if e.as_response_error().status_code().as_u16() == 413 {
                    AppError::PayloadTooLarge(format!(
                        "The body is larger than the limit of {limit} bytes."
                    ))
                } else {
                    AppError::BadRequest(format!("The body could not be read: {e}"))
                }
            })?;
            crate::json::parse(&bytes).map(ApiJson)
        })
    }
}

/// The signed-in member of staff, from `Authorization: Bearer <access token>`.
pub struct AuthUser(pub Actor);

impl FromRequest for AuthUser {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = crate::http::page::bearer_token(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| AppError::internal("application state missing"))?;
            let token = token.ok_or_else(|| {
                AppError::Unauthorized(
                    "Sign in first: send an access token as Authorization: Bearer <token>.".into(),
                )
            })?;
            services::auth::authenticate(&state, &token)
                .await
                .map(AuthUser)
        })
    }
}

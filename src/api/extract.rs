//! Request extractors: JSON bodies with field-level errors, the signed-in user, and a change
//! to one versioned record (who, which record, the version held and the body).

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

/// A change to one versioned record: who asks, the record's `{id}` from the path, the JSON body
/// and the `If-Match` header, read only when [`VersionedWrite::if_match`] is called (after the
/// role check, so a member of staff without the role hears 403 before any 400).
pub struct VersionedWrite {
    pub actor: Actor,
    pub id: String,
    pub body: serde_json::Value,
    if_match: Option<header::HeaderValue>,
}

impl VersionedWrite {
    /// The version the caller holds, from `If-Match: "3"` (or `W/"3"`, or `3`); `None` when
    /// the header was not sent.
    pub fn if_match(&self) -> Result<Option<i32>, AppError> {
        self.if_match.as_ref().map(parse_if_match).transpose()
    }
}

/// The version an `If-Match` value names: `"3"`, `W/"3"` or `3`.
fn parse_if_match(raw: &header::HeaderValue) -> Result<i32, AppError> {
    raw.to_str()
        .ok()
        .map(|v| v.trim().trim_start_matches("W/").trim_matches('"'))
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| AppError::invalid("If-Match", "must be the case's ETag, e.g. \"3\""))
}

impl FromRequest for VersionedWrite {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let user = AuthUser::from_request(req, payload);
        let body = ApiJson::<serde_json::Value>::from_request(req, payload);
        let id = req.match_info().get("id").map(str::to_owned);
        let if_match = req.headers().get(header::IF_MATCH).cloned();
        Box::pin(async move {
            let AuthUser(actor) = user.await?;
            let id = id.ok_or_else(|| AppError::internal("route has no {id}"))?;
            let ApiJson(body) = body.await?;
            Ok(VersionedWrite {
                actor,
                id,
                body,
                if_match,
            })
        })
    }
}

/// A query parameter holding one value or several separated by commas (`?status=a,b`), each
/// parsed; blanks are ignored and an unknown value is a 400 naming the parameter.
pub fn comma_list<T>(param: &str, raw: Option<&str>) -> Result<Vec<T>, AppError>
where
    T: std::str::FromStr,
    T::Err: Into<String>,
{
    raw.unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<T>().map_err(|m| AppError::invalid(param, m)))
        .collect()
}

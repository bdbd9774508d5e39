//! The one application error type and its `application/problem+json` (RFC 9457) rendering.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

/// Media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// One invalid input field.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// The field, as a JSON path (`email`, `subjects[0].code`).
    pub field: String,
    /// What is wrong, in words a person can act on.
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    #[schema(example = "urn:candour:problem:validation")]
    pub kind: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong with this request.
    pub detail: String,
    /// The invalid fields, for validation problems.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// For server errors: the id under which the cause was logged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_id: Option<String>,
    /// For state conflicts: the current state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_state: Option<String>,
    /// For state conflicts: the actions allowed from the current state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_actions: Option<Vec<String>>,
}

impl Problem {
    pub fn new(status: StatusCode, slug: &str, detail: impl Into<String>) -> Self {
        Self {
            kind: format!("urn:candour:problem:{slug}"),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail: detail.into(),
            errors: Vec::new(),
            error_id: None,
            current_state: None,
            allowed_actions: None,
        }
    }

    /// The response carrying this problem.
    pub fn response(&self) -> HttpResponse {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut res = HttpResponse::build(status);
        res.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
        if status == StatusCode::UNAUTHORIZED {
            res.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
        }
        if status == StatusCode::SERVICE_UNAVAILABLE || status == StatusCode::TOO_MANY_REQUESTS {
            res.insert_header((header::RETRY_AFTER, HeaderValue::from_static("1")));
        }
        res.body(serde_json::to_string(self).unwrap_or_default())
    }
}

/// Everything a use-case or handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// It was here and was erased on purpose (retention, redaction).
    #[error("{0}")]
    Gone(String),
    #[error("{detail}")]
    Conflict {
        detail: String,
        current_state: Option<String>,
        allowed_actions: Option<Vec<String>>,
    },
    #[error("{0}")]
    PreconditionRequired(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// Too much of one kind of work at once (e.g. password checks): 503, try again in a second.
    #[error("busy: {0}")]
    Busy(String),
    /// Too many requests of one kind from one client or for one account: 429, with
    /// `Retry-After` saying when the next one will be accepted.
    #[error("throttled: {detail}")]
    TooManyRequests {
        detail: String,
        retry_after_seconds: u64,
    },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    /// A validation problem on one field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }

    /// A plain conflict with no state machine details.
    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::Conflict {
            detail: detail.into(),
            current_state: None,
            allowed_actions: None,
        }
    }

    /// A conflict with the record's state: the state it is in, and what is allowed from it.
    pub fn in_state(
        detail: impl Into<String>,
        state: impl Into<String>,
        allowed_actions: Option<Vec<String>>,
    ) -> Self {
        Self::Conflict {
            detail: detail.into(),
            current_state: Some(state.into()),
            allowed_actions,
        }
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::Internal(anyhow::anyhow!(message.into()))
    }

    /// The problem document for this error. Server errors are logged here, once, with an id.
    pub fn problem(&self) -> Problem {
        match self {
            Self::Validation(errors) => {
                let mut p = Problem::new(
                    StatusCode::BAD_REQUEST,
                    "validation",
                    validation_detail(errors),
                );
                p.errors = errors.clone();
                p
            }
            Self::BadRequest(d) => Problem::new(StatusCode::BAD_REQUEST, "bad-request", d),
            Self::Unauthorized(d) => Problem::new(StatusCode::UNAUTHORIZED, "unauthorized", d),
            Self::Forbidden(d) => Problem::new(StatusCode::FORBIDDEN, "forbidden", d),
            Self::NotFound(d) => Problem::new(StatusCode::NOT_FOUND, "not-found", d),
            Self::Gone(d) => Problem::new(StatusCode::GONE, "gone", d),
            Self::Conflict {
                detail,
                current_state,
                allowed_actions,
            } => {
                let mut p = Problem::new(StatusCode::CONFLICT, "conflict", detail);
                p.current_state = current_state.clone();
                p.allowed_actions = allowed_actions.clone();
                p
            }
            Self::PreconditionRequired(d) => Problem::new(
                StatusCode::PRECONDITION_REQUIRED,
                "precondition-required",
                d,
            ),
            Self::PayloadTooLarge(d) => {
                Problem::new(StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large", d)
            }
            Self::UnsupportedMediaType(d) => Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                d,
            ),
            Self::Unavailable(cause) => {
                let id = uuid::Uuid::new_v4().to_string();
                tracing::error!(error.id = %id, error.cause = %cause, "service unavailable");
                let mut p = Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "The service is temporarily unavailable. Try again shortly.",
                );
                p.error_id = Some(id);
                p
            }
            Self::Busy(detail) => {
                Problem::new(StatusCode::SERVICE_UNAVAILABLE, "busy", detail.clone())
            }
            Self::TooManyRequests { detail, .. } => {
                Problem::new(StatusCode::TOO_MANY_REQUESTS, "too-many-requests", detail)
            }
            Self::Internal(cause) => internal_problem(&format!("{cause:#}")),
        }
    }
}

/// The opaque problem for a server error; the cause goes to the log under a fresh id.
pub fn internal_problem(cause: &str) -> Problem {
    let id = uuid::Uuid::new_v4().to_string();
    tracing::error!(error.id = %id, error.cause = %cause, "internal error");
    let mut p = Problem::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        format!("An unexpected error occurred. Quote error id {id} when reporting it."),
    );
    p.error_id = Some(id);
    p
}

fn validation_detail(errors: &[FieldError]) -> String {
    match errors {
        [one] => format!("{}: {}", one.field, one.message),
        _ => format!("{} fields are invalid; see errors.", errors.len()),
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Validation(_) | Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Gone(_) => StatusCode::GONE,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::PreconditionRequired(_) => StatusCode::PRECONDITION_REQUIRED,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Unavailable(_) | Self::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = self.problem().response();
        if let Self::TooManyRequests {
            retry_after_seconds,
            ..
        } = self
        {
            res.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from((*retry_after_seconds).max(1)),
            );
        }
        res
    }
}

/// Result alias for use-cases and handlers.
pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_are_opaque() {
        let p = AppError::internal("secret table users broke").problem();
        assert_eq!(p.status, 500);
        assert!(!p.detail.contains("users"));
        assert!(p.error_id.is_some());
    }

    #[test]
    fn validation_names_the_field() {
        let p = AppError::invalid("email", "is not an email address").problem();
        assert_eq!(p.errors[0].field, "email");
        assert!(p.detail.starts_with("email:"));
    }
}

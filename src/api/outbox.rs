//! The email outbox for admins: what was sent, what waits, what is dead; retry the dead.

use crate::api::routes::Routes;
use actix_web::{get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::AuthUser;
use crate::domain::outbox::OutboxStatus;
use crate::domain::role::Permission;
use crate::error::{AppError, AppResult, Problem};
use crate::services::outbox;
use crate::services::outbox::OutboxSummary;
use crate::state::AppState;

pub fn configure(cfg: &mut impl Routes) {
    cfg.service(list_outbox).service(retry_outbox_message);
}

/// One outgoing email, without its bodies or attachments.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxMessageResponse {
    pub id: String,
    pub case_id: Option<String>,
    /// The template it was rendered from.
    #[schema(example = "acknowledgement")]
    pub template: String,
    pub recipient: String,
    pub subject: String,
    /// RFC 5322 Message-ID, the same on every attempt.
    #[schema(example = "<5f0c1d2e3a4b4c5d9e8f7a6b5c4d3e2f@trust.nhs.uk>")]
    pub message_id: String,
    pub status: OutboxStatus,
    /// Attempts so far (they start again from zero when an admin retries a dead message).
    pub attempts: i32,
    /// When the worker next tries, while pending.
    pub next_attempt_at: DateTime<Utc>,
    /// Why the last attempt failed, as the mail server put it.
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

impl From<OutboxSummary> for OutboxMessageResponse {
    fn from(m: OutboxSummary) -> Self {
        Self {
            id: m.id,
            case_id: m.case_id,
            template: m.template,
            recipient: m.recipient,
            subject: m.subject,
            message_id: m.message_id,
            status: m.status,
            attempts: m.attempts,
            next_attempt_at: m.next_attempt_at.and_utc(),
            last_error: m.last_error,
            created_at: m.created_at.and_utc(),
            sent_at: m.sent_at.map(|t| t.and_utc()),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OutboxListQuery {
    /// Only messages in this state.
    #[param(value_type = Option<OutboxStatus>)]
    pub status: Option<String>,
    /// Page size, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// The `next` value of the previous page.
    pub cursor: Option<String>,
}

/// A page of outgoing email, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxList {
    pub items: Vec<OutboxMessageResponse>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next: Option<String>,
}

/// List outgoing email, newest first (`?status=dead` for the messages that need an admin).
#[utoipa::path(
    tag = "outbox",
    security(("bearer" = [])),
    params(OutboxListQuery),
    responses(
        (status = 200, description = "A page of messages", body = OutboxList),
        (status = 400, description = "Bad status, limit or cursor", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/outbox")]
pub async fn list_outbox(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<OutboxListQuery>,
) -> AppResult<web::Json<OutboxList>> {
    user.0.require(Permission::ManageOutbox)?;
    let q = query.into_inner();
    let status = q
        .status
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<OutboxStatus>()
                .map_err(|m| AppError::invalid("status", m))
        })
        .transpose()?;
    let page = outbox::list(&state, &user.0, status, q.limit, q.cursor).await?;
    Ok(web::Json(OutboxList {
        items: page.items.into_iter().map(Into::into).collect(),
        next: page.next,
    }))
}

/// Send a dead message again: it becomes pending, due now, with its attempts reset.
#[utoipa::path(
    tag = "outbox",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Outbox message id")),
    responses(
        (status = 200, description = "The re-queued message", body = OutboxMessageResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such message", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The message is not dead", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/outbox/{id}/retry")]
pub async fn retry_outbox_message(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> AppResult<web::Json<OutboxMessageResponse>> {
    let message = outbox::retry(&state, &user.0, id.into_inner()).await?;
    Ok(web::Json(message.into()))
}

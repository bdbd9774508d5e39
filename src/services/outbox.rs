//! The outbox for admins: list outgoing mail by status, and re-queue dead messages.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDateTime, SecondsFormat};

use super::Actor;
use crate::db::outbox::{self, OutboxFilter};
use crate::domain::outbox::OutboxStatus;
use crate::domain::role::Permission;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub use crate::db::outbox::OutboxSummary;

/// A page of messages and the cursor for the next one.
pub struct OutboxPage {
    pub items: Vec<OutboxSummary>,
    pub next: Option<String>,
}

/// Messages newest first, optionally of one status; `cursor` is the previous page's `next`.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    status: Option<OutboxStatus>,
    limit: Option<i64>,
    cursor: Option<String>,
) -> AppResult<OutboxPage> {
    actor.require(Permission::ManageOutbox)?;
    let limit = super::users::page_limit(limit)?;
    let filter = OutboxFilter {
        status,
        case_id: None,
        before: cursor.as_deref().map(decode_cursor).transpose()?,
    };
    let mut items = state
        .db
        .read(move |c| outbox::list(c, &filter, limit + 1).map_err(AppError::from))
        .await?;
    let page = usize::try_from(limit).unwrap_or(usize::MAX);
    let more = items.len() > page;
    items.truncate(page);
    let next = more
        .then(|| items.last())
        .flatten()
        .map(|last| encode_cursor(last.created_at, &last.id));
    Ok(OutboxPage { items, next })
}

/// Put a dead message back in the queue, due now, and wake the worker. Any other state is 409.
pub async fn retry(state: &AppState, actor: &Actor, id: String) -> AppResult<OutboxSummary> {
    actor.require(Permission::ManageOutbox)?;
    let clock = state.clock.clone();
    let summary = state
        .db
        .write(move |c| -> AppResult<OutboxSummary> {
            let current = outbox::find_summary(c, &id)?.ok_or_else(not_found)?;
            if current.status != OutboxStatus::Dead {
                return Err(AppError::Conflict {
                    detail: format!(
                        "Only a dead message can be retried; this one is {}.",
                        current.status
                    ),
                    current_state: Some(current.status.to_string()),
                    allowed_actions: Some(Vec::new()),
                });
            }
            outbox::requeue_dead(c, &id, clock.now())?;
            outbox::find_summary(c, &id)?.ok_or_else(not_found)
        })
        .await?;
    state.outbox.wake();
    tracing::info!(
        outbox.id = %summary.id,
        email.message_id = %summary.message_id,
        actor.id = %actor.user_id,
        "dead email re-queued"
    );
    Ok(summary)
}

fn not_found() -> AppError {
    AppError::NotFound("No outbox message has this id.".into())
}

fn encode_cursor(created_at: NaiveDateTime, id: &str) -> String {
    let at = created_at
        .and_utc()
        .to_rfc3339_opts(SecondsFormat::Micros, true);
    URL_SAFE_NO_PAD.encode(format!("{at}\n{id}"))
}

fn decode_cursor(raw: &str) -> AppResult<(NaiveDateTime, String)> {
    URL_SAFE_NO_PAD
        .decode(raw.as_bytes())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| {
            let (at, id) = s.split_once('\n')?;
            let at = DateTime::parse_from_rfc3339(at).ok()?.naive_utc();
            Some((at, id.to_string()))
        })
        .ok_or_else(|| AppError::invalid("cursor", "is not a cursor from this list"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_to_the_microsecond() {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 11, 23)
            .unwrap()
            .and_hms_micro_opt(9, 8, 7, 654_321)
            .unwrap();
        let (back, id) = decode_cursor(&encode_cursor(at, "abc")).unwrap();
        assert_eq!((back, id.as_str()), (at, "abc"));
        assert!(decode_cursor("not-a-cursor").is_err());
    }
}

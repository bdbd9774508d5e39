//! The system audit log: recording admin and security events (in the transaction that made
//! the change), and reading them back for admins (`GET /api/v1/audit-log`).

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::Actor;
use super::cursor;
use crate::db::DbConnection;
use crate::db::audit_log::{self, NewAuditEvent};
use crate::domain::role::Permission;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// What an audit event is about.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// `user`, `service`, `calendar`, `taxonomy`, `person`, `case`, `report`, `retention`…
    pub kind: &'a str,
    pub id: &'a str,
}

/// One event to record.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    /// Who did it; `None` for Candour itself or an unknown caller.
    pub actor_id: Option<&'a str>,
    /// e.g. `user.created`, `user.role_changed`, `sign_in.failed`.
    pub action: &'a str,
    pub target: Option<Target<'a>>,
    /// The client address, where the request gave one.
    pub client: Option<&'a str>,
    /// One line for people, with no personal data in it.
    pub summary: &'a str,
    /// Facts: which fields changed, old and new roles… never passwords or tokens.
    pub details: serde_json::Value,
}

/// Record `e` on the system audit log. Call inside the transaction that made the change.
pub fn record(c: &mut DbConnection, e: Event<'_>, now: NaiveDateTime) -> AppResult<()> {
    audit_log::append(
        c,
        &NewAuditEvent {
            actor_id: e.actor_id,
            action: e.action,
            target_kind: e.target.map(|t| t.kind),
            target_id: e.target.map(|t| t.id),
            client: e.client,
            summary: e.summary,
            details: e.details,
        },
        now,
    )?;
    Ok(())
}

/// Record that `actor` took `what` out of Candour — a return as CSV, a printable report, a
/// board pack link — with `details` saying which (never personal data).
pub async fn exported(
    state: &AppState,
    actor: &Actor,
    what: &'static str,
    details: serde_json::Value,
) -> AppResult<()> {
    let (by, now) = (actor.user_id.clone(), state.clock.now());
    state
        .db
        .write(move |c| {
            let event = Event {
                actor_id: Some(&by),
                action: "report.exported",
                target: Some(Target {
                    kind: "report",
                    id: what,
                }),
                client: None,
                summary: "A report taken out of Candour",
                details,
            };
            record(c, event, now)
        })
        .await
}

/// One event of the system audit log.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditEntry {
    pub seq: i32,
    pub occurred_at: DateTime<Utc>,
    /// `null` for Candour itself or an unknown caller (a failed sign-in for no account).
    pub actor_id: Option<String>,
    pub action: String,
    pub target_kind: Option<String>,
    pub target_id: Option<String>,
    /// The client address of the request.
    pub client: Option<String>,
    pub summary: String,
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    /// The event's seal (HMAC with the audit key), chained to the one before.
    pub hash: String,
}

impl From<audit_log::AuditEvent> for AuditEntry {
    fn from(e: audit_log::AuditEvent) -> Self {
        Self {
            seq: e.seq,
            occurred_at: e.occurred_at.and_utc(),
            actor_id: e.actor_id,
            action: e.action,
            target_kind: e.target_kind,
            target_id: e.target_id,
            client: e.client,
            summary: e.summary,
            details: serde_json::from_str(&e.details).unwrap_or(serde_json::Value::Null),
            hash: e.hash,
        }
    }
}

/// Filters of the audit log (`GET /api/v1/audit-log`).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Only this action, e.g. `sign_in.failed`, `user.role_changed`, `service.lead_changed`.
    pub action: Option<String>,
    /// Only events by this member of staff.
    pub actor_id: Option<String>,
    /// Only events about this record (a user, service, calendar version…).
    pub target_id: Option<String>,
    /// Page size, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// The `next` value of the previous page.
    pub cursor: Option<String>,
}

/// A page of the audit log, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEntry>,
    /// Pass as `cursor` for the next (older) page; `null` on the last page.
    pub next: Option<String>,
}

/// The audit log, newest first (admins only).
pub async fn list(state: &AppState, actor: &Actor, q: AuditQuery) -> AppResult<AuditPage> {
    actor.require(Permission::ReadAuditLog)?;
    let limit = cursor::page_limit(q.limit)?;
    let before_seq = match &q.cursor {
        Some(raw) => {
            let [seq] = cursor::decode::<1>(raw)?;
            Some(
                seq.parse::<i32>()
                    .map_err(|_| AppError::invalid("cursor", "is not a cursor from this list"))?,
            )
        }
        None => None,
    };
    let filter = audit_log::Filter {
        action: q.action,
        actor_id: q.actor_id,
        target_id: q.target_id,
        before_seq,
    };
    let rows = state
        .db
        .read(move |c| -> AppResult<_> { Ok(audit_log::page(c, &filter, limit + 1)?) })
        .await?;
    let more = rows.len() as i64 > limit;
    let items: Vec<AuditEntry> = rows
        .into_iter()
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .map(AuditEntry::from)
        .collect();
    let next = more
        .then(|| items.last().map(|e| cursor::encode(&[&e.seq.to_string()])))
        .flatten();
    Ok(AuditPage { items, next })
}

//! The system audit log: admin and security events (accounts, roles, sign-ins, settings,
//! exports, retention runs) in one append-only chain, sealed with the audit key like the case
//! timelines.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::chains::{self, HeadRow, SYSTEM, stamp};
use super::connection::DbConnection;
use super::error::DbResult;
use super::schema::audit_log;
use crate::domain::seal::{self, SealKey};
use crate::domain::timeline::{self, BrokenLink, GENESIS, Sealed, StoredEvent};

/// A stored audit event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_log, treat_none_as_default_value = false)]
pub struct AuditEvent {
    pub id: String,
    pub seq: i32,
    pub occurred_at: NaiveDateTime,
    pub actor_id: Option<String>,
    pub action: String,
    pub target_kind: Option<String>,
    pub target_id: Option<String>,
    pub client: Option<String>,
    pub summary: String,
    pub details: String,
    pub summary_digest: String,
    pub details_digest: String,
    pub prev_hash: String,
    pub hash: String,
}

/// An event to record.
#[derive(Debug, Clone)]
pub struct NewAuditEvent<'a> {
    /// Who did it; `None` for the system or an unknown caller.
    pub actor_id: Option<&'a str>,
    pub action: &'a str,
    /// What it was done to: `user`, `service`, `calendar`, `taxonomy`, `person`, `case`…
    pub target_kind: Option<&'a str>,
    pub target_id: Option<&'a str>,
    /// The client address the request came from.
    pub client: Option<&'a str>,
    pub summary: &'a str,
    pub details: serde_json::Value,
}

/// The facts besides the texts that an audit event's seal covers.
fn facts(target_kind: Option<&str>, target_id: Option<&str>, client: Option<&str>) -> String {
    serde_json::json!([target_kind, target_id, client]).to_string()
}

/// Append an event to the log and move its head. On PostgreSQL the append takes a
/// transaction-scoped lock, so that concurrent appends queue instead of forking the chain
/// (SQLite has one writer).
pub fn append(
    conn: &mut DbConnection,
    new: &NewAuditEvent<'_>,
    now: NaiveDateTime,
) -> DbResult<AuditEvent> {
    let key = super::seal::key()?;
    if let DbConnection::Postgresql(_) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock(7120251205)").execute(conn)?;
    }
    let last: Option<(i32, String)> = audit_log::table
        .order(audit_log::seq.desc())
        .select((audit_log::seq, audit_log::hash))
        .first(conn)
        .optional()?;
    let (seq, prev_hash) = last.map_or((1, GENESIS.to_string()), |(s, h)| (s + 1, h));
    let details = new.details.to_string();
    let (summary_digest, details_digest) = (seal::digest(new.summary), seal::digest(&details));
    let hash = Sealed {
        chain: SYSTEM,
        seq,
        occurred_at: &stamp(now),
        actor_id: new.actor_id,
        kind: new.action,
        facts: &facts(new.target_kind, new.target_id, new.client),
        summary_digest: &summary_digest,
        details_digest: &details_digest,
        prev_hash: &prev_hash,
    }
    .seal(&key);
    let event = AuditEvent {
        id: super::ids::new_id(),
        seq,
        occurred_at: now,
        actor_id: new.actor_id.map(str::to_string),
        action: new.action.to_string(),
        target_kind: new.target_kind.map(str::to_string),
        target_id: new.target_id.map(str::to_string),
        client: new.client.map(str::to_string),
        summary: new.summary.to_string(),
        details,
        summary_digest,
        details_digest,
        prev_hash,
        hash,
    };
    diesel::insert_into(audit_log::table)
        .values(&event)
        .execute(conn)?;
    chains::advance(conn, &key, SYSTEM, seq, &event.hash)?;
    Ok(event)
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub action: Option<String>,
    pub actor_id: Option<String>,
    pub target_id: Option<String>,
    /// Only events before this one (the cursor of the next page).
    pub before_seq: Option<i32>,
}

/// The newest events first, at most `limit`.
pub fn page(conn: &mut DbConnection, f: &Filter, limit: i64) -> DbResult<Vec<AuditEvent>> {
    let mut q = audit_log::table.into_boxed();
    if let Some(a) = &f.action {
        q = q.filter(audit_log::action.eq(a));
    }
    if let Some(a) = &f.actor_id {
        q = q.filter(audit_log::actor_id.eq(a));
    }
    if let Some(t) = &f.target_id {
        q = q.filter(audit_log::target_id.eq(t));
    }
    if let Some(s) = f.before_seq {
        q = q.filter(audit_log::seq.lt(s));
    }
    Ok(q.order(audit_log::seq.desc())
        .limit(limit)
        .select(AuditEvent::as_select())
        .load(conn)?)
}

/// The seal of event `seq`, if there is such an event.
pub fn hash_at(conn: &mut DbConnection, seq: i32) -> DbResult<Option<String>> {
    Ok(audit_log::table
        .filter(audit_log::seq.eq(seq))
        .select(audit_log::hash)
        .first(conn)
        .optional()?)
}

/// Every event, oldest first.
pub fn all(conn: &mut DbConnection) -> DbResult<Vec<AuditEvent>> {
    Ok(audit_log::table
        .order(audit_log::seq.asc())
        .select(AuditEvent::as_select())
        .load(conn)?)
}

/// Check the whole log and its head: the first broken link, if any.
pub fn verify(key: &SealKey, events: &[AuditEvent], head: Option<&HeadRow>) -> Option<BrokenLink> {
    let rows: Vec<(String, String)> = events
        .iter()
        .map(|e| {
            let f = facts(
                e.target_kind.as_deref(),
                e.target_id.as_deref(),
                e.client.as_deref(),
            );
            (stamp(e.occurred_at), f)
        })
        .collect();
    let stored: Vec<StoredEvent<'_>> = events
        .iter()
        .zip(&rows)
        .map(|(e, (occurred_at, facts))| StoredEvent {
            sealed: Sealed {
                chain: SYSTEM,
                seq: e.seq,
                occurred_at,
                actor_id: e.actor_id.as_deref(),
                kind: &e.action,
                facts,
                summary_digest: &e.summary_digest,
                details_digest: &e.details_digest,
                prev_hash: &e.prev_hash,
            },
            summary: &e.summary,
            details: &e.details,
            erased: None,
            hash: &e.hash,
        })
        .collect();
    timeline::verify(key, &stored).or_else(|| {
        let last = events.last().map(|e| (e.seq, e.hash.as_str()));
        timeline::verify_head(key, SYSTEM, last, head.map(HeadRow::as_head))
    })
}

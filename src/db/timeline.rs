//! The append-only, hash-chained case timeline, and the case access log.

use chrono::{NaiveDateTime, SecondsFormat};
use diesel::prelude::*;
use serde::Serialize;

use super::connection::DbConnection;
use super::error::DbResult;
use super::schema::{case_access_log, timeline_events};
use crate::domain::timeline::{self, EventContent, GENESIS, StoredEvent};

/// A stored timeline event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Queryable, Selectable)]
#[diesel(table_name = timeline_events)]
pub struct TimelineEvent {
    pub id: String,
    pub case_id: String,
    pub seq: i32,
    pub occurred_at: NaiveDateTime,
    pub actor_id: Option<String>,
    pub kind: String,
    pub summary: String,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

fn stamp(at: NaiveDateTime) -> String {
    at.and_utc().to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Append an event to a case's chain. Call inside the transaction that made the change, after
/// the case row was updated (which serialises appends per case).
pub fn append(
    conn: &mut DbConnection,
    case_id: &str,
    actor_id: Option<&str>,
    kind: &str,
    summary: &str,
    details: &serde_json::Value,
    now: NaiveDateTime,
) -> DbResult<TimelineEvent> {
    let last: Option<(i32, String)> = timeline_events::table
        .filter(timeline_events::case_id.eq(case_id))
        .order(timeline_events::seq.desc())
        .select((timeline_events::seq, timeline_events::hash))
        .first(conn)
        .optional()?;
    let (seq, prev_hash) = match last {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS.to_string()),
    };
    let details = details.to_string();
    let occurred = stamp(now);
    let hash = timeline::hash(&EventContent {
        case_id,
        seq,
        occurred_at: &occurred,
        actor_id,
        kind,
        summary,
        details: &details,
        prev_hash: &prev_hash,
    });
    let event = TimelineEvent {
        id: uuid::Uuid::new_v4().to_string(),
        case_id: case_id.to_string(),
        seq,
        occurred_at: now,
        actor_id: actor_id.map(str::to_string),
        kind: kind.to_string(),
        summary: summary.to_string(),
        details,
        prev_hash,
        hash,
    };
    diesel::insert_into(timeline_events::table)
        .values((
            timeline_events::id.eq(&event.id),
            timeline_events::case_id.eq(&event.case_id),
            timeline_events::seq.eq(event.seq),
            timeline_events::occurred_at.eq(event.occurred_at),
            timeline_events::actor_id.eq(&event.actor_id),
            timeline_events::kind.eq(&event.kind),
            timeline_events::summary.eq(&event.summary),
            timeline_events::details.eq(&event.details),
            timeline_events::prev_hash.eq(&event.prev_hash),
            timeline_events::hash.eq(&event.hash),
        ))
        .execute(conn)?;
    Ok(event)
}

/// A case's events in order.
pub fn for_case(conn: &mut DbConnection, case_id: &str) -> DbResult<Vec<TimelineEvent>> {
    Ok(timeline_events::table
        .filter(timeline_events::case_id.eq(case_id))
        .order(timeline_events::seq.asc())
        .select(TimelineEvent::as_select())
        .load(conn)?)
}

/// Every case id that has a timeline.
pub fn case_ids(conn: &mut DbConnection) -> DbResult<Vec<String>> {
    Ok(timeline_events::table
        .select(timeline_events::case_id)
        .distinct()
        .order(timeline_events::case_id)
        .load(conn)?)
}

/// Check one case's chain: the first broken link, if any.
pub fn verify(events: &[TimelineEvent]) -> Option<timeline::BrokenLink> {
    let stamps: Vec<String> = events.iter().map(|e| stamp(e.occurred_at)).collect();
    let stored: Vec<StoredEvent<'_>> = events
        .iter()
        .zip(&stamps)
        .map(|(e, occurred_at)| StoredEvent {
            content: EventContent {
                case_id: &e.case_id,
                seq: e.seq,
                occurred_at,
                actor_id: e.actor_id.as_deref(),
                kind: &e.kind,
                summary: &e.summary,
                details: &e.details,
                prev_hash: &e.prev_hash,
            },
            hash: &e.hash,
        })
        .collect();
    timeline::verify(&stored)
}

/// One read of a case by a member of staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Queryable, Selectable)]
#[diesel(table_name = case_access_log)]
pub struct AccessEntry {
    pub id: String,
    pub case_id: String,
    pub user_id: String,
    pub route: String,
    pub accessed_at: NaiveDateTime,
}

pub fn record_access(
    conn: &mut DbConnection,
    case_id: &str,
    user_id: &str,
    route: &str,
    now: NaiveDateTime,
) -> DbResult<()> {
    diesel::insert_into(case_access_log::table)
        .values((
            case_access_log::id.eq(uuid::Uuid::new_v4().to_string()),
            case_access_log::case_id.eq(case_id),
            case_access_log::user_id.eq(user_id),
            case_access_log::route.eq(route),
            case_access_log::accessed_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// The newest reads of a case first, at most `limit`.
pub fn access_log(
    conn: &mut DbConnection,
    case_id: &str,
    limit: i64,
) -> DbResult<Vec<AccessEntry>> {
    Ok(case_access_log::table
        .filter(case_access_log::case_id.eq(case_id))
        .order((
            case_access_log::accessed_at.desc(),
            case_access_log::id.desc(),
        ))
        .limit(limit)
        .select(AccessEntry::as_select())
        .load(conn)?)
}

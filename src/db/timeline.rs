//! The append-only case timeline, sealed event by event with the audit key, and reading the
//! case access log (written by [`super::access_log`]).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::chains::{self, HeadRow, stamp};
use super::connection::DbConnection;
use super::error::DbResult;
use super::schema::{case_access_log, timeline_events};
use crate::domain::seal::{self, SealKey};
use crate::domain::timeline::{
    self, BrokenLink, Erasure, GENESIS, LegacyEvent, Sealed, StoredEvent,
};

/// A stored timeline event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = timeline_events, treat_none_as_default_value = false)]
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
    /// `None` only on an event written before the keyed chain and not yet sealed anew.
    pub summary_digest: Option<String>,
    pub details_digest: Option<String>,
    /// `redaction` or `retention` once the texts were erased.
    pub erased: Option<String>,
}

/// An event about to be added: sealing it gives the row to insert.
pub struct Draft<'a> {
    pub case_id: &'a str,
    pub seq: i32,
    pub prev_hash: String,
    pub actor_id: Option<&'a str>,
    pub kind: &'a str,
    pub summary: &'a str,
    pub details: String,
    pub at: NaiveDateTime,
}

impl Draft<'_> {
    /// The event sealed with `key`.
    pub fn seal(self, key: &SealKey) -> TimelineEvent {
        let (summary_digest, details_digest) =
            (seal::digest(self.summary), seal::digest(&self.details));
        let hash = Sealed {
            chain: self.case_id,
            seq: self.seq,
            occurred_at: &stamp(self.at),
            actor_id: self.actor_id,
            kind: self.kind,
            facts: "",
            summary_digest: &summary_digest,
            details_digest: &details_digest,
            prev_hash: &self.prev_hash,
        }
        .seal(key);
        TimelineEvent {
            id: super::ids::new_id(),
            case_id: self.case_id.to_string(),
            seq: self.seq,
            occurred_at: self.at,
            actor_id: self.actor_id.map(str::to_string),
            kind: self.kind.to_string(),
            summary: self.summary.to_string(),
            details: self.details,
            prev_hash: self.prev_hash,
            hash,
            summary_digest: Some(summary_digest),
            details_digest: Some(details_digest),
            erased: None,
        }
    }
}

/// Append an event to a case's chain and move its head. Call inside the transaction that made
/// the change, after the case row was updated (which serialises appends per case).
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
    let draft = Draft {
        case_id,
        seq,
        prev_hash,
        actor_id,
        kind,
        summary,
        details: details.to_string(),
        at: now,
    };
    store(conn, draft)
}

/// The first event of a case logged in this transaction, which has no timeline yet (the
/// event would clash with its first on `(case_id, seq)` if it had).
pub fn begin(
    conn: &mut DbConnection,
    case_id: &str,
    actor_id: Option<&str>,
    kind: &str,
    summary: &str,
    details: &serde_json::Value,
    now: NaiveDateTime,
) -> DbResult<TimelineEvent> {
    let draft = Draft {
        case_id,
        seq: 1,
        prev_hash: GENESIS.to_string(),
        actor_id,
        kind,
        summary,
        details: details.to_string(),
        at: now,
    };
    store(conn, draft)
}

/// Seal an event, insert it and move its case's chain head on.
fn store(conn: &mut DbConnection, draft: Draft<'_>) -> DbResult<TimelineEvent> {
    let key = super::seal::key()?;
    let (case_id, seq) = (draft.case_id, draft.seq);
    let event = draft.seal(&key);
    on_engine!(conn, |c| diesel::insert_into(timeline_events::table)
        .values(&event)
        .execute(c))?;
    chains::advance(conn, &key, case_id, seq, &event.hash)?;
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

/// The events of several cases, by case and in order.
pub fn for_cases(conn: &mut DbConnection, case_ids: &[String]) -> DbResult<Vec<TimelineEvent>> {
    Ok(timeline_events::table
        .filter(timeline_events::case_id.eq_any(case_ids))
        .order((timeline_events::case_id.asc(), timeline_events::seq.asc()))
        .select(TimelineEvent::as_select())
        .load(conn)?)
}

/// The seal of `case_id`'s event `seq`, if there is such an event.
pub fn hash_at(conn: &mut DbConnection, case_id: &str, seq: i32) -> DbResult<Option<String>> {
    Ok(timeline_events::table
        .filter(timeline_events::case_id.eq(case_id))
        .filter(timeline_events::seq.eq(seq))
        .select(timeline_events::hash)
        .first(conn)
        .optional()?)
}

/// Every case id that has a timeline.
pub fn case_ids(conn: &mut DbConnection) -> DbResult<Vec<String>> {
    Ok(timeline_events::table
        .select(timeline_events::case_id)
        .distinct()
        .order(timeline_events::case_id)
        .load(conn)?)
}

/// Replace the texts of `case_id`'s events `seqs` by the erasure mark (their seals stay as they
/// are); the events already erased are left alone. Returns how many were erased. Record the
/// erasure on the timeline in the same transaction.
pub fn erase(
    conn: &mut DbConnection,
    case_id: &str,
    seqs: &[i32],
    how: Erasure,
) -> DbResult<usize> {
    Ok(diesel::update(
        timeline_events::table
            .filter(timeline_events::case_id.eq(case_id))
            .filter(timeline_events::seq.eq_any(seqs))
            .filter(timeline_events::erased.is_null()),
    )
    .set((
        timeline_events::summary.eq(how.summary()),
        timeline_events::details.eq(how.details()),
        timeline_events::erased.eq(how.as_str()),
    ))
    .execute(conn)?)
}

/// Check one case's chain and its head: the first broken link, if any.
pub fn verify(
    key: &SealKey,
    case_id: &str,
    events: &[TimelineEvent],
    head: Option<&HeadRow>,
) -> Option<BrokenLink> {
    if let Some(old) = events.iter().find(|e| e.summary_digest.is_none()) {
        return Some(BrokenLink {
            seq: old.seq,
            reason: "never sealed with the audit key: its old hash chain did not hold",
        });
    }
    let stamps: Vec<String> = events.iter().map(|e| stamp(e.occurred_at)).collect();
    let stored: Vec<StoredEvent<'_>> = events
        .iter()
        .zip(&stamps)
        .map(|(e, occurred_at)| StoredEvent {
            sealed: Sealed {
                chain: &e.case_id,
                seq: e.seq,
                occurred_at,
                actor_id: e.actor_id.as_deref(),
                kind: &e.kind,
                facts: "",
                summary_digest: e.summary_digest.as_deref().unwrap_or_default(),
                details_digest: e.details_digest.as_deref().unwrap_or_default(),
                prev_hash: &e.prev_hash,
            },
            summary: &e.summary,
            details: &e.details,
            erased: e.erased.as_deref(),
            hash: &e.hash,
        })
        .collect();
    timeline::verify(key, &stored).or_else(|| {
        let last = events.last().map(|e| (e.seq, e.hash.as_str()));
        timeline::verify_head(key, case_id, last, head.map(HeadRow::as_head))
    })
}

/// Seal anew, with `key`, the timelines written before the keyed chain, each after checking
/// its old unkeyed hashes; a timeline whose old chain does not hold is left as it is (and
/// `audit verify` names it). Returns (timelines sealed, timelines left).
pub fn seal_legacy(conn: &mut DbConnection, key: &SealKey) -> DbResult<(usize, usize)> {
    let ids: Vec<String> = timeline_events::table
        .filter(timeline_events::summary_digest.is_null())
        .select(timeline_events::case_id)
        .distinct()
        .load(conn)?;
    let mut sealed = 0;
    for id in &ids {
        let events = for_case(conn, id)?;
        if !legacy_chain_holds(&events) {
            continue;
        }
        let mut prev = GENESIS.to_string();
        for e in &events {
            let fresh = Draft {
                case_id: id,
                seq: e.seq,
                prev_hash: prev,
                actor_id: e.actor_id.as_deref(),
                kind: &e.kind,
                summary: &e.summary,
                details: e.details.clone(),
                at: e.occurred_at,
            }
            .seal(key);
            diesel::update(timeline_events::table.find(&e.id))
                .set((
                    timeline_events::prev_hash.eq(&fresh.prev_hash),
                    timeline_events::hash.eq(&fresh.hash),
                    timeline_events::summary_digest.eq(&fresh.summary_digest),
                    timeline_events::details_digest.eq(&fresh.details_digest),
                ))
                .execute(conn)?;
            prev = fresh.hash;
        }
        if let Some(last) = events.last() {
            chains::advance(conn, key, id, last.seq, &prev)?;
        }
        sealed += 1;
    }
    Ok((sealed, ids.len() - sealed))
}

/// Whether a timeline is wholly unsealed and its old unkeyed chain holds.
fn legacy_chain_holds(events: &[TimelineEvent]) -> bool {
    let mut prev = GENESIS;
    for (i, e) in events.iter().enumerate() {
        let at = stamp(e.occurred_at);
        let hash = timeline::legacy_hash(&LegacyEvent {
            case_id: &e.case_id,
            seq: e.seq,
            occurred_at: &at,
            actor_id: e.actor_id.as_deref(),
            kind: &e.kind,
            summary: &e.summary,
            details: &e.details,
            prev_hash: prev,
        });
        let in_order = usize::try_from(e.seq).ok() == Some(i + 1);
        if e.summary_digest.is_some() || !in_order || e.prev_hash != prev || hash != e.hash {
            return false;
        }
        prev = &e.hash;
    }
    true
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

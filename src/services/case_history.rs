//! A case's history: the timeline, staff notes and the access log.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::Actor;
use super::access::{load_visible, logged_read};
use super::case_input::{self as input, Errors};
use crate::db::{cases, timeline};
use crate::domain::role::Permission;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// One entry of a case's timeline.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TimelineEntry {
    pub seq: i32,
    pub occurred_at: DateTime<Utc>,
    /// `null` for events Candour made by itself.
    pub actor_id: Option<String>,
    /// `case_created`, an action name (`acknowledge`, `respond`, …), `edited` or `note`.
    pub kind: String,
    pub summary: String,
    /// Event facts, including `changes: {field: {before, after}}` for changes.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    /// The event's seal: an HMAC, with the audit key, over its facts, the SHA-256 digests of
    /// its texts and the seal of the event before.
    pub hash: String,
    /// `redaction` or `retention` when the texts were erased (the summary and details then
    /// show the erasure mark; a later event records who erased them and why).
    pub erased: Option<String>,
}

impl From<timeline::TimelineEvent> for TimelineEntry {
    fn from(e: timeline::TimelineEvent) -> Self {
        Self {
            seq: e.seq,
            occurred_at: e.occurred_at.and_utc(),
            actor_id: e.actor_id,
            kind: e.kind,
            summary: e.summary,
            details: serde_json::from_str(&e.details).unwrap_or(serde_json::Value::Null),
            hash: e.hash,
            erased: e.erased,
        }
    }
}

/// A case's timeline, oldest first. Reading it is recorded in the access log.
pub async fn timeline(
    state: &AppState,
    actor: &Actor,
    id: String,
    route: &str,
) -> AppResult<Vec<TimelineEntry>> {
    logged_read(state, actor, route, move |c, actor, _| {
        load_visible(c, actor, &id)?;
        let entries = timeline::for_case(c, &id)?
            .into_iter()
            .map(TimelineEntry::from)
            .collect();
        Ok((id, entries))
    })
    .await
}

/// What kind of note.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NoteCategory {
    /// A general case note.
    Note,
    /// A finding from the investigation.
    Finding,
    /// A record of contact with the complainant (call, meeting, letter).
    Contact,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteRequest {
    pub text: String,
    #[serde(default = "default_category")]
    pub category: NoteCategory,
}

fn default_category() -> NoteCategory {
    NoteCategory::Note
}

/// Add a staff note to a case's timeline. Notes never reach the complainant.
pub async fn add_note(
    state: &AppState,
    actor: &Actor,
    id: String,
    req: NoteRequest,
) -> AppResult<TimelineEntry> {
    actor.require(Permission::AddCaseNote)?;
    let mut e = Errors::default();
    let text = input::text(&mut e, "text", &req.text, input::MAX_TEXT, true);
    if !e.is_empty() {
        return Err(AppError::Validation(e.0));
    }
    let actor = actor.clone();
    let clock = state.clock.clone();
    state
        .db
        .write(move |c| -> AppResult<TimelineEntry> {
            load_visible(c, &actor, &id)?;
            let now = clock.now();
            cases::touch(c, &id, now)?;
            let label = match req.category {
                NoteCategory::Note => "Note added",
                NoteCategory::Finding => "Finding recorded",
                NoteCategory::Contact => "Contact recorded",
            };
            let event = timeline::append(
                c,
                &id,
                Some(&actor.user_id),
                "note",
                label,
                &json!({ "category": req.category, "text": text }),
                now,
            )?;
            Ok(event.into())
        })
        .await
}

/// One read of a case.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccessLogEntry {
    pub user_id: String,
    pub route: String,
    pub accessed_at: DateTime<Utc>,
}

/// Who read the case, newest first (at most 1,000 entries): each read of the case or its
/// records, and each case list or export it appeared in.
pub async fn access_log(
    state: &AppState,
    actor: &Actor,
    id: String,
) -> AppResult<Vec<AccessLogEntry>> {
    actor.require(Permission::ReadAccessLog)?;
    // Every read recorded so far (the writer batches them) is in the answer.
    state.access_log.flush().await;
    let actor = actor.clone();
    state
        .db
        .read(move |c| -> AppResult<Vec<AccessLogEntry>> {
            load_visible(c, &actor, &id)?;
            Ok(timeline::access_log(c, &id, 1000)?
                .into_iter()
                .map(|a| AccessLogEntry {
                    user_id: a.user_id,
                    route: a.route,
                    accessed_at: a.accessed_at.and_utc(),
                })
                .collect())
        })
        .await
}

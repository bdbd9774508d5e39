//! Redaction: a complaints manager replaces a case's text (a free-text field, or a timeline
//! event's words) with a redaction mark; who, when and why go on the timeline, and the audit
//! chain still verifies because its seals cover the texts' digests, not the texts.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::Actor;
use super::access::load_visible;
use super::case_history::TimelineEntry;
use crate::db::{DbConnection, erasure, timeline};
use crate::domain::case::Case;
use crate::domain::redaction::{self, CaseText, Target};
use crate::domain::role::Permission;
use crate::domain::timeline::{ERASURE_KINDS, Erasure};
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;

/// A redaction to make.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RedactionRequest {
    /// `summary`, `description` or `desired_outcome` (a field of the case: the timeline events
    /// that recorded its words are redacted with it), or `event:N` (the summary and details
    /// of timeline event N).
    #[schema(example = "event:4")]
    pub target: String,
    /// Why, kept on the timeline (at most 500 characters).
    #[schema(example = "Notes about another patient recorded on this case in error")]
    pub reason: String,
}

/// A redaction as made.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RedactionView {
    pub target: String,
    pub reason: String,
    /// The timeline events whose texts were replaced by the redaction mark.
    pub erased_events: Vec<i32>,
    /// The timeline event that records the redaction.
    pub event: TimelineEntry,
}

/// Redact `raw`'s target on case `id` (parsed after the role check).
pub async fn redact(
    state: &AppState,
    actor: &Actor,
    id: String,
    raw: Value,
) -> AppResult<RedactionView> {
    actor.require(Permission::RedactCase)?;
    let req: RedactionRequest = crate::json::from_value(raw)?;
    let mut errors = Vec::new();
    let target = redaction::parse_target(&req.target)
        .map_err(|m| errors.push(FieldError::new("target", m)))
        .ok();
    let reason = redaction::parse_reason(&req.reason)
        .map_err(|m| errors.push(FieldError::new("reason", m)))
        .unwrap_or_default();
    let Some(target) = target.filter(|_| errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    let actor = actor.clone();
    let clock = state.clock.clone();
    state
        .db
        .write(move |c| -> AppResult<RedactionView> {
            let case = load_visible(c, &actor, &id)?;
            let now = clock.now();
            let erased = match target {
                Target::Field(field) => {
                    let words = field_text(&case, field).to_string();
                    if words == Erasure::Redaction.summary() {
                        return Err(AppError::conflict(format!(
                            "The case's {} is already redacted.",
                            field.as_str()
                        )));
                    }
                    erasure::redact_case_text(c, &id, field, Erasure::Redaction.summary(), now)?;
                    events_mentioning(c, &id, &words)?
                }
                Target::Event(seq) => {
                    check_event(c, &id, seq)?;
                    vec![seq]
                }
            };
            timeline::erase(c, &id, &erased, Erasure::Redaction)?;
            if matches!(target, Target::Event(_)) {
                crate::db::cases::touch(c, &id, now)?;
            }
            let label = target_label(target);
            let event = timeline::append(
                c,
                &id,
                Some(&actor.user_id),
                Erasure::Redaction.as_str(),
                &format!("Text redacted: {label}"),
                &json!({ "target": label, "reason": reason, "erased": erased }),
                now,
            )?;
            Ok(RedactionView {
                target: label,
                reason,
                erased_events: erased,
                event: event.into(),
            })
        })
        .await
}

fn field_text(case: &Case, field: CaseText) -> &str {
    match field {
        CaseText::Summary => &case.summary,
        CaseText::Description => &case.description,
        CaseText::DesiredOutcome => &case.desired_outcome,
    }
}

fn target_label(target: Target) -> String {
    match target {
        Target::Field(f) => f.as_str().to_string(),
        Target::Event(n) => format!("event:{n}"),
    }
}

/// The case's events (not yet erased) whose texts hold `words`.
fn events_mentioning(c: &mut DbConnection, case_id: &str, words: &str) -> AppResult<Vec<i32>> {
    Ok(timeline::for_case(c, case_id)?
        .into_iter()
        .filter(|e| e.erased.is_none() && redaction::mentions(&e.summary, &e.details, words))
        .map(|e| e.seq)
        .collect())
}

/// Event `seq` exists, is not erased yet, and is not itself the record of an erasure (which
/// vouches for the events it erased).
fn check_event(c: &mut DbConnection, case_id: &str, seq: i32) -> AppResult<()> {
    let events = timeline::for_case(c, case_id)?;
    let Some(e) = events.iter().find(|e| e.seq == seq) else {
        return Err(AppError::invalid(
            "target",
            format!("the case has no timeline event {seq}"),
        ));
    };
    if e.erased.is_some() {
        return Err(AppError::conflict(format!(
            "Timeline event {seq} is already erased."
        )));
    }
    if ERASURE_KINDS.contains(&e.kind.as_str()) {
        return Err(AppError::conflict(format!(
            "Timeline event {seq} records an erasure; it cannot itself be redacted."
        )));
    }
    Ok(())
}

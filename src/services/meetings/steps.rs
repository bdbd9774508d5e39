//! The steps of a meeting besides booking it: accepted, declined, held (with notes and
//! follow-up actions), cancelled, and the written summary sent.

use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::{Ctx, Meeting, Step, active_user};
use crate::db::DbConnection;
use crate::db::meetings::{self, ActionRow, MeetingChanges};
use crate::error::AppResult;
use crate::services::case_input::{self as input, Errors};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptMeetingRequest {
    pub version: Option<i32>,
    /// Defaults to today.
    pub accepted_on: Option<NaiveDate>,
}

pub fn accept(
    req: AcceptMeetingRequest,
) -> impl FnOnce(&mut DbConnection, &Ctx, &Meeting) -> AppResult<Step> + Send {
    move |_, ctx, t| {
        let m = &t.meeting;
        let mut e = Errors::default();
        let on = ctx.day(
            &mut e,
            "accepted_on",
            req.accepted_on,
            m.offered_on,
            "the offer",
        );
        e.done()?;
        Ok(Step {
            changes: MeetingChanges {
                accepted_on: Some(Some(on)),
                ..Default::default()
            },
            summary: "Meeting accepted by the complainant".into(),
            details: json!({}),
        })
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclineMeetingRequest {
    pub version: Option<i32>,
    /// Defaults to today.
    pub declined_on: Option<NaiveDate>,
    pub reason: Option<String>,
}

pub fn decline(
    req: DeclineMeetingRequest,
) -> impl FnOnce(&mut DbConnection, &Ctx, &Meeting) -> AppResult<Step> + Send {
    move |_, ctx, t| {
        let m = &t.meeting;
        let mut e = Errors::default();
        let on = ctx.day(
            &mut e,
            "declined_on",
            req.declined_on,
            m.offered_on,
            "the offer",
        );
        let reason = input::optional_text(&mut e, "reason", req.reason.as_deref(), input::MAX_TEXT);
        e.done()?;
        Ok(Step {
            changes: MeetingChanges {
                declined_on: Some(Some(on)),
                decline_reason: Some(reason),
                ..Default::default()
            },
            summary: "Meeting declined by the complainant".into(),
            details: json!({}),
        })
    }
}

/// A follow-up action agreed at the meeting.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpInput {
    pub description: String,
    /// The member of staff who owns it.
    pub owner_id: Option<String>,
    pub due_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoldMeetingRequest {
    pub version: Option<i32>,
    /// Defaults to today.
    pub held_on: Option<NaiveDate>,
    /// What was discussed and agreed.
    pub notes: String,
    /// The day the written summary went to the complainant, if it has.
    pub summary_sent_on: Option<NaiveDate>,
    #[serde(default)]
    pub follow_up_actions: Vec<FollowUpInput>,
}

pub fn hold(
    req: HoldMeetingRequest,
) -> impl FnOnce(&mut DbConnection, &Ctx, &Meeting) -> AppResult<Step> + Send {
    move |c, ctx, t| {
        let m = &t.meeting;
        let mut e = Errors::default();
        let on = ctx.day(&mut e, "held_on", req.held_on, m.offered_on, "the offer");
        if m.starts_at.is_some_and(|t| on < t.date()) {
            e.add("held_on", "is before the day the meeting was scheduled for");
        }
        let notes = input::text(&mut e, "notes", &req.notes, input::MAX_TEXT, true);
        if let Some(sent) = req.summary_sent_on {
            ctx.day(&mut e, "summary_sent_on", Some(sent), on, "the meeting");
        }
        let mut rows = Vec::new();
        for (i, a) in req.follow_up_actions.iter().enumerate() {
            let description = input::text(
                &mut e,
                &format!("follow_up_actions[{i}].description"),
                &a.description,
                input::MAX_TEXT,
                true,
            );
            if let Some(owner) = &a.owner_id {
                active_user(
                    c,
                    &mut e,
                    &format!("follow_up_actions[{i}].owner_id"),
                    owner,
                )?;
            }
            if a.due_on.is_some_and(|d| d < on) {
                e.add(
                    format!("follow_up_actions[{i}].due_on"),
                    "is before the meeting",
                );
            }
            rows.push(ActionRow {
                id: crate::db::ids::new_id(),
                meeting_id: m.id.clone(),
                position: i32::try_from(i).unwrap_or(i32::MAX),
                description,
                owner_id: a.owner_id.clone(),
                due_on: a.due_on,
            });
        }
        e.done()?;
        for row in &rows {
            meetings::insert_action(c, row)?;
        }
        Ok(Step {
            changes: MeetingChanges {
                held_on: Some(Some(on)),
                notes: Some(Some(notes)),
                summary_sent_on: Some(req.summary_sent_on),
                ..Default::default()
            },
            summary: "Meeting held; notes recorded".into(),
            details: json!({ "follow_up_actions": rows.len() }),
        })
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelMeetingRequest {
    pub version: Option<i32>,
    pub reason: String,
    /// Defaults to today.
    pub cancelled_on: Option<NaiveDate>,
}

pub fn cancel(
    req: CancelMeetingRequest,
) -> impl FnOnce(&mut DbConnection, &Ctx, &Meeting) -> AppResult<Step> + Send {
    move |_, ctx, t| {
        let m = &t.meeting;
        let mut e = Errors::default();
        let reason = input::text(&mut e, "reason", &req.reason, input::MAX_TEXT, true);
        let on = ctx.day(
            &mut e,
            "cancelled_on",
            req.cancelled_on,
            m.offered_on,
            "the offer",
        );
        e.done()?;
        Ok(Step {
            changes: MeetingChanges {
                cancelled_on: Some(Some(on)),
                cancel_reason: Some(Some(reason)),
                ..Default::default()
            },
            summary: "Meeting cancelled".into(),
            details: json!({ "was": m.status }),
        })
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SummarySentRequest {
    pub version: Option<i32>,
    /// Defaults to today.
    pub sent_on: Option<NaiveDate>,
}

pub fn summary_sent(
    req: SummarySentRequest,
) -> impl FnOnce(&mut DbConnection, &Ctx, &Meeting) -> AppResult<Step> + Send {
    move |_, ctx, t| {
        let m = &t.meeting;
        let mut e = Errors::default();
        let held = m.held_on.unwrap_or(m.offered_on);
        let on = ctx.day(&mut e, "sent_on", req.sent_on, held, "the meeting");
        e.done()?;
        Ok(Step {
            changes: MeetingChanges {
                summary_sent_on: Some(Some(on)),
                ..Default::default()
            },
            summary: "Meeting summary sent to the complainant".into(),
            details: json!({}),
        })
    }
}

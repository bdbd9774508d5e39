//! How a meeting is shown: in full, with its attendees and every time it was set for, and as
//! the case lists it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::meetings::{self, MeetingRecord};
use crate::db::{DbConnection, users};
use crate::domain::meeting::{self as rules, MeetingAction, MeetingStatus};
use crate::error::AppResult;

/// A member of staff attending.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StaffAttendeeView {
    pub user_id: String,
    pub name: String,
    pub email: String,
}

/// Someone else attending (family member, advocate, interpreter), by name and role.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OtherAttendeeView {
    pub name: String,
    pub role: String,
    pub email: Option<String>,
}

/// What the complainant needs to take part.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ArrangementsView {
    /// The language, when an interpreter is needed.
    pub interpreter_language: Option<String>,
    /// The advocate supporting the complainant, if any.
    pub advocate: Option<String>,
    pub accessibility_needs: Option<String>,
}

/// A follow-up action agreed at the meeting.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FollowUpView {
    pub description: String,
    pub owner_id: Option<String>,
    pub due_on: Option<NaiveDate>,
}

/// One time and place the meeting was set for.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScheduleView {
    /// The invitation's SEQUENCE for this time and place.
    pub sequence: i32,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub location: Option<String>,
    pub video_link: Option<String>,
    /// Why it was moved (reschedules only).
    pub reason: Option<String>,
    pub changed_by: String,
    pub changed_at: DateTime<Utc>,
}

/// A meeting in full.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeetingView {
    pub id: String,
    pub case_id: String,
    pub status: MeetingStatus,
    pub offered_on: NaiveDate,
    pub offer_method: Option<String>,
    pub offer_note: Option<String>,
    pub accepted_on: Option<NaiveDate>,
    pub declined_on: Option<NaiveDate>,
    pub decline_reason: Option<String>,
    /// UTC.
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub location: Option<String>,
    pub video_link: Option<String>,
    pub organiser_id: Option<String>,
    pub staff_attendees: Vec<StaffAttendeeView>,
    pub other_attendees: Vec<OtherAttendeeView>,
    pub arrangements: ArrangementsView,
    /// The invitation's SEQUENCE: raised on every reschedule and on cancellation.
    pub sequence: i32,
    pub held_on: Option<NaiveDate>,
    pub notes: Option<String>,
    /// The day the written summary went to the complainant.
    pub summary_sent_on: Option<NaiveDate>,
    pub follow_up_actions: Vec<FollowUpView>,
    pub cancelled_on: Option<NaiveDate>,
    pub cancel_reason: Option<String>,
    /// Every time and place set, the first schedule first.
    pub schedule_history: Vec<ScheduleView>,
    pub allowed_actions: Vec<MeetingAction>,
    /// `GET` this for the iCalendar invitation, once the meeting has a time.
    pub invite_url: Option<String>,
    pub version: i32,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A meeting as the case shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeetingSummary {
    pub id: String,
    pub status: MeetingStatus,
    pub offered_on: NaiveDate,
    pub starts_at: Option<DateTime<Utc>>,
    pub held_on: Option<NaiveDate>,
}

/// The meetings of a case, for the case view.
pub fn summaries(conn: &mut DbConnection, case_id: &str) -> AppResult<Vec<MeetingSummary>> {
    Ok(meetings::for_case(conn, case_id)?
        .into_iter()
        .map(|m| MeetingSummary {
            id: m.id,
            status: m.status,
            offered_on: m.offered_on,
            starts_at: m.starts_at.map(|t| t.and_utc()),
            held_on: m.held_on,
        })
        .collect())
}

/// Build the view of a stored meeting.
pub fn view(conn: &mut DbConnection, m: MeetingRecord) -> AppResult<MeetingView> {
    let mut staff = Vec::new();
    let mut others = Vec::new();
    for a in meetings::attendees(conn, &m.id)? {
        match (a.kind.as_str(), a.user_id) {
            ("staff", Some(user_id)) => {
                let user = users::find(conn, &user_id)?;
                staff.push(StaffAttendeeView {
                    name: user.as_ref().map(|u| u.name.clone()).unwrap_or_default(),
                    email: user.map(|u| u.email).unwrap_or_default(),
                    user_id,
                });
            }
            _ => others.push(OtherAttendeeView {
                name: a.name.unwrap_or_default(),
                role: a.role_label.unwrap_or_default(),
                email: a.email,
            }),
        }
    }
    let schedule_history = meetings::schedules(conn, &m.id)?
        .into_iter()
        .map(|s| ScheduleView {
            sequence: s.sequence,
            starts_at: s.starts_at.and_utc(),
            ends_at: s.ends_at.and_utc(),
            location: s.location,
            video_link: s.video_link,
            reason: s.reason,
            changed_by: s.changed_by,
            changed_at: s.changed_at.and_utc(),
        })
        .collect();
    let follow_up_actions = meetings::actions(conn, &m.id)?
        .into_iter()
        .map(|a| FollowUpView {
            description: a.description,
            owner_id: a.owner_id,
            due_on: a.due_on,
        })
        .collect();
    Ok(MeetingView {
        allowed_actions: rules::allowed_actions(m.status, m.summary_sent_on.is_some()),
        invite_url: None,
        starts_at: m.starts_at.map(|t| t.and_utc()),
        ends_at: m.ends_at.map(|t| t.and_utc()),
        staff_attendees: staff,
        other_attendees: others,
        arrangements: ArrangementsView {
            interpreter_language: m.interpreter_language,
            advocate: m.advocate,
            accessibility_needs: m.accessibility_needs,
        },
        schedule_history,
        follow_up_actions,
        id: m.id,
        case_id: m.case_id,
        status: m.status,
        offered_on: m.offered_on,
        offer_method: m.offer_method,
        offer_note: m.offer_note,
        accepted_on: m.accepted_on,
        declined_on: m.declined_on,
        decline_reason: m.decline_reason,
        location: m.location,
        video_link: m.video_link,
        organiser_id: m.organiser_id,
        sequence: m.sequence,
        held_on: m.held_on,
        notes: m.notes,
        summary_sent_on: m.summary_sent_on,
        cancelled_on: m.cancelled_on,
        cancel_reason: m.cancel_reason,
        version: m.version,
        created_by: m.created_by,
        created_at: m.created_at.and_utc(),
        updated_at: m.updated_at.and_utc(),
    })
}

//! The iCalendar invitation of a meeting: a stable UID, SEQUENCE raised on every reschedule
//! and on cancellation, for download and for the complainant's email.

use super::{load_meeting, meeting_not_found};
use crate::db::cases;
use crate::db::meetings::{self, MeetingRecord};
use crate::db::{DbConnection, persons, users};
use crate::domain::case::Case;
use crate::domain::case::CaseKind;
use crate::domain::ical::{self, Attendee, AttendeeRole, Invitation, Method, Party};
use crate::domain::meeting::MeetingStatus;
use crate::domain::role::Permission;
use crate::error::{AppError, AppResult};
use crate::services::Actor;
use crate::services::access::logged_read;
use crate::state::AppState;

/// A meeting invitation, ready to download or attach to an email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    /// `text/calendar` content: CRLF lines, UTF-8.
    pub bytes: Vec<u8>,
    /// `REQUEST`, or `CANCEL` once the meeting is cancelled.
    pub method: &'static str,
    pub filename: String,
}

/// The iCalendar invitation for meeting `meeting_id`: for the download route, and for the
/// communications work to attach to the complainant's email (call inside its transaction).
/// 404 when there is no such meeting; 409 while it has no time (or was declined).
pub fn invite_ics(conn: &mut DbConnection, meeting_id: &str) -> AppResult<Invite> {
    let m = meetings::find(conn, meeting_id)?.ok_or_else(meeting_not_found)?;
    let (Some(starts_at), Some(ends_at)) = (m.starts_at, m.ends_at) else {
        return Err(AppError::in_state(
            "The meeting has no time yet, so there is nothing to invite to.",
            m.status.as_str(),
            None,
        ));
    };
    let case = cases::find(conn, &m.case_id)?
        .ok_or_else(|| AppError::internal("meeting without its case"))?;
    let organiser_id = m
        .organiser_id
        .clone()
        .unwrap_or_else(|| m.created_by.clone());
    let organiser = users::find(conn, &organiser_id)?
        .ok_or_else(|| AppError::internal("meeting organiser missing"))?;
    let attendees = invitees(conn, &case, &m)?;
    let what = match case.kind {
        CaseKind::Complaint => "complaint",
        CaseKind::PalsConcern => "concern",
    };
    let mut description = format!(
        "A face-to-face meeting to talk about your {what} ({}).",
        case.reference
    );
    if let Some(link) = &m.video_link {
        description.push_str(&format!("\nJoin by video: {link}"));
    }
    description.push_str("\nIf the time does not suit you, please contact the complaints team.");
    let method = if m.status == MeetingStatus::Cancelled {
        Method::Cancel
    } else {
        Method::Request
    };
    // The invitation was made when the meeting was last (re)scheduled, or cancelled: notes
    // recorded afterwards do not make a new one.
    let stamp = match method {
        Method::Cancel => m.updated_at,
        Method::Request => meetings::schedules(conn, &m.id)?
            .last()
            .map_or(m.updated_at, |s| s.changed_at),
    };
    let ics = ical::render(&Invitation {
        uid: format!("{}@candour", m.id),
        sequence: m.sequence,
        method,
        stamp,
        starts_at,
        ends_at,
        summary: format!("Meeting about your {what} {}", case.reference),
        description: Some(description),
        location: m
            .location
            .clone()
            .or_else(|| m.video_link.as_ref().map(|_| "Video call".to_string())),
        url: m.video_link.clone(),
        organiser: Party {
            name: organiser.name,
            email: organiser.email,
        },
        attendees,
    });
    Ok(Invite {
        bytes: ics.into_bytes(),
        method: method.as_str(),
        filename: format!("meeting-{}.ics", m.id),
    })
}

/// Who the invitation goes to: the complainant (asked to reply) when they have an email
/// address and have not been redacted, then everyone else attending who can be emailed.
fn invitees(conn: &mut DbConnection, case: &Case, m: &MeetingRecord) -> AppResult<Vec<Attendee>> {
    let mut attendees = Vec::new();
    if let Some(p) = persons::find(conn, &case.complainant_id)?
        && let Some(email) = p.email.filter(|_| p.redacted_at.is_none())
    {
        attendees.push(Attendee {
            party: Party {
                name: p.full_name,
                email,
            },
            role: AttendeeRole::Required,
            rsvp: true,
        });
    }
    for a in meetings::attendees(conn, &m.id)? {
        let party = match (a.user_id, a.email) {
            (Some(uid), _) => users::find(conn, &uid)?.map(|u| Party {
                name: u.name,
                email: u.email,
            }),
            (None, Some(email)) => Some(Party {
                name: a.name.unwrap_or_default(),
                email,
            }),
            (None, None) => None,
        };
        if let Some(party) = party {
            attendees.push(Attendee {
                party,
                role: AttendeeRole::Required,
                rsvp: false,
            });
        }
    }
    Ok(attendees)
}

/// The invitation for download. The read is recorded in the case's access log.
pub async fn invite(state: &AppState, actor: &Actor, id: String, route: &str) -> AppResult<Invite> {
    actor.require(Permission::ReadCaseRecords)?;
    logged_read(state, actor, route, move |c, actor, _| {
        let (m, case) = load_meeting(c, actor, &id)?;
        if m.status == MeetingStatus::Declined {
            return Err(AppError::in_state(
                "The meeting was declined: there is no invitation.",
                m.status.as_str(),
                None,
            ));
        }
        Ok((case.id, invite_ics(c, &m.id)?))
    })
    .await
}

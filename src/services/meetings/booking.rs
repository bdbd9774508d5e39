//! Booking a meeting: its time and place, organiser, attendees and arrangements, checked;
//! each booking keeps a schedule row, so a rescheduled meeting keeps its earlier times.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::{Ctx, MAX_LINK, MAX_MEETING_HOURS, MAX_PLACE, Meeting, Step, active_user};
use crate::db::DbConnection;
use crate::db::meetings::{self, AttendeeRow, MeetingChanges, MeetingRecord, ScheduleRow};
use crate::domain::account;
use crate::domain::meeting::MeetingAction;
use crate::error::AppResult;
use crate::services::case_input::{self as input, Errors};

/// Someone other than staff who will attend.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OtherAttendeeInput {
    pub name: String,
    /// Their role, e.g. "daughter", "advocate (POhWER)", "interpreter".
    pub role: String,
    /// To send them the invitation too.
    pub email: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleMeetingRequest {
    pub version: Option<i32>,
    /// RFC 3339; stored and sent in UTC.
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// The place; give this, a video link or both.
    pub location: Option<String>,
    /// An http(s) link to join by video.
    pub video_link: Option<String>,
    /// The member of staff who organises it (the invitation's ORGANIZER); defaults to you.
    pub organiser_id: Option<String>,
    /// Staff attending, by user id.
    #[serde(default)]
    pub staff_attendee_ids: Vec<String>,
    #[serde(default)]
    pub other_attendees: Vec<OtherAttendeeInput>,
    pub interpreter_language: Option<String>,
    pub advocate: Option<String>,
    pub accessibility_needs: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RescheduleMeetingRequest {
    pub version: Option<i32>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Why it moved.
    pub reason: String,
    /// Leave out to keep; `null` to clear.
    #[serde(default, deserialize_with = "crate::json::present")]
    #[schema(value_type = Option<String>)]
    pub location: Option<Option<String>>,
    /// Leave out to keep; `null` to clear.
    #[serde(default, deserialize_with = "crate::json::present")]
    #[schema(value_type = Option<String>)]
    pub video_link: Option<Option<String>>,
    /// Leave out to keep.
    pub organiser_id: Option<String>,
    /// Leave out to keep; a list replaces the staff attending.
    pub staff_attendee_ids: Option<Vec<String>>,
    /// Leave out to keep; a list replaces the others attending.
    pub other_attendees: Option<Vec<OtherAttendeeInput>>,
    /// Leave out to keep; `null` to clear.
    #[serde(default, deserialize_with = "crate::json::present")]
    #[schema(value_type = Option<String>)]
    pub interpreter_language: Option<Option<String>>,
    /// Leave out to keep; `null` to clear.
    #[serde(default, deserialize_with = "crate::json::present")]
    #[schema(value_type = Option<String>)]
    pub advocate: Option<Option<String>>,
    /// Leave out to keep; `null` to clear.
    #[serde(default, deserialize_with = "crate::json::present")]
    #[schema(value_type = Option<String>)]
    pub accessibility_needs: Option<Option<String>>,
}

/// A time and place, with everyone attending, as checked.
struct Booking {
    starts_at: NaiveDateTime,
    ends_at: NaiveDateTime,
    location: Option<String>,
    video_link: Option<String>,
    organiser_id: String,
    attendees: Option<Vec<AttendeeRow>>,
    interpreter_language: Option<String>,
    advocate: Option<String>,
    accessibility_needs: Option<String>,
}

/// The raw booking fields, merged with what the meeting already holds.
struct BookingInput<'a> {
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    location: Option<&'a str>,
    video_link: Option<&'a str>,
    organiser_id: &'a str,
    staff: Option<&'a [String]>,
    others: Option<&'a [OtherAttendeeInput]>,
    interpreter_language: Option<&'a str>,
    advocate: Option<&'a str>,
    accessibility_needs: Option<&'a str>,
}

fn check_booking(
    c: &mut DbConnection,
    e: &mut Errors,
    m: &MeetingRecord,
    b: BookingInput<'_>,
) -> AppResult<Booking> {
    let (starts_at, ends_at) = check_times(e, m, b.starts_at, b.ends_at);
    let location = input::optional_text(e, "location", b.location, MAX_PLACE);
    let video_link = input::optional_text(e, "video_link", b.video_link, MAX_LINK);
    if let Some(link) = &video_link {
        let lower = link.to_ascii_lowercase();
        if !(lower.starts_with("https://") || lower.starts_with("http://"))
            || link.chars().any(char::is_whitespace)
        {
            e.add("video_link", "must be an http(s) link with no spaces");
        }
    }
    if location.is_none() && video_link.is_none() {
        e.add("location", "give a place, a video link or both");
    }
    active_user(c, e, "organiser_id", b.organiser_id)?;
    let attendees = check_attendees(c, e, m, b.staff, b.others)?;
    let interpreter_language =
        input::optional_text(e, "interpreter_language", b.interpreter_language, 100);
    let advocate = input::optional_text(e, "advocate", b.advocate, MAX_PLACE);
    let accessibility_needs = input::optional_text(
        e,
        "accessibility_needs",
        b.accessibility_needs,
        input::MAX_TEXT,
    );
    Ok(Booking {
        starts_at,
        ends_at,
        location,
        video_link,
        organiser_id: b.organiser_id.to_string(),
        attendees,
        interpreter_language,
        advocate,
        accessibility_needs,
    })
}

/// The meeting's times, to the second, in UTC: after each other, at most
/// [`MAX_MEETING_HOURS`] apart, and not before the offer.
fn check_times(
    e: &mut Errors,
    m: &MeetingRecord,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
) -> (NaiveDateTime, NaiveDateTime) {
    use chrono::SubsecRound;
    let starts_at = starts_at.naive_utc().trunc_subsecs(0);
    let ends_at = ends_at.naive_utc().trunc_subsecs(0);
    if ends_at <= starts_at {
        e.add("ends_at", "must be after starts_at");
    } else if ends_at - starts_at > Duration::hours(MAX_MEETING_HOURS) {
        e.add(
            "ends_at",
            format!("makes the meeting longer than {MAX_MEETING_HOURS} hours"),
        );
    }
    if starts_at.date() < m.offered_on {
        e.add("starts_at", "is before the meeting was offered");
    }
    (starts_at, ends_at)
}

/// The attendees after a booking, when either list is given (`None`: keep them all). A list
/// given replaces the stored entries of its kind; the other kind's are kept.
fn check_attendees(
    c: &mut DbConnection,
    e: &mut Errors,
    m: &MeetingRecord,
    staff: Option<&[String]>,
    others: Option<&[OtherAttendeeInput]>,
) -> AppResult<Option<Vec<AttendeeRow>>> {
    if staff.is_none() && others.is_none() {
        return Ok(None);
    }
    let mut rows = Vec::new();
    for (i, uid) in staff.unwrap_or_default().iter().enumerate() {
        let field = format!("staff_attendee_ids[{i}]");
        if staff.unwrap_or_default()[..i].contains(uid) {
            e.add(field, "is listed twice");
            continue;
        }
        active_user(c, e, &field, uid)?;
        rows.push(attendee(m, "staff", Some(uid.clone()), None, None, None));
    }
    for (i, o) in others.unwrap_or_default().iter().enumerate() {
        let field = |part: &str| format!("other_attendees[{i}].{part}");
        let name = input::text(e, &field("name"), &o.name, 200, true);
        let role = input::text(e, &field("role"), &o.role, 200, true);
        let email = input::optional_text(e, &field("email"), o.email.as_deref(), 254);
        if let Some(addr) = &email
            && account::parse_email(addr).is_err()
        {
            e.add(field("email"), "is not a valid email address");
        }
        rows.push(attendee(m, "other", None, Some(name), Some(role), email));
    }
    if staff.is_none() || others.is_none() {
        // Only one list given: keep the stored entries of the other kind.
        let keep_kind = if staff.is_none() { "staff" } else { "other" };
        let mut kept: Vec<AttendeeRow> = meetings::attendees(c, &m.id)?
            .into_iter()
            .filter(|a| a.kind == keep_kind)
            .collect();
        kept.append(&mut rows);
        rows = kept;
    }
    for (i, r) in rows.iter_mut().enumerate() {
        r.position = i32::try_from(i).unwrap_or(i32::MAX);
        r.id = crate::db::ids::new_id();
    }
    Ok(Some(rows))
}

/// An attendee row of meeting `m` (its id and position are set once the list is complete).
fn attendee(
    m: &MeetingRecord,
    kind: &str,
    user_id: Option<String>,
    name: Option<String>,
    role_label: Option<String>,
    email: Option<String>,
) -> AttendeeRow {
    AttendeeRow {
        id: String::new(),
        meeting_id: m.id.clone(),
        position: 0,
        kind: kind.into(),
        user_id,
        name,
        role_label,
        email,
    }
}

/// Write the attendees and the schedule row of a booking; the column changes it makes.
fn book(
    c: &mut DbConnection,
    ctx: &Ctx,
    m: &MeetingRecord,
    b: Booking,
    reason: Option<String>,
    sequence: i32,
) -> AppResult<MeetingChanges> {
    if let Some(rows) = &b.attendees {
        meetings::replace_attendees(c, &m.id, rows)?;
    }
    meetings::insert_schedule(
        c,
        &ScheduleRow {
            id: crate::db::ids::new_id(),
            meeting_id: m.id.clone(),
            sequence,
            starts_at: b.starts_at,
            ends_at: b.ends_at,
            location: b.location.clone(),
            video_link: b.video_link.clone(),
            reason,
            changed_by: ctx.actor.user_id.clone(),
            changed_at: ctx.now,
        },
    )?;
    Ok(MeetingChanges {
        starts_at: Some(Some(b.starts_at)),
        ends_at: Some(Some(b.ends_at)),
        location: Some(b.location),
        video_link: Some(b.video_link),
        organiser_id: Some(Some(b.organiser_id)),
        interpreter_language: Some(b.interpreter_language),
        advocate: Some(b.advocate),
        accessibility_needs: Some(b.accessibility_needs),
        ..Default::default()
    })
}

pub fn schedule(
    req: ScheduleMeetingRequest,
) -> impl FnOnce(&mut DbConnection, &Ctx, &Meeting) -> AppResult<Step> + Send {
    move |c, ctx, t| {
        let m = &t.meeting;
        let mut e = Errors::default();
        let organiser = req
            .organiser_id
            .clone()
            .unwrap_or_else(|| ctx.actor.user_id.clone());
        let booking = check_booking(
            c,
            &mut e,
            m,
            BookingInput {
                starts_at: req.starts_at,
                ends_at: req.ends_at,
                location: req.location.as_deref(),
                video_link: req.video_link.as_deref(),
                organiser_id: &organiser,
                staff: Some(&req.staff_attendee_ids),
                others: Some(&req.other_attendees),
                interpreter_language: req.interpreter_language.as_deref(),
                advocate: req.advocate.as_deref(),
                accessibility_needs: req.accessibility_needs.as_deref(),
            },
        )?;
        e.done()?;
        let starts = booking.starts_at;
        let attendees = booking.attendees.as_ref().map_or(0, Vec::len);
        let changes = book(
            c,
            ctx,
            m,
            booking,
            None,
            t.sequence_after(MeetingAction::Schedule),
        )?;
        Ok(Step {
            changes,
            summary: format!(
                "Meeting scheduled for {} UTC",
                starts.format("%Y-%m-%d %H:%M")
            ),
            details: json!({ "attendees": attendees }),
        })
    }
}

pub fn reschedule(
    req: RescheduleMeetingRequest,
) -> impl FnOnce(&mut DbConnection, &Ctx, &Meeting) -> AppResult<Step> + Send {
    move |c, ctx, t| {
        let m = &t.meeting;
        let mut e = Errors::default();
        let reason = input::text(&mut e, "reason", &req.reason, input::MAX_TEXT, true);
        let keep = |given: &Option<Option<String>>, stored: &Option<String>| -> Option<String> {
            match given {
                Some(v) => v.clone(),
                None => stored.clone(),
            }
        };
        let location = keep(&req.location, &m.location);
        let video_link = keep(&req.video_link, &m.video_link);
        let interpreter = keep(&req.interpreter_language, &m.interpreter_language);
        let advocate = keep(&req.advocate, &m.advocate);
        let needs = keep(&req.accessibility_needs, &m.accessibility_needs);
        let organiser = req
            .organiser_id
            .clone()
            .or_else(|| m.organiser_id.clone())
            .unwrap_or_else(|| ctx.actor.user_id.clone());
        let booking = check_booking(
            c,
            &mut e,
            m,
            BookingInput {
                starts_at: req.starts_at,
                ends_at: req.ends_at,
                location: location.as_deref(),
                video_link: video_link.as_deref(),
                organiser_id: &organiser,
                staff: req.staff_attendee_ids.as_deref(),
                others: req.other_attendees.as_deref(),
                interpreter_language: interpreter.as_deref(),
                advocate: advocate.as_deref(),
                accessibility_needs: needs.as_deref(),
            },
        )?;
        e.done()?;
        let starts = booking.starts_at;
        let previous = m.starts_at;
        let sequence = t.sequence_after(MeetingAction::Reschedule);
        let changes = book(c, ctx, m, booking, Some(reason), sequence)?;
        Ok(Step {
            changes,
            summary: format!(
                "Meeting rescheduled to {} UTC (invitation sequence {})",
                starts.format("%Y-%m-%d %H:%M"),
                sequence
            ),
            details: json!({
                "previous_starts_at": previous.map(|t| t.and_utc()),
                "sequence": sequence,
            }),
        })
    }
}

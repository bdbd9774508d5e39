//! Rows and queries for face-to-face meetings, their attendees, reschedules and follow-up actions.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::connection::DbConnection;
use super::error::DbResult;
use super::schema::{meeting_actions, meeting_attendees, meeting_schedules, meetings};
use super::versioned::versioned_update;
use crate::domain::meeting::MeetingStatus;

/// A meeting row. Serialised (minus bookkeeping) to diff before/after values on the timeline;
/// free text is left out of that diff so that personal details stay off the hash chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = meetings, treat_none_as_default_value = false)]
pub struct MeetingRecord {
    pub id: String,
    pub case_id: String,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub status: MeetingStatus,
    pub offered_on: NaiveDate,
    pub offer_method: Option<String>,
    #[serde(skip)]
    pub offer_note: Option<String>,
    pub accepted_on: Option<NaiveDate>,
    pub declined_on: Option<NaiveDate>,
    #[serde(skip)]
    pub decline_reason: Option<String>,
    pub starts_at: Option<NaiveDateTime>,
    pub ends_at: Option<NaiveDateTime>,
    #[serde(skip)]
    pub location: Option<String>,
    #[serde(skip)]
    pub video_link: Option<String>,
    pub organiser_id: Option<String>,
    #[serde(skip)]
    pub interpreter_language: Option<String>,
    #[serde(skip)]
    pub advocate: Option<String>,
    #[serde(skip)]
    pub accessibility_needs: Option<String>,
    pub sequence: i32,
    pub held_on: Option<NaiveDate>,
    #[serde(skip)]
    pub notes: Option<String>,
    pub summary_sent_on: Option<NaiveDate>,
    pub cancelled_on: Option<NaiveDate>,
    #[serde(skip)]
    pub cancel_reason: Option<String>,
    #[serde(skip)]
    pub version: i32,
    pub created_by: String,
    #[serde(skip)]
    pub created_at: NaiveDateTime,
    #[serde(skip)]
    pub updated_at: NaiveDateTime,
}

impl From<MeetingStatus> for String {
    fn from(s: MeetingStatus) -> Self {
        s.as_str().to_string()
    }
}

/// Column changes; `None` leaves a column alone, `Some(None)` clears a nullable one.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = meetings)]
pub struct MeetingChanges {
    pub status: Option<String>,
    pub accepted_on: Option<Option<NaiveDate>>,
    pub declined_on: Option<Option<NaiveDate>>,
    pub decline_reason: Option<Option<String>>,
    pub starts_at: Option<Option<NaiveDateTime>>,
    pub ends_at: Option<Option<NaiveDateTime>>,
    pub location: Option<Option<String>>,
    pub video_link: Option<Option<String>>,
    pub organiser_id: Option<Option<String>>,
    pub interpreter_language: Option<Option<String>>,
    pub advocate: Option<Option<String>>,
    pub accessibility_needs: Option<Option<String>>,
    pub sequence: Option<i32>,
    pub held_on: Option<Option<NaiveDate>>,
    pub notes: Option<Option<String>>,
    pub summary_sent_on: Option<Option<NaiveDate>>,
    pub cancelled_on: Option<Option<NaiveDate>>,
    pub cancel_reason: Option<Option<String>>,
}

pub fn insert(conn: &mut DbConnection, m: &MeetingRecord) -> DbResult<()> {
    diesel::insert_into(meetings::table)
        .values(m.clone())
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &str) -> DbResult<Option<MeetingRecord>> {
    Ok(meetings::table
        .find(id)
        .select(MeetingRecord::as_select())
        .first(conn)
        .optional()?)
}

/// A case's meetings, oldest first.
pub fn for_case(conn: &mut DbConnection, case_id: &str) -> DbResult<Vec<MeetingRecord>> {
    Ok(meetings::table
        .filter(meetings::case_id.eq(case_id))
        .order((meetings::created_at.asc(), meetings::id.asc()))
        .select(MeetingRecord::as_select())
        .load(conn)?)
}

versioned_update!(
    /// Apply a step if the meeting is still at `expected_version`.
    update_versioned,
    meetings,
    MeetingChanges
);

/// One attendee: a member of staff (`user_id`) or someone else by name and role.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = meeting_attendees, treat_none_as_default_value = false)]
pub struct AttendeeRow {
    pub id: String,
    pub meeting_id: String,
    pub position: i32,
    pub kind: String,
    pub user_id: Option<String>,
    pub name: Option<String>,
    pub role_label: Option<String>,
    pub email: Option<String>,
}

/// Replace a meeting's attendees (in the given order).
pub fn replace_attendees(
    conn: &mut DbConnection,
    meeting_id: &str,
    rows: &[AttendeeRow],
) -> DbResult<()> {
    diesel::delete(meeting_attendees::table.filter(meeting_attendees::meeting_id.eq(meeting_id)))
        .execute(conn)?;
    for row in rows {
        diesel::insert_into(meeting_attendees::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

pub fn attendees(conn: &mut DbConnection, meeting_id: &str) -> DbResult<Vec<AttendeeRow>> {
    Ok(meeting_attendees::table
        .filter(meeting_attendees::meeting_id.eq(meeting_id))
        .order(meeting_attendees::position.asc())
        .select(AttendeeRow::as_select())
        .load(conn)?)
}

/// One time and place the meeting was set for; every schedule and reschedule adds one.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = meeting_schedules, treat_none_as_default_value = false)]
pub struct ScheduleRow {
    pub id: String,
    pub meeting_id: String,
    pub sequence: i32,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub location: Option<String>,
    pub video_link: Option<String>,
    pub reason: Option<String>,
    pub changed_by: String,
    pub changed_at: NaiveDateTime,
}

pub fn insert_schedule(conn: &mut DbConnection, row: &ScheduleRow) -> DbResult<()> {
    diesel::insert_into(meeting_schedules::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Every time and place set for a meeting, in order.
pub fn schedules(conn: &mut DbConnection, meeting_id: &str) -> DbResult<Vec<ScheduleRow>> {
    Ok(meeting_schedules::table
        .filter(meeting_schedules::meeting_id.eq(meeting_id))
        .order(meeting_schedules::sequence.asc())
        .select(ScheduleRow::as_select())
        .load(conn)?)
}

/// A follow-up action agreed at the meeting.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = meeting_actions, treat_none_as_default_value = false)]
pub struct ActionRow {
    pub id: String,
    pub meeting_id: String,
    pub position: i32,
    pub description: String,
    pub owner_id: Option<String>,
    pub due_on: Option<NaiveDate>,
}

pub fn insert_action(conn: &mut DbConnection, row: &ActionRow) -> DbResult<()> {
    diesel::insert_into(meeting_actions::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn actions(conn: &mut DbConnection, meeting_id: &str) -> DbResult<Vec<ActionRow>> {
    Ok(meeting_actions::table
        .filter(meeting_actions::meeting_id.eq(meeting_id))
        .order(meeting_actions::position.asc())
        .select(ActionRow::as_select())
        .load(conn)?)
}

/// Meetings offered, accepted, declined and held with their dates in [`from`, `to`] (for the
/// board report): counted by the date of each event.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct MeetingCounts {
    pub offered: i64,
    pub accepted: i64,
    pub declined: i64,
    pub held: i64,
}

pub fn counts(conn: &mut DbConnection, from: NaiveDate, to: NaiveDate) -> DbResult<MeetingCounts> {
    counts_in(conn, None, from, to)
}

/// [`counts`], only for meetings on cases about any of `service_ids` (when given).
pub fn counts_in(
    conn: &mut DbConnection,
    service_ids: Option<&[String]>,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<MeetingCounts> {
    use super::schema::case_services;
    let scoped = || {
        let mut q = meetings::table.into_boxed();
        if let Some(ids) = service_ids {
            q = q.filter(diesel::dsl::exists(
                case_services::table
                    .filter(case_services::case_id.eq(meetings::case_id))
                    .filter(case_services::service_id.eq_any(ids.to_vec())),
            ));
        }
        q
    };
    let offered = scoped()
        .filter(meetings::offered_on.between(from, to))
        .count()
        .get_result(conn)?;
    let accepted = scoped()
        .filter(meetings::accepted_on.between(from, to))
        .count()
        .get_result(conn)?;
    let declined = scoped()
        .filter(meetings::declined_on.between(from, to))
        .count()
        .get_result(conn)?;
    let held = scoped()
        .filter(meetings::held_on.between(from, to))
        .count()
        .get_result(conn)?;
    Ok(MeetingCounts {
        offered,
        accepted,
        declined,
        held,
    })
}

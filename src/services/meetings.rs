//! Face-to-face meetings: offered, accepted or declined, scheduled (and rescheduled, the earlier
//! times kept), held or cancelled. Each change is one transaction that also writes a timeline
//! event on the case; free text (notes, reasons, places) stays on the meeting, off the
//! hash-chained timeline. The invitation is an iCalendar file ([`invite_ics`]).

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::Actor;
use super::case_input::{self as input, Errors};
use super::cases::{diff, load_visible, required_version_of, stale_of, today};
use super::notify::{Messenger, meeting_when};
use crate::db::cases::{self, CaseRecord};
use crate::db::meetings::{
    self, ActionRow, AttendeeRow, MeetingChanges, MeetingCounts, MeetingRecord, ScheduleRow,
};
use crate::db::{self, Db, DbConnection, persons, timeline, users};
use crate::domain::account::{self, User};
use crate::domain::case::{CaseKind, CaseStatus};
use crate::domain::ical::{self, Attendee, AttendeeRole, Invitation, Method, Party};
use crate::domain::meeting::{self as rules, MeetingAction, MeetingStatus, OfferMethod};
use crate::domain::outbox::Attachment;
use crate::domain::role::Permission;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

const MAX_PLACE: usize = 500;
const MAX_LINK: usize = 2000;
const MAX_MEETING_HOURS: i64 = 12;

fn meeting_not_found() -> AppError {
    AppError::NotFound("No meeting has this id.".into())
}

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

fn has_time(m: &MeetingRecord) -> bool {
    m.starts_at.is_some() && m.ends_at.is_some()
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
    let invitable = has_time(&m) && m.status != MeetingStatus::Declined;
    Ok(MeetingView {
        allowed_actions: rules::allowed_actions(m.status, m.summary_sent_on.is_some()),
        invite_url: invitable.then(|| format!("/api/v1/meetings/{}/invite.ics", m.id)),
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

fn done(e: Errors) -> AppResult<()> {
    if e.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(e.0))
    }
}

/// A day that must be today or earlier and not before `floor` (named in the message).
fn day_between(
    e: &mut Errors,
    field: &str,
    day: NaiveDate,
    floor: NaiveDate,
    what: &str,
    today: NaiveDate,
) {
    input::past_date(e, field, day, today);
    if day < floor {
        e.add(field, format!("is before {what}"));
    }
}

/// Check that `id` names an active member of staff.
fn active_user(
    conn: &mut DbConnection,
    e: &mut Errors,
    field: &str,
    id: &str,
) -> AppResult<Option<User>> {
    let user = users::find(conn, id)?;
    match user {
        Some(u) if u.active => Ok(Some(u)),
        Some(_) => {
            e.add(field, "is a deactivated account");
            Ok(None)
        }
        None => {
            e.add(field, "is not a user id");
            Ok(None)
        }
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfferMeetingRequest {
    /// Defaults to today.
    pub offered_on: Option<NaiveDate>,
    pub method: Option<OfferMethod>,
    pub note: Option<String>,
}

/// Offer a face-to-face meeting on case `case_id` (the body is parsed after the role check).
pub async fn offer(
    state: &AppState,
    actor: &Actor,
    case_id: String,
    raw: Value,
) -> AppResult<MeetingView> {
    actor.require(Permission::ManageMeetings)?;
    let actor = actor.clone();
    let view = state
        .db
        .write(move |c| -> AppResult<MeetingView> {
            let case = load_visible(c, &actor, &case_id)?;
            let req: OfferMeetingRequest = crate::json::from_value(raw)?;
            let today = today();
            let mut e = Errors::default();
            let on = req.offered_on.unwrap_or(today);
            day_between(&mut e, "offered_on", on, case.received_on, "the day the case was received", today);
            let note = input::optional_text(&mut e, "note", req.note.as_deref(), input::MAX_TEXT);
            done(e)?;
            if case.status == CaseStatus::Withdrawn {
                return Err(AppError::Conflict {
                    detail: "A meeting cannot be offered on a withdrawn case.".into(),
                    current_state: Some(case.status.as_str().into()),
                    allowed_actions: None,
                });
            }
            let now = db::now();
            cases::touch(c, &case.id, now)?;
            if let Some(open) = meetings::for_case(c, &case.id)?
                .into_iter()
                .find(|m| m.status.is_open())
            {
                return Err(AppError::conflict(format!(
                    "Meeting {} on this case is still {}: finish or cancel it before offering another.",
                    open.id, open.status
                )));
            }
            let m = MeetingRecord {
                id: uuid::Uuid::new_v4().to_string(),
                case_id: case.id.clone(),
                status: MeetingStatus::Offered,
                offered_on: on,
                offer_method: req.method.map(|m| m.as_str().to_string()),
                offer_note: note,
                accepted_on: None,
                declined_on: None,
                decline_reason: None,
                starts_at: None,
                ends_at: None,
                location: None,
                video_link: None,
                organiser_id: None,
                interpreter_language: None,
                advocate: None,
                accessibility_needs: None,
                sequence: 0,
                held_on: None,
                notes: None,
                summary_sent_on: None,
                cancelled_on: None,
                cancel_reason: None,
                version: 1,
                created_by: actor.user_id.clone(),
                created_at: now,
                updated_at: now,
            };
            meetings::insert(c, &m)?;
            timeline::append(
                c,
                &case.id,
                Some(&actor.user_id),
                "meeting_offered",
                "Face-to-face meeting offered",
                &json!({ "meeting_id": m.id, "offered_on": on, "method": m.offer_method }),
                now,
            )?;
            view(c, m)
        })
        .await?;
    tracing::info!(meeting.id = %view.id, "meeting offered");
    Ok(view)
}

/// The meetings of a case, oldest first. The read is recorded in the access log.
pub async fn list_for_case(
    state: &AppState,
    actor: &Actor,
    case_id: String,
    route: &str,
) -> AppResult<Vec<MeetingView>> {
    actor.require(Permission::ReadCaseRecords)?;
    let actor = actor.clone();
    let route = route.to_string();
    state
        .db
        .write(move |c| -> AppResult<Vec<MeetingView>> {
            load_visible(c, &actor, &case_id)?;
            timeline::record_access(c, &case_id, &actor.user_id, &route, db::now())?;
            meetings::for_case(c, &case_id)?
                .into_iter()
                .map(|m| view(c, m))
                .collect()
        })
        .await
}

/// Load meeting `id` and its case if the actor may see the case.
fn load_meeting(
    c: &mut DbConnection,
    actor: &Actor,
    id: &str,
) -> AppResult<(MeetingRecord, CaseRecord)> {
    let m = meetings::find(c, id)?.ok_or_else(meeting_not_found)?;
    let case = load_visible(c, actor, &m.case_id)?;
    Ok((m, case))
}

/// One meeting. The read is recorded in the case's access log.
pub async fn get(
    state: &AppState,
    actor: &Actor,
    id: String,
    route: &str,
) -> AppResult<MeetingView> {
    actor.require(Permission::ReadCaseRecords)?;
    let actor = actor.clone();
    let route = route.to_string();
    state
        .db
        .write(move |c| -> AppResult<MeetingView> {
            let (m, case) = load_meeting(c, &actor, &id)?;
            timeline::record_access(c, &case.id, &actor.user_id, &route, db::now())?;
            view(c, m)
        })
        .await
}

/// What a meeting action needs besides the meeting.
pub struct Ctx {
    pub actor: Actor,
    pub today: NaiveDate,
    pub now: NaiveDateTime,
    /// The invitation's SEQUENCE after this action.
    pub sequence: i32,
}

/// What an action decided: the column changes and its timeline entry.
pub struct Step {
    pub changes: MeetingChanges,
    pub summary: String,
    pub details: Value,
}

fn event_kind(action: MeetingAction) -> &'static str {
    match action {
        MeetingAction::Accept => "meeting_accepted",
        MeetingAction::Decline => "meeting_declined",
        MeetingAction::Schedule => "meeting_scheduled",
        MeetingAction::Reschedule => "meeting_rescheduled",
        MeetingAction::Hold => "meeting_held",
        MeetingAction::Cancel => "meeting_cancelled",
        MeetingAction::SummarySent => "meeting_summary_sent",
    }
}

/// The permission an action needs: investigators may record that a meeting was held.
pub fn permission_for(action: MeetingAction) -> Permission {
    match action {
        MeetingAction::Hold | MeetingAction::SummarySent => Permission::RecordMeetingNotes,
        _ => Permission::ManageMeetings,
    }
}

/// Run `action` on meeting `id`. `parse` turns the raw body into its version and the step; it
/// runs after the role check, so a role that may not act hears 403 before any 400.
pub async fn run<P, F>(
    state: &AppState,
    actor: &Actor,
    id: String,
    action: MeetingAction,
    if_match: Option<i32>,
    raw: Value,
    parse: P,
) -> AppResult<MeetingView>
where
    P: FnOnce(Value) -> AppResult<(Option<i32>, F)> + Send + 'static,
    F: FnOnce(&mut DbConnection, &Ctx, &MeetingRecord, &CaseRecord) -> AppResult<Step>,
{
    actor.require(permission_for(action))?;
    let actor = actor.clone();
    let messenger = Messenger::from_state(state);
    let view = state
        .db
        .write(move |c| -> AppResult<MeetingView> {
            let (m, case) = load_meeting(c, &actor, &id)?;
            let (body_version, f) = parse(raw)?;
            let version = required_version_of("meeting", if_match, body_version)?;
            if m.version != version {
                return Err(stale_of("meeting", m.version));
            }
            let allowed = rules::allowed_actions(m.status, m.summary_sent_on.is_some());
            if !allowed.contains(&action) {
                return Err(AppError::Conflict {
                    detail: format!(
                        "'{action}' is not possible while the meeting is {}.",
                        m.status
                    ),
                    current_state: Some(m.status.as_str().into()),
                    allowed_actions: Some(allowed.iter().map(|a| a.as_str().to_string()).collect()),
                });
            }
            let ctx = Ctx {
                actor: actor.clone(),
                today: today(),
                now: db::now(),
                sequence: rules::next_sequence(
                    m.sequence,
                    action,
                    m.status == MeetingStatus::Scheduled,
                ),
            };
            cases::touch(c, &case.id, ctx.now)?;
            let mut step = f(c, &ctx, &m, &case)?;
            let next = rules::next_status(m.status, action);
            if next != m.status {
                step.changes.status = Some(next.as_str().into());
            }
            if ctx.sequence != m.sequence {
                step.changes.sequence = Some(ctx.sequence);
            }
            if !meetings::update_versioned(c, &id, version, &step.changes, ctx.now)? {
                return Err(stale_of("meeting", m.version));
            }
            let after = meetings::find(c, &id)?.ok_or_else(meeting_not_found)?;
            let mut details = step.details;
            if let Value::Object(map) = &mut details {
                let before = serde_json::to_value(&m).unwrap_or(Value::Null);
                let now = serde_json::to_value(&after).unwrap_or(Value::Null);
                map.insert("meeting_id".into(), json!(id));
                map.insert("changes".into(), diff(&before, &now));
            }
            timeline::append(
                c,
                &case.id,
                Some(&ctx.actor.user_id),
                event_kind(action),
                &step.summary,
                &details,
                ctx.now,
            )?;
            let was_booked = m.status == MeetingStatus::Scheduled;
            tell_complainant(c, &messenger, &ctx, action, was_booked, &after, &case)?;
            view(c, after)
        })
        .await?;
    state.outbox.wake();
    tracing::info!(meeting.id = %view.id, meeting.action = %action, "meeting action");
    Ok(view)
}

/// Send the complainant the invitation, the new time or the cancellation, with the `.ics`.
fn tell_complainant(
    c: &mut DbConnection,
    messenger: &Messenger,
    ctx: &Ctx,
    action: MeetingAction,
    was_booked: bool,
    meeting: &MeetingRecord,
    case: &CaseRecord,
) -> AppResult<()> {
    let (template, label) = match action {
        MeetingAction::Schedule => ("meeting_invitation", "Meeting invitation"),
        MeetingAction::Reschedule => ("meeting_changed", "Meeting change"),
        MeetingAction::Cancel if was_booked => ("meeting_cancelled", "Meeting cancellation"),
        _ => return Ok(()),
    };
    let Some(starts) = meeting.starts_at else {
        return Ok(());
    };
    let invite = invite_ics(c, &meeting.id)?;
    let attachment = Attachment::new(
        &invite.filename,
        format!("text/calendar; method={}", invite.method),
        &invite.bytes,
    );
    let letter = messenger.to_complainant(
        c,
        case,
        template,
        json!({
            "meeting": {
                "when": meeting_when(starts, meeting.ends_at),
                "place": meeting.location,
                "video": meeting.video_link.is_some(),
            }
        }),
        false,
        Some(&ctx.actor.user_id),
        vec![attachment],
        ctx.now,
    )?;
    let how = if letter.channel == "email" {
        "emailed"
    } else {
        "to post"
    };
    timeline::append(
        c,
        &case.id,
        Some(&ctx.actor.user_id),
        "letter",
        &format!("{label} {how}"),
        &json!({ "letter_id": letter.id, "template": template, "channel": letter.channel, "meeting_id": meeting.id }),
        ctx.now,
    )?;
    Ok(())
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptMeetingRequest {
    pub version: Option<i32>,
    /// Defaults to today.
    pub accepted_on: Option<NaiveDate>,
}

pub fn accept(
    req: AcceptMeetingRequest,
) -> impl FnOnce(&mut DbConnection, &Ctx, &MeetingRecord, &CaseRecord) -> AppResult<Step> + Send {
    move |_, ctx, m, _| {
        let mut e = Errors::default();
        let on = req.accepted_on.unwrap_or(ctx.today);
        day_between(
            &mut e,
            "accepted_on",
            on,
            m.offered_on,
            "the offer",
            ctx.today,
        );
        done(e)?;
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
) -> impl FnOnce(&mut DbConnection, &Ctx, &MeetingRecord, &CaseRecord) -> AppResult<Step> + Send {
    move |_, ctx, m, _| {
        let mut e = Errors::default();
        let on = req.declined_on.unwrap_or(ctx.today);
        day_between(
            &mut e,
            "declined_on",
            on,
            m.offered_on,
            "the offer",
            ctx.today,
        );
        let reason = input::optional_text(&mut e, "reason", req.reason.as_deref(), input::MAX_TEXT);
        done(e)?;
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
    use chrono::SubsecRound;
    let starts_at = b.starts_at.naive_utc().trunc_subsecs(0);
    let ends_at = b.ends_at.naive_utc().trunc_subsecs(0);
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
    let mut rows = Vec::new();
    if let Some(staff) = b.staff {
        for (i, uid) in staff.iter().enumerate() {
            let field = format!("staff_attendee_ids[{i}]");
            if staff[..i].contains(uid) {
                e.add(field, "is listed twice");
                continue;
            }
            active_user(c, e, &field, uid)?;
            rows.push(AttendeeRow {
                id: uuid::Uuid::new_v4().to_string(),
                meeting_id: m.id.clone(),
                position: i32::try_from(rows.len()).unwrap_or(i32::MAX),
                kind: "staff".into(),
                user_id: Some(uid.clone()),
                name: None,
                role_label: None,
                email: None,
            });
        }
    }
    if let Some(others) = b.others {
        for (i, o) in others.iter().enumerate() {
            let name = input::text(e, &format!("other_attendees[{i}].name"), &o.name, 200, true);
            let role = input::text(e, &format!("other_attendees[{i}].role"), &o.role, 200, true);
            let email = input::optional_text(
                e,
                &format!("other_attendees[{i}].email"),
                o.email.as_deref(),
                254,
            );
            if let Some(addr) = &email
                && account::parse_email(addr).is_err()
            {
                e.add(
                    format!("other_attendees[{i}].email"),
                    "is not a valid email address",
                );
            }
            rows.push(AttendeeRow {
                id: uuid::Uuid::new_v4().to_string(),
                meeting_id: m.id.clone(),
                position: i32::try_from(rows.len()).unwrap_or(i32::MAX),
                kind: "other".into(),
                user_id: None,
                name: Some(name),
                role_label: Some(role),
                email,
            });
        }
    }
    let replace = b.staff.is_some() || b.others.is_some();
    if replace && (b.staff.is_none() || b.others.is_none()) {
        // Only one list given: keep the stored entries of the other kind.
        let keep_kind = if b.staff.is_none() { "staff" } else { "other" };
        let mut kept: Vec<AttendeeRow> = meetings::attendees(c, &m.id)?
            .into_iter()
            .filter(|a| a.kind == keep_kind)
            .collect();
        kept.append(&mut rows);
        rows = kept;
    }
    for (i, r) in rows.iter_mut().enumerate() {
        r.position = i32::try_from(i).unwrap_or(i32::MAX);
        r.id = uuid::Uuid::new_v4().to_string();
    }
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
        attendees: replace.then_some(rows),
        interpreter_language,
        advocate,
        accessibility_needs,
    })
}

/// Write the attendees and the schedule row of a booking; the column changes it makes.
fn book(
    c: &mut DbConnection,
    ctx: &Ctx,
    m: &MeetingRecord,
    b: Booking,
    reason: Option<String>,
) -> AppResult<MeetingChanges> {
    if let Some(rows) = &b.attendees {
        meetings::replace_attendees(c, &m.id, rows)?;
    }
    meetings::insert_schedule(
        c,
        &ScheduleRow {
            id: uuid::Uuid::new_v4().to_string(),
            meeting_id: m.id.clone(),
            sequence: ctx.sequence,
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
) -> impl FnOnce(&mut DbConnection, &Ctx, &MeetingRecord, &CaseRecord) -> AppResult<Step> + Send {
    move |c, ctx, m, _| {
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
        done(e)?;
        let starts = booking.starts_at;
        let attendees = booking.attendees.as_ref().map_or(0, Vec::len);
        let changes = book(c, ctx, m, booking, None)?;
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
) -> impl FnOnce(&mut DbConnection, &Ctx, &MeetingRecord, &CaseRecord) -> AppResult<Step> + Send {
    move |c, ctx, m, _| {
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
        done(e)?;
        let starts = booking.starts_at;
        let previous = m.starts_at;
        let changes = book(c, ctx, m, booking, Some(reason))?;
        Ok(Step {
            changes,
            summary: format!(
                "Meeting rescheduled to {} UTC (invitation sequence {})",
                starts.format("%Y-%m-%d %H:%M"),
                ctx.sequence
            ),
            details: json!({
                "previous_starts_at": previous.map(|t| t.and_utc()),
                "sequence": ctx.sequence,
            }),
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
) -> impl FnOnce(&mut DbConnection, &Ctx, &MeetingRecord, &CaseRecord) -> AppResult<Step> + Send {
    move |c, ctx, m, _| {
        let mut e = Errors::default();
        let on = req.held_on.unwrap_or(ctx.today);
        day_between(&mut e, "held_on", on, m.offered_on, "the offer", ctx.today);
        if m.starts_at.is_some_and(|t| on < t.date()) {
            e.add("held_on", "is before the day the meeting was scheduled for");
        }
        let notes = input::text(&mut e, "notes", &req.notes, input::MAX_TEXT, true);
        if let Some(sent) = req.summary_sent_on {
            day_between(
                &mut e,
                "summary_sent_on",
                sent,
                on,
                "the meeting",
                ctx.today,
            );
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
                id: uuid::Uuid::new_v4().to_string(),
                meeting_id: m.id.clone(),
                position: i32::try_from(i).unwrap_or(i32::MAX),
                description,
                owner_id: a.owner_id.clone(),
                due_on: a.due_on,
            });
        }
        done(e)?;
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
) -> impl FnOnce(&mut DbConnection, &Ctx, &MeetingRecord, &CaseRecord) -> AppResult<Step> + Send {
    move |_, ctx, m, _| {
        let mut e = Errors::default();
        let reason = input::text(&mut e, "reason", &req.reason, input::MAX_TEXT, true);
        let on = req.cancelled_on.unwrap_or(ctx.today);
        day_between(
            &mut e,
            "cancelled_on",
            on,
            m.offered_on,
            "the offer",
            ctx.today,
        );
        done(e)?;
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
) -> impl FnOnce(&mut DbConnection, &Ctx, &MeetingRecord, &CaseRecord) -> AppResult<Step> + Send {
    move |_, ctx, m, _| {
        let mut e = Errors::default();
        let on = req.sent_on.unwrap_or(ctx.today);
        let held = m.held_on.unwrap_or(m.offered_on);
        day_between(&mut e, "sent_on", on, held, "the meeting", ctx.today);
        done(e)?;
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
        return Err(AppError::Conflict {
            detail: "The meeting has no time yet, so there is nothing to invite to.".into(),
            current_state: Some(m.status.as_str().into()),
            allowed_actions: None,
        });
    };
    let case = cases::find(conn, &m.case_id)?
        .ok_or_else(|| AppError::internal("meeting without its case"))?;
    let organiser_id = m
        .organiser_id
        .clone()
        .unwrap_or_else(|| m.created_by.clone());
    let organiser = users::find(conn, &organiser_id)?
        .ok_or_else(|| AppError::internal("meeting organiser missing"))?;
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

/// The invitation for download. The read is recorded in the case's access log.
pub async fn invite(state: &AppState, actor: &Actor, id: String, route: &str) -> AppResult<Invite> {
    actor.require(Permission::ReadCaseRecords)?;
    let actor = actor.clone();
    let route = route.to_string();
    state
        .db
        .write(move |c| -> AppResult<Invite> {
            let (m, case) = load_meeting(c, &actor, &id)?;
            if m.status == MeetingStatus::Declined {
                return Err(AppError::Conflict {
                    detail: "The meeting was declined: there is no invitation.".into(),
                    current_state: Some(m.status.as_str().into()),
                    allowed_actions: None,
                });
            }
            let invite = invite_ics(c, &m.id)?;
            timeline::record_access(c, &case.id, &actor.user_id, &route, db::now())?;
            Ok(invite)
        })
        .await
}

/// Meetings offered, accepted, declined and held in [`from`, `to`], each counted by the day it
/// happened (for the board report).
pub async fn counts(db: &Db, from: NaiveDate, to: NaiveDate) -> AppResult<MeetingCounts> {
    db.read(move |c| meetings::counts(c, from, to).map_err(AppError::from))
        .await
}

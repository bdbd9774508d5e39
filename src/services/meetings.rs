//! Face-to-face meetings: offered, accepted or declined, scheduled (and rescheduled, the earlier
//! times kept), held or cancelled. Each step is a versioned command on the meeting
//! ([`command::run`] with a [`Meeting`] target): one transaction that also writes a timeline
//! event on the case; free text (notes, reasons, places) stays on the meeting, off the
//! hash-chained timeline. The invitation is an iCalendar file ([`invite_ics`]).

mod booking;
mod invite;
mod steps;
mod view;

pub use booking::*;
pub use invite::*;
pub use steps::*;
pub use view::*;

use chrono::{NaiveDate, NaiveDateTime};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::Actor;
use super::access::{load_visible, lock_visible, logged_read};
use super::case_input::{self as input, Errors};
use super::command::typed_body;
use super::command::{self, Letter, Moves, Request, Target, fields_of};
use super::notify::meeting_when;
use crate::db::cases;
use crate::db::meetings::{self, MeetingChanges, MeetingCounts, MeetingRecord};
use crate::db::{Db, DbConnection, timeline, users};
use crate::domain::account::User;
use crate::domain::case::Case;
use crate::domain::case::CaseStatus;
use crate::domain::meeting::{self as rules, MeetingAction, MeetingStatus, OfferMethod};
use crate::domain::outbox::Attachment;
use crate::domain::role::Permission;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub use super::command::Ctx;

/// What a meeting step decided: the meeting's column changes and its timeline entry.
pub type Step = command::Step<MeetingChanges>;

const MAX_PLACE: usize = 500;
const MAX_LINK: usize = 2000;
const MAX_MEETING_HOURS: i64 = 12;

fn meeting_not_found() -> AppError {
    AppError::NotFound("No meeting has this id.".into())
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
    let (today, now) = (state.clock.today(), state.clock.now());
    let view = state
        .db
        .write(move |c| -> AppResult<MeetingView> {
            let case = load_visible(c, &actor, &case_id)?;
            let req: OfferMeetingRequest = crate::json::from_value(raw)?;
            let mut e = Errors::default();
            let on = req.offered_on.unwrap_or(today);
            input::day_between(&mut e, "offered_on", on, (case.received_on, "the day the case was received"), today);
            let note = input::optional_text(&mut e, "note", req.note.as_deref(), input::MAX_TEXT);
            e.done()?;
            if case.status == CaseStatus::Withdrawn {
                return Err(AppError::in_state(
                    "A meeting cannot be offered on a withdrawn case.",
                    case.status.as_str(),
                    None,
                ));
            }
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
            let method = req.method.map(|m| m.as_str().to_string());
            let m = offered(&case, &actor, on, method, note, now);
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

/// A meeting just offered on `case`.
fn offered(
    case: &Case,
    actor: &Actor,
    on: NaiveDate,
    offer_method: Option<String>,
    offer_note: Option<String>,
    now: NaiveDateTime,
) -> MeetingRecord {
    MeetingRecord {
        id: crate::db::ids::new_id(),
        case_id: case.id.clone(),
        status: MeetingStatus::Offered,
        offered_on: on,
        offer_method,
        offer_note,
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
    }
}

/// The meetings of a case, oldest first. The read is recorded in the access log.
pub async fn list_for_case(
    state: &AppState,
    actor: &Actor,
    case_id: String,
    route: &str,
) -> AppResult<Vec<MeetingView>> {
    actor.require(Permission::ReadCaseRecords)?;
    logged_read(state, actor, route, move |c, actor, _| {
        let case = load_visible(c, actor, &case_id)?;
        let views = meetings::for_case(c, &case.id)?
            .into_iter()
            .map(|m| view(c, m))
            .collect::<AppResult<Vec<_>>>()?;
        Ok((case.id, views))
    })
    .await
}

/// Load meeting `id` and its case if the actor may see the case.
pub(super) fn load_meeting(
    c: &mut DbConnection,
    actor: &Actor,
    id: &str,
) -> AppResult<(MeetingRecord, Case)> {
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
    logged_read(state, actor, route, move |c, actor, _| {
        let (m, case) = load_meeting(c, actor, &id)?;
        Ok((case.id, view(c, m)?))
    })
    .await
}

/// A meeting and the case it is on: what meeting steps act on.
pub struct Meeting {
    pub meeting: MeetingRecord,
    pub case: Case,
}

impl Meeting {
    /// The invitation's SEQUENCE once `action` is taken: raised on every reschedule, and on
    /// cancelling a booked meeting.
    pub fn sequence_after(&self, action: MeetingAction) -> i32 {
        rules::next_sequence(
            self.meeting.sequence,
            action,
            self.meeting.status == MeetingStatus::Scheduled,
        )
    }
}

/// The permission an action needs: investigators may record that a meeting was held.
pub fn permission_for(action: MeetingAction) -> Permission {
    match action {
        MeetingAction::Hold | MeetingAction::SummarySent => Permission::RecordMeetingNotes,
        _ => Permission::ManageMeetings,
    }
}

impl Target for Meeting {
    const WHAT: &'static str = "meeting";
    type Action = MeetingAction;
    type Changes = MeetingChanges;
    type View = MeetingView;

    fn precheck(actor: &Actor, action: MeetingAction) -> AppResult<()> {
        actor.require(permission_for(action))
    }

    fn load(c: &mut DbConnection, actor: &Actor, key: &str, now: NaiveDateTime) -> AppResult<Self> {
        let meeting = meetings::find(c, key)?.ok_or_else(meeting_not_found)?;
        let case = lock_visible(c, actor, &meeting.case_id, now)?;
        Ok(Self { meeting, case })
    }

    fn version(&self) -> i32 {
        self.meeting.version
    }

    fn moves(&self) -> Option<Moves<MeetingAction>> {
        let m = &self.meeting;
        Some(Moves {
            noun: "meeting".into(),
            state: m.status.as_str(),
            allowed: rules::allowed_actions(m.status, m.summary_sent_on.is_some()),
            note: None,
        })
    }

    fn snapshot(&self, _: &mut DbConnection) -> AppResult<Value> {
        Ok(fields_of(&self.meeting))
    }

    fn settle(&self, action: MeetingAction, changes: &mut MeetingChanges) {
        let next = rules::next_status(self.meeting.status, action);
        if next != self.meeting.status {
            changes.status = Some(next.as_str().into());
        }
        let sequence = self.sequence_after(action);
        if sequence != self.meeting.sequence {
            changes.sequence = Some(sequence);
        }
    }

    fn save(
        &self,
        c: &mut DbConnection,
        version: i32,
        changes: &MeetingChanges,
        now: NaiveDateTime,
    ) -> AppResult<bool> {
        Ok(meetings::update_versioned(
            c,
            &self.meeting.id,
            version,
            changes,
            now,
        )?)
    }

    fn reload(&self, c: &mut DbConnection) -> AppResult<Self> {
        Ok(Self {
            meeting: meetings::find(c, &self.meeting.id)?.ok_or_else(meeting_not_found)?,
            case: self.case.clone(),
        })
    }

    fn case(&self) -> Option<&Case> {
        Some(&self.case)
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

    fn event_tags(&self) -> Option<(&'static str, String)> {
        Some(("meeting_id", self.meeting.id.clone()))
    }

    /// Send the complainant the invitation, the new time or the cancellation, with the `.ics`.
    fn follow_up(
        c: &mut DbConnection,
        ctx: &Ctx,
        action: MeetingAction,
        before: &Self,
        after: &Self,
    ) -> AppResult<()> {
        let was_booked = before.meeting.status == MeetingStatus::Scheduled;
        let (template, label) = match action {
            MeetingAction::Schedule => ("meeting_invitation", "Meeting invitation"),
            MeetingAction::Reschedule => ("meeting_changed", "Meeting change"),
            MeetingAction::Cancel if was_booked => ("meeting_cancelled", "Meeting cancellation"),
            _ => return Ok(()),
        };
        let m = &after.meeting;
        let Some(starts) = m.starts_at else {
            return Ok(());
        };
        let invite = invite_ics(c, &m.id)?;
        ctx.send(Letter {
            template,
            extra: json!({
                "meeting": {
                    "when": meeting_when(starts, m.ends_at),
                    "place": m.location,
                    "video": m.video_link.is_some(),
                }
            }),
            statutory: false,
            label,
            attachments: vec![Attachment::new(
                &invite.filename,
                format!("text/calendar; method={}", invite.method),
                &invite.bytes,
            )],
            tags: json!({ "meeting_id": m.id }),
        });
        Ok(())
    }

    fn view(
        c: &mut DbConnection,
        _: &Ctx,
        after: Self,
        _: MeetingChanges,
    ) -> AppResult<MeetingView> {
        view(c, after.meeting)
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
    F: FnOnce(&mut DbConnection, &Ctx, &Meeting) -> AppResult<Step>,
{
    let request = Request {
        key: id,
        action,
        if_match,
        body: raw,
    };
    command::run::<Meeting, P, F>(state, actor, request, parse).await
}

/// Meetings offered, accepted, declined and held in [`from`, `to`], each counted by the day it
/// happened (for the board report).
pub async fn counts(db: &Db, from: NaiveDate, to: NaiveDate) -> AppResult<MeetingCounts> {
    db.report(move |c| meetings::counts(c, from, to).map_err(AppError::from))
        .await
}

/// Take `action` on meeting `id` with a body as the API takes it (`raw`, holding `version`):
/// the one entry for callers that pick the step at run time (the staff pages).
pub async fn perform(
    state: &AppState,
    actor: &Actor,
    id: String,
    action: MeetingAction,
    raw: Value,
) -> AppResult<MeetingView> {
    macro_rules! step {
        ($body:ty, $build:path) => {
            run(
                state,
                actor,
                id,
                action,
                None,
                raw,
                typed_body!($body, $build),
            )
            .await
        };
    }
    match action {
        MeetingAction::Accept => step!(AcceptMeetingRequest, accept),
        MeetingAction::Decline => step!(DeclineMeetingRequest, decline),
        MeetingAction::Schedule => step!(ScheduleMeetingRequest, schedule),
        MeetingAction::Reschedule => step!(RescheduleMeetingRequest, reschedule),
        MeetingAction::Hold => step!(HoldMeetingRequest, hold),
        MeetingAction::Cancel => step!(CancelMeetingRequest, cancel),
        MeetingAction::SummarySent => step!(SummarySentRequest, summary_sent),
    }
}

//! The one runner for versioned commands — case actions, meeting steps, service-change steps,
//! candour records, ombudsman referrals: load under the caller's visibility, check the version
//! (428 missing, 409 stale), check the move is allowed now (409 naming the state and the
//! allowed actions), apply, persist, diff, record the event, send the letters it asked for —
//! all in one transaction. Each kind of record supplies a [`Target`]; each command a step.

/// The parser a command takes for a body of type `$body` whose step `$build` makes: the body's
/// `version` and its step (shared by the API's endpoints and the pages' dispatchers).
macro_rules! typed_body {
    ($body:ty, $build:path) => {
        |raw| -> $crate::error::AppResult<_> {
            let body: $body = $crate::json::from_value(raw)?;
            Ok((body.version, $build(body)))
        }
    };
}
pub(crate) use typed_body;

use std::cell::RefCell;
use std::fmt::Display;
use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime};
use serde_json::{Map, Value, json};

use super::Actor;
use super::case_input::{self as input, Errors};
use super::case_state;
use super::notify::Messenger;
use crate::config::Settings;
use crate::db::{DbConnection, calendar, timeline, users};
use crate::domain::calendar::WorkingCalendar;
use crate::domain::case::Case;
use crate::domain::outbox::Attachment;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// What a step needs besides its record: who, when, the working calendar and the settings.
pub struct Ctx {
    pub actor: Actor,
    /// Today in England.
    pub today: NaiveDate,
    /// The UTC instant the change is stamped with.
    pub now: NaiveDateTime,
    pub cal: WorkingCalendar,
    pub settings: Arc<Settings>,
    pub messenger: Messenger,
    /// Messages the step asked for, sent once the record is saved (same transaction).
    outgoing: RefCell<Vec<Outgoing>>,
}

/// A message a step asks for.
enum Outgoing {
    /// To the complainant: email when allowed, else a letter to post.
    Letter(Letter),
    /// To a member of staff, once per key.
    Alert {
        user_id: String,
        template: &'static str,
        extra: Value,
        dedupe_key: String,
        kind: &'static str,
    },
}

/// A letter to the complainant, as a step asks for it.
pub struct Letter {
    pub template: &'static str,
    /// Template values besides the case, the complainant and the trust.
    pub extra: Value,
    /// Statutory letters go by email only with the complainant's consent (reg 15).
    pub statutory: bool,
    /// How the timeline names it: "Acknowledgement", "Meeting invitation", …
    pub label: &'static str,
    pub attachments: Vec<Attachment>,
    /// Facts the letter's timeline event carries besides the letter's id, template and channel.
    pub tags: Value,
}

impl Ctx {
    /// Everything but the record, read inside the transaction.
    pub fn new(c: &mut DbConnection, state: &Shared, actor: Actor) -> AppResult<Self> {
        Ok(Self {
            actor,
            today: state.clock.today(),
            now: state.clock.now(),
            cal: calendar::current(c)?,
            settings: state.settings.clone(),
            messenger: state.messenger.clone(),
            outgoing: RefCell::new(Vec::new()),
        })
    }

    /// A step's day: `given`, else today; not in the future and not before `floor`, which the
    /// message names as `what` ("the offer", "the day the case was received").
    pub fn day(
        &self,
        e: &mut Errors,
        field: &str,
        given: Option<NaiveDate>,
        floor: NaiveDate,
        what: &str,
    ) -> NaiveDate {
        let day = given.unwrap_or(self.today);
        input::day_between(e, field, day, (floor, what), self.today);
        day
    }

    /// Write to the complainant once the change is saved.
    pub fn send(&self, letter: Letter) {
        self.outgoing.borrow_mut().push(Outgoing::Letter(letter));
    }

    /// Write a case letter (e.g. `"acknowledgement"`) to the complainant once the change is saved.
    pub fn letter(
        &self,
        template: &'static str,
        extra: Value,
        statutory: bool,
        label: &'static str,
    ) {
        self.send(Letter {
            template,
            extra,
            statutory,
            label,
            attachments: Vec::new(),
            tags: json!({ "statutory": statutory }),
        });
    }

    /// Alert a member of staff once the change is saved.
    pub fn alert(
        &self,
        user_id: &str,
        template: &'static str,
        extra: Value,
        dedupe_key: String,
        kind: &'static str,
    ) {
        self.outgoing.borrow_mut().push(Outgoing::Alert {
            user_id: user_id.to_string(),
            template,
            extra,
            dedupe_key,
            kind,
        });
    }

    /// Send what the step asked for, about `case` as it now stands; letters go on its timeline.
    fn send_outgoing(&self, c: &mut DbConnection, case: &Case) -> AppResult<()> {
        for out in self.outgoing.borrow_mut().drain(..) {
            match out {
                Outgoing::Letter(l) => {
                    let sent = self.messenger.to_complainant(
                        c,
                        case,
                        l.template,
                        l.extra,
                        l.statutory,
                        Some(&self.actor.user_id),
                        l.attachments,
                        self.now,
                    )?;
                    let how = if sent.channel == "email" {
                        "emailed"
                    } else {
                        "to post"
                    };
                    let mut details = json!({
                        "letter_id": sent.id,
                        "template": l.template,
                        "channel": sent.channel,
                    });
                    merge(&mut details, l.tags);
                    timeline::append(
                        c,
                        &case.id,
                        Some(&self.actor.user_id),
                        "letter",
                        &format!("{} {how}", l.label),
                        &details,
                        self.now,
                    )?;
                }
                Outgoing::Alert {
                    user_id,
                    template,
                    mut extra,
                    dedupe_key,
                    kind,
                } => {
                    if let Some(user) = users::find(c, &user_id)? {
                        extra["case"] = case_state::staff_case(case, &self.cal, self.today);
                        self.messenger.to_staff(
                            c,
                            &user,
                            template,
                            extra,
                            &dedupe_key,
                            Some(&case.id),
                            kind,
                            self.now,
                        )?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// What the runner takes from the application state into the transaction.
#[derive(Clone)]
pub struct Shared {
    pub clock: crate::clock::Clock,
    pub settings: Arc<Settings>,
    pub messenger: Messenger,
}

impl Shared {
    pub fn from_state(state: &AppState) -> Self {
        Self {
            clock: state.clock.clone(),
            settings: state.settings.clone(),
            messenger: Messenger::from_state(state),
        }
    }
}

/// What a step decided: the column changes and its event.
pub struct Step<C> {
    pub changes: C,
    /// The event's one line, e.g. "Acknowledged; response due 2026-03-02 (agreed)".
    pub summary: String,
    /// The event's facts; the runner adds the before/after `changes`.
    pub details: Value,
}

/// The state a record is in and the actions allowed from it, for the 409 that refuses others.
pub struct Moves<A> {
    /// How the record is named in the refusal: "case", "PALS concern", "meeting", …
    pub noun: String,
    pub state: &'static str,
    pub allowed: Vec<A>,
    /// Why some actions are held back in this state, when there is a reason beyond it.
    pub note: Option<String>,
}

/// An event the runner records: its kind, its line and its facts (with the diff).
pub struct Event {
    pub kind: &'static str,
    pub summary: String,
    pub details: Value,
}

/// A kind of record that versioned commands change, and how the runner handles it.
pub trait Target: Sized {
    /// How problem documents name the record: "case", "meeting", "candour record", …
    const WHAT: &'static str;
    type Action: Copy + PartialEq + Display + Send + 'static;
    type Changes;
    type View: Send + 'static;

    /// Refuse a role that may never take `action`, before anything is read.
    fn precheck(actor: &Actor, action: Self::Action) -> AppResult<()> {
        let _ = (actor, action);
        Ok(())
    }

    /// The record `key` names, under the actor's visibility (404, 403). A record that belongs
    /// to a case locks the case row first, so the case's events are written one at a time.
    fn load(c: &mut DbConnection, actor: &Actor, key: &str, now: NaiveDateTime) -> AppResult<Self>;

    /// Refuse a role that may not take `action` on this record (before its body is read).
    fn authorise(&self, actor: &Actor, action: Self::Action) -> AppResult<()> {
        let _ = (actor, action);
        Ok(())
    }

    fn version(&self) -> i32;

    /// Whether `action` must name the version it is based on (a candour step need not).
    fn needs_version(action: Self::Action) -> bool {
        let _ = action;
        true
    }

    /// The state and the actions allowed now; `None` for a record without states.
    fn moves(&self) -> Option<Moves<Self::Action>> {
        None
    }

    /// The record as its before/after diff sees it.
    fn snapshot(&self, c: &mut DbConnection) -> AppResult<Value>;

    /// Columns that follow from the action itself: the next status, an invitation's sequence.
    fn settle(&self, action: Self::Action, changes: &mut Self::Changes) {
        let _ = (action, changes);
    }

    /// Write `changes` if the record is still at `version` (`false` when it is not).
    fn save(
        &self,
        c: &mut DbConnection,
        version: i32,
        changes: &Self::Changes,
        now: NaiveDateTime,
    ) -> AppResult<bool>;

    /// The record as saved.
    fn reload(&self, c: &mut DbConnection) -> AppResult<Self>;

    /// The case the record belongs to: its timeline gets the event, its complainant the letters.
    fn case(&self) -> Option<&Case>;

    /// The kind of event `action` records.
    fn event_kind(action: Self::Action) -> &'static str;

    /// The record's own id as the event names it beside the case (`"meeting_id"`, …).
    fn event_tags(&self) -> Option<(&'static str, String)> {
        None
    }

    /// Record the event; by default on the case's timeline.
    fn journal(
        c: &mut DbConnection,
        ctx: &Ctx,
        before: &Self,
        after: &Self,
        event: Event,
    ) -> AppResult<()> {
        let _ = before;
        let case = after
            .case()
            .ok_or_else(|| AppError::internal("a case event without its case"))?;
        timeline::append(
            c,
            &case.id,
            Some(&ctx.actor.user_id),
            event.kind,
            &event.summary,
            &event.details,
            ctx.now,
        )?;
        Ok(())
    }

    /// Work that follows the event inside the transaction (a letter that needs the saved record).
    fn follow_up(
        c: &mut DbConnection,
        ctx: &Ctx,
        action: Self::Action,
        before: &Self,
        after: &Self,
    ) -> AppResult<()> {
        let _ = (c, ctx, action, before, after);
        Ok(())
    }

    /// The answer to the caller, from the saved record and what was written.
    fn view(
        c: &mut DbConnection,
        ctx: &Ctx,
        after: Self,
        changes: Self::Changes,
    ) -> AppResult<Self::View>;
}

/// The one action on a record without states: change it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Update;

impl Display for Update {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("update")
    }
}

/// A command's target, action and request, as the endpoint received them.
pub struct Request<A> {
    /// The id in the path: the record's, or the case's for records that hang on a case.
    pub key: String,
    pub action: A,
    /// The version from `If-Match`, if sent.
    pub if_match: Option<i32>,
    /// The body, parsed after the role checks.
    pub body: Value,
}

/// Run a versioned command. `parse` turns the body into the version it names and the step; it
/// runs after the role checks, so a role that may not act hears 403 before any 400.
pub async fn run<T, P, F>(
    state: &AppState,
    actor: &Actor,
    request: Request<T::Action>,
    parse: P,
) -> AppResult<T::View>
where
    T: Target + 'static,
    P: FnOnce(Value) -> AppResult<(Option<i32>, F)> + Send + 'static,
    F: FnOnce(&mut DbConnection, &Ctx, &T) -> AppResult<Step<T::Changes>>,
{
    T::precheck(actor, request.action)?;
    let actor = actor.clone();
    let shared = Shared::from_state(state);
    let action = request.action;
    let view = state
        .db
        .write(move |c| -> AppResult<T::View> {
            let ctx = Ctx::new(c, &shared, actor)?;
            let before = T::load(c, &ctx.actor, &request.key, ctx.now)?;
            before.authorise(&ctx.actor, action)?;
            let (body_version, apply) = parse(request.body)?;
            let version = match (request.if_match, body_version) {
                (None, None) if !T::needs_version(action) => before.version(),
                (if_match, body) => required_version(T::WHAT, if_match, body)?,
            };
            if before.version() != version {
                return Err(stale(T::WHAT, before.version()));
            }
            if let Some(moves) = before.moves()
                && !moves.allowed.contains(&action)
            {
                return Err(not_now(action, &moves));
            }
            let snapshot = before.snapshot(c)?;
            let mut step = apply(c, &ctx, &before)?;
            before.settle(action, &mut step.changes);
            if !before.save(c, version, &step.changes, ctx.now)? {
                return Err(stale(T::WHAT, before.version()));
            }
            let after = before.reload(c)?;
            let mut details = step.details;
            if let Value::Object(map) = &mut details {
                map.insert("changes".into(), diff(&snapshot, &after.snapshot(c)?));
                if let Some((key, id)) = before.event_tags() {
                    map.insert(key.into(), Value::String(id));
                }
            }
            let event = Event {
                kind: T::event_kind(action),
                summary: step.summary,
                details,
            };
            T::journal(c, &ctx, &before, &after, event)?;
            T::follow_up(c, &ctx, action, &before, &after)?;
            if let Some(case) = after.case() {
                ctx.send_outgoing(c, case)?;
            }
            T::view(c, &ctx, after, step.changes)
        })
        .await?;
    state.outbox.wake();
    tracing::info!(record = T::WHAT, action = %action, "versioned command");
    Ok(view)
}

/// The version a change must be based on: from `If-Match` or the body; required (428).
pub fn required_version(what: &str, if_match: Option<i32>, body: Option<i32>) -> AppResult<i32> {
    match (if_match, body) {
        (Some(a), Some(b)) if a != b => Err(AppError::invalid(
            "version",
            "differs from the If-Match header",
        )),
        (Some(v), _) | (None, Some(v)) => Ok(v),
        (None, None) => Err(AppError::PreconditionRequired(format!(
            "Send the {what}'s current version, as If-Match: \"<version>\" or \"version\" in the body, \
             so that a change made by someone else in the meantime is not overwritten."
        ))),
    }
}

/// The 409 for a change based on an old version of a `what`.
pub fn stale(what: &str, current: i32) -> AppError {
    AppError::Conflict {
        detail: format!(
            "The {what} has changed since you read it (it is now at version {current}). \
             Reload it and try again."
        ),
        current_state: None,
        allowed_actions: None,
    }
}

/// The 409 for an action the record's state does not allow.
fn not_now<A: Display>(action: A, moves: &Moves<A>) -> AppError {
    AppError::in_state(
        format!(
            "'{action}' is not possible while the {} is {}.{}",
            moves.noun,
            moves.state,
            moves
                .note
                .as_ref()
                .map(|n| format!(" {n}"))
                .unwrap_or_default()
        ),
        moves.state,
        Some(moves.allowed.iter().map(ToString::to_string).collect()),
    )
}

/// Top-level fields whose values differ between two serialised states.
pub fn diff(before: &Value, after: &Value) -> Value {
    let empty = Map::new();
    let b = before.as_object().unwrap_or(&empty);
    let a = after.as_object().unwrap_or(&empty);
    let mut changes = Map::new();
    for (key, new) in a {
        let old = b.get(key).unwrap_or(&Value::Null);
        if old != new {
            changes.insert(key.clone(), json!({ "before": old, "after": new }));
        }
    }
    Value::Object(changes)
}

/// Add `extra`'s keys to `base` (both objects).
pub fn merge(base: &mut Value, extra: Value) {
    if let (Value::Object(b), Value::Object(e)) = (base, extra) {
        for (k, v) in e {
            b.insert(k, v);
        }
    }
}

/// A record as its diff sees it: its serialised fields.
pub fn fields_of<T: serde::Serialize>(record: &T) -> Value {
    serde_json::to_value(record).unwrap_or(Value::Null)
}

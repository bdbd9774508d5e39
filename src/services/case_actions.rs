//! The lifecycle: each `POST /cases/{id}/{action}` is a versioned command on the case
//! ([`command::run`] with the case as its [`Target`]): role, version and state machine are
//! checked, then the step writes its columns, its records and its timeline event (with
//! before/after values) in one transaction. The steps live in the submodules, by stage.

mod closing;
mod opening;
mod pals;
mod response_clock;

pub use closing::*;
pub use opening::*;
pub use pals::*;
pub use response_clock::*;

use chrono::{NaiveDate, NaiveDateTime};
use serde_json::Value;

use super::Actor;
use super::access::load_visible;
use super::case_input::Errors;
use super::case_state::refresh_next_due;
use super::case_view::{self, CaseView};
use super::command::typed_body;
use super::command::{self, Moves, Request, Target, fields_of};
use crate::db::DbConnection;
use crate::db::cases::{self, CaseChanges};
use crate::domain::case::Case;
use crate::domain::case::{self as rules, Action, CaseKind};
use crate::domain::role::Permission;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub use super::command::Ctx;

/// What a lifecycle step decided: the case's column changes and its timeline entry.
pub type Step = command::Step<CaseChanges>;

impl Target for Case {
    const WHAT: &'static str = "case";
    type Action = Action;
    type Changes = CaseChanges;
    type View = CaseView;

    fn load(c: &mut DbConnection, actor: &Actor, key: &str, _: NaiveDateTime) -> AppResult<Self> {
        load_visible(c, actor, key)
    }

    fn authorise(&self, actor: &Actor, _: Action) -> AppResult<()> {
        actor.require(if self.kind == CaseKind::Complaint {
            Permission::RunComplaint
        } else {
            Permission::RunPalsConcern
        })
    }

    fn version(&self) -> i32 {
        self.version
    }

    fn moves(&self) -> Option<Moves<Action>> {
        Some(Moves {
            noun: self.kind.as_str().replace('_', " "),
            state: self.status.as_str(),
            allowed: self.allowed_actions(),
            note: (self.out_of_time && self.time_limit_decision.is_none()).then(|| {
                "It was received out of time: record the time-limit decision (reg 12) before \
                 investigating or responding."
                    .to_string()
            }),
        })
    }

    fn snapshot(&self, _: &mut DbConnection) -> AppResult<Value> {
        Ok(fields_of(self))
    }

    fn settle(&self, action: Action, changes: &mut CaseChanges) {
        let next = rules::next_status(self.status, action);
        if next != self.status {
            changes.status = Some(next.as_str().into());
        }
    }

    fn save(
        &self,
        c: &mut DbConnection,
        version: i32,
        changes: &CaseChanges,
        now: NaiveDateTime,
    ) -> AppResult<bool> {
        Ok(cases::update_versioned(c, &self.id, version, changes, now)?)
    }

    fn reload(&self, c: &mut DbConnection) -> AppResult<Self> {
        cases::find(c, &self.id)?.ok_or_else(|| AppError::internal("case vanished"))
    }

    fn case(&self) -> Option<&Case> {
        Some(self)
    }

    fn event_kind(action: Action) -> &'static str {
        action.as_str()
    }

    fn view(c: &mut DbConnection, ctx: &Ctx, after: Self, _: CaseChanges) -> AppResult<CaseView> {
        refresh_next_due(c, &ctx.cal, &after, ctx.today)?;
        let after = after.reload(c)?;
        case_view::load(c, &ctx.cal, &ctx.settings.candour, after, ctx.today)
    }
}

/// Run `action` on case `id`. `parse` turns the raw body into the body's version and the step;
/// it runs after the role check, so a role that may not act hears 403 before any 400.
pub async fn run<P, F>(
    state: &AppState,
    actor: &Actor,
    id: String,
    action: Action,
    if_match: Option<i32>,
    raw: Value,
    parse: P,
) -> AppResult<CaseView>
where
    P: FnOnce(Value) -> AppResult<(Option<i32>, F)> + Send + 'static,
    F: FnOnce(&mut DbConnection, &Ctx, &Case) -> AppResult<Step>,
{
    let request = Request {
        key: id,
        action,
        if_match,
        body: raw,
    };
    command::run::<Case, P, F>(state, actor, request, parse).await
}

/// A step's day: `given`, else today; not in the future, not before the case was received.
fn case_day(
    e: &mut Errors,
    field: &str,
    given: Option<NaiveDate>,
    ctx: &Ctx,
    case: &Case,
) -> NaiveDate {
    ctx.day(
        e,
        field,
        given,
        case.received_on,
        "the day the case was received",
    )
}

/// Take `action` on case `id` with a body as the API takes it (`raw`, holding `version`): the
/// one entry for callers that pick the step at run time (the staff pages). The same checks,
/// transaction and event as `POST /cases/{id}/{action}`.
pub async fn perform(
    state: &AppState,
    actor: &Actor,
    id: String,
    action: Action,
    raw: Value,
) -> AppResult<CaseView> {
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
        Action::Acknowledge => step!(AcknowledgeRequest, acknowledge),
        Action::Assign => step!(AssignRequest, assign),
        Action::StartInvestigation => step!(StartInvestigationRequest, start_investigation),
        Action::Extend => step!(ExtendRequest, extend),
        Action::Pause => step!(PauseRequest, pause),
        Action::Resume => step!(ResumeRequest, resume),
        Action::Respond => step!(RespondRequest, respond),
        Action::Close => step!(CloseRequest, close),
        Action::Reopen => step!(ReopenRequest, reopen),
        Action::Withdraw => step!(WithdrawRequest, withdraw),
        Action::Resolve => step!(ResolveRequest, resolve),
        Action::Escalate => step!(EscalateRequest, escalate),
        Action::TimeLimitDecision => step!(TimeLimitDecisionRequest, time_limit_decision),
        Action::SixMonthLetter => step!(SixMonthLetterRequest, six_month_letter),
    }
}

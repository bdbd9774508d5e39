//! Taking a service change through planned → in progress → implemented → sustained (or
//! abandoned): each step a versioned command ([`ServiceChangeRow`] as its target).

use chrono::{NaiveDate, NaiveDateTime};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::{Detail, History, ServiceChangeView, full_view, not_found, record, tell_cases};
use crate::db::DbConnection;
use crate::db::service_changes::{self as rows, ServiceChangeRow, StatusChanges};
use crate::domain::case::Case;
use crate::domain::role::Permission;
use crate::domain::service_change::{self as rules, ChangeAction, ChangeStatus};
use crate::error::{AppError, AppResult};
use crate::services::Actor;
use crate::services::case_input::{self as input, Errors, MAX_TEXT};
use crate::services::command::{Ctx, Event, Moves, Step, Target, fields_of};

/// `POST /service-changes/{id}/start`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartRequest {
    /// Or `If-Match`.
    pub version: Option<i32>,
}

/// `POST /service-changes/{id}/implement`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImplementRequest {
    pub version: Option<i32>,
    /// The day the change took effect; not in the future.
    pub implemented_on: NaiveDate,
}

/// `POST /service-changes/{id}/sustain`: verify that the change has stuck, no sooner than
/// `learning.sustain_review_months` after it was implemented.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SustainRequest {
    pub version: Option<i32>,
    /// What shows the change has stuck: an audit, a re-survey, fewer complaints on the theme.
    pub evidence: String,
}

/// `POST /service-changes/{id}/abandon`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AbandonRequest {
    pub version: Option<i32>,
    pub reason: String,
}

/// A step's body, parsed.
#[derive(Debug, Clone)]
pub enum StepBody {
    Start(StartRequest),
    Implement(ImplementRequest),
    Sustain(SustainRequest),
    Abandon(AbandonRequest),
}

impl StepBody {
    fn action(&self) -> ChangeAction {
        match self {
            Self::Start(_) => ChangeAction::Start,
            Self::Implement(_) => ChangeAction::Implement,
            Self::Sustain(_) => ChangeAction::Sustain,
            Self::Abandon(_) => ChangeAction::Abandon,
        }
    }
}

/// Check a step against the change and the rules; the columns it sets and its history details.
fn plan(step: &StepBody, r: &ServiceChangeRow, ctx: &Ctx) -> AppResult<Step<StatusChanges>> {
    let months = ctx.settings.learning.sustain_review_months;
    let (today, now) = (ctx.today, ctx.now);
    let mut e = Errors::default();
    let mut ch = StatusChanges::default();
    let details = match step {
        StepBody::Start(_) => {
            ch.started_at = Some(now);
            json!({})
        }
        StepBody::Implement(b) => {
            input::past_date(&mut e, "implemented_on", b.implemented_on, today);
            ch.implemented_on = Some(b.implemented_on);
            json!({ "implemented_on": b.implemented_on })
        }
        StepBody::Sustain(b) => {
            let evidence = input::text(&mut e, "evidence", &b.evidence, MAX_TEXT, true);
            e.done()?;
            let implemented_on = r
                .implemented_on
                .ok_or_else(|| AppError::internal("implemented change without implemented_on"))?;
            let earliest =
                rules::earliest_sustain(implemented_on, months).unwrap_or(NaiveDate::MAX);
            if today < earliest {
                return Err(AppError::in_state(
                    format!(
                        "A change can be verified as sustained only {months} months after it was \
                         implemented (the review period, setting learning.sustain_review_months): \
                         this one was implemented on {implemented_on}, so not before {earliest}."
                    ),
                    ChangeStatus::Implemented.as_str(),
                    Some(vec![ChangeAction::Abandon.as_str().into()]),
                ));
            }
            ch.evidence = Some(evidence.clone());
            ch.verified_by = Some(ctx.actor.user_id.clone());
            ch.verified_at = Some(now);
            e = Errors::default();
            json!({ "evidence": evidence })
        }
        StepBody::Abandon(b) => {
            let reason = input::text(&mut e, "reason", &b.reason, MAX_TEXT, true);
            ch.abandoned_reason = Some(reason.clone());
            ch.abandoned_at = Some(now);
            json!({ "reason": reason })
        }
    };
    e.done()?;
    Ok(Step {
        changes: ch,
        summary: case_summary(step.action(), &r.title),
        details,
    })
}

fn case_summary(action: ChangeAction, title: &str) -> String {
    match action {
        ChangeAction::Start => format!("Service change started: {title}"),
        ChangeAction::Implement => format!("Service change implemented: {title}"),
        ChangeAction::Sustain => format!("Service change verified as sustained: {title}"),
        ChangeAction::Abandon => format!("Service change abandoned: {title}"),
    }
}

/// A service change, as its steps act on it.
pub struct Change(pub ServiceChangeRow);

/// What a service-change step decided.
pub type ChangeStep = Step<StatusChanges>;

impl Target for Change {
    const WHAT: &'static str = "service change";
    type Action = ChangeAction;
    type Changes = StatusChanges;
    type View = ServiceChangeView;

    fn precheck(actor: &Actor, _: ChangeAction) -> AppResult<()> {
        actor.require(Permission::ManageServiceChanges)
    }

    fn load(c: &mut DbConnection, _: &Actor, key: &str, _: NaiveDateTime) -> AppResult<Self> {
        Ok(Self(rows::find(c, key)?.ok_or_else(not_found)?))
    }

    fn version(&self) -> i32 {
        self.0.version
    }

    fn moves(&self) -> Option<Moves<ChangeAction>> {
        let status = self.0.status().ok()?;
        Some(Moves {
            noun: "service change".into(),
            state: status.as_str(),
            allowed: rules::allowed_actions(status),
            note: None,
        })
    }

    fn snapshot(&self, _: &mut DbConnection) -> AppResult<Value> {
        Ok(fields_of(&self.0))
    }

    fn settle(&self, action: ChangeAction, changes: &mut StatusChanges) {
        changes.status = Some(rules::next_status(action).as_str().to_string());
    }

    fn save(
        &self,
        c: &mut DbConnection,
        version: i32,
        changes: &StatusChanges,
        now: NaiveDateTime,
    ) -> AppResult<bool> {
        Ok(rows::update_status_versioned(
            c, &self.0.id, version, changes, now,
        )?)
    }

    fn reload(&self, c: &mut DbConnection) -> AppResult<Self> {
        Ok(Self(rows::find(c, &self.0.id)?.ok_or_else(not_found)?))
    }

    fn case(&self) -> Option<&Case> {
        None
    }

    fn event_kind(action: ChangeAction) -> &'static str {
        match action {
            ChangeAction::Start => "started",
            ChangeAction::Implement => "implemented",
            ChangeAction::Sustain => "sustained",
            ChangeAction::Abandon => "abandoned",
        }
    }

    /// The change's own history, and an event on the timeline of each case it is linked to.
    fn journal(
        c: &mut DbConnection,
        ctx: &Ctx,
        before: &Self,
        after: &Self,
        event: Event,
    ) -> AppResult<()> {
        let (before, after) = (&before.0, &after.0);
        let (from, to) = (before.status()?, after.status()?);
        record(
            c,
            &ctx.actor,
            History {
                change_id: &before.id,
                seq: before.version + 1,
                kind: event.kind,
                from: Some(from),
                to,
                details: event.details,
            },
            ctx.now,
        )?;
        let case_ids = rows::case_ids(c, &before.id)?;
        tell_cases(
            c,
            &case_ids,
            &ctx.actor,
            &format!("service_change_{}", event.kind),
            &event.summary,
            &json!({
                "service_change_id": before.id,
                "from_status": from,
                "to_status": to,
            }),
            ctx.now,
        )
    }

    fn view(
        c: &mut DbConnection,
        ctx: &Ctx,
        after: Self,
        _: StatusChanges,
    ) -> AppResult<Self::View> {
        let months = ctx.settings.learning.sustain_review_months;
        full_view(c, after.0, Detail::WithCases, months, ctx.today)
    }
}

/// `start`: planned → in progress.
pub fn start(
    req: StartRequest,
) -> impl FnOnce(&mut DbConnection, &Ctx, &Change) -> AppResult<ChangeStep> {
    move |_, ctx, r| plan(&StepBody::Start(req), &r.0, ctx)
}

/// `implement`: in progress → implemented, on the day it took effect.
pub fn implement(
    req: ImplementRequest,
) -> impl FnOnce(&mut DbConnection, &Ctx, &Change) -> AppResult<ChangeStep> {
    move |_, ctx, r| plan(&StepBody::Implement(req), &r.0, ctx)
}

/// `sustain`: implemented → sustained, with the evidence, after the review period.
pub fn sustain(
    req: SustainRequest,
) -> impl FnOnce(&mut DbConnection, &Ctx, &Change) -> AppResult<ChangeStep> {
    move |_, ctx, r| plan(&StepBody::Sustain(req), &r.0, ctx)
}

/// `abandon`, with the reason.
pub fn abandon(
    req: AbandonRequest,
) -> impl FnOnce(&mut DbConnection, &Ctx, &Change) -> AppResult<ChangeStep> {
    move |_, ctx, r| plan(&StepBody::Abandon(req), &r.0, ctx)
}

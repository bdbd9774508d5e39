//! Taking a service change through planned → in progress → implemented → sustained (or
//! abandoned): each step a versioned command ([`ServiceChangeRow`] as its target).

use chrono::{NaiveDate, NaiveDateTime};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::{Detail, History, ServiceChangeView, full_view, not_found, record, tell_cases};
use crate::db::DbConnection;
use crate::db::cases::CaseRecord;
use crate::db::service_changes::{self as rows, ServiceChangeRow, StatusChanges};
use crate::domain::role::Permission;
use crate::domain::service_change::{self as rules, ChangeAction, ChangeStatus};
use crate::error::{AppError, AppResult};
use crate::services::Actor;
use crate::services::case_input::{self as input, Errors, MAX_TEXT};
use crate::services::command::{self, Ctx, Event, Moves, Request, Step, Target, fields_of};
use crate::state::AppState;

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

    fn version(&self) -> Option<i32> {
        match self {
            Self::Start(b) => b.version,
            Self::Implement(b) => b.version,
            Self::Sustain(b) => b.version,
            Self::Abandon(b) => b.version,
        }
    }

    /// Parse the body for `action` (after the role check).
    pub fn parse(action: ChangeAction, raw: Value) -> AppResult<Self> {
        Ok(match action {
            ChangeAction::Start => Self::Start(crate::json::from_value(raw)?),
            ChangeAction::Implement => Self::Implement(crate::json::from_value(raw)?),
            ChangeAction::Sustain => Self::Sustain(crate::json::from_value(raw)?),
            ChangeAction::Abandon => Self::Abandon(crate::json::from_value(raw)?),
        })
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

impl Target for ServiceChangeRow {
    const WHAT: &'static str = "service change";
    type Action = ChangeAction;
    type Changes = StatusChanges;
    type View = ServiceChangeView;

    fn precheck(actor: &Actor, _: ChangeAction) -> AppResult<()> {
        actor.require(Permission::ManageServiceChanges)
    }

    fn load(c: &mut DbConnection, _: &Actor, key: &str, _: NaiveDateTime) -> AppResult<Self> {
        rows::find(c, key)?.ok_or_else(not_found)
    }

    fn version(&self) -> i32 {
        self.version
    }

    fn moves(&self) -> Option<Moves<ChangeAction>> {
        let status = self.status().ok()?;
        Some(Moves {
            noun: "service change".into(),
            state: status.as_str(),
            allowed: rules::allowed_actions(status),
        })
    }

    fn snapshot(&self, _: &mut DbConnection) -> AppResult<Value> {
        Ok(fields_of(self))
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
            c, &self.id, version, changes, now,
        )?)
    }

    fn reload(&self, c: &mut DbConnection) -> AppResult<Self> {
        rows::find(c, &self.id)?.ok_or_else(not_found)
    }

    fn case(&self) -> Option<&CaseRecord> {
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
        full_view(c, after, Detail::WithCases, months, ctx.today)
    }
}

/// Take a change one step on (versioned; the body is parsed after the role check).
pub async fn act(
    state: &AppState,
    actor: &Actor,
    id: String,
    if_match: Option<i32>,
    action: ChangeAction,
    raw: Value,
) -> AppResult<ServiceChangeView> {
    let parse = move |raw| -> AppResult<_> {
        let body = StepBody::parse(action, raw)?;
        let version = body.version();
        Ok((
            version,
            move |_: &mut DbConnection, ctx: &Ctx, r: &ServiceChangeRow| plan(&body, r, ctx),
        ))
    };
    let request = Request {
        key: id,
        action,
        if_match,
        body: raw,
    };
    command::run::<ServiceChangeRow, _, _>(state, actor, request, parse).await
}

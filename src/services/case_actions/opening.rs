//! Opening a complaint: the acknowledgement (reg 13), assigning the handler and investigator,
//! starting the investigation, and the discretion decision on an out-of-time complaint (reg 12).

use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::{Ctx, Step, case_day};
use crate::db::case_records::{self, TimeLimitDecision};
use crate::db::cases::CaseChanges;
use crate::db::{DbConnection, users};
use crate::domain::case::Case;
use crate::domain::case::CaseStatus;
pub use crate::domain::case::{AcknowledgementMethod, TimeLimitChoice};
use crate::domain::clock;
use crate::domain::role::Role;
use crate::email::links::Link;
use crate::error::AppResult;
use crate::services::case_input::{self as input, Errors};
use crate::services::notify::long_date;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcknowledgeRequest {
    pub version: Option<i32>,
    /// Defaults to today.
    pub acknowledged_on: Option<NaiveDate>,
    pub method: AcknowledgementMethod,
    /// Whether the offer to discuss handling and the response period was made (reg 13).
    pub handling_discussion_offered: bool,
    /// The response date agreed with the complainant. Leave out to use the default for the
    /// risk grade, marked as not agreed.
    pub response_due_on: Option<NaiveDate>,
    /// Whether a face-to-face meeting was offered.
    pub meeting_offered: bool,
}

pub fn acknowledge(
    req: AcknowledgeRequest,
) -> impl FnOnce(&mut DbConnection, &Ctx, &Case) -> AppResult<Step> + Send {
    move |_c, ctx, case| {
        let mut e = Errors::default();
        let on = case_day(&mut e, "acknowledged_on", req.acknowledged_on, ctx, case);
        if let Some(due) = req.response_due_on
            && due <= on
        {
            e.add("response_due_on", "must be after the acknowledgement");
        }
        e.done()?;
        let grade = case.grade_or_moderate();
        let (due, agreed) = match req.response_due_on {
            Some(d) => (d, true),
            None => (
                clock::default_response_due(&ctx.cal, &ctx.settings.cases, case.received_on, grade),
                false,
            ),
        };
        let late = case.acknowledgement_due_on.is_some_and(|d| on > d);
        // The complainant's private link to follow the case, made live only as the
        // acknowledgement leaves (email) or is printed for posting.
        ctx.letter(
            "acknowledgement",
            json!({
                "tracking_url": Link::Track.value(),
                "response_due_on": long_date(due),
                "response_due_agreed": agreed,
                "handling_discussion_offered": req.handling_discussion_offered,
                "meeting_offered": req.meeting_offered,
                "time_limit_pending": case.out_of_time && case.time_limit_decision.is_none(),
            }),
            true,
            "Acknowledgement",
        );
        Ok(Step {
            changes: CaseChanges {
                acknowledged_on: Some(Some(on)),
                acknowledgement_method: Some(Some(req.method.as_str().into())),
                handling_discussion_offered: Some(Some(req.handling_discussion_offered)),
                meeting_offered: Some(Some(req.meeting_offered)),
                response_due_on: Some(Some(due)),
                response_due_agreed: Some(agreed),
                calendar_version: Some(ctx.cal.version),
                ..Default::default()
            },
            summary: format!(
                "Acknowledged{}; response due {due}{}",
                if late { " late" } else { "" },
                if agreed {
                    " (agreed)"
                } else {
                    " (default, not agreed)"
                }
            ),
            details: json!({ "acknowledged_late": late }),
        })
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    pub version: Option<i32>,
    /// The case handler; `null` clears it; leave out to keep.
    #[serde(default, deserialize_with = "crate::json::present")]
    pub handler_id: Option<Option<String>>,
    /// The investigator; `null` clears it; leave out to keep.
    #[serde(default, deserialize_with = "crate::json::present")]
    pub investigator_id: Option<Option<String>>,
}

fn check_user(
    c: &mut DbConnection,
    e: &mut Errors,
    field: &str,
    id: &str,
    roles: &[Role],
) -> AppResult<()> {
    match users::find(c, id)? {
        None => e.add(field, "is not a known user"),
        Some(u) if !u.active => e.add(field, "is a deactivated user"),
        Some(u) if !roles.contains(&u.role) => e.add(
            field,
            format!(
                "is a {} user; this role needs one of {}",
                u.role,
                roles
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        Some(_) => {}
    }
    Ok(())
}

pub fn assign(
    req: AssignRequest,
) -> impl FnOnce(&mut DbConnection, &Ctx, &Case) -> AppResult<Step> + Send {
    move |c, ctx, case| {
        let mut e = Errors::default();
        if req.handler_id.is_none() && req.investigator_id.is_none() {
            e.add(
                "handler_id",
                "give a handler_id or an investigator_id to assign",
            );
        }
        if let Some(Some(id)) = &req.handler_id {
            check_user(
                c,
                &mut e,
                "handler_id",
                id,
                &[Role::Admin, Role::ComplaintsManager, Role::PalsOfficer],
            )?;
        }
        if let Some(Some(id)) = &req.investigator_id {
            check_user(
                c,
                &mut e,
                "investigator_id",
                id,
                &[Role::Investigator, Role::ComplaintsManager, Role::Admin],
            )?;
        }
        e.done()?;
        let mut parts = Vec::new();
        if req.handler_id.is_some() {
            parts.push("handler");
        }
        if req.investigator_id.is_some() {
            parts.push("investigator");
        }
        for (who, role) in [
            (&req.handler_id, "handler"),
            (&req.investigator_id, "investigator"),
        ] {
            if let Some(Some(user_id)) = who
                && *user_id != ctx.actor.user_id
            {
                ctx.alert(
                    user_id,
                    "staff_assigned",
                    json!({ "assignment": role }),
                    format!("assigned:{}:{role}:{user_id}:{}", case.id, case.version),
                    "assigned",
                );
            }
        }
        Ok(Step {
            changes: CaseChanges {
                handler_id: req.handler_id,
                investigator_id: req.investigator_id,
                ..Default::default()
            },
            summary: format!("Assigned: {}", parts.join(" and ")),
            details: json!({}),
        })
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartInvestigationRequest {
    pub version: Option<i32>,
    /// Defaults to today.
    pub started_on: Option<NaiveDate>,
}

pub fn start_investigation(
    req: StartInvestigationRequest,
) -> impl FnOnce(&mut DbConnection, &Ctx, &Case) -> AppResult<Step> + Send {
    move |_, ctx, case| {
        let mut e = Errors::default();
        let on = case_day(&mut e, "started_on", req.started_on, ctx, case);
        e.done()?;
        Ok(Step {
            changes: CaseChanges {
                investigation_started_on: Some(Some(on)),
                ..Default::default()
            },
            summary: "Investigation started".into(),
            details: json!({}),
        })
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeLimitDecisionRequest {
    pub version: Option<i32>,
    pub decision: TimeLimitChoice,
    /// Accepting: why the complainant had good reason not to complain in time.
    pub good_reason: Option<String>,
    /// Accepting: why it is still possible to investigate effectively and fairly.
    pub still_investigable: Option<String>,
    /// Declining: the reason given to the complainant.
    pub decline_reason: Option<String>,
    /// Declining although the case's notifiable Duty of Candour record is incomplete: the
    /// reason, recorded on the timeline (complaints managers and admins only).
    pub candour_override_reason: Option<String>,
}

/// The reasons a decision needs: both limbs of reg 12(4) to accept, the reason to decline.
fn decision_reasons(
    e: &mut Errors,
    req: &TimeLimitDecisionRequest,
) -> (Option<String>, Option<String>, Option<String>) {
    let need = |field: &str, value: &Option<String>, e: &mut Errors| {
        let v = value
            .as_deref()
            .map(str::trim)
            .unwrap_or_default()
            .to_string();
        if v.is_empty() {
            e.add(field, "is required for this decision");
        }
        (!v.is_empty()).then_some(v)
    };
    match req.decision {
        TimeLimitChoice::Accepted => (
            need("good_reason", &req.good_reason, e),
            need("still_investigable", &req.still_investigable, e),
            None,
        ),
        TimeLimitChoice::Declined => (None, None, need("decline_reason", &req.decline_reason, e)),
    }
}

pub fn time_limit_decision(
    req: TimeLimitDecisionRequest,
) -> impl FnOnce(&mut DbConnection, &Ctx, &Case) -> AppResult<Step> + Send {
    move |c, ctx, case| {
        let mut e = Errors::default();
        let (good, investigable, decline) = decision_reasons(&mut e, &req);
        let override_reason = req
            .candour_override_reason
            .as_deref()
            .filter(|_| req.decision == TimeLimitChoice::Declined)
            .map(|r| input::text(&mut e, "candour_override_reason", r, input::MAX_TEXT, true));
        e.done()?;
        // Declining ends the case: the same candour check as closing it.
        let overridden = if req.decision == TimeLimitChoice::Declined {
            super::closing::candour_check(c, ctx, case, override_reason)?
        } else {
            None
        };
        let decision = req.decision.as_str();
        case_records::insert_time_limit_decision(
            c,
            &TimeLimitDecision {
                case_id: case.id.clone(),
                decision: decision.into(),
                good_reason: good,
                still_investigable: investigable,
                decline_reason: decline.clone(),
                decided_by: ctx.actor.user_id.clone(),
                decided_on: ctx.today,
                created_at: ctx.now,
            },
        )?;
        let mut changes = CaseChanges {
            time_limit_decision: Some(Some(decision.into())),
            ..Default::default()
        };
        if let Some(reason) = &decline {
            ctx.letter(
                "time_limit_declined",
                json!({ "decline_reason": reason }),
                true,
                "Time-limit decision",
            );
        }
        if req.decision == TimeLimitChoice::Declined {
            changes.status = Some(CaseStatus::Closed.as_str().into());
            changes.closed_on = Some(Some(ctx.today));
        }
        Ok(Step {
            changes,
            summary: match req.decision {
                TimeLimitChoice::Accepted => {
                    "Out-of-time complaint accepted under reg 12(4)".into()
                }
                TimeLimitChoice::Declined => "Out-of-time complaint declined; case closed".into(),
            },
            details: json!({ "decision": decision, "candour_override": overridden }),
        })
    }
}

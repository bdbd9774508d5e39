//! Ending a complaint: the response with a finding per subject, closure (checked against the
//! Duty of Candour record), reopening and withdrawal.

use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::{Ctx, Step, case_day};
use crate::db::DbConnection;
use crate::db::case_records::{self, Response};
use crate::db::cases::{self, CaseChanges};
use crate::domain::case::Case;
use crate::domain::case::{self as rules, AspectOutcome};
use crate::domain::role::Permission;
use crate::error::{AppError, AppResult};
use crate::services::candour;
use crate::services::case_input::{self as input, Errors};
use crate::services::notify::long_date;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AspectFinding {
    /// A subject code of this case.
    pub subject: String,
    pub outcome: AspectOutcome,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RespondRequest {
    pub version: Option<i32>,
    /// Defaults to today.
    pub sent_on: Option<NaiveDate>,
    /// The responsible person, or their delegate, who signed the response.
    pub signed_by: String,
    /// A finding for every subject of the case.
    pub aspect_outcomes: Vec<AspectFinding>,
    /// The response told the complainant of their right to go to the Ombudsman (required).
    pub ombudsman_rights_given: bool,
    pub summary: Option<String>,
}

pub fn respond(
    req: RespondRequest,
) -> impl FnOnce(&mut DbConnection, &Ctx, &Case) -> AppResult<Step> + Send {
    move |c, ctx, case| {
        let mut e = Errors::default();
        let on = case_day(&mut e, "sent_on", req.sent_on, ctx, case);
        let signed_by = input::text(&mut e, "signed_by", &req.signed_by, 200, true);
        if !req.ombudsman_rights_given {
            e.add(
                "ombudsman_rights_given",
                "must be true: the response must tell the complainant of their right to go to the Parliamentary and Health Service Ombudsman",
            );
        }
        let summary = req
            .summary
            .as_deref()
            .map(|s| input::text(&mut e, "summary", s, input::MAX_TEXT, false))
            .filter(|s| !s.is_empty());
        let coding = cases::coding(c, &case.id)?;
        let codes: Vec<&str> = coding
            .subjects
            .iter()
            .map(|s| s.subject_code.as_str())
            .collect();
        check_findings(&mut e, &req.aspect_outcomes, &codes);
        e.done()?;
        let findings: Vec<AspectOutcome> = req.aspect_outcomes.iter().map(|a| a.outcome).collect();
        let outcome = rules::overall_outcome(&findings).ok_or_else(|| {
            AppError::invalid("aspect_outcomes", "give a finding for each subject")
        })?;
        let response_id = crate::db::ids::new_id();
        case_records::insert_response(
            c,
            &Response {
                id: response_id.clone(),
                case_id: case.id.clone(),
                sent_on: on,
                signed_by,
                outcome: outcome.as_str().into(),
                ombudsman_rights_given: true,
                summary,
                created_by: ctx.actor.user_id.clone(),
                created_at: ctx.now,
            },
        )?;
        for a in &req.aspect_outcomes {
            cases::set_subject_outcome(c, &case.id, &a.subject, a.outcome.as_str())?;
            case_records::insert_response_subject(c, &response_id, &a.subject, a.outcome.as_str())?;
        }
        let on_time = case.response_due_on.map(|due| on <= due);
        // The first response is what was reported; a later cycle after reopening keeps it.
        let first = case.first_responded_on.is_none();
        ctx.letter(
            "response_sent",
            json!({ "sent_on": long_date(on), "signed_by": req.signed_by.trim() }),
            true,
            "Response notice",
        );
        Ok(Step {
            changes: CaseChanges {
                responded_on: Some(Some(on)),
                outcome: Some(Some(outcome.as_str().into())),
                first_responded_on: first.then_some(Some(on)),
                first_outcome: first.then(|| Some(outcome.as_str().into())),
                first_response_due_on: first.then_some(case.response_due_on),
                first_response_due_agreed: first.then_some(Some(case.response_due_agreed)),
                ..Default::default()
            },
            summary: format!("Response sent: {}", outcome.as_str().replace('_', " ")),
            details: json!({ "outcome": outcome, "within_response_date": on_time }),
        })
    }
}

/// One finding for each of the case's subjects `codes`: none unknown, none twice, none missing.
fn check_findings(e: &mut Errors, findings: &[AspectFinding], codes: &[&str]) {
    for (i, a) in findings.iter().enumerate() {
        if !codes.contains(&a.subject.as_str()) {
            e.add(
                format!("aspect_outcomes[{i}].subject"),
                "is not a subject of this case",
            );
        } else if findings[..i].iter().any(|b| b.subject == a.subject) {
            e.add(format!("aspect_outcomes[{i}].subject"), "is listed twice");
        }
    }
    for code in codes {
        if !findings.iter().any(|a| a.subject == *code) {
            e.add(
                "aspect_outcomes",
                format!("give a finding for the subject {code:?}"),
            );
        }
    }
}

/// The Duty of Candour check before a case ends (closed, withdrawn, declined as out of time):
/// refused while its notifiable record is incomplete, unless a complaints manager or admin
/// overrides with `reason`. Returns the override's facts for the timeline when one was used.
pub(super) fn candour_check(
    c: &mut DbConnection,
    ctx: &Ctx,
    case: &Case,
    reason: Option<String>,
) -> AppResult<Option<serde_json::Value>> {
    let block = candour::closure_block(c, &ctx.cal, &ctx.settings.candour, &case.id, ctx.today)?;
    match (block, reason) {
        (None, _) => Ok(None),
        (Some((_, detail)), None) => Err(AppError::Conflict {
            detail,
            current_state: Some(case.status.as_str().into()),
            allowed_actions: None,
        }),
        (Some((status, _)), Some(reason)) => {
            ctx.actor.require(Permission::OverrideCandourClosure)?;
            Ok(Some(json!({
                "candour_override_reason": reason,
                "candour_status": status,
            })))
        }
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseRequest {
    pub version: Option<i32>,
    /// Defaults to today.
    pub closed_on: Option<NaiveDate>,
    /// Close although the case's notifiable Duty of Candour record is incomplete: the reason,
    /// recorded on the timeline (complaints managers and admins only). Ignored when the record
    /// is complete or there is none.
    pub candour_override_reason: Option<String>,
}

pub fn close(
    req: CloseRequest,
) -> impl FnOnce(&mut DbConnection, &Ctx, &Case) -> AppResult<Step> + Send {
    move |c, ctx, case| {
        let mut e = Errors::default();
        let on = case_day(&mut e, "closed_on", req.closed_on, ctx, case);
        if case.responded_on.is_some_and(|r| on < r) {
            e.add("closed_on", "is before the response was sent");
        }
        let reason = req
            .candour_override_reason
            .as_deref()
            .map(|r| input::text(&mut e, "candour_override_reason", r, input::MAX_TEXT, true));
        e.done()?;
        let (summary, details) = match candour_check(c, ctx, case, reason)? {
            None => ("Case closed".to_string(), json!({})),
            Some(overridden) => (
                "Case closed with the Duty of Candour record incomplete (override)".to_string(),
                overridden,
            ),
        };
        Ok(Step {
            changes: CaseChanges {
                closed_on: Some(Some(on)),
                ..Default::default()
            },
            summary,
            details,
        })
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReopenRequest {
    pub version: Option<i32>,
    pub reason: String,
    /// The new response date; defaults to the risk grade's target from today.
    pub response_due_on: Option<NaiveDate>,
}

pub fn reopen(
    req: ReopenRequest,
) -> impl FnOnce(&mut DbConnection, &Ctx, &Case) -> AppResult<Step> + Send {
    move |_, ctx, case| {
        let mut e = Errors::default();
        let reason = input::text(&mut e, "reason", &req.reason, input::MAX_TEXT, true);
        if req.response_due_on.is_some_and(|d| d <= ctx.today) {
            e.add("response_due_on", "must be in the future");
        }
        e.done()?;
        let grade = case.grade_or_moderate();
        let due = req.response_due_on.unwrap_or_else(|| {
            ctx.cal
                .add_working_days(ctx.today, ctx.settings.cases.response_working_days(grade))
        });
        Ok(Step {
            changes: CaseChanges {
                closed_on: Some(None),
                responded_on: Some(None),
                outcome: Some(None),
                response_due_on: Some(Some(due)),
                response_due_agreed: Some(req.response_due_on.is_some()),
                reopened_count: Some(case.reopened_count + 1),
                ..Default::default()
            },
            summary: format!("Case reopened; response due {due}"),
            details: json!({ "reason": reason }),
        })
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawRequest {
    pub version: Option<i32>,
    pub reason: String,
    /// Defaults to today.
    pub withdrawn_on: Option<NaiveDate>,
    /// Withdraw although the case's notifiable Duty of Candour record is incomplete: the
    /// reason, recorded on the timeline (complaints managers and admins only). The duty is the
    /// trust's, not the complainant's: withdrawing the complaint does not end it.
    pub candour_override_reason: Option<String>,
}

pub fn withdraw(
    req: WithdrawRequest,
) -> impl FnOnce(&mut DbConnection, &Ctx, &Case) -> AppResult<Step> + Send {
    move |c, ctx, case| {
        let mut e = Errors::default();
        let reason = input::text(&mut e, "reason", &req.reason, input::MAX_TEXT, true);
        let on = case_day(&mut e, "withdrawn_on", req.withdrawn_on, ctx, case);
        let override_reason = req
            .candour_override_reason
            .as_deref()
            .map(|r| input::text(&mut e, "candour_override_reason", r, input::MAX_TEXT, true));
        e.done()?;
        let overridden = candour_check(c, ctx, case, override_reason)?;
        if case.paused_on.is_some() {
            let days = i32::try_from(
                ctx.cal
                    .working_days_between(case.paused_on.unwrap_or(on), on),
            )
            .unwrap_or(0);
            case_records::end_pause(c, &case.id, on, days)?;
        }
        Ok(Step {
            changes: CaseChanges {
                withdrawn_on: Some(Some(on)),
                paused_on: Some(None),
                ..Default::default()
            },
            summary: if overridden.is_some() {
                "Complaint withdrawn with the Duty of Candour record incomplete (override)".into()
            } else {
                "Complaint withdrawn".into()
            },
            details: json!({ "reason": reason, "candour_override": overridden }),
        })
    }
}

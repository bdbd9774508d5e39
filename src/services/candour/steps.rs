//! The steps of the Duty of Candour and the attempts to contact the relevant person
//! (`POST …/candour/steps`), each with its checklist.

use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::{
    Answer, CandourAction, CandourTarget, CandourWrite, Step, StepView, optional_reference, ticked,
};
use crate::db::DbConnection;
use crate::db::candour::{CandourChanges, CandourRecord, StepRow};
use crate::domain::candour::{self as rules, AttemptOutcome, StepKind, StepMethod};
use crate::error::{AppError, AppResult};
use crate::services::Actor;
use crate::services::case_input::{self as input, Errors};
use crate::services::command::{self, Ctx, Request};
use crate::state::AppState;

/// One step or contact attempt. Which fields apply depends on `kind`; the others must be left
/// out. Checklist items left out count as not done.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CandourStepRequest {
    /// When given, must be the record's current version.
    pub version: Option<i32>,
    pub kind: StepKind,
    /// Defaults to today.
    pub done_on: Option<NaiveDate>,
    /// Who did it, e.g. "Dr A Shah, consultant".
    pub performed_by: String,
    /// Written notification: `letter` (default) or `email`; contact attempt: required.
    pub method: Option<StepMethod>,
    /// Contact attempt: required.
    pub outcome: Option<AttemptOutcome>,
    /// In-person notification checklist.
    pub truthful_account_given: Option<bool>,
    pub apology_given: Option<bool>,
    pub support_offered: Option<bool>,
    pub further_enquiries_explained: Option<bool>,
    /// Written notification checklist.
    pub account_included: Option<bool>,
    pub enquiries_included: Option<bool>,
    pub apology_included: Option<bool>,
    /// The letter's or document's reference; required for `correspondence_copy_kept`.
    pub document_reference: Option<String>,
    pub notes: Option<String>,
}

struct CheckedStep {
    method: Option<StepMethod>,
    outcome: Option<AttemptOutcome>,
    account: Option<bool>,
    apology: Option<bool>,
    support: Option<bool>,
    enquiries: Option<bool>,
}

fn check_step_fields(e: &mut Errors, req: &CandourStepRequest) -> CheckedStep {
    use StepKind as K;
    let k = req.kind;
    let kind_name = k.as_str().replace('_', " ");
    let mut not_for = |field: &str, given: bool| {
        if given {
            e.add(field, format!("does not apply to a {kind_name}"));
        }
    };
    let in_person = k == K::InPersonNotification;
    let written = k == K::WrittenNotification;
    let attempt = k == K::ContactAttempt;
    for (field, v) in [
        ("truthful_account_given", req.truthful_account_given),
        ("apology_given", req.apology_given),
        ("support_offered", req.support_offered),
        (
            "further_enquiries_explained",
            req.further_enquiries_explained,
        ),
    ] {
        not_for(field, !in_person && v.is_some());
    }
    for (field, v) in [
        ("account_included", req.account_included),
        ("enquiries_included", req.enquiries_included),
        ("apology_included", req.apology_included),
    ] {
        not_for(field, !written && v.is_some());
    }
    not_for("outcome", !attempt && req.outcome.is_some());
    let method = check_method(e, req);
    if k == K::CorrespondenceCopyKept
        && req
            .document_reference
            .as_deref()
            .is_none_or(|r| r.trim().is_empty())
    {
        e.add("document_reference", "is required: where is the copy kept?");
    }
    let (account, apology, support, enquiries) = if in_person {
        (
            req.truthful_account_given,
            req.apology_given,
            req.support_offered,
            req.further_enquiries_explained,
        )
    } else if written {
        (
            req.account_included,
            req.apology_included,
            None,
            req.enquiries_included,
        )
    } else {
        (None, None, None, None)
    };
    let tick = |v: Option<bool>, applies: bool| applies.then(|| v.unwrap_or(false));
    CheckedStep {
        method,
        outcome: req.outcome,
        account: tick(account, in_person || written),
        apology: tick(apology, in_person || written),
        support: tick(support, in_person),
        enquiries: tick(enquiries, in_person || written),
    }
}

/// How the step was made: in person for an in-person notification, by letter (the default)
/// or email for a written one; a contact attempt must say how, and what came of it.
fn check_method(e: &mut Errors, req: &CandourStepRequest) -> Option<StepMethod> {
    match req.kind {
        StepKind::InPersonNotification => {
            if req.method.is_some_and(|m| m != StepMethod::InPerson) {
                e.add("method", "an in-person notification is made in person");
            }
            Some(StepMethod::InPerson)
        }
        StepKind::WrittenNotification => {
            let m = req.method.unwrap_or(StepMethod::Letter);
            if !matches!(m, StepMethod::Letter | StepMethod::Email) {
                e.add("method", "a written notification goes by letter or email");
            }
            Some(m)
        }
        StepKind::ContactAttempt => {
            if req.method.is_none() {
                e.add("method", "is required: how was contact attempted?");
            }
            if req.outcome.is_none() {
                e.add("outcome", "is required: what came of the attempt?");
            }
            req.method
        }
        StepKind::EnquiryResultsShared => {
            // Reg 20(4)(c): the results are given in writing.
            let m = req.method.unwrap_or(StepMethod::Letter);
            if !matches!(m, StepMethod::Letter | StepMethod::Email) {
                e.add(
                    "method",
                    "the results of further enquiries are shared in writing: letter or email",
                );
            }
            Some(m)
        }
        StepKind::CorrespondenceCopyKept => req.method,
    }
}

/// Record a step or a contact attempt on the case's candour record (parsed after the role
/// check). The version may be left out: a step never overwrites another's work.
pub async fn add_step(
    state: &AppState,
    actor: &Actor,
    case_id: String,
    if_match: Option<i32>,
    raw: Value,
) -> AppResult<StepView> {
    let parse = |raw| -> AppResult<_> {
        let req: CandourStepRequest = crate::json::from_value(raw)?;
        let version = req.version;
        Ok((
            version,
            move |_: &mut DbConnection, ctx: &Ctx, t: &CandourTarget| plan(ctx, &t.record, req),
        ))
    };
    let request = Request {
        key: case_id,
        action: CandourAction::AddStep,
        if_match,
        body: raw,
    };
    match command::run::<CandourTarget, _, _>(state, actor, request, parse).await? {
        Answer::Step(view) => Ok(view),
        Answer::Record(_) => Err(AppError::internal(
            "a candour step answered with the record",
        )),
    }
}

/// Check a step against the record: the row it adds and what the timeline says.
fn plan(ctx: &Ctx, r: &CandourRecord, req: CandourStepRequest) -> AppResult<Step> {
    let today = ctx.today;
    let mut e = Errors::default();
    let on = req.done_on.unwrap_or(today);
    input::past_date(&mut e, "done_on", on, today);
    if on < r.became_aware_on {
        e.add(
            "done_on",
            "is before the trust became aware of the incident",
        );
    }
    let performed_by = input::text(&mut e, "performed_by", &req.performed_by, 200, true);
    let document_reference = optional_reference(
        &mut e,
        "document_reference",
        req.document_reference.as_deref(),
    );
    let notes = input::optional_text(&mut e, "notes", req.notes.as_deref(), input::MAX_TEXT);
    let checked = check_step_fields(&mut e, &req);
    e.done()?;
    if r.harm().is_some_and(|h| !h.is_notifiable()) && req.kind != StepKind::CorrespondenceCopyKept
    {
        return Err(AppError::conflict(
            "The harm was decided as not notifiable: the Duty of Candour steps do not apply.",
        ));
    }
    let row = StepRow {
        id: crate::db::ids::new_id(),
        record_id: r.id.clone(),
        kind: req.kind.as_str().into(),
        done_on: on,
        performed_by,
        method: checked.method.map(|m| m.as_str().to_string()),
        outcome: checked.outcome.map(|o| o.as_str().to_string()),
        account_given: checked.account,
        apology_given: checked.apology,
        support_offered: checked.support,
        enquiries_explained: checked.enquiries,
        document_reference,
        notes,
        recorded_by: ctx.actor.user_id.clone(),
        created_at: ctx.now,
    };
    let summary = match req.kind {
        StepKind::ContactAttempt => format!(
            "Attempt to contact the relevant person logged ({}, {})",
            row.method.as_deref().unwrap_or("-").replace('_', " "),
            row.outcome.as_deref().unwrap_or("-").replace('_', " ")
        ),
        kind => format!(
            "Duty of Candour step recorded: {}",
            kind.as_str().replace('_', " ")
        ),
    };
    let details = json!({
        "step_id": row.id,
        "kind": req.kind,
        "done_on": on,
        "method": row.method,
        "outcome": row.outcome,
        "checklist_missing": missing(req.kind, &row),
    });
    Ok(Step {
        changes: CandourWrite {
            fields: CandourChanges::default(),
            step: Some(row),
        },
        summary,
        details,
    })
}

/// The checklist items of a step of `kind` that `row` does not tick.
fn missing(kind: StepKind, row: &StepRow) -> Vec<&'static str> {
    rules::checklist(kind)
        .iter()
        .copied()
        .filter(|item| !ticked(row, item))
        .collect()
}

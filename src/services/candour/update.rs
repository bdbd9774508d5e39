//! Changing a candour record (`PATCH …/candour`): the incident's dates and reference, the
//! harm decision, and the reg 20(5) exception with its evidence.

use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::{
    Answer, CandourAction, CandourTarget, CandourView, CandourWrite, HarmDecisionInput, Step,
    check_aware, check_harm, harm_summary, optional_reference,
};
use crate::db::DbConnection;
use crate::db::candour::{self as rows, CandourChanges, CandourRecord};
use crate::domain::candour::{AttemptOutcome, ExceptionKind, HarmLevel, StepKind};
use crate::error::{AppError, AppResult};
use crate::services::Actor;
use crate::services::case_input::{self as input, Errors};
use crate::services::command::{self, Ctx, Request};
use crate::state::AppState;

/// A reg 20(5) exception.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExceptionInput {
    pub kind: ExceptionKind,
    /// What happened: the written record the regulation asks for.
    pub note: String,
    /// Defaults to today.
    pub recorded_on: Option<NaiveDate>,
}

/// Changes to a candour record; leave a field out to keep it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchCandourRequest {
    pub version: Option<i32>,
    /// `null` clears.
    #[serde(default, deserialize_with = "crate::json::present")]
    #[schema(value_type = Option<String>)]
    pub incident_reference: Option<Option<String>>,
    /// `null` clears.
    #[serde(default, deserialize_with = "crate::json::present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub incident_on: Option<Option<NaiveDate>>,
    pub became_aware_on: Option<NaiveDate>,
    /// A (new) harm decision, recorded as yours today unless `decided_on` says otherwise.
    pub harm: Option<HarmDecisionInput>,
    /// Record a reg 20(5) exception (needs at least one logged contact attempt); `null`
    /// withdraws it.
    #[serde(default, deserialize_with = "crate::json::present")]
    #[schema(value_type = Option<ExceptionInput>)]
    pub exception: Option<Option<ExceptionInput>>,
}

/// Change a candour record (versioned; parsed after the role check).
pub async fn update(
    state: &AppState,
    actor: &Actor,
    case_id: String,
    if_match: Option<i32>,
    raw: Value,
) -> AppResult<CandourView> {
    let parse = |raw| -> AppResult<_> {
        let req: PatchCandourRequest = crate::json::from_value(raw)?;
        let version = req.version;
        Ok((
            version,
            move |c: &mut DbConnection, ctx: &Ctx, t: &CandourTarget| plan(c, ctx, &t.record, req),
        ))
    };
    let request = Request {
        key: case_id,
        action: CandourAction::Update,
        if_match,
        body: raw,
    };
    match command::run::<CandourTarget, _, _>(state, actor, request, parse).await? {
        Answer::Record(view) => Ok(view),
        Answer::Step(_) => Err(AppError::internal("a candour update answered with a step")),
    }
}

/// Check a change against the record; the columns it sets and what the timeline says.
fn plan(
    c: &mut DbConnection,
    ctx: &Ctx,
    r: &CandourRecord,
    req: PatchCandourRequest,
) -> AppResult<Step> {
    if req.incident_reference.is_none()
        && req.incident_on.is_none()
        && req.became_aware_on.is_none()
        && req.harm.is_none()
        && req.exception.is_none()
    {
        return Err(AppError::BadRequest(
            "Nothing to change: send at least one field besides version.".into(),
        ));
    }
    let today = ctx.today;
    let mut e = Errors::default();
    let mut changes = CandourChanges::default();
    let mut said = Vec::new();
    if let Some(v) = &req.incident_reference {
        changes.incident_reference = Some(optional_reference(
            &mut e,
            "incident_reference",
            v.as_deref(),
        ));
    }
    let incident = req.incident_on.unwrap_or(r.incident_on);
    let aware = req.became_aware_on.unwrap_or(r.became_aware_on);
    if req.incident_on.is_some() || req.became_aware_on.is_some() {
        check_aware(&mut e, aware, incident, today);
        changes.incident_on = req.incident_on;
        changes.became_aware_on = req.became_aware_on;
        if req.became_aware_on.is_some_and(|d| d != r.became_aware_on) {
            said.push(format!("became aware on {aware}"));
        }
    }
    let mut notifiable = r.harm().map(HarmLevel::is_notifiable);
    if let Some(h) = &req.harm {
        let (level, on, rationale) = check_harm(&mut e, h, today);
        changes.harm_level = Some(Some(level.as_str().into()));
        changes.harm_decided_by = Some(Some(ctx.actor.user_id.clone()));
        changes.harm_decided_on = Some(Some(on));
        changes.harm_rationale = Some(rationale);
        notifiable = Some(level.is_notifiable());
        said.push(harm_summary(level));
    }
    let exception_kind = exception_changes(&mut e, ctx, req.exception.as_ref(), &mut changes);
    if matches!(req.exception, Some(None)) {
        said.push("Reg 20(5) exception withdrawn".into());
    }
    e.done()?;
    if let Some(kind) = exception_kind {
        said.push(exception_evidence(c, r, kind, notifiable)?);
    }
    let summary = if said.is_empty() {
        "Duty of Candour record updated".to_string()
    } else {
        said.join("; ")
    };
    Ok(Step {
        changes: CandourWrite {
            fields: changes,
            step: None,
        },
        summary,
        details: json!({}),
    })
}

/// The columns a recorded (or withdrawn) reg 20(5) exception sets; the kind recorded.
fn exception_changes(
    e: &mut Errors,
    ctx: &Ctx,
    exception: Option<&Option<ExceptionInput>>,
    changes: &mut CandourChanges,
) -> Option<ExceptionKind> {
    match exception? {
        Some(x) => {
            let note = input::text(e, "exception.note", &x.note, input::MAX_TEXT, true);
            let on = x.recorded_on.unwrap_or(ctx.today);
            input::past_date(e, "exception.recorded_on", on, ctx.today);
            changes.exception_kind = Some(Some(x.kind.as_str().into()));
            changes.exception_recorded_on = Some(Some(on));
            changes.exception_recorded_by = Some(Some(ctx.actor.user_id.clone()));
            changes.exception_note = Some(Some(note));
            Some(x.kind)
        }
        None => {
            changes.exception_kind = Some(None);
            changes.exception_recorded_on = Some(None);
            changes.exception_recorded_by = Some(None);
            changes.exception_note = Some(None);
            None
        }
    }
}

/// An exception needs a harm decided as notifiable and its evidence: logged attempts to
/// contact the relevant person that failed ("could not contact") or in which they declined
/// ("declined to engage"); an attempt that reached them is evidence of neither.
fn exception_evidence(
    c: &mut DbConnection,
    r: &CandourRecord,
    kind: ExceptionKind,
    notifiable: Option<bool>,
) -> AppResult<String> {
    match notifiable {
        Some(false) => {
            return Err(AppError::conflict(
                "The harm was decided as not notifiable: no exception is needed.",
            ));
        }
        None => {
            return Err(AppError::conflict(
                "A reg 20(5) exception needs a harm decision first: record the harm with the \
                 exception, or before it.",
            ));
        }
        Some(true) => {}
    }
    let attempts = rows::steps_for(c, std::slice::from_ref(&r.id))?
        .iter()
        .filter(|s| s.step_kind() == Some(StepKind::ContactAttempt))
        .filter(|s| {
            s.outcome
                .as_deref()
                .and_then(|o| o.parse::<AttemptOutcome>().ok())
                .is_some_and(|o| kind.rests_on(o))
        })
        .count();
    if attempts == 0 {
        return Err(AppError::conflict(match kind {
            ExceptionKind::CouldNotContact => {
                "A reg 20(5) exception needs its evidence: log each attempt to contact the \
                 relevant person that failed (POST …/candour/steps with kind contact_attempt) \
                 first; an attempt that reached them is not evidence."
            }
            ExceptionKind::DeclinedToEngage => {
                "A reg 20(5) exception for a refusal needs its evidence: log the attempt to \
                 contact the relevant person in which they declined (kind contact_attempt, \
                 outcome declined) first."
            }
        }));
    }
    Ok(format!(
        "Reg 20(5) exception recorded: {} ({attempts} contact attempt{} as evidence)",
        kind.as_str().replace('_', " "),
        if attempts == 1 { "" } else { "s" }
    ))
}

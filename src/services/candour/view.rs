//! How a candour record is shown: assessed today against the rules, with its steps, contact
//! attempts and exception; in full, as the case lists it, and as the closure check reads it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::no_record;
use crate::db::candour::{self as rows, CandourRecord, StepRow};
use crate::db::{DbConnection, calendar};
use crate::domain::calendar::WorkingCalendar;
use crate::domain::candour::{
    self as rules, CandourRules, CandourStatus, ExceptionKind, HarmLevel, Requirement, StepKind,
};
use crate::domain::case::Case;
use crate::error::AppResult;

/// Who decided the harm, and when.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HarmDecisionView {
    pub level: HarmLevel,
    pub decided_by: String,
    pub decided_on: NaiveDate,
    pub rationale: Option<String>,
}

/// The reg 20(5) exception, with the attempts that evidence it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExceptionView {
    pub kind: ExceptionKind,
    pub recorded_on: NaiveDate,
    pub recorded_by: String,
    pub note: Option<String>,
    /// The contact attempts logged when the exception was recorded.
    pub evidence_step_ids: Vec<String>,
}

/// One checklist item of a notification.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChecklistItem {
    #[schema(example = "apology_given")]
    pub item: &'static str,
    pub done: bool,
}

/// One recorded step or contact attempt.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StepView {
    pub id: String,
    pub kind: StepKind,
    pub done_on: NaiveDate,
    /// Who did it (name and role).
    pub performed_by: String,
    pub method: Option<String>,
    /// Contact attempts: what came of it.
    pub outcome: Option<String>,
    /// Notifications: the checklist as recorded on this step.
    pub checklist: Vec<ChecklistItem>,
    pub document_reference: Option<String>,
    pub notes: Option<String>,
    pub recorded_by: String,
    pub created_at: DateTime<Utc>,
}

/// A Duty of Candour record in full, with its status today.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CandourView {
    pub id: String,
    pub case_id: String,
    pub case_reference: String,
    /// The trust's incident system reference.
    pub incident_reference: Option<String>,
    pub incident_on: Option<NaiveDate>,
    /// The day the trust became aware: the clock starts here.
    pub became_aware_on: NaiveDate,
    pub flagged_on: NaiveDate,
    pub flagged_by: String,
    /// `null` until the harm is decided.
    pub harm: Option<HarmDecisionView>,
    /// Moderate harm and above; `null` until decided (the clock runs meanwhile).
    pub notifiable: Option<bool>,
    pub status: CandourStatus,
    /// The timed steps: in-person and written notification.
    pub requirements: Vec<Requirement>,
    /// Untimed steps still to be recorded before the record is complete:
    /// `enquiry_results_shared` (in writing, reg 20(4)(c)) and `correspondence_copy_kept` (20(6)).
    pub still_required: Vec<StepKind>,
    pub next_due_on: Option<NaiveDate>,
    /// Negative when the next date has passed.
    pub working_days_to_due: Option<i64>,
    /// Steps other than contact attempts, by date.
    pub steps: Vec<StepView>,
    pub contact_attempts: Vec<StepView>,
    pub exception: Option<ExceptionView>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The candour record as the case shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CandourSummary {
    pub id: String,
    pub status: CandourStatus,
    pub notifiable: Option<bool>,
    pub harm_level: Option<HarmLevel>,
    pub next_due_on: Option<NaiveDate>,
}

/// A record in the cross-case list (no free text, no personal details).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CandourListItem {
    pub id: String,
    pub case_id: String,
    pub case_reference: String,
    pub incident_reference: Option<String>,
    pub became_aware_on: NaiveDate,
    pub harm_level: Option<HarmLevel>,
    pub notifiable: Option<bool>,
    pub status: CandourStatus,
    pub requirements: Vec<Requirement>,
    pub next_due_on: Option<NaiveDate>,
    pub working_days_to_due: Option<i64>,
    pub exception: Option<ExceptionKind>,
}

/// Whether step `s` ticks checklist `item`.
pub(super) fn ticked(s: &StepRow, item: &str) -> bool {
    match item {
        "truthful_account_given" | "account_included" => s.account_given,
        "apology_given" | "apology_included" => s.apology_given,
        "support_offered" => s.support_offered,
        _ => s.enquiries_explained,
    }
    .unwrap_or(false)
}

pub(super) fn step_view(s: StepRow) -> StepView {
    let kind = s.step_kind().unwrap_or(StepKind::ContactAttempt);
    let checklist = rules::checklist(kind)
        .iter()
        .map(|item| ChecklistItem {
            item,
            done: ticked(&s, item),
        })
        .collect();
    StepView {
        id: s.id,
        kind,
        done_on: s.done_on,
        performed_by: s.performed_by,
        method: s.method,
        outcome: s.outcome,
        checklist,
        document_reference: s.document_reference,
        notes: s.notes,
        recorded_by: s.recorded_by,
        created_at: s.created_at.and_utc(),
    }
}

fn build(
    cal: &WorkingCalendar,
    candour: &CandourRules,
    r: CandourRecord,
    case_reference: String,
    steps: Vec<StepRow>,
    today: NaiveDate,
) -> CandourView {
    let a = r.assess(cal, candour, &steps, today);
    let harm = match (r.harm(), &r.harm_decided_by, r.harm_decided_on) {
        (Some(level), Some(by), Some(on)) => Some(HarmDecisionView {
            level,
            decided_by: by.clone(),
            decided_on: on,
            rationale: r.harm_rationale.clone(),
        }),
        _ => None,
    };
    let exception = match (
        r.exception_kind.as_deref().and_then(|k| k.parse().ok()),
        r.exception_recorded_on,
        &r.exception_recorded_by,
    ) {
        (Some(kind), Some(on), Some(by)) => Some(ExceptionView {
            kind,
            recorded_on: on,
            recorded_by: by.clone(),
            note: r.exception_note.clone(),
            evidence_step_ids: steps
                .iter()
                .filter(|s| s.step_kind() == Some(StepKind::ContactAttempt) && s.done_on <= on)
                .map(|s| s.id.clone())
                .collect(),
        }),
        _ => None,
    };
    let (attempts, others): (Vec<StepRow>, Vec<StepRow>) = steps
        .into_iter()
        .partition(|s| s.step_kind() == Some(StepKind::ContactAttempt));
    CandourView {
        id: r.id,
        case_id: r.case_id,
        case_reference,
        incident_reference: r.incident_reference,
        incident_on: r.incident_on,
        became_aware_on: r.became_aware_on,
        flagged_on: r.flagged_on,
        flagged_by: r.flagged_by,
        harm,
        notifiable: a.notifiable,
        status: a.status,
        requirements: a.requirements,
        still_required: a.still_required,
        next_due_on: a.next_due_on,
        working_days_to_due: a.working_days_to_due,
        steps: others.into_iter().map(step_view).collect(),
        contact_attempts: attempts.into_iter().map(step_view).collect(),
        exception,
        version: r.version,
        created_at: r.created_at.and_utc(),
        updated_at: r.updated_at.and_utc(),
    }
}

pub(super) fn load_view(
    c: &mut DbConnection,
    candour: &CandourRules,
    case: &Case,
    today: NaiveDate,
) -> AppResult<CandourView> {
    let r = rows::for_case(c, &case.id)?.ok_or_else(no_record)?;
    let steps = rows::steps_for(c, std::slice::from_ref(&r.id))?;
    let cal = calendar::current(c)?;
    Ok(build(
        &cal,
        candour,
        r,
        case.reference.clone(),
        steps,
        today,
    ))
}

/// The candour record of a case, for the case view (`None` when not flagged).
pub fn summary(
    c: &mut DbConnection,
    cal: &WorkingCalendar,
    candour: &CandourRules,
    case_id: &str,
    today: NaiveDate,
) -> AppResult<Option<CandourSummary>> {
    let Some(r) = rows::for_case(c, case_id)? else {
        return Ok(None);
    };
    let steps = rows::steps_for(c, std::slice::from_ref(&r.id))?;
    let a = r.assess(cal, candour, &steps, today);
    Ok(Some(CandourSummary {
        harm_level: r.harm(),
        id: r.id,
        status: a.status,
        notifiable: a.notifiable,
        next_due_on: a.next_due_on,
    }))
}

/// Why the case may not be closed yet for the Duty of Candour: `None` when nothing is owed
/// (no record, not notifiable, complete, or an exception recorded). An undecided record
/// blocks too: the harm decision itself is outstanding.
pub fn closure_block(
    c: &mut DbConnection,
    cal: &WorkingCalendar,
    candour: &CandourRules,
    case_id: &str,
    today: NaiveDate,
) -> AppResult<Option<(CandourStatus, String)>> {
    let Some(r) = rows::for_case(c, case_id)? else {
        return Ok(None);
    };
    let steps = rows::steps_for(c, std::slice::from_ref(&r.id))?;
    let a = r.assess(cal, candour, &steps, today);
    if a.status.is_settled() {
        return Ok(None);
    }
    let mut outstanding: Vec<String> = a
        .requirements
        .iter()
        .filter(|q| q.completed_on.is_none())
        .map(|q| format!("{} (due {})", q.kind.as_str().replace('_', " "), q.due_on))
        .collect();
    outstanding.extend(a.still_required.iter().map(|k| match k {
        StepKind::EnquiryResultsShared => {
            "the results of further enquiries shared in writing".into()
        }
        StepKind::CorrespondenceCopyKept => "a copy of the correspondence kept".into(),
        other => other.as_str().replace('_', " "),
    }));
    if a.notifiable.is_none() {
        outstanding.insert(0, "the harm decision".into());
    }
    Ok(Some((
        a.status,
        format!(
            "The Duty of Candour record of this case is incomplete ({}): outstanding {}. Complete \
             the steps or record a reg 20(5) exception; a complaints manager may close anyway by \
             giving candour_override_reason.",
            a.status.as_str().replace('_', " "),
            outstanding.join(", ")
        ),
    )))
}

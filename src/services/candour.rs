//! Duty of Candour on a case: flag a possible notifiable safety incident, decide the harm (who
//! and when), record each step with its checklist and each attempt to contact the relevant
//! person, record a reg 20(5) exception with those attempts as evidence, and list records
//! across cases by their computed status. Each change is one transaction with its timeline
//! event on the case; free text stays on the record, off the hash-chained timeline.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::Actor;
use super::case_input::{self as input, Errors};
use super::cases::{
    Visibility, diff, load_visible, required_version_of, stale_of, today, visibility,
};
use crate::db::candour::{self as rows, CandourChanges, CandourRecord, StepRow};
use crate::db::cases::{self, CaseRecord};
use crate::db::{self, DbConnection, calendar, timeline};
use crate::domain::calendar::WorkingCalendar;
use crate::domain::candour::{
    self as rules, Assessment, AttemptOutcome, CandourFacts, CandourRules, CandourStatus,
    ExceptionKind, HarmLevel, Requirement, StepFacts, StepKind, StepMethod,
};
use crate::domain::role::Permission;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

const MAX_REFERENCE: usize = 100;

fn no_record() -> AppError {
    AppError::NotFound(
        "This case has no Duty of Candour record; flag it with POST /api/v1/cases/{id}/candour."
            .into(),
    )
}

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

fn harm_of(r: &CandourRecord) -> Option<HarmLevel> {
    r.harm_level.as_deref().and_then(|h| h.parse().ok())
}

fn step_kind(s: &StepRow) -> Option<StepKind> {
    s.kind.parse().ok()
}

fn facts(r: &CandourRecord, steps: &[StepRow]) -> CandourFacts {
    CandourFacts {
        became_aware_on: r.became_aware_on,
        harm: harm_of(r),
        exception: r.exception_kind.is_some(),
        steps: steps
            .iter()
            .filter(|s| s.record_id == r.id)
            .filter_map(|s| {
                Some(StepFacts {
                    kind: step_kind(s)?,
                    done_on: s.done_on,
                    account_given: s.account_given.unwrap_or(false),
                    apology_given: s.apology_given.unwrap_or(false),
                    support_offered: s.support_offered.unwrap_or(false),
                    enquiries_explained: s.enquiries_explained.unwrap_or(false),
                })
            })
            .collect(),
    }
}

fn assess(
    cal: &WorkingCalendar,
    candour: &CandourRules,
    r: &CandourRecord,
    steps: &[StepRow],
    today: NaiveDate,
) -> Assessment {
    rules::assess(cal, candour, &facts(r, steps), today)
}

fn step_view(s: StepRow) -> StepView {
    let kind = step_kind(&s).unwrap_or(StepKind::ContactAttempt);
    let checklist = rules::checklist(kind)
        .iter()
        .map(|item| ChecklistItem {
            item,
            done: match *item {
                "truthful_account_given" | "account_included" => s.account_given,
                "apology_given" | "apology_included" => s.apology_given,
                "support_offered" => s.support_offered,
                _ => s.enquiries_explained,
            }
            .unwrap_or(false),
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
    let a = assess(cal, candour, &r, &steps, today);
    let harm = match (harm_of(&r), &r.harm_decided_by, r.harm_decided_on) {
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
                .filter(|s| step_kind(s) == Some(StepKind::ContactAttempt) && s.done_on <= on)
                .map(|s| s.id.clone())
                .collect(),
        }),
        _ => None,
    };
    let (attempts, others): (Vec<StepRow>, Vec<StepRow>) = steps
        .into_iter()
        .partition(|s| step_kind(s) == Some(StepKind::ContactAttempt));
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

fn load_view(
    c: &mut DbConnection,
    candour: &CandourRules,
    case: &CaseRecord,
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
    let a = assess(cal, candour, &r, &steps, today);
    Ok(Some(CandourSummary {
        harm_level: harm_of(&r),
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
    let a = assess(cal, candour, &r, &steps, today);
    if a.status.is_settled() {
        return Ok(None);
    }
    let mut outstanding: Vec<String> = a
        .requirements
        .iter()
        .filter(|q| q.completed_on.is_none())
        .map(|q| format!("{} (due {})", q.kind.as_str().replace('_', " "), q.due_on))
        .collect();
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

fn done(e: Errors) -> AppResult<()> {
    if e.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(e.0))
    }
}

fn optional_reference(e: &mut Errors, field: &str, raw: Option<&str>) -> Option<String> {
    input::optional_text(e, field, raw, MAX_REFERENCE)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FlagCandourRequest {
    /// The trust's incident system reference.
    pub incident_reference: Option<String>,
    pub incident_on: Option<NaiveDate>,
    /// The day the trust became aware of the incident: the clock starts here.
    pub became_aware_on: NaiveDate,
    /// The harm, if already decided.
    pub harm: Option<HarmDecisionInput>,
}

/// A harm decision; who decided is the signed-in user.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HarmDecisionInput {
    pub level: HarmLevel,
    /// Defaults to today.
    pub decided_on: Option<NaiveDate>,
    pub rationale: Option<String>,
}

fn check_aware(e: &mut Errors, aware: NaiveDate, incident: Option<NaiveDate>, today: NaiveDate) {
    input::past_date(e, "became_aware_on", aware, today);
    if let Some(i) = incident {
        input::past_date(e, "incident_on", i, today);
        if aware < i {
            e.add("became_aware_on", "is before the incident");
        }
    }
}

fn check_harm(
    e: &mut Errors,
    h: &HarmDecisionInput,
    today: NaiveDate,
) -> (HarmLevel, NaiveDate, Option<String>) {
    let on = h.decided_on.unwrap_or(today);
    input::past_date(e, "harm.decided_on", on, today);
    let rationale =
        input::optional_text(e, "harm.rationale", h.rationale.as_deref(), input::MAX_TEXT);
    (h.level, on, rationale)
}

fn harm_summary(level: HarmLevel) -> String {
    format!(
        "Harm decided: {}{}",
        level.as_str().replace('_', " "),
        if level.is_notifiable() {
            " (notifiable safety incident)"
        } else {
            " (not notifiable)"
        }
    )
}

/// Flag case `case_id` as a possible notifiable safety incident (parsed after the role check).
pub async fn flag(
    state: &AppState,
    actor: &Actor,
    case_id: String,
    raw: Value,
) -> AppResult<CandourView> {
    actor.require(Permission::ManageCandour)?;
    let actor = actor.clone();
    let candour = state.settings.candour.clone();
    state
        .db
        .write(move |c| -> AppResult<CandourView> {
            let case = load_visible(c, &actor, &case_id)?;
            let req: FlagCandourRequest = crate::json::from_value(raw)?;
            let today = today();
            let mut e = Errors::default();
            let reference = optional_reference(
                &mut e,
                "incident_reference",
                req.incident_reference.as_deref(),
            );
            check_aware(&mut e, req.became_aware_on, req.incident_on, today);
            let harm = req.harm.as_ref().map(|h| check_harm(&mut e, h, today));
            done(e)?;
            let now = db::now();
            cases::touch(c, &case.id, now)?;
            if rows::for_case(c, &case.id)?.is_some() {
                return Err(AppError::conflict(
                    "This case already has a Duty of Candour record; change it with PATCH.",
                ));
            }
            let r = CandourRecord {
                id: uuid::Uuid::new_v4().to_string(),
                case_id: case.id.clone(),
                incident_reference: reference,
                incident_on: req.incident_on,
                became_aware_on: req.became_aware_on,
                flagged_on: today,
                flagged_by: actor.user_id.clone(),
                harm_level: harm.as_ref().map(|(l, _, _)| l.as_str().to_string()),
                harm_decided_by: harm.as_ref().map(|_| actor.user_id.clone()),
                harm_decided_on: harm.as_ref().map(|(_, on, _)| *on),
                harm_rationale: harm.as_ref().and_then(|(_, _, r)| r.clone()),
                exception_kind: None,
                exception_recorded_on: None,
                exception_recorded_by: None,
                exception_note: None,
                version: 1,
                created_at: now,
                updated_at: now,
            };
            rows::insert(c, &r)?;
            let mut summary = "Flagged as a possible notifiable safety incident".to_string();
            if let Some((level, _, _)) = &harm {
                summary = format!("{summary}; {}", harm_summary(*level).to_lowercase());
            }
            timeline::append(
                c,
                &case.id,
                Some(&actor.user_id),
                "candour_flagged",
                &summary,
                &json!({
                    "candour_id": r.id,
                    "became_aware_on": r.became_aware_on,
                    "incident_reference": r.incident_reference,
                    "harm_level": r.harm_level,
                }),
                now,
            )?;
            load_view(c, &candour, &case, today)
        })
        .await
}

/// The candour record of a case. The read is recorded in the access log.
pub async fn get(
    state: &AppState,
    actor: &Actor,
    case_id: String,
    route: &str,
) -> AppResult<CandourView> {
    actor.require(Permission::ReadCaseRecords)?;
    let actor = actor.clone();
    let candour = state.settings.candour.clone();
    let route = route.to_string();
    state
        .db
        .write(move |c| -> AppResult<CandourView> {
            let case = load_visible(c, &actor, &case_id)?;
            let view = load_view(c, &candour, &case, today())?;
            timeline::record_access(c, &case.id, &actor.user_id, &route, db::now())?;
            Ok(view)
        })
        .await
}

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
    actor.require(Permission::ManageCandour)?;
    let actor = actor.clone();
    let candour = state.settings.candour.clone();
    state
        .db
        .write(move |c| -> AppResult<CandourView> {
            let case = load_visible(c, &actor, &case_id)?;
            let req: PatchCandourRequest = crate::json::from_value(raw)?;
            let version = required_version_of("candour record", if_match, req.version)?;
            let r = rows::for_case(c, &case.id)?.ok_or_else(no_record)?;
            if r.version != version {
                return Err(stale_of("candour record", r.version));
            }
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
            let today = today();
            let mut e = Errors::default();
            let mut changes = CandourChanges::default();
            let mut said = Vec::new();
            if let Some(v) = &req.incident_reference {
                changes.incident_reference =
                    Some(optional_reference(&mut e, "incident_reference", v.as_deref()));
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
            let mut notifiable = harm_of(&r).map(HarmLevel::is_notifiable);
            if let Some(h) = &req.harm {
                let (level, on, rationale) = check_harm(&mut e, h, today);
                changes.harm_level = Some(Some(level.as_str().into()));
                changes.harm_decided_by = Some(Some(actor.user_id.clone()));
                changes.harm_decided_on = Some(Some(on));
                changes.harm_rationale = Some(rationale);
                notifiable = Some(level.is_notifiable());
                said.push(harm_summary(level));
            }
            let mut exception_kind = None;
            match &req.exception {
                Some(Some(x)) => {
                    let note = input::text(&mut e, "exception.note", &x.note, input::MAX_TEXT, true);
                    let on = x.recorded_on.unwrap_or(today);
                    input::past_date(&mut e, "exception.recorded_on", on, today);
                    changes.exception_kind = Some(Some(x.kind.as_str().into()));
                    changes.exception_recorded_on = Some(Some(on));
                    changes.exception_recorded_by = Some(Some(actor.user_id.clone()));
                    changes.exception_note = Some(Some(note));
                    exception_kind = Some(x.kind);
                }
                Some(None) => {
                    changes.exception_kind = Some(None);
                    changes.exception_recorded_on = Some(None);
                    changes.exception_recorded_by = Some(None);
                    changes.exception_note = Some(None);
                    said.push("Reg 20(5) exception withdrawn".into());
                }
                None => {}
            }
            done(e)?;
            let steps = rows::steps_for(c, std::slice::from_ref(&r.id))?;
            if let Some(kind) = exception_kind {
                if notifiable == Some(false) {
                    return Err(AppError::conflict(
                        "The harm was decided as not notifiable: no exception is needed.",
                    ));
                }
                let attempts = steps
                    .iter()
                    .filter(|s| step_kind(s) == Some(StepKind::ContactAttempt))
                    .count();
                if attempts == 0 {
                    return Err(AppError::conflict(
                        "A reg 20(5) exception needs its evidence: log each attempt to contact \
                         the relevant person (POST …/candour/steps with kind contact_attempt) first.",
                    ));
                }
                said.push(format!(
                    "Reg 20(5) exception recorded: {} ({attempts} contact attempt{} as evidence)",
                    kind.as_str().replace('_', " "),
                    if attempts == 1 { "" } else { "s" }
                ));
            }
            let now = db::now();
            cases::touch(c, &case.id, now)?;
            if !rows::update_versioned(c, &r.id, version, &changes, now)? {
                return Err(stale_of("candour record", r.version));
            }
            let after = rows::for_case(c, &case.id)?.ok_or_else(no_record)?;
            let before_v = serde_json::to_value(&r).unwrap_or(Value::Null);
            let after_v = serde_json::to_value(&after).unwrap_or(Value::Null);
            let summary = if said.is_empty() {
                "Duty of Candour record updated".to_string()
            } else {
                said.join("; ")
            };
            timeline::append(
                c,
                &case.id,
                Some(&actor.user_id),
                "candour_updated",
                &summary,
                &json!({ "candour_id": r.id, "changes": diff(&before_v, &after_v) }),
                now,
            )?;
            load_view(c, &candour, &case, today)
        })
        .await
}

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
    let method = match k {
        K::InPersonNotification => {
            if req.method.is_some_and(|m| m != StepMethod::InPerson) {
                e.add("method", "an in-person notification is made in person");
            }
            Some(StepMethod::InPerson)
        }
        K::WrittenNotification => {
            let m = req.method.unwrap_or(StepMethod::Letter);
            if !matches!(m, StepMethod::Letter | StepMethod::Email) {
                e.add("method", "a written notification goes by letter or email");
            }
            Some(m)
        }
        K::ContactAttempt => {
            if req.method.is_none() {
                e.add("method", "is required: how was contact attempted?");
            }
            if req.outcome.is_none() {
                e.add("outcome", "is required: what came of the attempt?");
            }
            req.method
        }
        K::EnquiryResultsShared | K::CorrespondenceCopyKept => req.method,
    };
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

/// Record a step or a contact attempt on the case's candour record (parsed after the role check).
pub async fn add_step(
    state: &AppState,
    actor: &Actor,
    case_id: String,
    if_match: Option<i32>,
    raw: Value,
) -> AppResult<StepView> {
    actor.require(Permission::ManageCandour)?;
    let actor = actor.clone();
    state
        .db
        .write(move |c| -> AppResult<StepView> {
            let case = load_visible(c, &actor, &case_id)?;
            let req: CandourStepRequest = crate::json::from_value(raw)?;
            // Lock the case first: a step sent without a version is never refused as stale.
            let now = db::now();
            cases::touch(c, &case.id, now)?;
            let r = rows::for_case(c, &case.id)?.ok_or_else(no_record)?;
            let expected = match (if_match, req.version) {
                (None, None) => None,
                (a, b) => Some(required_version_of("candour record", a, b)?),
            };
            if expected.is_some_and(|v| v != r.version) {
                return Err(stale_of("candour record", r.version));
            }
            let today = today();
            let mut e = Errors::default();
            let on = req.done_on.unwrap_or(today);
            input::past_date(&mut e, "done_on", on, today);
            if on < r.became_aware_on {
                e.add("done_on", "is before the trust became aware of the incident");
            }
            let performed_by = input::text(&mut e, "performed_by", &req.performed_by, 200, true);
            let document_reference = optional_reference(
                &mut e,
                "document_reference",
                req.document_reference.as_deref(),
            );
            let notes = input::optional_text(&mut e, "notes", req.notes.as_deref(), input::MAX_TEXT);
            let checked = check_step_fields(&mut e, &req);
            done(e)?;
            if harm_of(&r).is_some_and(|h| !h.is_notifiable())
                && req.kind != StepKind::CorrespondenceCopyKept
            {
                return Err(AppError::conflict(
                    "The harm was decided as not notifiable: the Duty of Candour steps do not apply.",
                ));
            }
            let row = StepRow {
                id: uuid::Uuid::new_v4().to_string(),
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
                recorded_by: actor.user_id.clone(),
                created_at: now,
            };
            rows::insert_step(c, &row)?;
            if !rows::update_versioned(c, &r.id, r.version, &CandourChanges::default(), now)? {
                return Err(stale_of("candour record", r.version));
            }
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
            let missing: Vec<&str> = rules::checklist(req.kind)
                .iter()
                .copied()
                .filter(|item| {
                    !match *item {
                        "truthful_account_given" | "account_included" => row.account_given,
                        "apology_given" | "apology_included" => row.apology_given,
                        "support_offered" => row.support_offered,
                        _ => row.enquiries_explained,
                    }
                    .unwrap_or(false)
                })
                .collect();
            timeline::append(
                c,
                &case.id,
                Some(&actor.user_id),
                "candour_step",
                &summary,
                &json!({
                    "candour_id": r.id,
                    "step_id": row.id,
                    "kind": req.kind,
                    "done_on": on,
                    "method": row.method,
                    "outcome": row.outcome,
                    "checklist_missing": missing,
                }),
                now,
            )?;
            Ok(step_view(row))
        })
        .await
}

/// The steps and contact attempts of a case's candour record, by date.
pub async fn list_steps(
    state: &AppState,
    actor: &Actor,
    case_id: String,
    route: &str,
) -> AppResult<Vec<StepView>> {
    actor.require(Permission::ReadCaseRecords)?;
    let actor = actor.clone();
    let route = route.to_string();
    state
        .db
        .write(move |c| -> AppResult<Vec<StepView>> {
            let case = load_visible(c, &actor, &case_id)?;
            let r = rows::for_case(c, &case.id)?.ok_or_else(no_record)?;
            let steps = rows::steps_for(c, std::slice::from_ref(&r.id))?;
            timeline::record_access(c, &case.id, &actor.user_id, &route, db::now())?;
            Ok(steps.into_iter().map(step_view).collect())
        })
        .await
}

/// A page of candour records.
pub struct CandourPage {
    pub items: Vec<CandourListItem>,
    pub next: Option<String>,
    pub total: i64,
}

/// Candour records across cases with one of `statuses` (all when empty), soonest due first.
/// Investigators see only the records of cases they can read.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    statuses: Vec<CandourStatus>,
    limit: Option<i64>,
    cursor: Option<String>,
) -> AppResult<CandourPage> {
    actor.require(Permission::ReadCaseRecords)?;
    let limit = usize::try_from(super::users::page_limit(limit)?).unwrap_or(50);
    let after = cursor
        .map(|raw| {
            URL_SAFE_NO_PAD
                .decode(raw.as_bytes())
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| AppError::invalid("cursor", "is not a cursor from this list"))
        })
        .transpose()?;
    let actor = actor.clone();
    let candour = state.settings.candour.clone();
    state
        .db
        .read(move |c| -> AppResult<CandourPage> {
            let vis = visibility(c, &actor)?;
            let cal = calendar::current(c)?;
            let today = today();
            let all = rows::all_with_reference(c)?;
            let mut records = Vec::with_capacity(all.len());
            for (r, reference) in all {
                if let Visibility::Assigned(services) = &vis {
                    let Some(case) = cases::find(c, &r.case_id)? else {
                        continue;
                    };
                    let mine = case.handler_id.as_deref() == Some(actor.user_id.as_str())
                        || case.investigator_id.as_deref() == Some(actor.user_id.as_str());
                    let coding = cases::coding(c, &r.case_id)?;
                    if !mine && !coding.service_ids.iter().any(|s| services.contains(s)) {
                        continue;
                    }
                }
                records.push((r, reference));
            }
            let ids: Vec<String> = records.iter().map(|(r, _)| r.id.clone()).collect();
            let steps = rows::steps_for(c, &ids)?;
            let mut items: Vec<CandourListItem> = records
                .into_iter()
                .map(|(r, reference)| {
                    let a = assess(&cal, &candour, &r, &steps, today);
                    CandourListItem {
                        harm_level: harm_of(&r),
                        exception: r.exception_kind.as_deref().and_then(|k| k.parse().ok()),
                        id: r.id,
                        case_id: r.case_id,
                        case_reference: reference,
                        incident_reference: r.incident_reference,
                        became_aware_on: r.became_aware_on,
                        notifiable: a.notifiable,
                        status: a.status,
                        requirements: a.requirements,
                        next_due_on: a.next_due_on,
                        working_days_to_due: a.working_days_to_due,
                    }
                })
                .filter(|i| statuses.is_empty() || statuses.contains(&i.status))
                .collect();
            items.sort_by(|a, b| {
                (
                    a.next_due_on.is_none(),
                    a.next_due_on,
                    a.became_aware_on,
                    &a.id,
                )
                    .cmp(&(
                        b.next_due_on.is_none(),
                        b.next_due_on,
                        b.became_aware_on,
                        &b.id,
                    ))
            });
            let total = i64::try_from(items.len()).unwrap_or(i64::MAX);
            let start = match &after {
                None => 0,
                Some(id) => {
                    items.iter().position(|i| &i.id == id).ok_or_else(|| {
                        AppError::invalid("cursor", "is not a cursor from this list")
                    })? + 1
                }
            };
            let mut page: Vec<CandourListItem> = items.into_iter().skip(start).collect();
            let more = page.len() > limit;
            page.truncate(limit);
            let next = more
                .then(|| page.last())
                .flatten()
                .map(|last| URL_SAFE_NO_PAD.encode(&last.id));
            Ok(CandourPage {
                items: page,
                next,
                total,
            })
        })
        .await
}

/// Duty of Candour figures for incidents the trust became aware of in a period (11B).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct CandourCounts {
    /// Cases flagged as possible notifiable safety incidents.
    pub flagged: i64,
    /// Harm decided as moderate or worse.
    pub notifiable: i64,
    pub not_notifiable: i64,
    /// Harm not yet decided.
    pub undecided: i64,
    /// Notifiable incidents whose notifications were all made on time.
    pub notified_on_time: i64,
    pub notified_late: i64,
    /// Reg 20(5) exceptions (could not be contacted, declined to engage).
    pub exceptions: i64,
    /// Notifiable incidents still owed a notification.
    pub outstanding: i64,
}

/// Count candour records with `became_aware_on` in [`from`, `to`], assessed as at `today`.
pub fn period_counts(
    c: &mut DbConnection,
    cal: &WorkingCalendar,
    candour: &CandourRules,
    service_ids: Option<&[String]>,
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
) -> AppResult<CandourCounts> {
    let records: Vec<CandourRecord> = rows::became_aware_between(c, service_ids, from, to)?;
    let ids: Vec<String> = records.iter().map(|r| r.id.clone()).collect();
    let mut by_record: std::collections::HashMap<String, Vec<StepRow>> = Default::default();
    for chunk in ids.chunks(10_000) {
        for step in rows::steps_for(c, chunk)? {
            by_record
                .entry(step.record_id.clone())
                .or_default()
                .push(step);
        }
    }
    let mut n = CandourCounts::default();
    for r in &records {
        n.flagged += 1;
        let mine: Vec<StepRow> = by_record.remove(&r.id).unwrap_or_default();
        let a = assess(cal, candour, r, &mine, today);
        match a.notifiable {
            None => n.undecided += 1,
            Some(false) => n.not_notifiable += 1,
            Some(true) => {
                n.notifiable += 1;
                match a.status {
                    CandourStatus::CompletedOnTime => n.notified_on_time += 1,
                    CandourStatus::CompletedLate => n.notified_late += 1,
                    CandourStatus::Exception => n.exceptions += 1,
                    _ => n.outstanding += 1,
                }
            }
        }
    }
    Ok(n)
}

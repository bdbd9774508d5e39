//! Editing a case: details, coding, risk and people, validated exactly as at intake, with the
//! changed fields on the timeline. Personal details are named there, never copied, so that
//! redacting a person never has to rewrite the hash-chained history.

use chrono::{NaiveDate, NaiveDateTime};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::Actor;
use super::access::load_visible;
use super::case_input::{
    self as input, ComplainantInput, Errors, PersonInput, RepresentativeInput, RiskInput,
    SubjectInput,
};
use super::case_intake::{self, CreateCaseRequest, ValidCase};
use super::case_state::refresh_next_due;
use super::case_view::{self, CaseView};
use super::command::{diff, required_version, stale};
use crate::db::cases::{self, CaseChanges, CaseCoding};
use crate::db::persons::{self, Person, PersonFields};
use crate::db::{DbConnection, calendar, timeline};
use crate::domain::calendar::WorkingCalendar;
use crate::domain::case::Case;
use crate::domain::case::{CaseKind, CaseStatus, ContactMethod};
use crate::domain::clock::{self, ClockRules};
use crate::domain::role::Permission;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Changes to a case; leave a field out to keep it. Lists and people are replaced whole.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchCaseRequest {
    pub version: Option<i32>,
    pub channel: Option<String>,
    /// Only before the complaint is acknowledged (it drives the statutory clock).
    pub received_on: Option<NaiveDate>,
    #[serde(default, deserialize_with = "crate::json::present")]
    pub incident_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "crate::json::present")]
    pub became_aware_on: Option<Option<NaiveDate>>,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub desired_outcome: Option<String>,
    /// Not after the response: findings are recorded per subject.
    pub subjects: Option<Vec<SubjectInput>>,
    /// Replaces the services; the first is the primary service (the KO41a site).
    pub service_ids: Option<Vec<String>>,
    pub professions: Option<Vec<String>>,
    pub risk: Option<RiskInput>,
    pub complainant: Option<ComplainantInput>,
    pub patient: Option<PersonInput>,
    pub representative: Option<RepresentativeInput>,
    /// The complainant withdrew consent to statutory letters by email (reg 15).
    pub email_consent_withdrawn_on: Option<NaiveDate>,
}

impl PatchCaseRequest {
    fn is_empty(&self) -> bool {
        let PatchCaseRequest {
            version: _,
            channel,
            received_on,
            incident_on,
            became_aware_on,
            summary,
            description,
            desired_outcome,
            subjects,
            service_ids,
            professions,
            risk,
            complainant,
            patient,
            representative,
            email_consent_withdrawn_on,
        } = self;
        channel.is_none()
            && received_on.is_none()
            && incident_on.is_none()
            && became_aware_on.is_none()
            && summary.is_none()
            && description.is_none()
            && desired_outcome.is_none()
            && subjects.is_none()
            && service_ids.is_none()
            && professions.is_none()
            && risk.is_none()
            && complainant.is_none()
            && patient.is_none()
            && representative.is_none()
            && email_consent_withdrawn_on.is_none()
    }
}

/// Apply the raw patch body to case `id` (parsed after the role check).
pub async fn edit(
    state: &AppState,
    actor: &Actor,
    id: String,
    if_match: Option<i32>,
    raw: Value,
) -> AppResult<CaseView> {
    let actor = actor.clone();
    let rules = state.settings.cases.clone();
    let candour = state.settings.candour.clone();
    let clock = state.clock.clone();
    state
        .db
        .write(move |c| -> AppResult<CaseView> {
            let case = load_visible(c, &actor, &id)?;
            actor.require(if case.kind == CaseKind::Complaint {
                Permission::EditCase
            } else {
                Permission::RunPalsConcern
            })?;
            let patch: PatchCaseRequest = crate::json::from_value(raw)?;
            let version = required_version("case", if_match, patch.version)?;
            check(&case, &patch, version)?;
            let stored = stored(c, case)?;
            let merged = merge(&stored, &patch);
            let (now, today) = (clock.now(), clock.today());
            let valid = case_intake::validate(c, &merged, today)?;
            let cal = calendar::current(c)?;
            let changes = case_changes(&stored.case, &patch, &merged, &valid, &cal, &rules, today)?;
            let people = replace_people(c, &stored, &patch, &valid, now)?;
            let coding = replace_coding(c, &stored, &patch, &valid)?;
            if !cases::update_versioned(c, &id, version, &changes, now)? {
                return Err(stale("case", stored.case.version));
            }
            let after = cases::find(c, &id)?.ok_or_else(|| AppError::internal("case vanished"))?;
            let mut details = json!({
                "changes": diff(&to_value(&stored.case), &to_value(&after)),
                "people": people,
            });
            if let Some(coding) = coding {
                details["coding"] = coding;
            }
            let (actor_id, kind) = (Some(actor.user_id.as_str()), "edited");
            timeline::append(c, &id, actor_id, kind, "Case details edited", &details, now)?;
            refresh_next_due(c, &cal, &after, today)?;
            let after = cases::find(c, &id)?.ok_or_else(|| AppError::internal("case vanished"))?;
            case_view::load(c, &cal, &candour, after, today)
        })
        .await
}

fn to_value(case: &Case) -> Value {
    serde_json::to_value(case).unwrap_or(Value::Null)
}

/// The case as stored, with its people and coding, before the edit.
struct Stored {
    case: Case,
    complainant: Person,
    patient: Option<Person>,
    coding: CaseCoding,
}

fn stored(c: &mut DbConnection, case: Case) -> AppResult<Stored> {
    let complainant = persons::find(c, &case.complainant_id)?
        .ok_or_else(|| AppError::internal("case without its complainant"))?;
    let patient = match (&case.patient_id, case.patient_is_complainant) {
        (Some(pid), false) => persons::find(c, pid)?,
        _ => None,
    };
    let coding = cases::coding(c, &case.id)?;
    Ok(Stored {
        case,
        complainant,
        patient,
        coding,
    })
}

/// A patch must change something, be made on the version it was read at, and be one the
/// case's state allows.
fn check(case: &Case, patch: &PatchCaseRequest, version: i32) -> AppResult<()> {
    if patch.is_empty() {
        return Err(AppError::BadRequest(
            "Nothing to change: send at least one field besides version.".into(),
        ));
    }
    if case.version != version {
        return Err(stale("case", case.version));
    }
    guard(case, patch)
}

/// The stored fields the validated edit sets.
fn case_changes(
    case: &Case,
    patch: &PatchCaseRequest,
    merged: &CreateCaseRequest,
    valid: &ValidCase,
    cal: &WorkingCalendar,
    rules: &ClockRules,
    today: NaiveDate,
) -> AppResult<CaseChanges> {
    let mut changes = CaseChanges {
        channel: Some(valid.channel.clone()),
        summary: Some(valid.summary.clone()),
        description: Some(valid.description.clone()),
        desired_outcome: Some(valid.desired_outcome.clone()),
        incident_on: Some(merged.incident_on),
        became_aware_on: Some(merged.became_aware_on),
        risk_consequence: Some(valid.risk.map(|(r, _)| r.consequence)),
        risk_likelihood: Some(valid.risk.map(|(r, _)| r.likelihood)),
        risk_grade: Some(valid.risk.map(|(_, g)| g.as_str().to_string())),
        age_band: Some(valid.age_band.clone()),
        ..Default::default()
    };
    if let Some(r) = &merged.representative {
        changes.representative_basis = Some(Some(r.basis.as_str().into()));
        changes.consent_status = Some(r.consent_status.as_str().into());
        changes.consent_requested_on = Some(r.consent_requested_on);
        changes.consent_received_on = Some(r.consent_received_on);
    }
    deadlines(&mut changes, case, patch, merged, cal, rules);
    email_consent(&mut changes, case, patch, today)?;
    Ok(changes)
}

/// A new received, incident or awareness date moves the deadlines that follow from them.
fn deadlines(
    changes: &mut CaseChanges,
    case: &Case,
    patch: &PatchCaseRequest,
    merged: &CreateCaseRequest,
    cal: &WorkingCalendar,
    rules: &ClockRules,
) {
    let due = clock::receipt_deadlines(cal, rules, merged.receipt(case.risk_grade));
    if patch.received_on.is_some() || patch.incident_on.is_some() || patch.became_aware_on.is_some()
    {
        changes.out_of_time = Some(due.out_of_time);
    }
    if let Some(received) = patch.received_on {
        changes.received_on = Some(received);
        changes.calendar_version = Some(cal.version);
        if case.kind == CaseKind::Complaint {
            changes.acknowledgement_due_on = Some(due.acknowledgement_due_on);
            changes.six_month_letter_due_on = Some(due.six_month_letter_due_on);
        } else {
            changes.pals_due_on = Some(due.pals_due_on);
        }
    }
}

/// Consent to statutory letters by email, given again with the complainant or withdrawn.
fn email_consent(
    changes: &mut CaseChanges,
    case: &Case,
    patch: &PatchCaseRequest,
    today: NaiveDate,
) -> AppResult<()> {
    if let Some(c_in) = &patch.complainant {
        changes.email_consent = Some(c_in.consents_to_email);
        changes.email_consent_on = Some(c_in.email_consent_on.filter(|_| c_in.consents_to_email));
        if c_in.consents_to_email {
            changes.email_consent_withdrawn_on = Some(None);
        }
    }
    let Some(withdrawn) = patch.email_consent_withdrawn_on else {
        return Ok(());
    };
    let mut e = Errors::default();
    let consented = patch
        .complainant
        .as_ref()
        .map_or(case.email_consent, |c| c.consents_to_email);
    if !consented {
        e.add(
            "email_consent_withdrawn_on",
            "there is no consent to withdraw",
        );
    }
    input::past_date(&mut e, "email_consent_withdrawn_on", withdrawn, today);
    changes.email_consent_withdrawn_on = Some(Some(withdrawn));
    if e.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(e.0))
    }
}

/// Store the edited people; the timeline names which fields of whom changed.
fn replace_people(
    c: &mut DbConnection,
    stored: &Stored,
    patch: &PatchCaseRequest,
    valid: &ValidCase,
    now: NaiveDateTime,
) -> AppResult<Vec<Value>> {
    let mut people = Vec::new();
    if patch.complainant.is_some() {
        let changed = changed_fields(&stored.complainant, &valid.complainant);
        if !changed.is_empty() {
            persons::replace(c, &stored.complainant.id, &valid.complainant, now)?;
            people.push(json!({ "person": "complainant", "fields": changed }));
        }
    }
    if let (Some(old), Some(new)) = (&stored.patient, &valid.patient)
        && patch.patient.is_some()
    {
        let changed = changed_fields(old, new);
        if !changed.is_empty() {
            persons::replace(c, &old.id, new, now)?;
            people.push(json!({ "person": "patient", "fields": changed }));
        }
    }
    Ok(people)
}

/// Store new coding when the patch changed it, and say what it was and became.
fn replace_coding(
    c: &mut DbConnection,
    stored: &Stored,
    patch: &PatchCaseRequest,
    valid: &ValidCase,
) -> AppResult<Option<Value>> {
    if patch.subjects.is_none() && patch.service_ids.is_none() && patch.professions.is_none() {
        return Ok(None);
    }
    let id = &stored.case.id;
    let new_coding = valid.coding(id);
    if new_coding == stored.coding {
        return Ok(None);
    }
    cases::replace_coding(c, id, &new_coding)?;
    Ok(Some(json!({
        "before": coding_summary(&stored.coding),
        "after": coding_summary(&new_coding),
    })))
}

/// Edits the state of the case rules out.
fn guard(case: &Case, patch: &PatchCaseRequest) -> AppResult<()> {
    if patch.received_on.is_some()
        && !matches!(case.status, CaseStatus::Received | CaseStatus::Open)
    {
        return Err(AppError::conflict(
            "The received date drives the statutory clock and can only be corrected before the \
             complaint is acknowledged.",
        ));
    }
    let responded = case.responded_on.is_some() || case.outcome.is_some();
    if patch.subjects.is_some() && responded {
        return Err(AppError::conflict(
            "The subjects cannot change after the response: its findings are recorded per subject. \
             Reopen the complaint first.",
        ));
    }
    if patch.patient.is_some() && case.patient_is_complainant {
        return Err(AppError::invalid(
            "patient",
            "the complainant is the patient; edit the complainant instead",
        ));
    }
    if patch.representative.is_some() && case.patient_is_complainant {
        return Err(AppError::invalid(
            "representative",
            "applies only when the patient is someone else",
        ));
    }
    Ok(())
}

fn person_input(p: &Person) -> PersonInput {
    PersonInput {
        name: p.full_name.clone(),
        email: p.email.clone(),
        phone: p.phone.clone(),
        postal_address: p.postal_address.clone(),
        preferred_contact: p
            .preferred_contact
            .as_deref()
            .and_then(|m| m.parse::<ContactMethod>().ok()),
        nhs_number: p.nhs_number.clone(),
        date_of_birth: p.date_of_birth,
    }
}

/// The whole case as an intake request: stored values overlaid with the patch.
fn merge(stored: &Stored, patch: &PatchCaseRequest) -> CreateCaseRequest {
    let Stored {
        case,
        complainant,
        patient,
        coding,
    } = stored;
    let stored_rep = (!case.patient_is_complainant).then(|| RepresentativeInput {
        basis: case
            .representative_basis
            .unwrap_or(crate::domain::case::RepresentativeBasis::PatientRequest),
        consent_status: case.consent_status,
        consent_requested_on: case.consent_requested_on,
        consent_received_on: case.consent_received_on,
    });
    let stored_risk = match (case.risk_consequence, case.risk_likelihood) {
        (Some(consequence), Some(likelihood)) => Some(RiskInput {
            consequence,
            likelihood,
        }),
        _ => None,
    };
    CreateCaseRequest {
        kind: case.kind,
        channel: patch
            .channel
            .clone()
            .unwrap_or_else(|| case.channel.clone()),
        received_on: patch.received_on.unwrap_or(case.received_on),
        incident_on: patch.incident_on.unwrap_or(case.incident_on),
        became_aware_on: patch.became_aware_on.unwrap_or(case.became_aware_on),
        summary: patch
            .summary
            .clone()
            .unwrap_or_else(|| case.summary.clone()),
        description: patch
            .description
            .clone()
            .unwrap_or_else(|| case.description.clone()),
        desired_outcome: patch
            .desired_outcome
            .clone()
            .unwrap_or_else(|| case.desired_outcome.clone()),
        subjects: patch.subjects.clone().unwrap_or_else(|| {
            coding
                .subjects
                .iter()
                .map(|s| SubjectInput {
                    code: s.subject_code.clone(),
                    subcategory: s.subcategory_code.clone(),
                    primary: s.is_primary,
                })
                .collect()
        }),
        service_ids: patch
            .service_ids
            .clone()
            .unwrap_or_else(|| coding.service_ids.clone()),
        professions: patch
            .professions
            .clone()
            .unwrap_or_else(|| coding.professions.clone()),
        risk: patch.risk.or(stored_risk),
        complainant: patch
            .complainant
            .clone()
            .unwrap_or_else(|| ComplainantInput {
                person: person_input(complainant),
                consents_to_email: case.email_consent,
                email_consent_on: case.email_consent_on,
            }),
        patient: patch
            .patient
            .clone()
            .or_else(|| patient.as_ref().map(person_input)),
        patient_is_complainant: case.patient_is_complainant,
        representative: patch.representative.clone().or(stored_rep),
    }
}

fn changed_fields(old: &Person, new: &PersonFields) -> Vec<&'static str> {
    let mut fields = Vec::new();
    if old.full_name != new.full_name {
        fields.push("name");
    }
    if old.email != new.email {
        fields.push("email");
    }
    if old.phone != new.phone {
        fields.push("phone");
    }
    if old.postal_address != new.postal_address {
        fields.push("postal_address");
    }
    if old.preferred_contact != new.preferred_contact {
        fields.push("preferred_contact");
    }
    if old.nhs_number != new.nhs_number {
        fields.push("nhs_number");
    }
    if old.date_of_birth != new.date_of_birth {
        fields.push("date_of_birth");
    }
    fields
}

fn coding_summary(c: &CaseCoding) -> Value {
    json!({
        "subjects": c.subjects.iter().map(|s| json!({
            "code": s.subject_code, "subcategory": s.subcategory_code, "primary": s.is_primary
        })).collect::<Vec<_>>(),
        "service_ids": c.service_ids,
        "professions": c.professions,
    })
}

//! Logging a new concern or complaint: validate everything, then write the people, the case,
//! its coding and its first timeline event in one transaction.

use chrono::{NaiveDate, NaiveDateTime};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::Actor;
use super::case_input::{
    self as input, ComplainantInput, Errors, PersonInput, RepresentativeInput, RiskInput,
    SubjectInput,
};
use super::case_state::{allocate_reference, next_due_key, number_inserted};
use super::case_view::{self, CaseView};
use crate::db::cases::{self, CaseCoding, CaseSubject, NewCase};
use crate::db::persons::{Person, PersonFields};
use crate::db::{DbConnection, calendar, persons, services as service_rows, taxonomy, timeline};
use crate::domain::calendar::WorkingCalendar;
use crate::domain::case::{Case, CaseKind, ConsentStatus};
use crate::domain::clock::{self, ClockRules, Receipt};
use crate::domain::risk::RiskGrade;
use crate::domain::role::Permission;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// A new concern or complaint.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCaseRequest {
    pub kind: CaseKind,
    /// A `channel` code: letter, email, phone, in_person, web_form, via_mp, via_advocate,
    /// via_commissioner, other.
    pub channel: String,
    pub received_on: NaiveDate,
    pub incident_on: Option<NaiveDate>,
    pub became_aware_on: Option<NaiveDate>,
    /// One line, at most 200 characters.
    pub summary: String,
    pub description: String,
    #[serde(default)]
    pub desired_outcome: String,
    pub subjects: Vec<SubjectInput>,
    /// The services it is about; the first is the primary service, the site a complaint is
    /// counted at in the KO41a return.
    pub service_ids: Vec<String>,
    #[serde(default)]
    pub professions: Vec<String>,
    /// Required for complaints.
    pub risk: Option<RiskInput>,
    pub complainant: ComplainantInput,
    /// Leave out when `patient_is_complainant` is true.
    pub patient: Option<PersonInput>,
    #[serde(default)]
    pub patient_is_complainant: bool,
    /// Required when the patient is someone else.
    pub representative: Option<RepresentativeInput>,
}

/// Log a case; returns it in full.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    req: CreateCaseRequest,
) -> AppResult<CaseView> {
    actor.require(Permission::CreateCase)?;
    let rules = state.settings.cases.clone();
    let actor = actor.clone();
    let (today, now) = (state.clock.today(), state.clock.now());
    // The request is checked against the reference data on a read connection, so the one
    // SQLite writer only writes. (A code or service retired in the moment between would still
    // be recorded, as it would have been a moment earlier.) A few lookups by key: a short read.
    let (req, valid) = state
        .db
        .read_short(move |c| validate(c, &req, today).map(|v| (req, v)))
        .await?;
    state
        .db
        .write(move |c| -> AppResult<CaseView> {
            let cal = calendar::current(c)?;
            let pending = insert_case(c, &req, valid, &rules, &cal, &actor, (today, now))?;
            // Made from what was just written, not read back; numbered last (see `number_case`).
            let mut view = case_view::of_new(
                &cal,
                pending.case.clone(),
                pending.coding.clone(),
                pending.people.clone(),
                today,
            );
            view.reference = number_case(c, &actor, &req, pending, today, now)?;
            Ok(view)
        })
        .await
}

impl CreateCaseRequest {
    /// The facts of receipt the statutory deadlines follow from, with the risk grade found.
    pub fn receipt(&self, risk_grade: Option<RiskGrade>) -> Receipt {
        Receipt {
            kind: self.kind,
            received_on: self.received_on,
            incident_on: self.incident_on,
            became_aware_on: self.became_aware_on,
            risk_grade,
        }
    }
}

/// A case request that passed every check, normalised.
pub struct ValidCase {
    pub channel: String,
    pub summary: String,
    pub description: String,
    pub desired_outcome: String,
    pub subjects: Vec<(String, Option<String>, bool)>,
    pub service_ids: Vec<String>,
    pub professions: Vec<String>,
    pub risk: Option<(RiskInput, RiskGrade)>,
    pub complainant: PersonFields,
    pub patient: Option<PersonFields>,
    pub age_band: String,
}

impl ValidCase {
    /// The subjects, services and professions for case `case_id`, findings not yet made.
    pub fn coding(&self, case_id: &str) -> CaseCoding {
        CaseCoding {
            subjects: self
                .subjects
                .iter()
                .map(|(code, sub, primary)| CaseSubject {
                    case_id: case_id.to_string(),
                    subject_code: code.clone(),
                    subcategory_code: sub.clone(),
                    is_primary: *primary,
                    outcome: None,
                })
                .collect(),
            service_ids: self.service_ids.clone(),
            professions: self.professions.clone(),
        }
    }
}

/// Check a whole case request against the rules and the reference data; no date may be after
/// `today` (the date in England).
pub fn validate(
    c: &mut DbConnection,
    req: &CreateCaseRequest,
    today: NaiveDate,
) -> AppResult<ValidCase> {
    let items = taxonomy::all(c)?;
    let found_services = service_rows::find_many(c, &req.service_ids)?;
    let mut e = Errors::default();

    input::code_in(&mut e, "channel", req.channel.trim(), &items, "channel");
    dates(&mut e, req, today);
    let summary = input::text(&mut e, "summary", &req.summary, input::MAX_SUMMARY, true);
    let description = input::text(
        &mut e,
        "description",
        &req.description,
        input::MAX_TEXT,
        true,
    );
    let desired = input::text(
        &mut e,
        "desired_outcome",
        &req.desired_outcome,
        input::MAX_TEXT,
        false,
    );
    let subjects = input::subjects(&mut e, &req.subjects, &items);
    let service_ids = input::services(&mut e, &req.service_ids, &found_services);
    let professions = input::professions(&mut e, &req.professions, &items);
    let risk = input::risk(&mut e, req.risk, req.kind == CaseKind::Complaint);

    let (complainant, patient) = people(&mut e, req, today);
    if !e.is_empty() {
        return Err(AppError::Validation(e.0));
    }
    let dob = patient
        .as_ref()
        .map_or(complainant.date_of_birth, |p| p.date_of_birth);
    Ok(ValidCase {
        channel: req.channel.trim().to_string(),
        summary,
        description,
        desired_outcome: desired,
        subjects,
        service_ids,
        professions,
        risk,
        complainant,
        patient,
        age_band: input::age_band(dob, req.received_on, &items),
    })
}

/// The received, incident and awareness dates: none in the future, and in that order.
fn dates(e: &mut Errors, req: &CreateCaseRequest, today: NaiveDate) {
    input::past_date(e, "received_on", req.received_on, today);
    if let Some(d) = req.incident_on {
        input::past_date(e, "incident_on", d, today);
        if d > req.received_on {
            e.add("incident_on", "is after the day the case was received");
        }
    }
    if let Some(d) = req.became_aware_on {
        input::past_date(e, "became_aware_on", d, today);
        if d > req.received_on {
            e.add("became_aware_on", "is after the day the case was received");
        }
        if req.incident_on.is_some_and(|i| d < i) {
            e.add("became_aware_on", "is before the incident");
        }
    }
}

/// The complainant, the patient when someone else, and the basis on which they complain.
fn people(
    e: &mut Errors,
    req: &CreateCaseRequest,
    today: NaiveDate,
) -> (PersonFields, Option<PersonFields>) {
    let complainant = input::person(e, "complainant", &req.complainant.person, today, true);
    let consent = &req.complainant;
    if consent.consents_to_email {
        if complainant.email.is_none() {
            e.add(
                "complainant.consents_to_email",
                "needs the complainant's email address",
            );
        }
        match consent.email_consent_on {
            None => e.add(
                "complainant.email_consent_on",
                "is required when consent is given",
            ),
            Some(d) => input::past_date(e, "complainant.email_consent_on", d, today),
        }
    }
    let patient = match (&req.patient, req.patient_is_complainant) {
        (Some(_), true) => {
            e.add("patient", "leave out when patient_is_complainant is true");
            None
        }
        (None, false) => {
            e.add(
                "patient",
                "is required unless patient_is_complainant is true",
            );
            None
        }
        (Some(p), false) => Some(input::person(e, "patient", p, today, false)),
        (None, true) => None,
    };
    match (&req.representative, req.patient_is_complainant) {
        (Some(_), true) => e.add(
            "representative",
            "applies only when the patient is someone else",
        ),
        (None, false) => e.add(
            "representative",
            "is required when the patient is someone else: give the basis and consent status",
        ),
        (Some(r), false) => input::representative(e, r, today),
        (None, true) => {}
    }
    (complainant, patient)
}

/// A case inserted in this transaction, numbered or not yet (see [`cases::number_last`]).
struct Pending {
    new: NewCase,
    coding: CaseCoding,
    /// As stored, with the next due date found from it.
    case: Case,
    /// The complainant, and the patient when someone else.
    people: (Person, Option<Person>),
    /// Whether the case was inserted with its reference.
    numbered: bool,
}

/// Insert a validated case inside the caller's transaction, logged `today` (in England) at
/// instant `now`. Where numbering waits on other loggings (PostgreSQL) the case goes in under a
/// provisional reference (its id) until [`number_case`]; elsewhere with its reference.
fn insert_case(
    c: &mut DbConnection,
    req: &CreateCaseRequest,
    v: ValidCase,
    rules: &ClockRules,
    cal: &WorkingCalendar,
    actor: &Actor,
    (today, now): (NaiveDate, NaiveDateTime),
) -> AppResult<Pending> {
    let people = insert_people(c, &v, now)?;
    let due = clock::receipt_deadlines(cal, rules, req.receipt(v.risk.map(|(_, g)| g)));
    let (mut new, coding) = new_case(req, v, &people, due, cal.version, actor, now);
    // The case as stored, made rather than read back; its next due date follows from it.
    let mut case = new.as_stored()?;
    case.next_due_key = next_due_key(cal, &case, today);
    new.next_due_key = case.next_due_key;
    let numbered = !cases::number_last(c);
    if numbered {
        new.reference = allocate_reference(c, req.kind, today)?;
        case.reference = new.reference.clone();
    }
    cases::insert(c, &new)?;
    let of = cases::CodedCase {
        kind: &new.kind,
        status: &new.status,
        received_on: new.received_on,
    };
    cases::insert_coding(c, &new.id, of, &coding)?;
    Ok(Pending {
        new,
        coding,
        case,
        people,
        numbered,
    })
}

/// The row of a new case under a provisional reference (its id) and no next due date yet, and
/// its coding.
fn new_case(
    req: &CreateCaseRequest,
    v: ValidCase,
    people: &(Person, Option<Person>),
    due: clock::ReceiptDeadlines,
    calendar_version: i32,
    actor: &Actor,
    now: NaiveDateTime,
) -> (NewCase, CaseCoding) {
    let id = crate::db::ids::new_id();
    let coding = v.coding(&id);
    let rep = req.representative.as_ref();
    let consent = &req.complainant;
    let new = NewCase {
        reference: id.clone(),
        id,
        kind: req.kind.as_str().into(),
        status: req.kind.initial_status().as_str().into(),
        channel: v.channel,
        received_on: req.received_on,
        incident_on: req.incident_on,
        became_aware_on: req.became_aware_on,
        summary: v.summary,
        description: v.description,
        desired_outcome: v.desired_outcome,
        complainant_id: people.0.id.clone(),
        patient_id: Some(people.1.as_ref().unwrap_or(&people.0).id.clone()),
        patient_is_complainant: req.patient_is_complainant,
        representative_basis: rep.map(|r| r.basis.as_str().into()),
        consent_status: rep
            .map_or(ConsentStatus::NotRequired, |r| r.consent_status)
            .as_str()
            .into(),
        consent_requested_on: rep.and_then(|r| r.consent_requested_on),
        consent_received_on: rep.and_then(|r| r.consent_received_on),
        email_consent: consent.consents_to_email,
        email_consent_on: consent
            .email_consent_on
            .filter(|_| consent.consents_to_email),
        complainant_status: complainant_status(req.patient_is_complainant).into(),
        age_band: v.age_band,
        risk_consequence: v.risk.map(|(r, _)| r.consequence),
        risk_likelihood: v.risk.map(|(r, _)| r.likelihood),
        risk_grade: v.risk.map(|(_, g)| g.as_str().into()),
        out_of_time: due.out_of_time,
        acknowledgement_due_on: due.acknowledgement_due_on,
        six_month_letter_due_on: due.six_month_letter_due_on,
        pals_due_on: due.pals_due_on,
        next_due_key: cases::no_due_date(),
        linked_case_id: None,
        calendar_version,
        version: 1,
        created_by: actor.user_id.clone(),
        created_at: now,
        updated_at: now,
        ..Default::default()
    };
    (new, coding)
}

/// Give a pending case its reference, if it has none yet, and its first timeline event (which
/// names it); returns the reference. Done last in the transaction: on PostgreSQL the year's
/// counter row stays locked from here to the commit (that is what keeps references gap-free),
/// so every other logging waits on it only for these few statements.
fn number_case(
    c: &mut DbConnection,
    actor: &Actor,
    req: &CreateCaseRequest,
    mut pending: Pending,
    today: NaiveDate,
    now: NaiveDateTime,
) -> AppResult<String> {
    if !pending.numbered {
        pending.new.reference = number_inserted(c, &pending.new.id, req.kind, today)?;
    }
    let reference = pending.new.reference.clone();
    log_created(c, actor, req.kind, &pending.new, &pending.coding, now)?;
    tracing::info!(case.id = %pending.new.id, case.reference = %reference, "case logged");
    Ok(reference)
}

/// The complainant's standing in the KO41a sense: the patient, or someone on their behalf.
fn complainant_status(patient_is_complainant: bool) -> &'static str {
    if patient_is_complainant {
        "patient"
    } else {
        "on_behalf"
    }
}

/// Insert the complainant and, when someone else, the patient; returns them as stored.
fn insert_people(
    c: &mut DbConnection,
    v: &ValidCase,
    now: NaiveDateTime,
) -> AppResult<(Person, Option<Person>)> {
    let mut insert = |fields: &PersonFields| -> AppResult<Person> {
        let id = crate::db::ids::new_id();
        persons::insert(c, &id, fields, now)?;
        Ok(persons::as_stored(id, fields, now))
    };
    let complainant = insert(&v.complainant)?;
    let patient = v.patient.as_ref().map(insert).transpose()?;
    Ok((complainant, patient))
}

/// The first timeline event of a new case: what was logged, never who it is about.
fn log_created(
    c: &mut DbConnection,
    actor: &Actor,
    kind: CaseKind,
    new: &NewCase,
    coding: &CaseCoding,
    now: NaiveDateTime,
) -> AppResult<()> {
    let kind_label = match kind {
        CaseKind::Complaint => "Complaint",
        CaseKind::PalsConcern => "PALS concern",
    };
    timeline::begin(
        c,
        &new.id,
        Some(&actor.user_id),
        "case_created",
        &format!("{kind_label} {} logged", new.reference),
        &json!({
            "reference": new.reference,
            "kind": kind,
            "channel": new.channel,
            "received_on": new.received_on,
            "out_of_time": new.out_of_time,
            "risk_grade": new.risk_grade,
            "subjects": coding.subjects.iter().map(|s| &s.subject_code).collect::<Vec<_>>(),
            "service_ids": coding.service_ids,
            "calendar_version": new.calendar_version,
        }),
        now,
    )?;
    Ok(())
}

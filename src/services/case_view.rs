//! The case as the API shows it: stored facts, coding, people and the clock derived today.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::candour::{self as candour_records, CandourSummary};
use super::meetings::{self, MeetingSummary};
use super::ombudsman::{self, OmbudsmanSummary};
use crate::db::DbConnection;
use crate::db::case_records::{self, Extension, Pause, Present, Response, TimeLimitDecision};
use crate::db::cases::{self, CaseCoding};
use crate::db::persons::{self, Person};
use crate::domain::calendar::WorkingCalendar;
use crate::domain::candour::CandourRules;
use crate::domain::case::Case;
use crate::domain::case::{
    AcknowledgementMethod, Action, CaseKind, CaseStatus, ConsentStatus, Outcome,
    RepresentativeBasis, TimeLimitStatus,
};
use crate::domain::clock::{self, ClockView, Overdue};
use crate::domain::nhs_number;
use crate::domain::risk::RiskGrade;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubjectView {
    pub code: String,
    pub subcategory: Option<String>,
    pub primary: bool,
    /// The finding on this aspect, once responded.
    pub outcome: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonView {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub postal_address: Option<String>,
    pub preferred_contact: Option<String>,
    /// Shown 3-3-4.
    pub nhs_number: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
}

impl From<Person> for PersonView {
    fn from(p: Person) -> Self {
        Self {
            id: p.id,
            name: p.full_name,
            email: p.email,
            phone: p.phone,
            postal_address: p.postal_address,
            preferred_contact: p.preferred_contact,
            nhs_number: p.nhs_number.as_deref().map(nhs_number::display),
            date_of_birth: p.date_of_birth,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RiskView {
    pub consequence: Option<i32>,
    pub likelihood: Option<i32>,
    pub grade: Option<RiskGrade>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RepresentativeView {
    pub basis: Option<RepresentativeBasis>,
    pub consent_status: ConsentStatus,
    pub consent_requested_on: Option<NaiveDate>,
    pub consent_received_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EmailConsentView {
    /// Statutory letters may go by email (reg 15): consent given and not withdrawn.
    pub active: bool,
    pub given_on: Option<NaiveDate>,
    pub withdrawn_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AcknowledgementView {
    pub method: Option<AcknowledgementMethod>,
    pub handling_discussion_offered: Option<bool>,
    pub meeting_offered: Option<bool>,
}

/// Where a complaint stands against the 12-month limit (reg 12).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TimeLimitView {
    pub status: TimeLimitStatus,
    /// The last day the complaint would have been in time, when a date is recorded.
    pub ends_on: Option<NaiveDate>,
    /// What the case needs, when something is missing.
    pub needs: Option<&'static str>,
}

/// A case in full.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseView {
    pub id: String,
    #[schema(example = "C-2026-00042")]
    pub reference: String,
    pub kind: CaseKind,
    pub status: CaseStatus,
    /// The stage in plain English.
    pub stage: &'static str,
    pub channel: String,
    pub received_on: NaiveDate,
    pub incident_on: Option<NaiveDate>,
    pub became_aware_on: Option<NaiveDate>,
    pub summary: String,
    pub description: String,
    pub desired_outcome: String,
    pub subjects: Vec<SubjectView>,
    /// The primary service first: the site a complaint is counted at in KO41a.
    pub service_ids: Vec<String>,
    pub primary_service_id: Option<String>,
    pub professions: Vec<String>,
    pub risk: RiskView,
    pub risk_grade: Option<RiskGrade>,
    pub complainant: PersonView,
    pub patient: Option<PersonView>,
    pub patient_is_complainant: bool,
    pub representative: Option<RepresentativeView>,
    pub email_consent: EmailConsentView,
    pub complainant_status: String,
    pub age_band: String,
    pub handler_id: Option<String>,
    pub investigator_id: Option<String>,
    pub out_of_time: bool,
    /// Complaints only: in time, out of time, not assessed, or the decision made.
    pub time_limit: Option<TimeLimitView>,
    #[schema(value_type = Option<Object>)]
    pub time_limit_decision: Option<TimeLimitDecision>,
    pub acknowledgement_due_on: Option<NaiveDate>,
    pub acknowledged_on: Option<NaiveDate>,
    pub acknowledgement: AcknowledgementView,
    /// The response date in force (agreed or default, moved on by pauses).
    pub response_due_on: Option<NaiveDate>,
    /// Whether the complainant agreed the response date.
    pub response_due_agreed: bool,
    pub paused: bool,
    pub paused_on: Option<NaiveDate>,
    /// Working days the response clock has been stopped, the current pause included.
    pub paused_working_days: i64,
    pub six_month_letter_due_on: Option<NaiveDate>,
    pub six_month_letter_sent_on: Option<NaiveDate>,
    pub pals_due_on: Option<NaiveDate>,
    pub investigation_started_on: Option<NaiveDate>,
    pub responded_on: Option<NaiveDate>,
    pub outcome: Option<Outcome>,
    pub closed_on: Option<NaiveDate>,
    pub withdrawn_on: Option<NaiveDate>,
    pub resolved_on: Option<NaiveDate>,
    pub linked_case_id: Option<String>,
    pub reopened_count: i32,
    pub overdue: Overdue,
    pub working_days_open: i64,
    pub next_due_on: Option<NaiveDate>,
    pub working_days_to_due: Option<i64>,
    pub allowed_actions: Vec<Action>,
    #[schema(value_type = Vec<Object>)]
    pub extensions: Vec<Extension>,
    #[schema(value_type = Vec<Object>)]
    pub pauses: Vec<Pause>,
    /// Every response sent, oldest first, each with the findings it gave on each subject.
    #[schema(value_type = Vec<Object>)]
    pub responses: Vec<ResponseView>,
    /// The face-to-face meetings, oldest first (`GET /meetings/{id}` for each in full).
    pub meetings: Vec<MeetingSummary>,
    /// The Duty of Candour record and its status today, if the case was flagged.
    pub candour: Option<CandourSummary>,
    /// The ombudsman referral, if the complainant went to the PHSO.
    pub ombudsman: Option<OmbudsmanSummary>,
    /// The bank holiday calendar version that produced the stored deadlines.
    pub calendar_version: i32,
    pub version: i32,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A case in a list: the stored facts and the clock, without people or history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseSummary {
    pub id: String,
    pub reference: String,
    pub kind: CaseKind,
    pub status: CaseStatus,
    pub channel: String,
    pub received_on: NaiveDate,
    pub summary: String,
    pub subjects: Vec<SubjectView>,
    pub service_ids: Vec<String>,
    pub risk_grade: Option<RiskGrade>,
    pub handler_id: Option<String>,
    pub investigator_id: Option<String>,
    pub acknowledgement_due_on: Option<NaiveDate>,
    pub acknowledged_on: Option<NaiveDate>,
    pub response_due_on: Option<NaiveDate>,
    pub responded_on: Option<NaiveDate>,
    pub outcome: Option<Outcome>,
    pub closed_on: Option<NaiveDate>,
    pub paused: bool,
    pub overdue: Overdue,
    pub working_days_open: i64,
    pub next_due_on: Option<NaiveDate>,
    pub working_days_to_due: Option<i64>,
    pub version: i32,
}

fn subjects(coding: &CaseCoding) -> Vec<SubjectView> {
    coding
        .subjects
        .iter()
        .map(|s| SubjectView {
            code: s.subject_code.clone(),
            subcategory: s.subcategory_code.clone(),
            primary: s.is_primary,
            outcome: s.outcome.clone(),
        })
        .collect()
}

/// Build the list row of a case.
pub fn summary(
    cal: &WorkingCalendar,
    c: Case,
    coding: &CaseCoding,
    today: NaiveDate,
) -> CaseSummary {
    let clock = c.clock(cal, today);
    CaseSummary {
        subjects: subjects(coding),
        service_ids: coding.service_ids.clone(),
        paused: c.paused_on.is_some(),
        overdue: clock.overdue,
        working_days_open: clock.working_days_open,
        next_due_on: clock.next_due_on,
        working_days_to_due: clock.working_days_to_due,
        response_due_on: clock.effective_response_due_on,
        id: c.id,
        reference: c.reference,
        kind: c.kind,
        status: c.status,
        channel: c.channel,
        received_on: c.received_on,
        summary: c.summary,
        risk_grade: c.risk_grade,
        handler_id: c.handler_id,
        investigator_id: c.investigator_id,
        acknowledgement_due_on: c.acknowledgement_due_on,
        acknowledged_on: c.acknowledged_on,
        responded_on: c.responded_on,
        outcome: c.outcome,
        closed_on: c.closed_on,
        version: c.version,
    }
}

/// One response, with the findings kept with it.
#[derive(Debug, Clone, Serialize)]
pub struct ResponseView {
    #[serde(flatten)]
    pub response: Response,
    pub findings: Vec<Finding>,
}

/// A response's finding on one subject.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub subject: String,
    pub outcome: String,
}

fn responses(conn: &mut DbConnection, case_id: &str) -> AppResult<Vec<ResponseView>> {
    let mut out = Vec::new();
    for response in case_records::responses(conn, case_id)? {
        let findings = case_records::response_subjects(conn, &response.id)?
            .into_iter()
            .map(|(subject, outcome)| Finding { subject, outcome })
            .collect();
        out.push(ResponseView { response, findings });
    }
    Ok(out)
}

/// The records kept beside a case: decisions, extensions, pauses, responses, meetings, its
/// candour record and ombudsman referral.
#[derive(Default)]
struct Records {
    time_limit_decision: Option<TimeLimitDecision>,
    extensions: Vec<Extension>,
    pauses: Vec<Pause>,
    responses: Vec<ResponseView>,
    meetings: Vec<MeetingSummary>,
    candour: Option<CandourSummary>,
    ombudsman: Option<OmbudsmanSummary>,
}

/// Who complains for the patient and on what basis, when someone does.
fn representative(c: &Case) -> Option<RepresentativeView> {
    (!c.patient_is_complainant).then_some(RepresentativeView {
        basis: c.representative_basis,
        consent_status: c.consent_status,
        consent_requested_on: c.consent_requested_on,
        consent_received_on: c.consent_received_on,
    })
}

/// The people on a case: who complained and, when someone else did, the patient.
struct People {
    complainant: Person,
    patient: Option<Person>,
}

fn people(conn: &mut DbConnection, c: &Case) -> AppResult<People> {
    let missing = || AppError::internal("case without its complainant");
    match &c.patient_id {
        Some(patient_id) if !c.patient_is_complainant => {
            // Both in one statement.
            let mut found = persons::find_two(conn, &c.complainant_id, patient_id)?;
            let at = found
                .iter()
                .position(|p| p.id == c.complainant_id)
                .ok_or_else(missing)?;
            let complainant = found.swap_remove(at);
            let patient = found.into_iter().find(|p| &p.id == patient_id);
            Ok(People {
                complainant,
                patient,
            })
        }
        _ => Ok(People {
            complainant: persons::find(conn, &c.complainant_id)?.ok_or_else(missing)?,
            patient: None,
        }),
    }
}

fn records(
    conn: &mut DbConnection,
    cal: &WorkingCalendar,
    candour: &CandourRules,
    id: &str,
    has: Present,
    today: NaiveDate,
) -> AppResult<Records> {
    // Only the kinds the case has are read.
    let mut records = Records::default();
    if has.time_limit_decision {
        records.time_limit_decision = case_records::time_limit_decision(conn, id)?;
    }
    if has.extensions {
        records.extensions = case_records::extensions(conn, id)?;
    }
    if has.pauses {
        records.pauses = case_records::pauses(conn, id)?;
    }
    if has.responses {
        records.responses = responses(conn, id)?;
    }
    if has.meetings {
        records.meetings = meetings::summaries(conn, id)?;
    }
    if has.candour {
        records.candour = candour_records::summary(conn, cal, candour, id, today)?;
    }
    if has.ombudsman {
        records.ombudsman = ombudsman::summary(conn, id)?;
    }
    Ok(records)
}

fn risk(c: &Case) -> RiskView {
    RiskView {
        consequence: c.risk_consequence,
        likelihood: c.risk_likelihood,
        grade: c.risk_grade,
    }
}

fn email_consent(c: &Case) -> EmailConsentView {
    EmailConsentView {
        active: c.email_consent && c.email_consent_withdrawn_on.is_none(),
        given_on: c.email_consent_on,
        withdrawn_on: c.email_consent_withdrawn_on,
    }
}

fn time_limit(c: &Case) -> Option<TimeLimitView> {
    let status = c.time_limit_status()?;
    Some(TimeLimitView {
        status,
        ends_on: clock::time_limit_ends(c.incident_on, c.became_aware_on),
        needs: match status {
            TimeLimitStatus::NotAssessed => Some(
                "Record when the matter happened or came to the complainant's notice, or record a \
                 time-limit decision (reg 12).",
            ),
            TimeLimitStatus::OutOfTime => Some(
                "Received more than 12 months after the matter or its notice: acknowledge it, then \
                 decide whether there was good reason and it can still be investigated (reg 12(4)).",
            ),
            _ => None,
        },
    })
}

fn acknowledgement(c: &Case) -> AcknowledgementView {
    AcknowledgementView {
        method: c.acknowledgement_method,
        handling_discussion_offered: c.handling_discussion_offered,
        meeting_offered: c.meeting_offered,
    }
}

/// Load everything about case `id` and build its view.
pub fn load(
    conn: &mut DbConnection,
    cal: &WorkingCalendar,
    candour: &CandourRules,
    c: Case,
    today: NaiveDate,
) -> AppResult<CaseView> {
    let present = case_records::present(conn, &c.id)?;
    load_with(conn, cal, candour, c, present, today)
}

/// [`load`] when which kinds of record the case has is already known.
pub fn load_with(
    conn: &mut DbConnection,
    cal: &WorkingCalendar,
    candour: &CandourRules,
    c: Case,
    present: Present,
    today: NaiveDate,
) -> AppResult<CaseView> {
    let coding = cases::coding(conn, &c.id)?;
    let people = people(conn, &c)?;
    let records = records(conn, cal, candour, &c.id, present, today)?;
    let clock = c.clock(cal, today);
    Ok(build(c, coding, people, records, clock))
}

/// The view of a case logged in this transaction, from the coding and people just written: it
/// has no records beside it yet (no time-limit decision, extension, pause, response, meeting,
/// candour record or referral), so nothing more is read.
pub fn of_new(
    cal: &WorkingCalendar,
    c: Case,
    coding: CaseCoding,
    (complainant, patient): (Person, Option<Person>),
    today: NaiveDate,
) -> CaseView {
    let people = People {
        complainant,
        patient,
    };
    let clock = c.clock(cal, today);
    build(
        c,
        coding.in_stored_order(),
        people,
        Records::default(),
        clock,
    )
}

fn build(
    c: Case,
    coding: CaseCoding,
    people: People,
    records: Records,
    clock: ClockView,
) -> CaseView {
    CaseView {
        stage: c.status.plain_english(),
        subjects: subjects(&coding),
        primary_service_id: coding.service_ids.first().cloned(),
        service_ids: coding.service_ids,
        professions: coding.professions,
        risk: risk(&c),
        complainant: people.complainant.into(),
        patient: people.patient.map(PersonView::from),
        representative: representative(&c),
        email_consent: email_consent(&c),
        acknowledgement: acknowledgement(&c),
        time_limit: time_limit(&c),
        response_due_on: clock.effective_response_due_on,
        paused: c.paused_on.is_some(),
        paused_working_days: clock.paused_working_days,
        overdue: clock.overdue,
        working_days_open: clock.working_days_open,
        next_due_on: clock.next_due_on,
        working_days_to_due: clock.working_days_to_due,
        allowed_actions: c.allowed_actions(),
        time_limit_decision: records.time_limit_decision,
        extensions: records.extensions,
        pauses: records.pauses,
        responses: records.responses,
        meetings: records.meetings,
        candour: records.candour,
        ombudsman: records.ombudsman,
        id: c.id,
        reference: c.reference,
        kind: c.kind,
        status: c.status,
        channel: c.channel,
        received_on: c.received_on,
        incident_on: c.incident_on,
        became_aware_on: c.became_aware_on,
        summary: c.summary,
        description: c.description,
        desired_outcome: c.desired_outcome,
        risk_grade: c.risk_grade,
        patient_is_complainant: c.patient_is_complainant,
        complainant_status: c.complainant_status,
        age_band: c.age_band,
        handler_id: c.handler_id,
        investigator_id: c.investigator_id,
        out_of_time: c.out_of_time,
        acknowledgement_due_on: c.acknowledgement_due_on,
        acknowledged_on: c.acknowledged_on,
        response_due_agreed: c.response_due_agreed,
        paused_on: c.paused_on,
        six_month_letter_due_on: c.six_month_letter_due_on,
        six_month_letter_sent_on: c.six_month_letter_sent_on,
        pals_due_on: c.pals_due_on,
        investigation_started_on: c.investigation_started_on,
        responded_on: c.responded_on,
        outcome: c.outcome,
        closed_on: c.closed_on,
        withdrawn_on: c.withdrawn_on,
        resolved_on: c.resolved_on,
        linked_case_id: c.linked_case_id,
        reopened_count: c.reopened_count,
        calendar_version: c.calendar_version,
        version: c.version,
        created_by: c.created_by,
        created_at: c.created_at.and_utc(),
        updated_at: c.updated_at.and_utc(),
    }
}

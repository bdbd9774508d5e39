//! Rows and queries for cases and their coding (subjects, services, professions).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::exists;
use diesel::prelude::*;
use serde::Serialize;

use super::cached::Cached;
use super::connection::DbConnection;
use super::error::{DbError, DbResult};
use super::one_of::one_of;
use super::schema::{case_professions, case_services, case_subjects, cases, reference_counters};
use crate::domain::case::{Case, CaseKind, CaseStatus, ConsentStatus};

/// A case row as stored; read only to become a [`Case`].
#[derive(Queryable, Selectable)]
#[diesel(table_name = cases)]
pub(super) struct CaseRow {
    pub id: String,
    pub reference: String,
    #[diesel(deserialize_as = String)]
    pub kind: CaseKind,
    #[diesel(deserialize_as = String)]
    pub status: CaseStatus,
    pub channel: String,
    pub received_on: NaiveDate,
    pub incident_on: Option<NaiveDate>,
    pub became_aware_on: Option<NaiveDate>,
    pub summary: String,
    pub description: String,
    pub desired_outcome: String,
    pub complainant_id: String,
    pub patient_id: Option<String>,
    pub patient_is_complainant: bool,
    pub representative_basis: Option<String>,
    #[diesel(deserialize_as = String)]
    pub consent_status: ConsentStatus,
    pub consent_requested_on: Option<NaiveDate>,
    pub consent_received_on: Option<NaiveDate>,
    pub email_consent: bool,
    pub email_consent_on: Option<NaiveDate>,
    pub email_consent_withdrawn_on: Option<NaiveDate>,
    pub complainant_status: String,
    pub age_band: String,
    pub risk_consequence: Option<i32>,
    pub risk_likelihood: Option<i32>,
    pub risk_grade: Option<String>,
    pub handler_id: Option<String>,
    pub investigator_id: Option<String>,
    pub out_of_time: bool,
    pub time_limit_decision: Option<String>,
    pub acknowledgement_due_on: Option<NaiveDate>,
    pub acknowledged_on: Option<NaiveDate>,
    pub acknowledgement_method: Option<String>,
    pub handling_discussion_offered: Option<bool>,
    pub meeting_offered: Option<bool>,
    pub response_due_on: Option<NaiveDate>,
    pub response_due_agreed: bool,
    pub six_month_letter_due_on: Option<NaiveDate>,
    pub six_month_letter_sent_on: Option<NaiveDate>,
    pub pals_due_on: Option<NaiveDate>,
    /// Index key: the next date due, or [`no_due_date`].
    pub next_due_key: NaiveDate,
    pub investigation_started_on: Option<NaiveDate>,
    pub paused_on: Option<NaiveDate>,
    pub paused_working_days: i32,
    pub responded_on: Option<NaiveDate>,
    pub outcome: Option<String>,
    pub closed_on: Option<NaiveDate>,
    pub withdrawn_on: Option<NaiveDate>,
    pub resolved_on: Option<NaiveDate>,
    pub linked_case_id: Option<String>,
    pub reopened_count: i32,
    pub calendar_version: i32,
    pub version: i32,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub first_responded_on: Option<NaiveDate>,
    pub first_outcome: Option<String>,
    pub first_response_due_on: Option<NaiveDate>,
    pub first_response_due_agreed: Option<bool>,
}

impl TryFrom<CaseRow> for Case {
    type Error = DbError;

    /// The row's texts as the vocabularies they are (the CHECK constraints keep them so).
    fn try_from(r: CaseRow) -> DbResult<Self> {
        fn parsed<T: std::str::FromStr<Err = String>>(v: Option<String>) -> DbResult<Option<T>> {
            v.map(parsed_text).transpose()
        }
        Ok(Case {
            representative_basis: parsed(r.representative_basis)?,
            risk_grade: parsed(r.risk_grade)?,
            time_limit_decision: parsed(r.time_limit_decision)?,
            acknowledgement_method: parsed(r.acknowledgement_method)?,
            outcome: parsed(r.outcome)?,
            first_outcome: parsed(r.first_outcome)?,
            first_responded_on: r.first_responded_on,
            first_response_due_on: r.first_response_due_on,
            first_response_due_agreed: r.first_response_due_agreed,
            id: r.id,
            reference: r.reference,
            kind: r.kind,
            status: r.status,
            channel: r.channel,
            received_on: r.received_on,
            incident_on: r.incident_on,
            became_aware_on: r.became_aware_on,
            summary: r.summary,
            description: r.description,
            desired_outcome: r.desired_outcome,
            complainant_id: r.complainant_id,
            patient_id: r.patient_id,
            patient_is_complainant: r.patient_is_complainant,
            consent_status: r.consent_status,
            consent_requested_on: r.consent_requested_on,
            consent_received_on: r.consent_received_on,
            email_consent: r.email_consent,
            email_consent_on: r.email_consent_on,
            email_consent_withdrawn_on: r.email_consent_withdrawn_on,
            complainant_status: r.complainant_status,
            age_band: r.age_band,
            risk_consequence: r.risk_consequence,
            risk_likelihood: r.risk_likelihood,
            handler_id: r.handler_id,
            investigator_id: r.investigator_id,
            out_of_time: r.out_of_time,
            acknowledgement_due_on: r.acknowledgement_due_on,
            acknowledged_on: r.acknowledged_on,
            handling_discussion_offered: r.handling_discussion_offered,
            meeting_offered: r.meeting_offered,
            response_due_on: r.response_due_on,
            response_due_agreed: r.response_due_agreed,
            six_month_letter_due_on: r.six_month_letter_due_on,
            six_month_letter_sent_on: r.six_month_letter_sent_on,
            pals_due_on: r.pals_due_on,
            next_due_key: r.next_due_key,
            investigation_started_on: r.investigation_started_on,
            paused_on: r.paused_on,
            paused_working_days: r.paused_working_days,
            responded_on: r.responded_on,
            closed_on: r.closed_on,
            withdrawn_on: r.withdrawn_on,
            resolved_on: r.resolved_on,
            linked_case_id: r.linked_case_id,
            reopened_count: r.reopened_count,
            calendar_version: r.calendar_version,
            version: r.version,
            created_by: r.created_by,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// Rows as cases.
pub(super) fn typed(rows: Vec<CaseRow>) -> DbResult<Vec<Case>> {
    rows.into_iter().map(Case::try_from).collect()
}

/// A case to insert. Intake fills the first fields; the later ones (milestones) default to
/// empty and are set only by synthetic data.
#[derive(Debug, Clone, Default, Insertable)]
#[diesel(table_name = cases, treat_none_as_default_value = false)]
pub struct NewCase {
    pub id: String,
    pub reference: String,
    pub kind: String,
    pub status: String,
    pub channel: String,
    pub received_on: NaiveDate,
    pub incident_on: Option<NaiveDate>,
    pub became_aware_on: Option<NaiveDate>,
    pub summary: String,
    pub description: String,
    pub desired_outcome: String,
    pub complainant_id: String,
    pub patient_id: Option<String>,
    pub patient_is_complainant: bool,
    pub representative_basis: Option<String>,
    pub consent_status: String,
    pub consent_requested_on: Option<NaiveDate>,
    pub consent_received_on: Option<NaiveDate>,
    pub email_consent: bool,
    pub email_consent_on: Option<NaiveDate>,
    pub complainant_status: String,
    pub age_band: String,
    pub risk_consequence: Option<i32>,
    pub risk_likelihood: Option<i32>,
    pub risk_grade: Option<String>,
    pub out_of_time: bool,
    pub acknowledgement_due_on: Option<NaiveDate>,
    pub six_month_letter_due_on: Option<NaiveDate>,
    pub pals_due_on: Option<NaiveDate>,
    pub next_due_key: NaiveDate,
    pub linked_case_id: Option<String>,
    pub calendar_version: i32,
    pub version: i32,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub handler_id: Option<String>,
    pub investigator_id: Option<String>,
    pub acknowledged_on: Option<NaiveDate>,
    pub acknowledgement_method: Option<String>,
    pub handling_discussion_offered: Option<bool>,
    pub meeting_offered: Option<bool>,
    pub response_due_on: Option<NaiveDate>,
    pub response_due_agreed: bool,
    pub six_month_letter_sent_on: Option<NaiveDate>,
    pub investigation_started_on: Option<NaiveDate>,
    pub responded_on: Option<NaiveDate>,
    pub outcome: Option<String>,
    pub closed_on: Option<NaiveDate>,
    pub withdrawn_on: Option<NaiveDate>,
    pub resolved_on: Option<NaiveDate>,
    pub first_responded_on: Option<NaiveDate>,
    pub first_outcome: Option<String>,
    pub first_response_due_on: Option<NaiveDate>,
    pub first_response_due_agreed: Option<bool>,
}

impl NewCase {
    /// The case as [`insert`] stores this row, without reading it back: the columns the row
    /// leaves out take their defaults (no pause, never reopened, consent never withdrawn, no
    /// time-limit decision).
    pub fn as_stored(&self) -> DbResult<Case> {
        let n = self.clone();
        Case::try_from(CaseRow {
            id: n.id,
            reference: n.reference,
            kind: parsed_text(n.kind)?,
            status: parsed_text(n.status)?,
            channel: n.channel,
            received_on: n.received_on,
            incident_on: n.incident_on,
            became_aware_on: n.became_aware_on,
            summary: n.summary,
            description: n.description,
            desired_outcome: n.desired_outcome,
            complainant_id: n.complainant_id,
            patient_id: n.patient_id,
            patient_is_complainant: n.patient_is_complainant,
            representative_basis: n.representative_basis,
            consent_status: parsed_text(n.consent_status)?,
            consent_requested_on: n.consent_requested_on,
            consent_received_on: n.consent_received_on,
            email_consent: n.email_consent,
            email_consent_on: n.email_consent_on,
            email_consent_withdrawn_on: None,
            complainant_status: n.complainant_status,
            age_band: n.age_band,
            risk_consequence: n.risk_consequence,
            risk_likelihood: n.risk_likelihood,
            risk_grade: n.risk_grade,
            handler_id: n.handler_id,
            investigator_id: n.investigator_id,
            out_of_time: n.out_of_time,
            time_limit_decision: None,
            acknowledgement_due_on: n.acknowledgement_due_on,
            acknowledged_on: n.acknowledged_on,
            acknowledgement_method: n.acknowledgement_method,
            handling_discussion_offered: n.handling_discussion_offered,
            meeting_offered: n.meeting_offered,
            response_due_on: n.response_due_on,
            response_due_agreed: n.response_due_agreed,
            six_month_letter_due_on: n.six_month_letter_due_on,
            six_month_letter_sent_on: n.six_month_letter_sent_on,
            pals_due_on: n.pals_due_on,
            next_due_key: n.next_due_key,
            investigation_started_on: n.investigation_started_on,
            paused_on: None,
            paused_working_days: 0,
            responded_on: n.responded_on,
            outcome: n.outcome,
            closed_on: n.closed_on,
            withdrawn_on: n.withdrawn_on,
            resolved_on: n.resolved_on,
            linked_case_id: n.linked_case_id,
            reopened_count: 0,
            calendar_version: n.calendar_version,
            version: n.version,
            created_by: n.created_by,
            created_at: n.created_at,
            updated_at: n.updated_at,
            first_responded_on: n.first_responded_on,
            first_outcome: n.first_outcome,
            first_response_due_on: n.first_response_due_on,
            first_response_due_agreed: n.first_response_due_agreed,
        })
    }
}

/// A vocabulary column's text as its type, as a read would parse it.
fn parsed_text<T: std::str::FromStr<Err = String>>(text: String) -> DbResult<T> {
    text.parse()
        .map_err(|e: String| DbError::Task(format!("cases: {e}")))
}

/// Column changes; `None` leaves a column alone, `Some(None)` clears a nullable one.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = cases)]
pub struct CaseChanges {
    pub status: Option<String>,
    pub channel: Option<String>,
    pub received_on: Option<NaiveDate>,
    pub incident_on: Option<Option<NaiveDate>>,
    pub became_aware_on: Option<Option<NaiveDate>>,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub desired_outcome: Option<String>,
    pub patient_id: Option<Option<String>>,
    pub patient_is_complainant: Option<bool>,
    pub representative_basis: Option<Option<String>>,
    pub consent_status: Option<String>,
    pub consent_requested_on: Option<Option<NaiveDate>>,
    pub consent_received_on: Option<Option<NaiveDate>>,
    pub email_consent: Option<bool>,
    pub email_consent_on: Option<Option<NaiveDate>>,
    pub email_consent_withdrawn_on: Option<Option<NaiveDate>>,
    pub complainant_status: Option<String>,
    pub age_band: Option<String>,
    pub risk_consequence: Option<Option<i32>>,
    pub risk_likelihood: Option<Option<i32>>,
    pub risk_grade: Option<Option<String>>,
    pub handler_id: Option<Option<String>>,
    pub investigator_id: Option<Option<String>>,
    pub out_of_time: Option<bool>,
    pub time_limit_decision: Option<Option<String>>,
    pub acknowledgement_due_on: Option<Option<NaiveDate>>,
    pub acknowledged_on: Option<Option<NaiveDate>>,
    pub acknowledgement_method: Option<Option<String>>,
    pub handling_discussion_offered: Option<Option<bool>>,
    pub meeting_offered: Option<Option<bool>>,
    pub response_due_on: Option<Option<NaiveDate>>,
    pub response_due_agreed: Option<bool>,
    pub six_month_letter_due_on: Option<Option<NaiveDate>>,
    pub six_month_letter_sent_on: Option<Option<NaiveDate>>,
    pub pals_due_on: Option<Option<NaiveDate>>,
    pub investigation_started_on: Option<Option<NaiveDate>>,
    pub paused_on: Option<Option<NaiveDate>>,
    pub paused_working_days: Option<i32>,
    pub responded_on: Option<Option<NaiveDate>>,
    pub outcome: Option<Option<String>>,
    pub closed_on: Option<Option<NaiveDate>>,
    pub withdrawn_on: Option<Option<NaiveDate>>,
    pub resolved_on: Option<Option<NaiveDate>>,
    pub linked_case_id: Option<Option<String>>,
    pub reopened_count: Option<i32>,
    pub calendar_version: Option<i32>,
    pub first_responded_on: Option<Option<NaiveDate>>,
    pub first_outcome: Option<Option<String>>,
    pub first_response_due_on: Option<Option<NaiveDate>>,
    pub first_response_due_agreed: Option<Option<bool>>,
}

pub fn insert(conn: &mut DbConnection, new: &NewCase) -> DbResult<()> {
    on_engine!(conn, |c| diesel::insert_into(cases::table)
        .values(new)
        .execute(c))?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &str) -> DbResult<Option<Case>> {
    let row: Option<CaseRow> = on_engine!(conn, |c| cases::table
        .find(id)
        .select(CaseRow::as_select())
        .first(c)
        .optional())?;
    row.map(Case::try_from).transpose()
}

/// Apply `changes` if the case is still at `expected_version`; bumps the version.
/// `false` when someone else changed the case first.
pub fn update_versioned(
    conn: &mut DbConnection,
    id: &str,
    expected_version: i32,
    changes: &CaseChanges,
    now: NaiveDateTime,
) -> DbResult<bool> {
    let touched = diesel::update(
        cases::table
            .filter(cases::id.eq(id))
            .filter(cases::version.eq(expected_version)),
    )
    .set((
        changes,
        cases::version.eq(expected_version + 1),
        cases::updated_at.eq(now),
    ))
    .execute(conn);
    match touched {
        Ok(1) => {
            if let Some(received) = changes.received_on {
                set_aspects_received_on(conn, id, received)?;
            }
            if let Some(status) = &changes.status {
                diesel::update(case_services::table.filter(case_services::case_id.eq(id)))
                    .set(case_services::status.eq(status))
                    .execute(conn)?;
            }
            Ok(true)
        }
        Ok(_) => Ok(false),
        // An empty changeset still bumps the version through the tuple, so this is unreachable
        // in practice; keep the error explicit rather than panicking.
        Err(e) => Err(DbError::Query(e)),
    }
}

/// The key of a case with nothing due: sorts last and is never overdue.
pub fn no_due_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(NaiveDate::MAX)
}

/// Store the derived next due date (no version bump: it follows from the other columns).
pub fn set_next_due(conn: &mut DbConnection, id: &str, key: NaiveDate) -> DbResult<()> {
    on_engine!(conn, |c| Cached(
        diesel::update(cases::table.find(id)).set(cases::next_due_key.eq(key))
    )
    .execute(c))?;
    Ok(())
}

/// Give a new case `id` its reference (it was inserted under a provisional one, its id).
pub fn set_reference(conn: &mut DbConnection, id: &str, reference: &str) -> DbResult<()> {
    on_engine!(conn, |c| Cached(
        diesel::update(cases::table.find(id)).set(cases::reference.eq(reference))
    )
    .execute(c))?;
    Ok(())
}

/// Whether a new case is numbered as the last step of its transaction. On PostgreSQL
/// transactions run side by side and the year's counter row stays locked from numbering to
/// commit, so every other logging waits on it: the case is inserted under a provisional
/// reference and numbered last. On SQLite one transaction writes at a time, so nothing waits on
/// the counter: the case is numbered first and inserted with its reference, which saves an
/// update of three of its indexes (a tenth of the writer's time per case logged, by `perf`).
pub fn number_last(conn: &DbConnection) -> bool {
    matches!(conn, DbConnection::Postgresql(_))
}

/// Take the case's row lock (PostgreSQL) so that timeline appends are serialised per case.
pub fn touch(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> DbResult<bool> {
    let n = on_engine!(conn, |c| Cached(
        diesel::update(cases::table.find(id)).set(cases::updated_at.eq(now))
    )
    .execute(c))?;
    Ok(n == 1)
}

/// The next number for `prefix` in `year`: gap-free, unique under concurrent creation
/// (the counter row is locked until the creating transaction ends).
pub fn next_reference_number(conn: &mut DbConnection, prefix: &str, year: i32) -> DbResult<i32> {
    // One statement: the year's first case starts the counter at 1, every later one moves it
    // on; the row lock it takes keeps concurrent transactions in order (unique, gap-free).
    Ok(on_engine!(conn, |c| Cached(
        diesel::insert_into(reference_counters::table)
            .values((
                reference_counters::prefix.eq(prefix),
                reference_counters::year.eq(year),
                reference_counters::last_value.eq(1),
            ))
            .on_conflict((reference_counters::prefix, reference_counters::year))
            .do_update()
            .set(reference_counters::last_value.eq(reference_counters::last_value + 1))
            .returning(reference_counters::last_value)
    )
    .get_result(c))?)
}

/// One coded aspect of a complaint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = case_subjects, treat_none_as_default_value = false)]
pub struct CaseSubject {
    #[serde(skip)]
    pub case_id: String,
    pub subject_code: String,
    pub subcategory_code: Option<String>,
    pub is_primary: bool,
    pub outcome: Option<String>,
}

/// The coding of one case.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CaseCoding {
    pub subjects: Vec<CaseSubject>,
    /// The primary service first: where the complaint is counted in KO41a.
    pub service_ids: Vec<String>,
    pub professions: Vec<String>,
}

impl CaseCoding {
    /// The order a case's coding is read in: the primary subject first, then by code; the
    /// primary service first, then by id; professions by code. Compared as bytes, so that both
    /// engines, under any collation, and a case just written (whose coding is not read back)
    /// give one order.
    pub fn in_stored_order(mut self) -> Self {
        self.subjects.sort_by(|a, b| {
            (!a.is_primary, &a.subject_code).cmp(&(!b.is_primary, &b.subject_code))
        });
        if let Some((_, others)) = self.service_ids.split_first_mut() {
            others.sort();
        }
        self.professions.sort();
        self
    }
}

/// Keep the day received that each aspect row carries (for period breakdowns) in step with
/// its case.
fn set_aspects_received_on(conn: &mut DbConnection, id: &str, day: NaiveDate) -> DbResult<()> {
    diesel::update(case_subjects::table.filter(case_subjects::case_id.eq(id)))
        .set(case_subjects::received_on.eq(day))
        .execute(conn)?;
    diesel::update(case_services::table.filter(case_services::case_id.eq(id)))
        .set(case_services::received_on.eq(day))
        .execute(conn)?;
    diesel::update(case_professions::table.filter(case_professions::case_id.eq(id)))
        .set(case_professions::received_on.eq(day))
        .execute(conn)?;
    Ok(())
}

/// Replace a case's subjects, services and professions. Each row also carries the case's kind
/// and day received (and each service row its status), read here from the case (which must
/// exist).
pub fn replace_coding(conn: &mut DbConnection, case_id: &str, coding: &CaseCoding) -> DbResult<()> {
    let (kind, status, received_on): (String, String, NaiveDate) = cases::table
        .find(case_id)
        .select((cases::kind, cases::status, cases::received_on))
        .first(conn)?;
    diesel::delete(case_subjects::table.filter(case_subjects::case_id.eq(case_id)))
        .execute(conn)?;
    diesel::delete(case_services::table.filter(case_services::case_id.eq(case_id)))
        .execute(conn)?;
    diesel::delete(case_professions::table.filter(case_professions::case_id.eq(case_id)))
        .execute(conn)?;
    let of = CodedCase {
        kind: &kind,
        status: &status,
        received_on,
    };
    insert_coding(conn, case_id, of, coding)
}

/// What each coding row copies from its case.
#[derive(Debug, Clone, Copy)]
pub struct CodedCase<'a> {
    pub kind: &'a str,
    /// Carried by service rows only.
    pub status: &'a str,
    pub received_on: NaiveDate,
}

/// Code a case that has no coding yet (one just logged).
pub fn insert_coding(
    conn: &mut DbConnection,
    case_id: &str,
    of: CodedCase<'_>,
    coding: &CaseCoding,
) -> DbResult<()> {
    let CodedCase {
        kind,
        status,
        received_on: received,
    } = of;
    for s in &coding.subjects {
        let insert = diesel::insert_into(case_subjects::table).values((
            s,
            case_subjects::kind.eq(kind),
            case_subjects::received_on.eq(received),
        ));
        on_engine!(&mut *conn, |c| insert.execute(c))?;
    }
    for (i, id) in coding.service_ids.iter().enumerate() {
        let insert = diesel::insert_into(case_services::table).values((
            case_services::case_id.eq(case_id),
            case_services::service_id.eq(id),
            case_services::kind.eq(kind),
            case_services::received_on.eq(received),
            case_services::is_primary.eq(i == 0),
            case_services::status.eq(status),
        ));
        on_engine!(&mut *conn, |c| insert.execute(c))?;
    }
    for code in &coding.professions {
        let insert = diesel::insert_into(case_professions::table).values((
            case_professions::case_id.eq(case_id),
            case_professions::profession_code.eq(code),
            case_professions::kind.eq(kind),
            case_professions::received_on.eq(received),
        ));
        on_engine!(&mut *conn, |c| insert.execute(c))?;
    }
    Ok(())
}

/// Record the finding on each aspect.
pub fn set_subject_outcome(
    conn: &mut DbConnection,
    case_id: &str,
    subject_code: &str,
    outcome: &str,
) -> DbResult<bool> {
    let n = diesel::update(
        case_subjects::table
            .filter(case_subjects::case_id.eq(case_id))
            .filter(case_subjects::subject_code.eq(subject_code)),
    )
    .set(case_subjects::outcome.eq(Some(outcome)))
    .execute(conn)?;
    Ok(n == 1)
}

/// The coding of one case.
pub fn coding(conn: &mut DbConnection, case_id: &str) -> DbResult<CaseCoding> {
    let mut all = coding_for(conn, &[case_id.to_string()])?;
    Ok(all.pop().map(|(_, c)| c).unwrap_or_default())
}

/// One row of a case's coding as [`coding_for`] reads it: case, code, subcategory, primary,
/// outcome, and which of the three lists it is on.
type CodingRow = (String, String, Option<String>, bool, Option<String>, i32);

const SUBJECT: i32 = 0;
const SERVICE: i32 = 1;
const PROFESSION: i32 = 2;

/// The coding of several cases, in the order of `case_ids`: their subjects, services and
/// professions in one statement (on PostgreSQL each statement is a round trip).
pub fn coding_for(
    conn: &mut DbConnection,
    case_ids: &[String],
) -> DbResult<Vec<(String, CaseCoding)>> {
    use diesel::sql_types::{Integer, Nullable, Text};
    let none = || None::<String>.into_sql::<Nullable<Text>>();
    let subjects = case_subjects::table
        .filter(one_of(case_subjects::case_id, case_ids))
        .select((
            case_subjects::case_id,
            case_subjects::subject_code,
            case_subjects::subcategory_code,
            case_subjects::is_primary,
            case_subjects::outcome,
            SUBJECT.into_sql::<Integer>(),
        ));
    let services = case_services::table
        .filter(one_of(case_services::case_id, case_ids))
        .select((
            case_services::case_id,
            case_services::service_id,
            none(),
            case_services::is_primary,
            none(),
            SERVICE.into_sql::<Integer>(),
        ));
    let professions = case_professions::table
        .filter(one_of(case_professions::case_id, case_ids))
        .select((
            case_professions::case_id,
            case_professions::profession_code,
            none(),
            false.into_sql::<diesel::sql_types::Bool>(),
            none(),
            PROFESSION.into_sql::<Integer>(),
        ));
    let mut rows: Vec<CodingRow> = on_engine!(conn, |c| subjects
        .union_all(services)
        .union_all(professions)
        .load(c))?;
    // The primary service first (CaseCoding::in_stored_order orders the rest).
    rows.sort_by_key(|a| (a.5, !a.3));
    Ok(case_ids
        .iter()
        .map(|id| {
            let mut coding = CaseCoding::default();
            for (_, code, sub, primary, outcome, list) in rows.iter().filter(|r| &r.0 == id) {
                match *list {
                    SUBJECT => coding.subjects.push(CaseSubject {
                        case_id: id.clone(),
                        subject_code: code.clone(),
                        subcategory_code: sub.clone(),
                        is_primary: *primary,
                        outcome: outcome.clone(),
                    }),
                    SERVICE => coding.service_ids.push(code.clone()),
                    _ => coding.professions.push(code.clone()),
                }
            }
            (id.clone(), coding.in_stored_order())
        })
        .collect())
}

/// Open cases with a handler whose next date falls in `from..=to` (for due-soon and overdue
/// alerts), at most `limit`.
pub fn handled_due_between(
    conn: &mut DbConnection,
    from: NaiveDate,
    to: NaiveDate,
    limit: i64,
) -> DbResult<Vec<Case>> {
    cases::table
        .filter(cases::next_due_key.ge(from))
        .filter(cases::next_due_key.le(to))
        .filter(cases::handler_id.is_not_null())
        .order((cases::next_due_key.asc(), cases::id.asc()))
        .limit(limit)
        .select(CaseRow::as_select())
        .load(conn)
        .map_err(DbError::from)
        .and_then(typed)
}

/// Cases logged since `since` about any of `service_ids`: how many, and the first `most`,
/// oldest first (`cases_created_idx`).
pub fn logged_since_in_services(
    conn: &mut DbConnection,
    since: NaiveDateTime,
    service_ids: &[String],
    most: i64,
) -> DbResult<(i64, Vec<Case>)> {
    use super::schema::case_services as cs;
    let logged = || {
        cases::table
            .filter(cases::created_at.ge(since))
            .filter(exists(
                cs::table
                    .filter(cs::case_id.eq(cases::id))
                    .filter(one_of(cs::service_id, service_ids)),
            ))
    };
    let total = logged().count().get_result(conn)?;
    let first = logged()
        .order((cases::created_at.asc(), cases::id.asc()))
        .limit(most)
        .select(CaseRow::as_select())
        .load(conn)?;
    Ok((total, typed(first)?))
}

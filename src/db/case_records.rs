//! Records a case accumulates: the time-limit decision, extensions, pauses and responses, and
//! which of every kind kept beside a case (those, meetings, candour, a referral) it has.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::connection::DbConnection;
use super::error::DbResult;
use super::schema::{
    candour_records, case_extensions, case_pauses, case_response_subjects, case_responses,
    meetings, ombudsman_referrals, time_limit_decisions,
};

/// Which kinds of record a case has beside it. Most cases have few or none, so the case view
/// asks this once and then reads only the kinds there are (on PostgreSQL each read is a round
/// trip: seven for every case before).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Present {
    pub time_limit_decision: bool,
    pub extensions: bool,
    pub pauses: bool,
    pub responses: bool,
    pub meetings: bool,
    pub candour: bool,
    pub ombudsman: bool,
}

/// Which kinds of record case `case_id` has, in one statement.
pub fn present(conn: &mut DbConnection, case_id: &str) -> DbResult<Present> {
    use diesel::dsl::exists;
    let (tld, ext, pau, res, mee, can, omb) = on_engine!(conn, |c| diesel::select((
        exists(time_limit_decisions::table.filter(time_limit_decisions::case_id.eq(case_id))),
        exists(case_extensions::table.filter(case_extensions::case_id.eq(case_id))),
        exists(case_pauses::table.filter(case_pauses::case_id.eq(case_id))),
        exists(case_responses::table.filter(case_responses::case_id.eq(case_id))),
        exists(meetings::table.filter(meetings::case_id.eq(case_id))),
        exists(candour_records::table.filter(candour_records::case_id.eq(case_id))),
        exists(ombudsman_referrals::table.filter(ombudsman_referrals::case_id.eq(case_id))),
    ))
    .get_result::<(bool, bool, bool, bool, bool, bool, bool)>(c))?;
    Ok(Present::from_flags((tld, ext, pau, res, mee, can, omb)))
}

impl Present {
    /// From the seven flags in the order of the fields.
    pub fn from_flags(
        (tld, ext, pau, res, mee, can, omb): (bool, bool, bool, bool, bool, bool, bool),
    ) -> Self {
        Self {
            time_limit_decision: tld,
            extensions: ext,
            pauses: pau,
            responses: res,
            meetings: mee,
            candour: can,
            ombudsman: omb,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = time_limit_decisions, treat_none_as_default_value = false)]
pub struct TimeLimitDecision {
    #[serde(skip)]
    pub case_id: String,
    pub decision: String,
    pub good_reason: Option<String>,
    pub still_investigable: Option<String>,
    pub decline_reason: Option<String>,
    pub decided_by: String,
    pub decided_on: NaiveDate,
    #[serde(skip)]
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = case_extensions, treat_none_as_default_value = false)]
pub struct Extension {
    pub id: String,
    #[serde(skip)]
    pub case_id: String,
    pub previous_due_on: Option<NaiveDate>,
    pub new_due_on: NaiveDate,
    pub reason: String,
    pub complainant_agreed: bool,
    pub agreed_on: Option<NaiveDate>,
    pub created_by: String,
    #[serde(skip)]
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = case_pauses, treat_none_as_default_value = false)]
pub struct Pause {
    pub id: String,
    #[serde(skip)]
    pub case_id: String,
    pub paused_on: NaiveDate,
    pub resumed_on: Option<NaiveDate>,
    pub reason: String,
    pub working_days: Option<i32>,
    pub created_by: String,
    #[serde(skip)]
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = case_responses, treat_none_as_default_value = false)]
pub struct Response {
    pub id: String,
    #[serde(skip)]
    pub case_id: String,
    pub sent_on: NaiveDate,
    pub signed_by: String,
    pub outcome: String,
    pub ombudsman_rights_given: bool,
    pub summary: Option<String>,
    pub created_by: String,
    #[serde(skip)]
    pub created_at: NaiveDateTime,
}

pub fn insert_time_limit_decision(conn: &mut DbConnection, d: &TimeLimitDecision) -> DbResult<()> {
    diesel::insert_into(time_limit_decisions::table)
        .values(d)
        .execute(conn)?;
    Ok(())
}

pub fn time_limit_decision(
    conn: &mut DbConnection,
    case_id: &str,
) -> DbResult<Option<TimeLimitDecision>> {
    Ok(time_limit_decisions::table
        .find(case_id)
        .select(TimeLimitDecision::as_select())
        .first(conn)
        .optional()?)
}

pub fn insert_extension(conn: &mut DbConnection, e: &Extension) -> DbResult<()> {
    diesel::insert_into(case_extensions::table)
        .values(e)
        .execute(conn)?;
    Ok(())
}

pub fn extensions(conn: &mut DbConnection, case_id: &str) -> DbResult<Vec<Extension>> {
    Ok(case_extensions::table
        .filter(case_extensions::case_id.eq(case_id))
        .order(case_extensions::created_at.asc())
        .select(Extension::as_select())
        .load(conn)?)
}

pub fn insert_pause(conn: &mut DbConnection, p: &Pause) -> DbResult<()> {
    diesel::insert_into(case_pauses::table)
        .values(p)
        .execute(conn)?;
    Ok(())
}

/// End the open pause of a case.
pub fn end_pause(
    conn: &mut DbConnection,
    case_id: &str,
    resumed_on: NaiveDate,
    working_days: i32,
) -> DbResult<()> {
    diesel::update(
        case_pauses::table
            .filter(case_pauses::case_id.eq(case_id))
            .filter(case_pauses::resumed_on.is_null()),
    )
    .set((
        case_pauses::resumed_on.eq(Some(resumed_on)),
        case_pauses::working_days.eq(Some(working_days)),
    ))
    .execute(conn)?;
    Ok(())
}

pub fn pauses(conn: &mut DbConnection, case_id: &str) -> DbResult<Vec<Pause>> {
    Ok(case_pauses::table
        .filter(case_pauses::case_id.eq(case_id))
        .order(case_pauses::created_at.asc())
        .select(Pause::as_select())
        .load(conn)?)
}

pub fn insert_response(conn: &mut DbConnection, r: &Response) -> DbResult<()> {
    diesel::insert_into(case_responses::table)
        .values(r)
        .execute(conn)?;
    Ok(())
}

/// Keep a response's finding on one subject with it.
pub fn insert_response_subject(
    conn: &mut DbConnection,
    response_id: &str,
    subject_code: &str,
    outcome: &str,
) -> DbResult<()> {
    diesel::insert_into(case_response_subjects::table)
        .values((
            case_response_subjects::response_id.eq(response_id),
            case_response_subjects::subject_code.eq(subject_code),
            case_response_subjects::outcome.eq(outcome),
        ))
        .execute(conn)?;
    Ok(())
}

/// The findings kept with response `response_id`: (subject, outcome), by subject.
pub fn response_subjects(
    conn: &mut DbConnection,
    response_id: &str,
) -> DbResult<Vec<(String, String)>> {
    Ok(case_response_subjects::table
        .filter(case_response_subjects::response_id.eq(response_id))
        .select((
            case_response_subjects::subject_code,
            case_response_subjects::outcome,
        ))
        .order(case_response_subjects::subject_code)
        .load(conn)?)
}

pub fn responses(conn: &mut DbConnection, case_id: &str) -> DbResult<Vec<Response>> {
    Ok(case_responses::table
        .filter(case_responses::case_id.eq(case_id))
        .order(case_responses::created_at.asc())
        .select(Response::as_select())
        .load(conn)?)
}

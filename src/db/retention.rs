//! Which cases the retention schedule has reached, which people are still needed by a case it
//! has not, and the record of the cases already anonymised.

use chrono::NaiveDate;
use diesel::dsl::{exists, not};
use diesel::prelude::*;

use super::connection::DbConnection;
use super::error::DbResult;
use super::schema::{anonymised_cases, cases};
use crate::domain::case::CaseStatus;

/// A case to anonymise.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = cases)]
pub struct Ended {
    pub id: String,
    pub reference: String,
    pub status: String,
    pub complainant_id: String,
    pub patient_id: Option<String>,
    pub closed_on: Option<NaiveDate>,
    pub withdrawn_on: Option<NaiveDate>,
    pub resolved_on: Option<NaiveDate>,
}

/// The case has no row in `anonymised_cases`.
#[diesel::dsl::auto_type]
fn not_anonymised() -> _ {
    not(exists(
        anonymised_cases::table.filter(anonymised_cases::case_id.eq(cases::id)),
    ))
}

/// Up to `limit` cases after id `after` (by id) that are closed, withdrawn or resolved with an
/// end on or before `cutoff` and not yet anonymised. The caller checks the latest end date.
pub fn ended_by(
    conn: &mut DbConnection,
    cutoff: NaiveDate,
    after: Option<&str>,
    limit: i64,
) -> DbResult<Vec<Ended>> {
    let finished = [
        CaseStatus::Closed.as_str(),
        CaseStatus::Withdrawn.as_str(),
        CaseStatus::Resolved.as_str(),
    ];
    let mut q = cases::table
        .filter(cases::status.eq_any(finished))
        .filter(
            cases::closed_on
                .le(cutoff)
                .or(cases::withdrawn_on.le(cutoff))
                .or(cases::resolved_on.le(cutoff)),
        )
        .filter(not_anonymised())
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(cases::id.gt(a));
    }
    Ok(q.order(cases::id.asc())
        .limit(limit)
        .select(Ended::as_select())
        .load(conn)?)
}

/// The PALS concerns escalated into case `id`, not yet anonymised: they follow it.
pub fn escalated_into(conn: &mut DbConnection, id: &str) -> DbResult<Vec<Ended>> {
    Ok(cases::table
        .filter(cases::linked_case_id.eq(id))
        .filter(cases::status.eq(CaseStatus::Escalated.as_str()))
        .filter(not_anonymised())
        .select(Ended::as_select())
        .load(conn)?)
}

/// The cases not yet anonymised that name `person_id` (as complainant or patient).
pub fn cases_needing(conn: &mut DbConnection, person_id: &str) -> DbResult<Vec<String>> {
    Ok(cases::table
        .filter(
            cases::complainant_id
                .eq(person_id)
                .or(cases::patient_id.eq(person_id)),
        )
        .filter(not_anonymised())
        .select(cases::id)
        .load(conn)?)
}

/// Record that case `id` was anonymised by run `run_id`.
pub fn mark_anonymised(
    conn: &mut DbConnection,
    id: &str,
    on: NaiveDate,
    run_id: &str,
) -> DbResult<()> {
    diesel::insert_into(anonymised_cases::table)
        .values((
            anonymised_cases::case_id.eq(id),
            anonymised_cases::anonymised_on.eq(on),
            anonymised_cases::run_id.eq(run_id),
        ))
        .execute(conn)?;
    Ok(())
}

/// Whether case `id` was anonymised, and when.
pub fn anonymised_on(conn: &mut DbConnection, id: &str) -> DbResult<Option<NaiveDate>> {
    Ok(anonymised_cases::table
        .find(id)
        .select(anonymised_cases::anonymised_on)
        .first(conn)
        .optional()?)
}

//! One case with what its view asks first, in one statement: the row, the newest calendar
//! version and which kinds of record the case has beside it.

use diesel::dsl::{exists, max};
use diesel::prelude::*;

use super::case_records::Present;
use super::cases::CaseRow;
use super::connection::DbConnection;
use super::error::DbResult;
use super::schema::{
    calendar_versions, candour_records, case_extensions, case_pauses, case_responses, cases,
    meetings, ombudsman_referrals, time_limit_decisions,
};
use crate::domain::case::Case;

/// A case as its view starts from.
#[derive(Debug, Clone)]
pub struct CaseForView {
    pub case: Case,
    /// The newest published calendar's number (0 when none is).
    pub calendar_version: i32,
    pub present: Present,
}

type Flags = (bool, bool, bool, bool, bool, bool, bool);

/// Case `id` with the calendar version and its records' kinds. On PostgreSQL each statement is
/// a round trip: reading these three apart made a case's view five round trips, not three.
pub fn find_for_view(conn: &mut DbConnection, id: &str) -> DbResult<Option<CaseForView>> {
    let row: Option<(CaseRow, Option<i32>, Flags)> = on_engine!(conn, |c| cases::table
        .find(id)
        .select((
            CaseRow::as_select(),
            calendar_versions::table
                .select(max(calendar_versions::version))
                .single_value(),
            (
                exists(time_limit_decisions::table.filter(time_limit_decisions::case_id.eq(id))),
                exists(case_extensions::table.filter(case_extensions::case_id.eq(id))),
                exists(case_pauses::table.filter(case_pauses::case_id.eq(id))),
                exists(case_responses::table.filter(case_responses::case_id.eq(id))),
                exists(meetings::table.filter(meetings::case_id.eq(id))),
                exists(candour_records::table.filter(candour_records::case_id.eq(id))),
                exists(ombudsman_referrals::table.filter(ombudsman_referrals::case_id.eq(id))),
            ),
        ))
        .first(c)
        .optional())?;
    row.map(|(row, version, flags)| {
        Ok(CaseForView {
            case: Case::try_from(row)?,
            calendar_version: version.unwrap_or(0),
            present: Present::from_flags(flags),
        })
    })
    .transpose()
}

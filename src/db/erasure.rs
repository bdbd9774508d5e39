//! Erasing the free text of a case's rows while its coded facts (dates, codes, outcomes) stay
//! as they were: one field for a redaction; every person and text of the case for retention.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::connection::DbConnection;
use super::error::DbResult;
use super::schema::cases;
use crate::domain::redaction::CaseText;

/// Replace one free-text field of a case by `mark` (a new version of the case).
pub fn redact_case_text(
    conn: &mut DbConnection,
    case_id: &str,
    field: CaseText,
    mark: &str,
    now: NaiveDateTime,
) -> DbResult<()> {
    let target = cases::table.find(case_id);
    let bump = (
        cases::version.eq(cases::version + 1),
        cases::updated_at.eq(now),
    );
    match field {
        CaseText::Summary => diesel::update(target)
            .set((cases::summary.eq(mark), bump))
            .execute(conn)?,
        CaseText::Description => diesel::update(target)
            .set((cases::description.eq(mark), bump))
            .execute(conn)?,
        CaseText::DesiredOutcome => diesel::update(target)
            .set((cases::desired_outcome.eq(mark), bump))
            .execute(conn)?,
    };
    Ok(())
}

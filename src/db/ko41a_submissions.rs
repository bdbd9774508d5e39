//! KO41a returns as submitted: the figures (JSON), who submitted them, when and why.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::connection::DbConnection;
use super::error::DbResult;
use super::schema::ko41a_submissions;

/// One submission of a financial year's return.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = ko41a_submissions, treat_none_as_default_value = false)]
pub struct Submission {
    pub id: String,
    /// The year the financial year starts in (2025 for 2025-26).
    pub financial_year: i32,
    /// The return as it stood, serialised.
    pub figures: String,
    pub note: Option<String>,
    pub submitted_by: String,
    pub submitted_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, s: &Submission) -> DbResult<()> {
    diesel::insert_into(ko41a_submissions::table)
        .values(s)
        .execute(conn)?;
    Ok(())
}

/// The submissions of `year`, newest first.
pub fn for_year(conn: &mut DbConnection, year: i32) -> DbResult<Vec<Submission>> {
    Ok(ko41a_submissions::table
        .filter(ko41a_submissions::financial_year.eq(year))
        .order((
            ko41a_submissions::submitted_at.desc(),
            ko41a_submissions::id.desc(),
        ))
        .select(Submission::as_select())
        .load(conn)?)
}

/// The latest submission of `year`, if any (a year has a handful).
pub fn latest(conn: &mut DbConnection, year: i32) -> DbResult<Option<Submission>> {
    Ok(for_year(conn, year)?.into_iter().next())
}

//! What follows from a stored case's facts besides the rules themselves: its reference from the
//! year's counter, its stored next due date, and what staff alerts may say about it.

use chrono::{Datelike, NaiveDate};
use serde_json::{Value, json};

use super::notify::long_date;
use crate::db::DbConnection;
use crate::db::cases;
use crate::db::numbering;
use crate::domain::calendar::WorkingCalendar;
use crate::domain::case::{self as rules, Case, CaseKind};
use crate::email::links::Link;
use crate::error::AppResult;

/// The next reference of `kind` in the year of `today` (England), from the year's counter
/// (gap-free: the counter moves on in the caller's transaction).
pub fn allocate_reference(
    c: &mut DbConnection,
    kind: CaseKind,
    today: NaiveDate,
) -> AppResult<String> {
    let year = today.year();
    let number = cases::next_reference_number(c, kind.reference_prefix(), year)?;
    Ok(rules::reference(kind, year, number))
}

/// Number case `id`, inserted in this transaction under a provisional reference: the next
/// reference of `kind` in the year of `today`, from the year's counter, set on the case.
pub fn number_inserted(
    c: &mut DbConnection,
    id: &str,
    kind: CaseKind,
    today: NaiveDate,
) -> AppResult<String> {
    let year = today.year();
    let head = rules::reference_head(kind, year);
    Ok(numbering::number_case(
        c,
        id,
        (kind.reference_prefix(), year),
        &head,
        |n| rules::reference(kind, year, n),
    )?)
}

/// The next due date stored with a case (the far-off sentinel when nothing is due), as lists
/// filter and sort on it.
pub fn next_due_key(cal: &WorkingCalendar, case: &Case, today: NaiveDate) -> NaiveDate {
    case.clock(cal, today)
        .next_due_on
        .unwrap_or_else(cases::no_due_date)
}

/// Recompute and store the next due date of a case after a change; returns the key stored.
pub fn refresh_next_due(
    conn: &mut DbConnection,
    cal: &WorkingCalendar,
    case: &Case,
    today: NaiveDate,
) -> AppResult<NaiveDate> {
    let key = next_due_key(cal, case, today);
    if key != case.next_due_key {
        cases::set_next_due(conn, &case.id, key)?;
    }
    Ok(key)
}

/// What staff alerts say about a case: no personal data, a link to it.
pub fn staff_case(case: &Case, cal: &WorkingCalendar, today: NaiveDate) -> Value {
    let next = case.clock(cal, today).next_due_on;
    json!({
        "reference": case.reference,
        "kind_label": match case.kind { CaseKind::Complaint => "complaint", CaseKind::PalsConcern => "PALS concern" },
        "received_on": long_date(case.received_on),
        "next_due_on": next.map(long_date),
        "url": Link::Case(case.id.clone()).value(),
    })
}

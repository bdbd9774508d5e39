//! What follows from a stored case's facts: its state-machine flags and allowed actions, its
//! clock today, its next due date, and what staff alerts may say about it.

use chrono::NaiveDate;
use serde_json::{Value, json};

use super::notify::{Messenger, long_date};
use crate::db::DbConnection;
use crate::db::cases::{self, CaseRecord};
use crate::domain::calendar::WorkingCalendar;
use crate::domain::case::{self, Action, CaseFlags, CaseKind, CaseStatus};
use crate::domain::clock::{self, ClockInput, ClockView};
use crate::error::AppResult;

/// The state-machine flags of a stored case.
pub fn flags(c: &CaseRecord) -> CaseFlags {
    CaseFlags {
        paused: c.paused_on.is_some(),
        out_of_time: c.out_of_time,
        time_limit_decided: c.time_limit_decision.is_some(),
        time_limit_declined: c.time_limit_decision.as_deref() == Some("declined"),
        six_month_letter_sent: c.six_month_letter_sent_on.is_some(),
    }
}

/// The lifecycle actions open to the case now.
pub fn allowed(c: &CaseRecord) -> Vec<Action> {
    case::allowed_actions(c.kind, c.status, flags(c))
}

/// The clock facts of a stored case.
pub fn clock_input(c: &CaseRecord) -> ClockInput {
    let finished_on = match c.status {
        CaseStatus::Responded => c.responded_on,
        CaseStatus::Closed => c.closed_on.or(c.responded_on),
        CaseStatus::Withdrawn => c.withdrawn_on,
        CaseStatus::Resolved | CaseStatus::Escalated => c.resolved_on,
        _ => None,
    };
    ClockInput {
        kind: c.kind,
        status: c.status,
        received_on: c.received_on,
        acknowledgement_due_on: c.acknowledgement_due_on,
        response_due_on: c.response_due_on,
        six_month_letter_due_on: c.six_month_letter_due_on,
        six_month_letter_sent_on: c.six_month_letter_sent_on,
        pals_due_on: c.pals_due_on,
        finished_on,
        paused_on: c.paused_on,
        paused_working_days: c.paused_working_days,
    }
}

/// The case's clock on `today`: what is due when, and what is overdue.
pub fn clock_view(cal: &WorkingCalendar, c: &CaseRecord, today: NaiveDate) -> ClockView {
    clock::view(cal, &clock_input(c), today)
}

/// Recompute and store the next due date of a case after a change.
pub fn refresh_next_due(
    conn: &mut DbConnection,
    cal: &WorkingCalendar,
    case: &CaseRecord,
    today: NaiveDate,
) -> AppResult<()> {
    let next = clock_view(cal, case, today).next_due_on;
    if next.unwrap_or_else(cases::no_due_date) != case.next_due_key {
        cases::set_next_due(conn, &case.id, next)?;
    }
    Ok(())
}

/// What staff alerts say about a case: no personal data, a link to it.
pub fn staff_case(
    messenger: &Messenger,
    case: &CaseRecord,
    cal: &WorkingCalendar,
    today: NaiveDate,
) -> Value {
    let next = clock_view(cal, case, today).next_due_on;
    json!({
        "reference": case.reference,
        "kind_label": match case.kind { CaseKind::Complaint => "complaint", CaseKind::PalsConcern => "PALS concern" },
        "received_on": long_date(case.received_on),
        "next_due_on": next.map(long_date),
        "url": format!("{}/api/v1/cases/{}", messenger.base_url, case.id),
    })
}

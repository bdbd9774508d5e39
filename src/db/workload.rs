//! Each handler's queue of open cases, counted by how soon they fall due: the managers' view of
//! who has what, and the counts on a person's own "my work" page.

use chrono::NaiveDate;
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::connection::DbConnection;
use super::error::DbResult;
use super::schema::cases;
use crate::domain::case::CaseStatus;

/// One handler's open cases (`handler_id` `None`: nobody assigned yet).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Queue {
    pub handler_id: Option<String>,
    pub open: i64,
    /// Next due date before `today`.
    pub overdue: i64,
    pub due_today: i64,
    /// Due from today to `week_end`, inclusive.
    pub due_this_week: i64,
}

/// Earlier than any due date (and within both engines' date ranges).
fn floor() -> NaiveDate {
    NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or_default()
}

fn open_statuses() -> Vec<&'static str> {
    [
        CaseStatus::Received,
        CaseStatus::Acknowledged,
        CaseStatus::Investigating,
        CaseStatus::Responded,
        CaseStatus::Open,
    ]
    .iter()
    .map(|s| s.as_str())
    .collect()
}

/// Every handler's queue at `today`, the week ending on `week_end`.
pub fn queues(
    conn: &mut DbConnection,
    today: NaiveDate,
    week_end: NaiveDate,
) -> DbResult<Vec<Queue>> {
    type Counted = Vec<(Option<String>, i64)>;
    let counted = |conn: &mut DbConnection, from: NaiveDate, to: NaiveDate| -> DbResult<Counted> {
        Ok(cases::table
            .filter(cases::status.eq_any(open_statuses()))
            .filter(cases::next_due_key.between(from, to))
            .group_by(cases::handler_id)
            .select((cases::handler_id, count_star()))
            .load(conn)?)
    };
    let open = counted(conn, floor(), super::cases::no_due_date())?;
    let overdue = counted(conn, floor(), today.pred_opt().unwrap_or(today))?;
    let due_today = counted(conn, today, today)?;
    let this_week = counted(conn, today, week_end)?;
    let find = |rows: &Counted, h: &Option<String>| {
        rows.iter().find(|(k, _)| k == h).map_or(0, |(_, n)| *n)
    };
    let mut queues: Vec<Queue> = open
        .iter()
        .map(|(h, n)| Queue {
            handler_id: h.clone(),
            open: *n,
            overdue: find(&overdue, h),
            due_today: find(&due_today, h),
            due_this_week: find(&this_week, h),
        })
        .collect();
    queues.sort_by_key(|q| std::cmp::Reverse((q.overdue, q.open)));
    Ok(queues)
}

/// The open cases `user` handles or investigates, counted the same way.
pub fn mine(
    conn: &mut DbConnection,
    user: &str,
    today: NaiveDate,
    week_end: NaiveDate,
) -> DbResult<Queue> {
    let mut counted = |from: NaiveDate, to: NaiveDate| -> DbResult<i64> {
        Ok(cases::table
            .filter(cases::status.eq_any(open_statuses()))
            .filter(cases::next_due_key.between(from, to))
            .filter(
                cases::handler_id
                    .eq(user)
                    .or(cases::investigator_id.eq(user)),
            )
            .select(count_star())
            .first(conn)?)
    };
    Ok(Queue {
        handler_id: Some(user.to_string()),
        open: counted(floor(), super::cases::no_due_date())?,
        overdue: counted(floor(), today.pred_opt().unwrap_or(today))?,
        due_today: counted(today, today)?,
        due_this_week: counted(today, week_end)?,
    })
}

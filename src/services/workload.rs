//! Work queues: a person's own open cases by next due date with counts of what is overdue, due
//! today and due this week ("my work"), and for those who read every case, each handler's
//! queue. The week ends on Sunday; every date is the date in England.

use chrono::{Datelike, Duration, NaiveDate};

use super::Actor;
use super::case_view::CaseSummary;
use super::cases::{self, CaseFilter, CaseSort, ListQuery};
use crate::db::{users, workload};
use crate::domain::case::CaseStatus;
use crate::domain::role::Permission;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// The statuses of a case still being worked on.
pub const OPEN: [CaseStatus; 5] = [
    CaseStatus::Received,
    CaseStatus::Acknowledged,
    CaseStatus::Investigating,
    CaseStatus::Responded,
    CaseStatus::Open,
];

/// At most this many of a person's cases are listed on one page.
pub const MY_WORK_PAGE: i64 = 100;

/// Sunday of the week (Monday to Sunday) holding `today`.
pub fn week_end(today: NaiveDate) -> NaiveDate {
    today + Duration::days(6 - i64::from(today.weekday().num_days_from_monday()))
}

/// A person's open cases, soonest due first (so overdue ones lead), with the counts.
pub struct MyWork {
    pub today: NaiveDate,
    pub items: Vec<CaseSummary>,
    /// More than [`MY_WORK_PAGE`] open cases: the list stops there.
    pub more: bool,
    pub counts: workload::Queue,
}

/// The open cases the actor handles or investigates, and their counts.
pub async fn my_work(state: &AppState, actor: &Actor, route: &str) -> AppResult<MyWork> {
    let today = state.clock.today();
    let query = ListQuery {
        filter: CaseFilter {
            statuses: OPEN.to_vec(),
            assigned_to: Some(actor.user_id.clone()),
            ..CaseFilter::default()
        },
        sort: Some(CaseSort::NextDue),
        limit: Some(MY_WORK_PAGE),
        ..ListQuery::default()
    };
    let page = cases::list(state, actor, query, route).await?;
    let uid = actor.user_id.clone();
    let counts = state
        .db
        .read(move |c| workload::mine(c, &uid, today, week_end(today)).map_err(AppError::from))
        .await?;
    Ok(MyWork {
        today,
        more: page.next.is_some(),
        items: page.items,
        counts,
    })
}

/// One handler's queue, named.
pub struct NamedQueue {
    /// "Not assigned" when nobody handles these cases yet.
    pub handler: String,
    pub handler_id: Option<String>,
    pub queue: workload::Queue,
}

/// Every handler's queue, most overdue first: for those who read every case.
pub async fn queues(state: &AppState, actor: &Actor) -> AppResult<Vec<NamedQueue>> {
    actor.require(Permission::ReadAllCases)?;
    let today = state.clock.today();
    state
        .db
        .read(move |c| -> AppResult<Vec<NamedQueue>> {
            let queues = workload::queues(c, today, week_end(today))?;
            let ids: Vec<String> = queues.iter().filter_map(|q| q.handler_id.clone()).collect();
            let names = users::names(c, &ids)?;
            Ok(queues
                .into_iter()
                .map(|q| NamedQueue {
                    handler: q
                        .handler_id
                        .as_ref()
                        .and_then(|id| names.get(id).cloned())
                        .unwrap_or_else(|| "Not assigned".to_string()),
                    handler_id: q.handler_id.clone(),
                    queue: q,
                })
                .collect())
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::week_end;
    use chrono::NaiveDate;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_week_ends_on_sunday() {
        // Saturday 5 December 2026: Sunday the 6th.
        assert_eq!(week_end(day(2026, 12, 5)), day(2026, 12, 6));
        // A Sunday is its own week's end.
        assert_eq!(week_end(day(2026, 12, 6)), day(2026, 12, 6));
        // Monday 28 December 2026: the week runs into 2027.
        assert_eq!(week_end(day(2026, 12, 28)), day(2027, 1, 3));
        // Thursday 24 February 2028 (a leap year): the week ends on Sunday 27 February.
        assert_eq!(week_end(day(2028, 2, 24)), day(2028, 2, 27));
        // Across a leap day: Monday 26 February 2024 to Sunday 3 March.
        assert_eq!(week_end(day(2024, 2, 26)), day(2024, 3, 3));
    }
}

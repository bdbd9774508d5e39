//! Duty of Candour figures for a period (characteristic 11B): the incidents the trust became
//! aware of, how their harm was decided, and whether each notification was made on time.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::DbConnection;
use crate::db::candour::{self as rows, CandourRecord, StepRow};
use crate::domain::calendar::WorkingCalendar;
use crate::domain::candour::{CandourRules, CandourStatus};
use crate::error::AppResult;

/// Duty of Candour figures for incidents the trust became aware of in a period (11B).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct CandourCounts {
    /// Cases flagged as possible notifiable safety incidents.
    pub flagged: i64,
    /// Harm decided as moderate or worse.
    pub notifiable: i64,
    pub not_notifiable: i64,
    /// Harm not yet decided.
    pub undecided: i64,
    /// Notifiable incidents whose notifications were all made on time.
    pub notified_on_time: i64,
    pub notified_late: i64,
    /// Reg 20(5) exceptions (could not be contacted, declined to engage).
    pub exceptions: i64,
    /// Notifiable incidents still owed a notification.
    pub outstanding: i64,
}

/// Count candour records with `became_aware_on` in [`from`, `to`], assessed as at `today`.
pub fn period_counts(
    c: &mut DbConnection,
    cal: &WorkingCalendar,
    candour: &CandourRules,
    service_ids: Option<&[String]>,
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
) -> AppResult<CandourCounts> {
    let records: Vec<CandourRecord> = rows::became_aware_between(c, service_ids, from, to)?;
    let ids: Vec<String> = records.iter().map(|r| r.id.clone()).collect();
    let mut by_record: std::collections::HashMap<String, Vec<StepRow>> = Default::default();
    for chunk in ids.chunks(10_000) {
        for step in rows::steps_for(c, chunk)? {
            by_record
                .entry(step.record_id.clone())
                .or_default()
                .push(step);
        }
    }
    let mut n = CandourCounts::default();
    for r in &records {
        n.flagged += 1;
        let mine: Vec<StepRow> = by_record.remove(&r.id).unwrap_or_default();
        let a = r.assess(cal, candour, &mine, today);
        match a.notifiable {
            None => n.undecided += 1,
            Some(false) => n.not_notifiable += 1,
            Some(true) => {
                n.notifiable += 1;
                match a.status {
                    CandourStatus::CompletedOnTime => n.notified_on_time += 1,
                    CandourStatus::CompletedLate => n.notified_late += 1,
                    CandourStatus::Exception => n.exceptions += 1,
                    _ => n.outstanding += 1,
                }
            }
        }
    }
    Ok(n)
}

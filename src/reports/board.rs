//! The board report (`GET /api/v1/reports/board`): volumes, outcomes, timeliness, meetings,
//! candour, ombudsman and themes for a period, with the previous period alongside.

use chrono::{NaiveDate, NaiveTime};
use serde::Serialize;
use utoipa::ToSchema;

pub use super::board_figures::Raw;
pub use super::board_figures::{
    AgeBand, CandourFigures, Coded, FeedbackFigures, FeedbackStage, Figures, Labels,
    MeetingFigures, OmbudsmanFigures, Outcomes, ServiceChangeFigures, Theme, Timeliness, Volumes,
};
use super::board_figures::{show, themes};
use super::candour;
use super::feedback::compute_summary;
use super::period::Period;
use super::suppress::Suppression;
use crate::config::Settings;
use crate::db::report_queries::{self as q, Scope};
use crate::db::service_changes as changes;
use crate::db::{DbConnection, calendar, meetings, ombudsman};
use crate::domain::calendar::WorkingCalendar;
use crate::domain::case::{CaseKind, Outcome};
use crate::domain::ombudsman::PhsoDecision;
use crate::error::AppResult;

/// Working-day bands for the age of open complaints.
const AGE_BANDS: [(&str, i64, i64); 5] = [
    ("0-25", 0, 25),
    ("26-40", 26, 40),
    ("41-60", 41, 60),
    ("61-130", 61, 130),
    ("over 130", 131, i64::MAX),
];

/// Compute the raw figures for `period` (as seen on `today`).
pub fn raw(
    c: &mut DbConnection,
    cal: &WorkingCalendar,
    settings: &Settings,
    scope: &Scope,
    period: Period,
    today: NaiveDate,
) -> AppResult<Raw> {
    let (from, to) = (period.from, period.to);
    let mut r = Raw {
        pals_concerns: q::received(c, CaseKind::PalsConcern, scope, from, to)?,
        escalations: q::escalated(c, scope, from, to)?,
        reopened: q::reopened(
            c,
            scope,
            from.and_time(NaiveTime::MIN),
            to.succ_opt().unwrap_or(to).and_time(NaiveTime::MIN),
        )?,
        withdrawn: q::withdrawn(c, scope, from, to)?,
        ..Raw::default()
    };
    coding(c, &mut r, scope, from, to)?;
    timeliness(c, cal, &mut r, scope, period, today)?;
    r.open_by_age = open_by_age(c, cal, scope, to.min(today))?;
    six_month_letters(c, &mut r, scope, period, today)?;
    r.meetings = meetings::counts_in(c, scope.service_ids.as_deref(), from, to)?;
    r.candour = candour::period_counts(
        c,
        cal,
        &settings.candour,
        scope.service_ids.as_deref(),
        from,
        to,
        today,
    )?;
    ombudsman_decisions(c, &mut r, scope, period)?;
    if scope.service_ids.is_none() {
        r.feedback = Some(compute_summary(c, from, to, false)?);
    }
    r.service_changes = changes::board_counts(c, scope.service_ids.as_deref(), from, to, today)?;
    Ok(r)
}

/// Cases received in the period by subject, subcategory, service and profession.
fn coding(
    c: &mut DbConnection,
    r: &mut Raw,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<()> {
    for ((code, sub), n) in q::subjects(c, scope, from, to)? {
        *r.subjects.entry(code.clone()).or_default() += n;
        if let Some(sub) = sub {
            r.subcategory_subject.insert(sub.clone(), code.clone());
            *r.subcategories.entry(sub).or_default() += n;
        }
    }
    r.services = q::services(c, scope, from, to)?.into_iter().collect();
    r.professions = q::professions(c, scope, from, to)?.into_iter().collect();
    Ok(())
}

/// Outcomes of the responses, acknowledgements within 3 working days and responses by the date
/// in force.
fn timeliness(
    c: &mut DbConnection,
    cal: &WorkingCalendar,
    r: &mut Raw,
    scope: &Scope,
    period: Period,
    today: NaiveDate,
) -> AppResult<()> {
    let (from, to) = (period.from, period.to);
    // Every complaint received in the period is in exactly one acknowledgement group.
    for (due, acknowledged, n) in q::acknowledgements(c, scope, from, to)? {
        r.complaints += n;
        match (due, acknowledged) {
            (Some(due), Some(on)) if on <= due => r.acknowledged_on_time += n,
            (_, Some(_)) => r.acknowledged_late += n,
            (Some(due), None) if due < today => r.awaiting_acknowledgement_overdue += n,
            (_, None) => r.awaiting_acknowledgement += n,
        }
    }
    let mut days: Vec<(i64, i64)> = Vec::new();
    for (responded, received, due, agreed, outcome, n) in q::responses(c, scope, from, to)? {
        count_outcome(r, outcome.as_deref(), n);
        let Some(responded) = responded else { continue };
        let on_time = due.is_some_and(|d| responded <= d);
        // Only a date agreed with the complainant counts as "agreed" (reg 14, domain §7).
        if agreed == Some(true) {
            r.responded_agreed += n;
            r.responded_on_time += i64::from(on_time) * n;
        } else {
            r.responded_other += n;
            r.responded_other_on_time += i64::from(on_time) * n;
        }
        days.push((cal.working_days_between(received, responded), n));
    }
    r.median_working_days_to_response = median(&mut days);
    Ok(())
}

/// Cases open at `on`, by working days since receipt.
fn open_by_age(
    c: &mut DbConnection,
    cal: &WorkingCalendar,
    scope: &Scope,
    on: NaiveDate,
) -> AppResult<Vec<(&'static str, i64)>> {
    let mut bands = [0i64; AGE_BANDS.len()];
    for (received, n) in q::open_on(c, scope, on)? {
        let age = cal.working_days_between(received, on);
        if let Some(i) = AGE_BANDS
            .iter()
            .position(|(_, lo, hi)| age >= *lo && age <= *hi)
        {
            bands[i] += n;
        }
    }
    Ok(AGE_BANDS
        .iter()
        .zip(bands)
        .map(|((label, _, _), n)| (*label, n))
        .collect())
}

/// A complaint first responded in the period, by its outcome as counted (anything but upheld
/// or partially upheld counts as not upheld).
fn count_outcome(r: &mut Raw, outcome: Option<&str>, n: i64) {
    match outcome.and_then(|o| o.parse().ok()) {
        Some(Outcome::Upheld) => r.upheld += n,
        Some(Outcome::PartiallyUpheld) => r.partially_upheld += n,
        _ => r.not_upheld += n,
    }
    r.responded += n;
}

/// Six-month letters owed in the period (reg 14(4)): see [`q::six_month_letters`].
fn six_month_letters(
    c: &mut DbConnection,
    r: &mut Raw,
    scope: &Scope,
    period: Period,
    today: NaiveDate,
) -> AppResult<()> {
    let n = q::six_month_letters(c, scope, (period.from, period.to), today)?;
    r.six_month_due += n.owed;
    r.six_month_sent += n.sent;
    r.six_month_missed += n.missed;
    Ok(())
}

/// Referrals to the Ombudsman in the period, by its decision.
fn ombudsman_decisions(
    c: &mut DbConnection,
    r: &mut Raw,
    scope: &Scope,
    period: Period,
) -> AppResult<()> {
    let (from, to) = (period.from, period.to);
    for decision in ombudsman::referred_between_in(c, scope.service_ids.as_deref(), from, to)? {
        r.ombudsman_referred += 1;
        match decision.as_deref().and_then(|d| d.parse().ok()) {
            Some(PhsoDecision::Upheld) => r.ombudsman_upheld += 1,
            Some(PhsoDecision::PartlyUpheld) => r.ombudsman_partly_upheld += 1,
            Some(PhsoDecision::NotUpheld) => r.ombudsman_not_upheld += 1,
            Some(PhsoDecision::NotInvestigated) => r.ombudsman_not_investigated += 1,
            None => {}
        }
    }
    Ok(())
}

/// The median of values given with their counts.
fn median(values: &mut [(i64, i64)]) -> Option<f64> {
    let total: i64 = values.iter().map(|(_, n)| n).sum();
    if total == 0 {
        return None;
    }
    values.sort_unstable();
    let at = |k: i64| {
        let mut seen = 0;
        for (v, n) in values.iter() {
            seen += n;
            if seen > k {
                return *v;
            }
        }
        values.last().map_or(0, |(v, _)| *v)
    };
    let mid = total / 2;
    Some(if total % 2 == 1 {
        at(mid) as f64
    } else {
        (at(mid - 1) + at(mid)) as f64 / 2.0
    })
}

/// The whole board report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BoardReport {
    pub current: Figures,
    pub previous: Figures,
    pub themes_rising: Vec<Theme>,
    pub themes_falling: Vec<Theme>,
    pub service_id: Option<String>,
    /// Counts from 1 to `threshold − 1` are shown as `null` (the board role).
    pub suppressed_below: Option<i64>,
    pub generated_on: NaiveDate,
}

/// Compute the board report for `period` within one read transaction.
pub fn build(
    c: &mut DbConnection,
    settings: &Settings,
    scope: &Scope,
    service_id: Option<String>,
    period: Period,
    s: Suppression,
    today: NaiveDate,
) -> AppResult<BoardReport> {
    let cal = calendar::current(c)?;
    let labels = Labels::load(c)?;
    let now = raw(c, &cal, settings, scope, period, today)?;
    let before = raw(c, &cal, settings, scope, period.previous(), today)?;
    Ok(assemble(
        &now, &before, &labels, service_id, period, s, today,
    ))
}

/// The report from the raw figures of the period and of the one before it.
pub fn assemble(
    now: &Raw,
    before: &Raw,
    labels: &Labels,
    service_id: Option<String>,
    period: Period,
    s: Suppression,
    today: NaiveDate,
) -> BoardReport {
    let current = show(now, period, labels, s);
    let previous = show(before, period.previous(), labels, s);
    let (rising, falling) = themes(now, before, &current, &previous, labels);
    BoardReport {
        current,
        previous,
        themes_rising: rising,
        themes_falling: falling,
        service_id,
        suppressed_below: s.applies().then_some(s.threshold),
        generated_on: today,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_from_counted_values() {
        assert_eq!(median(&mut [(10, 1), (20, 1), (30, 1)]), Some(20.0));
        assert_eq!(median(&mut [(10, 2), (30, 2)]), Some(20.0));
        assert_eq!(median(&mut [(5, 3), (100, 1)]), Some(5.0));
        assert_eq!(median(&mut []), None);
    }
}

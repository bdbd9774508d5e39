//! The complainant's tracking link: when it stops working, and the UK clock it shows times in.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Weekday};

use super::case::CaseStatus;

/// Why a link no longer opens the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    Live,
    Revoked,
    /// The case finished more than the configured number of days ago.
    Expired,
}

/// The day a finished case's link stops working: `days` after it was closed, withdrawn or
/// resolved. `None` while the case is still open (a reopened case's link works again).
pub fn expires_on(
    status: CaseStatus,
    closed_on: Option<NaiveDate>,
    withdrawn_on: Option<NaiveDate>,
    resolved_on: Option<NaiveDate>,
    days: i64,
) -> Option<NaiveDate> {
    let finished = match status {
        CaseStatus::Closed => closed_on,
        CaseStatus::Withdrawn => withdrawn_on,
        // An escalated concern lives on as its complaint, which has a link of its own; the
        // concern's link ends `days` after the escalation (its resolved date), like any other.
        CaseStatus::Resolved | CaseStatus::Escalated => resolved_on,
        _ => None,
    }?;
    finished.checked_add_signed(Duration::days(days))
}

/// Whether a link opens the case on `today`.
pub fn state(revoked: bool, expires_on: Option<NaiveDate>, today: NaiveDate) -> LinkState {
    if revoked {
        LinkState::Revoked
    } else if expires_on.is_some_and(|d| today >= d) {
        LinkState::Expired
    } else {
        LinkState::Live
    }
}

fn last_sunday(year: i32, month: u32) -> Option<NaiveDate> {
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    }?;
    let mut day = next.pred_opt()?;
    while day.weekday() != Weekday::Sun {
        day = day.pred_opt()?;
    }
    Some(day)
}

/// A UTC time on the UK's clock: British Summer Time (UTC+1) from 01:00 UTC on the last Sunday
/// of March to 01:00 UTC on the last Sunday of October, else GMT. Returns the time and "BST"
/// or "GMT".
pub fn uk_time(utc: NaiveDateTime) -> (NaiveDateTime, &'static str) {
    let year = utc.year();
    let start = last_sunday(year, 3).and_then(|d| d.and_hms_opt(1, 0, 0));
    let end = last_sunday(year, 10).and_then(|d| d.and_hms_opt(1, 0, 0));
    match (start, end) {
        (Some(s), Some(e)) if utc >= s && utc < e => (utc + Duration::hours(1), "BST"),
        _ => (utc, "GMT"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn links_expire_after_the_case_finishes() {
        let on = expires_on(CaseStatus::Closed, Some(d("2026-01-10")), None, None, 90);
        assert_eq!(on, Some(d("2026-04-10")));
        assert_eq!(state(false, on, d("2026-04-09")), LinkState::Live);
        assert_eq!(state(false, on, d("2026-04-10")), LinkState::Expired);
        assert_eq!(state(true, None, d("2026-04-09")), LinkState::Revoked);
        // Reopened: closed_on may linger but the case is not finished.
        assert_eq!(
            expires_on(
                CaseStatus::Investigating,
                Some(d("2026-01-10")),
                None,
                None,
                90
            ),
            None
        );
        assert_eq!(
            expires_on(CaseStatus::Withdrawn, None, Some(d("2026-01-10")), None, 1),
            Some(d("2026-01-11"))
        );
        assert_eq!(
            expires_on(CaseStatus::Resolved, None, None, Some(d("2026-01-10")), 2),
            Some(d("2026-01-12"))
        );
        assert_eq!(
            expires_on(CaseStatus::Escalated, None, None, Some(d("2026-01-10")), 90),
            Some(d("2026-04-10"))
        );
    }

    #[test]
    fn uk_time_follows_british_summer_time() {
        let t = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        // 2026: BST from 29 March 01:00 UTC to 25 October 01:00 UTC.
        assert_eq!(
            uk_time(t("2026-03-29 00:59")),
            (t("2026-03-29 00:59"), "GMT")
        );
        assert_eq!(
            uk_time(t("2026-03-29 01:00")),
            (t("2026-03-29 02:00"), "BST")
        );
        assert_eq!(
            uk_time(t("2026-07-01 09:30")),
            (t("2026-07-01 10:30"), "BST")
        );
        assert_eq!(
            uk_time(t("2026-10-25 00:59")),
            (t("2026-10-25 01:59"), "BST")
        );
        assert_eq!(
            uk_time(t("2026-10-25 01:00")),
            (t("2026-10-25 01:00"), "GMT")
        );
        assert_eq!(
            uk_time(t("2026-12-01 10:00")),
            (t("2026-12-01 10:00"), "GMT")
        );
    }
}

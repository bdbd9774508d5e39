//! The application's clock: `today()` is the date in England (Europe/London), `now()` the UTC
//! instant. The only place in Candour that reads the system clock.
//!
//! A running server always follows the system clock. The test harness builds the application
//! with an adjustable clock ([`Clock::adjustable`]) so that a test can put the whole server on
//! another day, or just after midnight in summer time; nothing in the configuration, the CLI or
//! the API can make one, and [`crate::startup::Application`] refuses one in production.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, NaiveDate, NaiveDateTime, SubsecRound, TimeDelta, Utc};
use chrono_tz::Europe::London;

/// Where the time comes from; cheap to clone (clones share one clock).
#[derive(Debug, Clone)]
pub struct Clock {
    /// Microseconds added to the system time; only an adjustable clock has one.
    offset: Option<Arc<AtomicI64>>,
}

impl Default for Clock {
    fn default() -> Self {
        Self::system()
    }
}

impl Clock {
    /// The system clock, as every running server uses.
    pub fn system() -> Self {
        Self { offset: None }
    }

    /// A clock that runs at the system's pace from wherever [`Clock::set`] puts it (tests).
    pub fn adjustable() -> Self {
        Self {
            offset: Some(Arc::new(AtomicI64::new(0))),
        }
    }

    /// Whether this clock can be moved (never true of a production server's clock).
    pub fn is_adjustable(&self) -> bool {
        self.offset.is_some()
    }

    /// Move an adjustable clock so that it reads `at` now, running on from there. Returns
    /// `false`, and changes nothing, on the system clock.
    pub fn set(&self, at: DateTime<Utc>) -> bool {
        let Some(offset) = &self.offset else {
            return false;
        };
        let delta = at - Utc::now();
        offset.store(delta.num_microseconds().unwrap_or(0), Ordering::SeqCst);
        true
    }

    /// Move an adjustable clock to noon (in England) on `day`.
    pub fn set_today(&self, day: NaiveDate) -> bool {
        self.set(noon_in_england(day))
    }

    /// Move an adjustable clock on (or back, when negative) by `by`.
    pub fn advance(&self, by: TimeDelta) -> bool {
        self.set(self.now_utc() + by)
    }

    /// The current instant.
    pub fn now_utc(&self) -> DateTime<Utc> {
        let system = Utc::now();
        match &self.offset {
            None => system,
            Some(offset) => system + TimeDelta::microseconds(offset.load(Ordering::SeqCst)),
        }
    }

    /// The current instant as stored: UTC, truncated to microseconds so both engines agree.
    pub fn now(&self) -> NaiveDateTime {
        self.now_utc().naive_utc().trunc_subsecs(6)
    }

    /// Today's date in England: the day every statutory clock counts from.
    pub fn today(&self) -> NaiveDate {
        date_in_england(self.now_utc())
    }
}

/// The calendar date in England at instant `at` (GMT in winter, BST in summer).
pub fn date_in_england(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&London).date_naive()
}

/// The local time in England at instant `at`, and the zone's abbreviation (`GMT` or `BST`).
pub fn time_in_england(at: DateTime<Utc>) -> (NaiveDateTime, String) {
    let local = at.with_timezone(&London);
    (local.naive_local(), local.format("%Z").to_string())
}

/// Noon in England on `day`, as a UTC instant.
pub fn noon_in_england(day: NaiveDate) -> DateTime<Utc> {
    use chrono::TimeZone;
    let noon = day.and_hms_opt(12, 0, 0).unwrap_or_default();
    London
        .from_local_datetime(&noon)
        .earliest()
        .map_or_else(|| noon.and_utc(), |t| t.with_timezone(&Utc))
}

/// The instant of a wall-clock time in England, or `None` when that time does not happen (the
/// hour skipped when the clocks go forward) or happens twice (when they go back).
pub fn instant_in_england(local: NaiveDateTime) -> Option<DateTime<Utc>> {
    use chrono::TimeZone;
    London
        .from_local_datetime(&local)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wall_clock_times_in_england_become_instants_unless_the_clocks_change_then() {
        let local = |d: &str| NaiveDateTime::parse_from_str(d, "%Y-%m-%d %H:%M").unwrap();
        // Winter is GMT, summer BST (an hour ahead of UTC).
        assert_eq!(
            instant_in_england(local("2026-12-14 10:00")),
            Some(at("2026-12-14T10:00:00Z"))
        );
        assert_eq!(
            instant_in_england(local("2027-06-15 10:00")),
            Some(at("2027-06-15T09:00:00Z"))
        );
        // 29 March 2026: 01:00 GMT becomes 02:00 BST, so 01:30 never happens.
        assert_eq!(instant_in_england(local("2026-03-29 01:30")), None);
        assert_eq!(
            instant_in_england(local("2026-03-29 02:30")),
            Some(at("2026-03-29T01:30:00Z"))
        );
        // 25 October 2026: 02:00 BST becomes 01:00 GMT, so 01:30 happens twice.
        assert_eq!(instant_in_england(local("2026-10-25 01:30")), None);
        assert_eq!(
            instant_in_england(local("2026-10-25 02:30")),
            Some(at("2026-10-25T02:30:00Z"))
        );
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn the_date_follows_england_across_both_2026_clock_changes() {
        // Summer time began at 01:00 UTC on Sunday 29 March 2026 and ended at 01:00 UTC on
        // Sunday 25 October 2026.
        let cases = [
            // Winter: England is on UTC.
            ("2026-03-28T23:59:59Z", "2026-03-28"),
            ("2026-03-29T00:30:00Z", "2026-03-29"),
            // The first summer evening: 23:30 UTC is 00:30 BST the next day.
            ("2026-03-29T22:59:59Z", "2026-03-29"),
            ("2026-03-29T23:00:00Z", "2026-03-30"),
            ("2026-07-01T23:30:00Z", "2026-07-02"),
            // The last night of summer time: 23:30 UTC on 24 October is 00:30 BST on the 25th.
            ("2026-10-24T23:30:00Z", "2026-10-25"),
            // 00:30 UTC on the 25th is 01:30 BST; 01:30 UTC is 01:30 GMT: the same day.
            ("2026-10-25T00:30:00Z", "2026-10-25"),
            ("2026-10-25T01:30:00Z", "2026-10-25"),
            // Back on GMT: 23:30 UTC is still the same day.
            ("2026-10-25T23:30:00Z", "2026-10-25"),
            ("2026-10-26T00:00:00Z", "2026-10-26"),
            ("2026-12-31T23:59:59Z", "2026-12-31"),
        ];
        for (instant, expected) in cases {
            assert_eq!(date_in_england(at(instant)), day(expected), "{instant}");
        }
    }

    #[test]
    fn local_time_names_the_zone() {
        let (t, zone) = time_in_england(at("2026-07-01T23:30:00Z"));
        assert_eq!(t.to_string(), "2026-07-02 00:30:00");
        assert_eq!(zone, "BST");
        let (t, zone) = time_in_england(at("2026-12-01T09:15:00Z"));
        assert_eq!(t.to_string(), "2026-12-01 09:15:00");
        assert_eq!(zone, "GMT");
    }

    #[test]
    fn noon_in_england_is_11_utc_in_summer_and_12_in_winter() {
        assert_eq!(
            noon_in_england(day("2026-07-02")),
            at("2026-07-02T11:00:00Z")
        );
        assert_eq!(
            noon_in_england(day("2026-12-02")),
            at("2026-12-02T12:00:00Z")
        );
    }

    #[test]
    fn an_adjustable_clock_moves_and_the_system_clock_does_not() {
        let clock = Clock::adjustable();
        assert!(clock.set(at("2026-07-01T23:30:00Z")));
        assert_eq!(clock.today(), day("2026-07-02"));
        assert_eq!(clock.now().date(), day("2026-07-01"), "now() is UTC");
        let shared = clock.clone();
        assert!(clock.set_today(day("2031-02-03")));
        assert_eq!(shared.today(), day("2031-02-03"), "clones share the clock");
        assert!(clock.advance(TimeDelta::days(-3)));
        assert_eq!(shared.today(), day("2031-01-31"));

        let system = Clock::system();
        assert!(!system.is_adjustable());
        assert!(!system.set(at("2001-01-01T00:00:00Z")));
        assert!(system.today() > day("2026-01-01"));
    }
}

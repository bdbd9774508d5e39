//! Working days under the Complaints Regulations: every day except Saturdays, Sundays and
//! England and Wales bank holidays (which include Christmas Day and Good Friday).

use std::collections::BTreeSet;
use std::ops::RangeInclusive;
use std::sync::Arc;

use chrono::{Datelike, Days, NaiveDate, Weekday};

use super::bank_holidays;

/// How many years past the last published one the projection is worked out in advance;
/// later years are worked out when asked for.
const PROJECTED_AHEAD: i32 = 40;

/// A bank holiday calendar at one version: the published days for the years it lists, and
/// the days by rule ([`bank_holidays::england_and_wales`]) for every other year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingCalendar {
    pub version: i32,
    /// Published days, and projected days for the unpublished years in `worked_out`.
    /// Shared, so a calendar is cheap to clone (the database layer keeps the last one built).
    holidays: Arc<BTreeSet<NaiveDate>>,
    published_years: Arc<BTreeSet<i32>>,
    worked_out: RangeInclusive<i32>,
}

impl WorkingCalendar {
    pub fn new(version: i32, published: impl IntoIterator<Item = NaiveDate>) -> Self {
        let mut holidays: BTreeSet<NaiveDate> = published.into_iter().collect();
        let published_years: BTreeSet<i32> = holidays.iter().map(Datelike::year).collect();
        let worked_out = match (published_years.first(), published_years.last()) {
            (Some(&first), Some(&last)) => first..=last + PROJECTED_AHEAD,
            _ => 2000..=2000 + PROJECTED_AHEAD,
        };
        for year in worked_out.clone() {
            if !published_years.contains(&year) {
                holidays.extend(
                    bank_holidays::england_and_wales(year)
                        .into_iter()
                        .map(|(d, _)| d),
                );
            }
        }
        Self {
            version,
            holidays: Arc::new(holidays),
            published_years: Arc::new(published_years),
            worked_out,
        }
    }

    /// Whether `year`'s bank holidays come from the published calendar (not the rule).
    pub fn is_published(&self, year: i32) -> bool {
        self.published_years.contains(&year)
    }

    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        if matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            return false;
        }
        if self.worked_out.contains(&day.year()) {
            !self.holidays.contains(&day)
        } else {
            !bank_holidays::england_and_wales(day.year())
                .iter()
                .any(|(d, _)| *d == day)
        }
    }

    /// The day `n` working days after `start`; `start` itself is day 0 whatever it is
    /// ("not later than 3 working days after the day of receipt").
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> NaiveDate {
        let mut day = start;
        let mut left = n;
        while left > 0 {
            day = next_day(day);
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    /// Working days in the half-open span (`from`, `to`]: 0 when `to` is not after `from`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        if to <= from {
            return 0;
        }
        let mut count = 0;
        let mut day = from;
        while day < to {
            day = next_day(day);
            if self.is_working_day(day) {
                count += 1;
            }
        }
        count
    }

    /// Signed working days from `today` to `due`: negative when `due` has passed.
    pub fn working_days_until(&self, today: NaiveDate, due: NaiveDate) -> i64 {
        if due >= today {
            self.working_days_between(today, due)
        } else {
            -self.working_days_between(due, today)
        }
    }
}

fn next_day(day: NaiveDate) -> NaiveDate {
    day.checked_add_days(Days::new(1)).unwrap_or(day)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// The shipped 2022, 2025 and 2026 holidays (domain.md §8).
    pub fn calendar() -> WorkingCalendar {
        let days = [
            "2022-01-03",
            "2022-04-15",
            "2022-04-18",
            "2022-05-02",
            "2022-06-02",
            "2022-06-03",
            "2022-08-29",
            "2022-09-19",
            "2022-12-26",
            "2022-12-27",
            "2025-01-01",
            "2025-04-18",
            "2025-04-21",
            "2025-05-05",
            "2025-05-26",
            "2025-08-25",
            "2025-12-25",
            "2025-12-26",
            "2026-01-01",
            "2026-04-03",
            "2026-04-06",
            "2026-05-04",
            "2026-05-25",
            "2026-08-31",
            "2026-12-25",
            "2026-12-28",
        ];
        WorkingCalendar::new(1, days.iter().map(|s| d(s)))
    }

    #[test]
    fn acknowledgement_examples_from_domain_1_5() {
        let cal = calendar();
        for (received, due) in [
            ("2025-12-19", "2025-12-24"),
            ("2025-12-24", "2025-12-31"),
            ("2025-12-27", "2025-12-31"),
            ("2026-04-02", "2026-04-09"),
            ("2022-09-15", "2022-09-21"),
        ] {
            assert_eq!(
                cal.add_working_days(d(received), 3),
                d(due),
                "received {received}"
            );
        }
    }

    #[test]
    fn more_bank_holiday_edges() {
        let cal = calendar();
        // Platinum Jubilee: Thu 2 and Fri 3 June 2022 are both holidays.
        assert_eq!(cal.add_working_days(d("2022-06-01"), 1), d("2022-06-06"));
        // Christmas 2026 falls on a Friday; Boxing Day's substitute is Monday 28th.
        assert_eq!(cal.add_working_days(d("2026-12-24"), 3), d("2026-12-31"));
        // A Sunday receipt: day 0 is the Sunday, Monday is working day 1.
        assert_eq!(cal.add_working_days(d("2026-11-22"), 3), d("2026-11-25"));
        assert_eq!(cal.add_working_days(d("2026-11-23"), 0), d("2026-11-23"));
    }

    #[test]
    fn years_not_published_follow_the_rule() {
        let cal = calendar();
        // 2031 is not published: Good Friday 11 April and Easter Monday 14 April 2031 by rule,
        // so three working days from Thursday 10 April run to Thursday 17 April.
        assert!(!cal.is_published(2031));
        assert!(cal.is_published(2026));
        assert_eq!(cal.add_working_days(d("2031-04-10"), 3), d("2031-04-17"));
        // Christmas 2032 is on a Saturday: Monday 27 and Tuesday 28 in lieu.
        assert_eq!(cal.add_working_days(d("2032-12-24"), 1), d("2032-12-29"));
        // Far beyond the years worked out in advance, the rule still applies.
        assert!(!cal.is_working_day(d("2150-12-25")));
        // A published year is taken as published: 2022's one-off days stand, and a day the
        // rule would give but the calendar does not (none here) would be a working day.
        assert!(!cal.is_working_day(d("2022-09-19")));
    }

    #[test]
    fn counting_between_days() {
        let cal = calendar();
        assert_eq!(
            cal.working_days_between(d("2025-12-24"), d("2025-12-31")),
            3
        );
        assert_eq!(
            cal.working_days_between(d("2025-12-31"), d("2025-12-24")),
            0
        );
        assert_eq!(cal.working_days_until(d("2025-12-31"), d("2025-12-24")), -3);
        assert_eq!(cal.working_days_until(d("2026-11-23"), d("2026-11-27")), 4);
        assert!(!cal.is_working_day(d("2026-04-03")));
        assert!(cal.is_working_day(d("2026-04-07")));
    }
}

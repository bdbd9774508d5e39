//! Working days under the Complaints Regulations: every day except Saturdays, Sundays and
//! England and Wales bank holidays (which include Christmas Day and Good Friday).

use std::collections::BTreeSet;

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// A bank holiday calendar at one version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingCalendar {
    pub version: i32,
    holidays: BTreeSet<NaiveDate>,
}

impl WorkingCalendar {
    pub fn new(version: i32, holidays: impl IntoIterator<Item = NaiveDate>) -> Self {
        Self {
            version,
            holidays: holidays.into_iter().collect(),
        }
    }

    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains(&day)
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

//! The retention schedule: a case's people and free text are kept for `years` after it ended
//! (closed, withdrawn or resolved) and anonymised once more than that has passed. NHS Records
//! Management Code of Practice 2023: complaints case files, 10 years after closure.

use chrono::{Months, NaiveDate};

/// The day a case ended: the latest of its closure, withdrawal and resolution.
pub fn ended_on(
    closed: Option<NaiveDate>,
    withdrawn: Option<NaiveDate>,
    resolved: Option<NaiveDate>,
) -> Option<NaiveDate> {
    [closed, withdrawn, resolved].into_iter().flatten().max()
}

/// The `years`th anniversary of `ended` (29 February → 28 February in a common year).
pub fn anniversary(ended: NaiveDate, years: i32) -> Option<NaiveDate> {
    let months = u32::try_from(years).ok()?.checked_mul(12)?;
    ended.checked_add_months(Months::new(months))
}

/// Whether more than `years` have passed since `ended`, on `today`.
pub fn is_due(ended: NaiveDate, years: i32, today: NaiveDate) -> bool {
    anniversary(ended, years).is_some_and(|a| a < today)
}

/// A day on or after every end that can be due on `today` (a filter for the database; each
/// case is then checked with [`is_due`]).
pub fn latest_possible_end(years: i32, today: NaiveDate) -> NaiveDate {
    u32::try_from(years)
        .ok()
        .and_then(|y| y.checked_mul(12))
        .and_then(|m| today.checked_sub_months(Months::new(m)))
        .unwrap_or(NaiveDate::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn due_only_once_more_than_the_years_have_passed() {
        let today = d("2026-12-05");
        assert!(is_due(d("2016-12-04"), 10, today));
        // Exactly ten years ago today: not yet more than ten years.
        assert!(!is_due(d("2016-12-05"), 10, today));
        assert!(!is_due(d("2016-12-06"), 10, today));
        assert!(!is_due(d("2026-01-01"), 10, today));
    }

    #[test]
    fn a_leap_day_end_has_its_anniversary_on_the_28th() {
        assert_eq!(anniversary(d("2016-02-29"), 10), Some(d("2026-02-28")));
        assert!(!is_due(d("2016-02-29"), 10, d("2026-02-28")));
        assert!(is_due(d("2016-02-29"), 10, d("2026-03-01")));
        // Ended on the 28th: more than ten years have passed on leap day.
        assert!(is_due(d("2018-02-28"), 10, d("2028-02-29")));
        assert!(is_due(d("2020-02-29"), 8, d("2028-03-01")));
        assert!(!is_due(d("2020-02-29"), 8, d("2028-02-29")));
    }

    #[test]
    fn the_database_filter_never_leaves_out_a_due_case() {
        let mut day = d("2015-01-01");
        while day < d("2017-12-31") {
            for today in [
                d("2026-02-28"),
                d("2026-03-01"),
                d("2028-02-29"),
                d("2026-12-05"),
            ] {
                if is_due(day, 10, today) {
                    assert!(day <= latest_possible_end(10, today), "{day} on {today}");
                }
            }
            day = day.succ_opt().unwrap();
        }
    }

    #[test]
    fn the_end_is_the_latest_of_closure_withdrawal_and_resolution() {
        assert_eq!(
            ended_on(Some(d("2016-01-01")), None, Some(d("2017-05-01"))),
            Some(d("2017-05-01"))
        );
        assert_eq!(ended_on(None, None, None), None);
    }
}

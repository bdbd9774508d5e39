//! England and Wales bank holidays by rule, for the years no published calendar covers: the
//! days set by the Banking and Financial Dealings Act 1971 and the standing proclamations,
//! with the substitute days gov.uk lists. One-off days (a jubilee, a coronation, a state
//! funeral, a moved May holiday) come only from a calendar an admin publishes.

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// The bank holidays of `year` by rule, by date, each with its gov.uk name.
pub fn england_and_wales(year: i32) -> Vec<(NaiveDate, &'static str)> {
    let mut days = Vec::with_capacity(8);
    let (Some(new_year), Some(easter), Some(may), Some(june), Some(september)) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        easter_sunday(year),
        NaiveDate::from_ymd_opt(year, 5, 1),
        NaiveDate::from_ymd_opt(year, 6, 1),
        NaiveDate::from_ymd_opt(year, 9, 1),
    ) else {
        return days;
    };
    match new_year.weekday() {
        Weekday::Sat | Weekday::Sun => {
            days.push((next_monday(new_year), "New Year's Day (substitute day)"))
        }
        _ => days.push((new_year, "New Year's Day")),
    }
    days.extend([
        (easter - Days::new(2), "Good Friday"),
        (easter + Days::new(1), "Easter Monday"),
        (first_monday(may), "Early May bank holiday"),
        (last_monday_before(june), "Spring bank holiday"),
        (last_monday_before(september), "Summer bank holiday"),
    ]);
    days.extend(christmas(year));
    days
}

/// Christmas Day and Boxing Day, a weekday in lieu of each that falls at a weekend.
fn christmas(year: i32) -> Vec<(NaiveDate, &'static str)> {
    let (Some(christmas), Some(boxing)) = (
        NaiveDate::from_ymd_opt(year, 12, 25),
        NaiveDate::from_ymd_opt(year, 12, 26),
    ) else {
        return Vec::new();
    };
    let plus = |d: NaiveDate, n: u64| d + Days::new(n);
    match christmas.weekday() {
        // Christmas on Saturday: Monday for Christmas, Tuesday for Boxing Day.
        Weekday::Sat => vec![
            (plus(christmas, 2), "Christmas Day (substitute day)"),
            (plus(christmas, 3), "Boxing Day (substitute day)"),
        ],
        // Christmas on Sunday: Boxing Day on Monday, Tuesday for Christmas.
        Weekday::Sun => vec![
            (boxing, "Boxing Day"),
            (plus(christmas, 2), "Christmas Day (substitute day)"),
        ],
        // Christmas on Friday: Boxing Day is on Saturday, so Monday instead.
        Weekday::Fri => vec![
            (christmas, "Christmas Day"),
            (plus(christmas, 3), "Boxing Day (substitute day)"),
        ],
        _ => vec![(christmas, "Christmas Day"), (boxing, "Boxing Day")],
    }
}

/// Easter Sunday in the Gregorian calendar (the anonymous algorithm of Meeus, Jones and
/// Butcher).
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

/// The first Monday on or after `day`.
fn first_monday(day: NaiveDate) -> NaiveDate {
    let ahead = (7 - day.weekday().num_days_from_monday()) % 7;
    day + Days::new(u64::from(ahead))
}

/// The Monday after a Saturday or Sunday.
fn next_monday(day: NaiveDate) -> NaiveDate {
    first_monday(day)
}

/// The last Monday before the first day of the next month, `next_first`.
fn last_monday_before(next_first: NaiveDate) -> NaiveDate {
    let last = next_first - Days::new(1);
    last - Days::new(u64::from(last.weekday().num_days_from_monday()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn dates(year: i32) -> Vec<String> {
        england_and_wales(year)
            .into_iter()
            .map(|(d, _)| d.to_string())
            .collect()
    }

    #[test]
    fn easter_by_the_algorithm() {
        for (year, easter) in [
            (2024, "2024-03-31"),
            (2025, "2025-04-20"),
            (2026, "2026-04-05"),
            (2031, "2031-04-13"),
            (2032, "2032-03-28"),
            (2033, "2033-04-17"),
            (2038, "2038-04-25"),
            (2285, "2285-03-22"),
        ] {
            assert_eq!(easter_sunday(year), Some(d(easter)), "{year}");
        }
    }

    #[test]
    fn years_worked_by_hand() {
        // 2031: New Year on a Wednesday, Christmas on a Thursday.
        assert_eq!(
            dates(2031),
            [
                "2031-01-01",
                "2031-04-11",
                "2031-04-14",
                "2031-05-05",
                "2031-05-26",
                "2031-08-25",
                "2031-12-25",
                "2031-12-26"
            ]
        );
        // 2032: Christmas on a Saturday, so Monday 27 and Tuesday 28 in lieu.
        assert_eq!(
            dates(2032),
            [
                "2032-01-01",
                "2032-03-26",
                "2032-03-29",
                "2032-05-03",
                "2032-05-31",
                "2032-08-30",
                "2032-12-27",
                "2032-12-28"
            ]
        );
        // 2033: New Year on a Saturday (Monday 3 January); Christmas on a Sunday (Boxing Day
        // Monday 26, Christmas in lieu Tuesday 27).
        let y2033 = dates(2033);
        assert_eq!(y2033[0], "2033-01-03");
        assert_eq!(y2033[6..], ["2033-12-26", "2033-12-27"]);
        // 2034: New Year on a Sunday, Monday 2 January in lieu.
        assert_eq!(dates(2034)[0], "2034-01-02");
        // 2037: Christmas on a Friday, Boxing Day in lieu on Monday 28.
        assert_eq!(dates(2037)[6..], ["2037-12-25", "2037-12-28"]);
    }

    #[test]
    fn the_rule_matches_the_published_years_without_one_off_days() {
        let shipped =
            include_str!("../../migrations/sqlite/2026-11-23-000002_reference_data/up.sql");
        for year in 2018..=2030 {
            if [2020, 2022, 2023].contains(&year) {
                // VE Day 2020, the Platinum Jubilee and the Queen's funeral 2022, the
                // Coronation 2023: one-off proclamations.
                continue;
            }
            let published: Vec<String> = shipped
                .match_indices(&format!("(1, '{year}-"))
                .map(|(i, _)| shipped[i + 5..i + 15].to_string())
                .collect();
            assert_eq!(published, dates(year), "{year}");
        }
    }
}

//! Reporting periods: a date range, the one before it, financial years.

use std::ops::RangeInclusive;

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{AppError, AppResult};

/// The years a report, a chart or a calendar may be asked about. Far outside them the days
/// worked out from a date (the period before, the months charted) could fall before year 1,
/// which no `YYYY-MM-DD` date can write.
pub const YEARS: RangeInclusive<i32> = 1900..=2999;

/// `day`, if it is in [`YEARS`]; else a 400 naming `field`.
pub fn reportable(field: &str, day: NaiveDate) -> AppResult<NaiveDate> {
    if YEARS.contains(&day.year()) {
        Ok(day)
    } else {
        Err(AppError::invalid(field, years_message()))
    }
}

/// What a date or year outside [`YEARS`] is told.
pub fn years_message() -> String {
    format!("must be in the years {} to {}", YEARS.start(), YEARS.end())
}

/// The whole reporting periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whole {
    Month,
    Quarter,
    FinancialYear,
}

/// An inclusive date range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// Check `from` ≤ `to`, both in [`YEARS`], and a sane length (at most ten years).
    pub fn new(from: NaiveDate, to: NaiveDate) -> AppResult<Self> {
        reportable("from", from)?;
        reportable("to", to)?;
        if to < from {
            return Err(AppError::invalid("to", "is before from"));
        }
        if (to - from).num_days() > 3660 {
            return Err(AppError::invalid(
                "to",
                "the period may be at most ten years",
            ));
        }
        Ok(Self { from, to })
    }

    pub fn days(&self) -> u64 {
        u64::try_from((self.to - self.from).num_days() + 1).unwrap_or(1)
    }

    /// Whether this is a whole reporting period: a calendar month, a quarter of the financial
    /// year (from April, July, October or January) or a financial year.
    pub fn whole(&self) -> Option<Whole> {
        if self.from.day() != 1 {
            return None;
        }
        let months = [
            (1, Whole::Month),
            (3, Whole::Quarter),
            (12, Whole::FinancialYear),
        ];
        months.into_iter().find_map(|(n, kind)| {
            let end = self.from.checked_add_months(Months::new(n))?.pred_opt()?;
            let aligned = match kind {
                Whole::Month => true,
                Whole::Quarter => matches!(self.from.month(), 1 | 4 | 7 | 10),
                Whole::FinancialYear => self.from.month() == 4,
            };
            (end == self.to && aligned).then_some(kind)
        })
    }

    /// The period before this one: the previous month, quarter or financial year for a whole
    /// period, otherwise the period of the same length ending the day before this one starts.
    pub fn previous(&self) -> Self {
        if let Some(kind) = self.whole() {
            let n = match kind {
                Whole::Month => 1,
                Whole::Quarter => 3,
                Whole::FinancialYear => 12,
            };
            if let (Some(from), Some(to)) = (
                self.from.checked_sub_months(Months::new(n)),
                self.from.pred_opt(),
            ) {
                return Self { from, to };
            }
        }
        let to = self.from.pred_opt().unwrap_or(self.from);
        let from = to
            .checked_sub_days(Days::new(self.days() - 1))
            .unwrap_or(to);
        Self { from, to }
    }

    /// The NHS financial year starting 1 April `year` (2025 → 2025-04-01 to 2026-03-31).
    pub fn financial_year(year: i32) -> AppResult<Self> {
        if !(2000..=2100).contains(&year) {
            return Err(AppError::invalid(
                "year",
                "must be a year between 2000 and 2100",
            ));
        }
        let from = NaiveDate::from_ymd_opt(year, 4, 1);
        let to = NaiveDate::from_ymd_opt(year + 1, 3, 31);
        match (from, to) {
            (Some(from), Some(to)) => Ok(Self { from, to }),
            _ => Err(AppError::invalid("year", "is not a valid year")),
        }
    }

    /// `2025-26` for the financial year starting in 2025.
    pub fn financial_year_label(year: i32) -> String {
        format!("{year}-{:02}", (year + 1) % 100)
    }
}

/// The first day of the month of `day`.
pub fn month_start(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn previous_periods_are_the_previous_whole_period_or_the_same_length() {
        // A quarter: the quarter before.
        let p = Period::new(d("2026-04-01"), d("2026-06-30")).unwrap();
        assert_eq!(p.whole(), Some(Whole::Quarter));
        assert_eq!(
            p.previous(),
            Period {
                from: d("2026-01-01"),
                to: d("2026-03-31")
            }
        );
        // March: February, though shorter.
        let march = Period::new(d("2026-03-01"), d("2026-03-31")).unwrap();
        assert_eq!(march.whole(), Some(Whole::Month));
        assert_eq!(
            (march.previous().from, march.previous().to),
            (d("2026-02-01"), d("2026-02-28"))
        );
        // A calendar year is not a reporting period: the same length before it.
        let year = Period::new(d("2025-01-01"), d("2025-12-31")).unwrap();
        assert_eq!(year.whole(), None);
        assert_eq!(year.previous().days(), year.days());
        // Three months not starting a quarter are not whole either.
        assert_eq!(
            Period::new(d("2026-02-01"), d("2026-04-30"))
                .unwrap()
                .whole(),
            None
        );
        assert_eq!(
            Period::financial_year(2025).unwrap().whole(),
            Some(Whole::FinancialYear)
        );
        assert!(Period::new(d("2026-02-01"), d("2026-01-01")).is_err());
    }

    #[test]
    fn financial_years_run_april_to_march() {
        let fy = Period::financial_year(2025).unwrap();
        assert_eq!((fy.from, fy.to), (d("2025-04-01"), d("2026-03-31")));
        assert_eq!(Period::financial_year_label(2025), "2025-26");
        assert_eq!(Period::financial_year_label(2099), "2099-00");
    }
}

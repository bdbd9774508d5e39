//! Reporting periods: a date range, the one before it, financial years.

use chrono::{Datelike, Days, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{AppError, AppResult};

/// An inclusive date range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// Check `from` ≤ `to` and a sane length (at most ten years).
    pub fn new(from: NaiveDate, to: NaiveDate) -> AppResult<Self> {
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

    /// The period of the same length ending the day before this one starts.
    pub fn previous(&self) -> Self {
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
    fn previous_periods_have_the_same_length() {
        let p = Period::new(d("2026-04-01"), d("2026-06-30")).unwrap();
        assert_eq!(
            p.previous(),
            Period {
                from: d("2025-12-31"),
                to: d("2026-03-31")
            }
        );
        assert_eq!(p.previous().days(), p.days());
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

//! Handling-feedback arithmetic: the five-point agreement scale, the overall satisfaction
//! scale, when the automatic invitation is due, and the tallies behind the summary.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::calendar::WorkingCalendar;

/// The agreement scale, lowest first; a "does not apply" answer has no score.
pub const AGREEMENT: [(i32, &str); 5] = [
    (1, "Strongly disagree"),
    (2, "Disagree"),
    (3, "Neither agree nor disagree"),
    (4, "Agree"),
    (5, "Strongly agree"),
];

/// The overall satisfaction scale, lowest first.
pub const SATISFACTION: [(i32, &str); 5] = [
    (1, "Very dissatisfied"),
    (2, "Dissatisfied"),
    (3, "Neither satisfied nor dissatisfied"),
    (4, "Satisfied"),
    (5, "Very satisfied"),
];

/// Whether `score` is on the five-point scales.
pub fn valid_score(score: i32) -> bool {
    (1..=5).contains(&score)
}

/// The day the automatic invitation is due: `after` working days after the response.
pub fn invitation_due_on(cal: &WorkingCalendar, responded_on: NaiveDate, after: u32) -> NaiveDate {
    cal.add_working_days(responded_on, after)
}

/// Answers to one statement (or a stage, or overall satisfaction), counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Scored answers (1–5).
    pub scored: i64,
    /// "Does not apply".
    pub not_applicable: i64,
    pub sum: i64,
    /// Scores of 4 or 5.
    pub high: i64,
    /// Scores of 1 or 2.
    pub low: i64,
}

impl Tally {
    /// Count one answer; `None` is "does not apply"; a score off the scale is ignored.
    pub fn add(&mut self, score: Option<i32>) {
        match score {
            None => self.not_applicable += 1,
            Some(s) if valid_score(s) => {
                self.scored += 1;
                self.sum += i64::from(s);
                if s >= 4 {
                    self.high += 1;
                } else if s <= 2 {
                    self.low += 1;
                }
            }
            Some(_) => {}
        }
    }

    /// Agreement figures, rounded to one decimal place (percentages of scored answers).
    pub fn figures(&self) -> Figures {
        Figures {
            count: Some(self.scored),
            not_applicable: Some(self.not_applicable),
            mean: ratio(self.sum, self.scored, 1.0),
            percent_agree: ratio(self.high, self.scored, 100.0),
            percent_disagree: ratio(self.low, self.scored, 100.0),
        }
    }

    /// Satisfaction figures (the overall rating), rounded to one decimal place.
    pub fn satisfaction(&self) -> Satisfaction {
        Satisfaction {
            count: Some(self.scored),
            mean: ratio(self.sum, self.scored, 1.0),
            percent_satisfied: ratio(self.high, self.scored, 100.0),
            percent_dissatisfied: ratio(self.low, self.scored, 100.0),
        }
    }
}

/// `part / whole × scale`, to one decimal place; `None` when there is nothing to divide by.
pub fn ratio(part: i64, whole: i64, scale: f64) -> Option<f64> {
    if whole <= 0 {
        return None;
    }
    // Counts stay far below 2^52, so the conversions are exact.
    let v = part as f64 / whole as f64 * scale;
    Some((v * 10.0).round() / 10.0)
}

/// Agreement figures for a set of answers (a statement or a stage). (Named `AgreementFigures`
/// in the OpenAPI document: `Figures` there is one period of the board report.)
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
#[schema(as = AgreementFigures)]
pub struct Figures {
    /// Answers with a score (1–5); `null` when suppressed for the board role (1 to 4).
    pub count: Option<i64>,
    /// Answers of "does not apply" (not in the mean or percentages); `null` when suppressed.
    pub not_applicable: Option<i64>,
    /// Mean score, 1 (strongly disagree) to 5 (strongly agree), to one decimal place; `null`
    /// with no scored answers.
    pub mean: Option<f64>,
    /// Per cent of scored answers that agree or strongly agree (4–5).
    pub percent_agree: Option<f64>,
    /// Per cent of scored answers that disagree or strongly disagree (1–2).
    pub percent_disagree: Option<f64>,
}

/// Overall satisfaction figures.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct Satisfaction {
    /// Responses that rated it; `null` when suppressed for the board role (1 to 4).
    pub count: Option<i64>,
    /// Mean rating, 1 (very dissatisfied) to 5 (very satisfied), to one decimal place.
    pub mean: Option<f64>,
    /// Per cent satisfied or very satisfied (4–5).
    pub percent_satisfied: Option<f64>,
    /// Per cent dissatisfied or very dissatisfied (1–2).
    pub percent_dissatisfied: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tallies_count_agreement_and_skip_not_applicable() {
        let mut t = Tally::default();
        for s in [Some(5), Some(4), Some(3), Some(1), None, Some(9)] {
            t.add(s);
        }
        let f = t.figures();
        assert_eq!(f.count, Some(4));
        assert_eq!(f.not_applicable, Some(1));
        assert_eq!(f.mean, Some(3.3)); // 13 / 4 = 3.25 → 3.3
        assert_eq!(f.percent_agree, Some(50.0));
        assert_eq!(f.percent_disagree, Some(25.0));
        assert_eq!(t.satisfaction().percent_satisfied, Some(50.0));
        assert_eq!(t.satisfaction().count, Some(4));
        assert_eq!(Tally::default().figures().mean, None);
        assert_eq!(ratio(1, 3, 100.0), Some(33.3));
        assert_eq!(ratio(2, 3, 100.0), Some(66.7));
    }

    #[test]
    fn the_invitation_is_due_after_working_days() {
        let cal = WorkingCalendar::new(
            1,
            ["2026-12-25".parse().unwrap(), "2026-12-28".parse().unwrap()],
        );
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        // Wednesday 23 Dec + 2 working days: Thursday 24th, then past Christmas, the weekend
        // and the Boxing Day substitute to Tuesday 29th.
        assert_eq!(invitation_due_on(&cal, d("2026-12-23"), 2), d("2026-12-29"));
        assert_eq!(invitation_due_on(&cal, d("2026-12-18"), 3), d("2026-12-23"));
    }
}

//! The statutory clock: deadlines from receipt, the 12-month limit, the six-month letter,
//! pauses, and the overdue flags derived on every read. `today` is always a parameter.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::calendar::WorkingCalendar;
use super::case::{CaseKind, CaseStatus};
use super::risk::RiskGrade;

/// Working days to acknowledge a complaint (reg 13).
pub const ACKNOWLEDGEMENT_WORKING_DAYS: u32 = 3;
/// The time limit for making a complaint, in months (reg 12).
pub const TIME_LIMIT_MONTHS: u32 = 12;

/// How "six months beginning on the day received" is counted (domain.md §1.6, ⚠️ configurable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SixMonthRule {
    /// The period includes the day of receipt: received 10 Jan → letter due by 9 Jul.
    BeginningOn,
    /// The period starts the day after receipt: received 10 Jan → letter due by 10 Jul.
    After,
}

/// Local targets (domain.md §7.2: local policy, not statute).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClockRules {
    pub response_working_days_low: u32,
    pub response_working_days_moderate: u32,
    pub response_working_days_high: u32,
    pub response_working_days_extreme: u32,
    pub pals_resolution_working_days: u32,
    pub six_month_rule: SixMonthRule,
}

impl Default for ClockRules {
    fn default() -> Self {
        Self {
            response_working_days_low: 25,
            response_working_days_moderate: 40,
            response_working_days_high: 60,
            response_working_days_extreme: 60,
            pals_resolution_working_days: 10,
            six_month_rule: SixMonthRule::BeginningOn,
        }
    }
}

impl ClockRules {
    pub fn response_working_days(&self, grade: RiskGrade) -> u32 {
        match grade {
            RiskGrade::Low => self.response_working_days_low,
            RiskGrade::Moderate => self.response_working_days_moderate,
            RiskGrade::High => self.response_working_days_high,
            RiskGrade::Extreme => self.response_working_days_extreme,
        }
    }
}

pub fn acknowledgement_due(cal: &WorkingCalendar, received_on: NaiveDate) -> NaiveDate {
    cal.add_working_days(received_on, ACKNOWLEDGEMENT_WORKING_DAYS)
}

/// The response date when none is agreed: the grade's target in working days from receipt.
pub fn default_response_due(
    cal: &WorkingCalendar,
    rules: &ClockRules,
    received_on: NaiveDate,
    grade: RiskGrade,
) -> NaiveDate {
    cal.add_working_days(received_on, rules.response_working_days(grade))
}

pub fn pals_due(cal: &WorkingCalendar, rules: &ClockRules, received_on: NaiveDate) -> NaiveDate {
    cal.add_working_days(received_on, rules.pals_resolution_working_days)
}

/// What a case is, as far as the dates that follow from receiving it are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Receipt {
    pub kind: CaseKind,
    pub received_on: NaiveDate,
    pub incident_on: Option<NaiveDate>,
    pub became_aware_on: Option<NaiveDate>,
    /// The risk grade, when graded: it sets the default response period.
    pub risk_grade: Option<RiskGrade>,
}

/// The dates that follow from receipt: one rule for intake, edits, escalation and the demo
/// seeder. Complaints get the reg 13 acknowledgement, the reg 12 limit, the six-month letter
/// and a default response date; PALS concerns get the local resolution target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceiptDeadlines {
    /// Made more than 12 months after the later of the incident and awareness (reg 12).
    pub out_of_time: bool,
    pub acknowledgement_due_on: Option<NaiveDate>,
    pub six_month_letter_due_on: Option<NaiveDate>,
    pub pals_due_on: Option<NaiveDate>,
    /// The response date when none is agreed: the grade's target (moderate when ungraded).
    pub default_response_due_on: Option<NaiveDate>,
}

/// The dates that follow from receiving `r`.
pub fn receipt_deadlines(
    cal: &WorkingCalendar,
    rules: &ClockRules,
    r: Receipt,
) -> ReceiptDeadlines {
    match r.kind {
        CaseKind::Complaint => ReceiptDeadlines {
            out_of_time: is_out_of_time(r.received_on, r.incident_on, r.became_aware_on),
            acknowledgement_due_on: Some(acknowledgement_due(cal, r.received_on)),
            six_month_letter_due_on: Some(six_month_letter_due(
                r.received_on,
                rules.six_month_rule,
            )),
            pals_due_on: None,
            default_response_due_on: Some(default_response_due(
                cal,
                rules,
                r.received_on,
                r.risk_grade.unwrap_or(RiskGrade::Moderate),
            )),
        },
        CaseKind::PalsConcern => ReceiptDeadlines {
            out_of_time: false,
            acknowledgement_due_on: None,
            six_month_letter_due_on: None,
            pals_due_on: Some(pals_due(cal, rules, r.received_on)),
            default_response_due_on: None,
        },
    }
}

/// The last day of the six-month period, after which the delay letter is owed.
pub fn six_month_letter_due(received_on: NaiveDate, rule: SixMonthRule) -> NaiveDate {
    match rule {
        SixMonthRule::After => months_after(received_on, 6),
        SixMonthRule::BeginningOn => months_beginning_with(received_on, 6),
    }
    .unwrap_or(received_on)
}

/// The last day of a period of `months` calendar months *beginning with* `start`, by the
/// corresponding-date rule (*Dodds v Walker* [1981] 1 WLR 1027): the day before the
/// corresponding date `months` on; where that month has no corresponding date, its last day
/// (31 Aug 2025 → 28 Feb 2026; 30 Aug 2023 → 29 Feb 2024; 31 Dec → 30 Jun).
pub fn months_beginning_with(start: NaiveDate, months: u32) -> Option<NaiveDate> {
    let month = start.with_day(1)?.checked_add_months(Months::new(months))?;
    match month.with_day(start.day()) {
        Some(corresponding) => corresponding.pred_opt(),
        None => month
            .checked_add_months(Months::new(1))
            .and_then(|next| next.pred_opt()),
    }
}

/// The last day of a period of `months` calendar months *after* `start`: the corresponding
/// date `months` on, or that month's last day where it has none (29 Feb 2024 + 12 → 28 Feb 2025).
pub fn months_after(start: NaiveDate, months: u32) -> Option<NaiveDate> {
    start.checked_add_months(Months::new(months))
}

/// A longer period agreed with the complainant before the six months ran out moves the letter.
pub fn six_month_after_extension(
    current_due: NaiveDate,
    agreed_on: NaiveDate,
    new_response_due: NaiveDate,
) -> NaiveDate {
    if agreed_on <= current_due && new_response_due > current_due {
        new_response_due
    } else {
        current_due
    }
}

/// Reg 12: received more than 12 months after the later of the incident and awareness.
/// Without either date nothing can be said (see `TimeLimitStatus::NotAssessed`).
pub fn is_out_of_time(
    received_on: NaiveDate,
    incident_on: Option<NaiveDate>,
    became_aware_on: Option<NaiveDate>,
) -> bool {
    time_limit_ends(incident_on, became_aware_on).is_some_and(|limit| received_on > limit)
}

/// The last day a complaint is in time: 12 months after the later of the incident and the
/// day it came to the complainant's notice (reg 12(2)); `None` without either date.
pub fn time_limit_ends(
    incident_on: Option<NaiveDate>,
    became_aware_on: Option<NaiveDate>,
) -> Option<NaiveDate> {
    let anchor = match (incident_on, became_aware_on) {
        (Some(a), Some(b)) => a.max(b),
        (Some(a), None) | (None, Some(a)) => a,
        (None, None) => return None,
    };
    months_after(anchor, TIME_LIMIT_MONTHS)
}

/// The clock facts of one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClockInput {
    pub kind: CaseKind,
    pub status: CaseStatus,
    pub received_on: NaiveDate,
    pub acknowledgement_due_on: Option<NaiveDate>,
    /// The response date, moved on by every pause that has ended.
    pub response_due_on: Option<NaiveDate>,
    pub six_month_letter_due_on: Option<NaiveDate>,
    pub six_month_letter_sent_on: Option<NaiveDate>,
    pub pals_due_on: Option<NaiveDate>,
    /// When the case stopped needing work (responded, closed, withdrawn, resolved, escalated).
    pub finished_on: Option<NaiveDate>,
    /// The first response, kept when a complaint is reopened.
    pub first_responded_on: Option<NaiveDate>,
    pub paused_on: Option<NaiveDate>,
    /// Working days in pauses already ended (already added to `response_due_on`).
    pub paused_working_days: i32,
}

/// Which deadlines have been missed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Overdue {
    pub acknowledgement: bool,
    pub response: bool,
    pub six_month_letter: bool,
    pub pals_resolution: bool,
}

impl Overdue {
    pub fn any(&self) -> bool {
        self.acknowledgement || self.response || self.six_month_letter || self.pals_resolution
    }
}

/// What the clock says about a case today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClockView {
    pub overdue: Overdue,
    /// The response date, moved on by the current pause too.
    pub effective_response_due_on: Option<NaiveDate>,
    /// Working days paused so far, the current pause included.
    pub paused_working_days: i64,
    pub working_days_open: i64,
    pub next_due_on: Option<NaiveDate>,
    /// Negative when the next date has passed.
    pub working_days_to_due: Option<i64>,
}

pub fn view(cal: &WorkingCalendar, c: &ClockInput, today: NaiveDate) -> ClockView {
    use CaseStatus as S;
    let ongoing = c
        .paused_on
        .map_or(0, |from| cal.working_days_between(from, today));
    let paused = i64::from(c.paused_working_days) + ongoing;
    let effective_response = c
        .response_due_on
        .map(|due| cal.add_working_days(due, u32::try_from(ongoing).unwrap_or(0)));
    let awaiting_response = matches!(c.status, S::Acknowledged | S::Investigating);
    let is_complaint = c.kind == CaseKind::Complaint;
    // Reg 14(4): owed only while the complaint is being answered (a case still waiting for its
    // acknowledgement is overdue for that, and cannot send the letter) and only if the
    // response did not go within the period: a complaint answered in time and reopened later
    // owes none.
    let answered_in_time = c
        .first_responded_on
        .is_some_and(|r| c.six_month_letter_due_on.is_none_or(|d| r <= d));
    let letter_owed = is_complaint
        && matches!(c.status, S::Acknowledged | S::Investigating)
        && c.six_month_letter_sent_on.is_none()
        && !answered_in_time;
    let past = |due: Option<NaiveDate>| due.is_some_and(|d| today > d);
    let overdue = Overdue {
        acknowledgement: is_complaint && c.status == S::Received && past(c.acknowledgement_due_on),
        response: is_complaint && awaiting_response && past(effective_response),
        six_month_letter: letter_owed && past(c.six_month_letter_due_on),
        pals_resolution: c.kind == CaseKind::PalsConcern
            && c.status == S::Open
            && past(c.pals_due_on),
    };
    let next_due_on = match (c.kind, c.status) {
        (CaseKind::Complaint, S::Received) => c.acknowledgement_due_on,
        (CaseKind::Complaint, S::Acknowledged | S::Investigating) => {
            let letter = c.six_month_letter_due_on.filter(|_| letter_owed);
            // A paused response clock has no date yet; the six-month letter still does.
            let response = effective_response.filter(|_| c.paused_on.is_none());
            [response, letter].into_iter().flatten().min()
        }
        (CaseKind::PalsConcern, S::Open) => c.pals_due_on,
        _ => None,
    };
    let end = c.finished_on.unwrap_or(today).min(today);
    ClockView {
        overdue,
        effective_response_due_on: effective_response,
        paused_working_days: paused,
        working_days_open: cal.working_days_between(c.received_on, end),
        next_due_on,
        working_days_to_due: next_due_on.map(|due| cal.working_days_until(today, due)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::tests::{calendar, d};

    fn input(status: CaseStatus) -> ClockInput {
        let cal = calendar();
        let received = d("2026-03-02");
        ClockInput {
            kind: CaseKind::Complaint,
            status,
            received_on: received,
            acknowledgement_due_on: Some(acknowledgement_due(&cal, received)),
            response_due_on: Some(d("2026-04-14")),
            six_month_letter_due_on: Some(six_month_letter_due(
                received,
                SixMonthRule::BeginningOn,
            )),
            six_month_letter_sent_on: None,
            pals_due_on: None,
            finished_on: None,
            first_responded_on: None,
            paused_on: None,
            paused_working_days: 0,
        }
    }

    fn receipt(kind: CaseKind, received: &str, grade: Option<RiskGrade>) -> Receipt {
        Receipt {
            kind,
            received_on: d(received),
            incident_on: Some(d("2025-07-01")),
            became_aware_on: None,
            risk_grade: grade,
        }
    }

    #[test]
    fn a_complaint_received_on_thursday_2_july_2026() {
        // Worked by hand: 3 working days from Thu 2 July are Fri 3, Mon 6, Tue 7 July. Six
        // months beginning on 2 July end on 1 January 2027. The moderate target of 40 working
        // days ends on Thu 27 August (July has 21 working days after the 2nd, August's first
        // four weeks 20 more); low (25) on Thu 6 August; high (60) skips the summer bank
        // holiday of Mon 31 August and ends on Fri 25 September. The incident of 1 July 2025
        // was twelve months before 1 July 2026, so the complaint is a day out of time.
        let cal = calendar();
        let rules = ClockRules::default();
        let at = |grade| {
            receipt_deadlines(
                &cal,
                &rules,
                receipt(CaseKind::Complaint, "2026-07-02", grade),
            )
        };
        let moderate = at(None);
        assert_eq!(
            moderate,
            ReceiptDeadlines {
                out_of_time: true,
                acknowledgement_due_on: Some(d("2026-07-07")),
                six_month_letter_due_on: Some(d("2027-01-01")),
                pals_due_on: None,
                default_response_due_on: Some(d("2026-08-27")),
            }
        );
        assert_eq!(at(Some(RiskGrade::Moderate)), moderate);
        assert_eq!(
            at(Some(RiskGrade::Low)).default_response_due_on,
            Some(d("2026-08-06"))
        );
        assert_eq!(
            at(Some(RiskGrade::High)).default_response_due_on,
            Some(d("2026-09-25"))
        );
        let in_time = receipt_deadlines(
            &cal,
            &rules,
            receipt(CaseKind::Complaint, "2026-07-01", None),
        );
        assert!(
            !in_time.out_of_time,
            "received on the anniversary is in time"
        );
    }

    #[test]
    fn a_pals_concern_has_only_its_resolution_target() {
        // 10 working days from Thu 2 July 2026: Fri 3, Mon 6 … Fri 10, Mon 13 … Thu 16 July.
        let cal = calendar();
        let r = receipt(CaseKind::PalsConcern, "2026-07-02", Some(RiskGrade::High));
        assert_eq!(
            receipt_deadlines(&cal, &ClockRules::default(), r),
            ReceiptDeadlines {
                out_of_time: false,
                acknowledgement_due_on: None,
                six_month_letter_due_on: None,
                pals_due_on: Some(d("2026-07-16")),
                default_response_due_on: None,
            }
        );
    }

    #[test]
    fn twelve_month_limit_uses_the_later_date() {
        assert!(!is_out_of_time(
            d("2026-01-10"),
            Some(d("2025-01-10")),
            None
        ));
        assert!(is_out_of_time(d("2026-01-11"), Some(d("2025-01-10")), None));
        assert!(!is_out_of_time(
            d("2026-06-01"),
            Some(d("2024-01-01")),
            Some(d("2025-07-01"))
        ));
        assert!(!is_out_of_time(d("2030-01-01"), None, None));
    }

    #[test]
    fn six_month_letter_conventions() {
        assert_eq!(
            six_month_letter_due(d("2026-01-10"), SixMonthRule::BeginningOn),
            d("2026-07-09")
        );
        assert_eq!(
            six_month_letter_due(d("2026-01-10"), SixMonthRule::After),
            d("2026-07-10")
        );
        // Month ends clamp: 31 August + 6 months is the end of February.
        assert_eq!(
            six_month_letter_due(d("2025-08-31"), SixMonthRule::After),
            d("2026-02-28")
        );
        // Beginning with the day received, at month ends (worked by hand from the rule):
        // no 31st/30th/29th in the sixth month on, so the period ends on that month's last day.
        for (received, due) in [
            ("2025-08-29", "2026-02-28"),
            ("2025-08-30", "2026-02-28"),
            ("2025-08-31", "2026-02-28"),
            ("2023-08-29", "2024-02-28"),
            ("2023-08-30", "2024-02-29"),
            ("2023-08-31", "2024-02-29"),
            ("2025-10-31", "2026-04-30"),
            ("2025-12-31", "2026-06-30"),
            ("2026-03-31", "2026-09-30"),
            ("2026-05-31", "2026-11-30"),
            ("2026-03-01", "2026-08-31"),
            ("2026-03-30", "2026-09-29"),
            ("2025-09-01", "2026-02-28"),
            ("2023-09-01", "2024-02-29"),
            ("2026-12-01", "2027-05-31"),
            ("2026-07-31", "2027-01-30"),
        ] {
            assert_eq!(
                six_month_letter_due(d(received), SixMonthRule::BeginningOn),
                d(due),
                "received {received}"
            );
        }
        // Twelve months after 29 February: no 29th next February, so its last day.
        assert_eq!(months_after(d("2024-02-29"), 12), Some(d("2025-02-28")));
        // Agreed before expiry: the letter moves; agreed after: it does not.
        assert_eq!(
            six_month_after_extension(d("2026-07-09"), d("2026-06-01"), d("2026-08-01")),
            d("2026-08-01")
        );
        assert_eq!(
            six_month_after_extension(d("2026-07-09"), d("2026-07-20"), d("2026-08-01")),
            d("2026-07-09")
        );
    }

    #[test]
    fn acknowledgement_goes_overdue_the_day_after_it_is_due() {
        let cal = calendar();
        let c = input(CaseStatus::Received);
        assert_eq!(c.acknowledgement_due_on, Some(d("2026-03-05")));
        assert!(!view(&cal, &c, d("2026-03-05")).overdue.acknowledgement);
        let v = view(&cal, &c, d("2026-03-06"));
        assert!(v.overdue.acknowledgement);
        assert_eq!(v.working_days_to_due, Some(-1));
        assert_eq!(v.working_days_open, 4);
    }

    #[test]
    fn pauses_push_the_response_date() {
        let cal = calendar();
        let mut c = input(CaseStatus::Investigating);
        assert!(view(&cal, &c, d("2026-04-15")).overdue.response);
        // An open pause moves the date: paused on Mon 13 April, today Wed 15 → 2 days.
        c.paused_on = Some(d("2026-04-13"));
        let v = view(&cal, &c, d("2026-04-15"));
        assert_eq!(v.paused_working_days, 2);
        assert_eq!(v.effective_response_due_on, Some(d("2026-04-16")));
        assert_eq!(
            v.next_due_on, c.six_month_letter_due_on,
            "the paused response is not next due"
        );
    }

    #[test]
    fn the_six_month_letter_is_owed_only_while_being_answered_late() {
        let cal = calendar();
        // Received 2 March 2026: six months end on 1 September.
        // Never acknowledged: the acknowledgement is what is overdue.
        let c = input(CaseStatus::Received);
        let v = view(&cal, &c, d("2026-09-02"));
        assert!(v.overdue.acknowledgement);
        assert!(!v.overdue.six_month_letter);
        // Answered on 10 April, reopened in August: no letter is owed for the new cycle.
        let mut c = input(CaseStatus::Investigating);
        c.first_responded_on = Some(d("2026-04-10"));
        c.response_due_on = Some(d("2026-10-01"));
        let v = view(&cal, &c, d("2026-09-02"));
        assert!(!v.overdue.six_month_letter);
        assert_eq!(v.next_due_on, Some(d("2026-10-01")));
        // First answered late, on 2 September, then reopened: the letter was owed.
        c.first_responded_on = Some(d("2026-09-02"));
        assert!(view(&cal, &c, d("2026-09-03")).overdue.six_month_letter);
    }

    #[test]
    fn the_six_month_letter_flag_clears_when_sent_or_responded() {
        let cal = calendar();
        let mut c = input(CaseStatus::Investigating);
        assert!(view(&cal, &c, d("2026-09-02")).overdue.six_month_letter);
        c.six_month_letter_sent_on = Some(d("2026-09-01"));
        assert!(!view(&cal, &c, d("2026-09-02")).overdue.six_month_letter);
        let mut c = input(CaseStatus::Responded);
        c.finished_on = Some(d("2026-04-10"));
        let v = view(&cal, &c, d("2026-09-02"));
        assert!(!v.overdue.any());
        assert_eq!(v.next_due_on, None);
        assert_eq!(
            v.working_days_open,
            cal.working_days_between(d("2026-03-02"), d("2026-04-10"))
        );
    }
}

//! The service change state machine ("you said, we did"): which steps are allowed from each
//! status, when a change counts as overdue, when it may be verified as sustained, what its
//! status was on a given day, and what a public summary may not contain.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::case::string_enum;

/// Where a change is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeStatus {
    Planned,
    InProgress,
    Implemented,
    /// Verified, with evidence, to have stuck.
    Sustained,
    Abandoned,
}
string_enum!(ChangeStatus {
    Planned => "planned",
    InProgress => "in_progress",
    Implemented => "implemented",
    Sustained => "sustained",
    Abandoned => "abandoned",
});

impl ChangeStatus {
    /// Still being worked on: the statuses a change can be overdue in.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Planned | Self::InProgress)
    }

    /// Shown to the public on the 'you said, we did' page.
    pub fn is_public(self) -> bool {
        matches!(self, Self::Implemented | Self::Sustained)
    }
}

/// Every `POST /service-changes/{id}/{action}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeAction {
    Start,
    Implement,
    Sustain,
    Abandon,
}
string_enum!(ChangeAction {
    Start => "start",
    Implement => "implement",
    Sustain => "sustain",
    Abandon => "abandon",
});

/// The steps allowed from `status`.
pub fn allowed_actions(status: ChangeStatus) -> Vec<ChangeAction> {
    use ChangeAction::*;
    match status {
        ChangeStatus::Planned => vec![Start, Abandon],
        ChangeStatus::InProgress => vec![Implement, Abandon],
        ChangeStatus::Implemented => vec![Sustain, Abandon],
        ChangeStatus::Sustained | ChangeStatus::Abandoned => vec![],
    }
}

/// The status after `action` (only meaningful when the action is allowed).
pub fn next_status(action: ChangeAction) -> ChangeStatus {
    match action {
        ChangeAction::Start => ChangeStatus::InProgress,
        ChangeAction::Implement => ChangeStatus::Implemented,
        ChangeAction::Sustain => ChangeStatus::Sustained,
        ChangeAction::Abandon => ChangeStatus::Abandoned,
    }
}

/// Overdue: still planned or in progress after its due date.
pub fn is_overdue(status: ChangeStatus, due_on: NaiveDate, today: NaiveDate) -> bool {
    status.is_open() && due_on < today
}

/// The first day a change implemented on `implemented_on` may be verified as sustained, after a
/// review period of `review_months` (`None` only for dates at the end of time).
pub fn earliest_sustain(implemented_on: NaiveDate, review_months: u32) -> Option<NaiveDate> {
    implemented_on.checked_add_months(Months::new(review_months))
}

/// The days a change reached each status (UTC dates), from which its status on any day follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Milestones {
    pub created_on: Option<NaiveDate>,
    pub started_on: Option<NaiveDate>,
    pub implemented_on: Option<NaiveDate>,
    pub verified_on: Option<NaiveDate>,
    pub abandoned_on: Option<NaiveDate>,
}

/// The change's status at the end of `day`, or `None` if it did not exist yet.
pub fn status_on(m: &Milestones, day: NaiveDate) -> Option<ChangeStatus> {
    let by = |d: Option<NaiveDate>| d.is_some_and(|d| d <= day);
    if !by(m.created_on) {
        return None;
    }
    Some(if by(m.abandoned_on) {
        ChangeStatus::Abandoned
    } else if by(m.verified_on) {
        ChangeStatus::Sustained
    } else if by(m.implemented_on) {
        ChangeStatus::Implemented
    } else if by(m.started_on) {
        ChangeStatus::InProgress
    } else {
        ChangeStatus::Planned
    })
}

/// Why a public summary may not be published as written, if it may not: it must be plain words
/// about the service, so no case reference, email address, NHS number or phone number.
pub fn public_summary_problem(text: &str) -> Option<&'static str> {
    let chars: Vec<char> = text.chars().collect();
    if chars.contains(&'@') {
        return Some("must not contain an email address");
    }
    if has_case_reference(&chars) {
        return Some("must not contain a case reference");
    }
    // Ten or more digits in a row (spaces allowed between them) look like an NHS or phone number.
    let mut digits = 0;
    for c in &chars {
        if c.is_ascii_digit() {
            digits += 1;
            if digits >= 10 {
                return Some("must not contain an NHS number or phone number");
            }
        } else if *c != ' ' {
            digits = 0;
        }
    }
    None
}

/// `C-2026-00042` or `P-2026-00042` anywhere in the text.
fn has_case_reference(chars: &[char]) -> bool {
    chars.windows(12).any(|w| {
        matches!(w[0], 'C' | 'P' | 'c' | 'p')
            && w[1] == '-'
            && w[2..6].iter().all(char::is_ascii_digit)
            && w[6] == '-'
            && w[7..12].iter().all(char::is_ascii_digit)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_state_machine_goes_forward_only() {
        use ChangeAction::*;
        assert_eq!(allowed_actions(ChangeStatus::Planned), vec![Start, Abandon]);
        assert_eq!(
            allowed_actions(ChangeStatus::InProgress),
            vec![Implement, Abandon]
        );
        assert_eq!(
            allowed_actions(ChangeStatus::Implemented),
            vec![Sustain, Abandon]
        );
        assert!(allowed_actions(ChangeStatus::Sustained).is_empty());
        assert!(allowed_actions(ChangeStatus::Abandoned).is_empty());
        for a in ChangeAction::ALL {
            assert_eq!(a.as_str().parse::<ChangeAction>().unwrap(), *a);
        }
        assert_eq!(next_status(Implement), ChangeStatus::Implemented);
    }

    #[test]
    fn overdue_only_while_open_and_past_due() {
        let today = d("2026-06-10");
        assert!(is_overdue(ChangeStatus::Planned, d("2026-06-09"), today));
        assert!(is_overdue(ChangeStatus::InProgress, d("2026-01-01"), today));
        assert!(!is_overdue(ChangeStatus::Planned, d("2026-06-10"), today));
        assert!(!is_overdue(
            ChangeStatus::Implemented,
            d("2026-01-01"),
            today
        ));
    }

    #[test]
    fn sustain_waits_for_the_review_period() {
        assert_eq!(earliest_sustain(d("2026-01-31"), 3), Some(d("2026-04-30")));
        assert_eq!(earliest_sustain(d("2026-01-15"), 0), Some(d("2026-01-15")));
    }

    #[test]
    fn status_on_a_day_follows_the_milestones() {
        let m = Milestones {
            created_on: Some(d("2026-01-01")),
            started_on: Some(d("2026-02-01")),
            implemented_on: Some(d("2026-03-01")),
            verified_on: Some(d("2026-07-01")),
            abandoned_on: None,
        };
        assert_eq!(status_on(&m, d("2025-12-31")), None);
        assert_eq!(status_on(&m, d("2026-01-01")), Some(ChangeStatus::Planned));
        assert_eq!(
            status_on(&m, d("2026-02-15")),
            Some(ChangeStatus::InProgress)
        );
        assert_eq!(
            status_on(&m, d("2026-03-01")),
            Some(ChangeStatus::Implemented)
        );
        assert_eq!(
            status_on(&m, d("2026-08-01")),
            Some(ChangeStatus::Sustained)
        );
        let abandoned = Milestones {
            abandoned_on: Some(d("2026-04-01")),
            verified_on: None,
            ..m
        };
        assert_eq!(
            status_on(&abandoned, d("2026-03-15")),
            Some(ChangeStatus::Implemented)
        );
        assert_eq!(
            status_on(&abandoned, d("2026-04-01")),
            Some(ChangeStatus::Abandoned)
        );
    }

    #[test]
    fn public_summaries_carry_no_identifiers() {
        assert_eq!(
            public_summary_problem("Ward 5 now explains discharge medicines before you go home."),
            None
        );
        assert_eq!(
            public_summary_problem("Open 24 hours, 7 days, 365 days a year"),
            None
        );
        assert!(public_summary_problem("After C-2026-00042 we changed").is_some());
        assert!(public_summary_problem("Write to pals@trust.nhs.uk").is_some());
        assert!(public_summary_problem("Patient 943 476 5919 said").is_some());
    }
}

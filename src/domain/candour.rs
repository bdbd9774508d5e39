//! Duty of Candour (regulation 20, domain.md §2): the harm decision that makes an incident
//! notifiable, the steps and their checklists, the reg 20(5) exception, and the status of a
//! record computed from its facts, the working calendar and today.
//!
//! The regulation says only "as soon as reasonably practicable"; the 10 working days are the
//! NHS Standard Contract's target (domain.md §2.2), so the periods are settings
//! (`[candour]` in the configuration), not constants.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::calendar::WorkingCalendar;
use super::case::string_enum;

/// The degree of harm, as decided by a health care professional (reg 20(7), (8)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HarmLevel {
    None,
    Low,
    Moderate,
    Severe,
    Death,
    ProlongedPsychologicalHarm,
}
string_enum!(HarmLevel {
    None => "none",
    Low => "low",
    Moderate => "moderate",
    Severe => "severe",
    Death => "death",
    ProlongedPsychologicalHarm => "prolonged_psychological_harm",
});

impl HarmLevel {
    /// Moderate harm and above make an incident notifiable for a health service body (§2.1).
    pub fn is_notifiable(self) -> bool {
        matches!(
            self,
            Self::Moderate | Self::Severe | Self::Death | Self::ProlongedPsychologicalHarm
        )
    }
}

/// What a recorded step is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// Notification in person (reg 20(2), (3)): account, apology, support, enquiries.
    InPersonNotification,
    /// The written follow-up (reg 20(4)): account, enquiries, apology.
    WrittenNotification,
    /// The results of further enquiries shared with the relevant person.
    EnquiryResultsShared,
    /// A copy of the correspondence kept (reg 20(6)).
    CorrespondenceCopyKept,
    /// One attempt to contact the relevant person: the evidence for a reg 20(5) exception.
    ContactAttempt,
}
string_enum!(StepKind {
    InPersonNotification => "in_person_notification",
    WrittenNotification => "written_notification",
    EnquiryResultsShared => "enquiry_results_shared",
    CorrespondenceCopyKept => "correspondence_copy_kept",
    ContactAttempt => "contact_attempt",
});

/// How a step or contact attempt was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StepMethod {
    InPerson,
    Phone,
    Video,
    Letter,
    Email,
    Other,
}
string_enum!(StepMethod {
    InPerson => "in_person",
    Phone => "phone",
    Video => "video",
    Letter => "letter",
    Email => "email",
    Other => "other",
});

/// What came of a contact attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttemptOutcome {
    Reached,
    NoAnswer,
    MessageLeft,
    ReturnedUndelivered,
    Declined,
    Other,
}
string_enum!(AttemptOutcome {
    Reached => "reached",
    NoAnswer => "no_answer",
    MessageLeft => "message_left",
    ReturnedUndelivered => "returned_undelivered",
    Declined => "declined",
    Other => "other",
});

/// The reg 20(5) exceptions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExceptionKind {
    /// The relevant person could not be contacted in person.
    CouldNotContact,
    /// The relevant person declined to speak to the body's representative.
    DeclinedToEngage,
}
string_enum!(ExceptionKind {
    CouldNotContact => "could_not_contact",
    DeclinedToEngage => "declined_to_engage",
});

impl ExceptionKind {
    /// Whether a contact attempt with `outcome` is evidence for this exception: a failed
    /// attempt for "could not contact", the person declining for "declined to engage". An
    /// attempt that reached the person is evidence for neither.
    pub fn rests_on(self, outcome: AttemptOutcome) -> bool {
        use AttemptOutcome as O;
        match self {
            Self::CouldNotContact => matches!(
                outcome,
                O::NoAnswer | O::MessageLeft | O::ReturnedUndelivered | O::Other
            ),
            Self::DeclinedToEngage => outcome == O::Declined,
        }
    }
}

/// Where a record stands today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CandourStatus {
    /// The harm was decided as none or low: not a notifiable safety incident.
    NotNotifiable,
    /// Steps outstanding, not yet due soon.
    Pending,
    /// A step falls due within the "due soon" window.
    DueSoon,
    /// A step is past its due date.
    Overdue,
    /// Both notifications made; the results of further enquiries are still to be shared in
    /// writing (reg 20(4)(c)), or the copy of the correspondence to be kept (reg 20(6)). Not
    /// timed by the notification clock, but required before the record is complete.
    AwaitingResults,
    CompletedOnTime,
    CompletedLate,
    /// A reg 20(5) exception is recorded, with the contact attempts as evidence.
    Exception,
}
string_enum!(CandourStatus {
    NotNotifiable => "not_notifiable",
    Pending => "pending",
    DueSoon => "due_soon",
    Overdue => "overdue",
    AwaitingResults => "awaiting_results",
    CompletedOnTime => "completed_on_time",
    CompletedLate => "completed_late",
    Exception => "exception",
});

impl CandourStatus {
    /// Nothing more is owed: closing the case needs no override.
    pub fn is_settled(self) -> bool {
        matches!(
            self,
            Self::NotNotifiable | Self::CompletedOnTime | Self::CompletedLate | Self::Exception
        )
    }
}

/// The periods, in working days from the day the trust became aware (domain.md §2.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CandourRules {
    pub in_person_working_days: u32,
    pub written_working_days: u32,
    /// A step due within this many working days is "due soon".
    pub due_soon_working_days: u32,
}

impl Default for CandourRules {
    fn default() -> Self {
        Self {
            in_person_working_days: 10,
            written_working_days: 10,
            due_soon_working_days: 3,
        }
    }
}

/// One recorded step, as the status needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepFacts {
    pub kind: StepKind,
    pub done_on: NaiveDate,
    pub account_given: bool,
    pub apology_given: bool,
    pub support_offered: bool,
    pub enquiries_explained: bool,
}

/// The facts of one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandourFacts {
    pub became_aware_on: NaiveDate,
    /// `None` until the harm is decided; the clock runs meanwhile (treat as notifiable).
    pub harm: Option<HarmLevel>,
    pub exception: bool,
    pub steps: Vec<StepFacts>,
}

/// The checklist items a step kind must cover, by name.
pub fn checklist(kind: StepKind) -> &'static [&'static str] {
    match kind {
        StepKind::InPersonNotification => &[
            "truthful_account_given",
            "apology_given",
            "support_offered",
            "further_enquiries_explained",
        ],
        StepKind::WrittenNotification => {
            &["account_included", "enquiries_included", "apology_included"]
        }
        _ => &[],
    }
}

fn ticked(step: &StepFacts, item: &str) -> bool {
    match item {
        "truthful_account_given" | "account_included" => step.account_given,
        "apology_given" | "apology_included" => step.apology_given,
        "support_offered" => step.support_offered,
        "further_enquiries_explained" | "enquiries_included" => step.enquiries_explained,
        _ => false,
    }
}

/// A timed step the regulation requires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Requirement {
    pub kind: StepKind,
    pub due_on: NaiveDate,
    /// The day the last missing checklist item was covered; `null` while any is missing.
    pub completed_on: Option<NaiveDate>,
    /// Checklist items no recorded step has covered yet.
    pub missing: Vec<&'static str>,
    pub status: CandourStatus,
}

/// What the rules say about a record today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub status: CandourStatus,
    /// `None` until the harm is decided.
    pub notifiable: Option<bool>,
    pub requirements: Vec<Requirement>,
    /// The untimed steps still to be recorded before the record is complete: the results of
    /// further enquiries shared in writing, and the copy of the correspondence kept.
    pub still_required: Vec<StepKind>,
    pub next_due_on: Option<NaiveDate>,
    /// Negative when the next date has passed.
    pub working_days_to_due: Option<i64>,
}

/// The steps a complete record needs that no clock times (reg 20(4)(c), 20(6)).
pub const UNTIMED: [StepKind; 2] = [
    StepKind::EnquiryResultsShared,
    StepKind::CorrespondenceCopyKept,
];

/// Assess a record: a pure function of its facts, the calendar, the rules and today.
pub fn assess(
    cal: &WorkingCalendar,
    rules: &CandourRules,
    facts: &CandourFacts,
    today: NaiveDate,
) -> Assessment {
    let notifiable = facts.harm.map(HarmLevel::is_notifiable);
    if notifiable == Some(false) {
        return Assessment {
            status: CandourStatus::NotNotifiable,
            notifiable,
            requirements: Vec::new(),
            still_required: Vec::new(),
            next_due_on: None,
            working_days_to_due: None,
        };
    }
    let still_required: Vec<StepKind> = UNTIMED
        .into_iter()
        .filter(|kind| !facts.steps.iter().any(|s| s.kind == *kind))
        .collect();
    let requirements: Vec<Requirement> = [
        (StepKind::InPersonNotification, rules.in_person_working_days),
        (StepKind::WrittenNotification, rules.written_working_days),
    ]
    .into_iter()
    .map(|(kind, days)| requirement(cal, rules, facts, kind, days, today))
    .collect();
    let open: Vec<&Requirement> = requirements
        .iter()
        .filter(|r| r.completed_on.is_none())
        .collect();
    let next_due_on = open.iter().map(|r| r.due_on).min();
    let status = if facts.exception {
        CandourStatus::Exception
    } else if open.is_empty() && !still_required.is_empty() {
        CandourStatus::AwaitingResults
    } else if open.is_empty() {
        if requirements
            .iter()
            .any(|r| r.status == CandourStatus::CompletedLate)
        {
            CandourStatus::CompletedLate
        } else {
            CandourStatus::CompletedOnTime
        }
    } else if open.iter().any(|r| r.status == CandourStatus::Overdue) {
        CandourStatus::Overdue
    } else if open.iter().any(|r| r.status == CandourStatus::DueSoon) {
        CandourStatus::DueSoon
    } else {
        CandourStatus::Pending
    };
    let (next_due_on, working_days_to_due) = if facts.exception {
        (None, None)
    } else {
        (
            next_due_on,
            next_due_on.map(|d| cal.working_days_until(today, d)),
        )
    };
    Assessment {
        status,
        notifiable,
        requirements,
        still_required,
        next_due_on,
        working_days_to_due,
    }
}

fn requirement(
    cal: &WorkingCalendar,
    rules: &CandourRules,
    facts: &CandourFacts,
    kind: StepKind,
    days: u32,
    today: NaiveDate,
) -> Requirement {
    let due_on = cal.add_working_days(facts.became_aware_on, days);
    let mut steps: Vec<&StepFacts> = facts.steps.iter().filter(|s| s.kind == kind).collect();
    steps.sort_by_key(|s| s.done_on);
    let mut missing: Vec<&'static str> = checklist(kind).to_vec();
    let mut completed_on = None;
    for step in steps {
        missing.retain(|item| !ticked(step, item));
        if missing.is_empty() {
            completed_on = Some(step.done_on);
            break;
        }
    }
    let status = match completed_on {
        Some(done) if done <= due_on => CandourStatus::CompletedOnTime,
        Some(_) => CandourStatus::CompletedLate,
        None if today > due_on => CandourStatus::Overdue,
        None if cal.working_days_until(today, due_on) <= i64::from(rules.due_soon_working_days) => {
            CandourStatus::DueSoon
        }
        None => CandourStatus::Pending,
    };
    Requirement {
        kind,
        due_on,
        completed_on,
        missing,
        status,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::tests::{calendar, d};

    fn step(kind: StepKind, on: &str, all: bool) -> StepFacts {
        StepFacts {
            kind,
            done_on: d(on),
            account_given: true,
            apology_given: all,
            support_offered: true,
            enquiries_explained: true,
        }
    }

    fn facts(harm: Option<HarmLevel>) -> CandourFacts {
        // Aware on Monday 2 November 2026: the 10th working day is Monday 16 November.
        CandourFacts {
            became_aware_on: d("2026-11-02"),
            harm,
            exception: false,
            steps: Vec::new(),
        }
    }

    #[test]
    fn moderate_and_above_are_notifiable() {
        use HarmLevel::*;
        for h in [Moderate, Severe, Death, ProlongedPsychologicalHarm] {
            assert!(h.is_notifiable(), "{h}");
        }
        assert!(!None.is_notifiable() && !Low.is_notifiable());
        let a = assess(
            &calendar(),
            &CandourRules::default(),
            &facts(Some(Low)),
            d("2026-12-01"),
        );
        assert_eq!(a.status, CandourStatus::NotNotifiable);
        assert_eq!(a.notifiable, Some(false));
    }

    #[test]
    fn overdue_on_the_eleventh_working_day() {
        let cal = calendar();
        let rules = CandourRules::default();
        let f = facts(Some(HarmLevel::Moderate));
        let a = assess(&cal, &rules, &f, d("2026-11-10"));
        assert_eq!(a.status, CandourStatus::Pending);
        assert_eq!(a.requirements[0].due_on, d("2026-11-16"));
        // Three working days before: due soon.
        assert_eq!(
            assess(&cal, &rules, &f, d("2026-11-11")).status,
            CandourStatus::DueSoon
        );
        let tenth = assess(&cal, &rules, &f, d("2026-11-16"));
        assert_eq!(tenth.status, CandourStatus::DueSoon);
        assert_eq!(tenth.working_days_to_due, Some(0));
        let eleventh = assess(&cal, &rules, &f, d("2026-11-17"));
        assert_eq!(eleventh.status, CandourStatus::Overdue);
        assert_eq!(eleventh.working_days_to_due, Some(-1));
        // Undecided harm: the clock runs all the same.
        assert_eq!(
            assess(&cal, &rules, &facts(None), d("2026-11-17")).status,
            CandourStatus::Overdue
        );
    }

    #[test]
    fn completion_needs_every_checklist_item_and_is_dated_by_the_last() {
        let cal = calendar();
        let rules = CandourRules::default();
        let mut f = facts(Some(HarmLevel::Severe));
        f.steps
            .push(step(StepKind::InPersonNotification, "2026-11-05", false));
        f.steps
            .push(step(StepKind::WrittenNotification, "2026-11-09", true));
        let a = assess(&cal, &rules, &f, d("2026-11-20"));
        assert_eq!(a.status, CandourStatus::Overdue);
        assert_eq!(a.requirements[0].missing, vec!["apology_given"]);
        assert_eq!(a.requirements[1].status, CandourStatus::CompletedOnTime);
        // The apology follows on the 11th working day: notified, but late; the record still
        // needs the results shared in writing and the copy of the correspondence kept.
        f.steps
            .push(step(StepKind::InPersonNotification, "2026-11-17", true));
        let a = assess(&cal, &rules, &f, d("2026-11-20"));
        assert_eq!(a.requirements[0].completed_on, Some(d("2026-11-17")));
        assert_eq!(a.status, CandourStatus::AwaitingResults);
        assert!(!a.status.is_settled());
        assert_eq!(a.next_due_on, None, "not timed by the notification clock");
        assert_eq!(a.still_required, UNTIMED.to_vec());
        f.steps
            .push(step(StepKind::CorrespondenceCopyKept, "2026-11-18", false));
        let a = assess(&cal, &rules, &f, d("2026-11-20"));
        assert_eq!(a.still_required, vec![StepKind::EnquiryResultsShared]);
        assert_eq!(a.status, CandourStatus::AwaitingResults);
        f.steps
            .push(step(StepKind::EnquiryResultsShared, "2027-01-20", false));
        let a = assess(&cal, &rules, &f, d("2027-01-21"));
        assert_eq!(a.status, CandourStatus::CompletedLate);
        assert!(a.status.is_settled());
        assert_eq!(a.next_due_on, None);
        // Both on the 10th working day: on time.
        let mut f = facts(Some(HarmLevel::Death));
        f.steps
            .push(step(StepKind::InPersonNotification, "2026-11-16", true));
        f.steps
            .push(step(StepKind::WrittenNotification, "2026-11-16", true));
        for kind in UNTIMED {
            f.steps.push(step(kind, "2026-12-15", false));
        }
        assert_eq!(
            assess(&cal, &rules, &f, d("2026-12-20")).status,
            CandourStatus::CompletedOnTime
        );
    }

    #[test]
    fn an_exception_rests_only_on_failed_attempts_or_a_refusal() {
        use AttemptOutcome as O;
        let could_not = ExceptionKind::CouldNotContact;
        let declined = ExceptionKind::DeclinedToEngage;
        for o in [
            O::NoAnswer,
            O::MessageLeft,
            O::ReturnedUndelivered,
            O::Other,
        ] {
            assert!(could_not.rests_on(o) && !declined.rests_on(o), "{o}");
        }
        assert!(declined.rests_on(O::Declined) && !could_not.rests_on(O::Declined));
        assert!(!could_not.rests_on(O::Reached) && !declined.rests_on(O::Reached));
    }

    #[test]
    fn an_exception_settles_the_record_and_periods_follow_the_rules() {
        let cal = calendar();
        let mut f = facts(Some(HarmLevel::Moderate));
        f.exception = true;
        let a = assess(&cal, &CandourRules::default(), &f, d("2026-12-20"));
        assert_eq!(a.status, CandourStatus::Exception);
        assert!(a.status.is_settled());
        let rules = CandourRules {
            in_person_working_days: 5,
            written_working_days: 20,
            due_soon_working_days: 0,
        };
        let a = assess(&cal, &rules, &facts(None), d("2026-11-06"));
        assert_eq!(a.requirements[0].due_on, d("2026-11-09"));
        assert_eq!(a.requirements[1].due_on, d("2026-11-30"));
        assert_eq!(a.status, CandourStatus::Pending);
        assert!(!a.status.is_settled());
    }
}

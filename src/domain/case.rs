//! The case state machine, and the fixed vocabularies a case is described with.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Generates `as_str`, `ALL`, `FromStr` and `Display` for a snake_case string enum.
macro_rules! string_enum {
    ($name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err(format!(
                        "unknown value {other:?}; expected one of {}",
                        [$($text),+].join(", ")
                    )),
                }
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                s.parse()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use string_enum;

mod record;
pub use record::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseKind {
    Complaint,
    PalsConcern,
}
string_enum!(CaseKind { Complaint => "complaint", PalsConcern => "pals_concern" });

impl CaseKind {
    /// `C` for complaints, `P` for PALS concerns.
    pub fn reference_prefix(self) -> &'static str {
        match self {
            Self::Complaint => "C",
            Self::PalsConcern => "P",
        }
    }

    pub fn initial_status(self) -> CaseStatus {
        match self {
            Self::Complaint => CaseStatus::Received,
            Self::PalsConcern => CaseStatus::Open,
        }
    }
}

/// Human reference such as `C-2026-00042`.
pub fn reference(kind: CaseKind, year: i32, number: i32) -> String {
    format!("{}{number:05}", reference_head(kind, year))
}

/// What a reference of `kind` and `year` starts with: `C-2026-`.
pub fn reference_head(kind: CaseKind, year: i32) -> String {
    format!("{}-{year}-", kind.reference_prefix())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    Received,
    Acknowledged,
    Investigating,
    Responded,
    Closed,
    Withdrawn,
    Open,
    Resolved,
    Escalated,
}
string_enum!(CaseStatus {
    Received => "received",
    Acknowledged => "acknowledged",
    Investigating => "investigating",
    Responded => "responded",
    Closed => "closed",
    Withdrawn => "withdrawn",
    Open => "open",
    Resolved => "resolved",
    Escalated => "escalated",
});

impl CaseStatus {
    /// No further work is expected (the case may still be reopened if closed).
    pub fn is_finished(self) -> bool {
        matches!(
            self,
            Self::Closed | Self::Withdrawn | Self::Resolved | Self::Escalated
        )
    }

    /// Plain-English stage, for people who are not complaints staff.
    pub fn plain_english(self) -> &'static str {
        match self {
            Self::Received => "We have received your complaint",
            Self::Acknowledged => "We have acknowledged your complaint",
            Self::Investigating => "We are looking into your complaint",
            Self::Responded => "We have sent our response",
            Self::Closed => "Your complaint is closed",
            Self::Withdrawn => "The complaint was withdrawn",
            Self::Open => "We are looking into your concern",
            Self::Resolved => "Your concern has been resolved",
            Self::Escalated => "Your concern is now being handled as a formal complaint",
        }
    }
}

/// Every `POST /cases/{id}/{action}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    Acknowledge,
    Assign,
    StartInvestigation,
    Extend,
    Pause,
    Resume,
    Respond,
    Close,
    Reopen,
    Withdraw,
    Resolve,
    Escalate,
    TimeLimitDecision,
    SixMonthLetter,
}
string_enum!(Action {
    Acknowledge => "acknowledge",
    Assign => "assign",
    StartInvestigation => "start-investigation",
    Extend => "extend",
    Pause => "pause",
    Resume => "resume",
    Respond => "respond",
    Close => "close",
    Reopen => "reopen",
    Withdraw => "withdraw",
    Resolve => "resolve",
    Escalate => "escalate",
    TimeLimitDecision => "time-limit-decision",
    SixMonthLetter => "six-month-letter",
});

/// What the machine needs to know besides the status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseFlags {
    pub paused: bool,
    pub out_of_time: bool,
    pub time_limit_decided: bool,
    /// The 12-month limit was applied and the complaint not considered: it cannot reopen.
    pub time_limit_declined: bool,
    /// An incident or awareness date is recorded, so the 12-month limit could be assessed.
    pub time_limit_assessed: bool,
    pub six_month_letter_sent: bool,
}

/// The actions allowed for a case of `kind` in `status`.
pub fn allowed_actions(kind: CaseKind, status: CaseStatus, flags: CaseFlags) -> Vec<Action> {
    use Action::*;
    use CaseStatus as S;
    let mut actions = match (kind, status) {
        (CaseKind::Complaint, S::Received) => vec![Acknowledge, Assign, Withdraw],
        (CaseKind::Complaint, S::Acknowledged) => {
            vec![Assign, StartInvestigation, Extend, Pause, Respond, Withdraw]
        }
        (CaseKind::Complaint, S::Investigating) => {
            vec![Assign, Extend, Pause, Respond, Withdraw]
        }
        (CaseKind::Complaint, S::Responded) => vec![Assign, Close],
        (CaseKind::Complaint, S::Closed) if !flags.time_limit_declined => vec![Reopen],
        (CaseKind::PalsConcern, S::Open) => vec![Assign, Resolve, Escalate],
        _ => vec![],
    };
    if flags.paused {
        actions.retain(|a| !matches!(a, Pause | StartInvestigation | Respond | Extend));
        actions.push(Resume);
    }
    // Reg 13(1): every complaint is acknowledged, out-of-time ones included, while the reg 12
    // decision is pending; an out-of-time complaint is not investigated until it is made. One
    // whose dates are not recorded can have the decision recorded too.
    let undecided = kind == CaseKind::Complaint
        && !flags.time_limit_decided
        && (flags.out_of_time || !flags.time_limit_assessed)
        && matches!(status, S::Received | S::Acknowledged | S::Investigating);
    if undecided {
        if flags.out_of_time {
            actions.retain(|a| !matches!(a, StartInvestigation | Respond));
        }
        actions.push(TimeLimitDecision);
    }
    if kind == CaseKind::Complaint
        && matches!(status, S::Acknowledged | S::Investigating)
        && !flags.six_month_letter_sent
    {
        actions.push(SixMonthLetter);
    }
    actions
}

/// The status an allowed action leads to.
pub fn next_status(status: CaseStatus, action: Action) -> CaseStatus {
    use Action::*;
    use CaseStatus as S;
    match action {
        Acknowledge => S::Acknowledged,
        StartInvestigation => S::Investigating,
        Respond => S::Responded,
        Close => S::Closed,
        Reopen => S::Investigating,
        Withdraw => S::Withdrawn,
        Resolve => S::Resolved,
        Escalate => S::Escalated,
        Assign | Extend | Pause | Resume | TimeLimitDecision | SixMonthLetter => status,
    }
}

/// A whole-case outcome, the KO41a way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Upheld,
    PartiallyUpheld,
    NotUpheld,
}
string_enum!(Outcome {
    Upheld => "upheld",
    PartiallyUpheld => "partially_upheld",
    NotUpheld => "not_upheld",
});

/// The finding on one aspect (subject) of a complaint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AspectOutcome {
    Upheld,
    NotUpheld,
}
string_enum!(AspectOutcome { Upheld => "upheld", NotUpheld => "not_upheld" });

/// All aspects upheld → upheld; some → partially upheld; none → not upheld.
pub fn overall_outcome(aspects: &[AspectOutcome]) -> Option<Outcome> {
    if aspects.is_empty() {
        return None;
    }
    let upheld = aspects
        .iter()
        .filter(|a| **a == AspectOutcome::Upheld)
        .count();
    Some(if upheld == aspects.len() {
        Outcome::Upheld
    } else if upheld == 0 {
        Outcome::NotUpheld
    } else {
        Outcome::PartiallyUpheld
    })
}

/// Why someone complains for the patient (reg 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RepresentativeBasis {
    Deceased,
    Child,
    PhysicalIncapacity,
    LacksCapacity,
    PatientRequest,
}
string_enum!(RepresentativeBasis {
    Deceased => "deceased",
    Child => "child",
    PhysicalIncapacity => "physical_incapacity",
    LacksCapacity => "lacks_capacity",
    PatientRequest => "patient_request",
});

/// The patient's consent to a representative acting and to information being shared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsentStatus {
    NotRequired,
    Requested,
    Received,
    Refused,
    CannotBeObtained,
}
string_enum!(ConsentStatus {
    NotRequired => "not_required",
    Requested => "requested",
    Received => "received",
    Refused => "refused",
    CannotBeObtained => "cannot_be_obtained",
});

/// How the complainant prefers to be contacted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContactMethod {
    Email,
    Phone,
    Letter,
}
string_enum!(ContactMethod { Email => "email", Phone => "phone", Letter => "letter" });

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: CaseFlags = CaseFlags {
        paused: false,
        out_of_time: false,
        time_limit_decided: false,
        time_limit_declined: false,
        time_limit_assessed: true,
        six_month_letter_sent: false,
    };

    #[test]
    fn references_are_zero_padded() {
        assert_eq!(reference(CaseKind::Complaint, 2026, 42), "C-2026-00042");
        assert_eq!(
            reference(CaseKind::PalsConcern, 2026, 123456),
            "P-2026-123456"
        );
    }

    #[test]
    fn complaint_path_from_receipt_to_reopen() {
        let k = CaseKind::Complaint;
        let mut s = CaseStatus::Received;
        for action in [
            Action::Acknowledge,
            Action::StartInvestigation,
            Action::Respond,
            Action::Close,
            Action::Reopen,
        ] {
            assert!(
                allowed_actions(k, s, PLAIN).contains(&action),
                "{action} from {s}"
            );
            s = next_status(s, action);
        }
        assert_eq!(s, CaseStatus::Investigating);
        assert!(!allowed_actions(k, CaseStatus::Received, PLAIN).contains(&Action::Close));
        let declined = CaseFlags {
            time_limit_declined: true,
            ..PLAIN
        };
        assert!(allowed_actions(k, CaseStatus::Closed, declined).is_empty());
        assert!(allowed_actions(k, CaseStatus::Withdrawn, PLAIN).is_empty());
    }

    #[test]
    fn out_of_time_is_acknowledged_but_not_investigated_until_decided() {
        let flags = CaseFlags {
            out_of_time: true,
            ..PLAIN
        };
        let k = CaseKind::Complaint;
        let a = allowed_actions(k, CaseStatus::Received, flags);
        assert!(a.contains(&Action::Acknowledge), "reg 13(1): {a:?}");
        assert!(a.contains(&Action::TimeLimitDecision));
        let a = allowed_actions(k, CaseStatus::Acknowledged, flags);
        assert!(!a.contains(&Action::StartInvestigation), "{a:?}");
        assert!(!a.contains(&Action::Respond), "{a:?}");
        assert!(a.contains(&Action::TimeLimitDecision));
        assert!(a.contains(&Action::Withdraw));
        let decided = CaseFlags {
            time_limit_decided: true,
            ..flags
        };
        let a = allowed_actions(k, CaseStatus::Acknowledged, decided);
        assert!(a.contains(&Action::StartInvestigation));
        assert!(!a.contains(&Action::TimeLimitDecision));
        // No dates recorded: the decision can be recorded, nothing is blocked.
        let unassessed = CaseFlags {
            time_limit_assessed: false,
            ..PLAIN
        };
        let a = allowed_actions(k, CaseStatus::Acknowledged, unassessed);
        assert!(a.contains(&Action::StartInvestigation));
        assert!(a.contains(&Action::TimeLimitDecision));
        assert!(
            !allowed_actions(CaseKind::PalsConcern, CaseStatus::Open, unassessed)
                .contains(&Action::TimeLimitDecision)
        );
    }

    #[test]
    fn a_paused_case_can_only_resume_or_be_handed_over() {
        let flags = CaseFlags {
            paused: true,
            ..PLAIN
        };
        let a = allowed_actions(CaseKind::Complaint, CaseStatus::Investigating, flags);
        assert!(a.contains(&Action::Resume));
        assert!(!a.contains(&Action::Respond));
        assert!(!a.contains(&Action::Pause));
    }

    #[test]
    fn pals_concerns_resolve_or_escalate() {
        let a = allowed_actions(CaseKind::PalsConcern, CaseStatus::Open, PLAIN);
        assert!(a.contains(&Action::Resolve) && a.contains(&Action::Escalate));
        assert!(!a.contains(&Action::Acknowledge));
    }

    #[test]
    fn outcome_the_ko41a_way() {
        use AspectOutcome::*;
        assert_eq!(overall_outcome(&[Upheld, Upheld]), Some(Outcome::Upheld));
        assert_eq!(
            overall_outcome(&[Upheld, NotUpheld]),
            Some(Outcome::PartiallyUpheld)
        );
        assert_eq!(overall_outcome(&[NotUpheld]), Some(Outcome::NotUpheld));
        assert_eq!(overall_outcome(&[]), None);
    }

    #[test]
    fn vocabularies_round_trip() {
        for a in Action::ALL {
            assert_eq!(a.as_str().parse::<Action>().unwrap(), *a);
        }
        for s in CaseStatus::ALL {
            assert_eq!(s.as_str().parse::<CaseStatus>().unwrap(), *s);
        }
    }
}

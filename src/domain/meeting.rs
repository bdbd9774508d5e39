//! The face-to-face meeting (complaints standards, characteristic 10C): offered → accepted or
//! declined → scheduled (and rescheduled, each time raising the invitation's sequence) → held
//! or cancelled.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::case::string_enum;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeetingStatus {
    Offered,
    Accepted,
    Declined,
    Scheduled,
    Held,
    Cancelled,
}
string_enum!(MeetingStatus {
    Offered => "offered",
    Accepted => "accepted",
    Declined => "declined",
    Scheduled => "scheduled",
    Held => "held",
    Cancelled => "cancelled",
});

impl MeetingStatus {
    /// Still in progress: a second meeting is not offered while one is open.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Offered | Self::Accepted | Self::Scheduled)
    }
}

/// Every `POST /meetings/{id}/{action}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum MeetingAction {
    Accept,
    Decline,
    Schedule,
    Reschedule,
    Hold,
    Cancel,
    SummarySent,
}
string_enum!(MeetingAction {
    Accept => "accept",
    Decline => "decline",
    Schedule => "schedule",
    Reschedule => "reschedule",
    Hold => "hold",
    Cancel => "cancel",
    SummarySent => "summary-sent",
});

/// How the meeting was offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OfferMethod {
    Letter,
    Email,
    Phone,
    InPerson,
}
string_enum!(OfferMethod {
    Letter => "letter",
    Email => "email",
    Phone => "phone",
    InPerson => "in_person",
});

/// The actions allowed on a meeting in `status`; `summary_sent` once the summary went out.
pub fn allowed_actions(status: MeetingStatus, summary_sent: bool) -> Vec<MeetingAction> {
    use MeetingAction::*;
    match status {
        MeetingStatus::Offered => vec![Accept, Decline, Cancel],
        MeetingStatus::Accepted => vec![Schedule, Cancel],
        MeetingStatus::Scheduled => vec![Reschedule, Hold, Cancel],
        MeetingStatus::Held if !summary_sent => vec![SummarySent],
        MeetingStatus::Held | MeetingStatus::Declined | MeetingStatus::Cancelled => vec![],
    }
}

/// The status an allowed action leads to.
pub fn next_status(status: MeetingStatus, action: MeetingAction) -> MeetingStatus {
    match action {
        MeetingAction::Accept => MeetingStatus::Accepted,
        MeetingAction::Decline => MeetingStatus::Declined,
        MeetingAction::Schedule | MeetingAction::Reschedule => MeetingStatus::Scheduled,
        MeetingAction::Hold => MeetingStatus::Held,
        MeetingAction::Cancel => MeetingStatus::Cancelled,
        MeetingAction::SummarySent => status,
    }
}

/// The invitation's SEQUENCE after `action` (RFC 5546: raised whenever the organiser makes a
/// significant change: a new time or place, or a cancellation of a meeting in calendars).
pub fn next_sequence(current: i32, action: MeetingAction, was_scheduled: bool) -> i32 {
    match action {
        MeetingAction::Reschedule => current + 1,
        MeetingAction::Cancel if was_scheduled => current + 1,
        _ => current,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_happy_path_and_its_dead_ends() {
        use MeetingAction::*;
        let mut s = MeetingStatus::Offered;
        for a in [Accept, Schedule, Reschedule, Reschedule, Hold] {
            assert!(allowed_actions(s, false).contains(&a), "{a} from {s}");
            s = next_status(s, a);
        }
        assert_eq!(s, MeetingStatus::Held);
        assert_eq!(allowed_actions(s, false), vec![SummarySent]);
        assert!(allowed_actions(s, true).is_empty());
        assert!(allowed_actions(MeetingStatus::Declined, false).is_empty());
        assert!(allowed_actions(MeetingStatus::Cancelled, false).is_empty());
        assert!(!allowed_actions(MeetingStatus::Offered, false).contains(&Hold));
        assert!(!allowed_actions(MeetingStatus::Accepted, false).contains(&Reschedule));
    }

    #[test]
    fn sequence_rises_on_reschedule_and_cancellation_of_a_booked_meeting() {
        use MeetingAction::*;
        assert_eq!(next_sequence(0, Schedule, false), 0);
        assert_eq!(next_sequence(0, Reschedule, true), 1);
        assert_eq!(next_sequence(1, Hold, true), 1);
        assert_eq!(next_sequence(1, Cancel, true), 2);
        assert_eq!(next_sequence(0, Cancel, false), 0);
    }

    #[test]
    fn names_round_trip() {
        for a in MeetingAction::ALL {
            assert_eq!(a.as_str().parse::<MeetingAction>().unwrap(), *a);
        }
        assert!(MeetingStatus::Scheduled.is_open());
        assert!(!MeetingStatus::Held.is_open());
    }
}

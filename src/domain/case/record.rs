//! The case as the rules see it: every stored fact, typed. `db` converts its row into this at
//! the boundary; services, reports and the rules take it. Serialised (without bookkeeping) to
//! diff a case's state before and after a change on its timeline.
//!
//! The channel, the complainant status and the age band stay codes: they come from the
//! editable coding lists (`POST /api/v1/taxonomy/{list}` adds local items), so a closed enum
//! would refuse a trust's own channel.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    Action, CaseFlags, CaseKind, CaseStatus, ConsentStatus, Outcome, RepresentativeBasis,
    allowed_actions,
};
use crate::domain::calendar::WorkingCalendar;
use crate::domain::clock::{self, ClockInput, ClockView};
use crate::domain::risk::RiskGrade;

/// How an acknowledgement was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AcknowledgementMethod {
    Letter,
    Email,
    Phone,
    InPerson,
}
super::string_enum!(AcknowledgementMethod {
    Letter => "letter",
    Email => "email",
    Phone => "phone",
    InPerson => "in_person",
});

/// The discretion decision on an out-of-time complaint (reg 12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimeLimitChoice {
    Accepted,
    Declined,
}
super::string_enum!(TimeLimitChoice { Accepted => "accepted", Declined => "declined" });

/// Where a complaint stands against the 12-month limit of reg 12.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimeLimitStatus {
    /// Received within 12 months of the later of the incident and awareness dates.
    InTime,
    /// Received later, and no decision recorded yet: acknowledge it, then decide.
    OutOfTime,
    /// Neither an incident nor an awareness date is recorded, so it cannot be said to be in
    /// time: record the dates, or a decision.
    NotAssessed,
    /// The limit was not applied (reg 12(4)): good reason, and still investigable.
    Accepted,
    /// The limit was applied and the complaint not considered.
    Declined,
}
super::string_enum!(TimeLimitStatus {
    InTime => "in_time",
    OutOfTime => "out_of_time",
    NotAssessed => "not_assessed",
    Accepted => "accepted",
    Declined => "declined",
});

/// A concern or complaint, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Case {
    pub id: String,
    pub reference: String,
    pub kind: CaseKind,
    pub status: CaseStatus,
    /// A code of the `channel` coding list.
    pub channel: String,
    pub received_on: NaiveDate,
    pub incident_on: Option<NaiveDate>,
    pub became_aware_on: Option<NaiveDate>,
    pub summary: String,
    pub description: String,
    pub desired_outcome: String,
    pub complainant_id: String,
    pub patient_id: Option<String>,
    pub patient_is_complainant: bool,
    pub representative_basis: Option<RepresentativeBasis>,
    pub consent_status: ConsentStatus,
    pub consent_requested_on: Option<NaiveDate>,
    pub consent_received_on: Option<NaiveDate>,
    pub email_consent: bool,
    pub email_consent_on: Option<NaiveDate>,
    pub email_consent_withdrawn_on: Option<NaiveDate>,
    /// A code of the `complainant_status` coding list.
    pub complainant_status: String,
    /// A code of the `age_band` coding list.
    pub age_band: String,
    pub risk_consequence: Option<i32>,
    pub risk_likelihood: Option<i32>,
    pub risk_grade: Option<RiskGrade>,
    pub handler_id: Option<String>,
    pub investigator_id: Option<String>,
    pub out_of_time: bool,
    pub time_limit_decision: Option<TimeLimitChoice>,
    pub acknowledgement_due_on: Option<NaiveDate>,
    pub acknowledged_on: Option<NaiveDate>,
    pub acknowledgement_method: Option<AcknowledgementMethod>,
    pub handling_discussion_offered: Option<bool>,
    pub meeting_offered: Option<bool>,
    pub response_due_on: Option<NaiveDate>,
    pub response_due_agreed: bool,
    pub six_month_letter_due_on: Option<NaiveDate>,
    pub six_month_letter_sent_on: Option<NaiveDate>,
    pub pals_due_on: Option<NaiveDate>,
    /// Index key: the next date due, or the far future. Derived; not part of diffs.
    #[serde(skip)]
    pub next_due_key: NaiveDate,
    pub investigation_started_on: Option<NaiveDate>,
    pub paused_on: Option<NaiveDate>,
    pub paused_working_days: i32,
    pub responded_on: Option<NaiveDate>,
    pub outcome: Option<Outcome>,
    /// The first response, as reported: kept when a complaint is reopened, and what the
    /// returns and board reports count.
    pub first_responded_on: Option<NaiveDate>,
    pub first_outcome: Option<Outcome>,
    /// The response date in force, and whether it was agreed, when the first response went.
    pub first_response_due_on: Option<NaiveDate>,
    pub first_response_due_agreed: Option<bool>,
    pub closed_on: Option<NaiveDate>,
    pub withdrawn_on: Option<NaiveDate>,
    pub resolved_on: Option<NaiveDate>,
    pub linked_case_id: Option<String>,
    pub reopened_count: i32,
    pub calendar_version: i32,
    #[serde(skip)]
    pub version: i32,
    pub created_by: String,
    #[serde(skip)]
    pub created_at: NaiveDateTime,
    #[serde(skip)]
    pub updated_at: NaiveDateTime,
}

impl Case {
    /// The state-machine flags.
    pub fn flags(&self) -> CaseFlags {
        CaseFlags {
            paused: self.paused_on.is_some(),
            out_of_time: self.out_of_time,
            time_limit_decided: self.time_limit_decision.is_some(),
            time_limit_declined: self.time_limit_decision == Some(TimeLimitChoice::Declined),
            time_limit_assessed: self.incident_on.is_some() || self.became_aware_on.is_some(),
            six_month_letter_sent: self.six_month_letter_sent_on.is_some(),
        }
    }

    /// Where a complaint stands against the time limit; `None` for a PALS concern.
    pub fn time_limit_status(&self) -> Option<TimeLimitStatus> {
        if self.kind != CaseKind::Complaint {
            return None;
        }
        Some(match self.time_limit_decision {
            Some(TimeLimitChoice::Accepted) => TimeLimitStatus::Accepted,
            Some(TimeLimitChoice::Declined) => TimeLimitStatus::Declined,
            None if self.out_of_time => TimeLimitStatus::OutOfTime,
            None if self.incident_on.is_none() && self.became_aware_on.is_none() => {
                TimeLimitStatus::NotAssessed
            }
            None => TimeLimitStatus::InTime,
        })
    }

    /// The lifecycle actions open now.
    pub fn allowed_actions(&self) -> Vec<Action> {
        allowed_actions(self.kind, self.status, self.flags())
    }

    /// The grade, or moderate for a case not yet graded (the default response period).
    pub fn grade_or_moderate(&self) -> RiskGrade {
        self.risk_grade.unwrap_or(RiskGrade::Moderate)
    }

    /// The clock facts: the deadlines, and the day the case finished, if it has.
    pub fn clock_input(&self) -> ClockInput {
        let finished_on = match self.status {
            CaseStatus::Responded => self.responded_on,
            CaseStatus::Closed => self.closed_on.or(self.responded_on),
            CaseStatus::Withdrawn => self.withdrawn_on,
            CaseStatus::Resolved | CaseStatus::Escalated => self.resolved_on,
            _ => None,
        };
        ClockInput {
            kind: self.kind,
            status: self.status,
            received_on: self.received_on,
            acknowledgement_due_on: self.acknowledgement_due_on,
            response_due_on: self.response_due_on,
            six_month_letter_due_on: self.six_month_letter_due_on,
            six_month_letter_sent_on: self.six_month_letter_sent_on,
            pals_due_on: self.pals_due_on,
            finished_on,
            first_responded_on: self.first_responded_on,
            paused_on: self.paused_on,
            paused_working_days: self.paused_working_days,
        }
    }

    /// The clock on `today`: what is due when, and what is overdue.
    pub fn clock(&self, cal: &WorkingCalendar, today: NaiveDate) -> ClockView {
        clock::view(cal, &self.clock_input(), today)
    }
}

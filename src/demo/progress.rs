//! How far a synthetic case has got by today: acknowledged, investigated, responded, closed.

use chrono::NaiveDate;
use rand::Rng;

use crate::db::case_records::Response;
use crate::db::cases::NewCase;
use crate::domain::case::{self as rules, AspectOutcome, CaseStatus};
use crate::domain::clock;
use crate::domain::risk::RiskGrade;

use super::generator::Generator;

impl Generator<'_> {
    /// Take a complaint as far as today allows: most are acknowledged in time, a few are
    /// withdrawn, most responses meet the date agreed.
    pub(super) fn progress_complaint(
        &mut self,
        c: &mut NewCase,
        grade: RiskGrade,
        findings: &[AspectOutcome],
    ) {
        let Some(due) = self.acknowledge(c, grade) else {
            return;
        };
        let Some(ack_on) = c.acknowledged_on else {
            return;
        };
        if self.rng.gen_bool(0.03) {
            let on = self
                .cal
                .add_working_days(ack_on, self.rng.gen_range(1..=10));
            if on <= self.today {
                c.status = CaseStatus::Withdrawn.as_str().into();
                c.withdrawn_on = Some(on);
            }
            return;
        }
        let Some(started) = self.investigate(c, ack_on) else {
            return;
        };
        self.respond(c, started, due, findings);
    }

    /// Acknowledge the complaint (88% within three working days) and set its response date;
    /// `None` when the acknowledgement would fall after today.
    fn acknowledge(&mut self, c: &mut NewCase, grade: RiskGrade) -> Option<NaiveDate> {
        let rng = &mut *self.rng;
        let cal = self.cal;
        let received = c.received_on;
        c.acknowledgement_due_on?;
        let ack_on = if rng.gen_bool(0.88) {
            cal.add_working_days(received, rng.gen_range(0..=3))
        } else {
            cal.add_working_days(received, rng.gen_range(4..=9))
        };
        if ack_on > self.today {
            return None;
        }
        c.status = CaseStatus::Acknowledged.as_str().into();
        c.handler_id = self
            .setting
            .managers
            .get(rng.gen_range(0..self.setting.managers.len().max(1)))
            .cloned();
        let agreed = rng.gen_bool(0.4);
        let due = if agreed {
            cal.add_working_days(received, rng.gen_range(25..=60))
        } else {
            clock::default_response_due(cal, self.rules, received, grade)
        };
        c.acknowledged_on = Some(ack_on);
        c.acknowledgement_method = Some("letter".into());
        c.handling_discussion_offered = Some(true);
        c.meeting_offered = Some(rng.gen_bool(0.6));
        c.response_due_on = Some(due);
        c.response_due_agreed = agreed;
        Some(due)
    }

    /// Start the investigation a few working days after acknowledgement, if by today.
    fn investigate(&mut self, c: &mut NewCase, ack_on: NaiveDate) -> Option<NaiveDate> {
        let started = self.cal.add_working_days(ack_on, self.rng.gen_range(1..=5));
        if started > self.today {
            return None;
        }
        c.status = CaseStatus::Investigating.as_str().into();
        c.investigation_started_on = Some(started);
        let investigators = &self.setting.investigators;
        c.investigator_id = investigators
            .get(self.rng.gen_range(0..investigators.len().max(1)))
            .cloned();
        Some(started)
    }

    /// Respond (68% by the date due), then close within ten working days, if by today.
    fn respond(
        &mut self,
        c: &mut NewCase,
        started: NaiveDate,
        due: NaiveDate,
        findings: &[AspectOutcome],
    ) {
        let rng = &mut *self.rng;
        let cal = self.cal;
        let responded = if rng.gen_bool(0.68) {
            cal.add_working_days(started, rng.gen_range(5..=20))
                .min(due)
        } else {
            cal.add_working_days(due, rng.gen_range(1..=40))
        };
        if responded > self.today {
            return;
        }
        let outcome = rules::overall_outcome(findings).unwrap_or(rules::Outcome::NotUpheld);
        c.status = CaseStatus::Responded.as_str().into();
        c.responded_on = Some(responded);
        c.outcome = Some(outcome.as_str().into());
        c.first_responded_on = Some(responded);
        c.first_outcome = Some(outcome.as_str().into());
        c.first_response_due_on = c.response_due_on;
        c.first_response_due_agreed = Some(c.response_due_agreed);
        if c.six_month_letter_due_on.is_some_and(|d| responded > d) {
            c.six_month_letter_sent_on = c.six_month_letter_due_on.filter(|_| rng.gen_bool(0.7));
        }
        self.batch.responses.push(Response {
            id: crate::db::ids::new_id(),
            case_id: c.id.clone(),
            sent_on: responded,
            signed_by: "Chief Executive".into(),
            outcome: outcome.as_str().into(),
            ombudsman_rights_given: true,
            summary: None,
            created_by: c.handler_id.clone().unwrap_or_default(),
            created_at: self.clock.now(),
        });
        let closed = cal.add_working_days(responded, rng.gen_range(0..=10));
        if closed <= self.today {
            c.status = CaseStatus::Closed.as_str().into();
            c.closed_on = Some(closed);
        }
    }

    /// Resolve a PALS concern: 80% within eight working days, the rest late.
    pub(super) fn progress_concern(&mut self, c: &mut NewCase) {
        let rng = &mut *self.rng;
        let target = c.pals_due_on.unwrap_or(c.received_on);
        let on = if rng.gen_bool(0.8) {
            self.cal
                .add_working_days(c.received_on, rng.gen_range(0..=8))
        } else {
            self.cal.add_working_days(target, rng.gen_range(1..=15))
        };
        if on <= self.today {
            c.status = CaseStatus::Resolved.as_str().into();
            c.resolved_on = Some(on);
        }
    }
}

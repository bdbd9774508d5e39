//! PALS concerns: resolving one, or escalating it to a formal complaint linked both ways.

use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::{Ctx, Step, case_day};
use crate::db::cases::{self, CaseChanges, NewCase};
use crate::db::{DbConnection, timeline};
use crate::domain::case::Case;
use crate::domain::case::{CaseKind, CaseStatus};
use crate::domain::clock::{self, Receipt};
use crate::domain::risk::RiskGrade;
use crate::error::{AppError, AppResult};
use crate::services::case_input::{self as input, Errors, RiskInput};
use crate::services::case_state::{allocate_reference, refresh_next_due};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveRequest {
    pub version: Option<i32>,
    /// What was done to resolve the concern.
    pub resolution_note: String,
    /// Defaults to today.
    pub resolved_on: Option<NaiveDate>,
}

pub fn resolve(
    req: ResolveRequest,
) -> impl FnOnce(&mut DbConnection, &Ctx, &Case) -> AppResult<Step> + Send {
    move |_, ctx, case| {
        let mut e = Errors::default();
        let note = input::text(
            &mut e,
            "resolution_note",
            &req.resolution_note,
            input::MAX_TEXT,
            true,
        );
        let on = case_day(&mut e, "resolved_on", req.resolved_on, ctx, case);
        e.done()?;
        let on_time = case.pals_due_on.map(|d| on <= d);
        ctx.letter(
            "pals_resolution",
            json!({ "resolution_note": note }),
            false,
            "PALS resolution letter",
        );
        Ok(Step {
            changes: CaseChanges {
                resolved_on: Some(Some(on)),
                ..Default::default()
            },
            summary: "PALS concern resolved".into(),
            details: json!({ "resolution_note": note, "within_target": on_time }),
        })
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EscalateRequest {
    pub version: Option<i32>,
    /// Why it became a formal complaint (the person asked, or it needs investigation).
    pub reason: String,
    /// The day the formal complaint was made; defaults to today. The statutory clock starts here.
    pub received_on: Option<NaiveDate>,
    /// Required when the concern was not risk-graded.
    pub risk: Option<RiskInput>,
}

pub fn escalate(
    req: EscalateRequest,
) -> impl FnOnce(&mut DbConnection, &Ctx, &Case) -> AppResult<Step> + Send {
    move |c, ctx, pals| {
        let mut e = Errors::default();
        let reason = input::text(&mut e, "reason", &req.reason, input::MAX_TEXT, true);
        let received = case_day(&mut e, "received_on", req.received_on, ctx, pals);
        let risk = match (req.risk, pals.risk_consequence, pals.risk_likelihood) {
            (Some(r), _, _) => input::risk(&mut e, Some(r), true),
            (None, Some(consequence), Some(likelihood)) => input::risk(
                &mut e,
                Some(RiskInput {
                    consequence,
                    likelihood,
                }),
                true,
            ),
            _ => input::risk(&mut e, None, true),
        };
        e.done()?;
        let complaint_id = insert_escalated(c, ctx, pals, received, risk)?;
        let complaint = cases::find(c, &complaint_id)?
            .ok_or_else(|| AppError::internal("escalated complaint vanished"))?;
        Ok(Step {
            changes: CaseChanges {
                linked_case_id: Some(Some(complaint_id.clone())),
                resolved_on: Some(Some(received)),
                ..Default::default()
            },
            summary: format!("Escalated to formal complaint {}", complaint.reference),
            details: json!({ "reason": reason, "complaint_id": complaint_id, "complaint_reference": complaint.reference }),
        })
    }
}

/// Create the formal complaint for an escalated PALS concern: same people and coding, a new
/// reference, and the statutory clock from the day the complaint was made.
fn insert_escalated(
    c: &mut DbConnection,
    ctx: &Ctx,
    pals: &Case,
    received: NaiveDate,
    risk: Option<(RiskInput, RiskGrade)>,
) -> AppResult<String> {
    let reference = allocate_reference(c, CaseKind::Complaint, ctx.today)?;
    let new = escalated_row(ctx, pals, received, risk, reference);
    cases::insert(c, &new)?;
    let mut coding = cases::coding(c, &pals.id)?;
    for s in &mut coding.subjects {
        s.case_id = new.id.clone();
        s.outcome = None;
    }
    cases::replace_coding(c, &new.id, &coding)?;
    timeline::append(
        c,
        &new.id,
        Some(&ctx.actor.user_id),
        "case_created",
        &format!(
            "Complaint {} logged, escalated from PALS concern {}",
            new.reference, pals.reference
        ),
        &json!({
            "reference": new.reference,
            "kind": CaseKind::Complaint,
            "channel": new.channel,
            "received_on": received,
            "out_of_time": new.out_of_time,
            "risk_grade": new.risk_grade,
            "escalated_from": pals.id,
            "calendar_version": ctx.cal.version,
        }),
        ctx.now,
    )?;
    let stored = cases::find(c, &new.id)?.ok_or_else(|| AppError::internal("case vanished"))?;
    refresh_next_due(c, &ctx.cal, &stored, ctx.today)?;
    Ok(new.id)
}

/// The complaint a PALS concern becomes: its people, facts and consent, a new reference, and
/// the deadlines that follow from the day the complaint was made.
fn escalated_row(
    ctx: &Ctx,
    pals: &Case,
    received: NaiveDate,
    risk: Option<(RiskInput, RiskGrade)>,
    reference: String,
) -> NewCase {
    let due = clock::receipt_deadlines(
        &ctx.cal,
        &ctx.settings.cases,
        Receipt {
            kind: CaseKind::Complaint,
            received_on: received,
            incident_on: pals.incident_on,
            became_aware_on: pals.became_aware_on,
            risk_grade: risk.map(|(_, g)| g),
        },
    );
    NewCase {
        id: crate::db::ids::new_id(),
        reference,
        kind: CaseKind::Complaint.as_str().into(),
        status: CaseStatus::Received.as_str().into(),
        channel: pals.channel.clone(),
        received_on: received,
        incident_on: pals.incident_on,
        became_aware_on: pals.became_aware_on,
        summary: pals.summary.clone(),
        description: pals.description.clone(),
        desired_outcome: pals.desired_outcome.clone(),
        complainant_id: pals.complainant_id.clone(),
        patient_id: pals.patient_id.clone(),
        patient_is_complainant: pals.patient_is_complainant,
        representative_basis: pals.representative_basis.map(|b| b.as_str().into()),
        consent_status: pals.consent_status.as_str().into(),
        consent_requested_on: pals.consent_requested_on,
        consent_received_on: pals.consent_received_on,
        email_consent: pals.email_consent && pals.email_consent_withdrawn_on.is_none(),
        email_consent_on: pals.email_consent_on,
        complainant_status: pals.complainant_status.clone(),
        age_band: pals.age_band.clone(),
        risk_consequence: risk.map(|(r, _)| r.consequence),
        risk_likelihood: risk.map(|(r, _)| r.likelihood),
        risk_grade: risk.map(|(_, g)| g.as_str().into()),
        out_of_time: due.out_of_time,
        acknowledgement_due_on: due.acknowledgement_due_on,
        six_month_letter_due_on: due.six_month_letter_due_on,
        pals_due_on: due.pals_due_on,
        next_due_key: cases::no_due_date(),
        linked_case_id: Some(pals.id.clone()),
        calendar_version: ctx.cal.version,
        version: 1,
        created_by: ctx.actor.user_id.clone(),
        created_at: ctx.now,
        updated_at: ctx.now,
        ..Default::default()
    }
}

//! The response clock: extending the response date, pausing and resuming the clock, and the
//! letter owed when the response takes more than six months.

use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::{Ctx, Step, case_day};
use crate::db::DbConnection;
use crate::db::case_records::{self, Extension, Pause};
use crate::db::cases::CaseChanges;
use crate::domain::case::Case;
use crate::domain::clock;
use crate::error::AppResult;
use crate::services::case_input::{self as input, Errors};
use crate::services::notify::long_date;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtendRequest {
    pub version: Option<i32>,
    pub new_due_on: NaiveDate,
    pub reason: String,
    /// Whether the complainant agreed the new date.
    pub complainant_agreed: bool,
    /// When they agreed; defaults to today when they did.
    pub agreed_on: Option<NaiveDate>,
}

pub fn extend(
    req: ExtendRequest,
) -> impl FnOnce(&mut DbConnection, &Ctx, &Case) -> AppResult<Step> + Send {
    move |c, ctx, case| {
        let mut e = Errors::default();
        let reason = input::text(&mut e, "reason", &req.reason, input::MAX_TEXT, true);
        if case.response_due_on.is_some_and(|d| req.new_due_on <= d) {
            e.add("new_due_on", "must be later than the current response date");
        }
        if req.new_due_on <= ctx.today {
            e.add("new_due_on", "must be in the future");
        }
        let agreed_on = req
            .complainant_agreed
            .then(|| req.agreed_on.unwrap_or(ctx.today));
        if let Some(d) = agreed_on {
            case_day(&mut e, "agreed_on", Some(d), ctx, case);
        }
        if !req.complainant_agreed && req.agreed_on.is_some() {
            e.add("agreed_on", "applies only when the complainant agreed");
        }
        e.done()?;
        case_records::insert_extension(
            c,
            &Extension {
                id: crate::db::ids::new_id(),
                case_id: case.id.clone(),
                previous_due_on: case.response_due_on,
                new_due_on: req.new_due_on,
                reason,
                complainant_agreed: req.complainant_agreed,
                agreed_on,
                created_by: ctx.actor.user_id.clone(),
                created_at: ctx.now,
            },
        )?;
        ctx.letter(
            "extension",
            json!({
                "new_due_on": long_date(req.new_due_on),
                "reason": req.reason.trim(),
                "complainant_agreed": req.complainant_agreed,
            }),
            true,
            "Extension letter",
        );
        // An extension counts as agreed only if agreed before the date it replaces passed.
        let agreed_in_time =
            agreed_on.is_some_and(|on| case.response_due_on.is_none_or(|due| on <= due));
        let six_month = match (case.six_month_letter_due_on, agreed_on) {
            (Some(due), Some(agreed)) => Some(clock::six_month_after_extension(
                due,
                agreed,
                req.new_due_on,
            )),
            (due, _) => due,
        };
        Ok(Step {
            changes: CaseChanges {
                response_due_on: Some(Some(req.new_due_on)),
                response_due_agreed: Some(agreed_in_time),
                six_month_letter_due_on: Some(six_month),
                ..Default::default()
            },
            summary: format!(
                "Response date extended to {}{}",
                req.new_due_on,
                if req.complainant_agreed {
                    " (agreed with the complainant)"
                } else {
                    " (not agreed)"
                }
            ),
            details: json!({}),
        })
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PauseRequest {
    pub version: Option<i32>,
    /// Why the clock stops, e.g. waiting for the patient's consent.
    pub reason: String,
    /// Defaults to today.
    pub paused_on: Option<NaiveDate>,
}

pub fn pause(
    req: PauseRequest,
) -> impl FnOnce(&mut DbConnection, &Ctx, &Case) -> AppResult<Step> + Send {
    move |c, ctx, case| {
        let mut e = Errors::default();
        let reason = input::text(&mut e, "reason", &req.reason, input::MAX_TEXT, true);
        let on = case_day(&mut e, "paused_on", req.paused_on, ctx, case);
        e.done()?;
        case_records::insert_pause(
            c,
            &Pause {
                id: crate::db::ids::new_id(),
                case_id: case.id.clone(),
                paused_on: on,
                resumed_on: None,
                reason,
                working_days: None,
                created_by: ctx.actor.user_id.clone(),
                created_at: ctx.now,
            },
        )?;
        Ok(Step {
            changes: CaseChanges {
                paused_on: Some(Some(on)),
                ..Default::default()
            },
            summary: "Response clock paused".into(),
            details: json!({}),
        })
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResumeRequest {
    pub version: Option<i32>,
    /// Defaults to today.
    pub resumed_on: Option<NaiveDate>,
}

pub fn resume(
    req: ResumeRequest,
) -> impl FnOnce(&mut DbConnection, &Ctx, &Case) -> AppResult<Step> + Send {
    move |c, ctx, case| {
        let mut e = Errors::default();
        let on = case_day(&mut e, "resumed_on", req.resumed_on, ctx, case);
        let paused_on = case.paused_on.unwrap_or(on);
        if on < paused_on {
            e.add("resumed_on", "is before the pause began");
        }
        e.done()?;
        let days = i32::try_from(ctx.cal.working_days_between(paused_on, on)).unwrap_or(i32::MAX);
        case_records::end_pause(c, &case.id, on, days)?;
        let due = case.response_due_on.map(|d| {
            ctx.cal
                .add_working_days(d, u32::try_from(days).unwrap_or(0))
        });
        Ok(Step {
            changes: CaseChanges {
                paused_on: Some(None),
                paused_working_days: Some(case.paused_working_days + days),
                response_due_on: Some(due),
                ..Default::default()
            },
            summary: format!("Response clock resumed after {days} working days"),
            details: json!({ "paused_working_days": days }),
        })
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SixMonthLetterRequest {
    pub version: Option<i32>,
    /// Why the response is taking longer: written to the complainant (reg 14).
    pub explanation: String,
    /// When the response is now expected, if known.
    pub expected_on: Option<NaiveDate>,
    /// The day the letter goes out; defaults to today.
    pub sent_on: Option<NaiveDate>,
}

pub fn six_month_letter(
    req: SixMonthLetterRequest,
) -> impl FnOnce(&mut DbConnection, &Ctx, &Case) -> AppResult<Step> + Send {
    move |_, ctx, case| {
        let mut e = Errors::default();
        let on = case_day(&mut e, "sent_on", req.sent_on, ctx, case);
        let explanation = input::text(
            &mut e,
            "explanation",
            &req.explanation,
            input::MAX_TEXT,
            true,
        );
        if req.expected_on.is_some_and(|d| d <= ctx.today) {
            e.add("expected_on", "must be in the future");
        }
        e.done()?;
        ctx.letter(
            "six_month_delay",
            json!({
                "explanation": explanation,
                "expected_on": req.expected_on.map(long_date),
            }),
            true,
            "Six-month delay letter",
        );
        Ok(Step {
            changes: CaseChanges {
                six_month_letter_sent_on: Some(Some(on)),
                ..Default::default()
            },
            summary: "Six-month delay letter sent".into(),
            details: json!({ "late": case.six_month_letter_due_on.map(|d| on > d) }),
        })
    }
}

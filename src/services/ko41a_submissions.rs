//! KO41a submissions: recording a year's return as submitted to NHS England, listing what
//! was submitted, and showing the live return's differences from the last submission.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::case_input::{self as input, Errors};
use super::reports;
use super::{Actor, audit};
use crate::db::ko41a_submissions::{self as rows, Submission};
use crate::domain::role::Permission;
use crate::error::{AppError, AppResult};
use crate::reports::ko41a::Ko41a;
use crate::reports::ko41a_shown;
use crate::reports::restatement::{self, SinceSubmission};
use crate::reports::suppress::Suppression;
use crate::state::AppState;

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitRequest {
    /// Why, e.g. "Q4 return as uploaded to SDCS" or "Resubmitted after late coding".
    pub note: Option<String>,
}

/// A return as it was submitted.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubmissionView {
    pub id: String,
    /// The year the financial year starts in.
    pub year: i32,
    pub note: Option<String>,
    pub submitted_by: String,
    pub submitted_at: DateTime<Utc>,
    /// The return exactly as submitted.
    #[schema(value_type = Object)]
    pub figures: serde_json::Value,
}

impl TryFrom<Submission> for SubmissionView {
    type Error = AppError;

    fn try_from(s: Submission) -> AppResult<Self> {
        Ok(Self {
            figures: serde_json::from_str(&s.figures)
                .map_err(|e| AppError::internal(format!("ko41a submission {}: {e}", s.id)))?,
            id: s.id,
            year: s.financial_year,
            note: s.note,
            submitted_by: s.submitted_by,
            submitted_at: s.submitted_at.and_utc(),
        })
    }
}

/// Record year `year`'s return, as it stands now, as submitted. A return that fails
/// validation is refused, as NHS England's collection would refuse it.
pub async fn submit(
    state: &AppState,
    actor: &Actor,
    year: i32,
    req: SubmitRequest,
) -> AppResult<SubmissionView> {
    actor.require(Permission::SubmitReturns)?;
    let mut e = Errors::default();
    let note = req
        .note
        .as_deref()
        .map(|n| input::text(&mut e, "note", n, input::MAX_TEXT, false))
        .filter(|n| !n.is_empty());
    if !e.is_empty() {
        return Err(AppError::Validation(e.0));
    }
    let mut figures = reports::ko41a_return(state, actor, Some(year)).await?;
    if !figures.valid {
        return Err(AppError::conflict(format!(
            "The {} return fails validation and cannot be submitted: {}",
            figures.financial_year,
            failures(&figures).join(" ")
        )));
    }
    figures.since_submission = None;
    let row = Submission {
        id: crate::db::ids::new_id(),
        financial_year: year,
        figures: serde_json::to_string(&figures).map_err(|e| AppError::internal(e.to_string()))?,
        note,
        submitted_by: actor.user_id.clone(),
        submitted_at: state.clock.now(),
    };
    let saved = row.clone();
    let (by, now) = (actor.user_id.clone(), state.clock.now());
    state
        .db
        .write(move |c| -> AppResult<()> {
            rows::insert(c, &saved)?;
            let event = audit::Event {
                actor_id: Some(&by),
                action: "report.ko41a_submitted",
                target: Some(audit::Target {
                    kind: "ko41a_submission",
                    id: &saved.id,
                }),
                client: None,
                summary: "KO41a return recorded as submitted to NHS England",
                details: serde_json::json!({ "year": year }),
            };
            audit::record(c, event, now)
        })
        .await?;
    tracing::info!(ko41a.year = year, actor.id = %actor.user_id, "ko41a return submitted");
    SubmissionView::try_from(row)
}

/// Year `year`'s submissions, newest first.
pub async fn list(state: &AppState, actor: &Actor, year: i32) -> AppResult<Vec<SubmissionView>> {
    actor.require(Permission::ReadReports)?;
    crate::reports::period::Period::financial_year(year)?;
    state
        .db
        .read(move |c| rows::for_year(c, year).map_err(AppError::from))
        .await?
        .into_iter()
        .map(|row| {
            let mut view = SubmissionView::try_from(row)?;
            ko41a_shown::protect(&mut view.figures, reports::suppression_for(state, actor));
            Ok(view)
        })
        .collect()
}

/// Year `year`'s return as it stands, with its differences from the last submission, as the
/// reader may see it (the board role: small counts and what would give them away hidden).
pub async fn live(state: &AppState, actor: &Actor, year: Option<i32>) -> AppResult<Value> {
    let r = reports::ko41a_return(state, actor, year).await?;
    let s = reports::suppression_for(state, actor);
    let mut now = serde_json::to_value(&r).map_err(|e| AppError::internal(e.to_string()))?;
    ko41a_shown::protect(&mut now, s);
    if let Some(year) = year {
        compare(state, year, s, &mut now).await?;
    }
    Ok(now)
}

/// The live return against the last submission of its year, if there is one, each as the
/// reader may see it.
async fn compare(state: &AppState, year: i32, s: Suppression, live: &mut Value) -> AppResult<()> {
    let Some(last) = state
        .db
        .read(move |c| rows::latest(c, year).map_err(AppError::from))
        .await?
    else {
        return Ok(());
    };
    let mut submitted: Value = serde_json::from_str(&last.figures)
        .map_err(|e| AppError::internal(format!("ko41a submission {}: {e}", last.id)))?;
    ko41a_shown::protect(&mut submitted, s);
    let since = SinceSubmission {
        submission_id: last.id,
        differences: restatement::differences(&submitted, live),
        submitted_at: last.submitted_at.and_utc(),
        submitted_by: last.submitted_by,
    };
    live["since_submission"] =
        serde_json::to_value(since).map_err(|e| AppError::internal(e.to_string()))?;
    Ok(())
}

fn failures(r: &Ko41a) -> Vec<String> {
    r.total
        .validation
        .iter()
        .chain(r.sites.iter().flat_map(|s| s.sections.validation.iter()))
        .cloned()
        .collect()
}

//! Board reporting requests: who may read them, the suppression that applies to the reader,
//! the scope of a service, and running each report inside one read transaction.

use chrono::NaiveDate;

use super::Actor;
use super::cases::today;
use crate::db::report_queries::Scope;
use crate::db::{DbConnection, services as service_rows};
use crate::domain::role::{Permission, Role};
use crate::error::{AppError, AppResult};
use crate::reports::board::{self, BoardReport};
use crate::reports::ko41a::{self, Ko41a};
use crate::reports::period::Period;
use crate::reports::spc::{self, By, EarlyWarning, Metric, SpcReport};
use crate::reports::suppress::Suppression;
use crate::reports::tree::Tree;
use crate::state::AppState;

/// Counts the reader may see: the board role sees small counts suppressed.
pub fn suppression_for(state: &AppState, actor: &Actor) -> Suppression {
    if actor.role == Role::Board {
        Suppression {
            threshold: state.settings.reports.suppress_below,
        }
    } else {
        Suppression::NONE
    }
}

/// The reporting period from query parameters, both required.
pub fn period(from: Option<NaiveDate>, to: Option<NaiveDate>) -> AppResult<Period> {
    let from = from.ok_or_else(|| AppError::invalid("from", "is required (YYYY-MM-DD)"))?;
    let to = to.ok_or_else(|| AppError::invalid("to", "is required (YYYY-MM-DD)"))?;
    Period::new(from, to)
}

/// The scope of a report about one service (and everything beneath it).
pub fn scope(c: &mut DbConnection, service_id: Option<&str>) -> AppResult<Scope> {
    let Some(id) = service_id else {
        return Ok(Scope::default());
    };
    let tree = Tree::new(service_rows::all(c)?);
    if tree.get(id).is_none() {
        return Err(AppError::invalid("service_id", "is not a known service"));
    }
    Ok(Scope {
        service_ids: Some(tree.with_descendants(id)),
    })
}

/// The board report for a period, optionally about one service.
pub async fn board_report(
    state: &AppState,
    actor: &Actor,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    service_id: Option<String>,
) -> AppResult<BoardReport> {
    actor.require(Permission::ReadReports)?;
    let period = period(from, to)?;
    let s = suppression_for(state, actor);
    let settings = state.settings.clone();
    state
        .db
        .read(move |c| {
            let scope = scope(c, service_id.as_deref())?;
            board::build(c, &settings, &scope, service_id, period, s, today())
        })
        .await
}

/// The chart window: `months` months ending with the month of `to` (default: the last
/// complete month).
fn spc_window(
    state: &AppState,
    to: Option<NaiveDate>,
    months: Option<u32>,
) -> AppResult<(NaiveDate, NaiveDate)> {
    let months = months.unwrap_or(state.settings.reports.spc_months);
    if !(2..=120).contains(&months) {
        return Err(AppError::invalid("months", "must be 2 to 120"));
    }
    let last = match to {
        Some(d) => d,
        None => crate::reports::period::month_start(today())
            .pred_opt()
            .unwrap_or_else(today),
    };
    Ok(spc::window(last, months))
}

/// SPC charts of one metric.
pub async fn spc_report(
    state: &AppState,
    actor: &Actor,
    metric: Metric,
    by: By,
    to: Option<NaiveDate>,
    months: Option<u32>,
) -> AppResult<SpcReport> {
    actor.require(Permission::ReadReports)?;
    let (from_month, to_month) = spc_window(state, to, months)?;
    let s = suppression_for(state, actor);
    let settings = state.settings.reports.clone();
    state
        .db
        .read(move |c| spc::build(c, &settings, metric, by, from_month, to_month, today(), s))
        .await
}

/// Every series whose latest month shows special cause of concern.
pub async fn early_warning(
    state: &AppState,
    actor: &Actor,
    to: Option<NaiveDate>,
    months: Option<u32>,
) -> AppResult<EarlyWarning> {
    actor.require(Permission::ReadReports)?;
    let (from_month, to_month) = spc_window(state, to, months)?;
    let s = suppression_for(state, actor);
    let settings = state.settings.reports.clone();
    state
        .db
        .read(move |c| spc::early_warning(c, &settings, from_month, to_month, today(), s))
        .await
}

/// The KO41a return for the financial year starting in April of `year`. It is a national
/// return of whole numbers, so it is never suppressed; the board role reads it like others.
pub async fn ko41a_return(state: &AppState, actor: &Actor, year: Option<i32>) -> AppResult<Ko41a> {
    actor.require(Permission::ReadReports)?;
    let year = year.ok_or_else(|| {
        AppError::invalid(
            "year",
            "is required: the year the financial year starts (2025 for 2025-26)",
        )
    })?;
    Period::financial_year(year)?;
    state.db.read(move |c| ko41a::build(c, year)).await
}

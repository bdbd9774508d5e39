//! Board reporting requests: who may read them, the suppression that applies to the reader,
//! the scope of a service, and running each report inside one read transaction.

use chrono::NaiveDate;

use super::Actor;
use crate::db::report_queries::Scope;
use crate::db::{DbConnection, services as service_rows};
use crate::domain::role::{Permission, Role};
use crate::error::{AppError, AppResult};
use crate::reports::annual::{self, AnnualReport};
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

/// The period a reader may ask for: the board role reads whole months, quarters and
/// financial years only, so that two overlapping reports can never be differenced to recover
/// a small count.
pub fn period_for(
    actor: &Actor,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> AppResult<Period> {
    let p = period(from, to)?;
    if actor.role == Role::Board && p.whole().is_none() {
        return Err(AppError::invalid(
            "from",
            "the board reads reports for whole reporting periods only: a calendar month, a \
             quarter (from 1 April, 1 July, 1 October or 1 January) or a financial year",
        ));
    }
    Ok(p)
}

/// The `year` parameter of the yearly reports, required.
fn required_year(year: Option<i32>) -> AppResult<i32> {
    year.ok_or_else(|| {
        AppError::invalid(
            "year",
            "is required: the year the financial year starts (2025 for 2025-26)",
        )
    })
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
    let period = period_for(actor, from, to)?;
    let s = suppression_for(state, actor);
    board_in_parallel(state, period, service_id, s).await
}

/// The board report with the two periods computed at once, each in its own read transaction
/// on its own connection (a year over a million cases is about a second of index reads each).
async fn board_in_parallel(
    state: &AppState,
    period: Period,
    service_id: Option<String>,
    s: Suppression,
) -> AppResult<BoardReport> {
    let id = service_id.clone();
    let (scope, labels) = state
        .db
        .read(move |c| {
            let scope = scope(c, id.as_deref())?;
            Ok::<_, AppError>((scope, board::Labels::load(c)?))
        })
        .await?;
    let today = state.clock.today();
    let raw_for = |p: Period| {
        let settings = state.settings.clone();
        let scope = scope.clone();
        state.db.report(move |c| {
            let cal = crate::db::calendar::current(c)?;
            board::raw(c, &cal, &settings, &scope, p, today)
        })
    };
    let (now, before) = tokio::try_join!(raw_for(period), raw_for(period.previous()))?;
    Ok(board::assemble(
        &now, &before, &labels, service_id, period, s, today,
    ))
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
        Some(d) => crate::reports::period::reportable("to", d)?,
        None => {
            let today = state.clock.today();
            crate::reports::period::month_start(today)
                .pred_opt()
                .unwrap_or(today)
        }
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
    let today = state.clock.today();
    state
        .db
        .report(move |c| spc::build(c, &settings, metric, by, from_month, to_month, today, s))
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
    let today = state.clock.today();
    state
        .db
        .report(move |c| spc::early_warning(c, &settings, from_month, to_month, today, s))
        .await
}

/// The KO41a return for the financial year starting in April of `year`, as counted (the board
/// role reads it through `reports::ko41a_shown`, protected like the other reports).
pub async fn ko41a_return(state: &AppState, actor: &Actor, year: Option<i32>) -> AppResult<Ko41a> {
    actor.require(Permission::ReadReports)?;
    let year = required_year(year)?;
    Period::financial_year(year)?;
    // The caseload and the coding are read on two connections at once.
    let (caseload, coding) = tokio::try_join!(
        state.db.report(move |c| ko41a::load_caseload(c, year)),
        state.db.report(move |c| ko41a::load_coding(c, year)),
    )?;
    ko41a::assemble(year, caseload, coding)
}

/// What a board pack link signs: the session and the report's parameters.
const PACK_PURPOSE: &str = "board-pack";
/// How long a board pack link works, in seconds.
pub const PACK_LINK_SECONDS: i64 = 15 * 60;

fn pack_subject(session_id: &str, period: Period, service_id: Option<&str>) -> String {
    format!(
        "{session_id}|{}|{}|{}",
        period.from,
        period.to,
        service_id.unwrap_or("")
    )
}

/// The key of a board pack link, which works in a browser for [`PACK_LINK_SECONDS`] and only
/// while the session that made it lasts.
pub struct PackKey {
    pub period: Period,
    pub service_id: Option<String>,
    /// `<session id>.<signature>`, the link's `key` parameter.
    pub key: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// Sign a board pack link for the actor's session.
pub fn pack_key(
    state: &AppState,
    actor: &Actor,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    service_id: Option<String>,
) -> AppResult<PackKey> {
    actor.require(Permission::ReadReports)?;
    let period = period_for(actor, from, to)?;
    let now = state.clock.now();
    let secret = crate::auth::keys::form_key(state.settings.auth.jwt_secret.expose());
    let token = crate::auth::form_token::issue(
        &secret,
        PACK_PURPOSE,
        &pack_subject(&actor.session_id, period, service_id.as_deref()),
        now,
    );
    Ok(PackKey {
        period,
        service_id,
        key: format!("{}.{token}", actor.session_id),
        expires_at: now.and_utc() + chrono::Duration::seconds(PACK_LINK_SECONDS),
    })
}

/// The reader of a board pack link: its session must still be live.
pub async fn pack_reader(
    state: &AppState,
    key: &str,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    service_id: Option<&str>,
) -> AppResult<Actor> {
    let expired =
        || AppError::Unauthorized("This board pack link has expired or is not valid.".into());
    let period = period(from, to)?;
    let (session_id, token) = key.split_once('.').ok_or_else(expired)?;
    let secret = crate::auth::keys::form_key(state.settings.auth.jwt_secret.expose());
    if !crate::auth::form_token::verify(
        &secret,
        PACK_PURPOSE,
        &pack_subject(session_id, period, service_id),
        token,
        state.clock.now(),
        PACK_LINK_SECONDS,
    ) {
        return Err(expired());
    }
    let sid = session_id.to_string();
    let after = super::auth::opened_after(state, state.clock.now());
    let found = state
        .db
        .read(move |c| -> AppResult<Option<(String, Role)>> {
            let Some(session) = crate::db::sessions::find(c, &sid)? else {
                return Ok(None);
            };
            if session.revoked {
                return Ok(None);
            }
            let role = crate::db::sessions::live_role(c, &sid, &session.user_id, after)?;
            Ok(role.map(|r| (session.user_id, r)))
        })
        .await?;
    let (user_id, role) = found.ok_or_else(expired)?;
    Ok(Actor {
        user_id,
        role,
        session_id: session_id.to_string(),
    })
}

/// The board pack page: the board report with SPC charts of complaints received and of
/// timeliness over the `reports.spc_months` months to the end of the period, and the
/// early-warning list, as the page template's context.
pub async fn board_pack(
    state: &AppState,
    actor: &Actor,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    service_id: Option<String>,
) -> AppResult<serde_json::Value> {
    actor.require(Permission::ReadReports)?;
    let period = period_for(actor, from, to)?;
    let s = suppression_for(state, actor);
    let settings = state.settings.clone();
    let (from_month, to_month) = spc::window(period.to, settings.reports.spc_months);
    let report = board_in_parallel(state, period, service_id, s).await?;
    let today = state.clock.today();
    let (charts, warnings) = state
        .db
        .report(move |c| {
            let mut charts = Vec::new();
            for metric in [
                Metric::ComplaintsReceived,
                Metric::AcknowledgedOnTime,
                Metric::RespondedOnTime,
                Metric::PalsConcernsReceived,
            ] {
                let r = spc::build(
                    c,
                    &settings.reports,
                    metric,
                    By::Trust,
                    from_month,
                    to_month,
                    today,
                    s,
                )?;
                charts.extend(r.series);
            }
            let warnings =
                spc::early_warning(c, &settings.reports, from_month, to_month, today, s)?;
            Ok::<_, AppError>((charts, warnings))
        })
        .await?;
    Ok(crate::reports::pack::context(
        &state.settings.trust.name,
        &report,
        &charts,
        &warnings,
    ))
}

/// The annual complaints report (regulation 18) for the financial year starting in April of
/// `year`. Suppressed for every reader: it is written to be published.
pub async fn annual_report(
    state: &AppState,
    actor: &Actor,
    year: Option<i32>,
) -> AppResult<AnnualReport> {
    actor.require(Permission::ReadReports)?;
    let year = required_year(year)?;
    let period = Period::financial_year(year)?;
    let s = Suppression {
        threshold: state.settings.reports.suppress_below,
    };
    let settings = state.settings.clone();
    let today = state.clock.today();
    state
        .db
        .report(move |c| {
            let report = board::build(c, &settings, &Scope::default(), None, period, s, today)?;
            let (from_month, to_month) = spc::window(period.to, settings.reports.spc_months);
            let warnings =
                spc::early_warning(c, &settings.reports, from_month, to_month, today, s)?;
            let actions = actions_taken(c, period)?;
            Ok(annual::build(
                &settings.trust.name,
                year,
                &report,
                &warnings,
                actions,
            ))
        })
        .await
}

/// Reg 18(d)(iii): the service changes implemented in the period, from the register.
fn actions_taken(c: &mut DbConnection, period: Period) -> AppResult<Vec<annual::Action>> {
    Ok(
        crate::db::service_changes::implemented_between(c, None, period.from, period.to)?
            .into_iter()
            .map(|p| annual::Action {
                service: p.service_name,
                title: p.title,
                summary: p.public_summary,
                implemented_on: p.implemented_on,
                sustained: p.sustained,
            })
            .collect(),
    )
}

/// Evidence for the framework self-assessment over the twelve months ending `on`, as it stands
/// `today` (inside a read transaction; the caller has checked the permission).
pub fn framework_evidence(
    c: &mut DbConnection,
    settings: &crate::config::Settings,
    on: NaiveDate,
    s: Suppression,
    today: NaiveDate,
) -> AppResult<std::collections::BTreeMap<String, crate::reports::evidence::Evidence>> {
    let from = on
        .checked_sub_months(chrono::Months::new(12))
        .and_then(|d| d.succ_opt())
        .unwrap_or(on);
    let period = Period::new(from, on)?;
    let report = board::build(c, settings, &Scope::default(), None, period, s, today)?;
    let last_month = crate::reports::period::month_start(on)
        .pred_opt()
        .unwrap_or(on);
    let (from_month, to_month) = spc::window(last_month, settings.reports.spc_months);
    let warnings = spc::early_warning(c, &settings.reports, from_month, to_month, today, s)?;
    let alerts = crate::db::letters::alert_counts(
        c,
        period.from.and_time(chrono::NaiveTime::MIN),
        on.succ_opt().unwrap_or(on).and_time(chrono::NaiveTime::MIN),
    )?;
    Ok(crate::reports::evidence::build(
        &report, &warnings, &alerts, s,
    ))
}

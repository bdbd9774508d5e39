//! `GET /staff/reports`: the reports a role may read, from the staff pages: the board pack for
//! a period (opened through a short-lived signed link, as the API's pack links), the KO41a
//! return as CSV and the annual report (regulation 18) for a financial year. Aggregates only;
//! every export is on the audit log.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use serde_json::json;

use super::forms::{parse_date, value};
use super::{Staff, app_error, render, see_other, words};
use crate::pages::form_pairs;
use crate::reports::{annual, ko41a};
use crate::services::{audit, ko41a_submissions, reports};
use crate::state::AppState;

const PATH: &str = "/staff/reports";

/// The year the financial year holding `day` starts in (April to March).
pub fn financial_year(day: NaiveDate) -> i32 {
    if day.month() >= 4 {
        day.year()
    } else {
        day.year() - 1
    }
}

pub async fn show(state: web::Data<AppState>, staff: Staff) -> HttpResponse {
    if let Err(e) = staff
        .actor
        .require(crate::domain::role::Permission::ReadReports)
    {
        return app_error(&state, &e);
    }
    let today = state.clock.today();
    let year = financial_year(today);
    let years: Vec<_> = (0..4)
        .map(|back| {
            let y = year - back;
            json!({ "year": y, "label": format!("April {y} to March {}", y + 1) })
        })
        .collect();
    let ctx = json!({
        "title": "Reports",
        "periods": periods(today),
        "years": years,
    });
    render(&state, &staff, StatusCode::OK, "staff_reports", PATH, ctx)
}

/// The whole reporting periods offered for the board pack (the board reads no others): this
/// financial year and the last, the last four quarters begun, and the last twelve months begun.
pub fn periods(today: NaiveDate) -> Vec<serde_json::Value> {
    let day = |y: i32, m: u32, d: u32| NaiveDate::from_ymd_opt(y, m, d).unwrap_or(today);
    let month_end = |y: i32, m: u32| {
        let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
        day(ny, nm, 1).pred_opt().unwrap_or(today)
    };
    let option = |from: NaiveDate, to: NaiveDate, label: String| json!({ "value": format!("{from}..{to}"), "label": label });
    let fy = financial_year(today);
    let mut out = Vec::new();
    for y in [fy, fy - 1] {
        out.push(option(
            day(y, 4, 1),
            day(y + 1, 3, 31),
            format!("Financial year April {y} to March {}", y + 1),
        ));
    }
    // Quarters start in April, July, October and January.
    let (mut y, mut m) = (today.year(), ((today.month() - 1) / 3) * 3 + 1);
    for _ in 0..4 {
        let to = month_end(if m + 2 > 12 { y + 1 } else { y }, (m + 1) % 12 + 1);
        let to = if m == 10 { month_end(y, 12) } else { to };
        out.push(option(
            day(y, m, 1),
            to,
            format!(
                "Quarter {} to {}",
                words::date(day(y, m, 1)),
                words::date(to)
            ),
        ));
        (y, m) = if m == 1 { (y - 1, 10) } else { (y, m - 3) };
    }
    let (mut y, mut m) = (today.year(), today.month());
    for _ in 0..12 {
        out.push(option(
            day(y, m, 1),
            month_end(y, m),
            day(y, m, 1).format("%B %Y").to_string(),
        ));
        (y, m) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
    }
    out
}

/// `POST /staff/reports/board-pack`: sign a pack link for the period and open it.
pub async fn board_pack(
    state: web::Data<AppState>,
    staff: Staff,
    body: web::Bytes,
) -> HttpResponse {
    let pairs = form_pairs(&body).unwrap_or_default();
    if let Some(refused) = staff.csrf_refusal(&state, value(&pairs, "csrf")) {
        return refused;
    }
    let period = value(&pairs, "period").and_then(|p| p.split_once(".."));
    let from = period.and_then(|(f, _)| parse_date(f));
    let to = period.and_then(|(_, t)| parse_date(t));
    let (Some(from), Some(to)) = (from, to) else {
        return super::message(
            &state,
            StatusCode::BAD_REQUEST,
            "Choose a period",
            &[
                "Choose the period the board pack covers.",
                "Go back and try again.",
            ],
        );
    };
    let key = match reports::pack_key(&state, &staff.actor, Some(from), Some(to), None) {
        Ok(k) => k,
        Err(e) => return app_error(&state, &e),
    };
    let details =
        json!({ "from": key.period.from, "to": key.period.to, "service_id": null, "pages": true });
    if let Err(e) = audit::exported(&state, &staff.actor, "board_pack_link", details).await {
        return app_error(&state, &e);
    }
    let query = serde_urlencoded::to_string([
        ("from", key.period.from.to_string()),
        ("to", key.period.to.to_string()),
        ("key", key.key),
    ])
    .unwrap_or_default();
    see_other(&format!("/reports/board?{query}"))
}

#[derive(Debug, Deserialize)]
pub struct YearQuery {
    year: Option<i32>,
}

/// `GET /staff/reports/ko41a.csv?year=`: the year's KO41a return, one row per box.
pub async fn ko41a_csv(
    state: web::Data<AppState>,
    staff: Staff,
    q: web::Query<YearQuery>,
) -> HttpResponse {
    let r = match ko41a_submissions::live(&state, &staff.actor, q.year).await {
        Ok(r) => r,
        Err(e) => return app_error(&state, &e),
    };
    let year = r["financial_year"].clone();
    if let Err(e) =
        audit::exported(&state, &staff.actor, "ko41a_csv", json!({ "year": year })).await
    {
        return app_error(&state, &e);
    }
    crate::http::download::attachment(
        "text/csv; charset=utf-8",
        &format!(
            "ko41a-{}.csv",
            r["financial_year"].as_str().unwrap_or("return")
        ),
        ko41a::to_csv(&r).into(),
    )
}

/// `GET /staff/reports/annual?year=`: the annual report, printable.
pub async fn annual_report(
    state: web::Data<AppState>,
    staff: Staff,
    q: web::Query<YearQuery>,
) -> HttpResponse {
    match reports::annual_report(&state, &staff.actor, q.year).await {
        Ok(r) => {
            crate::http::page::render_standalone(&state, "annual_report", &annual::page_context(&r))
                .unwrap_or_else(|e| app_error(&state, &e))
        }
        Err(e) => app_error(&state, &e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_financial_year_runs_from_april_to_march() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(financial_year(d(2026, 12, 5)), 2026);
        assert_eq!(financial_year(d(2027, 3, 31)), 2026);
        assert_eq!(financial_year(d(2027, 4, 1)), 2027);
        assert_eq!(financial_year(d(2028, 2, 29)), 2027);
    }

    #[test]
    fn the_board_pack_offers_whole_periods_only() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let values: Vec<String> = periods(d(2026, 12, 5))
            .iter()
            .map(|p| p["value"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(values[0], "2026-04-01..2027-03-31");
        assert_eq!(values[1], "2025-04-01..2026-03-31");
        // Quarters: October to December 2026, then July, April and January.
        assert_eq!(values[2], "2026-10-01..2026-12-31");
        assert_eq!(values[3], "2026-07-01..2026-09-30");
        assert_eq!(values[4], "2026-04-01..2026-06-30");
        assert_eq!(values[5], "2026-01-01..2026-03-31");
        // Months: December back to January 2026; February 2026 has 28 days.
        assert_eq!(values[6], "2026-12-01..2026-12-31");
        assert!(values.contains(&"2026-02-01..2026-02-28".to_string()));
        assert_eq!(values.len(), 2 + 4 + 12);
        // In a leap year February has 29.
        let leap: Vec<String> = periods(d(2028, 3, 1))
            .iter()
            .map(|p| p["value"].as_str().unwrap().to_string())
            .collect();
        assert!(leap.contains(&"2028-02-01..2028-02-29".to_string()));
        assert!(leap.contains(&"2028-01-01..2028-03-31".to_string()));
    }
}

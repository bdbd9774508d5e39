//! Board reporting: the board report, SPC charts and early warning, and the KO41a return.
//! Aggregates only; the board role sees counts below `reports.suppress_below` as `null`.

use crate::api::routes::Routes;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;

use super::extract::{ApiJson, AuthUser};
use crate::error::{AppResult, Problem};
use crate::reports::annual::{self, AnnualReport};
use crate::reports::board::BoardReport;
use crate::reports::ko41a::{self, Ko41a};
use crate::reports::spc::{By, EarlyWarning, Metric, SpcReport};
use crate::services::ko41a_submissions::{self, SubmissionView, SubmitRequest};
use crate::services::{audit, reports};
use crate::state::AppState;

pub fn configure(cfg: &mut impl Routes) {
    cfg.service(get_board_report)
        .service(get_spc)
        .service(get_early_warning)
        .service(get_ko41a)
        .service(submit_ko41a)
        .service(list_ko41a_submissions)
        .service(create_pack_link)
        .service(get_annual);
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct BoardQuery {
    /// First day of the period (required).
    pub from: Option<NaiveDate>,
    /// Last day of the period (required); the previous period of the same length is shown
    /// alongside.
    pub to: Option<NaiveDate>,
    /// Only cases about this service and the services beneath it.
    pub service_id: Option<String>,
}

/// The board report for a period, with the previous period alongside: volumes (a complaint
/// about several subjects counts once in totals and once per subject), outcomes, timeliness,
/// meetings (10C), Duty of Candour (11B), handling feedback (10D), ombudsman referrals and the
/// themes rising and falling. No free text from cases. For the board role, counts from 1 to
/// `reports.suppress_below − 1` are `null`, as are percentages built on them.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(BoardQuery),
    responses(
        (status = 200, description = "The board report", body = BoardReport),
        (status = 400, description = "Missing or invalid period or service", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Board members, complaints managers and admins only", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/reports/board")]
pub async fn get_board_report(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<BoardQuery>,
) -> AppResult<web::Json<BoardReport>> {
    let q = query.into_inner();
    reports::board_report(&state, &user.0, q.from, q.to, q.service_id)
        .await
        .map(web::Json)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SpcQuery {
    /// What to chart (default `complaints_received`).
    pub metric: Option<Metric>,
    /// `trust` (default), `subject` or `service` (splits are for `complaints_received`).
    pub by: Option<By>,
    /// A day in the last month charted (default: the last complete month).
    pub to: Option<NaiveDate>,
    /// Months charted (default `reports.spc_months`, 24).
    pub months: Option<u32>,
}

/// Monthly SPC (XmR) charts the Making Data Count way: centre line, process limits, the four
/// special-cause rules (run lengths from config), the variation icon of every month and the
/// assurance icon where a target is set.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(SpcQuery),
    responses(
        (status = 200, description = "One series per chart", body = SpcReport),
        (status = 400, description = "Unknown metric or split, or a bad window", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Board members, complaints managers and admins only", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/reports/spc")]
pub async fn get_spc(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<SpcQuery>,
) -> AppResult<web::Json<SpcReport>> {
    let q = query.into_inner();
    reports::spc_report(
        &state,
        &user.0,
        q.metric.unwrap_or(Metric::ComplaintsReceived),
        q.by.unwrap_or_default(),
        q.to,
        q.months,
    )
    .await
    .map(web::Json)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct WindowQuery {
    /// A day in the last month checked (default: the last complete month).
    pub to: Option<NaiveDate>,
    /// Months of history behind each check (default `reports.spc_months`).
    pub months: Option<u32>,
}

/// Early warning: every series (each metric for the trust, complaints by subject and by
/// service) whose latest month shows special cause of concern.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(WindowQuery),
    responses(
        (status = 200, description = "The series of concern", body = EarlyWarning),
        (status = 400, description = "A bad window", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Board members, complaints managers and admins only", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/reports/spc/early-warning")]
pub async fn get_early_warning(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<WindowQuery>,
) -> AppResult<web::Json<EarlyWarning>> {
    let q = query.into_inner();
    reports::early_warning(&state, &user.0, q.to, q.months)
        .await
        .map(web::Json)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct Ko41aQuery {
    /// The year the financial year starts: 2025 for April 2025 – March 2026 (required).
    pub year: Option<i32>,
    /// `json` (default) or `csv`; `Accept: text/csv` also gives CSV.
    pub format: Option<String>,
}

/// The KO41a return for a financial year: sections 2–8 (overall numbers, age, complainant
/// status, service area, clinical treatment, subject area, profession) in total and per site,
/// with the validation rules checked and any failures listed. Withdrawn complaints are not
/// counted as resolved.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(Ko41aQuery),
    responses(
        (status = 200, description = "The return (JSON, or CSV with one row per box)", content((Ko41a = "application/json"), (String = "text/csv"))),
        (status = 400, description = "Missing or invalid year or format", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Board members, complaints managers and admins only", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/reports/ko41a")]
pub async fn get_ko41a(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    query: web::Query<Ko41aQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let csv = negotiate(&req, q.format.as_deref(), "csv", "text/csv")?;
    let r = ko41a_submissions::live(&state, &user.0, q.year).await?;
    if csv {
        let year = r["financial_year"].clone();
        audit::exported(&state, &user.0, "ko41a_csv", json!({ "year": year })).await?;
        Ok(crate::http::download::attachment(
            "text/csv; charset=utf-8",
            &format!(
                "ko41a-{}.csv",
                r["financial_year"].as_str().unwrap_or("return")
            ),
            ko41a::to_csv(&r).into(),
        ))
    } else {
        Ok(HttpResponse::Ok().json(r))
    }
}

/// Record the year's KO41a return, as it stands now, as submitted to NHS England. The live
/// return then shows every figure that changes after it (`since_submission`).
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(("year" = i32, Path, description = "The year the financial year starts in (2025 for 2025-26)")),
    request_body = SubmitRequest,
    responses(
        (status = 201, description = "The return as submitted", body = SubmissionView),
        (status = 400, description = "Invalid year or note", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Complaints managers and admins only", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The return fails validation", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/reports/ko41a/{year}/submissions")]
pub async fn submit_ko41a(
    state: web::Data<AppState>,
    user: AuthUser,
    year: web::Path<i32>,
    body: ApiJson<serde_json::Value>,
) -> AppResult<HttpResponse> {
    // The role is checked before the body is read: 403 comes before any 400.
    user.0
        .require(crate::domain::role::Permission::SubmitReturns)?;
    let body: SubmitRequest = crate::json::from_value(body.0)?;
    let view = ko41a_submissions::submit(&state, &user.0, year.into_inner(), body).await?;
    Ok(HttpResponse::Created().json(view))
}

/// The year's KO41a submissions, newest first, each with the figures as submitted.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(("year" = i32, Path, description = "The year the financial year starts in")),
    responses(
        (status = 200, description = "Submissions, newest first", body = Vec<SubmissionView>),
        (status = 400, description = "Invalid year", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Board members, complaints managers and admins only", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/reports/ko41a/{year}/submissions")]
pub async fn list_ko41a_submissions(
    state: web::Data<AppState>,
    user: AuthUser,
    year: web::Path<i32>,
) -> AppResult<web::Json<Vec<SubmissionView>>> {
    Ok(web::Json(
        ko41a_submissions::list(&state, &user.0, year.into_inner()).await?,
    ))
}

/// A period (and optionally a service) to make a board pack link for.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PackLinkRequest {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub service_id: Option<String>,
}

/// A board pack link.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct PackLink {
    /// Open in a browser to see (and print) the board pack: `GET /reports/board`.
    pub url: String,
    /// The link stops working then, or when you sign out, whichever is first.
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// Make a short-lived link to the printable board pack (`GET /reports/board?from&to`), an A4
/// page of the board report with SPC charts and theme bars drawn as inline SVG. The link works
/// for 15 minutes and only while this session lasts. (With a bearer token the page can also be
/// fetched directly.)
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    request_body = PackLinkRequest,
    responses(
        (status = 201, description = "The link", body = PackLink),
        (status = 400, description = "Missing or invalid period", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Board members, complaints managers and admins only", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/reports/board-pack-links")]
pub async fn create_pack_link(
    state: web::Data<AppState>,
    user: AuthUser,
    body: ApiJson<serde_json::Value>,
) -> AppResult<HttpResponse> {
    user.0
        .require(crate::domain::role::Permission::ReadReports)?;
    let req: PackLinkRequest = crate::json::from_value(body.0)?;
    let k = reports::pack_key(&state, &user.0, req.from, req.to, req.service_id)?;
    let details = json!({ "from": k.period.from, "to": k.period.to, "service_id": k.service_id });
    audit::exported(&state, &user.0, "board_pack_link", details).await?;
    let url = crate::links::board_pack(
        &state.settings.server.base_url(),
        k.period.from,
        k.period.to,
        k.service_id.as_deref(),
        &k.key,
    );
    Ok(HttpResponse::Created()
        .insert_header(("Cache-Control", "no-store"))
        .json(PackLink {
            url,
            expires_at: k.expires_at,
        }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AnnualQuery {
    /// The year the financial year starts: 2025 for April 2025 – March 2026 (required).
    pub year: Option<i32>,
    /// `json` (default) or `html`; `Accept: text/html` also gives the printable page.
    pub format: Option<String>,
}

/// The annual complaints report (regulation 18): complaints received, decided well-founded
/// and referred to the ombudsman, a summary of their subjects, matters of general importance
/// and the service changes made. Written to be published: counts from 1 to
/// `reports.suppress_below − 1` are `null` for every reader.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(AnnualQuery),
    responses(
        (status = 200, description = "The report (JSON, or a printable HTML page)", content((AnnualReport = "application/json"), (String = "text/html"))),
        (status = 400, description = "Missing or invalid year or format", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Board members, complaints managers and admins only", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/reports/annual")]
pub async fn get_annual(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    query: web::Query<AnnualQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let html = negotiate(&req, q.format.as_deref(), "html", "text/html")?;
    let r = reports::annual_report(&state, &user.0, q.year).await?;
    if html {
        crate::http::page::render_standalone(&state, "annual_report", &annual::page_context(&r))
    } else {
        Ok(HttpResponse::Ok().json(r))
    }
}

/// Whether to answer in the alternative format `name` (`mime`) rather than JSON: from the
/// `format` parameter (`json` or `name`), else from the `Accept` header.
fn negotiate(req: &HttpRequest, format: Option<&str>, name: &str, mime: &str) -> AppResult<bool> {
    match format {
        Some("json") => Ok(false),
        Some(f) if f == name => Ok(true),
        Some(_) => Err(crate::error::AppError::invalid(
            "format",
            format!("must be json or {name}"),
        )),
        None => Ok(req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains(mime))),
    }
}

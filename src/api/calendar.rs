//! England and Wales bank holidays, in versions: every signed-in role reads them; admins
//! publish a new version.

use crate::api::routes::Routes;
use actix_web::{get, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{ApiJson, AuthUser};
use crate::error::{AppResult, Problem};
use crate::services::calendar::BankHoliday;
use crate::services::calendar::{self, Calendar};
use crate::state::AppState;

pub fn configure(cfg: &mut impl Routes) {
    cfg.service(get_bank_holidays)
        .service(replace_bank_holidays);
}

/// One bank holiday.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Holiday {
    #[schema(example = "2031-12-25")]
    pub date: NaiveDate,
    #[schema(example = "Christmas Day")]
    pub name: String,
}

/// A version of the bank holiday calendar.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarResponse {
    pub version: i32,
    /// Why this version was published.
    pub note: String,
    pub created_at: DateTime<Utc>,
    /// The user who published it; `null` for the calendar shipped with Candour.
    pub created_by: Option<String>,
    /// By date: the published days, and for every year the published calendar does not
    /// cover (up to ten years past today) the days by rule, marked `projected`.
    pub holidays: Vec<ListedHoliday>,
}

/// One bank holiday of a listed calendar.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListedHoliday {
    #[schema(example = "2031-12-25")]
    pub date: NaiveDate,
    #[schema(example = "Christmas Day")]
    pub name: String,
    /// Worked out by rule (Good Friday, Easter Monday, the May and August Mondays, Christmas,
    /// Boxing Day and New Year with substitute days) because no published calendar covers
    /// its year; a calendar an admin publishes for the year replaces it.
    pub projected: bool,
}

impl From<Calendar> for CalendarResponse {
    fn from(c: Calendar) -> Self {
        Self {
            version: c.version.version,
            note: c.version.note,
            created_at: c.version.created_at.and_utc(),
            created_by: c.version.created_by,
            holidays: c
                .holidays
                .into_iter()
                .map(|h| ListedHoliday {
                    date: h.date,
                    name: h.name,
                    projected: h.projected,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CalendarQuery {
    /// Only the holidays of this year.
    pub year: Option<i32>,
    /// An older version (default: the newest).
    pub version: Option<i32>,
}

/// The bank holidays of the current (or a given) calendar version.
#[utoipa::path(
    tag = "calendar",
    security(("bearer" = [])),
    params(CalendarQuery),
    responses(
        (status = 200, description = "The calendar", body = CalendarResponse),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such version", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/calendar/bank-holidays")]
pub async fn get_bank_holidays(
    state: web::Data<AppState>,
    _user: AuthUser,
    query: web::Query<CalendarQuery>,
) -> AppResult<web::Json<CalendarResponse>> {
    let found = calendar::get(&state, query.version, query.year).await?;
    Ok(web::Json(found.into()))
}

/// The bank holidays of the years to publish.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplaceCalendarRequest {
    /// Why the calendar changes, e.g. "2031 added; extra bank holiday for …".
    pub note: String,
    /// The bank holidays of the years being published, each date once. Each year named here
    /// is replaced whole; every other year's days carry over from the current version.
    pub holidays: Vec<Holiday>,
}

/// Publish a new calendar version: the years listed are replaced, the others carried over.
///
/// Older versions stay readable with `?version=`.
#[utoipa::path(
    tag = "calendar",
    security(("bearer" = [])),
    request_body = ReplaceCalendarRequest,
    responses(
        (status = 200, description = "The new calendar version", body = CalendarResponse),
        (status = 400, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another version was published at the same moment", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/calendar/bank-holidays")]
pub async fn replace_bank_holidays(
    state: web::Data<AppState>,
    user: AuthUser,
    body: ApiJson<serde_json::Value>,
) -> AppResult<web::Json<CalendarResponse>> {
    // The role is checked before the body is read: 403 comes before any 400.
    user.0
        .require(crate::domain::role::Permission::ManageCalendar)?;
    let body: ReplaceCalendarRequest = crate::json::from_value(body.0)?;
    let b = body;
    let holidays = b
        .holidays
        .into_iter()
        .map(|h| BankHoliday {
            date: h.date,
            name: h.name,
        })
        .collect();
    let published = calendar::publish(&state, &user.0, b.note, holidays).await?;
    Ok(web::Json(published.into()))
}

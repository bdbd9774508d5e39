//! Bank holiday calendars: every signed-in role reads them; admins publish a whole new
//! version in one transaction. Older versions stay readable, because deadlines already
//! worked out name the version they used.

use std::collections::{BTreeSet, HashMap};
use std::ops::RangeInclusive;

use chrono::{Datelike, NaiveDate};

use serde_json::json;

use super::{Actor, audit};
use crate::db::calendar::{self, CalendarVersion};
use crate::domain::bank_holidays;
use crate::domain::role::Permission;
use crate::error::{AppError, AppResult, FieldError};
use crate::reports::period;
use crate::state::AppState;

pub use crate::db::calendar::BankHoliday;

const MAX_NOTE_CHARS: usize = 500;
const MAX_NAME_CHARS: usize = 200;

/// How many years past today the listing runs, projected where not published.
const LISTED_AHEAD: i32 = 10;

/// One day of a listed calendar: published, or projected by rule for a year the published
/// calendar does not cover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedHoliday {
    pub date: NaiveDate,
    pub name: String,
    pub projected: bool,
}

/// A calendar version with its holidays, by date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    pub version: CalendarVersion,
    pub holidays: Vec<ListedHoliday>,
}

/// Calendar `version` (default: the newest): the holidays of `year` if given, otherwise of
/// every year from the first published to ten years past today, each year published or, where
/// the calendar does not cover it, projected by rule.
pub async fn get(state: &AppState, version: Option<i32>, year: Option<i32>) -> AppResult<Calendar> {
    if let Some(y) = year
        && !period::YEARS.contains(&y)
    {
        return Err(AppError::invalid("year", period::years_message()));
    }
    let today = state.clock.today();
    let (version, published) = state
        .db
        .read(move |c| -> AppResult<(CalendarVersion, Vec<BankHoliday>)> {
            let wanted = match version {
                Some(v) => v,
                None => calendar::current_version(c)?,
            };
            let found = calendar::find_version(c, wanted)?.ok_or_else(|| {
                AppError::NotFound(match version {
                    Some(v) => format!("There is no bank holiday calendar version {v}."),
                    None => "No bank holiday calendar has been published.".into(),
                })
            })?;
            let holidays = calendar::holidays(c, found.version)?;
            Ok((found, holidays))
        })
        .await?;
    let years = match year {
        Some(y) => y..=y,
        None => listed_years(&published, today.year()),
    };
    Ok(Calendar {
        version,
        holidays: listing(&published, years),
    })
}

/// From the first published year (or this one) to ten years past today.
fn listed_years(published: &[BankHoliday], this_year: i32) -> RangeInclusive<i32> {
    let first = published.first().map_or(this_year, |h| h.date.year());
    let last = published.last().map_or(this_year, |h| h.date.year());
    first.min(this_year)..=last.max(this_year + LISTED_AHEAD)
}

/// The days of `years`: published where the calendar covers the year, projected otherwise.
fn listing(published: &[BankHoliday], years: RangeInclusive<i32>) -> Vec<ListedHoliday> {
    let covered: BTreeSet<i32> = published.iter().map(|h| h.date.year()).collect();
    let mut days = Vec::new();
    for year in years {
        if covered.contains(&year) {
            days.extend(published.iter().filter(|h| h.date.year() == year).map(|h| {
                ListedHoliday {
                    date: h.date,
                    name: h.name.clone(),
                    projected: false,
                }
            }));
        } else {
            days.extend(
                bank_holidays::england_and_wales(year)
                    .into_iter()
                    .map(|(date, name)| ListedHoliday {
                        date,
                        name: name.into(),
                        projected: true,
                    }),
            );
        }
    }
    days
}

/// Publish a new version (the newest plus one): the years the request lists are replaced by
/// its days, and every other year's days are carried over unchanged.
pub async fn publish(
    state: &AppState,
    actor: &Actor,
    note: String,
    holidays: Vec<BankHoliday>,
) -> AppResult<Calendar> {
    actor.require(Permission::ManageCalendar)?;
    let (note, holidays) = check_calendar(&note, holidays)?;
    let created_by = Some(actor.user_id.clone());
    let clock = state.clock.clone();
    let (version, days) = state
        .db
        .write(move |c| -> AppResult<(CalendarVersion, Vec<BankHoliday>)> {
            let current = calendar::current_version(c)?;
            let replaced: BTreeSet<i32> = holidays.iter().map(|h| h.date.year()).collect();
            let mut days: Vec<BankHoliday> = calendar::holidays(c, current)?
                .into_iter()
                .filter(|h| !replaced.contains(&h.date.year()))
                .chain(holidays)
                .collect();
            days.sort_by_key(|h| h.date);
            let version = CalendarVersion {
                version: current + 1,
                note,
                created_by,
                created_at: clock.now(),
            };
            calendar::insert_version(c, &version).map_err(|e| {
                if e.is_unique_violation() {
                    AppError::conflict(
                        "Another calendar was published at the same moment; reload and try again.",
                    )
                } else {
                    e.into()
                }
            })?;
            for holiday in &days {
                calendar::insert_holiday(c, version.version, holiday)?;
            }
            let n = version.version.to_string();
            let event = audit::Event {
                actor_id: version.created_by.as_deref(),
                action: "calendar.published",
                target: Some(audit::Target {
                    kind: "calendar",
                    id: &n,
                }),
                client: None,
                summary: "Bank holiday calendar published (working-day deadlines follow it)",
                details: json!({ "years_replaced": replaced, "days": days.len() }),
            };
            audit::record(c, event, version.created_at)?;
            Ok((version, days))
        })
        .await?;
    tracing::info!(
        calendar.version = version.version,
        calendar.days = days.len(),
        actor.id = %actor.user_id,
        "bank holiday calendar published"
    );
    let years = listed_years(&days, state.clock.today().year());
    Ok(Calendar {
        version,
        holidays: listing(&days, years),
    })
}

/// Trim and check the note and every holiday, naming each bad field.
fn check_calendar(note: &str, holidays: Vec<BankHoliday>) -> AppResult<(String, Vec<BankHoliday>)> {
    let mut errors = Vec::new();
    let note = note.trim().to_string();
    if note.is_empty() {
        errors.push(FieldError::new(
            "note",
            "is required: say why the calendar changes",
        ));
    } else if note.chars().count() > MAX_NOTE_CHARS {
        errors.push(FieldError::new(
            "note",
            format!("must be at most {MAX_NOTE_CHARS} characters"),
        ));
    }
    if holidays.is_empty() {
        errors.push(FieldError::new("holidays", "must list at least one day"));
    }
    let mut first_seen: HashMap<NaiveDate, usize> = HashMap::new();
    let mut checked = Vec::with_capacity(holidays.len());
    for (i, holiday) in holidays.into_iter().enumerate() {
        let name = holiday.name.trim().to_string();
        if name.is_empty() {
            errors.push(FieldError::new(
                format!("holidays[{i}].name"),
                "is required",
            ));
        } else if name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
            errors.push(FieldError::new(
                format!("holidays[{i}].name"),
                format!("must be at most {MAX_NAME_CHARS} characters, with no control characters"),
            ));
        }
        match first_seen.get(&holiday.date) {
            Some(j) => errors.push(FieldError::new(
                format!("holidays[{i}].date"),
                format!("{} is already listed at holidays[{j}]", holiday.date),
            )),
            None => {
                first_seen.insert(holiday.date, i);
            }
        }
        checked.push(BankHoliday {
            date: holiday.date,
            name,
        });
    }
    if errors.is_empty() {
        Ok((note, checked))
    } else {
        Err(AppError::Validation(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(date: &str, name: &str) -> BankHoliday {
        BankHoliday {
            date: date.parse().unwrap(),
            name: name.into(),
        }
    }

    fn fields(e: AppError) -> Vec<String> {
        match e {
            AppError::Validation(errors) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn a_good_calendar_is_trimmed() {
        let (note, days) =
            check_calendar(" 2031 added ", vec![day("2031-01-01", " New Year's Day ")]).unwrap();
        assert_eq!(note, "2031 added");
        assert_eq!(days[0].name, "New Year's Day");
    }

    #[test]
    fn every_bad_field_is_named() {
        let e = check_calendar(
            " ",
            vec![
                day("2031-01-01", "New Year's Day"),
                day("2031-12-25", ""),
                day("2031-01-01", "Again"),
                day("2031-01-01", "And again"),
            ],
        )
        .unwrap_err();
        assert_eq!(
            fields(e),
            [
                "note",
                "holidays[1].name",
                "holidays[2].date",
                "holidays[3].date"
            ]
        );
        assert_eq!(
            fields(check_calendar("x", vec![]).unwrap_err()),
            ["holidays"]
        );
    }
}

//! Bank holiday calendars: every signed-in role reads them; admins publish a whole new
//! version in one transaction. Older versions stay readable, because deadlines already
//! worked out name the version they used.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::Actor;
use crate::db::calendar::{self, CalendarVersion};
use crate::domain::role::Permission;
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;

pub use crate::db::calendar::BankHoliday;

const MAX_NOTE_CHARS: usize = 500;
const MAX_NAME_CHARS: usize = 200;

/// A calendar version with its holidays, by date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    pub version: CalendarVersion,
    pub holidays: Vec<BankHoliday>,
}

/// Calendar `version` (default: the newest), with only the holidays of `year` if given.
pub async fn get(state: &AppState, version: Option<i32>, year: Option<i32>) -> AppResult<Calendar> {
    let range = year
        .map(|y| {
            NaiveDate::from_ymd_opt(y, 1, 1)
                .zip(NaiveDate::from_ymd_opt(y, 12, 31))
                .ok_or_else(|| AppError::invalid("year", "is not a year Candour can handle"))
        })
        .transpose()?;
    state
        .db
        .read(move |c| -> AppResult<Calendar> {
            let wanted = match version {
                Some(v) => v,
                None => calendar::current_version(c)?,
            };
            let version = calendar::find_version(c, wanted)?.ok_or_else(|| {
                AppError::NotFound(match version {
                    Some(v) => format!("There is no bank holiday calendar version {v}."),
                    None => "No bank holiday calendar has been published.".into(),
                })
            })?;
            let holidays = calendar::holidays(c, version.version, range)?;
            Ok(Calendar { version, holidays })
        })
        .await
}

/// Replace the bank holidays by publishing a new version (the newest plus one).
pub async fn publish(
    state: &AppState,
    actor: &Actor,
    note: String,
    holidays: Vec<BankHoliday>,
) -> AppResult<Calendar> {
    actor.require(Permission::ManageCalendar)?;
    let (note, mut holidays) = check_calendar(&note, holidays)?;
    holidays.sort_by_key(|h| h.date);
    let created_by = Some(actor.user_id.clone());
    let clock = state.clock.clone();
    let calendar = state
        .db
        .write(move |c| -> AppResult<Calendar> {
            let version = CalendarVersion {
                version: calendar::current_version(c)? + 1,
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
            for holiday in &holidays {
                calendar::insert_holiday(c, version.version, holiday)?;
            }
            Ok(Calendar { version, holidays })
        })
        .await?;
    tracing::info!(
        calendar.version = calendar.version.version,
        calendar.days = calendar.holidays.len(),
        actor.id = %actor.user_id,
        "bank holiday calendar published"
    );
    Ok(calendar)
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

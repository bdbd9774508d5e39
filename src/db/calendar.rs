//! Versioned bank holiday calendars.

use std::sync::Mutex;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::calendar_cache;
use super::connection::DbConnection;
use super::error::DbResult;
use super::schema::{bank_holidays, calendar_versions};
use crate::domain::calendar::WorkingCalendar;

/// The newest calendar version.
pub fn current_version(conn: &mut DbConnection) -> DbResult<i32> {
    let v: Option<i32> = calendar_versions::table
        .select(diesel::dsl::max(calendar_versions::version))
        .first(conn)?;
    Ok(v.unwrap_or(0))
}

/// The working calendar at `version`.
pub fn load(conn: &mut DbConnection, version: i32) -> DbResult<WorkingCalendar> {
    let days: Vec<NaiveDate> = bank_holidays::table
        .filter(bank_holidays::version.eq(version))
        .select(bank_holidays::day)
        .order(bank_holidays::day)
        .load(conn)?;
    Ok(built(version, days))
}

/// The last calendar built, with the version and days it was built from. Building one works
/// out forty years of bank holidays by rule, which cost more than reading the days (`perf` on
/// case reads under load); the key is the whole input, so databases that share a process (the
/// tests) never get each other's calendar.
type Built = (i32, Vec<NaiveDate>, WorkingCalendar);
static LAST_BUILT: Mutex<Option<Built>> = Mutex::new(None);

fn built(version: i32, days: Vec<NaiveDate>) -> WorkingCalendar {
    let mut last = LAST_BUILT.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((v, d, cal)) = last.as_ref()
        && *v == version
        && *d == days
    {
        return cal.clone();
    }
    let cal = WorkingCalendar::new(version, days.iter().copied());
    *last = Some((version, days, cal.clone()));
    cal
}

/// The newest working calendar.
///
/// Under a database handle's read or write (which lend it the handle's
/// [`calendar_cache::Calendars`]), a version already built is not read again: a published
/// version's days never change (replacing them publishes a new version), so one query for the
/// newest version number is all a request costs.
pub fn current(conn: &mut DbConnection) -> DbResult<WorkingCalendar> {
    let version = current_version(conn)?;
    at(conn, version)
}

/// The working calendar at `version`, from the handle's cache when it was built before.
pub fn at(conn: &mut DbConnection, version: i32) -> DbResult<WorkingCalendar> {
    if let Some(cal) = calendar_cache::get(version) {
        return Ok(cal);
    }
    let cal = load(conn, version)?;
    calendar_cache::keep(&cal);
    Ok(cal)
}

/// One published calendar: its number, why it was published, by whom and when.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = calendar_versions)]
pub struct CalendarVersion {
    pub version: i32,
    pub note: String,
    /// `None` for the calendar shipped with Candour.
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
}

/// One bank holiday of a calendar.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct BankHoliday {
    pub date: NaiveDate,
    pub name: String,
}

/// Calendar `version`, if it was published.
pub fn find_version(conn: &mut DbConnection, version: i32) -> DbResult<Option<CalendarVersion>> {
    Ok(calendar_versions::table
        .filter(calendar_versions::version.eq(version))
        .select(CalendarVersion::as_select())
        .first(conn)
        .optional()?)
}

/// The holidays of `version`, by date.
pub fn holidays(conn: &mut DbConnection, version: i32) -> DbResult<Vec<BankHoliday>> {
    Ok(bank_holidays::table
        .filter(bank_holidays::version.eq(version))
        .select((bank_holidays::day, bank_holidays::name))
        .order(bank_holidays::day)
        .load(conn)?)
}

/// Record a new calendar version (its holidays are added with [`insert_holiday`]).
pub fn insert_version(conn: &mut DbConnection, version: &CalendarVersion) -> DbResult<()> {
    diesel::insert_into(calendar_versions::table)
        .values((
            calendar_versions::version.eq(version.version),
            calendar_versions::note.eq(&version.note),
            calendar_versions::created_by.eq(&version.created_by),
            calendar_versions::created_at.eq(version.created_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Add one holiday to calendar `version`. (Multi-row inserts do not compile on the
/// two-engine connection, so callers insert in a loop inside their transaction.)
pub fn insert_holiday(
    conn: &mut DbConnection,
    version: i32,
    holiday: &BankHoliday,
) -> DbResult<()> {
    diesel::insert_into(bank_holidays::table)
        .values((
            bank_holidays::version.eq(version),
            bank_holidays::day.eq(holiday.date),
            bank_holidays::name.eq(&holiday.name),
        ))
        .execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_calendar_is_reused_only_for_the_same_version_and_days() {
        // Two databases may both be at version 2 with different published days.
        let one = built(2, vec![day("2031-03-03")]);
        let other = built(2, vec![day("2031-03-04")]);
        assert!(!one.is_working_day(day("2031-03-03")));
        assert!(one.is_working_day(day("2031-03-04")));
        assert!(other.is_working_day(day("2031-03-03")));
        assert!(!other.is_working_day(day("2031-03-04")));
        let again = built(2, vec![day("2031-03-04")]);
        assert_eq!(again, other);
        let newer = built(3, vec![day("2031-03-04")]);
        assert_eq!(newer.version, 3);
    }
}

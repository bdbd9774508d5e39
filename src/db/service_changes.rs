//! Rows and queries for the service changes register ("you said, we did"): the changes, the
//! cases each answers, their history, the public list, and the board report's counts
//! ([`board_counts`], [`implemented_between`]).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::exists;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::connection::{DbConnection, MultiBackend};
use super::error::{DbError, DbResult};
use super::schema::{service_change_cases, service_change_events, service_changes, services};
use super::versioned::versioned_update;
use crate::domain::service_change::{self as rules, ChangeStatus, Milestones};

/// A service change as stored. Serialised (minus bookkeeping) to record before/after values in
/// its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = service_changes, treat_none_as_default_value = false)]
pub struct ServiceChangeRow {
    #[serde(skip)]
    pub id: String,
    pub title: String,
    pub description: String,
    pub reason: String,
    pub public_summary: String,
    pub service_id: String,
    pub owner_id: String,
    pub due_on: NaiveDate,
    pub theme_subject: Option<String>,
    pub theme_service_id: Option<String>,
    pub status: String,
    pub started_at: Option<NaiveDateTime>,
    pub implemented_on: Option<NaiveDate>,
    pub evidence: Option<String>,
    pub verified_by: Option<String>,
    pub verified_at: Option<NaiveDateTime>,
    pub abandoned_reason: Option<String>,
    pub abandoned_at: Option<NaiveDateTime>,
    #[serde(skip)]
    pub version: i32,
    #[serde(skip)]
    pub created_by: String,
    #[serde(skip)]
    pub created_at: NaiveDateTime,
    #[serde(skip)]
    pub updated_at: NaiveDateTime,
}

impl ServiceChangeRow {
    /// The stored status (the CHECK constraint keeps it one of the five).
    pub fn status(&self) -> DbResult<ChangeStatus> {
        self.status
            .parse()
            .map_err(|e: String| DbError::Task(format!("service_changes.status: {e}")))
    }
}

/// The descriptive columns, all written on every edit.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = service_changes, treat_none_as_null = true)]
pub struct ChangeFields {
    pub title: String,
    pub description: String,
    pub reason: String,
    pub public_summary: String,
    pub service_id: String,
    pub owner_id: String,
    pub due_on: NaiveDate,
    pub theme_subject: Option<String>,
    pub theme_service_id: Option<String>,
}

/// The columns a step sets; `None` leaves a column alone.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = service_changes)]
pub struct StatusChanges {
    pub status: Option<String>,
    pub started_at: Option<NaiveDateTime>,
    pub implemented_on: Option<NaiveDate>,
    pub evidence: Option<String>,
    pub verified_by: Option<String>,
    pub verified_at: Option<NaiveDateTime>,
    pub abandoned_reason: Option<String>,
    pub abandoned_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut DbConnection, row: &ServiceChangeRow) -> DbResult<()> {
    diesel::insert_into(service_changes::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &str) -> DbResult<Option<ServiceChangeRow>> {
    Ok(service_changes::table
        .find(id)
        .select(ServiceChangeRow::as_select())
        .first(conn)
        .optional()?)
}

versioned_update!(
    /// Write an edit of the descriptive fields if the change is still at `expected_version`.
    update_fields_versioned,
    service_changes,
    ChangeFields
);

versioned_update!(
    /// Apply a step if the change is still at `expected_version`.
    update_status_versioned,
    service_changes,
    StatusChanges
);

/// The ids of the cases a change answers, in id order.
pub fn case_ids(conn: &mut DbConnection, change_id: &str) -> DbResult<Vec<String>> {
    Ok(service_change_cases::table
        .filter(service_change_cases::service_change_id.eq(change_id))
        .select(service_change_cases::case_id)
        .order(service_change_cases::case_id)
        .load(conn)?)
}

/// (change id, case id) for every link of these changes.
pub fn case_links(
    conn: &mut DbConnection,
    change_ids: &[String],
) -> DbResult<Vec<(String, String)>> {
    Ok(service_change_cases::table
        .filter(service_change_cases::service_change_id.eq_any(change_ids))
        .select((
            service_change_cases::service_change_id,
            service_change_cases::case_id,
        ))
        .order((
            service_change_cases::service_change_id,
            service_change_cases::case_id,
        ))
        .load(conn)?)
}

pub fn link_case(conn: &mut DbConnection, change_id: &str, case_id: &str) -> DbResult<()> {
    diesel::insert_into(service_change_cases::table)
        .values((
            service_change_cases::service_change_id.eq(change_id),
            service_change_cases::case_id.eq(case_id),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn unlink_case(conn: &mut DbConnection, change_id: &str, case_id: &str) -> DbResult<()> {
    diesel::delete(
        service_change_cases::table
            .filter(service_change_cases::service_change_id.eq(change_id))
            .filter(service_change_cases::case_id.eq(case_id)),
    )
    .execute(conn)?;
    Ok(())
}

/// One entry of a change's history.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = service_change_events, treat_none_as_default_value = false)]
pub struct ChangeEvent {
    pub id: String,
    pub service_change_id: String,
    /// The change's version after the event.
    pub seq: i32,
    pub occurred_at: NaiveDateTime,
    pub actor_id: String,
    pub kind: String,
    pub from_status: Option<String>,
    pub to_status: String,
    /// JSON.
    pub details: String,
}

pub fn insert_event(conn: &mut DbConnection, event: &ChangeEvent) -> DbResult<()> {
    diesel::insert_into(service_change_events::table)
        .values(event)
        .execute(conn)?;
    Ok(())
}

/// A change's history, oldest first.
pub fn events(conn: &mut DbConnection, change_id: &str) -> DbResult<Vec<ChangeEvent>> {
    Ok(service_change_events::table
        .filter(service_change_events::service_change_id.eq(change_id))
        .order(service_change_events::seq.asc())
        .select(ChangeEvent::as_select())
        .load(conn)?)
}

/// Which changes a list shows.
#[derive(Debug, Clone, Default)]
pub struct ChangeFilter {
    pub statuses: Vec<ChangeStatus>,
    pub service_id: Option<String>,
    pub owner_id: Option<String>,
    /// Only changes overdue on this day.
    pub overdue_at: Option<NaiveDate>,
    pub case_id: Option<String>,
}

/// Where the previous page ended: the creation time and id of its last row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeCursor {
    pub created_at: NaiveDateTime,
    pub id: String,
}

type Boxed<'a> = service_changes::BoxedQuery<'a, MultiBackend>;

fn filtered(f: &ChangeFilter) -> Boxed<'_> {
    let mut q = service_changes::table.into_boxed();
    if !f.statuses.is_empty() {
        let names: Vec<&str> = f.statuses.iter().map(|s| s.as_str()).collect();
        q = q.filter(service_changes::status.eq_any(names));
    }
    if let Some(id) = &f.service_id {
        q = q.filter(service_changes::service_id.eq(id));
    }
    if let Some(id) = &f.owner_id {
        q = q.filter(service_changes::owner_id.eq(id));
    }
    if let Some(today) = f.overdue_at {
        let open = [
            ChangeStatus::Planned.as_str(),
            ChangeStatus::InProgress.as_str(),
        ];
        q = q
            .filter(service_changes::status.eq_any(open))
            .filter(service_changes::due_on.lt(today));
    }
    if let Some(case_id) = &f.case_id {
        q = q.filter(exists(
            service_change_cases::table
                .filter(service_change_cases::service_change_id.eq(service_changes::id))
                .filter(service_change_cases::case_id.eq(case_id)),
        ));
    }
    q
}

/// A page of changes, newest first, after `cursor`.
pub fn list(
    conn: &mut DbConnection,
    filter: &ChangeFilter,
    cursor: Option<&ChangeCursor>,
    limit: i64,
) -> DbResult<Vec<ServiceChangeRow>> {
    let mut q = filtered(filter);
    if let Some(c) = cursor {
        q = q.filter(
            service_changes::created_at
                .lt(c.created_at)
                .or(service_changes::created_at
                    .eq(c.created_at)
                    .and(service_changes::id.lt(c.id.clone()))),
        );
    }
    Ok(q.order((
        service_changes::created_at.desc(),
        service_changes::id.desc(),
    ))
    .limit(limit)
    .select(ServiceChangeRow::as_select())
    .load(conn)?)
}

/// How many changes match `filter`.
pub fn count(conn: &mut DbConnection, filter: &ChangeFilter) -> DbResult<i64> {
    Ok(filtered(filter).count().get_result(conn)?)
}

/// The changes in the register by status, for the board report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct ServiceChangeCounts {
    /// Planned at the end of the period.
    pub planned: i64,
    /// In progress at the end of the period.
    pub in_progress: i64,
    /// Implemented (`implemented_on`) within the period.
    pub implemented: i64,
    /// Verified as sustained within the period.
    pub sustained: i64,
    /// Abandoned within the period.
    pub abandoned: i64,
    /// Open (planned or in progress) at the end of the period and past their due date on the
    /// earlier of today and the period's last day.
    pub overdue: i64,
}

fn in_period(day: Option<NaiveDate>, from: NaiveDate, to: NaiveDate) -> bool {
    day.is_some_and(|d| from <= d && d <= to)
}

/// Count the register's changes for the board report over [`from`, `to`] (inclusive), for the
/// given services (`None`: every service; a change counts under the service it changes).
///
/// `planned`, `in_progress` and `overdue` are the changes open at the end of `to` (overdue as of
/// the earlier of `today` and `to`); `implemented` counts `implemented_on` within the period,
/// `sustained` verifications and `abandoned` abandonments made within it (UTC days). A change
/// implemented in the period and later abandoned still counts as implemented in it.
pub fn board_counts(
    conn: &mut DbConnection,
    service_ids: Option<&[String]>,
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
) -> DbResult<ServiceChangeCounts> {
    type Dates = (
        NaiveDate,
        NaiveDateTime,
        Option<NaiveDateTime>,
        Option<NaiveDate>,
        Option<NaiveDateTime>,
        Option<NaiveDateTime>,
    );
    // Every change, not only those recorded by `to`: a change recorded later may have been
    // implemented (backdated) within the period. The register is small.
    let mut q = service_changes::table.into_boxed();
    if let Some(ids) = service_ids {
        q = q.filter(service_changes::service_id.eq_any(ids.to_vec()));
    }
    let rows: Vec<Dates> = q
        .select((
            service_changes::due_on,
            service_changes::created_at,
            service_changes::started_at,
            service_changes::implemented_on,
            service_changes::verified_at,
            service_changes::abandoned_at,
        ))
        .load(conn)?;
    let overdue_day = today.min(to);
    let mut n = ServiceChangeCounts::default();
    for (due_on, created, started, implemented_on, verified, abandoned) in rows {
        let m = Milestones {
            created_on: Some(created.date()),
            started_on: started.map(|t| t.date()),
            implemented_on,
            verified_on: verified.map(|t| t.date()),
            abandoned_on: abandoned.map(|t| t.date()),
        };
        match rules::status_on(&m, to) {
            Some(ChangeStatus::Planned) => n.planned += 1,
            Some(ChangeStatus::InProgress) => n.in_progress += 1,
            _ => {}
        }
        if rules::status_on(&m, to).is_some_and(ChangeStatus::is_open) && due_on < overdue_day {
            n.overdue += 1;
        }
        n.implemented += i64::from(in_period(implemented_on, from, to));
        n.sustained += i64::from(in_period(m.verified_on, from, to));
        n.abandoned += i64::from(in_period(m.abandoned_on, from, to));
    }
    Ok(n)
}

/// A change as the public (and the annual report) may read it: no case, no person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct PublicChange {
    pub service_id: String,
    pub service_name: String,
    pub title: String,
    pub public_summary: String,
    pub implemented_on: NaiveDate,
    /// Verified as sustained (for [`implemented_between`]: by the end of the period).
    pub sustained: bool,
}

type PublicRow = (
    String,
    String,
    String,
    String,
    Option<NaiveDate>,
    Option<NaiveDateTime>,
);

fn public_rows(rows: Vec<PublicRow>, sustained_by: Option<NaiveDate>) -> Vec<PublicChange> {
    rows.into_iter()
        .filter_map(
            |(service_id, service_name, title, public_summary, implemented_on, verified_at)| {
                Some(PublicChange {
                    service_id,
                    service_name,
                    title,
                    public_summary,
                    implemented_on: implemented_on?,
                    sustained: verified_at
                        .is_some_and(|v| sustained_by.is_none_or(|d| v.date() <= d)),
                })
            },
        )
        .collect()
}

/// The changes implemented in [`from`, `to`] for the annual report's "actions taken", newest
/// first: those since abandoned are left out; `sustained` means verified by the end of `to`.
pub fn implemented_between(
    conn: &mut DbConnection,
    service_ids: Option<&[String]>,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<Vec<PublicChange>> {
    let public = [
        ChangeStatus::Implemented.as_str(),
        ChangeStatus::Sustained.as_str(),
    ];
    let mut q = service_changes::table
        .inner_join(services::table.on(services::id.eq(service_changes::service_id)))
        .filter(service_changes::status.eq_any(public))
        .filter(service_changes::implemented_on.between(from, to))
        .into_boxed();
    if let Some(ids) = service_ids {
        q = q.filter(service_changes::service_id.eq_any(ids.to_vec()));
    }
    let rows: Vec<PublicRow> = q
        .order((
            service_changes::implemented_on.desc(),
            service_changes::id.desc(),
        ))
        .select((
            service_changes::service_id,
            services::name,
            service_changes::title,
            service_changes::public_summary,
            service_changes::implemented_on,
            service_changes::verified_at,
        ))
        .load(conn)?;
    Ok(public_rows(rows, Some(to)))
}

/// The implemented and sustained changes for the public page, newest first, at most `limit`.
pub fn published(
    conn: &mut DbConnection,
    service_id: Option<&str>,
    limit: i64,
) -> DbResult<Vec<PublicChange>> {
    let public = [
        ChangeStatus::Implemented.as_str(),
        ChangeStatus::Sustained.as_str(),
    ];
    let mut q = service_changes::table
        .inner_join(services::table.on(services::id.eq(service_changes::service_id)))
        .filter(service_changes::status.eq_any(public))
        .into_boxed();
    if let Some(id) = service_id {
        q = q.filter(service_changes::service_id.eq(id.to_string()));
    }
    let rows: Vec<PublicRow> = q
        .order((
            service_changes::implemented_on.desc(),
            service_changes::id.desc(),
        ))
        .limit(limit)
        .select((
            service_changes::service_id,
            services::name,
            service_changes::title,
            service_changes::public_summary,
            service_changes::implemented_on,
            service_changes::verified_at,
        ))
        .load(conn)?;
    Ok(public_rows(rows, None))
}

/// (id, name) of the users with these ids (for owner and actor names).
pub fn user_names(conn: &mut DbConnection, ids: &[String]) -> DbResult<Vec<(String, String)>> {
    use super::schema::users;
    Ok(users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::name))
        .load(conn)?)
}

/// The id and active flag of the user `id`, if there is one.
pub fn user_active(conn: &mut DbConnection, id: &str) -> DbResult<Option<bool>> {
    use super::schema::users;
    Ok(users::table
        .find(id)
        .select(users::active)
        .first(conn)
        .optional()?)
}

/// (id, reference) of the cases with these ids.
pub fn case_references(conn: &mut DbConnection, ids: &[String]) -> DbResult<Vec<(String, String)>> {
    use super::schema::cases;
    Ok(cases::table
        .filter(cases::id.eq_any(ids))
        .select((cases::id, cases::reference))
        .load(conn)?)
}

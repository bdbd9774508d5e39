//! Many-row inserts for synthetic data. Multi-row `INSERT` does not compile against the
//! MultiConnection, so each batch is written on the concrete connection.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::case_records::Response;
use super::cases::NewCase;
use super::chains::HeadRow;
use super::connection::DbConnection;
use super::error::{DbError, DbResult};
use super::schema::{
    audit_heads, case_professions, case_responses, case_services, case_subjects, cases, persons,
    reference_counters, timeline_events,
};
use super::timeline::{Draft, TimelineEvent};
use crate::domain::seal::GENESIS;

/// A person row to insert.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = persons, treat_none_as_default_value = false)]
pub struct PersonRow {
    pub id: String,
    pub full_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub postal_address: Option<String>,
    pub preferred_contact: Option<String>,
    pub nhs_number: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone)]
pub struct CaseServiceRow {
    pub case_id: String,
    pub service_id: String,
    pub kind: String,
    pub received_on: NaiveDate,
    /// The service the complaint is counted at (KO41a site).
    pub is_primary: bool,
}

/// A service row as written: with its case's status, taken from the same batch when it is
/// written (a generator draws the coding before it decides how far the case has gone).
#[derive(Debug, Insertable)]
#[diesel(table_name = case_services, treat_none_as_default_value = false)]
struct StoredServiceRow<'a> {
    case_id: &'a str,
    service_id: &'a str,
    kind: &'a str,
    received_on: NaiveDate,
    is_primary: bool,
    status: &'a str,
}

/// Each service row with the status of its case, which must be in the batch.
fn with_status(b: &Batch) -> DbResult<Vec<StoredServiceRow<'_>>> {
    let status: HashMap<&str, &str> = b
        .cases
        .iter()
        .map(|c| (c.id.as_str(), c.status.as_str()))
        .collect();
    b.services
        .iter()
        .map(|s| {
            let status = status.get(s.case_id.as_str()).ok_or_else(|| {
                DbError::Task("a service row names a case outside its batch".into())
            })?;
            Ok(StoredServiceRow {
                case_id: &s.case_id,
                service_id: &s.service_id,
                kind: &s.kind,
                received_on: s.received_on,
                is_primary: s.is_primary,
                status,
            })
        })
        .collect()
}

/// A coded aspect with its case's kind and day received.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = case_subjects, treat_none_as_default_value = false)]
pub struct CaseSubjectRow {
    pub case_id: String,
    pub subject_code: String,
    pub subcategory_code: Option<String>,
    pub is_primary: bool,
    pub outcome: Option<String>,
    pub kind: String,
    pub received_on: NaiveDate,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = case_professions, treat_none_as_default_value = false)]
pub struct CaseProfessionRow {
    pub case_id: String,
    pub profession_code: String,
    pub kind: String,
    pub received_on: NaiveDate,
}

/// A synthetic case's first timeline event, sealed as it is written.
#[derive(Debug, Clone)]
pub struct FirstEvent {
    pub case_id: String,
    pub occurred_at: NaiveDateTime,
    pub kind: &'static str,
    pub summary: String,
    pub details: String,
}

/// Everything one batch of synthetic cases needs.
#[derive(Debug, Default)]
pub struct Batch {
    pub persons: Vec<PersonRow>,
    pub cases: Vec<NewCase>,
    pub subjects: Vec<CaseSubjectRow>,
    pub services: Vec<CaseServiceRow>,
    pub professions: Vec<CaseProfessionRow>,
    pub responses: Vec<Response>,
    pub events: Vec<FirstEvent>,
}

/// Rows per statement: SQLite allows 32,766 bound values, PostgreSQL 65,535.
const ROWS: usize = 400;

macro_rules! insert_all {
    ($conn:expr, $table:expr, $rows:expr) => {
        for chunk in $rows.chunks(ROWS) {
            match $conn {
                DbConnection::Postgresql(c) => {
                    diesel::insert_into($table).values(chunk).execute(c)?;
                }
                DbConnection::Sqlite(c) => {
                    diesel::insert_into($table).values(chunk).execute(c)?;
                }
            }
        }
    };
}

/// Write a batch; call inside a write transaction.
pub fn insert(conn: &mut DbConnection, b: &Batch) -> DbResult<()> {
    insert_all!(conn, persons::table, &b.persons);
    // Escalated PALS concerns point at complaints in the same batch: insert, then link.
    let links: Vec<(String, String)> = b
        .cases
        .iter()
        .filter_map(|c| c.linked_case_id.clone().map(|l| (c.id.clone(), l)))
        .collect();
    let unlinked: Vec<NewCase> = b
        .cases
        .iter()
        .cloned()
        .map(|mut c| {
            c.linked_case_id = None;
            c
        })
        .collect();
    insert_all!(conn, cases::table, &unlinked);
    for (id, linked) in links {
        diesel::update(cases::table.find(id))
            .set(cases::linked_case_id.eq(Some(linked)))
            .execute(conn)?;
    }
    insert_all!(conn, case_subjects::table, &b.subjects);
    insert_all!(conn, case_services::table, &with_status(b)?);
    insert_all!(conn, case_professions::table, &b.professions);
    insert_all!(conn, case_responses::table, &b.responses);
    let key = super::seal::key()?;
    let events: Vec<TimelineEvent> = b
        .events
        .iter()
        .map(|e| {
            Draft {
                case_id: &e.case_id,
                seq: 1,
                prev_hash: GENESIS.to_string(),
                actor_id: None,
                kind: e.kind,
                summary: &e.summary,
                details: e.details.clone(),
                at: e.occurred_at,
            }
            .seal(&key)
        })
        .collect();
    let heads: Vec<HeadRow> = events
        .iter()
        .map(|e| HeadRow::sealed(&key, &e.case_id, e.seq, &e.hash))
        .collect();
    insert_all!(conn, timeline_events::table, &events);
    insert_all!(conn, audit_heads::table, &heads);
    Ok(())
}

/// The last reference number used for `prefix` in `year` (0 if none).
pub fn reference_counter(conn: &mut DbConnection, prefix: &str, year: i32) -> DbResult<i32> {
    Ok(reference_counters::table
        .filter(reference_counters::prefix.eq(prefix))
        .filter(reference_counters::year.eq(year))
        .select(reference_counters::last_value)
        .first(conn)
        .optional()?
        .unwrap_or(0))
}

/// Set the last reference number used for `prefix` in `year`.
pub fn set_reference_counter(
    conn: &mut DbConnection,
    prefix: &str,
    year: i32,
    value: i32,
) -> DbResult<()> {
    let updated = diesel::update(
        reference_counters::table
            .filter(reference_counters::prefix.eq(prefix))
            .filter(reference_counters::year.eq(year)),
    )
    .set(reference_counters::last_value.eq(value))
    .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(reference_counters::table)
            .values((
                reference_counters::prefix.eq(prefix),
                reference_counters::year.eq(year),
                reference_counters::last_value.eq(value),
            ))
            .execute(conn)?;
    }
    Ok(())
}

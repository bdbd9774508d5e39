//! Rows and queries for Duty of Candour records and their steps (contact attempts included).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::connection::DbConnection;
use super::error::DbResult;
use super::schema::{candour_records, candour_steps, cases};
use super::versioned::versioned_update;
use crate::domain::calendar::WorkingCalendar;
use crate::domain::candour::{
    self as rules, Assessment, CandourFacts, CandourRules, HarmLevel, StepFacts, StepKind,
};

/// A candour record. Serialised (minus free text and bookkeeping) to diff before/after values
/// on the case timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = candour_records, treat_none_as_default_value = false)]
pub struct CandourRecord {
    pub id: String,
    pub case_id: String,
    pub incident_reference: Option<String>,
    pub incident_on: Option<NaiveDate>,
    pub became_aware_on: NaiveDate,
    pub flagged_on: NaiveDate,
    pub flagged_by: String,
    pub harm_level: Option<String>,
    pub harm_decided_by: Option<String>,
    pub harm_decided_on: Option<NaiveDate>,
    #[serde(skip)]
    pub harm_rationale: Option<String>,
    pub exception_kind: Option<String>,
    pub exception_recorded_on: Option<NaiveDate>,
    pub exception_recorded_by: Option<String>,
    #[serde(skip)]
    pub exception_note: Option<String>,
    #[serde(skip)]
    pub version: i32,
    #[serde(skip)]
    pub created_at: NaiveDateTime,
    #[serde(skip)]
    pub updated_at: NaiveDateTime,
}

/// Column changes; `None` leaves a column alone, `Some(None)` clears a nullable one.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = candour_records)]
pub struct CandourChanges {
    pub incident_reference: Option<Option<String>>,
    pub incident_on: Option<Option<NaiveDate>>,
    pub became_aware_on: Option<NaiveDate>,
    pub harm_level: Option<Option<String>>,
    pub harm_decided_by: Option<Option<String>>,
    pub harm_decided_on: Option<Option<NaiveDate>>,
    pub harm_rationale: Option<Option<String>>,
    pub exception_kind: Option<Option<String>>,
    pub exception_recorded_on: Option<Option<NaiveDate>>,
    pub exception_recorded_by: Option<Option<String>>,
    pub exception_note: Option<Option<String>>,
}

pub fn insert(conn: &mut DbConnection, r: &CandourRecord) -> DbResult<()> {
    diesel::insert_into(candour_records::table)
        .values(r)
        .execute(conn)?;
    Ok(())
}

pub fn for_case(conn: &mut DbConnection, case_id: &str) -> DbResult<Option<CandourRecord>> {
    Ok(candour_records::table
        .filter(candour_records::case_id.eq(case_id))
        .select(CandourRecord::as_select())
        .first(conn)
        .optional()?)
}

/// Every record with its case's reference, by the day the trust became aware.
pub fn all_with_reference(conn: &mut DbConnection) -> DbResult<Vec<(CandourRecord, String)>> {
    Ok(candour_records::table
        .inner_join(cases::table)
        .order((
            candour_records::became_aware_on.asc(),
            candour_records::id.asc(),
        ))
        .select((CandourRecord::as_select(), cases::reference))
        .load(conn)?)
}

/// Records whose organisation became aware in [`from`, `to`], optionally only those on cases
/// about some services.
pub fn became_aware_between(
    conn: &mut DbConnection,
    service_ids: Option<&[String]>,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<Vec<CandourRecord>> {
    use super::schema::case_services;
    let mut q = candour_records::table
        .filter(candour_records::became_aware_on.between(from, to))
        .select(CandourRecord::as_select())
        .into_boxed();
    if let Some(ids) = service_ids {
        q = q.filter(diesel::dsl::exists(
            case_services::table
                .filter(case_services::case_id.eq(candour_records::case_id))
                .filter(case_services::service_id.eq_any(ids.to_vec())),
        ));
    }
    Ok(q.load(conn)?)
}

versioned_update!(
    /// Apply a change (or a new step, with no column changes) if the record is still at `expected_version`.
    update_versioned,
    candour_records,
    CandourChanges
);

/// One recorded step or contact attempt.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = candour_steps, treat_none_as_default_value = false)]
pub struct StepRow {
    pub id: String,
    pub record_id: String,
    pub kind: String,
    pub done_on: NaiveDate,
    pub performed_by: String,
    pub method: Option<String>,
    pub outcome: Option<String>,
    pub account_given: Option<bool>,
    pub apology_given: Option<bool>,
    pub support_offered: Option<bool>,
    pub enquiries_explained: Option<bool>,
    pub document_reference: Option<String>,
    pub notes: Option<String>,
    pub recorded_by: String,
    pub created_at: NaiveDateTime,
}

pub fn insert_step(conn: &mut DbConnection, row: &StepRow) -> DbResult<()> {
    diesel::insert_into(candour_steps::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// The steps of several records, by date then entry.
pub fn steps_for(conn: &mut DbConnection, record_ids: &[String]) -> DbResult<Vec<StepRow>> {
    Ok(candour_steps::table
        .filter(candour_steps::record_id.eq_any(record_ids))
        .order((
            candour_steps::done_on.asc(),
            candour_steps::created_at.asc(),
            candour_steps::id.asc(),
        ))
        .select(StepRow::as_select())
        .load(conn)?)
}

impl CandourRecord {
    /// The harm decided, if it has been.
    pub fn harm(&self) -> Option<HarmLevel> {
        self.harm_level.as_deref().and_then(|h| h.parse().ok())
    }

    /// The facts the rules assess: the record and those of `steps` that are its own.
    pub fn facts(&self, steps: &[StepRow]) -> CandourFacts {
        CandourFacts {
            became_aware_on: self.became_aware_on,
            harm: self.harm(),
            exception: self.exception_kind.is_some(),
            steps: steps
                .iter()
                .filter(|s| s.record_id == self.id)
                .filter_map(|s| {
                    Some(StepFacts {
                        kind: s.step_kind()?,
                        done_on: s.done_on,
                        account_given: s.account_given.unwrap_or(false),
                        apology_given: s.apology_given.unwrap_or(false),
                        support_offered: s.support_offered.unwrap_or(false),
                        enquiries_explained: s.enquiries_explained.unwrap_or(false),
                    })
                })
                .collect(),
        }
    }

    /// The record assessed on `today` against the rules, with `steps` (its own among them).
    pub fn assess(
        &self,
        cal: &WorkingCalendar,
        candour: &CandourRules,
        steps: &[StepRow],
        today: NaiveDate,
    ) -> Assessment {
        rules::assess(cal, candour, &self.facts(steps), today)
    }
}

impl StepRow {
    pub fn step_kind(&self) -> Option<StepKind> {
        self.kind.parse().ok()
    }
}

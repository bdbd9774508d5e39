//! Rows and queries for the patient experience improvement framework: its characteristics
//! (shipped by the migration) and the dated self-assessments scored against them.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::connection::DbConnection;
use super::error::DbResult;
use super::schema::{framework_assessment_items, framework_assessments, framework_characteristics};

/// One characteristic of the framework (1A … 23A).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = framework_characteristics)]
pub struct Characteristic {
    pub code: String,
    pub section_number: i32,
    pub section: String,
    pub number: i32,
    pub heading: String,
    pub text: String,
    pub sort_order: i32,
}

/// Every characteristic in the framework's order.
pub fn characteristics(conn: &mut DbConnection) -> DbResult<Vec<Characteristic>> {
    Ok(framework_characteristics::table
        .order(framework_characteristics::sort_order)
        .select(Characteristic::as_select())
        .load(conn)?)
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = framework_assessments, treat_none_as_default_value = false)]
pub struct Assessment {
    pub id: String,
    pub assessed_on: NaiveDate,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = framework_assessment_items, treat_none_as_default_value = false)]
pub struct AssessmentItem {
    pub assessment_id: String,
    pub code: String,
    pub score: i32,
    pub current_position: Option<String>,
    pub planned_action: Option<String>,
    pub good_looks_like: Option<String>,
}

pub fn insert(conn: &mut DbConnection, a: &Assessment, items: &[AssessmentItem]) -> DbResult<()> {
    diesel::insert_into(framework_assessments::table)
        .values(a)
        .execute(conn)?;
    for item in items {
        diesel::insert_into(framework_assessment_items::table)
            .values(item)
            .execute(conn)?;
    }
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &str) -> DbResult<Option<Assessment>> {
    Ok(framework_assessments::table
        .find(id)
        .select(Assessment::as_select())
        .first(conn)
        .optional()?)
}

/// Assessments newest first (by the day assessed, then when recorded).
pub fn list(conn: &mut DbConnection, limit: i64) -> DbResult<Vec<Assessment>> {
    Ok(framework_assessments::table
        .order((
            framework_assessments::assessed_on.desc(),
            framework_assessments::created_at.desc(),
            framework_assessments::id.desc(),
        ))
        .limit(limit)
        .select(Assessment::as_select())
        .load(conn)?)
}

pub fn count(conn: &mut DbConnection) -> DbResult<i64> {
    Ok(framework_assessments::table.count().get_result(conn)?)
}

/// The items of these assessments, in the framework's order.
pub fn items(conn: &mut DbConnection, assessment_ids: &[String]) -> DbResult<Vec<AssessmentItem>> {
    Ok(framework_assessment_items::table
        .inner_join(framework_characteristics::table)
        .filter(framework_assessment_items::assessment_id.eq_any(assessment_ids))
        .order(framework_characteristics::sort_order)
        .select(AssessmentItem::as_select())
        .load(conn)?)
}

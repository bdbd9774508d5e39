//! Rows and queries for ombudsman (PHSO) referrals and their recommendations.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::connection::DbConnection;
use super::error::DbResult;
use super::schema::{ombudsman_recommendations, ombudsman_referrals};
use super::versioned::versioned_update;

/// A referral. Serialised (minus free text and bookkeeping) to diff before/after values on the
/// case timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = ombudsman_referrals, treat_none_as_default_value = false)]
pub struct Referral {
    pub id: String,
    pub case_id: String,
    pub referred_on: NaiveDate,
    pub phso_reference: Option<String>,
    pub decision: Option<String>,
    pub decision_on: Option<NaiveDate>,
    #[serde(skip)]
    pub decision_summary: Option<String>,
    #[serde(skip)]
    pub version: i32,
    pub created_by: String,
    #[serde(skip)]
    pub created_at: NaiveDateTime,
    #[serde(skip)]
    pub updated_at: NaiveDateTime,
}

/// The editable columns, all written on every replace.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = ombudsman_referrals, treat_none_as_null = true)]
pub struct ReferralFields {
    pub referred_on: NaiveDate,
    pub phso_reference: Option<String>,
    pub decision: Option<String>,
    pub decision_on: Option<NaiveDate>,
    pub decision_summary: Option<String>,
}

pub fn insert(conn: &mut DbConnection, r: &Referral) -> DbResult<()> {
    diesel::insert_into(ombudsman_referrals::table)
        .values(r)
        .execute(conn)?;
    Ok(())
}

pub fn for_case(conn: &mut DbConnection, case_id: &str) -> DbResult<Option<Referral>> {
    Ok(ombudsman_referrals::table
        .filter(ombudsman_referrals::case_id.eq(case_id))
        .select(Referral::as_select())
        .first(conn)
        .optional()?)
}

versioned_update!(
    /// Write the fields of a `PUT` if the referral is still at `expected_version`.
    replace_versioned,
    ombudsman_referrals,
    ReferralFields
);

/// One PHSO recommendation and the day it was met.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = ombudsman_recommendations, treat_none_as_default_value = false)]
pub struct Recommendation {
    pub id: String,
    #[serde(skip)]
    pub referral_id: String,
    #[serde(skip)]
    pub position: i32,
    #[serde(skip)]
    pub recommendation: String,
    pub due_on: Option<NaiveDate>,
    pub met_on: Option<NaiveDate>,
}

/// Replace a referral's recommendations (in the given order).
pub fn replace_recommendations(
    conn: &mut DbConnection,
    referral_id: &str,
    rows: &[Recommendation],
) -> DbResult<()> {
    diesel::delete(
        ombudsman_recommendations::table
            .filter(ombudsman_recommendations::referral_id.eq(referral_id)),
    )
    .execute(conn)?;
    for row in rows {
        diesel::insert_into(ombudsman_recommendations::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

pub fn recommendations(
    conn: &mut DbConnection,
    referral_id: &str,
) -> DbResult<Vec<Recommendation>> {
    Ok(ombudsman_recommendations::table
        .filter(ombudsman_recommendations::referral_id.eq(referral_id))
        .order(ombudsman_recommendations::position.asc())
        .select(Recommendation::as_select())
        .load(conn)?)
}

/// Referrals made with `referred_on` in [`from`, `to`], and how many of them the PHSO decided
/// each way (reg 18: the number referred).
pub fn referred_between(
    conn: &mut DbConnection,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<Vec<Option<String>>> {
    referred_between_in(conn, None, from, to)
}

/// [`referred_between`], only for cases about any of `service_ids` (when given).
pub fn referred_between_in(
    conn: &mut DbConnection,
    service_ids: Option<&[String]>,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<Vec<Option<String>>> {
    use super::schema::case_services;
    let mut q = ombudsman_referrals::table
        .filter(ombudsman_referrals::referred_on.between(from, to))
        .select(ombudsman_referrals::decision)
        .into_boxed();
    if let Some(ids) = service_ids {
        q = q.filter(diesel::dsl::exists(
            case_services::table
                .filter(case_services::case_id.eq(ombudsman_referrals::case_id))
                .filter(case_services::service_id.eq_any(ids.to_vec())),
        ));
    }
    Ok(q.load(conn)?)
}

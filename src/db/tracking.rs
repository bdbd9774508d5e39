//! Rows and queries for complainants' tracking links (only the token's hash is stored).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::connection::DbConnection;
use super::error::DbResult;
use super::schema::tracking_links;

/// A stored tracking link.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = tracking_links, treat_none_as_default_value = false)]
pub struct TrackingLink {
    pub id: String,
    pub case_id: String,
    /// SHA-256 of the token, hex.
    pub token_hash: String,
    pub created_at: NaiveDateTime,
    /// `None`: issued by Candour itself (with the acknowledgement).
    pub created_by: Option<String>,
    pub revoked_at: Option<NaiveDateTime>,
    pub revoked_by: Option<String>,
    /// The day `messages_on_day` counts.
    pub message_day: Option<NaiveDate>,
    pub messages_on_day: i32,
}

/// Store a new live link for `case_id` whose token hashes to `token_hash`.
pub fn insert_new(
    conn: &mut DbConnection,
    case_id: &str,
    token_hash: String,
    created_by: Option<&str>,
    now: NaiveDateTime,
) -> DbResult<()> {
    insert(
        conn,
        &TrackingLink {
            id: uuid::Uuid::new_v4().to_string(),
            case_id: case_id.to_string(),
            token_hash,
            created_at: now,
            created_by: created_by.map(str::to_string),
            revoked_at: None,
            revoked_by: None,
            message_day: None,
            messages_on_day: 0,
        },
    )
}

pub fn insert(conn: &mut DbConnection, link: &TrackingLink) -> DbResult<()> {
    diesel::insert_into(tracking_links::table)
        .values(link)
        .execute(conn)?;
    Ok(())
}

/// Revoke every live link of a case; returns how many.
pub fn revoke_live(
    conn: &mut DbConnection,
    case_id: &str,
    by: Option<&str>,
    now: NaiveDateTime,
) -> DbResult<usize> {
    Ok(diesel::update(
        tracking_links::table
            .filter(tracking_links::case_id.eq(case_id))
            .filter(tracking_links::revoked_at.is_null()),
    )
    .set((
        tracking_links::revoked_at.eq(Some(now)),
        tracking_links::revoked_by.eq(by),
    ))
    .execute(conn)?)
}

/// Revoke the live links of a case issued before `before`; returns how many.
pub fn revoke_live_before(
    conn: &mut DbConnection,
    case_id: &str,
    by: Option<&str>,
    before: NaiveDateTime,
    now: NaiveDateTime,
) -> DbResult<usize> {
    Ok(diesel::update(
        tracking_links::table
            .filter(tracking_links::case_id.eq(case_id))
            .filter(tracking_links::revoked_at.is_null())
            .filter(tracking_links::created_at.lt(before)),
    )
    .set((
        tracking_links::revoked_at.eq(Some(now)),
        tracking_links::revoked_by.eq(by),
    ))
    .execute(conn)?)
}

/// The link whose token hashes to `token_hash`.
pub fn find_by_hash(conn: &mut DbConnection, token_hash: &str) -> DbResult<Option<TrackingLink>> {
    Ok(tracking_links::table
        .filter(tracking_links::token_hash.eq(token_hash))
        .select(TrackingLink::as_select())
        .first(conn)
        .optional()?)
}

/// A case's links, newest first.
pub fn for_case(conn: &mut DbConnection, case_id: &str) -> DbResult<Vec<TrackingLink>> {
    Ok(tracking_links::table
        .filter(tracking_links::case_id.eq(case_id))
        .order((tracking_links::created_at.desc(), tracking_links::id.desc()))
        .select(TrackingLink::as_select())
        .load(conn)?)
}

/// Store the message count of a link for `day`.
pub fn set_message_count(
    conn: &mut DbConnection,
    id: &str,
    day: NaiveDate,
    count: i32,
) -> DbResult<()> {
    diesel::update(tracking_links::table.find(id))
        .set((
            tracking_links::message_day.eq(Some(day)),
            tracking_links::messages_on_day.eq(count),
        ))
        .execute(conn)?;
    Ok(())
}

/// The day link `id`'s upload count is for, and the count.
pub fn upload_count(conn: &mut DbConnection, id: &str) -> DbResult<(Option<NaiveDate>, i32)> {
    Ok(tracking_links::table
        .find(id)
        .select((tracking_links::upload_day, tracking_links::uploads_on_day))
        .first(conn)?)
}

/// Record that link `id` uploaded `count` documents on `day`.
pub fn set_upload_count(
    conn: &mut DbConnection,
    id: &str,
    day: NaiveDate,
    count: i32,
) -> DbResult<()> {
    diesel::update(tracking_links::table.find(id))
        .set((
            tracking_links::upload_day.eq(Some(day)),
            tracking_links::uploads_on_day.eq(count),
        ))
        .execute(conn)?;
    Ok(())
}

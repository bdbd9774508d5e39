//! Letters to complainants, and the staff alerts already sent.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::connection::DbConnection;
use super::error::DbResult;
use super::schema::{letters, staff_alerts};

/// A letter as stored: the rendered, printable HTML and how it went out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = letters, treat_none_as_default_value = false)]
pub struct Letter {
    pub id: String,
    pub case_id: String,
    pub template: String,
    pub statutory: bool,
    /// `email` or `post`.
    pub channel: String,
    /// `emailed`, `to_post` or `posted`.
    pub status: String,
    pub subject: String,
    #[serde(skip)]
    pub html: String,
    pub outbox_message_id: Option<String>,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub posted_at: Option<NaiveDateTime>,
    pub posted_by: Option<String>,
    /// When its email died (the letter then waits to be posted instead).
    pub undelivered_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut DbConnection, letter: &Letter) -> DbResult<()> {
    diesel::insert_into(letters::table)
        .values(letter)
        .execute(conn)?;
    Ok(())
}

pub fn for_case(conn: &mut DbConnection, case_id: &str) -> DbResult<Vec<Letter>> {
    Ok(letters::table
        .filter(letters::case_id.eq(case_id))
        .order((letters::created_at.asc(), letters::id.asc()))
        .select(Letter::as_select())
        .load(conn)?)
}

pub fn find(conn: &mut DbConnection, case_id: &str, id: &str) -> DbResult<Option<Letter>> {
    Ok(letters::table
        .filter(letters::case_id.eq(case_id))
        .filter(letters::id.eq(id))
        .select(Letter::as_select())
        .first(conn)
        .optional()?)
}

/// Letters waiting to be printed and posted, oldest first.
pub fn to_post(conn: &mut DbConnection, limit: i64) -> DbResult<Vec<Letter>> {
    Ok(letters::table
        .filter(letters::status.eq("to_post"))
        .order((letters::created_at.asc(), letters::id.asc()))
        .limit(limit)
        .select(Letter::as_select())
        .load(conn)?)
}

/// Record that a printed letter was posted. `false` if it was not waiting to be posted.
pub fn mark_posted(
    conn: &mut DbConnection,
    id: &str,
    user_id: &str,
    now: NaiveDateTime,
) -> DbResult<bool> {
    let n = diesel::update(
        letters::table
            .filter(letters::id.eq(id))
            .filter(letters::status.eq("to_post")),
    )
    .set((
        letters::status.eq("posted"),
        letters::posted_at.eq(Some(now)),
        letters::posted_by.eq(Some(user_id)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Claim the right to send an alert: `false` when `dedupe_key` was already sent (by this or
/// another instance). Call inside the transaction that queues the alert's email.
pub fn claim_alert(
    conn: &mut DbConnection,
    dedupe_key: &str,
    user_id: &str,
    case_id: Option<&str>,
    kind: &str,
    now: NaiveDateTime,
) -> DbResult<bool> {
    let seed = (
        staff_alerts::id.eq(super::ids::new_id()),
        staff_alerts::dedupe_key.eq(dedupe_key),
        staff_alerts::user_id.eq(user_id),
        staff_alerts::case_id.eq(case_id),
        staff_alerts::kind.eq(kind),
        staff_alerts::created_at.eq(now),
    );
    let n = match conn {
        DbConnection::Postgresql(c) => diesel::insert_into(staff_alerts::table)
            .values(seed)
            .on_conflict_do_nothing()
            .execute(c)?,
        DbConnection::Sqlite(c) => diesel::insert_into(staff_alerts::table)
            .values(seed)
            .on_conflict_do_nothing()
            .execute(c)?,
    };
    Ok(n == 1)
}

/// Link a claimed alert to the message that carries it.
pub fn set_alert_message(
    conn: &mut DbConnection,
    dedupe_key: &str,
    message_id: &str,
) -> DbResult<()> {
    diesel::update(staff_alerts::table.filter(staff_alerts::dedupe_key.eq(dedupe_key)))
        .set(staff_alerts::outbox_message_id.eq(Some(message_id)))
        .execute(conn)?;
    Ok(())
}

/// Staff alerts sent in [`from`, `to`), by kind (assigned, due_soon, overdue, digest, …).
pub fn alert_counts(
    conn: &mut DbConnection,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> DbResult<Vec<(String, i64)>> {
    use diesel::dsl::count_star;
    Ok(staff_alerts::table
        .filter(staff_alerts::created_at.ge(from))
        .filter(staff_alerts::created_at.lt(to))
        .group_by(staff_alerts::kind)
        .select((staff_alerts::kind, count_star()))
        .load(conn)?)
}

/// Emailed letters whose email died (every attempt failed), oldest first, at most `limit`.
pub fn with_dead_email(conn: &mut DbConnection, limit: i64) -> DbResult<Vec<Letter>> {
    use super::schema::outbox_messages as o;
    let dead = o::table
        .filter(o::status.eq(crate::domain::outbox::OutboxStatus::Dead.as_str()))
        .select(o::id);
    Ok(letters::table
        .filter(letters::status.eq("emailed"))
        .filter(letters::outbox_message_id.eq_any(dead.nullable()))
        .order((letters::created_at, letters::id))
        .limit(limit)
        .select(Letter::as_select())
        .load(conn)?)
}

/// Turn an emailed letter whose email died into one to print and post. `false` if it was no
/// longer an emailed letter.
pub fn mark_undelivered(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> DbResult<bool> {
    let n = diesel::update(
        letters::table
            .find(id)
            .filter(letters::status.eq("emailed")),
    )
    .set((
        letters::channel.eq("post"),
        letters::status.eq("to_post"),
        letters::undelivered_at.eq(Some(now)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// When each of `outbox_ids` was sent, for those that were.
pub fn sent_at(
    conn: &mut DbConnection,
    outbox_ids: &[String],
) -> DbResult<Vec<(String, NaiveDateTime)>> {
    use super::schema::outbox_messages as o;
    let rows: Vec<(String, Option<NaiveDateTime>)> = o::table
        .filter(o::id.eq_any(outbox_ids))
        .filter(o::status.eq(crate::domain::outbox::OutboxStatus::Sent.as_str()))
        .select((o::id, o::sent_at))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, at)| at.map(|at| (id, at)))
        .collect())
}

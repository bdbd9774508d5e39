//! Failed sign-ins per account and client address: the count, and the lock it leads to.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::connection::DbConnection;
use super::error::DbResult;
use super::schema::{sign_in_failures as f, users};

/// Whether sign-ins to `user_id` from `client` are locked at `now`.
pub fn locked(
    conn: &mut DbConnection,
    user_id: &str,
    client: &str,
    now: NaiveDateTime,
) -> DbResult<bool> {
    let until: Option<Option<NaiveDateTime>> = f::table
        .find((user_id, client))
        .select(f::locked_until)
        .first(conn)
        .optional()?;
    Ok(until.flatten().is_some_and(|u| u > now))
}

/// Count a failure from `client` with one atomic increment (so that concurrent failures all
/// count);
/// at `max`, lock that client out of the account until `lock_until`, and note the lock on the
/// account for administrators. `true` when this failure locked it.
pub fn record(
    conn: &mut DbConnection,
    user_id: &str,
    client: &str,
    max: i32,
    lock_until: NaiveDateTime,
    now: NaiveDateTime,
) -> DbResult<bool> {
    let seed = (
        f::user_id.eq(user_id),
        f::client.eq(client),
        f::failures.eq(0),
        f::updated_at.eq(now),
    );
    match conn {
        DbConnection::Postgresql(c) => diesel::insert_into(f::table)
            .values(seed)
            .on_conflict_do_nothing()
            .execute(c)?,
        DbConnection::Sqlite(c) => diesel::insert_into(f::table)
            .values(seed)
            .on_conflict_do_nothing()
            .execute(c)?,
    };
    let failures: i32 = diesel::update(f::table.find((user_id, client)))
        .set((f::failures.eq(f::failures + 1), f::updated_at.eq(now)))
        .returning(f::failures)
        .get_result(conn)?;
    if failures < max {
        return Ok(false);
    }
    diesel::update(f::table.find((user_id, client)))
        .set((f::failures.eq(0), f::locked_until.eq(Some(lock_until))))
        .execute(conn)?;
    diesel::update(users::table.find(user_id))
        .set(users::locked_until.eq(Some(lock_until)))
        .execute(conn)?;
    Ok(true)
}

/// A successful sign-in from `client`: its failures are forgotten.
pub fn clear(conn: &mut DbConnection, user_id: &str, client: &str) -> DbResult<()> {
    diesel::delete(f::table.find((user_id, client))).execute(conn)?;
    Ok(())
}

/// An administrator's unlock: every client's failures and locks are forgotten.
pub fn clear_all(conn: &mut DbConnection, user_id: &str) -> DbResult<()> {
    diesel::delete(f::table.filter(f::user_id.eq(user_id))).execute(conn)?;
    Ok(())
}

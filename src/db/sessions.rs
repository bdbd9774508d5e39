//! Rows and queries for sign-in sessions and their rotating refresh tokens.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::connection::DbConnection;
use super::error::{DbError, DbResult};
use super::schema::{refresh_tokens, sessions, users};
use crate::domain::role::Role;

/// A session as the token check sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionState {
    pub session_id: String,
    pub user_id: String,
    pub revoked: bool,
    /// When it was opened by a sign-in (its absolute lifetime counts from here).
    pub created_at: NaiveDateTime,
}

/// A refresh token found by its hash.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = refresh_tokens)]
pub struct RefreshTokenRow {
    pub id: String,
    pub session_id: String,
    pub token_hash: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

/// Start a session for `user_id`: a staff-pages one when its cookie's hash is given.
pub fn create(
    conn: &mut DbConnection,
    id: &str,
    user_id: &str,
    cookie_hash: Option<&str>,
    now: NaiveDateTime,
) -> DbResult<()> {
    diesel::insert_into(sessions::table)
        .values((
            sessions::id.eq(id),
            sessions::user_id.eq(user_id),
            sessions::created_at.eq(now),
            sessions::last_refreshed_at.eq(now),
            sessions::cookie_hash.eq(cookie_hash),
        ))
        .execute(conn)?;
    Ok(())
}

/// The session `id`, if it exists.
pub fn find(conn: &mut DbConnection, id: &str) -> DbResult<Option<SessionState>> {
    type Row = (String, String, Option<NaiveDateTime>, NaiveDateTime);
    let row: Option<Row> = sessions::table
        .find(id)
        .select((
            sessions::id,
            sessions::user_id,
            sessions::revoked_at,
            sessions::created_at,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(
        |(session_id, user_id, revoked_at, created_at)| SessionState {
            session_id,
            user_id,
            revoked: revoked_at.is_some(),
            created_at,
        },
    ))
}

/// Revoke session `id` (no-op when already revoked).
pub fn revoke(conn: &mut DbConnection, id: &str, reason: &str, now: NaiveDateTime) -> DbResult<()> {
    diesel::update(
        sessions::table
            .find(id)
            .filter(sessions::revoked_at.is_null()),
    )
    .set((
        sessions::revoked_at.eq(Some(now)),
        sessions::revoked_reason.eq(Some(reason)),
    ))
    .execute(conn)?;
    Ok(())
}

/// Revoke every open session of `user_id`.
pub fn revoke_all_for_user(
    conn: &mut DbConnection,
    user_id: &str,
    reason: &str,
    now: NaiveDateTime,
) -> DbResult<usize> {
    Ok(diesel::update(
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::revoked_at.is_null()),
    )
    .set((
        sessions::revoked_at.eq(Some(now)),
        sessions::revoked_reason.eq(Some(reason)),
    ))
    .execute(conn)?)
}

/// Revoke every open session of `user_id` except `keep`.
pub fn revoke_others_for_user(
    conn: &mut DbConnection,
    user_id: &str,
    keep: &str,
    reason: &str,
    now: NaiveDateTime,
) -> DbResult<usize> {
    Ok(diesel::update(
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::id.ne(keep))
            .filter(sessions::revoked_at.is_null()),
    )
    .set((
        sessions::revoked_at.eq(Some(now)),
        sessions::revoked_reason.eq(Some(reason)),
    ))
    .execute(conn)?)
}

/// The user's current role if the session is open, was opened after `opened_after` (its
/// absolute lifetime has not run out) and the user is active: the check behind every access
/// token.
pub fn live_role(
    conn: &mut DbConnection,
    session_id: &str,
    user_id: &str,
    opened_after: NaiveDateTime,
) -> DbResult<Option<Role>> {
    let found: Option<String> = on_engine!(conn, |c| sessions::table
        .inner_join(users::table)
        .filter(sessions::id.eq(session_id))
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::created_at.gt(opened_after))
        .filter(users::active.eq(true))
        .select(users::role)
        .first(c)
        .optional())?;
    found
        .map(|r| {
            r.parse()
                .map_err(|e: String| DbError::Task(format!("users.role: {e}")))
        })
        .transpose()
}

/// Store a new refresh token (its hash only) for a session.
pub fn add_refresh_token(
    conn: &mut DbConnection,
    id: &str,
    session_id: &str,
    token_hash: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> DbResult<()> {
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::id.eq(id),
            refresh_tokens::session_id.eq(session_id),
            refresh_tokens::token_hash.eq(token_hash),
            refresh_tokens::created_at.eq(now),
            refresh_tokens::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    diesel::update(sessions::table.find(session_id))
        .set(sessions::last_refreshed_at.eq(now))
        .execute(conn)?;
    Ok(())
}

/// The refresh token with this hash.
pub fn find_refresh_token(
    conn: &mut DbConnection,
    token_hash: &str,
) -> DbResult<Option<RefreshTokenRow>> {
    Ok(refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(token_hash))
        .select(RefreshTokenRow::as_select())
        .first(conn)
        .optional()?)
}

/// Spend a refresh token. `false` when someone spent it first (a reuse).
pub fn spend_refresh_token(
    conn: &mut DbConnection,
    id: &str,
    now: NaiveDateTime,
) -> DbResult<bool> {
    let changed = diesel::update(
        refresh_tokens::table
            .find(id)
            .filter(refresh_tokens::used_at.is_null()),
    )
    .set(refresh_tokens::used_at.eq(Some(now)))
    .execute(conn)?;
    Ok(changed == 1)
}

/// A staff-pages session found by its cookie's hash, with what the page check needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieSession {
    pub session_id: String,
    pub user_id: String,
    pub role: Role,
    /// The user's name, for the page header.
    pub name: String,
    pub revoked: bool,
    pub user_active: bool,
    pub created_at: NaiveDateTime,
    /// When a page last used it (for the idle timeout).
    pub last_seen_at: NaiveDateTime,
}

/// The staff-pages session whose cookie hashes to `cookie_hash`.
pub fn find_by_cookie(
    conn: &mut DbConnection,
    cookie_hash: &str,
) -> DbResult<Option<CookieSession>> {
    type Row = (
        String,
        String,
        String,
        String,
        Option<NaiveDateTime>,
        bool,
        NaiveDateTime,
        NaiveDateTime,
    );
    let row: Option<Row> = sessions::table
        .inner_join(users::table)
        .filter(sessions::cookie_hash.eq(cookie_hash))
        .select((
            sessions::id,
            sessions::user_id,
            users::role,
            users::name,
            sessions::revoked_at,
            users::active,
            sessions::created_at,
            sessions::last_refreshed_at,
        ))
        .first(conn)
        .optional()?;
    row.map(
        |(session_id, user_id, role, name, revoked_at, active, created, seen)| {
            Ok(CookieSession {
                session_id,
                user_id,
                role: role
                    .parse()
                    .map_err(|e: String| DbError::Task(format!("users.role: {e}")))?,
                name,
                revoked: revoked_at.is_some(),
                user_active: active,
                created_at: created,
                last_seen_at: seen,
            })
        },
    )
    .transpose()
}

/// Record that a page used session `id` at `now`.
pub fn touch(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> DbResult<()> {
    diesel::update(sessions::table.find(id))
        .set(sessions::last_refreshed_at.eq(now))
        .execute(conn)?;
    Ok(())
}

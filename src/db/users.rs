//! Rows and queries for staff accounts.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::connection::{DbConnection, MultiBackend};
use super::error::{DbError, DbResult};
use super::schema::users;
use crate::domain::account::User;
use crate::domain::role::Role;

diesel::define_sql_function! {
    /// SQL `lower()`: the same on both engines for ASCII.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
struct UserRow {
    id: String,
    email: String,
    name: String,
    role: String,
    password_hash: String,
    active: bool,
    failed_logins: i32,
    locked_until: Option<NaiveDateTime>,
    last_login_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

impl UserRow {
    fn into_user(self) -> DbResult<(User, String)> {
        let role: Role = self
            .role
            .parse()
            .map_err(|e: String| DbError::Task(format!("users.role: {e}")))?;
        let user = User {
            id: self.id,
            email: self.email,
            name: self.name,
            role,
            active: self.active,
            failed_logins: self.failed_logins,
            locked_until: self.locked_until,
            last_login_at: self.last_login_at,
            created_at: self.created_at,
            updated_at: self.updated_at,
        };
        Ok((user, self.password_hash))
    }
}

/// A user to insert.
pub struct NewUser<'a> {
    pub id: &'a str,
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub password_hash: &'a str,
    pub now: NaiveDateTime,
}

/// Insert a user; a taken email (in any letter case) is a unique violation.
pub fn insert(conn: &mut DbConnection, new: &NewUser<'_>) -> DbResult<User> {
    diesel::insert_into(users::table)
        .values((
            users::id.eq(new.id),
            users::email.eq(new.email),
            users::name.eq(new.name),
            users::role.eq(new.role.as_str()),
            users::password_hash.eq(new.password_hash),
            users::active.eq(true),
            users::failed_logins.eq(0),
            users::created_at.eq(new.now),
            users::updated_at.eq(new.now),
        ))
        .execute(conn)?;
    find(conn, new.id)?.ok_or(DbError::Query(diesel::result::Error::NotFound))
}

/// The user with `id`.
pub fn find(conn: &mut DbConnection, id: &str) -> DbResult<Option<User>> {
    Ok(find_by_id_with_hash(conn, id)?.map(|(u, _)| u))
}

/// The user whose email matches `email` in any letter case, with their password hash.
pub fn find_by_email_with_hash(
    conn: &mut DbConnection,
    email: &str,
) -> DbResult<Option<(User, String)>> {
    let wanted = email.trim().to_lowercase();
    first(
        conn,
        users::table
            .filter(lower(users::email).eq(wanted))
            .into_boxed(),
    )
}

/// The user with `id`, with their password hash.
pub fn find_by_id_with_hash(conn: &mut DbConnection, id: &str) -> DbResult<Option<(User, String)>> {
    first(
        conn,
        users::table
            .filter(users::id.eq(id.to_string()))
            .into_boxed(),
    )
}

fn first(
    conn: &mut DbConnection,
    query: users::BoxedQuery<'static, MultiBackend>,
) -> DbResult<Option<(User, String)>> {
    query
        .select(UserRow::as_select())
        .first(conn)
        .optional()?
        .map(UserRow::into_user)
        .transpose()
}

/// How many accounts exist.
pub fn count(conn: &mut DbConnection) -> DbResult<i64> {
    Ok(users::table.count().get_result(conn)?)
}

/// How many active accounts hold `role`.
pub fn count_active_with_role(conn: &mut DbConnection, role: Role) -> DbResult<i64> {
    Ok(users::table
        .filter(users::role.eq(role.as_str()))
        .filter(users::active.eq(true))
        .count()
        .get_result(conn)?)
}

/// Filters for the user list.
#[derive(Debug, Default, Clone)]
pub struct UserFilter {
    pub role: Option<Role>,
    pub active: Option<bool>,
    /// Only users whose lower-cased email sorts after this one (the cursor).
    pub after_email: Option<String>,
}

/// Users ordered by email (case-insensitively), at most `limit`.
pub fn list(conn: &mut DbConnection, filter: &UserFilter, limit: i64) -> DbResult<Vec<User>> {
    let mut query = users::table.select(UserRow::as_select()).into_boxed();
    if let Some(role) = filter.role {
        query = query.filter(users::role.eq(role.as_str()));
    }
    if let Some(active) = filter.active {
        query = query.filter(users::active.eq(active));
    }
    if let Some(after) = &filter.after_email {
        query = query.filter(lower(users::email).gt(after.clone()));
    }
    query
        .order(lower(users::email).asc())
        .limit(limit)
        .load(conn)?
        .into_iter()
        .map(|row| row.into_user().map(|(u, _)| u))
        .collect()
}

/// Changes an admin may make to an account.
#[derive(Debug, Default, Clone)]
pub struct UserChanges {
    pub name: Option<String>,
    pub role: Option<Role>,
    pub active: Option<bool>,
}

#[derive(AsChangeset)]
#[diesel(table_name = users)]
struct UserChangeset<'a> {
    name: Option<&'a str>,
    role: Option<&'a str>,
    active: Option<bool>,
    updated_at: NaiveDateTime,
}

/// Apply `changes` to user `id`.
pub fn update(
    conn: &mut DbConnection,
    id: &str,
    changes: &UserChanges,
    now: NaiveDateTime,
) -> DbResult<()> {
    let set = UserChangeset {
        name: changes.name.as_deref(),
        role: changes.role.map(Role::as_str),
        active: changes.active,
        updated_at: now,
    };
    diesel::update(users::table.find(id))
        .set(&set)
        .execute(conn)?;
    Ok(())
}

/// A successful sign-in. A lock noted on the account stays: it holds for the address it came
/// from, which this sign-in may not be.
pub fn record_login(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> DbResult<()> {
    diesel::update(users::table.find(id))
        .set(users::last_login_at.eq(Some(now)))
        .execute(conn)?;
    Ok(())
}

/// Lift a lockout and forget past failures.
pub fn unlock(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> DbResult<()> {
    diesel::update(users::table.find(id))
        .set((
            users::failed_logins.eq(0),
            users::locked_until.eq(None::<NaiveDateTime>),
            users::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Store a new password hash (and lift any lockout).
pub fn set_password(
    conn: &mut DbConnection,
    id: &str,
    hash: &str,
    now: NaiveDateTime,
) -> DbResult<()> {
    diesel::update(users::table.find(id))
        .set((
            users::password_hash.eq(hash),
            users::failed_logins.eq(0),
            users::locked_until.eq(None::<NaiveDateTime>),
            users::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// The names of the users with these ids, by id (unknown ids are left out).
pub fn names(
    conn: &mut DbConnection,
    ids: &[String],
) -> DbResult<std::collections::HashMap<String, String>> {
    let rows: Vec<(String, String)> = users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::name))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

//! The trust's service tree: sites, directorates, specialties, wards and teams.

use chrono::NaiveDateTime;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use super::connection::DbConnection;
use super::error::{DbError, DbResult};
use super::schema::services;
use crate::domain::service::{Service, ServiceKind};

/// One node of the service tree.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = services)]
pub struct ServiceRow {
    pub id: String,
    pub parent_id: Option<String>,
    pub kind: String,
    pub code: String,
    pub name: String,
    pub service_area: Option<String>,
    pub lead_user_id: Option<String>,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Every service (the tree is small: hundreds of rows at most).
pub fn all(conn: &mut DbConnection) -> DbResult<Vec<ServiceRow>> {
    Ok(services::table
        .select(ServiceRow::as_select())
        .order((services::code, services::id))
        .load(conn)?)
}

/// The services with these ids.
pub fn find_many(conn: &mut DbConnection, ids: &[String]) -> DbResult<Vec<ServiceRow>> {
    Ok(services::table
        .filter(services::id.eq_any(ids))
        .select(ServiceRow::as_select())
        .load(conn)?)
}

/// The ids of the services `user_id` leads, with every service beneath them.
pub fn led_by(conn: &mut DbConnection, user_id: &str) -> DbResult<Vec<String>> {
    let all = all(conn)?;
    let mut led: Vec<String> = all
        .iter()
        .filter(|s| s.lead_user_id.as_deref() == Some(user_id))
        .map(|s| s.id.clone())
        .collect();
    let mut i = 0;
    while i < led.len() {
        let parent = led[i].clone();
        for child in all
            .iter()
            .filter(|s| s.parent_id.as_deref() == Some(parent.as_str()))
        {
            if !led.contains(&child.id) {
                led.push(child.id.clone());
            }
        }
        i += 1;
    }
    Ok(led)
}

impl ServiceRow {
    /// The domain service this row stores.
    pub fn into_service(self) -> DbResult<Service> {
        let kind: ServiceKind = self
            .kind
            .parse()
            .map_err(|e: String| DbError::Task(format!("services.kind: {e}")))?;
        Ok(Service {
            id: self.id,
            parent_id: self.parent_id,
            kind,
            code: self.code,
            name: self.name,
            service_area: self.service_area,
            lead_user_id: self.lead_user_id,
            active: self.active,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// Filters for the service list.
#[derive(Debug, Default, Clone)]
pub struct ServiceFilter {
    pub active: Option<bool>,
    pub kind: Option<ServiceKind>,
}

/// Services matching `filter`, ordered by code.
pub fn list(conn: &mut DbConnection, filter: &ServiceFilter) -> DbResult<Vec<Service>> {
    let mut query = services::table.select(ServiceRow::as_select()).into_boxed();
    if let Some(active) = filter.active {
        query = query.filter(services::active.eq(active));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(services::kind.eq(kind.as_str()));
    }
    query
        .order((services::code, services::id))
        .load(conn)?
        .into_iter()
        .map(ServiceRow::into_service)
        .collect()
}

/// The service with `id`.
pub fn find(conn: &mut DbConnection, id: &str) -> DbResult<Option<Service>> {
    services::table
        .filter(services::id.eq(id.to_string()))
        .select(ServiceRow::as_select())
        .first(conn)
        .optional()?
        .map(ServiceRow::into_service)
        .transpose()
}

/// Whether a service already uses `code`.
pub fn code_taken(conn: &mut DbConnection, code: &str) -> DbResult<bool> {
    let n: i64 = services::table
        .filter(services::code.eq(code.to_string()))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// The codes of the active services directly under `id`.
pub fn active_child_codes(conn: &mut DbConnection, id: &str) -> DbResult<Vec<String>> {
    Ok(services::table
        .filter(services::parent_id.eq(id.to_string()))
        .filter(services::active.eq(true))
        .select(services::code)
        .order(services::code)
        .load(conn)?)
}

/// A service to insert.
pub struct NewService<'a> {
    pub id: &'a str,
    pub parent_id: Option<&'a str>,
    pub kind: ServiceKind,
    pub code: &'a str,
    pub name: &'a str,
    pub service_area: Option<&'a str>,
    pub lead_user_id: Option<&'a str>,
    pub active: bool,
    pub now: NaiveDateTime,
}

/// Insert a service; a taken code is a unique violation.
pub fn insert(conn: &mut DbConnection, new: &NewService<'_>) -> DbResult<Service> {
    diesel::insert_into(services::table)
        .values((
            services::id.eq(new.id),
            services::parent_id.eq(new.parent_id),
            services::kind.eq(new.kind.as_str()),
            services::code.eq(new.code),
            services::name.eq(new.name),
            services::service_area.eq(new.service_area),
            services::lead_user_id.eq(new.lead_user_id),
            services::active.eq(new.active),
            services::created_at.eq(new.now),
            services::updated_at.eq(new.now),
        ))
        .execute(conn)?;
    find(conn, new.id)?.ok_or(DbError::Query(diesel::result::Error::NotFound))
}

/// Changes to a service. For the nullable fields, `Some(None)` clears the value.
#[derive(Debug, Default, Clone)]
pub struct ServiceChanges {
    pub name: Option<String>,
    pub parent_id: Option<Option<String>>,
    pub lead_user_id: Option<Option<String>>,
    pub service_area: Option<Option<String>>,
    pub active: Option<bool>,
}

impl ServiceChanges {
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.parent_id.is_none()
            && self.lead_user_id.is_none()
            && self.service_area.is_none()
            && self.active.is_none()
    }
}

#[derive(AsChangeset)]
#[diesel(table_name = services)]
struct ServiceChangeset<'a> {
    name: Option<&'a str>,
    parent_id: Option<Option<&'a str>>,
    lead_user_id: Option<Option<&'a str>>,
    service_area: Option<Option<&'a str>>,
    active: Option<bool>,
    updated_at: NaiveDateTime,
}

/// Apply `changes` to service `id`.
pub fn update(
    conn: &mut DbConnection,
    id: &str,
    changes: &ServiceChanges,
    now: NaiveDateTime,
) -> DbResult<()> {
    let set = ServiceChangeset {
        name: changes.name.as_deref(),
        parent_id: changes.parent_id.as_ref().map(Option::as_deref),
        lead_user_id: changes.lead_user_id.as_ref().map(Option::as_deref),
        service_area: changes.service_area.as_ref().map(Option::as_deref),
        active: changes.active,
        updated_at: now,
    };
    diesel::update(services::table.find(id))
        .set(&set)
        .execute(conn)?;
    Ok(())
}

/// Make other changes to the tree wait until this transaction ends, so that two concurrent
/// moves cannot make a loop. On PostgreSQL: a table lock that lets readers through. On SQLite
/// the write transaction already holds the single writer lock.
pub fn lock_tree(conn: &mut DbConnection) -> DbResult<()> {
    if let DbConnection::Postgresql(pg) = conn {
        pg.batch_execute("LOCK TABLE services IN SHARE ROW EXCLUSIVE MODE")?;
    }
    Ok(())
}

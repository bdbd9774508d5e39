//! Complainants and patients, kept apart from cases so that redaction touches one place.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::connection::DbConnection;
use super::error::DbResult;
use super::schema::persons;

/// A person as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Queryable, Selectable)]
#[diesel(table_name = persons)]
pub struct Person {
    pub id: String,
    pub full_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub postal_address: Option<String>,
    pub preferred_contact: Option<String>,
    pub nhs_number: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    #[serde(skip)]
    pub created_at: NaiveDateTime,
    #[serde(skip)]
    pub updated_at: NaiveDateTime,
    #[serde(skip)]
    pub redacted_at: Option<NaiveDateTime>,
}

/// A person to store.
#[derive(Debug, Clone, Default, Insertable, AsChangeset)]
#[diesel(table_name = persons)]
pub struct PersonFields {
    pub full_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub postal_address: Option<String>,
    pub preferred_contact: Option<String>,
    pub nhs_number: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
}

pub fn insert(
    conn: &mut DbConnection,
    id: &str,
    fields: &PersonFields,
    now: NaiveDateTime,
) -> DbResult<()> {
    diesel::insert_into(persons::table)
        .values((
            persons::id.eq(id),
            fields,
            persons::created_at.eq(now),
            persons::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &str) -> DbResult<Option<Person>> {
    Ok(persons::table
        .find(id)
        .select(Person::as_select())
        .first(conn)
        .optional()?)
}

/// Replace a person's details (every field, so that cleared values become NULL).
pub fn replace(
    conn: &mut DbConnection,
    id: &str,
    fields: &PersonFields,
    now: NaiveDateTime,
) -> DbResult<()> {
    diesel::update(persons::table.find(id))
        .set((
            persons::full_name.eq(&fields.full_name),
            persons::email.eq(&fields.email),
            persons::phone.eq(&fields.phone),
            persons::postal_address.eq(&fields.postal_address),
            persons::preferred_contact.eq(&fields.preferred_contact),
            persons::nhs_number.eq(&fields.nhs_number),
            persons::date_of_birth.eq(&fields.date_of_birth),
            persons::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

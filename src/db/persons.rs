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
#[diesel(table_name = persons, treat_none_as_default_value = false)]
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
    on_engine!(conn, |c| diesel::insert_into(persons::table)
        .values((
            persons::id.eq(id),
            fields,
            persons::created_at.eq(now),
            persons::updated_at.eq(now),
        ))
        .execute(c))?;
    Ok(())
}

/// The row [`insert`] writes for `id`, `fields` and `now`.
pub fn as_stored(id: String, fields: &PersonFields, now: NaiveDateTime) -> Person {
    let f = fields.clone();
    Person {
        id,
        full_name: f.full_name,
        email: f.email,
        phone: f.phone,
        postal_address: f.postal_address,
        preferred_contact: f.preferred_contact,
        nhs_number: f.nhs_number,
        date_of_birth: f.date_of_birth,
        created_at: now,
        updated_at: now,
        redacted_at: None,
    }
}

pub fn find(conn: &mut DbConnection, id: &str) -> DbResult<Option<Person>> {
    Ok(on_engine!(conn, |c| persons::table
        .find(id)
        .select(Person::as_select())
        .first(c)
        .optional())?)
}

/// Persons `a` and `b` in one statement, in no particular order (one when `a` is `b`).
pub fn find_two(conn: &mut DbConnection, a: &str, b: &str) -> DbResult<Vec<Person>> {
    Ok(on_engine!(conn, |c| persons::table
        .filter(persons::id.eq(a).or(persons::id.eq(b)))
        .select(Person::as_select())
        .load(c))?)
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

/// How to look a person up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// The ten digits.
    NhsNumber(String),
    /// The whole address, any case.
    Email(String),
    /// Part of the name, any case.
    Name(String),
}

/// The people matching `lookup` (at most `limit`), by name. Anonymised people do not match.
pub fn search(conn: &mut DbConnection, lookup: &Lookup, limit: i64) -> DbResult<Vec<Person>> {
    use super::case_list::escape_like;
    use super::users::lower;
    let mut q = persons::table
        .filter(persons::redacted_at.is_null())
        .into_boxed();
    q = match lookup {
        Lookup::NhsNumber(digits) => q.filter(persons::nhs_number.eq(digits.clone())),
        Lookup::Email(email) => q.filter(
            persons::email
                .is_not_null()
                .and(lower(persons::email.assume_not_null()).eq(email.to_lowercase())),
        ),
        Lookup::Name(part) => q.filter(
            lower(persons::full_name)
                .like(format!("%{}%", escape_like(&part.to_lowercase())))
                .escape('\\'),
        ),
    };
    Ok(q.order((persons::full_name, persons::id))
        .limit(limit)
        .select(Person::as_select())
        .load(conn)?)
}

/// A case that names a person, and as whom.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct NamedIn {
    pub case_id: String,
    pub reference: String,
    pub complainant_id: String,
    pub patient_id: Option<String>,
}

/// The cases naming `person_id` as complainant or patient, oldest reference first.
pub fn cases_naming(conn: &mut DbConnection, person_id: &str) -> DbResult<Vec<NamedIn>> {
    use super::schema::cases;
    Ok(cases::table
        .filter(
            cases::complainant_id
                .eq(person_id)
                .or(cases::patient_id.eq(person_id)),
        )
        .order(cases::reference)
        .select((
            cases::id,
            cases::reference,
            cases::complainant_id,
            cases::patient_id,
        ))
        .load(conn)?)
}

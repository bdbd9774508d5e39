//! Documents' metadata (the bytes are in the file store, named by `sha256`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::connection::DbConnection;
use super::error::DbResult;
use super::schema::documents;

/// One version of a document as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = documents, treat_none_as_default_value = false)]
pub struct DocumentRow {
    pub id: String,
    pub case_id: String,
    /// The first version's id: every version of a document shares it.
    pub series_id: String,
    pub version: i32,
    /// The version that replaced this one, if any.
    pub replaced_by: Option<String>,
    pub kind: String,
    pub description: String,
    pub file_name: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub email_from: Option<String>,
    pub email_subject: Option<String>,
    pub email_date: Option<String>,
    /// `staff`, or `complainant` (through the tracking page).
    pub source: String,
    pub uploaded_by: Option<String>,
    pub uploaded_at: NaiveDateTime,
    /// `retention` or `redaction` once the content was erased.
    pub erased: Option<String>,
    pub erased_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut DbConnection, row: &DocumentRow) -> DbResult<()> {
    diesel::insert_into(documents::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Every version of every document on a case, by document (first upload first), then version.
pub fn for_case(conn: &mut DbConnection, case_id: &str) -> DbResult<Vec<DocumentRow>> {
    Ok(documents::table
        .filter(documents::case_id.eq(case_id))
        .order((
            documents::uploaded_at.asc(),
            documents::series_id.asc(),
            documents::version.asc(),
        ))
        .select(DocumentRow::as_select())
        .load(conn)?)
}

pub fn find(conn: &mut DbConnection, id: &str) -> DbResult<Option<DocumentRow>> {
    Ok(documents::table
        .find(id)
        .select(DocumentRow::as_select())
        .first(conn)
        .optional()?)
}

/// Mark `id` as replaced by `by`, if nothing replaced it yet: false if something did.
pub fn replace(conn: &mut DbConnection, id: &str, by: &str) -> DbResult<bool> {
    let n = diesel::update(
        documents::table
            .filter(documents::id.eq(id))
            .filter(documents::replaced_by.is_null()),
    )
    .set(documents::replaced_by.eq(Some(by)))
    .execute(conn)?;
    Ok(n == 1)
}

/// The bytes all of a case's documents hold (every version).
pub fn case_bytes(conn: &mut DbConnection, case_id: &str) -> DbResult<i64> {
    // A case holds a handful of documents: summed here, the same on both engines.
    let sizes: Vec<i64> = documents::table
        .filter(documents::case_id.eq(case_id))
        .select(documents::size_bytes)
        .load(conn)?;
    Ok(sizes.iter().sum())
}

/// Whether any document not erased names `sha256` (its bytes must then stay in the store).
pub fn digest_in_use(conn: &mut DbConnection, sha256: &str) -> DbResult<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        documents::table
            .filter(documents::sha256.eq(sha256))
            .filter(documents::erased.is_null()),
    ))
    .get_result(conn)?)
}

/// Every digest a document not erased names.
pub fn live_digests(conn: &mut DbConnection) -> DbResult<Vec<String>> {
    Ok(documents::table
        .filter(documents::erased.is_null())
        .select(documents::sha256)
        .distinct()
        .load(conn)?)
}

/// Erase the documents `ids` (those not yet erased): the name and description become `mark`,
/// an email's headers go, and `why` and `now` are recorded; size and digest stay. Returns the
/// digests whose content may now be removed from the store (the caller checks
/// [`digest_in_use`] after its transaction).
pub fn erase(
    conn: &mut DbConnection,
    ids: &[String],
    why: &str,
    mark: &str,
    now: NaiveDateTime,
) -> DbResult<Vec<String>> {
    let live = || {
        documents::table
            .filter(documents::id.eq_any(ids))
            .filter(documents::erased.is_null())
    };
    let digests: Vec<String> = live().select(documents::sha256).load(conn)?;
    diesel::update(live())
        .set((
            documents::file_name.eq(mark),
            documents::description.eq(mark),
            documents::email_from.eq(None::<String>),
            documents::email_subject.eq(None::<String>),
            documents::email_date.eq(None::<String>),
            documents::erased.eq(Some(why)),
            documents::erased_at.eq(Some(now)),
        ))
        .execute(conn)?;
    Ok(digests)
}

/// The ids of every document (every version) on case `case_id`.
pub fn ids_for_case(conn: &mut DbConnection, case_id: &str) -> DbResult<Vec<String>> {
    Ok(documents::table
        .filter(documents::case_id.eq(case_id))
        .select(documents::id)
        .load(conn)?)
}

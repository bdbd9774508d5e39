//! The coding lists (KO41a and local), stored as data.

use diesel::prelude::*;

use super::connection::DbConnection;
use super::error::DbResult;
use super::schema::taxonomy_items;

/// One item of a coding list.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = taxonomy_items)]
pub struct TaxonomyItem {
    pub list: String,
    pub code: String,
    pub label: String,
    pub min_value: Option<i32>,
    pub max_value: Option<i32>,
    pub sort_order: i32,
    pub active: bool,
    pub national: bool,
    pub confirmed: bool,
    pub updated_at: chrono::NaiveDateTime,
}

/// Every item, ordered by list then sort order.
pub fn all(conn: &mut DbConnection) -> DbResult<Vec<TaxonomyItem>> {
    Ok(taxonomy_items::table
        .select(TaxonomyItem::as_select())
        .order((
            taxonomy_items::list,
            taxonomy_items::sort_order,
            taxonomy_items::code,
        ))
        .load(conn)?)
}

/// The items of one list.
pub fn list(conn: &mut DbConnection, list: &str) -> DbResult<Vec<TaxonomyItem>> {
    Ok(taxonomy_items::table
        .filter(taxonomy_items::list.eq(list))
        .select(TaxonomyItem::as_select())
        .order((taxonomy_items::sort_order, taxonomy_items::code))
        .load(conn)?)
}

/// The item `code` of `list`, active or retired.
pub fn find(conn: &mut DbConnection, list: &str, code: &str) -> DbResult<Option<TaxonomyItem>> {
    Ok(taxonomy_items::table
        .filter(taxonomy_items::list.eq(list.to_string()))
        .filter(taxonomy_items::code.eq(code.to_string()))
        .select(TaxonomyItem::as_select())
        .first(conn)
        .optional()?)
}

/// The highest sort order in `list`, if it has any items.
pub fn max_sort_order(conn: &mut DbConnection, list: &str) -> DbResult<Option<i32>> {
    Ok(taxonomy_items::table
        .filter(taxonomy_items::list.eq(list.to_string()))
        .select(diesel::dsl::max(taxonomy_items::sort_order))
        .first(conn)?)
}

/// Insert `item`; a code already in the list is a unique violation.
pub fn insert(conn: &mut DbConnection, item: &TaxonomyItem) -> DbResult<()> {
    diesel::insert_into(taxonomy_items::table)
        .values((
            taxonomy_items::list.eq(&item.list),
            taxonomy_items::code.eq(&item.code),
            taxonomy_items::label.eq(&item.label),
            taxonomy_items::min_value.eq(item.min_value),
            taxonomy_items::max_value.eq(item.max_value),
            taxonomy_items::sort_order.eq(item.sort_order),
            taxonomy_items::active.eq(item.active),
            taxonomy_items::national.eq(item.national),
            taxonomy_items::confirmed.eq(item.confirmed),
            taxonomy_items::updated_at.eq(item.updated_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Changes an admin may make to an item: codes never change.
#[derive(Debug, Default, Clone)]
pub struct ItemChanges {
    pub label: Option<String>,
    pub active: Option<bool>,
    pub sort_order: Option<i32>,
}

#[derive(AsChangeset)]
#[diesel(table_name = taxonomy_items)]
struct ItemChangeset<'a> {
    label: Option<&'a str>,
    active: Option<bool>,
    sort_order: Option<i32>,
    updated_at: chrono::NaiveDateTime,
}

/// Apply `changes` to item `code` of `list`.
pub fn update(
    conn: &mut DbConnection,
    list: &str,
    code: &str,
    changes: &ItemChanges,
    now: chrono::NaiveDateTime,
) -> DbResult<()> {
    let set = ItemChangeset {
        label: changes.label.as_deref(),
        active: changes.active,
        sort_order: changes.sort_order,
        updated_at: now,
    };
    diesel::update(
        taxonomy_items::table
            .filter(taxonomy_items::list.eq(list.to_string()))
            .filter(taxonomy_items::code.eq(code.to_string())),
    )
    .set(&set)
    .execute(conn)?;
    Ok(())
}

//! Optimistic concurrency for versioned rows: one shape of update that writes only while the row
//! is still at the version the change was based on, and bumps it.

/// Define `$name(conn, id, expected_version, changes, now) -> DbResult<bool>`: apply
/// `changes` (an `AsChangeset` of `$table`) to row `id` if it is still at `expected_version`,
/// bumping the version and stamping `updated_at`; `false` when someone else changed it first
/// (an empty change still bumps the version).
macro_rules! versioned_update {
    ($(#[$doc:meta])* $name:ident, $table:ident, $changes:ty) => {
        $(#[$doc])*
        pub fn $name(
            conn: &mut $crate::db::DbConnection,
            id: &str,
            expected_version: i32,
            changes: &$changes,
            now: chrono::NaiveDateTime,
        ) -> $crate::db::DbResult<bool> {
            use diesel::prelude::*;
            let n = diesel::update(
                $table::table
                    .filter($table::id.eq(id))
                    .filter($table::version.eq(expected_version)),
            )
            .set((
                changes,
                $table::version.eq(expected_version + 1),
                $table::updated_at.eq(now),
            ))
            .execute(conn)?;
            Ok(n == 1)
        }
    };
}
pub(crate) use versioned_update;

//! Keeping the prepared form of a statement diesel would otherwise prepare at every run.
//!
//! diesel never caches an `UPDATE` or an `INSERT … ON CONFLICT DO UPDATE`: their SQL may change
//! with the values (a changeset's `None` fields are left out). A statement of one fixed shape,
//! run on every request that logs a case (the year's reference counter, a chain's head), was
//! parsed and planned again each time: on SQLite's one writer, and on PostgreSQL's server.
//! [`Cached`] marks such a statement safe to keep; it is kept under its SQL text (not its
//! type), so two shapes of it would be two cached statements, never one statement run with the
//! other's SQL.

use diesel::backend::Backend;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::{QueryResult, RunQueryDsl};

/// A statement whose SQL is fixed by its type: prepared once per connection and kept.
#[derive(Debug, Clone, Copy)]
pub struct Cached<Q>(pub Q);

impl<Q, DB> QueryFragment<DB> for Cached<Q>
where
    DB: Backend,
    Q: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        self.0.walk_ast(pass)
    }

    fn is_safe_to_cache_prepared(&self, _backend: &DB) -> QueryResult<bool> {
        Ok(true)
    }
}

impl<Q> QueryId for Cached<Q> {
    // No static id: the cache finds the statement by its SQL text and bind types.
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: Query> Query for Cached<Q> {
    type SqlType = Q::SqlType;
}

impl<Q, Conn> RunQueryDsl<Conn> for Cached<Q> {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::connection::{DbConnection, Target};
    use diesel::connection::{Connection, InstrumentationEvent, SimpleConnection};
    use diesel::prelude::*;
    use std::sync::{Arc, Mutex};

    diesel::table! {
        counters (name) {
            name -> Text,
            value -> Integer,
        }
    }

    /// The counter's next value, in one upsert.
    fn bump(c: &mut SqliteConnection, name: &str) -> i32 {
        Cached(
            diesel::insert_into(counters::table)
                .values((counters::name.eq(name), counters::value.eq(1)))
                .on_conflict(counters::name)
                .do_update()
                .set(counters::value.eq(counters::value + 1))
                .returning(counters::value),
        )
        .get_result(c)
        .unwrap()
    }

    #[test]
    fn a_fixed_upsert_is_prepared_once_and_still_runs_with_each_runs_values() {
        let DbConnection::Sqlite(mut c) = Target::Sqlite(":memory:".into()).establish().unwrap()
        else {
            unreachable!()
        };
        c.batch_execute("CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)")
            .unwrap();
        // The connection reports each statement it puts in its cache.
        let kept = Arc::new(Mutex::new(Vec::new()));
        let seen = kept.clone();
        c.set_instrumentation(move |event: InstrumentationEvent<'_>| {
            if let InstrumentationEvent::CacheQuery { sql, .. } = event
                && let Ok(mut kept) = seen.lock()
            {
                kept.push(sql.to_string());
            }
        });
        assert_eq!(
            (bump(&mut c, "a"), bump(&mut c, "a"), bump(&mut c, "b")),
            (1, 2, 1)
        );
        assert_eq!(
            bump(&mut c, "a"),
            3,
            "the kept statement binds each run's values"
        );
        let kept = kept.lock().unwrap().clone();
        assert_eq!(
            kept.len(),
            1,
            "one statement kept for the four runs: {kept:?}"
        );
        assert!(kept[0].contains("ON CONFLICT"), "{kept:?}");
    }
}

//! `TRUE`, as a filter that makes PostgreSQL plan its query afresh on every run, with the
//! values of that run.
//!
//! diesel keeps a filtered list's statement prepared, and after five runs PostgreSQL may switch
//! a prepared statement to one generic plan made without the values. For the case list's count
//! (open complaints of one service) that plan read every case in turn: 4–6 ms a run at 10,000
//! cases, where the plan made for the values walks `cases_kind_status_idx` in 1 ms
//! (`log_min_duration_statement`, `EXPLAIN ANALYZE` with `plan_cache_mode`). Which statuses are
//! rare is exactly what the generic plan cannot know. With this filter diesel sends the query
//! as an unnamed statement, so every run gets a plan for its own values. SQLite plans once when
//! it prepares, so there the statement stays cached.

use diesel::QueryResult;
use diesel::backend::Backend;
use diesel::expression::{AppearsOnTable, Expression, SelectableExpression, ValidGrouping};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::Bool;
use diesel::sqlite::Sqlite;

use super::connection::MultiBackend;

/// `TRUE`; on PostgreSQL the query holding it is planned for each run's values.
#[derive(Debug, Clone, Copy)]
pub struct PlannedPerRun;

/// A filter that changes no result and keeps PostgreSQL from reusing a generic plan.
pub fn planned_per_run() -> PlannedPerRun {
    PlannedPerRun
}

impl Expression for PlannedPerRun {
    type SqlType = Bool;
}

fn walk<DB: Backend>(mut out: AstPass<'_, '_, DB>, postgres: bool) -> QueryResult<()> {
    if postgres {
        out.unsafe_to_cache_prepared();
    }
    out.push_sql("TRUE");
    Ok(())
}

impl QueryFragment<MultiBackend> for PlannedPerRun {
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        let postgres = matches!(out.backend(), MultiBackend::Postgresql(_));
        walk(out, postgres)
    }
}

impl QueryFragment<Pg> for PlannedPerRun {
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        walk(out, true)
    }
}

impl QueryFragment<Sqlite> for PlannedPerRun {
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        walk(out, false)
    }
}

impl QueryId for PlannedPerRun {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<QS> AppearsOnTable<QS> for PlannedPerRun {}

impl<QS> SelectableExpression<QS> for PlannedPerRun {}

impl<GB> ValidGrouping<GB> for PlannedPerRun {
    type IsAggregate = diesel::expression::is_aggregate::Never;
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use diesel::connection::{InstrumentationEvent, SimpleConnection};
    use diesel::prelude::*;

    use super::planned_per_run;
    use crate::db::connection::{DbConnection, Target};

    diesel::table! {
        things (id) {
            id -> Text,
            kind -> Text,
        }
    }

    /// Runs the same filtered query three times; returns its rows and how many statements the
    /// connection kept prepared for it.
    fn run(mut conn: DbConnection, create: &str) -> (Vec<Vec<String>>, usize) {
        conn.batch_execute(&format!(
            "{create} things (id TEXT PRIMARY KEY, kind TEXT NOT NULL);
             INSERT INTO things VALUES ('a', 'x'), ('b', 'y'), ('c', 'x');"
        ))
        .unwrap();
        let cached = Arc::new(Mutex::new(0));
        let seen = cached.clone();
        conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
            if let InstrumentationEvent::CacheQuery { .. } = event {
                *seen.lock().unwrap() += 1;
            }
        });
        let rows = ["x", "y", "x"]
            .iter()
            .map(|kind| {
                things::table
                    .filter(things::kind.eq(*kind))
                    .filter(planned_per_run())
                    .select(things::id)
                    .order(things::id)
                    .load::<String>(&mut conn)
                    .unwrap()
            })
            .collect();
        let cached = *cached.lock().unwrap();
        (rows, cached)
    }

    /// The filter changes no result; PostgreSQL keeps no prepared statement for the query (so
    /// each run is planned with its values), SQLite keeps one.
    #[test]
    fn postgres_plans_each_run_and_sqlite_keeps_the_statement() {
        let expected = vec![vec!["a", "c"], vec!["b"], vec!["a", "c"]];
        let sqlite = Target::Sqlite(":memory:".into()).establish().unwrap();
        let (rows, cached) = run(sqlite, "CREATE TABLE");
        assert_eq!(rows, expected);
        assert_eq!(cached, 1, "SQLite prepares the query once");
        if let Ok(url) = std::env::var("CANDOUR_TEST_DATABASE_URL")
            && url.starts_with("postgres")
        {
            let pg = Target::parse(&url).unwrap().establish().unwrap();
            let (rows, cached) = run(pg, "CREATE TEMP TABLE");
            assert_eq!(rows, expected);
            assert_eq!(cached, 0, "PostgreSQL keeps no statement for it");
        }
    }
}

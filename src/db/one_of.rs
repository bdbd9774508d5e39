//! `column IN (values)` with the values bound as one parameter, so a query's text does not
//! change with how many values it is given and both engines keep it prepared.
//!
//! diesel's `eq_any` writes one placeholder per value (`IN (?, ?, ?)`) through the multi-engine
//! connection, and marks every query holding one as not to be cached: each run parsed and planned
//! it again. `perf` on a filtered list page under load showed two fifths of the CPU in SQLite's
//! parser, and PostgreSQL planning each of them afresh. Here the text is fixed:
//!
//! - SQLite: `column IN (SELECT value FROM json_each(?))`, the values a JSON array;
//! - PostgreSQL: `column = ANY(CAST($1 AS text[]))`, the values an array literal (a subquery
//!   over a JSON array there hid the index from the planner: a 6 ms hash join over every
//!   complaint where an index scan takes 0.2 ms, `EXPLAIN ANALYZE`).
//!
//! One value is written `column = ?` on both.

use diesel::backend::Backend;
use diesel::expression::{AppearsOnTable, Expression, SelectableExpression, ValidGrouping};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::HasSqlType;
use diesel::sql_types::is_nullable::{IsSqlTypeNullable, MaybeNullable};
use diesel::sql_types::{Bool, SqlType, Text};
use diesel::sqlite::Sqlite;
use diesel::{QueryResult, sql_types};

use super::connection::MultiBackend;

/// `column IN (values)`: a text column against a list of strings. An empty list matches nothing.
#[derive(Debug, Clone)]
pub struct OneOf<C> {
    column: C,
    values: Values,
}

#[derive(Debug, Clone)]
enum Values {
    /// One value is written `column = ?`: the planners treat an IN over a table function as a
    /// join of unknown size and may then pass over an index on `column` (SQLite walked every
    /// complaint in date order instead of reading the one status it was given).
    One(String),
    /// Two or more values, or none: as a JSON array for SQLite and a PostgreSQL array literal.
    Many { json: String, array: String },
}

/// `{"a","b \"c\""}`: every element quoted, so no value is read as syntax.
fn array_literal(values: &[String]) -> String {
    let quoted: Vec<String> = values
        .iter()
        .map(|v| format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\"")))
        .collect();
    format!("{{{}}}", quoted.join(","))
}

/// `column` is one of `values`.
pub fn one_of<C, I, S>(column: C, values: I) -> OneOf<C>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut values: Vec<String> = values.into_iter().map(|v| v.as_ref().to_owned()).collect();
    let values = if values.len() == 1 {
        Values::One(values.remove(0))
    } else {
        Values::Many {
            json: serde_json::Value::from(values.clone()).to_string(),
            array: array_literal(&values),
        }
    };
    OneOf { column, values }
}

impl<C> Expression for OneOf<C>
where
    C: Expression,
    C::SqlType: SqlType,
    IsSqlTypeNullable<C::SqlType>: sql_types::MaybeNullableType<Bool>,
{
    type SqlType = MaybeNullable<IsSqlTypeNullable<C::SqlType>, Bool>;
}

impl<C> OneOf<C> {
    fn walk<'b, DB>(&'b self, mut out: AstPass<'_, 'b, DB>, postgres: bool) -> QueryResult<()>
    where
        DB: Backend + HasSqlType<Text>,
        C: QueryFragment<DB>,
        String: ToSql<Text, DB>,
    {
        out.push_sql("(");
        self.column.walk_ast(out.reborrow())?;
        match &self.values {
            Values::One(value) => {
                out.push_sql(" = ");
                out.push_bind_param::<Text, _>(value)?;
                out.push_sql(")");
            }
            Values::Many { array, .. } if postgres => {
                out.push_sql(" = ANY(CAST(");
                out.push_bind_param::<Text, _>(array)?;
                out.push_sql(" AS text[])))");
            }
            Values::Many { json, .. } => {
                out.push_sql(" IN (SELECT value FROM json_each(");
                out.push_bind_param::<Text, _>(json)?;
                out.push_sql(")))");
            }
        }
        Ok(())
    }
}

impl<C: QueryFragment<MultiBackend>> QueryFragment<MultiBackend> for OneOf<C> {
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        let postgres = matches!(out.backend(), MultiBackend::Postgresql(_));
        self.walk(out, postgres)
    }
}

impl<C: QueryFragment<Pg>> QueryFragment<Pg> for OneOf<C> {
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.walk(out, true)
    }
}

impl<C: QueryFragment<Sqlite>> QueryFragment<Sqlite> for OneOf<C> {
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        self.walk(out, false)
    }
}

impl<C> QueryId for OneOf<C> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<C, QS> AppearsOnTable<QS> for OneOf<C>
where
    C: AppearsOnTable<QS>,
    Self: Expression,
{
}

impl<C, QS> SelectableExpression<QS> for OneOf<C>
where
    C: SelectableExpression<QS>,
    Self: AppearsOnTable<QS>,
{
}

impl<C, GB> ValidGrouping<GB> for OneOf<C>
where
    C: ValidGrouping<GB>,
{
    type IsAggregate = C::IsAggregate;
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use diesel::connection::{InstrumentationEvent, SimpleConnection};
    use diesel::prelude::*;

    use super::one_of;
    use crate::db::connection::{DbConnection, Target};

    diesel::table! {
        things (id) {
            id -> Text,
            kind -> Text,
            owner -> Nullable<Text>,
        }
    }

    fn ids(conn: &mut DbConnection, kinds: &[&str]) -> Vec<String> {
        things::table
            .filter(one_of(things::kind, kinds))
            .select(things::id)
            .order(things::id)
            .load(conn)
            .unwrap()
    }

    /// The same checks on SQLite, and on PostgreSQL when the tests are given one.
    #[test]
    fn any_number_of_values_is_one_prepared_statement() {
        let sqlite = Target::Sqlite(":memory:".into()).establish().unwrap();
        check(sqlite, "CREATE TABLE", "json_each");
        if let Ok(url) = std::env::var("CANDOUR_TEST_DATABASE_URL")
            && url.starts_with("postgres")
        {
            let pg = Target::parse(&url).unwrap().establish().unwrap();
            check(pg, "CREATE TEMP TABLE", "ANY(");
        }
    }

    fn check(mut conn: DbConnection, create: &str, many: &str) {
        conn.batch_execute(&format!(
            "{create} things (id TEXT PRIMARY KEY, kind TEXT NOT NULL, owner TEXT);
             INSERT INTO things VALUES ('a', 'x', 'ann'), ('b', 'y', NULL), ('c', 'z', 'cy'),
                                       ('d', 'it''s', NULL), ('e', 'q\"{{}}\\,', NULL);"
        ))
        .unwrap();
        let cached = Arc::new(Mutex::new(Vec::<String>::new()));
        let seen = cached.clone();
        conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
            if let InstrumentationEvent::CacheQuery { sql, .. } = event {
                seen.lock().unwrap().push(sql.to_string());
            }
        });
        assert_eq!(ids(&mut conn, &["x"]), ["a"]);
        assert_eq!(ids(&mut conn, &["y", "z"]), ["b", "c"]);
        assert_eq!(ids(&mut conn, &["x", "y", "z", "w"]), ["a", "b", "c"]);
        assert_eq!(
            ids(&mut conn, &["it's", "w"]),
            ["d"],
            "a quote is a value, not SQL"
        );
        assert_eq!(
            ids(&mut conn, &["q\"{}\\,", "w"]),
            ["e"],
            "quotes, braces, backslashes and commas are values, not array syntax"
        );
        assert!(ids(&mut conn, &[]).is_empty(), "no values match nothing");
        // A nullable column: NULL is in no list.
        let owned: Vec<String> = things::table
            .filter(one_of(things::owner, ["ann", "cy"]))
            .select(things::id)
            .order(things::id)
            .load(&mut conn)
            .unwrap();
        assert_eq!(owned, ["a", "c"]);
        let cached = cached.lock().unwrap();
        // One value is `kind = ?`, any other number one statement; the owner query a third.
        assert_eq!(cached.len(), 3, "one statement per query text: {cached:?}");
        assert!(!cached[0].contains(many), "{}", cached[0]);
        assert!(cached[1].contains(many), "{}", cached[1]);
    }
}

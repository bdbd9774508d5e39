//! Numbering a case already inserted: the year's counter moved on and the case given the
//! reference it yields, in one statement on PostgreSQL.

use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};

use super::cached::Cached;
use super::cases;
use super::connection::DbConnection;
use super::error::{DbError, DbResult};

#[derive(QueryableByName)]
struct Numbered {
    #[diesel(sql_type = Integer)]
    number: i32,
    #[diesel(sql_type = Text)]
    reference: String,
}

/// On PostgreSQL the counter's row lock is held from this statement to commit, and every other
/// case being logged waits for it: moving the counter and setting the reference as two
/// statements kept it one round trip longer. The number is zero-padded to five digits or more,
/// after `head` ("C-2026-"); the caller checks the result against its own rule.
const NUMBER_PG: &str = "WITH n AS ( \
     INSERT INTO reference_counters (prefix, year, last_value) VALUES ($1, $2, 1) \
     ON CONFLICT (prefix, year) DO UPDATE SET last_value = reference_counters.last_value + 1 \
     RETURNING last_value) \
     UPDATE cases SET reference = $3 || lpad(n.last_value::text, \
         greatest(5, length(n.last_value::text)), '0') \
     FROM n WHERE cases.id = $4 \
     RETURNING n.last_value AS number, cases.reference AS reference";

/// Move the counter of `prefix` and `year` on and give case `id` the reference its new number
/// makes: `head` ("C-2026-") then the number, as `reference` writes it whole. Returns the
/// reference. On PostgreSQL the statement writes the number itself, and a reference that is not
/// `reference`'s is refused. SQLite (which numbers a case before inserting it, see
/// [`cases::number_last`]) takes two statements.
pub fn number_case(
    conn: &mut DbConnection,
    id: &str,
    (prefix, year): (&str, i32),
    head: &str,
    reference: impl Fn(i32) -> String,
) -> DbResult<String> {
    match conn {
        DbConnection::Postgresql(c) => {
            let found: Option<Numbered> = Cached(
                diesel::sql_query(NUMBER_PG)
                    .bind::<Text, _>(prefix)
                    .bind::<Integer, _>(year)
                    .bind::<Text, _>(head)
                    .bind::<Text, _>(id),
            )
            .get_result(c)
            .optional()?;
            let n = found.ok_or_else(|| DbError::Task("no such case to number".into()))?;
            if n.reference != reference(n.number) {
                return Err(DbError::Task(format!(
                    "the reference written ({}) is not the rule's ({})",
                    n.reference,
                    reference(n.number)
                )));
            }
            Ok(n.reference)
        }
        DbConnection::Sqlite(_) => {
            let written = reference(cases::next_reference_number(conn, prefix, year)?);
            cases::set_reference(conn, id, &written)?;
            Ok(written)
        }
    }
}

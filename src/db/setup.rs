//! What each pooled connection is told when it opens: SQLite's pragmas, PostgreSQL's time zone,
//! and, when asked for, a watch that logs slow statements by their SQL alone.

use std::time::{Duration, Instant};

use diesel::connection::{Connection, InstrumentationEvent, SimpleConnection};
use diesel::r2d2::{self, CustomizeConnection};

use super::connection::{DbConnection, Pooled};

/// How the pools' connections are set up (`database.*` settings).
#[derive(Debug, Clone, Copy)]
pub struct Tuning {
    /// SQLite: MiB of the database file read through memory mapping (0: ordinary reads).
    pub sqlite_mmap_mib: u64,
    /// Log every statement that takes at least this long (`None`: none is watched).
    pub slow_statement: Option<Duration>,
}

/// SQLite's memory-mapped window unless configured otherwise (`database.sqlite_mmap_mib`).
pub const DEFAULT_SQLITE_MMAP_MIB: u64 = 1024;

impl Default for Tuning {
    fn default() -> Self {
        Self {
            sqlite_mmap_mib: DEFAULT_SQLITE_MMAP_MIB,
            slow_statement: None,
        }
    }
}

/// The r2d2 customizer that applies a [`Tuning`] to each new connection.
#[derive(Debug)]
pub(super) struct Setup(pub(super) Tuning);

impl CustomizeConnection<Pooled, r2d2::Error> for Setup {
    fn on_acquire(&self, pooled: &mut Pooled) -> Result<(), r2d2::Error> {
        let conn = &mut pooled.conn;
        let sql = match conn {
            // Memory-mapped reads: after every commit each reader's page cache is stale, and
            // reading pages again through the mapping costs no system call or copy (`perf` on a
            // list page under load showed a fifth of the time in `pread`).
            DbConnection::Sqlite(_) => format!(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                 PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; \
                 PRAGMA mmap_size = {};",
                self.0.sqlite_mmap_mib * 1024 * 1024
            ),
            DbConnection::Postgresql(_) => "SET TIME ZONE 'UTC';".to_string(),
        };
        conn.batch_execute(&sql).map_err(r2d2::Error::QueryError)?;
        if let Some(over) = self.0.slow_statement {
            watch(conn, over, log_slow);
        }
        Ok(())
    }
}

/// Call `report` with the time and the SQL of each statement on `conn` that takes at least
/// `over`. The SQL is the statement's text with its placeholders: the values bound to it (names,
/// NHS numbers, complaint text) are never passed on.
pub fn watch(
    conn: &mut DbConnection,
    over: Duration,
    mut report: impl FnMut(Duration, &str) + Send + 'static,
) {
    let mut started: Option<Instant> = None;
    conn.set_instrumentation(move |event: InstrumentationEvent<'_>| match event {
        InstrumentationEvent::StartQuery { .. } => started = Some(Instant::now()),
        InstrumentationEvent::FinishQuery { query, .. } => {
            let Some(took) = started.take().map(|at| at.elapsed()) else {
                return;
            };
            if took >= over {
                // diesel writes a query as "<sql> -- binds: [<values>]".
                let text = query.to_string();
                report(took, text.split(" -- binds: ").next().unwrap_or_default());
            }
        }
        _ => {}
    });
}

fn log_slow(took: Duration, sql: &str) {
    tracing::warn!(
        ms = u64::try_from(took.as_millis()).unwrap_or(u64::MAX),
        sql,
        "slow statement"
    );
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use diesel::prelude::*;
    use diesel::sql_types::Text;

    use super::*;
    use crate::db::connection::Target;

    /// SQLite, and PostgreSQL when the tests are given one, with each engine's placeholder.
    fn engines() -> Vec<(DbConnection, &'static str)> {
        let mut all = vec![(
            Target::Sqlite(":memory:".into()).establish().unwrap(),
            "SELECT ? AS name",
        )];
        if let Ok(url) = std::env::var("CANDOUR_TEST_DATABASE_URL")
            && url.starts_with("postgres")
        {
            let pg = Target::parse(&url).unwrap().establish().unwrap();
            all.push((pg, "SELECT $1 AS name"));
        }
        all
    }

    fn ask(conn: &mut DbConnection, sql: &str) {
        let named: Vec<String> = diesel::sql_query(sql)
            .bind::<Text, _>("Jane Example 943 476 5919")
            .load::<Named>(conn)
            .unwrap()
            .into_iter()
            .map(|n| n.name)
            .collect();
        assert_eq!(named, ["Jane Example 943 476 5919"]);
    }

    #[derive(QueryableByName)]
    struct Named {
        #[diesel(sql_type = Text)]
        name: String,
    }

    #[test]
    fn a_slow_statement_is_reported_by_its_sql_without_the_values_bound_to_it() {
        for (mut c, sql) in engines() {
            let seen = Arc::new(Mutex::new(Vec::<String>::new()));
            let sink = seen.clone();
            watch(&mut c, Duration::ZERO, move |_, sql| {
                sink.lock().unwrap().push(sql.to_string())
            });
            ask(&mut c, sql);
            assert_eq!(seen.lock().unwrap().as_slice(), [sql]);
        }
    }

    #[test]
    fn a_statement_quicker_than_the_threshold_is_not_reported() {
        for (mut c, sql) in engines() {
            let seen = Arc::new(Mutex::new(0));
            let sink = seen.clone();
            watch(&mut c, Duration::from_secs(3600), move |_, _| {
                *sink.lock().unwrap() += 1
            });
            ask(&mut c, sql);
            assert_eq!(*seen.lock().unwrap(), 0);
        }
    }
}

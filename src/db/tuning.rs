//! How pooled connections are tuned (`database.*` settings), and the watch that logs slow
//! statements by their SQL alone.

use std::time::{Duration, Instant};

use diesel::connection::{Connection, InstrumentationEvent};

/// How the pools' connections are set up (`database.*` settings).
#[derive(Debug, Clone, Copy)]
pub struct Tuning {
    /// SQLite: MiB of the database file read through memory mapping (0: ordinary reads).
    pub sqlite_mmap_mib: u64,
    /// Log every statement that takes at least this long (`None`: none is watched).
    pub slow_statement: Option<Duration>,
}

/// SQLite's memory-mapped window unless configured otherwise (`database.sqlite_mmap_mib`):
/// 16 GiB, so the whole file of a large trust is mapped (SQLite maps no more than the file).
/// At a million cases (a 4.4 GB file) a ward's list page read 1.22-1.25 times as fast as with
/// 1 GiB. Only the pages read count in RSS, as file pages the kernel may drop.
pub const DEFAULT_SQLITE_MMAP_MIB: u64 = 16 * 1024;

impl Default for Tuning {
    fn default() -> Self {
        Self {
            sqlite_mmap_mib: DEFAULT_SQLITE_MMAP_MIB,
            slow_statement: None,
        }
    }
}

/// The SQLite writer's own settings. A batch of creates dirties more pages than SQLite's
/// default cache (2 MiB) holds: with no room left it spilled dirty pages into the log one at a
/// time in mid-transaction (24 spills a create at c64, counted with `perf probe` on
/// `pagerWalFrames`) and read back the pages it had let go. Each request's savepoint journal
/// is kept in memory rather than in a temporary file. 16 MiB holds a full batch (64 creates
/// dirty about 1,700 pages); 64 MiB was no faster and kept 70 MiB more private memory under
/// load.
const WRITER_PRAGMAS: &str = "PRAGMA cache_size = -16384; PRAGMA temp_store = MEMORY;";

impl Tuning {
    /// What each new SQLite connection runs; `writer` for the pool of the one writer.
    ///
    /// Reads are memory-mapped: after every commit each reader's page cache is stale, and
    /// reading pages again through the mapping costs no system call or copy (`perf` on a list
    /// page under load showed a fifth of the time in `pread`).
    pub fn sqlite_pragmas(&self, writer: bool) -> String {
        format!(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
             PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; \
             PRAGMA mmap_size = {}; {}",
            self.sqlite_mmap_mib * 1024 * 1024,
            if writer { WRITER_PRAGMAS } else { "" }
        )
    }
}

/// Call `report` with the time and the SQL of each statement on `conn` that takes at least
/// `over`. The SQL is the statement's text with its placeholders: the values bound to it (names,
/// NHS numbers, complaint text) are never passed on.
pub fn watch(
    conn: &mut impl Connection,
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

pub(super) fn log_slow(took: Duration, sql: &str) {
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
    use diesel::{PgConnection, SqliteConnection};

    use super::*;

    #[derive(QueryableByName)]
    struct Named {
        #[diesel(sql_type = Text)]
        name: String,
    }

    /// Watch `$conn` over `$over`, ask `$sql` with a name bound to it, and give what was
    /// reported.
    macro_rules! reported {
        ($conn:expr, $over:expr, $sql:expr) => {{
            let mut conn = $conn;
            let seen = Arc::new(Mutex::new(Vec::<String>::new()));
            let sink = seen.clone();
            watch(&mut conn, $over, move |_, sql| {
                sink.lock().unwrap().push(sql.to_string())
            });
            let named = diesel::sql_query($sql)
                .bind::<Text, _>("Jane Example 943 476 5919")
                .load::<Named>(&mut conn)
                .unwrap();
            assert_eq!(named[0].name, "Jane Example 943 476 5919");
            let seen = seen.lock().unwrap().clone();
            seen
        }};
    }

    fn sqlite() -> SqliteConnection {
        SqliteConnection::establish(":memory:").unwrap()
    }

    /// PostgreSQL when the tests are given one.
    fn postgres() -> Option<PgConnection> {
        let url = std::env::var("CANDOUR_TEST_DATABASE_URL").ok()?;
        url.starts_with("postgres")
            .then(|| PgConnection::establish(&url).unwrap())
    }

    #[test]
    fn a_slow_statement_is_reported_by_its_sql_without_the_values_bound_to_it() {
        let sql = "SELECT ? AS name";
        assert_eq!(reported!(sqlite(), Duration::ZERO, sql), [sql]);
        if let Some(pg) = postgres() {
            let sql = "SELECT $1 AS name";
            assert_eq!(reported!(pg, Duration::ZERO, sql), [sql]);
        }
    }

    #[test]
    fn a_statement_quicker_than_the_threshold_is_not_reported() {
        let hour = Duration::from_secs(3600);
        assert!(reported!(sqlite(), hour, "SELECT ? AS name").is_empty());
        if let Some(pg) = postgres() {
            assert!(reported!(pg, hour, "SELECT $1 AS name").is_empty());
        }
    }
}

//! Connections, pools and the single doorway for blocking database work.
//!
//! The engine is chosen from the URL scheme; SQLite gets WAL, foreign keys, a busy timeout and a
//! single writer connection (write transactions start with `BEGIN IMMEDIATE`), PostgreSQL one
//! pool for everything with the session time zone pinned to UTC.

use std::ops::{Deref, DerefMut};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::r2d2::{self, CustomizeConnection, ManageConnection, R2D2Connection};
use diesel::{Connection, ConnectionError, PgConnection, SqliteConnection};

use super::calendar_cache::{self, Calendars, Use};
use super::error::{DbError, DbResult};
use super::group_commit::{Batching, WriteJob, Writer};
use super::tuning::{self, Tuning};
use crate::domain::seal::SealKey;

/// A connection to either engine.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

/// Which engine a database URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

impl Backend {
    /// `postgres` or `sqlite`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Postgres => "postgres",
            Self::Sqlite => "sqlite",
        }
    }
}

/// A parsed `database.url`.
#[derive(Clone, PartialEq, Eq)]
pub enum Target {
    Postgres(String),
    Sqlite(PathBuf),
}

impl std::fmt::Debug for Target {
    // The PostgreSQL URL may carry a password: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Postgres(_) => f.write_str("Postgres(***)"),
            Self::Sqlite(p) => write!(f, "Sqlite({})", p.display()),
        }
    }
}

impl Target {
    /// Parse `sqlite://PATH` or `postgres://…` / `postgresql://…`; anything else is refused.
    pub fn parse(url: &str) -> Result<Self, String> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_string()));
        }
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() || path.contains(":memory:") || path.starts_with("file:") {
                return Err(format!(
                    "database.url {url:?} must name a file, e.g. sqlite://data/candour.db"
                ));
            }
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        let scheme = url.split_once("://").map_or("(none)", |(s, _)| s);
        Err(format!(
            "database.url must start with sqlite:// or postgres:// (scheme {scheme:?} is not supported)"
        ))
    }

    pub fn backend(&self) -> Backend {
        match self {
            Self::Postgres(_) => Backend::Postgres,
            Self::Sqlite(_) => Backend::Sqlite,
        }
    }

    /// Open one connection, with the engine's real error on failure.
    pub fn establish(&self) -> Result<DbConnection, ConnectionError> {
        match self {
            Self::Postgres(url) => PgConnection::establish(url).map(DbConnection::Postgresql),
            Self::Sqlite(path) => {
                SqliteConnection::establish(&path.to_string_lossy()).map(DbConnection::Sqlite)
            }
        }
    }
}

/// r2d2 manager that opens connections for one [`Target`].
#[derive(Debug)]
pub struct Manager {
    target: Target,
}

/// How long after a connection last did work without an error it is lent out again without a
/// `SELECT 1` first.
///
/// Every check-out used to ask PostgreSQL `SELECT 1`: two of the ten round trips of a `GET` of
/// one case, three of a create's 25 (`log_statement`). diesel learns that a PostgreSQL
/// connection has died only when a statement on it fails, so the question is still asked of a
/// connection that has been idle longer than this, or whose last work ended in an error. What
/// is left: after PostgreSQL restarts in less than this, each connection used just before may
/// fail one request; it is then asked, found dead and replaced.
pub const TRUSTED_FOR: Duration = Duration::from_secs(1);

/// A pooled connection and when it last did work without an error.
pub struct Pooled {
    conn: DbConnection,
    good_at: Option<Instant>,
}

impl Pooled {
    fn trusted(&self) -> bool {
        self.good_at.is_some_and(|at| at.elapsed() < TRUSTED_FOR)
    }
}

impl ManageConnection for Manager {
    type Connection = Pooled;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<Pooled, r2d2::Error> {
        let conn = self
            .target
            .establish()
            .map_err(r2d2::Error::ConnectionError)?;
        Ok(Pooled {
            conn,
            good_at: Some(Instant::now()),
        })
    }

    fn is_valid(&self, pooled: &mut Pooled) -> Result<(), r2d2::Error> {
        if pooled.trusted() {
            return Ok(());
        }
        pooled.conn.ping().map_err(r2d2::Error::QueryError)?;
        pooled.good_at = Some(Instant::now());
        Ok(())
    }

    fn has_broken(&self, pooled: &mut Pooled) -> bool {
        std::thread::panicking() || pooled.conn.is_broken()
    }
}

/// A connection lent from a pool, used as the connection itself; say how its work ended with
/// [`Lent::finish`].
pub struct Lent(r2d2::PooledConnection<Manager>);

impl Lent {
    fn get(pool: &Pool) -> DbResult<Self> {
        Ok(Self(pool.get()?))
    }

    /// Record how the work on the connection ended: after an error it is asked `SELECT 1`
    /// before it is lent again.
    fn finish<T, E>(mut self, result: Result<T, E>) -> Result<T, E> {
        self.0.good_at = result.is_ok().then(Instant::now);
        result
    }
}

impl Deref for Lent {
    type Target = DbConnection;
    fn deref(&self) -> &DbConnection {
        &self.0.conn
    }
}

impl DerefMut for Lent {
    fn deref_mut(&mut self) -> &mut DbConnection {
        &mut self.0.conn
    }
}

/// Applies a [`Tuning`] to each new connection: SQLite's pragmas, PostgreSQL's time zone, and
/// the slow-statement watch when one is set.
#[derive(Debug)]
struct Setup {
    tuning: Tuning,
    /// The pool of SQLite's one writer (see [`Tuning::sqlite_pragmas`]).
    writer: bool,
}

impl CustomizeConnection<Pooled, r2d2::Error> for Setup {
    fn on_acquire(&self, pooled: &mut Pooled) -> Result<(), r2d2::Error> {
        let conn = &mut pooled.conn;
        let sql = match conn {
            DbConnection::Sqlite(_) => self.tuning.sqlite_pragmas(self.writer),
            DbConnection::Postgresql(_) => "SET TIME ZONE 'UTC';".to_string(),
        };
        conn.batch_execute(&sql).map_err(r2d2::Error::QueryError)?;
        if let Some(over) = self.tuning.slow_statement {
            tuning::watch(conn, over, tuning::log_slow);
        }
        Ok(())
    }
}

pub type Pool = r2d2::Pool<Manager>;

/// How many report reads may hold a connection at once: half the pool, at least one.
pub fn report_slots(pool_size: u32) -> usize {
    (pool_size as usize / 2).max(1)
}

/// The database handle shared by the whole application.
#[derive(Clone)]
pub struct Db {
    read: Pool,
    write: Pool,
    backend: Backend,
    /// The key that seals the audit chains in write transactions.
    key: Option<Arc<SealKey>>,
    /// SQLite: the thread that commits queued writes together (see [`super::group_commit`]).
    writer: Option<Writer<DbConnection>>,
    /// Report reads running at once: at most half the read connections, so a burst of board
    /// reports (seconds each over a million cases) never leaves case work without one.
    reports: Arc<tokio::sync::Semaphore>,
    /// One permit per pooled connection that requests share (the read pool; on PostgreSQL also
    /// the writes): work waits here, on the async side, instead of parking blocking threads on
    /// the pool's lock (`perf` on 64 concurrent reads showed a third of the CPU in futex wake-ups
    /// and context switches between threads that each held no connection).
    slots: Arc<tokio::sync::Semaphore>,
    /// How long a request waits for a connection before it is answered 503.
    timeout: Duration,
    /// Where the database is, for connections of the handle's own threads.
    target: Target,
    /// The working calendar built from this database, lent to each read and write.
    calendars: Calendars,
}

impl Db {
    /// Open the pools for `url`; a SQLite file's folder is created if missing.
    pub fn connect(url: &str, pool_size: u32, timeout: Duration) -> Result<Self, String> {
        Self::connect_tuned(url, pool_size, timeout, Tuning::default())
    }

    /// [`Db::connect`], with each connection set up as `tuning` says.
    pub fn connect_tuned(
        url: &str,
        pool_size: u32,
        timeout: Duration,
        tuning: Tuning,
    ) -> Result<Self, String> {
        let target = Target::parse(url)?;
        if let Target::Sqlite(path) = &target
            && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create folder {}: {e}", dir.display()))?;
        }
        let build = |size: u32, writer: bool| {
            Pool::builder()
                .max_size(size)
                // No idle connections kept warm: r2d2 would open them on its own threads, and a
                // short-lived command (`candour audit verify`) exiting while libpq was still
                // connecting there crashed in OpenSSL's exit handlers (about 1 run in 8 on
                // PostgreSQL). Connections are opened on demand and then reused.
                .min_idle(Some(0))
                .connection_timeout(timeout)
                .connection_customizer(Box::new(Setup { tuning, writer }))
                .build(Manager {
                    target: target.clone(),
                })
                .map_err(|e| format!("cannot connect to the database: {e}"))
        };
        let backend = target.backend();
        let (read, write) = match backend {
            Backend::Postgres => {
                let pool = build(pool_size, false)?;
                (pool.clone(), pool)
            }
            // One writer: competing SQLite writers only wait on each other's locks.
            Backend::Sqlite => (build(pool_size, false)?, build(1, true)?),
        };
        Ok(Self {
            read,
            write,
            backend,
            key: None,
            writer: None,
            reports: Arc::new(tokio::sync::Semaphore::new(report_slots(pool_size))),
            slots: Arc::new(tokio::sync::Semaphore::new(pool_size as usize)),
            timeout,
            target,
            calendars: Calendars::default(),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Pool gauges for `/metrics`: (pool name, open connections, idle connections).
    pub fn pool_states(&self) -> Vec<(&'static str, u32, u32)> {
        let state = |name, pool: &Pool| {
            let s = pool.state();
            (name, s.connections, s.idle_connections)
        };
        match self.backend {
            Backend::Postgres => vec![state("main", &self.read)],
            Backend::Sqlite => vec![state("read", &self.read), state("write", &self.write)],
        }
    }

    /// Run read-only work on a blocking thread.
    pub async fn read<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let _slot = self.slot().await?;
        let db = self.clone();
        blocking(move || db.read_blocking(f)).await
    }

    /// A read bounded by an index (one case, one page of a list, a session) that takes a small
    /// fraction of a millisecond. On SQLite it runs on the calling thread: the hop to a blocking
    /// thread and back cost more than such a read (`perf` on case reads at c64: the largest
    /// share of the CPU was thread wake-ups and switches). Never for a read that may scan: it
    /// holds up every other request of this worker while it runs. On PostgreSQL it is
    /// [`Db::read`]: a network round trip must not block the worker.
    pub async fn read_short<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        match self.backend {
            Backend::Sqlite => {
                let _slot = self.slot().await?;
                self.read_blocking(f)
            }
            Backend::Postgres => self.read(f).await,
        }
    }

    /// Wait for one of the shared connections' permits, at most the pool's connection timeout.
    async fn slot(&self) -> Result<tokio::sync::OwnedSemaphorePermit, DbError> {
        let wait = self.slots.clone().acquire_owned();
        match tokio::time::timeout(self.timeout, wait).await {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(_)) => Err(DbError::Task("the connection slots were closed".into())),
            Err(_) => Err(DbError::Busy(format!(
                "every connection stayed in use for {} ms",
                self.timeout.as_millis()
            ))),
        }
    }

    /// [`Db::read`] for a report's long read: it waits for one of the report slots (half the
    /// read pool) before it takes a connection, so reports queue behind each other instead of
    /// in front of case work.
    pub async fn report<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let _slot = self
            .reports
            .acquire()
            .await
            .map_err(|_| E::from(DbError::Task("the report slots were closed".into())))?;
        self.read(f).await
    }

    /// Run work in one write transaction on a blocking thread; an `Err` rolls it all back.
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + From<diesel::result::Error> + Send + 'static,
    {
        if let Some(writer) = self.writer.as_ref().filter(|w| w.is_alive()) {
            let calendars = self.calendars.clone();
            let f = move |c: &mut DbConnection| {
                calendar_cache::lend(&calendars, Use::ReadOnly, || f(c))
            };
            let (tx, rx) = tokio::sync::oneshot::channel();
            let job = Box::new(WriteJob {
                f,
                key: self.key.clone(),
                span: tracing::Span::current(),
                tx,
            });
            if !writer.submit(job) {
                return Err(E::from(DbError::Task("the database writer stopped".into())));
            }
            return rx.await.unwrap_or_else(|_| {
                Err(E::from(DbError::Task(
                    "the write was lost: the database writer stopped".into(),
                )))
            });
        }
        // PostgreSQL's writes share the one pool with the reads, so they share its permits.
        let _slot = match self.backend {
            Backend::Postgres => Some(self.slot().await?),
            Backend::Sqlite => None,
        };
        let db = self.clone();
        blocking(move || db.write_blocking(f)).await
    }

    /// [`Db::read`] for callers that are already off the async threads (the CLI).
    pub fn read_blocking<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E>,
        E: From<DbError>,
    {
        let mut conn = Lent::get(&self.read)?;
        let result = calendar_cache::lend(&self.calendars, Use::ReadAndKeep, || f(&mut conn));
        conn.finish(result)
    }

    /// [`Db::write`] for callers that are already off the async threads (the CLI).
    pub fn write_blocking<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E>,
        E: From<DbError> + From<diesel::result::Error>,
    {
        let mut conn = Lent::get(&self.write)?;
        let result = super::seal::lend(self.key.as_ref(), || {
            calendar_cache::lend(&self.calendars, Use::ReadOnly, || write_tx(&mut conn, f))
        });
        conn.finish(result)
    }

    /// The key the audit chains are sealed and checked with, if the handle has one.
    pub fn seal_key(&self) -> Option<Arc<SealKey>> {
        self.key.clone()
    }

    /// On SQLite, commit queued writes together, at most `max_batch` in one transaction (each in
    /// its own savepoint); 0 leaves every write its own transaction. PostgreSQL is unchanged:
    /// its writers run side by side.
    pub fn group_commit(mut self, max_batch: usize) -> Result<Self, String> {
        if let (Target::Sqlite(path), true) = (&self.target, max_batch > 0) {
            let pool = self.write.clone();
            let connect = move || Lent::get(&pool).map_err(|e| e.to_string());
            let due = Arc::new(std::sync::atomic::AtomicBool::new(false));
            let due_now = super::checkpointer::due_after_batch(due.clone(), path);
            let writer = Writer::start(connect, max_batch, due_now)
                .map_err(|e| format!("cannot start the database writer: {e}"))?;
            // The writer only commits; the checkpoints are the checkpointer's.
            let target = self.target.clone();
            let connect = move || match target.establish() {
                Ok(DbConnection::Sqlite(conn)) => Ok(conn),
                Ok(DbConnection::Postgresql(_)) => Err("not a SQLite database".to_string()),
                Err(e) => Err(e.to_string()),
            };
            super::checkpointer::start(connect, writer.alive_flag(), due)
                .map_err(|e| format!("cannot start the checkpointer: {e}"))?;
            Lent::get(&self.write)
                .map_err(|e| e.to_string())?
                .batch_execute("PRAGMA wal_autocheckpoint = 0")
                .map_err(|e| format!("cannot hand the checkpoints over: {e}"))?;
            self.writer = Some(writer);
        }
        Ok(self)
    }

    /// Whether writes are committed together by a running writer thread.
    pub fn is_group_committing(&self) -> bool {
        self.writer.as_ref().is_some_and(Writer::is_alive)
    }

    /// The handle, sealing the audit chains with `key` in its write transactions.
    pub fn sealing_with(mut self, key: SealKey) -> Self {
        self.key = Some(Arc::new(key));
        self
    }

    /// Whether the database answers a trivial query (readiness).
    pub fn ping(&self) -> DbResult<()> {
        self.read_blocking(|conn| conn.batch_execute("SELECT 1").map_err(DbError::from))
    }

    /// A connection for maintenance work (migrations, readiness).
    pub fn maintenance<T>(&self, f: impl FnOnce(&mut DbConnection) -> DbResult<T>) -> DbResult<T> {
        let mut conn = Lent::get(&self.write)?;
        let result = f(&mut conn);
        conn.finish(result)
    }
}

/// Run `f` on the blocking pool, inside the caller's tracing span.
async fn blocking<T, E, F>(f: F) -> Result<T, E>
where
    F: FnOnce() -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<DbError> + Send + 'static,
{
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || span.in_scope(f))
        .await
        .map_err(|e| E::from(DbError::Task(e.to_string())))?
}

/// A write transaction: `BEGIN IMMEDIATE` on SQLite (no lock upgrade failures), plain on PostgreSQL.
fn write_tx<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let DbConnection::Sqlite(inner) = conn else {
        return conn.transaction(f);
    };
    AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
    let result = f(conn);
    let DbConnection::Sqlite(inner) = conn else {
        return result;
    };
    match result {
        Ok(v) => {
            AnsiTransactionManager::commit_transaction(inner)?;
            Ok(v)
        }
        Err(e) => {
            if let Err(rollback) = AnsiTransactionManager::rollback_transaction(inner) {
                tracing::error!(error.cause = %rollback, "rollback failed");
            }
            Err(e)
        }
    }
}

impl Batching for DbConnection {
    fn begin_batch(&mut self) -> Result<(), String> {
        match self {
            DbConnection::Sqlite(inner) => {
                AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")
            }
            DbConnection::Postgresql(inner) => AnsiTransactionManager::begin_transaction(inner),
        }
        .map_err(|e| e.to_string())
    }

    fn commit_batch(&mut self) -> Result<(), String> {
        let committed = match self {
            DbConnection::Sqlite(inner) => AnsiTransactionManager::commit_transaction(inner),
            DbConnection::Postgresql(inner) => AnsiTransactionManager::commit_transaction(inner),
        };
        committed.map_err(|e| {
            // SQLite may already have rolled back; a failed rollback here is only logged.
            if !self.roll_back_one() {
                tracing::error!("rollback after a failed batch commit failed");
            }
            e.to_string()
        })
    }

    fn roll_back_one(&mut self) -> bool {
        match self {
            DbConnection::Sqlite(inner) => AnsiTransactionManager::rollback_transaction(inner),
            DbConnection::Postgresql(inner) => AnsiTransactionManager::rollback_transaction(inner),
        }
        .is_ok()
    }

    fn checkpoint(&mut self) -> Result<(), String> {
        match self {
            DbConnection::Sqlite(_) => self
                .batch_execute("PRAGMA wal_checkpoint(PASSIVE)")
                .map_err(|e| e.to_string()),
            DbConnection::Postgresql(_) => Ok(()),
        }
    }

    fn depth(&mut self) -> u32 {
        let status = match self {
            DbConnection::Sqlite(inner) => {
                AnsiTransactionManager::transaction_manager_status_mut(inner)
            }
            DbConnection::Postgresql(inner) => {
                AnsiTransactionManager::transaction_manager_status_mut(inner)
            }
        };
        status
            .transaction_depth()
            .ok()
            .flatten()
            .map_or(0, |d| d.get())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::AppError;
    use diesel::RunQueryDsl;

    #[test]
    fn urls_choose_the_engine_or_fail_clearly() {
        assert_eq!(
            Target::parse("sqlite://data/candour.db").unwrap(),
            Target::Sqlite("data/candour.db".into())
        );
        assert_eq!(
            Target::parse("sqlite:///var/lib/candour.db").unwrap(),
            Target::Sqlite("/var/lib/candour.db".into())
        );
        assert_eq!(
            Target::parse("postgres://u@h/db").unwrap().backend(),
            Backend::Postgres
        );
        assert!(
            Target::parse("mysql://u@h/db")
                .unwrap_err()
                .contains("\"mysql\"")
        );
        assert!(Target::parse("data/candour.db").is_err());
        assert!(Target::parse("sqlite://").is_err());
    }

    #[test]
    fn postgres_urls_are_not_printed() {
        let t = Target::parse("postgres://u:hunter2@h/db").unwrap();
        assert!(!format!("{t:?}").contains("hunter2"));
    }

    #[test]
    fn sqlite_keeps_one_plan_per_statement() {
        #[derive(diesel::QueryableByName)]
        struct Option_ {
            #[diesel(sql_type = diesel::sql_types::Text)]
            compile_options: String,
        }
        let mut conn = Target::Sqlite(":memory:".into()).establish().unwrap();
        let DbConnection::Sqlite(inner) = &mut conn else {
            unreachable!()
        };
        let options: Vec<Option_> = diesel::sql_query("PRAGMA compile_options")
            .load(inner)
            .unwrap();
        // Without it, STAT4 re-prepares a cached statement at every new binding (.cargo/config.toml).
        assert!(
            options.iter().any(|o| o.compile_options == "ENABLE_QPSG"),
            "the bundled SQLite lacks ENABLE_QPSG"
        );
    }

    #[test]
    fn only_the_sqlite_writer_keeps_a_large_cache_and_its_journals_in_memory() {
        #[derive(diesel::QueryableByName)]
        struct Setting {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            value: i64,
        }
        // The page cache (negative: KiB) and where temporary journals go (2: MEMORY).
        let ask = |c: &mut DbConnection| -> DbResult<(i64, i64)> {
            let q = "SELECT cache_size AS value FROM pragma_cache_size UNION ALL \
                     SELECT temp_store FROM pragma_temp_store";
            let rows: Vec<Setting> = diesel::sql_query(q).load(c)?;
            Ok((rows[0].value, rows[1].value))
        };
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("tuned.db").display());
        let db = Db::connect(&url, 2, Duration::from_secs(5)).unwrap();
        assert_eq!(db.write_blocking(ask).unwrap(), (-16384, 2));
        // A reader keeps SQLite's defaults.
        assert_eq!(db.read_blocking(ask).unwrap(), (-2000, 0));
    }

    /// A short read on SQLite runs on the caller's thread; any other read, and every read on
    /// PostgreSQL, on a blocking thread.
    #[tokio::test]
    async fn only_short_sqlite_reads_stay_on_the_calling_thread() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("short.db").display());
        let mut urls = vec![url];
        urls.extend(std::env::var("CANDOUR_TEST_DATABASE_URL").ok());
        let here = std::thread::current().id();
        let thread = |_: &mut DbConnection| Ok::<_, DbError>(std::thread::current().id());
        for url in urls {
            let db = Db::connect(&url, 2, Duration::from_secs(5)).unwrap();
            let short = db.read_short(thread).await.unwrap();
            let long = db.read(thread).await.unwrap();
            assert_ne!(
                long,
                here,
                "{:?}: a read goes to a blocking thread",
                db.backend()
            );
            assert_eq!(
                short == here,
                db.backend() == Backend::Sqlite,
                "{:?}: a short read stays here only on SQLite",
                db.backend()
            );
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_request_waits_for_a_connection_then_hears_the_database_is_busy() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("busy.db").display());
        let db = Db::connect(&url, 1, Duration::from_millis(300)).unwrap();
        let (held_tx, held_rx) = std::sync::mpsc::channel::<()>();
        let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
        let holder = {
            let db = db.clone();
            tokio::spawn(async move {
                db.read(move |_| -> Result<(), DbError> {
                    held_tx.send(()).unwrap();
                    release_rx.recv().unwrap();
                    Ok(())
                })
                .await
            })
        };
        tokio::task::spawn_blocking(move || held_rx.recv().unwrap())
            .await
            .unwrap();
        let started = std::time::Instant::now();
        let refused = db.read(|_| -> Result<(), DbError> { Ok(()) }).await;
        assert!(matches!(refused, Err(DbError::Busy(_))), "{refused:?}");
        assert!(started.elapsed() >= Duration::from_millis(300));
        assert!(matches!(
            AppError::from(refused.unwrap_err()),
            AppError::Unavailable(_)
        ));
        // A short read waits for the same connections.
        let refused = db.read_short(|_| -> Result<(), DbError> { Ok(()) }).await;
        assert!(matches!(refused, Err(DbError::Busy(_))), "{refused:?}");
        release_tx.send(()).unwrap();
        holder.await.unwrap().unwrap();
        // The permit came back with the connection.
        db.read(|_| -> Result<(), DbError> { Ok(()) })
            .await
            .unwrap();
    }

    /// A connection PostgreSQL closed under the pool costs at most one failed piece of work:
    /// idle past [`TRUSTED_FOR`] it is asked `SELECT 1` before it is lent, and after work on it
    /// fails it is asked before it is lent again; either way it is replaced.
    #[test]
    fn a_connection_postgres_closed_is_found_and_replaced() {
        use diesel::dsl::sql;
        let Some(url) = std::env::var("CANDOUR_TEST_DATABASE_URL")
            .ok()
            .filter(|u| u.starts_with("postgres"))
        else {
            return;
        };
        let db = Db::connect(&url, 1, Duration::from_secs(5)).unwrap();
        let backend = |db: &Db| {
            db.read_blocking(|c| {
                diesel::select(sql::<diesel::sql_types::Integer>("pg_backend_pid()"))
                    .get_result::<i32>(c)
                    .map_err(DbError::from)
            })
        };
        let close = |pid: i32| {
            let mut other = Target::parse(&url).unwrap().establish().unwrap();
            diesel::sql_query(format!("SELECT pg_terminate_backend({pid})"))
                .execute(&mut other)
                .unwrap();
            // The backend ends as soon as it sees the signal; give it the moment.
            std::thread::sleep(Duration::from_millis(200));
        };
        let first = backend(&db).unwrap();
        close(first);
        std::thread::sleep(TRUSTED_FOR);
        let second = backend(&db).expect("idle past the trust: asked first, so replaced");
        assert_ne!(second, first);
        close(second);
        assert!(
            backend(&db).is_err(),
            "used within the trust: the work fails"
        );
        let third = backend(&db).expect("after a failure: asked first, so replaced");
        assert_ne!(third, second);
        assert_eq!(backend(&db).unwrap(), third, "the new connection is kept");
    }
}

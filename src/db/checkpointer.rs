//! SQLite WAL checkpoints on their own thread: the one writer then only commits, and copying
//! the log back into the database file (reads, writes and an fsync) happens beside it.
//!
//! `perf` on 64 concurrent case creations showed the writer thread as the limit, with about
//! a tenth of its time in the checkpoints SQLite runs inside a commit once the log passes 1,000
//! pages. With group commit on, the writer's connection no longer checkpoints itself
//! (`wal_autocheckpoint = 0`); this thread runs a passive checkpoint every
//! [`CHECKPOINT_EVERY`] on a connection of its own, and stops when the writer stops. A
//! passive checkpoint never waits for a lock, so it never holds up a reader or the writer.
//!
//! A passive checkpoint alone let the log grow without end under writes that never pause:
//! SQLite starts the log again from its beginning only when a write begins after every frame
//! was copied back, and the writer had always added more by then. Seeding a million cases
//! filled a 68 GB disk with the log. Emptying it from this thread (`wal_checkpoint(TRUNCATE)`)
//! did not help: the writer took the write lock back after every commit before this thread's
//! busy handler looked again. So once the log holds more than [`LOG_LIMIT_FRAMES`] frames this
//! thread raises a flag, and the writer, between two batches, runs a passive checkpoint
//! itself; nothing is added to the log while it does, so the copy completes and the next write
//! starts the log again from its beginning.
//! The writer also looks at the log file's size after each batch ([`due_after_batch`]), so the
//! bound does not depend on when this thread wakes.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use diesel::sql_types::Integer;
use diesel::{QueryableByName, RunQueryDsl, SqliteConnection};

/// How often the log is copied back: at a thousand creates a second the log grows by a few
/// megabytes in between.
pub const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);

/// The log's length, in frames (pages of usually 4 KiB), past which it is emptied: 16 MiB.
pub const LOG_LIMIT_FRAMES: i32 = 4096;

/// The answer of `PRAGMA wal_checkpoint`.
#[derive(QueryableByName)]
struct Checkpointed {
    /// Frames in the log.
    #[diesel(sql_type = Integer)]
    log: i32,
}

/// What the writer asks after each batch: whether to checkpoint now. Yes when this thread has
/// raised `due`, or when the log file of the database at `db` has just grown and is past
/// [`LOG_LIMIT_FRAMES`]. The writer's own look at the file bounds the log whatever this
/// thread's timing: on a busy machine this thread could wake too late, and a writer that
/// commits 100 MB a second grew the log to four times the limit in between (a test failed so
/// under load). Only growth counts: a log started again from its beginning keeps its file's
/// size, and a file merely larger than the limit would have had the writer checkpoint after
/// every batch from then on.
pub(super) fn due_after_batch(due: Arc<AtomicBool>, db: &Path) -> impl Fn() -> bool + Send + use<> {
    let mut log = db.as_os_str().to_owned();
    log.push("-wal");
    let log = PathBuf::from(log);
    let limit = u64::try_from(LOG_LIMIT_FRAMES).unwrap_or(u64::MAX) * 4096;
    let seen = AtomicU64::new(0);
    move || {
        let asked = due.swap(false, Ordering::SeqCst);
        let size = std::fs::metadata(&log).map_or(0, |m| m.len());
        let grew = size > seen.swap(size, Ordering::SeqCst);
        asked || (grew && size > limit)
    }
}

/// Run a passive checkpoint; how many frames the log holds.
fn passive_checkpoint(conn: &mut SqliteConnection) -> Result<i32, String> {
    let rows: Vec<Checkpointed> = diesel::sql_query("PRAGMA wal_checkpoint(PASSIVE)")
        .load(conn)
        .map_err(|e| e.to_string())?;
    Ok(rows.first().map_or(0, |r| r.log))
}

/// Start the thread; `connect` opens its connection (again after an error), `alive` is the
/// writer's flag, false once the writer has stopped; `due` is raised for the writer when the
/// log has grown past [`LOG_LIMIT_FRAMES`].
pub(super) fn start<F>(
    mut connect: F,
    alive: Arc<AtomicBool>,
    due: Arc<AtomicBool>,
) -> std::io::Result<()>
where
    F: FnMut() -> Result<SqliteConnection, String> + Send + 'static,
{
    std::thread::Builder::new()
        .name("candour-checkpoint".into())
        .spawn(move || {
            let mut conn: Option<SqliteConnection> = None;
            while alive.load(Ordering::SeqCst) {
                std::thread::sleep(CHECKPOINT_EVERY);
                if conn.is_none() {
                    conn = connect()
                        .map_err(
                            |why| tracing::warn!(%why, "cannot open the checkpoint connection"),
                        )
                        .ok();
                }
                match conn.as_mut().map(passive_checkpoint) {
                    Some(Ok(log)) if log > LOG_LIMIT_FRAMES => due.store(true, Ordering::SeqCst),
                    Some(Err(why)) => {
                        tracing::warn!(%why, "the WAL checkpoint failed; trying a new connection");
                        conn = None;
                    }
                    Some(Ok(_)) | None => {}
                }
            }
        })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{Db, DbError};
    use diesel::connection::SimpleConnection;

    #[test]
    fn the_writer_checkpoints_when_told_or_when_the_log_file_passes_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("c.db");
        let log = dir.path().join("c.db-wal");
        let flag = Arc::new(AtomicBool::new(false));
        let due = due_after_batch(flag.clone(), &db);
        assert!(!due(), "no log file yet, no flag");
        let limit = u64::try_from(LOG_LIMIT_FRAMES).unwrap() * 4096;
        let file = std::fs::File::create(&log).unwrap();
        file.set_len(limit).unwrap();
        assert!(!due(), "at the limit, not past it");
        flag.store(true, Ordering::SeqCst);
        assert!(due(), "the checkpoint thread asked");
        assert!(!flag.load(Ordering::SeqCst), "and its flag is lowered");
        assert!(!due(), "asked once, answered once");
        file.set_len(limit + 4096).unwrap();
        assert!(due(), "grown past the limit, whatever the thread's timing");
        assert!(
            !due(),
            "a log used again from its start keeps its size: no checkpoint"
        );
        file.set_len(limit + 8192).unwrap();
        assert!(due(), "grown again");
    }

    /// Writes queued with no pause between them, as when seeding a million cases: the log
    /// starts again from its beginning whenever it passes the limit, so its file stays near the
    /// limit however much is written.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_log_stays_near_its_limit_under_writes_that_never_pause() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("w.db").display());
        let wal = dir.path().join("w.db-wal");
        let db = Db::connect(&url, 4, Duration::from_secs(5))
            .unwrap()
            .group_commit(64)
            .unwrap();
        db.maintenance(|c| {
            c.batch_execute("CREATE TABLE t (x BLOB)")
                .map_err(DbError::from)
        })
        .unwrap();
        let limit = u64::try_from(LOG_LIMIT_FRAMES).unwrap() * 4096;
        let total = 6 * limit;
        let row = 8_000u64;
        let writers: Vec<_> = (0..8)
            .map(|_| {
                let db = db.clone();
                tokio::spawn(async move {
                    for _ in 0..total / row / 8 {
                        db.write(|c| {
                            c.batch_execute("INSERT INTO t VALUES (randomblob(8000))")
                                .map_err(DbError::from)
                        })
                        .await
                        .unwrap();
                    }
                })
            })
            .collect();
        let watch = tokio::spawn(async move {
            let mut largest = 0;
            while !dir.path().join("done").exists() {
                largest = largest.max(std::fs::metadata(&wal).map_or(0, |m| m.len()));
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            largest
        });
        for w in writers {
            w.await.unwrap();
        }
        std::fs::write(
            std::path::Path::new(&url["sqlite://".len()..]).with_file_name("done"),
            "",
        )
        .unwrap();
        let largest = watch.await.unwrap();
        // Without the writer's own checkpoint the log held all of it (each row two pages).
        assert!(
            largest < 3 * limit,
            "the log reached {largest} bytes after {total} written (limit {limit})"
        );
    }
}

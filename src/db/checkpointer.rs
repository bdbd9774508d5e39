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

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
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

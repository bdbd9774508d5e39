//! SQLite WAL checkpoints on their own thread: the one writer then only commits, and copying
//! the log back into the database file (reads, writes and an fsync) happens beside it.
//!
//! `perf` on 64 concurrent case creations showed the writer thread as the limit, with about
//! a tenth of its time in the checkpoints SQLite runs inside a commit once the log passes 1,000
//! pages. With group commit on, the writer's connection no longer checkpoints itself
//! (`wal_autocheckpoint = 0`); this thread runs a passive checkpoint every
//! [`CHECKPOINT_EVERY`] on a connection of its own, and stops when the writer stops. A
//! passive checkpoint never waits for a lock, so it never holds up a reader or the writer.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use diesel::connection::SimpleConnection;

/// How often the log is copied back: at a thousand creates a second the log grows by a few
/// megabytes in between.
pub const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);

/// Start the thread; `connect` opens its connection (again after an error), `alive` is the
/// writer's flag, false once the writer has stopped.
pub(super) fn start<C, F>(mut connect: F, alive: Arc<AtomicBool>) -> std::io::Result<()>
where
    C: SimpleConnection,
    F: FnMut() -> Result<C, String> + Send + 'static,
{
    std::thread::Builder::new()
        .name("candour-checkpoint".into())
        .spawn(move || {
            let mut conn: Option<C> = None;
            while alive.load(Ordering::SeqCst) {
                std::thread::sleep(CHECKPOINT_EVERY);
                if conn.is_none() {
                    conn = connect()
                        .map_err(
                            |why| tracing::warn!(%why, "cannot open the checkpoint connection"),
                        )
                        .ok();
                }
                if let Some(c) = conn.as_mut()
                    && let Err(why) = c.batch_execute("PRAGMA wal_checkpoint(PASSIVE)")
                {
                    tracing::warn!(%why, "the WAL checkpoint failed; trying a new connection");
                    conn = None;
                }
            }
        })?;
    Ok(())
}

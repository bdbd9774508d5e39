//! `candour documents sweep`: the store's files that no document names any longer (a crash
//! between storing a file and committing its row can leave one), removed once they are old
//! enough that no upload can still be on its way to naming them.

use chrono::{DateTime, Duration, Utc};

use super::rows;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::files::FileStore;

/// What a sweep found (and, unless dry, removed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Swept {
    /// Files some document still names.
    pub kept: usize,
    /// Files no document names, written less than the grace period ago: left for now.
    pub recent: usize,
    /// The digests of the files no document names (removed unless dry).
    pub unreferenced: Vec<String>,
    /// Temporary files of writes a crash cut short, older than the grace period (removed
    /// unless dry; a dry run counts none).
    pub temporary: usize,
}

/// Sweep `store`: files no document (not erased) names and written more than `grace` before
/// `now` are removed, unless `dry_run`.
pub async fn sweep(
    db: &Db,
    store: &dyn FileStore,
    now: DateTime<Utc>,
    grace: Duration,
    dry_run: bool,
) -> AppResult<Swept> {
    let files = store
        .list()
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("listing the document store: {e}")))?;
    let mut out = Swept::default();
    if !dry_run {
        out.temporary = store.clear_temporary(now - grace).await.map_err(|e| {
            AppError::Internal(anyhow::anyhow!("clearing the store's temporary files: {e}"))
        })?;
    }
    // One read for every digest in use. A file stored after it is younger than the grace
    // period, so it is never taken for unreferenced.
    let live: std::collections::HashSet<String> = db
        .read(|c| rows::live_digests(c).map_err(AppError::from))
        .await?
        .into_iter()
        .collect();
    for f in files {
        if live.contains(&f.digest) {
            out.kept += 1;
        } else if now - f.written_at < grace {
            out.recent += 1;
        } else {
            if !dry_run {
                store.remove(&f.digest).await.map_err(|e| {
                    AppError::Internal(anyhow::anyhow!("removing from the document store: {e}"))
                })?;
            }
            out.unreferenced.push(f.digest);
        }
    }
    Ok(out)
}

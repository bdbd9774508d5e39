//! `candour documents sweep [--dry-run]`.

use crate::clock::Clock;
use crate::config::Settings;
use crate::services::documents;
use crate::startup::open_database;

use super::describe;

pub async fn sweep(settings: Settings, dry_run: bool, grace_hours: u32) -> anyhow::Result<()> {
    let db = open_database(&settings).await?;
    let store = crate::files::open(&settings).map_err(anyhow::Error::msg)?;
    let now = Clock::system().now_utc();
    let grace = chrono::Duration::hours(i64::from(grace_hours));
    let swept = documents::sweep(&db, store.as_ref(), now, grace, dry_run)
        .await
        .map_err(describe)?;
    let verb = if dry_run {
        "would be removed"
    } else {
        "removed"
    };
    println!(
        "Document store: {} files in use, {} unreferenced {verb}, {} unreferenced but written in \
         the last {grace_hours} hours (left for now), {} temporary files of cut-short writes \
         removed.",
        swept.kept,
        swept.unreferenced.len(),
        swept.recent,
        swept.temporary
    );
    Ok(())
}

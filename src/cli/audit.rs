//! `candour audit verify [--anchor FILE]` and `candour audit anchor FILE`.

use std::io::Write;

use super::{AuditCommand, describe};
use crate::config::Settings;
use crate::services::audit_check::{self, Anchor, ChainProblem};
use crate::startup::open_database;

pub async fn run(cmd: AuditCommand, settings: Settings) -> anyhow::Result<()> {
    match cmd {
        AuditCommand::Verify { anchor } => verify(settings, anchor).await,
        AuditCommand::Anchor { file } => write_anchor(settings, &file).await,
    }
}

async fn verify(settings: Settings, anchor: Option<std::path::PathBuf>) -> anyhow::Result<()> {
    let db = open_database(&settings).await?;
    let report = audit_check::verify_all(&db).await.map_err(describe)?;
    let mut problems = report.problems;
    if let Some(path) = &anchor {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read the anchor {}: {e}", path.display()))?;
        let anchor: Anchor = serde_json::from_str(&text)
            .map_err(|e| anyhow::anyhow!("{} is not an audit anchor: {e}", path.display()))?;
        problems.extend(
            audit_check::check_anchor(&db, anchor)
                .await
                .map_err(describe)?,
        );
    }
    let checked = format!(
        "{} case timelines and {} audit-log events",
        report.cases_checked, report.system_events
    );
    if problems.is_empty() {
        let against = anchor.map_or(String::new(), |p| {
            format!(", and every head in {} is still there", p.display())
        });
        println!("Checked {checked}: every chain is intact{against}.");
        return Ok(());
    }
    for p in &problems {
        println!("BROKEN  {}: event {}: {}", name(p), p.seq, p.reason);
    }
    anyhow::bail!("{} problems found checking {checked}", problems.len())
}

fn name(p: &ChainProblem) -> String {
    match &p.reference {
        Some(r) => format!("{r} (case {})", p.chain),
        None if p.chain == "system" => "the system audit log".into(),
        None => format!("chain {}", p.chain),
    }
}

async fn write_anchor(settings: Settings, file: &std::path::Path) -> anyhow::Result<()> {
    let db = open_database(&settings).await?;
    // The anchor's time is the instant it is written: the real clock of the command line.
    let now = crate::clock::Clock::system().now_utc();
    let anchor = audit_check::anchor(&db, now).await.map_err(describe)?;
    let text = serde_json::to_string_pretty(&anchor)?;
    let mut f = std::fs::File::create_new(file)
        .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", file.display()))?;
    f.write_all(text.as_bytes())?;
    f.write_all(b"\n")?;
    f.sync_all()?;
    println!(
        "Anchored {} chains to {} (key {}).",
        anchor.heads.len(),
        file.display(),
        anchor.key_id
    );
    Ok(())
}

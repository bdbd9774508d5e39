//! `candour retention run [--dry-run]`.

use std::io::IsTerminal;

use super::describe;
use crate::clock::Clock;
use crate::config::Settings;
use crate::services::retention;
use crate::startup::open_database;

pub async fn run(settings: Settings, dry_run: bool) -> anyhow::Result<()> {
    let db = open_database(&settings).await?;
    let years = settings.retention.years;
    let show = std::io::stderr().is_terminal();
    let files = crate::files::open(&settings).map_err(anyhow::Error::msg)?;
    let clock = Clock::system();
    let report = retention::run(
        &db,
        files.as_ref(),
        &clock,
        years,
        dry_run,
        |done, total| {
            if show {
                crate::progress::bar(done, total, "cases");
            }
        },
    )
    .await
    .map_err(describe)?;
    if show && !report.cases.is_empty() {
        crate::progress::finish();
    }
    let today = report.today.map(|d| d.to_string()).unwrap_or_default();
    if dry_run {
        for reference in &report.cases {
            println!("would anonymise {reference}");
        }
        println!(
            "Dry run on {today} (retention {years} years): {} cases, {} people, {} timeline \
             events and {} documents would be anonymised. Nothing was changed.",
            report.cases.len(),
            report.persons,
            report.events,
            report.documents
        );
    } else {
        println!(
            "Retention run {} on {today} (retention {years} years): {} cases anonymised, {} \
             people, {} texts, {} timeline events and {} documents. Coded facts kept; \
             recorded on the audit log.",
            report.run_id,
            report.cases.len(),
            report.persons,
            report.texts,
            report.events,
            report.documents
        );
    }
    Ok(())
}

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
    let report = retention::run(&db, &Clock::system(), years, dry_run, |done, total| {
        if show {
            crate::progress::bar(done, total, "cases");
        }
    })
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
            "Dry run on {today} (retention {years} years): {} cases, {} people and {} timeline \
             events would be anonymised. Nothing was changed.",
            report.cases.len(),
            report.persons,
            report.events
        );
    } else {
        println!(
            "Retention run {} on {today} (retention {years} years): {} cases anonymised, {} \
             people, {} texts and {} timeline events. Coded facts kept; recorded on the audit \
             log.",
            report.run_id,
            report.cases.len(),
            report.persons,
            report.texts,
            report.events
        );
    }
    Ok(())
}

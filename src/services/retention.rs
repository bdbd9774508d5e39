//! Retention runs: every case that ended more than `retention.years` ago has its people and
//! free text anonymised (its dates, codes and outcomes kept, so every statistic stays the same),
//! its timeline texts erased under an event that records the run, and the run itself goes on
//! the system audit log. A dry run lists what would change and changes nothing.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::NaiveDate;
use serde_json::json;

use super::audit;
use crate::clock::Clock;
use crate::db::retention::{self, Ended};
use crate::db::{Db, DbConnection, documents, erasure, timeline};
use crate::domain::retention as rules;
use crate::domain::timeline::Erasure;
use crate::error::AppResult;
use crate::files::FileStore;

/// Cases read per round trip while looking for those due.
const PAGE: i64 = 1000;

/// What a run did (or, dry, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetentionReport {
    pub run_id: String,
    pub dry_run: bool,
    /// The day of the run: cases that ended more than `years` before it were due.
    pub today: Option<NaiveDate>,
    pub years: i32,
    /// The references of the cases anonymised (or that would be), escalated concerns included.
    pub cases: Vec<String>,
    /// People anonymised (those no case outside the run still needs).
    pub persons: usize,
    /// Free-text values replaced outside the timelines.
    pub texts: usize,
    /// Timeline events erased.
    pub events: usize,
    /// Documents (every version) whose content was erased.
    pub documents: usize,
    /// The erased documents' digests, for removal from the file store after the commit.
    erased_files: Vec<String>,
}

/// Find the cases due on the clock's today and, unless `dry_run`, anonymise each in its own
/// transaction. `progress(done, total)` is called after each case.
pub async fn run(
    db: &Db,
    files: &dyn FileStore,
    clock: &Clock,
    years: i32,
    dry_run: bool,
    progress: impl Fn(u64, u64),
) -> AppResult<RetentionReport> {
    let today = clock.today();
    let due = due_cases(db, years, today).await?;
    let mut report = RetentionReport {
        run_id: crate::db::ids::new_id(),
        dry_run,
        today: Some(today),
        years,
        ..Default::default()
    };
    // In a dry run nothing is marked as it goes, so whether a person is still needed is
    // judged against the whole set of due cases.
    let due_ids: Arc<HashSet<String>> = Arc::new(due.iter().map(|e| e.id.clone()).collect());
    let total = due.len() as u64;
    for (done, case) in due.into_iter().enumerate() {
        let (run_id, clock2, due_ids) = (report.run_id.clone(), clock.clone(), due_ids.clone());
        let work = move |c: &mut DbConnection| {
            let run = Run {
                run_id: &run_id,
                dry_run,
                clock: &clock2,
                due: &due_ids,
            };
            anonymise(c, &case, &run)
        };
        let mut one = if dry_run {
            db.read(work).await?
        } else {
            db.write(work).await?
        };
        // Only once the erasure committed does the content leave the store.
        let erased = std::mem::take(&mut one.erased_files);
        super::documents::remove_unused(db, files, erased).await?;
        report.cases.extend(one.cases);
        report.persons += one.persons;
        report.texts += one.texts;
        report.events += one.events;
        report.documents += one.documents;
        progress(done as u64 + 1, total);
    }
    record_run(db, clock, years, &report).await?;
    Ok(report)
}

/// Every case due on `today`, by id.
async fn due_cases(db: &Db, years: i32, today: NaiveDate) -> AppResult<Vec<Ended>> {
    let latest = rules::latest_possible_end(years, today);
    db.read(move |c| -> AppResult<Vec<Ended>> {
        let mut out = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = retention::ended_by(c, latest, after.as_deref(), PAGE)?;
            let Some(last) = page.last() else { break };
            after = Some(last.id.clone());
            out.extend(page.into_iter().filter(|e| {
                rules::ended_on(e.closed_on, e.withdrawn_on, e.resolved_on)
                    .is_some_and(|end| rules::is_due(end, years, today))
            }));
        }
        Ok(out)
    })
    .await
}

/// One run, as each case sees it.
struct Run<'a> {
    run_id: &'a str,
    dry_run: bool,
    clock: &'a Clock,
    due: &'a HashSet<String>,
}

/// Anonymise one due case and the PALS concerns escalated into it (or, dry, count what would
/// change).
fn anonymise(c: &mut DbConnection, case: &Ended, run: &Run<'_>) -> AppResult<RetentionReport> {
    let mut one = RetentionReport::default();
    let mut all = vec![case.clone()];
    all.extend(retention::escalated_into(c, &case.id)?);
    let (now, today) = (run.clock.now(), run.clock.today());
    let mark = Erasure::Retention.summary();
    for e in &all {
        one.cases.push(e.reference.clone());
        if run.dry_run {
            one.events += timeline::for_case(c, &e.id)?
                .iter()
                .filter(|ev| ev.erased.is_none())
                .count();
            one.documents += documents::for_case(c, &e.id)?
                .iter()
                .filter(|d| d.erased.is_none())
                .count();
            continue;
        }
        one.texts += erasure::anonymise_case_texts(c, &e.id, mark, now)?;
        let erased = super::documents::erase_for_retention(c, &e.id, mark, now)?;
        one.documents += erased.len();
        one.erased_files.extend(erased);
        one.events += erase_timeline(c, &e.id, run.run_id, now)?;
        retention::mark_anonymised(c, &e.id, today, run.run_id)?;
    }
    let in_run: HashSet<&str> = all.iter().map(|e| e.id.as_str()).collect();
    let mut people: Vec<&String> = all
        .iter()
        .flat_map(|e| std::iter::once(&e.complainant_id).chain(e.patient_id.as_ref()))
        .collect();
    people.sort();
    people.dedup();
    for person in people {
        let others: Vec<String> = retention::cases_needing(c, person)?
            .into_iter()
            .filter(|id| !in_run.contains(id.as_str()))
            .collect();
        if !run.dry_run {
            if others.is_empty() {
                one.persons += erasure::anonymise_person(c, person, mark, now)?;
            }
            continue;
        }
        // Dry: counted once, with the last of the person's cases in the run's order (by id).
        let all_due = others.iter().all(|id| run.due.contains(id));
        if all_due && others.iter().all(|id| id.as_str() < case.id.as_str()) {
            one.persons += 1;
        }
    }
    Ok(one)
}

/// Erase every text of the case's timeline and record it with a `retention` event listing
/// every erased event (those redacted before included, so the record vouches for all).
fn erase_timeline(
    c: &mut DbConnection,
    case_id: &str,
    run_id: &str,
    now: chrono::NaiveDateTime,
) -> AppResult<usize> {
    let seqs: Vec<i32> = timeline::for_case(c, case_id)?
        .iter()
        .map(|e| e.seq)
        .collect();
    let erased = timeline::erase(c, case_id, &seqs, Erasure::Retention)?;
    timeline::append(
        c,
        case_id,
        None,
        Erasure::Retention.as_str(),
        "People and free text removed under the retention schedule",
        &json!({ "run_id": run_id, "erased": seqs }),
        now,
    )?;
    Ok(erased)
}

/// Put the run on the system audit log.
async fn record_run(db: &Db, clock: &Clock, years: i32, report: &RetentionReport) -> AppResult<()> {
    let (r, now) = (report.clone(), clock.now());
    db.write(move |c| {
        let event = audit::Event {
            actor_id: None,
            action: if r.dry_run {
                "retention.dry_run"
            } else {
                "retention.run"
            },
            target: Some(audit::Target {
                kind: "retention",
                id: &r.run_id,
            }),
            client: None,
            summary: if r.dry_run {
                "Retention dry run: nothing changed"
            } else {
                "Retention run: cases past their retention period anonymised"
            },
            details: json!({
                "years": years,
                "cases": r.cases.len(),
                "persons": r.persons,
                "texts": r.texts,
                "events": r.events,
                "documents": r.documents,
            }),
        };
        audit::record(c, event, now)
    })
    .await
}

//! `candour demo seed`: realistic synthetic concerns and complaints for demonstrations and
//! benchmarks. Reproducible: the same seed and count give the same data. Nothing here is real.

mod data;
mod generator;
mod progress;
mod setting;

use chrono::Days;
use rand::SeedableRng;
use rand::rngs::StdRng;

use crate::clock::Clock;
use crate::db::bulk::{self, Batch};
use crate::db::{self, Db, calendar};
use crate::domain::clock::ClockRules;
use crate::error::{AppError, AppResult};
use generator::Generator;
use setting::ensure_setting;

/// The password of every demo account (they are created only by this command).
pub const DEMO_PASSWORD: &str = "demo-password-not-for-real-use";

/// What to seed.
#[derive(Debug, Clone)]
pub struct SeedOptions {
    pub cases: u64,
    pub seed: u64,
    /// Cases are received over this many days up to today on `clock`.
    pub span_days: u64,
    /// The application's clock: "today" for receipt dates and progress, and every timestamp.
    pub clock: Clock,
    /// Print a progress bar on stderr.
    pub progress: bool,
}

/// What was seeded.
#[derive(Debug, Clone, Default)]
pub struct SeedReport {
    pub complaints: u64,
    pub pals_concerns: u64,
    pub staff_created: usize,
    pub services_created: usize,
}

/// Seed `opts.cases` cases in batches, each batch one transaction.
pub async fn seed(db: &Db, rules: &ClockRules, opts: &SeedOptions) -> AppResult<SeedReport> {
    let mut report = SeedReport::default();
    let setting = ensure_setting(db, &opts.clock, &mut report).await?;
    let cal = db
        .read(|c| calendar::current(c).map_err(AppError::from))
        .await?;
    let mut rng = StdRng::seed_from_u64(opts.seed);
    let today = opts.clock.today();
    let start = today
        .checked_sub_days(Days::new(opts.span_days))
        .unwrap_or(today);
    let mut counters: std::collections::BTreeMap<(String, i32), i32> =
        std::collections::BTreeMap::new();
    let batch_size: u64 = 2_000;
    let mut done: u64 = 0;
    while done < opts.cases {
        let n = batch_size.min(opts.cases - done);
        let mut batch = Batch::default();
        let mut generator = Generator {
            rng: &mut rng,
            cal: &cal,
            rules,
            setting: &setting,
            clock: &opts.clock,
            today,
            start,
            span: opts.span_days,
            batch: &mut batch,
        };
        let mut made = 0;
        while made < n {
            made += generator.case(&mut counters, db, &mut report).await?;
        }
        // Reference numbers continue from what the database already holds.
        let counter_rows: Vec<((String, i32), i32)> =
            counters.iter().map(|(k, v)| (k.clone(), *v)).collect();
        db.write(move |c| -> AppResult<()> {
            bulk::insert(c, &batch)?;
            for ((prefix, year), value) in &counter_rows {
                bulk::set_reference_counter(c, prefix, *year, *value)?;
            }
            Ok(())
        })
        .await?;
        done += made;
        if opts.progress {
            crate::progress::bar(done, opts.cases, "cases");
        }
    }
    if opts.progress {
        crate::progress::finish();
    }
    refresh_statistics(db).await?;
    Ok(report)
}

/// After a bulk load, give the query planner fresh statistics (and PostgreSQL its visibility
/// map, so that reports can answer from indexes alone), as autovacuum would in time.
pub async fn refresh_statistics(db: &Db) -> AppResult<()> {
    use diesel::connection::SimpleConnection;
    // One statement per call: PostgreSQL runs a multi-statement string as one transaction,
    // and VACUUM refuses to run inside a transaction.
    let statements: &[&str] = match db.backend() {
        db::Backend::Postgres => &[
            "VACUUM ANALYZE cases",
            "VACUUM ANALYZE case_subjects",
            "VACUUM ANALYZE case_services",
            "VACUUM ANALYZE case_professions",
            "VACUUM ANALYZE timeline_events",
        ],
        db::Backend::Sqlite => &["ANALYZE"],
    };
    let db = db.clone();
    tokio::task::spawn_blocking(move || {
        db.maintenance(|c| {
            for sql in statements {
                c.batch_execute(sql).map_err(crate::db::DbError::from)?;
            }
            Ok(())
        })
    })
    .await
    .map_err(|e| AppError::internal(e.to_string()))??;
    Ok(())
}

//! Benchmark: Candour's API over a large seeded database, printed as figures.
//!
//! Environment: `CANDOUR_BENCH_DATABASE_URL` (default: a SQLite file under `target/bench/`),
//! `CANDOUR_BENCH_CASES` (default 100000), `CANDOUR_BENCH_ROUNDS` (default 20). A database that
//! already holds enough cases is reused, so a second run skips seeding. Run through `bench/run`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use candour::config::{Environment, Secret, Settings};
use candour::demo;
use candour::startup::Application;
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};

fn env_u64(key: &str, default: u64) -> u64 {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Make sure a PostgreSQL bench database exists (kept between runs).
fn ensure_pg(url: &str) {
    let (base, name) = url.rsplit_once('/').expect("a database name in the URL");
    let mut admin =
        PgConnection::establish(&format!("{base}/postgres")).expect("connect to PostgreSQL");
    let _ = admin.batch_execute(&format!("CREATE DATABASE {name}"));
}

/// Cases in the database, counted directly (the API caps its counts at 1,000).
async fn count_cases(db: &candour::db::Db) -> u64 {
    use diesel::prelude::*;
    db.read(|c| -> Result<i64, candour::error::AppError> {
        Ok(candour::db::schema::cases::table.count().get_result(c)?)
    })
    .await
    .map_or(0, |n| u64::try_from(n).unwrap_or(0))
}

async fn login(base: &str, client: &reqwest::Client, role: &str) -> Option<String> {
    let res = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({
            "email": format!("demo.{role}.1@candour.invalid"),
            "password": demo::DEMO_PASSWORD
        }))
        .send()
        .await
        .ok()?;
    if !res.status().is_success() {
        return None;
    }
    let v: serde_json::Value = res.json().await.ok()?;
    v["access_token"].as_str().map(str::to_string)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() {
    let cases = env_u64("CANDOUR_BENCH_CASES", 100_000);
    let rounds = env_u64("CANDOUR_BENCH_ROUNDS", 20) as usize;
    let url = std::env::var("CANDOUR_BENCH_DATABASE_URL").unwrap_or_else(|_| {
        std::fs::create_dir_all("target/bench").unwrap();
        format!("sqlite://target/bench/candour-{cases}.db")
    });
    if url.starts_with("postgres") {
        ensure_pg(&url);
    }
    let mut settings = Settings::default();
    settings.server.port = 0;
    settings.server.workers = 2;
    settings.database.url = Secret::new(url.clone());
    settings.data.dir = "target/bench/data".into();
    settings.auth.jwt_secret = Secret::new("bench-secret-bench-secret-bench-secret");
    settings.auth.access_token_minutes = 600;
    // The bench times reads: no background jobs competing for the one SQLite writer (on a
    // freshly seeded million cases the first alerts run would email every overdue case).
    settings.alerts.enabled = false;
    settings.feedback.job_interval_minutes = 0;
    let engine = if url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let app = Application::build(settings.clone(), Environment::Test)
        .await
        .expect("start Candour");
    let base = format!("http://127.0.0.1:{}", app.port());
    let db = app.state().db.clone();
    let clock = app.state().clock.clone();
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::new();

    let have = count_cases(&db).await;
    if have < cases {
        eprintln!("{engine}: seeding {} cases (have {have})…", cases - have);
        let started = Instant::now();
        let opts = demo::SeedOptions {
            cases: cases - have,
            seed: 42 + have,
            span_days: 1095,
            clock: clock.clone(),
            progress: true,
        };
        demo::seed(&db, &settings.cases, &opts).await.expect("seed");
        let secs = started.elapsed().as_secs_f64();
        println!(
            "{engine}: seeded {} cases in {secs:.1} s ({:.0} cases/s)",
            cases - have,
            (cases - have) as f64 / secs
        );
    }
    if engine == "PostgreSQL" {
        // A migration that rewrites big tables leaves dead rows and an unset visibility map
        // until autovacuum runs; this server runs with autovacuum off, so do its work first.
        let started = Instant::now();
        demo::refresh_statistics(&db).await.expect("vacuum analyze");
        println!(
            "{engine}: VACUUM ANALYZE before timing ({:.1} s)",
            started.elapsed().as_secs_f64()
        );
    }
    let token = login(&base, &client, "complaints-manager")
        .await
        .expect("demo manager signs in");
    // The board role reads the same reports with complementary suppression applied.
    let board = login(&base, &client, "board")
        .await
        .expect("demo board member signs in");
    let total = count_cases(&db).await;
    let me: serde_json::Value = client
        .get(format!("{base}/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let page: serde_json::Value = client
        .get(format!("{base}/api/v1/cases?limit=1&kind=complaint"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sample = &page["items"][0];
    let case_id = sample["id"].as_str().unwrap_or_default().to_string();
    let reference = sample["reference"]
        .as_str()
        .unwrap_or_default()
        .to_lowercase();
    let service = sample["service_ids"][0]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let _ = me;

    println!(
        "\n{engine}, {cases} cases seeded ({total} in the database), {rounds} sequential requests each (release build, loopback)"
    );
    println!(
        "{:<58} {:>9} {:>9} {:>9}",
        "request", "p50 ms", "p95 ms", "max ms"
    );
    let targets = [
        ("newest 50 (default list)", "/api/v1/cases?limit=50".to_string()),
        ("my work queue: handler=me, next due first", "/api/v1/cases?handler=me&sort=next_due&limit=50".to_string()),
        ("overdue, next due first", "/api/v1/cases?overdue=true&sort=next_due&limit=50".to_string()),
        ("open complaints, one service", format!("/api/v1/cases?kind=complaint&status=acknowledged,investigating&service_id={service}&limit=50")),
        ("subject=communications, received in 2025", "/api/v1/cases?subject=communications&received_from=2025-01-01&received_to=2025-12-31&limit=50".to_string()),
        ("free text: a reference", format!("/api/v1/cases?q={reference}&limit=50")),
        ("one case in full", format!("/api/v1/cases/{case_id}")),
        ("its timeline", format!("/api/v1/cases/{case_id}/timeline")),
    ];
    // Board reporting over the last complete financial year (the figures issue 6 names: the
    // board report and KO41a under 2 s), with fewer rounds: each is a whole-year aggregation.
    let today = clock.today();
    let fy = candour::reports::ko41a::financial_year_of(today) - 1;
    let report_rounds = env_u64("CANDOUR_BENCH_REPORT_ROUNDS", 5) as usize;
    let reports = [
        (
            "board report, one financial year (+ previous)",
            format!("/api/v1/reports/board?from={fy}-04-01&to={}-03-31", fy + 1),
        ),
        (
            "board report, one quarter (+ previous)",
            format!(
                "/api/v1/reports/board?from={}-01-01&to={}-03-31",
                fy + 1,
                fy + 1
            ),
        ),
        (
            "board report, one service, one financial year",
            format!(
                "/api/v1/reports/board?from={fy}-04-01&to={}-03-31&service_id={service}",
                fy + 1
            ),
        ),
        (
            "KO41a, one financial year, per site",
            format!("/api/v1/reports/ko41a?year={fy}"),
        ),
        (
            "KO41a as CSV",
            format!("/api/v1/reports/ko41a?year={fy}&format=csv"),
        ),
        (
            "SPC: complaints by subject, 24 months",
            "/api/v1/reports/spc?by=subject".to_string(),
        ),
        (
            "SPC early warning (all series), 24 months",
            "/api/v1/reports/spc/early-warning".to_string(),
        ),
        (
            "board pack page (report + 4 SPC charts + warnings)",
            format!("/reports/board?from={fy}-04-01&to={}-03-31", fy + 1),
        ),
    ];
    let as_board = [
        (
            "board role: board report, one financial year",
            format!("/api/v1/reports/board?from={fy}-04-01&to={}-03-31", fy + 1),
        ),
        (
            "board role: KO41a, one financial year, per site",
            format!("/api/v1/reports/ko41a?year={fy}"),
        ),
    ];
    let runs = targets
        .iter()
        .map(|(n, p)| (*n, p.clone(), rounds, &token))
        .chain(
            reports
                .iter()
                .map(|(n, p)| (*n, p.clone(), report_rounds, &token)),
        )
        .chain(
            as_board
                .iter()
                .map(|(n, p)| (*n, p.clone(), report_rounds, &board)),
        );
    for (name, path, rounds, token) in runs {
        let mut times = Vec::with_capacity(rounds);
        for _ in 0..rounds {
            let started = Instant::now();
            let res = client
                .get(format!("{base}{path}"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            assert!(res.status().is_success(), "{path}: {}", res.status());
            let _ = res.bytes().await.unwrap();
            times.push(started.elapsed());
        }
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "{name:<58} {:>9.1} {:>9.1} {:>9.1}",
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.95)),
            ms(*times.last().unwrap())
        );
    }
}

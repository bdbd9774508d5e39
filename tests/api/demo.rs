//! `candour demo seed` data: consistent, reproducible, hash-chained, usable through the API.

use candour::clock::Clock;
use candour::demo::{self, SeedOptions};
use candour::services::audit_check::verify_all;
use serde_json::Value;

use crate::helpers::spawn_app;

fn options(clock: &Clock, cases: u64, seed: u64) -> SeedOptions {
    SeedOptions {
        cases,
        seed,
        span_days: 400,
        clock: clock.clone(),
        progress: false,
    }
}

#[tokio::test]
async fn seeded_cases_are_consistent_and_reproducible() {
    let app = spawn_app().await;
    let report = demo::seed(
        &app.state.db,
        &app.settings.cases,
        &options(&app.clock, 300, 7),
    )
    .await
    .unwrap();
    assert!(report.complaints + report.pals_concerns >= 300);
    assert!(
        report.complaints > 30 && report.pals_concerns > 100,
        "{report:?}"
    );
    assert_eq!(report.staff_created, 24);

    let audit = verify_all(&app.state.db).await.unwrap();
    assert_eq!(
        audit.cases_checked as u64,
        report.complaints + report.pals_concerns
    );
    assert!(audit.problems.is_empty(), "{:?}", audit.problems);

    // Demo staff can sign in and see the cases; every complaint reference is distinct.
    let res = app
        .login(
            "demo.complaints-manager.1@candour.invalid",
            demo::DEMO_PASSWORD,
        )
        .await;
    assert_eq!(res.status(), 200);
    let token: Value = res.json().await.unwrap();
    let token = token["access_token"].as_str().unwrap();
    let page: Value = app
        .get("/api/v1/cases?limit=200&kind=complaint", token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["total"].as_u64().unwrap(), report.complaints);
    let mut refs: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["reference"].as_str().unwrap())
        .collect();
    let n = refs.len();
    refs.sort_unstable();
    refs.dedup();
    assert_eq!(refs.len(), n);
    // Responded complaints carry an outcome; closed ones a closing date after the response.
    for c in page["items"].as_array().unwrap() {
        if c["status"] == "closed" {
            assert!(c["outcome"].is_string(), "{c}");
            assert!(c["closed_on"].as_str().unwrap() >= c["responded_on"].as_str().unwrap());
        }
    }

    // A second seed continues the references and reuses the demo staff and wards.
    let again = demo::seed(
        &app.state.db,
        &app.settings.cases,
        &options(&app.clock, 50, 8),
    )
    .await
    .unwrap();
    assert_eq!(again.staff_created, 0);
    assert_eq!(again.services_created, 0);

    // Same seed, fresh database: the same mix.
    let other = spawn_app().await;
    let twin = demo::seed(
        &other.state.db,
        &other.settings.cases,
        &options(&other.clock, 300, 7),
    )
    .await
    .unwrap();
    assert_eq!(
        (twin.complaints, twin.pals_concerns),
        (report.complaints, report.pals_concerns)
    );
}

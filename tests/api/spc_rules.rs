//! SPC classification (domain.md §9.2): a month beyond a process limit on the side of concern
//! is special cause of concern, icon and early warning alike, whatever run it ends; the FDP
//! precedence stays available as a setting.

use candour::domain::role::Role;
use candour::domain::spc::Precedence;
use serde_json::Value;

use crate::helpers::{TestApp, complaint, insert_service, spawn_app, spawn_app_with};

/// One complaint a month in 2024, then 20, 19, … 14 a month from January to July 2025: a
/// falling run of seven months, every one far above the upper limit.
async fn seed(app: &TestApp) -> String {
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let site = insert_service(app, "SPCRULE", None).await;
    for month in 1..=12 {
        app.create_case(&token, &complaint(&site, &format!("2024-{month:02}-10")))
            .await;
    }
    for (month, n) in (1..=7).zip((14..=20).rev()) {
        for day in 1..=n {
            app.create_case(
                &token,
                &complaint(&site, &format!("2025-{month:02}-{day:02}")),
            )
            .await;
        }
    }
    token
}

async fn last_month(app: &TestApp, token: &str) -> (Value, Value) {
    let r: Value = app
        .get(
            "/api/v1/reports/spc?metric=complaints_received&to=2025-07-31&months=19",
            token,
        )
        .await
        .json()
        .await
        .unwrap();
    let series = r["series"][0].clone();
    let last = series["points"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["value"], 14.0, "{series}");
    let w: Value = app
        .get(
            "/api/v1/reports/spc/early-warning?to=2025-07-31&months=19",
            token,
        )
        .await
        .json()
        .await
        .unwrap();
    (last, w)
}

fn warned(w: &Value) -> bool {
    w["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["metric"] == "complaints_received" && x["by"] == "trust")
}

#[tokio::test]
async fn a_month_beyond_the_limit_at_the_end_of_a_falling_run_is_concern() {
    let app = spawn_app().await;
    let token = seed(&app).await;
    let (last, w) = last_month(&app, &token).await;
    let signals = last["signals"].to_string();
    assert!(signals.contains("astronomical"), "{signals}");
    assert!(signals.contains("trend"), "the falling run: {signals}");
    // Fewer complaints is better, and 14 is far above the limit: concern, not improvement.
    assert_eq!(last["variation"], "concerning_high", "{last}");
    assert!(warned(&w), "{w}");
}

#[tokio::test]
async fn the_fdp_precedence_is_a_setting() {
    let app = spawn_app_with(|s| s.reports.spc.precedence = Precedence::Fdp).await;
    let token = seed(&app).await;
    let (last, w) = last_month(&app, &token).await;
    // Trend before single point: the falling run colours the month as improving.
    assert_eq!(last["variation"], "improving_low", "{last}");
    assert!(!warned(&w), "{w}");
}

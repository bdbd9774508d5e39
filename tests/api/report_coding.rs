//! Report breakdowns read each aspect's own copy of its case's kind and day received (so that
//! a year over a million cases reads one index). These tests prove the copies follow the case:
//! a corrected day received moves the aspects between periods, and recoding moves the counts
//! between subjects, services and sites, trust-wide and for one service.

use candour::domain::role::Role;
use serde_json::{Value, json};

use crate::helpers::{TestApp, complaint, insert_service, spawn_app};

async fn board(app: &TestApp, token: &str, query: &str) -> Value {
    let res = app
        .get(&format!("/api/v1/reports/board?{query}"), token)
        .await;
    assert_eq!(res.status(), 200, "{query}");
    res.json().await.unwrap()
}

/// The count for `code` in a breakdown, 0 when absent.
fn count(items: &Value, code: &str) -> i64 {
    items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == code)
        .map_or(0, |i| i["count"].as_i64().unwrap())
}

async fn patch(app: &TestApp, token: &str, case: &Value, body: Value) -> Value {
    let path = format!("/api/v1/cases/{}", case["id"].as_str().unwrap());
    let body = app.at_current_version(token, &path, body).await;
    let res = app.patch(&path, token, &body).await;
    let status = res.status();
    let out: Value = res.json().await.unwrap();
    assert_eq!(status, 200, "{body} -> {out}");
    out
}

#[tokio::test]
async fn breakdowns_follow_a_corrected_day_received_and_new_coding() {
    let app = spawn_app().await;
    let (_, manager) = app.signed_in(Role::ComplaintsManager).await;
    let site_a = insert_service(&app, "SITEA", None).await;
    let site_b = insert_service(&app, "SITEB", None).await;
    let case = app
        .create_case(&manager, &complaint(&site_a, "2025-06-02"))
        .await;
    let fy2025 = "from=2025-04-01&to=2026-03-31";
    let fy2024 = "from=2024-04-01&to=2025-03-31";

    let r = board(&app, &manager, fy2025).await;
    let now = &r["current"]["volumes"];
    assert_eq!(now["complaints"], 1);
    assert_eq!(count(&now["by_subject"], "admissions_discharges"), 1);
    assert_eq!(count(&now["by_service"], &site_a), 1);
    assert_eq!(count(&now["by_profession"], "nursing_midwifery"), 1);

    // The day received was keyed wrongly: it belongs to the previous financial year.
    patch(
        &app,
        &manager,
        &case,
        json!({"received_on": "2025-03-20", "incident_on": "2025-03-19"}),
    )
    .await;
    let r = board(&app, &manager, fy2025).await;
    let (now, before) = (&r["current"]["volumes"], &r["previous"]["volumes"]);
    assert_eq!(now["complaints"], 0);
    assert_eq!(count(&now["by_subject"], "admissions_discharges"), 0);
    assert_eq!(count(&now["by_service"], &site_a), 0);
    assert_eq!(count(&now["by_profession"], "nursing_midwifery"), 0);
    assert_eq!(before["complaints"], 1);
    assert_eq!(count(&before["by_subject"], "communications"), 1);
    assert_eq!(count(&before["by_service"], &site_a), 1);
    assert_eq!(count(&before["by_profession"], "nursing_midwifery"), 1);

    // Recoded: another subject, another service, another profession.
    patch(
        &app,
        &manager,
        &case,
        json!({
            "subjects": [{"code": "values_behaviours", "primary": true}],
            "service_ids": [site_b],
            "professions": ["medical"],
        }),
    )
    .await;
    let now = &board(&app, &manager, fy2024).await["current"]["volumes"].clone();
    assert_eq!(count(&now["by_subject"], "values_behaviours"), 1);
    assert_eq!(count(&now["by_subject"], "admissions_discharges"), 0);
    assert_eq!(count(&now["by_service"], &site_b), 1);
    assert_eq!(count(&now["by_service"], &site_a), 0);
    assert_eq!(count(&now["by_profession"], "medical"), 1);
    assert_eq!(count(&now["by_profession"], "nursing_midwifery"), 0);

    // A report about one service finds the case under its new service only.
    let b = board(&app, &manager, &format!("{fy2024}&service_id={site_b}")).await;
    assert_eq!(b["current"]["volumes"]["complaints"], 1);
    assert_eq!(
        count(&b["current"]["volumes"]["by_subject"], "values_behaviours"),
        1
    );
    let a = board(&app, &manager, &format!("{fy2024}&service_id={site_a}")).await;
    assert_eq!(a["current"]["volumes"]["complaints"], 0);
    assert_eq!(
        count(&a["current"]["volumes"]["by_subject"], "values_behaviours"),
        0
    );

    // KO41a for 2024-25 places the complaint at its new site with its new coding.
    let k: Value = app
        .get("/api/v1/reports/ko41a?year=2024", &manager)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(k["total"]["summary"]["new"], 1);
    let sites: Vec<&str> = k["sites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_str().unwrap())
        .collect();
    assert_eq!(sites, vec!["SITEB"]);
    assert_eq!(count(&k["total"]["profession"], "medical"), 1);
    let k: Value = app
        .get("/api/v1/reports/ko41a?year=2025", &manager)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(k["total"]["summary"]["new"], 0);
}

//! The board cannot work back a small number: where a count from 1 to 4 is hidden, enough
//! other cells of the same report are hidden that it cannot be recovered by subtracting the
//! shown parts from a total, or from a percentage and its count. Managers keep the raw figures.

use candour::domain::role::Role;
use chrono::NaiveDate;
use serde_json::{Value, json};

use crate::helpers::{TestApp, complaint, insert_service, spawn_app};

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

async fn signed_in_on(app: &TestApp, on: &str, role: Role) -> String {
    app.set_today(day(on));
    app.signed_in(role).await.1
}

async fn get(app: &TestApp, token: &str, path: &str) -> Value {
    let res = app.get(path, token).await;
    assert_eq!(res.status(), 200, "{path}");
    res.json().await.unwrap()
}

fn ack() -> Value {
    json!({"method": "letter", "handling_discussion_offered": true, "meeting_offered": false})
}

const Q4: &str = "/api/v1/reports/board?from=2026-01-01&to=2026-03-31";

#[tokio::test]
async fn two_late_acknowledgements_cannot_be_worked_out_from_the_total_or_the_percentage() {
    let app = spawn_app().await;
    let service = insert_service(&app, "ACK", None).await;
    // Received Monday 5 January 2026, due for acknowledgement by Thursday 8 January: seven
    // acknowledged the same day, two on Monday 12 January (late).
    let token = signed_in_on(&app, "2026-01-05", Role::ComplaintsManager).await;
    let mut late = Vec::new();
    for i in 0..9 {
        let case = app
            .create_case(&token, &complaint(&service, "2026-01-05"))
            .await;
        if i < 7 {
            app.act_ok(&token, &case, "acknowledge", ack()).await;
        } else {
            late.push(case);
        }
    }
    let token = signed_in_on(&app, "2026-01-12", Role::ComplaintsManager).await;
    for case in &late {
        app.act_ok(&token, case, "acknowledge", ack()).await;
    }

    let manager = signed_in_on(&app, "2026-05-01", Role::ComplaintsManager).await;
    let raw = get(&app, &manager, Q4).await;
    let t = &raw["current"]["timeliness"];
    assert_eq!(raw["current"]["volumes"]["complaints"], 9);
    assert_eq!(t["acknowledged_on_time"], 7);
    assert_eq!(t["acknowledged_late"], 2);
    assert_eq!(t["acknowledged_on_time_pct"], 77.8);

    let board = signed_in_on(&app, "2026-05-01", Role::Board).await;
    let r = get(&app, &board, Q4).await;
    let (v, t) = (&r["current"]["volumes"], &r["current"]["timeliness"]);
    assert!(t["acknowledged_late"].is_null(), "{t}");
    let n = |x: &Value| x.as_i64();
    // All nine were due by the end of the quarter, so received = on time + late + overdue.
    if let (Some(received), Some(on_time), Some(overdue)) = (
        n(&v["complaints"]),
        n(&t["acknowledged_on_time"]),
        n(&t["awaiting_acknowledgement_overdue"]),
    ) {
        panic!(
            "late = {received} − {on_time} − {overdue} = {}",
            received - on_time - overdue
        );
    }
    // 7 on time at 77.8 % gives 9 due, and 2 late.
    if let (Some(on_time), Some(pct)) = (
        n(&t["acknowledged_on_time"]),
        t["acknowledged_on_time_pct"].as_f64(),
    ) {
        panic!(
            "due = {on_time} / {pct} % = {}",
            on_time as f64 * 100.0 / pct
        );
    }
}

#[tokio::test]
async fn one_referral_awaiting_the_ombudsman_cannot_be_worked_out_from_the_decided_ones() {
    let app = spawn_app().await;
    let service = insert_service(&app, "PHSO", None).await;
    let token = signed_in_on(&app, "2026-07-01", Role::ComplaintsManager).await;
    let mut cases = Vec::new();
    for _ in 0..6 {
        let case = app
            .responded_complaint(&token, &service, "2026-07-01")
            .await;
        cases.push(app.act_ok(&token, &case, "close", json!({})).await);
    }
    let token = signed_in_on(&app, "2026-09-15", Role::ComplaintsManager).await;
    for (i, case) in cases.iter().enumerate() {
        let path = format!("/api/v1/cases/{}/ombudsman", case["id"].as_str().unwrap());
        let res = app
            .post(&path, &token, &json!({"referred_on": "2026-08-03"}))
            .await;
        assert_eq!(res.status(), 201);
        if i < 5 {
            let decided = json!({
                "version": 1,
                "referred_on": "2026-08-03",
                "decision": "not_upheld",
                "decision_on": "2026-09-01"
            });
            let res = app.put(&path, &token, &decided).await;
            assert_eq!(res.status(), 200);
        }
    }
    let q2 = "/api/v1/reports/board?from=2026-07-01&to=2026-09-30";
    let manager = signed_in_on(&app, "2026-11-02", Role::ComplaintsManager).await;
    let o = get(&app, &manager, q2).await["current"]["ombudsman"].clone();
    assert_eq!(
        (o["referred"].as_i64(), o["not_upheld"].as_i64()),
        (Some(6), Some(5))
    );

    let board = signed_in_on(&app, "2026-11-02", Role::Board).await;
    let o = get(&app, &board, q2).await["current"]["ombudsman"].clone();
    let parts = ["upheld", "partly_upheld", "not_upheld", "not_investigated"];
    let shown: Option<Vec<i64>> = parts.iter().map(|k| o[*k].as_i64()).collect();
    if let (Some(referred), Some(decided)) = (o["referred"].as_i64(), shown) {
        panic!(
            "awaiting = {referred} − {} = 1 can be worked out: {o}",
            decided.iter().sum::<i64>()
        );
    }
}

/// Every whole number from 1 to 4 in a report, by where it is.
fn small_counts(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Number(n) if n.as_i64().is_some_and(|n| (1..5).contains(&n)) => out.push(at),
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                small_counts(x, format!("{at}/{i}"), out);
            }
        }
        Value::Object(m) => {
            for (k, x) in m {
                small_counts(x, format!("{at}/{k}"), out);
            }
        }
        _ => {}
    }
}

#[tokio::test]
async fn the_board_reads_a_ko41a_return_from_which_a_small_site_cannot_be_worked_out() {
    let app = spawn_app().await;
    let big = insert_service(&app, "BIGSITE", None).await;
    let small = insert_service(&app, "SMALLSITE", None).await;
    for id in [&big, &small] {
        crate::reports::set_area(&app, id, "acute_inpatient").await;
    }
    let token = signed_in_on(&app, "2025-06-02", Role::ComplaintsManager).await;
    for (service, n) in [(&big, 12), (&small, 3)] {
        for _ in 0..n {
            app.create_case(&token, &complaint(service, "2025-06-02"))
                .await;
        }
    }
    let path = "/api/v1/reports/ko41a?year=2025";
    let site = |r: &Value, id: &str| -> Value {
        r["sites"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["service_id"] == id)
            .cloned()
            .unwrap()
    };
    let manager = signed_in_on(&app, "2026-04-20", Role::ComplaintsManager).await;
    let raw = get(&app, &manager, path).await;
    assert_eq!(raw["total"]["summary"]["new"], 15);
    assert_eq!(site(&raw, &small)["summary"]["new"], 3);
    // Recorded as submitted, so the board also reads the submission.
    let res = app
        .post(
            "/api/v1/reports/ko41a/2025/submissions",
            &manager,
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 201);

    let board = signed_in_on(&app, "2026-04-20", Role::Board).await;
    let r = get(&app, &board, path).await;
    assert!(site(&r, &small)["summary"]["new"].is_null(), "{r}");
    let (total, big_new) = (
        r["total"]["summary"]["new"].as_i64(),
        site(&r, &big)["summary"]["new"].as_i64(),
    );
    if let (Some(t), Some(b)) = (total, big_new) {
        panic!("the small site's {} = {t} − {b}", t - b);
    }
    let mut small_left = Vec::new();
    small_counts(&r, String::new(), &mut small_left);
    assert!(small_left.is_empty(), "{small_left:?} in {r}");

    // The submission as the board reads it is protected the same way.
    let subs = get(&app, &board, "/api/v1/reports/ko41a/2025/submissions").await;
    let figures = &subs[0]["figures"];
    let mut small_left = Vec::new();
    small_counts(figures, String::new(), &mut small_left);
    small_left.retain(|p| !p.starts_with("/period"));
    assert!(small_left.is_empty(), "{small_left:?}");
    assert_eq!(
        get(&app, &manager, "/api/v1/reports/ko41a/2025/submissions").await[0]["figures"]["total"]
            ["summary"]["new"],
        15
    );

    // The CSV leaves the hidden counts empty.
    let res = app.get(&format!("{path}&format=csv"), &board).await;
    assert_eq!(res.status(), 200);
    let csv = res.text().await.unwrap();
    let line = csv
        .lines()
        .find(|l| l.contains("SMALLSITE") && l.contains(",new,"))
        .unwrap_or_else(|| panic!("{csv}"));
    assert!(line.ends_with(','), "{line}");
}

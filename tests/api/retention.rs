//! Retention (`candour retention run [--dry-run]`): cases that ended more than
//! `retention.years` ago lose their people and free text, keep every coded fact (so the
//! reported figures do not move), and the audit chain still verifies.

use candour::domain::role::Role;
use candour::services::retention::{self, RetentionReport};
use chrono::NaiveDate;
use serde_json::{Value, json};

use crate::helpers::{TestApp, insert_service, spawn_app};

const MARK: &str = "[removed under the retention schedule]";

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

async fn run(app: &TestApp, dry: bool) -> RetentionReport {
    retention::run(
        &app.state.db,
        app.state.files.as_ref(),
        &app.clock,
        10,
        dry,
        |_, _| {},
    )
    .await
    .unwrap()
}

async fn json_of(app: &TestApp, token: &str, path: &str) -> Value {
    let res = app.get(path, token).await;
    assert_eq!(res.status(), 200, "{path}");
    res.json().await.unwrap()
}

/// A complaint received on `received`, answered, and closed on the clock's day `closed`.
async fn closed_complaint(
    app: &TestApp,
    token: &str,
    service: &str,
    received: &str,
    closed: &str,
) -> Value {
    app.set_today(day(received));
    let case = app.responded_complaint(token, service, received).await;
    let id = case["id"].as_str().unwrap().to_string();
    let res = app
        .post(
            &format!("/api/v1/cases/{id}/notes"),
            token,
            &json!({"text": "Alex Example rang to say Sam Example is still unwell"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    app.set_today(day(closed));
    let case = json_of(app, token, &format!("/api/v1/cases/{id}")).await;
    app.act_ok(token, &case, "close", json!({})).await
}

/// Every figure the board and the returns see for 2015-16 and 2024-25.
async fn figures(app: &TestApp, token: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for path in [
        "/api/v1/reports/board?from=2015-04-01&to=2016-03-31",
        "/api/v1/reports/board?from=2024-04-01&to=2025-03-31",
        "/api/v1/reports/ko41a?year=2015",
        "/api/v1/reports/ko41a?year=2024",
        "/api/v1/reports/annual?year=2015",
    ] {
        out.push(json_of(app, token, path).await);
    }
    out
}

#[tokio::test]
async fn old_cases_are_anonymised_and_every_figure_stays_the_same() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "RET", None).await;
    let old = closed_complaint(&app, &token, &service, "2016-01-11", "2016-02-15").await;
    let recent = closed_complaint(&app, &token, &service, "2024-06-03", "2024-08-01").await;
    let (old_id, recent_id) = (
        old["id"].as_str().unwrap().to_string(),
        recent["id"].as_str().unwrap().to_string(),
    );
    // The old case's patient is also the patient of the recent case: they must be kept.
    let shared = old["patient"]["id"].as_str().unwrap().to_string();
    let rid = recent_id.clone();
    let sp = shared.clone();
    app.state
        .db
        .write(move |c| -> Result<(), candour::error::AppError> {
            use candour::db::schema::cases;
            use diesel::prelude::*;
            diesel::update(cases::table.find(rid))
                .set(cases::patient_id.eq(Some(sp)))
                .execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
    // A redaction before retention: its record is erased too, and the chain still holds.
    let res = app
        .post(
            &format!("/api/v1/cases/{old_id}/redactions"),
            &token,
            &json!({"target": "event:1", "reason": "Test of an earlier redaction"}),
        )
        .await;
    assert_eq!(res.status(), 201);

    app.set_today(day("2026-12-05"));
    let before = figures(&app, &token).await;

    // The dry run names the case and changes nothing.
    let out = app.cli(&["retention", "run", "--dry-run"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reference = old["reference"].as_str().unwrap();
    assert!(
        text.contains(&format!("would anonymise {reference}")),
        "{text}"
    );
    assert!(
        !text.contains(recent["reference"].as_str().unwrap()),
        "{text}"
    );
    assert!(text.contains("Nothing was changed"), "{text}");
    let dry = run(&app, true).await;
    assert_eq!(dry.cases, vec![reference.to_string()]);
    assert_eq!(
        dry.persons, 1,
        "the complainant; the patient is still needed"
    );
    let unchanged = json_of(&app, &token, &format!("/api/v1/cases/{old_id}")).await;
    assert_eq!(unchanged["description"], old["description"]);

    let report = run(&app, false).await;
    assert_eq!(report.cases, vec![reference.to_string()]);
    assert_eq!(report.persons, 1);
    assert!(report.texts > 0 && report.events > 0, "{report:?}");

    let case = json_of(&app, &token, &format!("/api/v1/cases/{old_id}")).await;
    assert_eq!(case["summary"], MARK);
    assert_eq!(case["description"], MARK);
    assert_eq!(case["complainant"]["name"], MARK);
    assert!(case["complainant"]["email"].is_null());
    // Coded facts stay.
    assert_eq!(case["status"], "closed");
    assert_eq!(case["received_on"], "2016-01-11");
    assert_eq!(case["outcome"], old["outcome"]);
    let timeline = json_of(&app, &token, &format!("/api/v1/cases/{old_id}/timeline")).await;
    let letters = json_of(&app, &token, &format!("/api/v1/cases/{old_id}/letters")).await;
    let everything = format!("{case}{timeline}{letters}");
    for words in ["Alex Example", "alex@example.org", "medication"] {
        assert!(!everything.contains(words), "{words} survives retention");
    }
    // The patient is still the patient of the recent case, so their details are kept; but
    // the words about them in the old case's texts are gone.
    assert_eq!(case["patient"]["name"], "Sam Example");
    assert!(!format!("{timeline}{letters}").contains("Sam Example"));
    let events = timeline.as_array().unwrap();
    let last = events.last().unwrap();
    assert_eq!(last["kind"], "retention");
    assert!(
        events[..events.len() - 1]
            .iter()
            .all(|e| e["erased"].is_string())
    );

    // The recent case and the patient it shares are untouched.
    let kept = json_of(&app, &token, &format!("/api/v1/cases/{recent_id}")).await;
    assert_eq!(kept["description"], recent["description"]);
    assert_eq!(kept["patient"]["name"], "Sam Example");

    assert_eq!(figures(&app, &token).await, before);
    let out = app.cli(&["audit", "verify"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // The runs are on the audit log; a second run finds nothing left to do.
    let (_, admin) = app.signed_in(Role::Admin).await;
    let log = json_of(&app, &admin, "/api/v1/audit-log?action=retention.run").await;
    assert_eq!(log["items"][0]["details"]["cases"], 1);
    assert!(run(&app, false).await.cases.is_empty());
}

#[tokio::test]
async fn exactly_ten_years_after_closure_is_not_yet_more_than_ten() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "RET", None).await;
    let case = closed_complaint(&app, &token, &service, "2016-11-07", "2016-12-05").await;
    app.set_today(day("2026-12-05"));
    assert!(run(&app, true).await.cases.is_empty());
    app.set_today(day("2026-12-06"));
    assert_eq!(
        run(&app, true).await.cases,
        vec![case["reference"].as_str().unwrap().to_string()]
    );
}

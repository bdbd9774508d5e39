//! What was reported stays reported: reopening a complaint months later changes neither the
//! KO41a return nor the board report of the year its first response was made, and the new
//! cycle owes no six-month letter the first one did not.

use candour::domain::role::Role;
use chrono::NaiveDate;
use serde_json::{Value, json};

use crate::helpers::{TestApp, complaint, insert_service, spawn_app};

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

async fn signed_in_on(app: &TestApp, on: &str) -> String {
    app.set_today(day(on));
    app.signed_in(Role::ComplaintsManager).await.1
}

async fn get(app: &TestApp, token: &str, path: &str) -> Value {
    let res = app.get(path, token).await;
    assert_eq!(res.status(), 200, "{path}");
    res.json().await.unwrap()
}

fn respond(upheld: &[&str]) -> Value {
    let finding = |s: &str| json!({"subject": s, "outcome": if upheld.contains(&s) { "upheld" } else { "not_upheld" }});
    json!({
        "signed_by": "Chief Executive",
        "aspect_outcomes": [finding("admissions_discharges"), finding("communications")],
        "ombudsman_rights_given": true
    })
}

#[tokio::test]
async fn reopening_a_complaint_changes_nothing_already_reported() {
    let app = spawn_app().await;
    let service = insert_service(&app, "HIST", None).await;
    let token = signed_in_on(&app, "2026-02-02").await;
    let case = app
        .create_case(&token, &complaint(&service, "2026-02-02"))
        .await;
    let ack =
        json!({"method": "letter", "handling_discussion_offered": true, "meeting_offered": false});
    let case = app.act_ok(&token, &case, "acknowledge", ack).await;
    let token = signed_in_on(&app, "2026-02-20").await;
    let case = app
        .act_ok(
            &token,
            &case,
            "respond",
            respond(&["admissions_discharges"]),
        )
        .await;
    assert_eq!(case["outcome"], "partially_upheld");
    let case = app.act_ok(&token, &case, "close", json!({})).await;

    // Reported in April 2026 for 2025-26.
    let token = signed_in_on(&app, "2026-04-10").await;
    let ko41a = get(&app, &token, "/api/v1/reports/ko41a?year=2025").await;
    assert_eq!(ko41a["total"]["summary"]["resolved"], 1);
    assert_eq!(ko41a["total"]["summary"]["partially_upheld"], 1);
    let board_path = "/api/v1/reports/board?from=2025-04-01&to=2026-03-31";
    let board = get(&app, &token, board_path).await;
    let annual = get(&app, &token, "/api/v1/reports/annual?year=2025").await;

    // Reopened in June 2026 with new information.
    let token = signed_in_on(&app, "2026-06-15").await;
    let case = app
        .act_ok(
            &token,
            &case,
            "reopen",
            json!({"reason": "New information from the family"}),
        )
        .await;
    assert_eq!(case["status"], "investigating");
    assert!(
        case["responded_on"].is_null(),
        "the new cycle is unanswered"
    );
    for (path, before) in [
        ("/api/v1/reports/ko41a?year=2025", &ko41a),
        (board_path, &board),
        ("/api/v1/reports/annual?year=2025", &annual),
    ] {
        let now = get(&app, &token, path).await;
        assert_eq!(
            strip(now),
            strip(before.clone()),
            "{path} changed on reopening"
        );
    }

    // 2 September 2026, past the six months (which ended on 1 August): the first response
    // went within them, so the new cycle owes no delay letter.
    let token = signed_in_on(&app, "2026-09-02").await;
    let view = get(
        &app,
        &token,
        &format!("/api/v1/cases/{}", case["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(view["six_month_letter_due_on"], "2026-08-01");
    assert_eq!(view["overdue"]["six_month_letter"], false, "{view}");
    assert_ne!(view["next_due_on"], "2026-08-01");

    // Answered again: the second response is the case's outcome now, but the return for
    // 2025-26 keeps the first, and 2026-27 does not count the complaint resolved twice.
    let case = app
        .act_ok(
            &token,
            &view,
            "respond",
            respond(&["admissions_discharges", "communications"]),
        )
        .await;
    assert_eq!(case["outcome"], "upheld");
    let responses = case["responses"].as_array().unwrap();
    assert_eq!(responses.len(), 2);
    assert_eq!(responses[0]["outcome"], "partially_upheld");
    assert_eq!(responses[0]["sent_on"], "2026-02-20");
    // Each response keeps its own findings.
    assert_eq!(
        responses[0]["findings"],
        json!([
            {"subject": "admissions_discharges", "outcome": "upheld"},
            {"subject": "communications", "outcome": "not_upheld"}
        ])
    );
    assert_eq!(responses[1]["findings"][1]["outcome"], "upheld");
    let now = get(&app, &token, "/api/v1/reports/ko41a?year=2025").await;
    assert_eq!(strip(now), strip(ko41a.clone()));
    let next = get(&app, &token, "/api/v1/reports/ko41a?year=2026").await;
    let summary = &next["total"]["summary"];
    assert_eq!(summary["brought_forward"], 0, "{summary}");
    assert_eq!(summary["new"], 0);
    assert_eq!(summary["resolved"], 0);
    assert_eq!(summary["carried_forward"], 0);
    assert_eq!(next["total"]["validation"], json!([]));
}

/// A report without the moment it was produced.
fn strip(mut v: Value) -> Value {
    if let Some(o) = v.as_object_mut() {
        for key in [
            "generated_at",
            "generated_on",
            "as_of",
            "produced_at",
            "today",
        ] {
            o.remove(key);
        }
    }
    v
}

//! The total on a case list filtered by service and status. The count is read from each
//! service's coding rows, so it must follow every case through its transitions, a change of
//! coding and an escalation, and count a case coded to two services once in each.

use candour::domain::role::Role;
use serde_json::{Value, json};

use crate::helpers::{
    TestApp, complaint, days_from_today, insert_service, pals_concern, spawn_app,
};

/// `total` with one row to a page (so the count itself runs whenever there are two or more
/// matches), and the number of rows on one page of fifty: the two must both be `expected`.
async fn assert_counts(app: &TestApp, token: &str, query: &str, expected: usize) {
    for limit in [1, 50] {
        let path = format!("/api/v1/cases?{query}&limit={limit}");
        let res = app.get(&path, token).await;
        assert_eq!(res.status(), 200, "{path}");
        let page: Value = res.json().await.unwrap();
        assert_eq!(page["total"], expected, "{path}");
        if limit == 50 {
            assert_eq!(page["items"].as_array().unwrap().len(), expected, "{path}");
        }
    }
}

#[tokio::test]
async fn a_service_count_follows_each_case_through_status_recoding_and_escalation() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let (_, pals_token) = app.signed_in(Role::PalsOfficer).await;
    let a = insert_service(&app, "A", None).await;
    let b = insert_service(&app, "B", None).await;
    let day = days_from_today(-3);
    let ack =
        json!({"method": "email", "handling_discussion_offered": true, "meeting_offered": false});

    // k1: A, received.
    app.create_case(&token, &complaint(&a, &day)).await;
    // k2: A, acknowledged.
    let k2 = app.create_case(&token, &complaint(&a, &day)).await;
    app.act_ok(&token, &k2, "acknowledge", ack.clone()).await;
    // k3: A, acknowledged and then under investigation.
    let k3 = app.create_case(&token, &complaint(&a, &day)).await;
    let k3 = app.act_ok(&token, &k3, "acknowledge", ack.clone()).await;
    app.act_ok(&token, &k3, "start-investigation", json!({}))
        .await;
    // k4: about A and B, received.
    let mut both = complaint(&a, &day);
    both["service_ids"] = json!([a, b]);
    app.create_case(&token, &both).await;
    // k5: B, acknowledged, then recoded to A.
    let k5 = app.create_case(&token, &complaint(&b, &day)).await;
    let k5 = app.act_ok(&token, &k5, "acknowledge", ack.clone()).await;
    let id = k5["id"].as_str().unwrap();
    let res = app
        .patch(
            &format!("/api/v1/cases/{id}"),
            &token,
            &json!({"version": k5["version"], "service_ids": [a]}),
        )
        .await;
    assert_eq!(res.status(), 200);
    // k6: A, withdrawn.
    let k6 = app.create_case(&token, &complaint(&a, &day)).await;
    app.act_ok(
        &token,
        &k6,
        "withdraw",
        json!({"reason": "The complainant no longer wishes to pursue it"}),
    )
    .await;
    // p1: a PALS concern about A, escalated: p1 is escalated and k7, a new complaint about A,
    // is received.
    let p1 = app.create_case(&pals_token, &pals_concern(&a, &day)).await;
    app.act_ok(
        &pals_token,
        &p1,
        "escalate",
        json!({"reason": "Wants a formal complaint", "risk": {"consequence": 1, "likelihood": 2}}),
    )
    .await;

    // Worked by hand from the list above.
    let c = "kind=complaint";
    for (query, expected) in [
        (format!("{c}&service_id={a}&status=received"), 3), // k1, k4, k7
        (format!("{c}&service_id={a}&status=acknowledged"), 2), // k2, k5
        (format!("{c}&service_id={a}&status=investigating"), 1), // k3
        (
            format!("{c}&service_id={a}&status=received,acknowledged,investigating"),
            6,
        ),
        (format!("{c}&service_id={a}&status=withdrawn"), 1), // k6
        (format!("{c}&service_id={a}"), 7),                  // k1 to k7
        (format!("{c}&service_id={b}&status=received"), 1),  // k4
        (format!("{c}&service_id={b}&status=acknowledged"), 0), // k5 moved to A
        (format!("{c}&service_id={b}"), 1),                  // k4
        (format!("service_id={a}&status=received"), 3),      // p1 is escalated
        (
            format!("kind=pals_concern&service_id={a}&status=escalated"),
            1,
        ),
        (
            format!("kind=pals_concern&service_id={a}&status=received"),
            0,
        ),
    ] {
        assert_counts(&app, &token, &query, expected).await;
    }
}

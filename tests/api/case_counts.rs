//! The total on a case list filtered by service and status. The count is read from each
//! service's coding rows, so it must follow every case through its transitions, a change of
//! coding and an escalation, and count a case coded to two services once in each.

use candour::domain::role::Role;
use serde_json::{Value, json};

use crate::helpers::{
    TestApp, complaint, days_from_today, insert_service, pals_concern, spawn_app,
};

/// The ids and days received of one page.
fn rows(page: &Value) -> Vec<(String, String)> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let id = c["id"].as_str().unwrap().to_string();
            (c["received_on"].as_str().unwrap().to_string(), id)
        })
        .collect()
}

async fn page(app: &TestApp, token: &str, path: &str) -> Value {
    let res = app.get(path, token).await;
    assert_eq!(res.status(), 200, "{path}");
    res.json().await.unwrap()
}

/// Newest first and oldest first: `total` on pages of one (so the count itself runs whenever
/// there are two or more matches) and on a page of fifty must both be `expected`; walking the
/// pages of one by cursor must give the page of fifty, row for row, in the order asked for
/// (by day received, then id). Returns the ids newest first.
async fn assert_listed(app: &TestApp, token: &str, query: &str, expected: usize) -> Vec<String> {
    let mut newest_first = Vec::new();
    for sort in ["received", "oldest"] {
        let whole = page(
            app,
            token,
            &format!("/api/v1/cases?{query}&sort={sort}&limit=50"),
        )
        .await;
        assert_eq!(whole["total"], expected, "{query} {sort}");
        let whole = rows(&whole);
        let mut walked = Vec::new();
        let mut cursor = String::new();
        loop {
            let path = format!("/api/v1/cases?{query}&sort={sort}&limit=1{cursor}");
            let one = page(app, token, &path).await;
            assert_eq!(one["total"], expected, "{path}");
            walked.extend(rows(&one));
            match one["next"].as_str() {
                Some(next) => cursor = format!("&cursor={next}"),
                None => break,
            }
            assert!(walked.len() <= expected, "paging did not end: {path}");
        }
        assert_eq!(walked, whole, "{query} {sort}");
        let mut ordered = whole.clone();
        ordered.sort();
        if sort == "received" {
            ordered.reverse();
            newest_first = whole.into_iter().map(|(_, id)| id).collect();
        }
        assert_eq!(walked, ordered, "{query} {sort}");
    }
    newest_first
}

#[tokio::test]
async fn a_service_count_follows_each_case_through_status_recoding_and_escalation() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let (_, pals_token) = app.signed_in(Role::PalsOfficer).await;
    let a = insert_service(&app, "A", None).await;
    let b = insert_service(&app, "B", None).await;
    let ack =
        json!({"method": "email", "handling_discussion_offered": true, "meeting_offered": false});
    let id = |case: &Value| case["id"].as_str().unwrap().to_string();

    // k1 and k8: A, received, both 9 days ago (so their order rests on the id).
    let k1 = app
        .create_case(&token, &complaint(&a, &days_from_today(-9)))
        .await;
    let k8 = app
        .create_case(&token, &complaint(&a, &days_from_today(-9)))
        .await;
    // k2: A, acknowledged, 8 days ago.
    let k2 = app
        .create_case(&token, &complaint(&a, &days_from_today(-8)))
        .await;
    app.act_ok(&token, &k2, "acknowledge", ack.clone()).await;
    // k3: A, acknowledged and then under investigation, 7 days ago.
    let k3 = app
        .create_case(&token, &complaint(&a, &days_from_today(-7)))
        .await;
    let k3 = app.act_ok(&token, &k3, "acknowledge", ack.clone()).await;
    app.act_ok(&token, &k3, "start-investigation", json!({}))
        .await;
    // k4: about A and B, received, 6 days ago.
    let mut both = complaint(&a, &days_from_today(-6));
    both["service_ids"] = json!([a, b]);
    let k4 = app.create_case(&token, &both).await;
    // k5: B, acknowledged, then recoded to A; 5 days ago.
    let k5 = app
        .create_case(&token, &complaint(&b, &days_from_today(-5)))
        .await;
    let k5 = app.act_ok(&token, &k5, "acknowledge", ack.clone()).await;
    let res = app
        .patch(
            &format!("/api/v1/cases/{}", id(&k5)),
            &token,
            &json!({"version": k5["version"], "service_ids": [a]}),
        )
        .await;
    assert_eq!(res.status(), 200);
    // k6: A, withdrawn; 4 days ago.
    let k6 = app
        .create_case(&token, &complaint(&a, &days_from_today(-4)))
        .await;
    app.act_ok(
        &token,
        &k6,
        "withdraw",
        json!({"reason": "The complainant no longer wishes to pursue it"}),
    )
    .await;
    // p1: a PALS concern about A, 3 days ago, escalated today: p1 is escalated and k7, a new
    // complaint about A received today, is received.
    let p1 = app
        .create_case(&pals_token, &pals_concern(&a, &days_from_today(-3)))
        .await;
    let p1 = app
        .act_ok(
            &pals_token,
            &p1,
            "escalate",
            json!({"reason": "Wants a formal complaint", "risk": {"consequence": 1, "likelihood": 2}}),
        )
        .await;
    let k7 = p1["linked_case_id"].as_str().unwrap().to_string();

    // Worked by hand from the list above.
    let c = "kind=complaint";
    for (query, expected) in [
        (format!("{c}&service_id={a}&status=received"), 4), // k1, k4, k7, k8
        (format!("{c}&service_id={a}&status=acknowledged"), 2), // k2, k5
        (format!("{c}&service_id={a}&status=investigating"), 1), // k3
        (
            format!("{c}&service_id={a}&status=received,acknowledged,investigating"),
            7,
        ),
        (format!("{c}&service_id={a}&status=withdrawn"), 1), // k6
        (format!("{c}&service_id={a}"), 8),                  // k1 to k8
        (format!("{c}&service_id={b}&status=received"), 1),  // k4
        (format!("{c}&service_id={b}&status=acknowledged"), 0), // k5 moved to A
        (format!("{c}&service_id={b}"), 1),                  // k4
        (format!("service_id={a}&status=received"), 4),      // p1 is escalated
        // k7's risk (1, 2) is low; the others' moderate.
        (
            format!("{c}&service_id={a}&status=received&risk_grade=moderate"),
            3,
        ),
        (
            format!("kind=pals_concern&service_id={a}&status=escalated"),
            1,
        ),
        (
            format!("kind=pals_concern&service_id={a}&status=received"),
            0,
        ),
    ] {
        assert_listed(&app, &token, &query, expected).await;
    }

    // Newest first, by hand: k7 today, k4 6 days ago, then k1 and k8 (9 days ago) by id.
    let (k1, k8) = (id(&k1), id(&k8));
    let same_day = if k1 > k8 { [k1, k8] } else { [k8, k1] };
    let received = format!("{c}&service_id={a}&status=received");
    assert_eq!(
        assert_listed(&app, &token, &received, 4).await,
        [
            k7.clone(),
            id(&k4),
            same_day[0].clone(),
            same_day[1].clone()
        ]
    );
    let open = format!("{c}&service_id={a}&status=received,acknowledged,investigating");
    assert_eq!(
        assert_listed(&app, &token, &open, 7).await,
        [
            k7,
            id(&k5),
            id(&k4),
            id(&k3),
            id(&k2),
            same_day[0].clone(),
            same_day[1].clone()
        ]
    );
}

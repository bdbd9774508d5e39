//! A statutory letter whose email dies (every attempt failed) is marked undelivered on the
//! case and moved to the letters to post, the handler is alerted once, and the complainant's
//! tracking page never says it was sent.

use candour::domain::role::Role;
use candour::services::alerts;
use serde_json::{Value, json};

use crate::helpers::{complaint, insert_service, spawn_app_with};
use crate::mail_sink::free_port;
use crate::outbox::{eventually, smtp};
use crate::tracking::outbox_for_case;

#[tokio::test]
async fn a_dead_acknowledgement_email_becomes_a_letter_to_post_and_the_handler_hears() {
    // Nothing listens on the port: every attempt fails, and the first is the last.
    let app = spawn_app_with(|s| {
        smtp(free_port())(s);
        s.email.max_attempts = 1;
    })
    .await;
    let (_, manager) = app.signed_in(Role::ComplaintsManager).await;
    let handler = app.create_user(Role::ComplaintsManager).await;
    let service = insert_service(&app, "UNDEL", None).await;
    let case = app
        .create_case(&manager, &complaint(&service, &app.today().to_string()))
        .await;
    let case = app
        .act_ok(&manager, &case, "assign", json!({"handler_id": handler.id}))
        .await;
    let case = app
        .act_ok(
            &manager,
            &case,
            "acknowledge",
            json!({"method": "email", "handling_discussion_offered": true, "meeting_offered": false}),
        )
        .await;
    let id = case["id"].as_str().unwrap().to_string();
    let letters_path = format!("/api/v1/cases/{id}/letters");
    let acknowledgement = |letters: &Value| -> Value {
        letters
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["template"] == "acknowledgement")
            .cloned()
            .unwrap()
    };
    let letters: Value = app.get(&letters_path, &manager).await.json().await.unwrap();
    let before = acknowledgement(&letters);
    assert_eq!(before["channel"], "email");
    assert!(before["undelivered_at"].is_null());

    // Wait for the worker to give up on it.
    eventually("the acknowledgement email to die", || {
        let app = &app;
        let id = id.clone();
        async move {
            let (_, admin) = app.signed_in(Role::Admin).await;
            let dead: Value = app
                .get("/api/v1/outbox?status=dead", &admin)
                .await
                .json()
                .await
                .unwrap();
            dead["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["case_id"] == id.as_str() && m["template"] == "acknowledgement")
                .then_some(())
        }
    })
    .await;

    let report = alerts::run_once(&app.state).await.unwrap();
    assert_eq!(report.undelivered, 1);
    let letters: Value = app.get(&letters_path, &manager).await.json().await.unwrap();
    let after = acknowledgement(&letters);
    assert_eq!(after["channel"], "post");
    assert_eq!(after["status"], "to_post");
    assert!(after["undelivered_at"].is_string());
    let queue: Value = app
        .get("/api/v1/letters/to-post", &manager)
        .await
        .json()
        .await
        .unwrap();
    assert!(queue.to_string().contains(after["id"].as_str().unwrap()));
    let kinds = app.timeline_kinds(&manager, &id).await;
    assert!(kinds.iter().any(|k| k == "letter_undelivered"), "{kinds:?}");
    // The handler is alerted, once.
    let alerts_to_handler = || async {
        outbox_for_case(&app, &id)
            .await
            .into_iter()
            .filter(|m| m.0 == "staff_undelivered")
            .map(|m| m.1)
            .collect::<Vec<_>>()
    };
    assert_eq!(alerts_to_handler().await, vec![handler.email.clone()]);
    assert_eq!(alerts::run_once(&app.state).await.unwrap().undelivered, 0);
    assert_eq!(alerts_to_handler().await.len(), 1);

    // The tracking page does not say it was sent.
    let res = app
        .post(
            &format!("/api/v1/cases/{id}/tracking-links"),
            &manager,
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let url = res.json::<Value>().await.unwrap()["url"]
        .as_str()
        .unwrap()
        .to_string();
    let page = app
        .client
        .get(&url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let subject = after["subject"].as_str().unwrap();
    assert!(page.contains(case["reference"].as_str().unwrap()), "{page}");
    assert!(
        !page.contains(subject),
        "the page lists an undelivered letter"
    );
}

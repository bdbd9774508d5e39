//! The complainant's private links stay the complainant's: no API answer a member of staff can
//! read (the case, its timeline, its letters and their printable copies) holds a working
//! tracking link, nor does the stored outbox copy; the link is made live only in the email as
//! it leaves, or when a complaints manager prints a postal letter (a new link each time, on the
//! timeline).

use candour::domain::role::Role;
use serde_json::{Value, json};

use crate::feedback::delivered_link;
use crate::helpers::{TestApp, assert_problem, complaint, insert_service, spawn_app};
use crate::tracking::outbox_for_case;

fn ack() -> Value {
    json!({"method": "letter", "handling_discussion_offered": true, "meeting_offered": false})
}

/// Every answer about the case that staff can read, as text.
async fn staff_can_read(app: &TestApp, token: &str, case_id: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut paths = vec![
        format!("/api/v1/cases/{case_id}"),
        format!("/api/v1/cases/{case_id}/timeline"),
        format!("/api/v1/cases/{case_id}/letters"),
    ];
    let letters: Value = app.get(&paths[2], token).await.json().await.unwrap();
    for l in letters.as_array().unwrap() {
        paths.push(format!(
            "/api/v1/cases/{case_id}/letters/{}",
            l["id"].as_str().unwrap()
        ));
    }
    for path in paths {
        let res = app.get(&path, token).await;
        assert_eq!(res.status(), 200, "{path}");
        out.push((path, res.text().await.unwrap()));
    }
    out
}

fn no_live_link(answers: &[(String, String)]) {
    for (path, body) in answers {
        assert!(
            !body.contains("/track/"),
            "{path} holds a tracking link: {body}"
        );
        assert!(!body.contains("/feedback/"), "{path} holds a survey link");
    }
}

#[tokio::test]
async fn an_emailed_acknowledgement_carries_the_only_working_link() {
    let app = spawn_app().await;
    let service = insert_service(&app, "LINKS", None).await;
    let (_, manager) = app.signed_in(Role::ComplaintsManager).await;
    let (_, pals) = app.signed_in(Role::PalsOfficer).await;
    let today = app.today().to_string();
    let case = app
        .create_case(&manager, &complaint(&service, &today))
        .await;
    let case = app.act_ok(&manager, &case, "acknowledge", ack()).await;
    let id = case["id"].as_str().unwrap();

    let link = delivered_link(&app, id, "acknowledgement", "/track/").await;
    let page = app.client.get(&link).send().await.unwrap();
    assert_eq!(page.status(), 200, "the emailed link works");

    // Neither a PALS officer nor the manager can read a working link back.
    no_live_link(&staff_can_read(&app, &pals, id).await);
    no_live_link(&staff_can_read(&app, &manager, id).await);
    for (_, _, _, text, html) in outbox_for_case(&app, id).await {
        assert!(!text.contains("/track/") && !html.unwrap_or_default().contains("/track/"));
    }
    let letter_id = {
        let list: Value = app
            .get(&format!("/api/v1/cases/{id}/letters"), &manager)
            .await
            .json()
            .await
            .unwrap();
        list[0]["id"].as_str().unwrap().to_string()
    };
    let copy = app
        .get(&format!("/api/v1/cases/{id}/letters/{letter_id}"), &manager)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        copy.contains("private link, added when"),
        "a placeholder: {copy}"
    );
    // An emailed letter is not printed with a new link.
    let res = app
        .post(
            &format!("/api/v1/cases/{id}/letters/{letter_id}/print"),
            &manager,
            &json!({}),
        )
        .await;
    assert_problem(res, 409).await;
}

#[tokio::test]
async fn a_postal_letter_gets_its_link_when_a_manager_prints_it_and_each_print_replaces_the_last() {
    let app = spawn_app().await;
    let service = insert_service(&app, "POST", None).await;
    let (_, manager) = app.signed_in(Role::ComplaintsManager).await;
    let (_, pals) = app.signed_in(Role::PalsOfficer).await;
    let today = app.today().to_string();
    let mut body = complaint(&service, &today);
    body["complainant"] = json!({
        "name": "Alex Example",
        "postal_address": "1 High Street\nTown\nAB1 2CD",
        "preferred_contact": "letter",
        "consents_to_email": false
    });
    let case = app.create_case(&manager, &body).await;
    let case = app.act_ok(&manager, &case, "acknowledge", ack()).await;
    let id = case["id"].as_str().unwrap();
    let list: Value = app
        .get(&format!("/api/v1/cases/{id}/letters"), &manager)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list[0]["status"], "to_post");
    let letter = list[0]["id"].as_str().unwrap();
    no_live_link(&staff_can_read(&app, &pals, id).await);

    let print = format!("/api/v1/cases/{id}/letters/{letter}/print");
    assert_problem(app.post(&print, &pals, &json!({})).await, 403).await;
    let printed = |html: String| -> String {
        let at = html
            .find("/track/")
            .expect("a live link in the printed letter");
        let start = html[..at].rfind("http").unwrap();
        let end = html[at..].find(['"', '<', ' ']).unwrap() + at;
        html[start..end].to_string()
    };
    let res = app.post(&print, &manager, &json!({})).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let first = printed(res.text().await.unwrap());
    assert_eq!(app.client.get(&first).send().await.unwrap().status(), 200);
    let res = app.post(&print, &manager, &json!({})).await;
    let second = printed(res.text().await.unwrap());
    assert_ne!(first, second);
    assert_eq!(app.client.get(&second).send().await.unwrap().status(), 200);
    assert_eq!(
        app.client.get(&first).send().await.unwrap().status(),
        410,
        "a reprint replaces the link"
    );
    let kinds = app.timeline_kinds(&manager, id).await;
    assert_eq!(kinds.iter().filter(|k| *k == "letter_printed").count(), 2);
    // Still nothing for staff to read back.
    no_live_link(&staff_can_read(&app, &manager, id).await);
    // Every read of the letters, and each print, is in the case's access log.
    let log: Value = app
        .get(&format!("/api/v1/cases/{id}/access-log"), &manager)
        .await
        .json()
        .await
        .unwrap();
    let routes: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["route"].as_str().unwrap())
        .collect();
    let count = |r: &str| routes.iter().filter(|x| **x == r).count();
    assert_eq!(
        count("POST /api/v1/cases/{id}/letters/{letter_id}/print"),
        2
    );
    assert!(
        count("GET /api/v1/cases/{id}/letters/{letter_id}") >= 2,
        "{routes:?}"
    );
    assert!(count("GET /api/v1/cases/{id}/letters") >= 3, "{routes:?}");
}

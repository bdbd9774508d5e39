//! Redaction (`POST /api/v1/cases/{id}/redactions`): the words go, who, when and why stay on
//! the timeline, and `candour audit verify` still passes.

use candour::domain::role::Role;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, complaint, insert_service, spawn_app};

const WRONG_WORDS: &str = "Notes about Mrs Other of ward 9, recorded here by mistake";

fn verify_passes(app: &TestApp) {
    let out = app.cli(&["audit", "verify"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

async fn timeline(app: &TestApp, token: &str, id: &str) -> Vec<Value> {
    app.get(&format!("/api/v1/cases/{id}/timeline"), token)
        .await
        .json()
        .await
        .unwrap()
}

/// A case whose description was edited to hold the wrong words, and a note with them too.
async fn case_with_wrong_words(app: &TestApp, token: &str) -> (String, i32) {
    let service = insert_service(app, "RED", None).await;
    let case = app
        .create_case(token, &complaint(&service, "2026-11-02"))
        .await;
    let id = case["id"].as_str().unwrap().to_string();
    let res = app
        .patch(
            &format!("/api/v1/cases/{id}"),
            token,
            &json!({"version": case["version"], "description": WRONG_WORDS}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .post(
            &format!("/api/v1/cases/{id}/notes"),
            token,
            &json!({"text": format!("Checked: {WRONG_WORDS}")}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let note: Value = res.json().await.unwrap();
    (id, i32::try_from(note["seq"].as_i64().unwrap()).unwrap())
}

#[tokio::test]
async fn a_redacted_field_leaves_no_trace_of_its_words_but_the_record_of_who_and_why() {
    let app = spawn_app().await;
    let (manager, token) = app.signed_in(Role::ComplaintsManager).await;
    let (id, note_seq) = case_with_wrong_words(&app, &token).await;
    let before: Value = app
        .get(&format!("/api/v1/cases/{id}"), &token)
        .await
        .json()
        .await
        .unwrap();

    let res = app
        .post(
            &format!("/api/v1/cases/{id}/redactions"),
            &token,
            &json!({"target": "description", "reason": "Another patient's details"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let made: Value = res.json().await.unwrap();
    assert_eq!(made["target"], "description");
    // The edit that wrote the words and the note that repeated them.
    let erased: Vec<i64> = made["erased_events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_i64().unwrap())
        .collect();
    assert!(erased.contains(&i64::from(note_seq)), "{made}");
    assert_eq!(erased.len(), 2, "{made}");

    let after: Value = app
        .get(&format!("/api/v1/cases/{id}"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(after["description"], "[redacted]");
    assert_eq!(
        after["version"].as_i64().unwrap(),
        before["version"].as_i64().unwrap() + 1
    );
    let events = timeline(&app, &token, &id).await;
    let all = serde_json::to_string(&events).unwrap() + &after.to_string();
    assert!(!all.contains("Mrs Other"), "the words survive somewhere");
    for seq in &erased {
        let e = events.iter().find(|e| e["seq"] == *seq).unwrap();
        assert_eq!(e["erased"], "redaction");
        assert_eq!(e["summary"], "[redacted]");
    }
    let record = events.last().unwrap();
    assert_eq!(record["kind"], "redaction");
    assert_eq!(record["actor_id"], manager.id.as_str());
    assert_eq!(record["details"]["reason"], "Another patient's details");
    assert_eq!(record["details"]["erased"], json!(erased));
    verify_passes(&app);

    // Once is enough.
    let res = app
        .post(
            &format!("/api/v1/cases/{id}/redactions"),
            &token,
            &json!({"target": "description", "reason": "again"}),
        )
        .await;
    assert_problem(res, 409).await;
}

#[tokio::test]
async fn one_event_can_be_redacted_but_not_the_record_of_a_redaction() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let (id, note_seq) = case_with_wrong_words(&app, &token).await;
    let path = format!("/api/v1/cases/{id}/redactions");
    let res = app
        .post(
            &path,
            &token,
            &json!({"target": format!("event:{note_seq}"), "reason": "Wrong case"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let made: Value = res.json().await.unwrap();
    assert_eq!(made["erased_events"], json!([note_seq]));
    let record_seq = made["event"]["seq"].as_i64().unwrap();
    verify_passes(&app);

    for (body, status) in [
        (
            json!({"target": format!("event:{note_seq}"), "reason": "again"}),
            409,
        ),
        (
            json!({"target": format!("event:{record_seq}"), "reason": "hide it"}),
            409,
        ),
        (json!({"target": "event:999", "reason": "none"}), 400),
        (json!({"target": "reference", "reason": "no"}), 400),
        (json!({"target": "summary", "reason": "  "}), 400),
        (json!({"target": "summary"}), 400),
    ] {
        let problem = assert_problem(app.post(&path, &token, &body).await, status).await;
        assert!(problem["detail"].is_string(), "{body}: {problem}");
    }
    // The case's description still holds its words: only the note was redacted.
    let case: Value = app
        .get(&format!("/api/v1/cases/{id}"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(case["description"], WRONG_WORDS);
}

#[tokio::test]
async fn only_managers_redact() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let (id, note_seq) = case_with_wrong_words(&app, &token).await;
    let body = json!({"target": format!("event:{note_seq}"), "reason": "Wrong case"});
    for role in [Role::PalsOfficer, Role::Investigator, Role::Board] {
        let (_, other) = app.signed_in(role).await;
        let res = app
            .post(&format!("/api/v1/cases/{id}/redactions"), &other, &body)
            .await;
        assert_problem(res, 403).await;
    }
    let (_, admin) = app.signed_in(Role::Admin).await;
    let res = app
        .post(&format!("/api/v1/cases/{id}/redactions"), &admin, &body)
        .await;
    assert_eq!(res.status(), 201);
}

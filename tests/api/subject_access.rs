//! Subject access: `GET /api/v1/persons?q=` finds a person across cases by name, NHS number or
//! email; `GET /api/v1/persons/{id}/export` returns everything held about them (JSON, or a page
//! to print), and both are logged.

use candour::domain::role::Role;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, complaint, insert_service, spawn_app};

async fn get_json(app: &TestApp, path: &str, token: &str) -> Value {
    let res = app.get(path, token).await;
    assert_eq!(res.status(), 200, "{path}");
    res.json().await.unwrap()
}

#[tokio::test]
async fn a_person_is_found_by_name_nhs_number_or_email_and_exported_whole() {
    let app = spawn_app().await;
    let (manager, token) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "SAR", None).await;
    let case = app
        .responded_complaint(&token, &service, "2026-11-02")
        .await;
    let id = case["id"].as_str().unwrap();
    let res = app
        .post(
            &format!("/api/v1/cases/{id}/notes"),
            &token,
            &json!({"text": "Rang Alex to explain the delay"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    // A second case about someone else.
    let mut other = complaint(&service, "2026-11-03");
    other["complainant"]["name"] = json!("Robin Other");
    other["complainant"]["email"] = json!("robin@example.org");
    other["patient"] = json!({"name": "Kim Other"});
    app.create_case(&token, &other).await;

    let complainant = case["complainant"]["id"].as_str().unwrap();
    for q in ["alex exam", "ALEX@example.org", "943 476 5919"] {
        let found = get_json(&app, &format!("/api/v1/persons?q={}", urlencode(q)), &token).await;
        let items = found.as_array().unwrap();
        assert!(!items.is_empty(), "{q}");
        assert!(
            items.iter().all(|p| p["person"]["name"] != "Robin Other"),
            "{q}: {found}"
        );
        let hit = items
            .iter()
            .find(|p| p["person"]["id"] == complainant || p["cases"][0]["case_id"] == id)
            .unwrap_or_else(|| panic!("{q}: {found}"));
        assert_eq!(hit["cases"][0]["reference"], case["reference"]);
    }
    let by_name = get_json(&app, "/api/v1/persons?q=Alex%20Example", &token).await;
    assert_eq!(by_name[0]["cases"][0]["named_as"], "complainant");

    let export = get_json(
        &app,
        &format!("/api/v1/persons/{complainant}/export"),
        &token,
    )
    .await;
    assert_eq!(export["person"]["name"], "Alex Example");
    let files = export["cases"].as_array().unwrap();
    assert_eq!(files.len(), 1);
    let f = &files[0];
    assert_eq!(f["case"]["reference"], case["reference"]);
    assert!(f["timeline"].to_string().contains("Rang Alex"));
    // The acknowledgement and the response, with their words (and no live private link).
    let letters = f["letters"].as_array().unwrap();
    assert!(letters.len() >= 2, "{letters:?}");
    assert!(
        letters
            .iter()
            .all(|l| l["html"].as_str().unwrap().len() > 100)
    );
    assert!(!f["letters"].to_string().contains("/track/"));
    // The export's own reads are on the case's access log.
    let log = get_json(&app, &format!("/api/v1/cases/{id}/access-log"), &token).await;
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .any(|e| e["route"] == "GET /api/v1/persons/{id}/export"
                && e["user_id"] == manager.id.as_str()),
        "{log}"
    );
    // And on the audit log, without the words searched for.
    let (_, admin) = app.signed_in(Role::Admin).await;
    let audit = get_json(&app, "/api/v1/audit-log?limit=200", &admin).await;
    let text = audit.to_string();
    assert!(text.contains("person.exported"));
    assert!(text.contains("person.searched"));
    assert!(!text.contains("alex exam") && !text.contains("ALEX@example.org"));

    // The page to print.
    let res = app
        .get(
            &format!("/api/v1/persons/{complainant}/export?format=html"),
            &token,
        )
        .await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let page = res.text().await.unwrap();
    assert!(page.contains("Information held about Alex Example"));
    assert!(page.contains(case["reference"].as_str().unwrap()));
}

fn urlencode(s: &str) -> String {
    s.replace(' ', "%20").replace('@', "%40")
}

#[tokio::test]
async fn only_managers_search_and_export_and_bad_requests_are_refused() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    for role in [Role::PalsOfficer, Role::Investigator, Role::Board] {
        let (_, other) = app.signed_in(role).await;
        assert_problem(app.get("/api/v1/persons?q=alex", &other).await, 403).await;
        assert_problem(app.get("/api/v1/persons/x/export", &other).await, 403).await;
    }
    assert_problem(app.get("/api/v1/persons?q=al", &token).await, 400).await;
    assert_problem(app.get("/api/v1/persons", &token).await, 400).await;
    assert_problem(app.get("/api/v1/persons/nobody/export", &token).await, 404).await;
    assert_problem(
        app.get("/api/v1/persons/nobody/export?format=pdf", &token)
            .await,
        400,
    )
    .await;
}

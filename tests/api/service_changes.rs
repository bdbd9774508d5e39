//! The service changes register: recording, steps, the review period before "sustained",
//! overdue changes, case timelines, the board's view, validation, the public page and the board
//! report's counts.

use candour::domain::role::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{
    TestApp, assert_problem, complaint, days_from_today, insert_service, problem_fields, spawn_app,
};

struct Setup {
    app: TestApp,
    manager: String,
    manager_id: String,
    service: String,
    case: Value,
}

async fn setup() -> Setup {
    let app = spawn_app().await;
    let (user, manager) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "WARD5", None).await;
    let case = app
        .create_case(&manager, &complaint(&service, &days_from_today(-20)))
        .await;
    Setup {
        app,
        manager,
        manager_id: user.id,
        service,
        case,
    }
}

fn change_body(s: &Setup, due_on: &str) -> Value {
    json!({
        "title": "Explain discharge medicines",
        "description": "Pharmacist to go through each medicine with the patient; internal note: Sister Jones to lead.",
        "reason": "Several complaints that patients left without knowing their medicines.",
        "public_summary": "Before you go home, a pharmacist now explains each of your medicines.",
        "service_id": s.service,
        "owner_id": s.manager_id,
        "due_on": due_on,
        "case_ids": [s.case["id"]],
    })
}

async fn create(s: &Setup, body: &Value) -> Value {
    let res = s
        .app
        .post("/api/v1/service-changes", &s.manager, body)
        .await;
    let status = res.status();
    let json: Value = res.json().await.unwrap();
    assert_eq!(status, 201, "create failed: {json}");
    json
}

async fn step(s: &Setup, change: &Value, action: &str, body: Value) -> reqwest::Response {
    let mut body = body;
    body["version"] = change["version"].clone();
    let id = change["id"].as_str().unwrap();
    s.app
        .post(
            &format!("/api/v1/service-changes/{id}/{action}"),
            &s.manager,
            &body,
        )
        .await
}

async fn step_ok(s: &Setup, change: &Value, action: &str, body: Value) -> Value {
    let res = step(s, change, action, body).await;
    let status = res.status();
    let json: Value = res.json().await.unwrap();
    assert_eq!(status, 200, "{action} failed: {json}");
    json
}

/// A change taken to implemented on `implemented_on`.
async fn implemented(s: &Setup, implemented_on: &str) -> Value {
    let change = create(s, &change_body(s, &days_from_today(30))).await;
    let change = step_ok(s, &change, "start", json!({})).await;
    step_ok(
        s,
        &change,
        "implement",
        json!({"implemented_on": implemented_on}),
    )
    .await
}

#[tokio::test]
async fn a_change_goes_from_planned_to_sustained_and_each_step_is_on_the_case_timeline() {
    let s = setup().await;
    let case_id = s.case["id"].as_str().unwrap();
    let change = create(&s, &change_body(&s, &days_from_today(30))).await;
    assert_eq!(change["status"], "planned");
    assert_eq!(change["version"], 1);
    assert_eq!(change["cases"][0]["id"], case_id);
    assert_eq!(change["cases"][0]["reference"], s.case["reference"]);
    assert_eq!(change["allowed_actions"], json!(["start", "abandon"]));
    assert!(
        s.app
            .timeline_kinds(&s.manager, case_id)
            .await
            .contains(&"service_change_linked".to_string())
    );

    let change = step_ok(&s, &change, "start", json!({})).await;
    assert_eq!(change["status"], "in_progress");
    let change = step_ok(
        &s,
        &change,
        "implement",
        json!({"implemented_on": days_from_today(-120)}),
    )
    .await;
    assert_eq!(change["status"], "implemented");
    let change = step_ok(
        &s,
        &change,
        "sustain",
        json!({"evidence": "Re-audit of 40 discharges: 39 had a pharmacist review."}),
    )
    .await;
    assert_eq!(change["status"], "sustained");
    assert_eq!(change["verified_by"]["id"], s.manager_id.as_str());
    assert!(change["verified_at"].is_string());
    assert_eq!(change["allowed_actions"], json!([]));

    let kinds = s.app.timeline_kinds(&s.manager, case_id).await;
    for kind in [
        "service_change_started",
        "service_change_implemented",
        "service_change_sustained",
    ] {
        assert!(
            kinds.contains(&kind.to_string()),
            "{kind} missing: {kinds:?}"
        );
    }
    // The case's hash chain still verifies after the appends.
    let chain: Vec<Value> = s
        .app
        .get(&format!("/api/v1/cases/{case_id}/timeline"), &s.manager)
        .await
        .json()
        .await
        .unwrap();
    assert!(chain.len() >= 5);

    let id = change["id"].as_str().unwrap();
    let full: Value = s
        .app
        .get(&format!("/api/v1/service-changes/{id}"), &s.manager)
        .await
        .json()
        .await
        .unwrap();
    let history: Vec<&str> = full["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(history, ["created", "started", "implemented", "sustained"]);
    assert_eq!(full["history"][3]["from_status"], "implemented");
    assert_eq!(full["history"][3]["to_status"], "sustained");
    assert_eq!(full["history"][3]["actor"]["id"], s.manager_id.as_str());
}

#[tokio::test]
async fn sustain_is_refused_within_the_review_period() {
    let s = setup().await;
    let change = implemented(&s, &days_from_today(-30)).await;
    assert!(change["sustain_from"].is_string());
    let res = step(&s, &change, "sustain", json!({"evidence": "Looks fine"})).await;
    let body = assert_problem(res, 409).await;
    let detail = body["detail"].as_str().unwrap();
    assert!(
        detail.contains("learning.sustain_review_months"),
        "{detail}"
    );
    assert!(detail.contains("3 months"), "{detail}");
    assert_eq!(body["current_state"], "implemented");
    // Nothing was written.
    let id = change["id"].as_str().unwrap();
    let now: Value = s
        .app
        .get(&format!("/api/v1/service-changes/{id}"), &s.manager)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(now["status"], "implemented");
    assert_eq!(now["version"], change["version"]);

    // Evidence is still required once the period has passed.
    let old = implemented(&s, &days_from_today(-100)).await;
    let res = step(&s, &old, "sustain", json!({"evidence": "  "})).await;
    let body = assert_problem(res, 400).await;
    assert_eq!(problem_fields(&body), ["evidence"]);
}

#[tokio::test]
async fn the_review_period_is_a_setting() {
    let app = crate::helpers::spawn_app_with(|s| s.learning.sustain_review_months = 0).await;
    let (user, manager) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "OPD", None).await;
    let case = app
        .create_case(&manager, &complaint(&service, &days_from_today(-5)))
        .await;
    let s = Setup {
        app,
        manager,
        manager_id: user.id,
        service,
        case,
    };
    let change = implemented(&s, &days_from_today(0)).await;
    step_ok(&s, &change, "sustain", json!({"evidence": "Checked"})).await;
}

#[tokio::test]
async fn steps_follow_the_state_machine_and_need_the_current_version() {
    let s = setup().await;
    let change = create(&s, &change_body(&s, &days_from_today(30))).await;
    let res = step(
        &s,
        &change,
        "implement",
        json!({"implemented_on": days_from_today(-1)}),
    )
    .await;
    let body = assert_problem(res, 409).await;
    assert_eq!(body["current_state"], "planned");
    assert_eq!(body["allowed_actions"], json!(["start", "abandon"]));

    // No version: 428; an old one: 409.
    let id = change["id"].as_str().unwrap();
    let res = s
        .app
        .post(
            &format!("/api/v1/service-changes/{id}/start"),
            &s.manager,
            &json!({}),
        )
        .await;
    assert_problem(res, 428).await;
    let started = step_ok(&s, &change, "start", json!({})).await;
    assert_problem(
        step(&s, &change, "abandon", json!({"reason": "x"})).await,
        409,
    )
    .await;

    // Implementation dates cannot be in the future.
    let res = step(
        &s,
        &started,
        "implement",
        json!({"implemented_on": days_from_today(2)}),
    )
    .await;
    let body = assert_problem(res, 400).await;
    assert_eq!(problem_fields(&body), ["implemented_on"]);

    let abandoned = step_ok(
        &s,
        &started,
        "abandon",
        json!({"reason": "Replaced by a trust-wide discharge project"}),
    )
    .await;
    assert_eq!(abandoned["status"], "abandoned");
    assert_eq!(
        abandoned["abandoned_reason"],
        "Replaced by a trust-wide discharge project"
    );
    assert!(abandoned["abandoned_at"].is_string());
    let res = step(&s, &abandoned, "start", json!({})).await;
    assert_eq!(assert_problem(res, 409).await["allowed_actions"], json!([]));
}

#[tokio::test]
async fn a_change_past_its_due_date_while_open_is_overdue() {
    let s = setup().await;
    let late = create(&s, &change_body(&s, &days_from_today(-1))).await;
    assert_eq!(late["overdue"], true);
    let on_time = create(&s, &change_body(&s, &days_from_today(10))).await;
    assert_eq!(on_time["overdue"], false);

    let list: Value = s
        .app
        .get("/api/v1/service-changes?overdue=true", &s.manager)
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [late["id"].as_str().unwrap()]);
    assert_eq!(list["total"], 1);

    // Once implemented it is no longer overdue.
    let started = step_ok(&s, &late, "start", json!({})).await;
    assert_eq!(started["overdue"], true);
    let done = step_ok(
        &s,
        &started,
        "implement",
        json!({"implemented_on": days_from_today(0)}),
    )
    .await;
    assert_eq!(done["overdue"], false);
}

#[tokio::test]
async fn the_list_filters_and_pages() {
    let s = setup().await;
    let other_service = insert_service(&s.app, "ED", None).await;
    let a = create(&s, &change_body(&s, &days_from_today(5))).await;
    let mut body = change_body(&s, &days_from_today(5));
    body["service_id"] = json!(other_service);
    body["case_ids"] = json!([]);
    body["theme"] = json!({"subject": "communications", "service_id": other_service});
    let b = create(&s, &body).await;
    assert_eq!(b["theme"]["subject"], "communications");
    assert_eq!(b["theme"]["service"]["id"], other_service.as_str());
    step_ok(&s, &b, "start", json!({})).await;

    let get = |q: String| {
        let app = &s.app;
        let token = s.manager.clone();
        async move {
            let v: Value = app
                .get(&format!("/api/v1/service-changes{q}"), &token)
                .await
                .json()
                .await
                .unwrap();
            v["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    let (a_id, b_id) = (
        a["id"].as_str().unwrap().to_string(),
        b["id"].as_str().unwrap().to_string(),
    );
    assert_eq!(get(String::new()).await, [b_id.clone(), a_id.clone()]);
    assert_eq!(get("?status=in_progress".into()).await, vec![b_id.clone()]);
    assert_eq!(get("?status=planned,in_progress".into()).await.len(), 2);
    assert_eq!(
        get(format!("?service_id={other_service}")).await,
        vec![b_id.clone()]
    );
    assert_eq!(
        get(format!("?case_id={}", s.case["id"].as_str().unwrap())).await,
        vec![a_id.clone()]
    );
    assert_eq!(get(format!("?owner_id={}", s.manager_id)).await.len(), 2);

    let first: Value = s
        .app
        .get("/api/v1/service-changes?limit=1", &s.manager)
        .await
        .json()
        .await
        .unwrap();
    let next = first["next"].as_str().unwrap();
    assert_eq!(get(format!("?limit=1&cursor={next}")).await, [a_id]);
    let res = s
        .app
        .get("/api/v1/service-changes?status=done", &s.manager)
        .await;
    assert_eq!(problem_fields(&assert_problem(res, 400).await), ["status"]);
}

#[tokio::test]
async fn invalid_changes_are_refused_naming_each_field() {
    let s = setup().await;
    let mut body = change_body(&s, &days_from_today(5));
    body["service_id"] = json!("no-such-service");
    body["owner_id"] = json!("no-such-user");
    body["case_ids"] = json!([s.case["id"], "no-such-case", s.case["id"]]);
    body["theme"] = json!({"subject": "not_a_subject"});
    body["title"] = json!(" ");
    body["public_summary"] = json!(format!(
        "After complaint {} we changed things",
        s.case["reference"].as_str().unwrap()
    ));
    let res = s
        .app
        .post("/api/v1/service-changes", &s.manager, &body)
        .await;
    let problem = assert_problem(res, 400).await;
    let mut fields = problem_fields(&problem);
    fields.sort();
    assert_eq!(
        fields,
        [
            "case_ids[1]",
            "case_ids[2]",
            "owner_id",
            "public_summary",
            "service_id",
            "theme.subject",
            "title"
        ]
    );

    // A change answers at least one case or a theme.
    let mut body = change_body(&s, &days_from_today(5));
    body["case_ids"] = json!([]);
    let res = s
        .app
        .post("/api/v1/service-changes", &s.manager, &body)
        .await;
    assert_eq!(
        problem_fields(&assert_problem(res, 400).await),
        ["case_ids"]
    );

    // Wrong types and unknown fields name the field too.
    let mut body = change_body(&s, &days_from_today(5));
    body["due_on"] = json!("soon");
    let res = s
        .app
        .post("/api/v1/service-changes", &s.manager, &body)
        .await;
    assert_eq!(problem_fields(&assert_problem(res, 400).await), ["due_on"]);

    // Nothing was written.
    let list: Value = s
        .app
        .get("/api/v1/service-changes", &s.manager)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 0);
    assert_eq!(
        s.app
            .timeline_kinds(&s.manager, s.case["id"].as_str().unwrap())
            .await
            .iter()
            .filter(|k| k.starts_with("service_change"))
            .count(),
        0
    );
}

#[tokio::test]
async fn an_edit_is_versioned_recorded_and_links_cases_on_their_timelines() {
    let s = setup().await;
    let second = s
        .app
        .create_case(&s.manager, &complaint(&s.service, &days_from_today(-3)))
        .await;
    let second_id = second["id"].as_str().unwrap();
    let change = create(&s, &change_body(&s, &days_from_today(30))).await;
    let id = change["id"].as_str().unwrap();
    let path = format!("/api/v1/service-changes/{id}");

    let res = s
        .app
        .patch(&path, &s.manager, &json!({"title": "New"}))
        .await;
    assert_problem(res, 428).await;
    let res = s
        .app
        .patch(
            &path,
            &s.manager,
            &json!({"version": 1, "title": "Pharmacist review before discharge", "case_ids": [second_id]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["etag"], "\"2\"");
    let edited: Value = res.json().await.unwrap();
    assert_eq!(edited["title"], "Pharmacist review before discharge");
    assert_eq!(edited["cases"][0]["id"], second_id);
    let last = edited["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["kind"], "edited");
    assert_eq!(last["details"]["cases_linked"], json!([second_id]));
    assert!(last["details"]["changes"]["title"].is_object());

    assert!(
        s.app
            .timeline_kinds(&s.manager, second_id)
            .await
            .contains(&"service_change_linked".to_string())
    );
    assert!(
        s.app
            .timeline_kinds(&s.manager, s.case["id"].as_str().unwrap())
            .await
            .contains(&"service_change_unlinked".to_string())
    );

    let res = s
        .app
        .patch(&path, &s.manager, &json!({"version": 1, "title": "Stale"}))
        .await;
    assert_problem(res, 409).await;
}

#[tokio::test]
async fn the_board_reads_the_register_without_cases_and_cannot_change_it() {
    let s = setup().await;
    let change = create(&s, &change_body(&s, &days_from_today(30))).await;
    let id = change["id"].as_str().unwrap();
    let (_, board) = s.app.signed_in(Role::Board).await;

    let res = s
        .app
        .post(
            "/api/v1/service-changes",
            &board,
            &change_body(&s, "2026-01-01"),
        )
        .await;
    assert_problem(res, 403).await;
    let res = s
        .app
        .post(
            &format!("/api/v1/service-changes/{id}/start"),
            &board,
            &json!({"version": 1}),
        )
        .await;
    assert_problem(res, 403).await;

    let list: Value = s
        .app
        .get("/api/v1/service-changes", &board)
        .await
        .json()
        .await
        .unwrap();
    let item = &list["items"][0];
    assert_eq!(item["id"], id);
    assert_eq!(item["public_summary"], change["public_summary"]);
    assert_eq!(item["linked_case_count"], 1);
    assert!(item.get("cases").is_none(), "{item}");
    let text = list.to_string();
    assert!(!text.contains(s.case["id"].as_str().unwrap()));
    assert!(!text.contains(s.case["reference"].as_str().unwrap()));

    let one: Value = s
        .app
        .get(&format!("/api/v1/service-changes/{id}"), &board)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        one.get("cases").is_none() && one.get("history").is_none(),
        "{one}"
    );
    let res = s
        .app
        .get(
            &format!(
                "/api/v1/service-changes?case_id={}",
                s.case["id"].as_str().unwrap()
            ),
            &board,
        )
        .await;
    assert_problem(res, 403).await;

    // Investigators and PALS officers read in full but do not manage.
    for role in [Role::Investigator, Role::PalsOfficer] {
        let (_, token) = s.app.signed_in(role).await;
        let one: Value = s
            .app
            .get(&format!("/api/v1/service-changes/{id}"), &token)
            .await
            .json()
            .await
            .unwrap();
        if role == Role::PalsOfficer {
            assert_eq!(one["cases"][0]["id"], s.case["id"], "{role}");
        } else {
            // The case is neither assigned to this investigator nor in a service they lead:
            // they learn that a case is linked, not which.
            assert_eq!(one["cases"], json!([]), "{role}");
            assert_eq!(one["linked_case_count"], 1);
            assert!(!one.to_string().contains(s.case["id"].as_str().unwrap()));
            let res = s
                .app
                .get(
                    &format!(
                        "/api/v1/service-changes?case_id={}",
                        s.case["id"].as_str().unwrap()
                    ),
                    &token,
                )
                .await;
            assert_problem(res, 403).await;
        }
        let res = s
            .app
            .post(
                "/api/v1/service-changes",
                &token,
                &change_body(&s, "2026-01-01"),
            )
            .await;
        assert_problem(res, 403).await;
    }
}

#[tokio::test]
async fn the_public_page_shows_what_was_done_and_nothing_internal() {
    let s = setup().await;
    let done = implemented(&s, &days_from_today(-10)).await;
    let mut planned_body = change_body(&s, &days_from_today(10));
    planned_body["public_summary"] = json!("We plan to open the new discharge lounge.");
    create(&s, &planned_body).await;

    let res = s
        .app
        .client
        .get(s.app.url("/you-said-we-did"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let headers = res.headers().clone();
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(headers.contains_key("content-security-policy"));
    let page = res.text().await.unwrap();
    assert!(page.contains("You said, we did"));
    assert!(page.contains("Service WARD5"));
    assert!(page.contains(done["public_summary"].as_str().unwrap()));
    assert!(!page.contains("Sister Jones"), "internal description shown");
    assert!(
        !page.contains("Several complaints"),
        "internal reason shown"
    );
    assert!(!page.contains("Test complaints_manager"), "owner shown");
    assert!(!page.contains(s.case["reference"].as_str().unwrap()));
    assert!(
        !page.contains("discharge lounge"),
        "a planned change was published"
    );
    assert!(!page.contains("<script"));

    let json: Value = s
        .app
        .client
        .get(s.app.url("/api/v1/you-said-we-did"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(json["count"], 1);
    assert_eq!(json["services"][0]["service_name"], "Service WARD5");
    assert_eq!(
        json["services"][0]["changes"][0]["summary"],
        done["public_summary"]
    );
    assert_eq!(json["services"][0]["changes"][0]["sustained"], false);
    let text = json.to_string();
    assert!(!text.contains("Sister Jones") && !text.contains(&s.manager_id));

    let other = insert_service(&s.app, "ED", None).await;
    let filtered: Value = s
        .app
        .client
        .get(
            s.app
                .url(&format!("/api/v1/you-said-we-did?service_id={other}")),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(filtered["count"], 0);
    let res = s
        .app
        .client
        .get(s.app.url("/you-said-we-did?service_id=nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("Page not found"));
}

/// Set a change's milestone columns directly, to place it in the past. (The service-change
/// commands still stamp rows with the system clock, so moving the server's clock would not
/// place them there.)
async fn backdate(app: &TestApp, id: &str, created_days_ago: i64, due_in_days: i64) {
    use candour::db::schema::service_changes as sc;
    use diesel::prelude::*;
    let id = id.to_string();
    let created_at = app.clock.now() - chrono::Duration::days(created_days_ago);
    let due_on = app.today() + chrono::Duration::days(due_in_days);
    app.state
        .db
        .write(move |c| -> Result<(), candour::error::AppError> {
            diesel::update(sc::table.find(&id))
                .set((sc::created_at.eq(created_at), sc::due_on.eq(due_on)))
                .execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn the_board_report_counts_changes_by_period() {
    use candour::db::service_changes::{ServiceChangeCounts, board_counts, implemented_between};
    let s = setup().await;
    let today = s.app.today();
    let day = move |d: i64| today + chrono::Duration::days(d);

    let planned_late = create(&s, &change_body(&s, &days_from_today(-5))).await;
    backdate(&s.app, planned_late["id"].as_str().unwrap(), 40, -5).await;
    let planned_new = create(&s, &change_body(&s, &days_from_today(5))).await;
    let done = implemented(&s, &days_from_today(-20)).await;
    backdate(&s.app, done["id"].as_str().unwrap(), 60, -25).await;
    let old = implemented(&s, &days_from_today(-200)).await;
    let sustained = step_ok(&s, &old, "sustain", json!({"evidence": "Audit"})).await;
    let gone = create(&s, &change_body(&s, &days_from_today(5))).await;
    step_ok(&s, &gone, "abandon", json!({"reason": "Not needed"})).await;
    let _ = (planned_new, sustained);

    let service_ids = vec![s.service.clone()];
    let (from, to) = (day(-30), day(0));
    let counts = s
        .app
        .state
        .db
        .read(move |c| board_counts(c, Some(&service_ids), from, to, to))
        .await
        .unwrap();
    assert_eq!(
        counts,
        ServiceChangeCounts {
            planned: 2,
            in_progress: 0,
            implemented: 1,
            sustained: 1,
            abandoned: 1,
            overdue: 1,
        }
    );

    // Ten days ago only the backdated changes existed: the late one was open but not yet due,
    // and `done` was already implemented (on day -20).
    let (from, to) = (day(-30), day(-10));
    let earlier = s
        .app
        .state
        .db
        .read(move |c| board_counts(c, None, from, to, day(0)))
        .await
        .unwrap();
    assert_eq!(
        earlier,
        ServiceChangeCounts {
            planned: 1,
            in_progress: 0,
            implemented: 1,
            sustained: 0,
            abandoned: 0,
            overdue: 0,
        }
    );
    let nothing = s
        .app
        .state
        .db
        .read(move |c| {
            board_counts(
                c,
                Some(&["elsewhere".to_string()]),
                day(-30),
                day(0),
                day(0),
            )
        })
        .await
        .unwrap();
    assert_eq!(nothing, ServiceChangeCounts::default());

    let actions = s
        .app
        .state
        .db
        .read(move |c| implemented_between(c, None, day(-365), day(0)))
        .await
        .unwrap();
    assert_eq!(actions.len(), 2);
    assert_eq!(actions[0].implemented_on, day(-20));
    assert!(!actions[0].sustained);
    assert_eq!(actions[1].implemented_on, day(-200));
    assert!(actions[1].sustained);
    assert_eq!(actions[0].service_name, "Service WARD5");
    assert_eq!(
        actions[0].public_summary,
        done["public_summary"].as_str().unwrap()
    );
    // A verification after the period does not count as sustained within it.
    let before = s
        .app
        .state
        .db
        .read(move |c| implemented_between(c, None, day(-365), day(-100)))
        .await
        .unwrap();
    assert_eq!(before.len(), 1);
    assert!(!before[0].sustained);
}

#[tokio::test]
async fn an_investigator_sees_the_linked_cases_of_the_services_they_lead_only() {
    let s = setup().await;
    let (lead, token) = s.app.signed_in(Role::Investigator).await;
    let theirs = insert_service(&s.app, "WARD7", Some(&lead.id)).await;
    let their_case = s
        .app
        .create_case(&s.manager, &complaint(&theirs, &days_from_today(-15)))
        .await;
    let mut body = change_body(&s, &days_from_today(30));
    body["case_ids"] = json!([s.case["id"], their_case["id"]]);
    let change = create(&s, &body).await;
    let id = change["id"].as_str().unwrap();
    // A manager unlinks the other case: the history names it for managers only.
    let mut edit = json!({"case_ids": [their_case["id"]]});
    edit["version"] = change["version"].clone();
    let res = s
        .app
        .patch(&format!("/api/v1/service-changes/{id}"), &s.manager, &edit)
        .await;
    assert_eq!(res.status(), 200);
    let mut edit = json!({"case_ids": [their_case["id"], s.case["id"]]});
    edit["version"] = json!(change["version"].as_i64().unwrap() + 1);
    let res = s
        .app
        .patch(&format!("/api/v1/service-changes/{id}"), &s.manager, &edit)
        .await;
    assert_eq!(res.status(), 200);

    let other = s.case["id"].as_str().unwrap();
    for path in [
        format!("/api/v1/service-changes/{id}"),
        "/api/v1/service-changes".to_string(),
    ] {
        let seen: Value = s.app.get(&path, &token).await.json().await.unwrap();
        let one = if seen["items"].is_array() {
            seen["items"][0].clone()
        } else {
            seen
        };
        assert_eq!(one["linked_case_count"], 2, "{path}");
        assert_eq!(one["cases"].as_array().unwrap().len(), 1, "{path}");
        assert_eq!(one["cases"][0]["id"], their_case["id"], "{path}");
        assert!(!one.to_string().contains(other), "{path}: {one}");
    }
    let managers: Value = s
        .app
        .get(&format!("/api/v1/service-changes/{id}"), &s.manager)
        .await
        .json()
        .await
        .unwrap();
    assert!(managers.to_string().contains(other));
}

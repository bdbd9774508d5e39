//! Who may do what with cases: every case route × every role, investigators' own cases,
//! the access log, notes, list filters and the audit of the hash chains.

use candour::domain::role::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{
    assert_problem, complaint, days_from_today, insert_service, pals_concern, spawn_app,
};

const ACTIONS: [&str; 14] = [
    "acknowledge",
    "assign",
    "start-investigation",
    "extend",
    "pause",
    "resume",
    "respond",
    "close",
    "reopen",
    "withdraw",
    "resolve",
    "escalate",
    "time-limit-decision",
    "six-month-letter",
];

#[tokio::test]
async fn every_case_route_for_every_role() {
    let app = spawn_app().await;
    let (_, manager) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "A", None).await;
    let case = app
        .create_case(&manager, &complaint(&service, "2026-11-02"))
        .await;
    let pals = app
        .create_case(&manager, &pals_concern(&service, "2026-11-02"))
        .await;
    let id = case["id"].as_str().unwrap();
    let pid = pals["id"].as_str().unwrap();

    for role in Role::ALL {
        let (_, token) = app.signed_in(role).await;
        let managers = matches!(role, Role::Admin | Role::ComplaintsManager);
        let case_staff = managers || role == Role::PalsOfficer;
        // (route, status, whether the role may use it). Allowed routes may still answer 400
        // or 409 for these deliberately empty bodies; refused ones must answer 403.
        let mut checks: Vec<(String, StatusCode, bool)> = vec![
            (
                "GET /cases".into(),
                app.get("/api/v1/cases", &token).await.status(),
                role != Role::Board,
            ),
            (
                "GET /cases/{id}".into(),
                app.get(&format!("/api/v1/cases/{id}"), &token)
                    .await
                    .status(),
                case_staff,
            ),
            (
                "GET timeline".into(),
                app.get(&format!("/api/v1/cases/{id}/timeline"), &token)
                    .await
                    .status(),
                case_staff,
            ),
            (
                "GET access-log".into(),
                app.get(&format!("/api/v1/cases/{id}/access-log"), &token)
                    .await
                    .status(),
                managers,
            ),
            (
                "POST notes".into(),
                app.post(
                    &format!("/api/v1/cases/{id}/notes"),
                    &token,
                    &json!({"text": "n"}),
                )
                .await
                .status(),
                case_staff,
            ),
            (
                "POST /cases".into(),
                app.post("/api/v1/cases", &token, &json!({})).await.status(),
                case_staff,
            ),
            (
                "PATCH complaint".into(),
                app.patch(
                    &format!("/api/v1/cases/{id}"),
                    &token,
                    &json!({"version": 999, "summary": "x"}),
                )
                .await
                .status(),
                managers,
            ),
            (
                "PATCH PALS concern".into(),
                app.patch(
                    &format!("/api/v1/cases/{pid}"),
                    &token,
                    &json!({"version": 999, "summary": "x"}),
                )
                .await
                .status(),
                case_staff,
            ),
        ];
        for action in ACTIONS {
            let status = app
                .post(
                    &format!("/api/v1/cases/{id}/{action}"),
                    &token,
                    &json!({"version": 999}),
                )
                .await
                .status();
            checks.push((format!("POST {action} (complaint)"), status, managers));
            let status = app
                .post(
                    &format!("/api/v1/cases/{pid}/{action}"),
                    &token,
                    &json!({"version": 999}),
                )
                .await
                .status();
            checks.push((format!("POST {action} (PALS concern)"), status, case_staff));
        }
        for (route, status, allowed) in checks {
            if allowed {
                assert_ne!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{role}: {route} should be allowed"
                );
                assert!(
                    status != StatusCode::UNAUTHORIZED && !status.is_server_error(),
                    "{role}: {route}: {status}"
                );
            } else {
                assert_eq!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{role}: {route} should be refused"
                );
            }
        }
    }
    // Nothing above changed either case: every attempt carried a stale version.
    let after: Value = app
        .get(&format!("/api/v1/cases/{id}"), &manager)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(after["version"], 1);
}

#[tokio::test]
async fn investigators_see_only_their_cases_and_services() {
    let app = spawn_app().await;
    let (_, manager) = app.signed_in(Role::ComplaintsManager).await;
    let (lead, lead_token) = app.signed_in(Role::Investigator).await;
    let (assignee, assignee_token) = app.signed_in(Role::Investigator).await;
    let mine = insert_service(&app, "MINE", Some(&lead.id)).await;
    let other = insert_service(&app, "OTHER", None).await;
    let in_mine = app
        .create_case(&manager, &complaint(&mine, "2026-11-02"))
        .await;
    let in_other = app
        .create_case(&manager, &complaint(&other, "2026-11-02"))
        .await;

    assert_eq!(
        app.get(
            &format!("/api/v1/cases/{}", in_mine["id"].as_str().unwrap()),
            &lead_token
        )
        .await
        .status(),
        200
    );
    assert_problem(
        app.get(
            &format!("/api/v1/cases/{}", in_other["id"].as_str().unwrap()),
            &lead_token,
        )
        .await,
        403,
    )
    .await;
    assert_problem(
        app.get(
            &format!(
                "/api/v1/cases/{}/timeline",
                in_other["id"].as_str().unwrap()
            ),
            &lead_token,
        )
        .await,
        403,
    )
    .await;
    let list: Value = app
        .get("/api/v1/cases", &lead_token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], in_mine["id"]);

    // Assigning the other case to an investigator opens it to them, and only to them.
    assert_problem(
        app.get(
            &format!("/api/v1/cases/{}", in_other["id"].as_str().unwrap()),
            &assignee_token,
        )
        .await,
        403,
    )
    .await;
    app.act_ok(
        &manager,
        &in_other,
        "assign",
        json!({"investigator_id": assignee.id}),
    )
    .await;
    assert_eq!(
        app.get(
            &format!("/api/v1/cases/{}", in_other["id"].as_str().unwrap()),
            &assignee_token
        )
        .await
        .status(),
        200
    );
    let res = app
        .post(
            &format!("/api/v1/cases/{}/notes", in_other["id"].as_str().unwrap()),
            &assignee_token,
            &json!({"text": "Spoke to the ward sister", "category": "finding"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let list: Value = app
        .get("/api/v1/cases", &assignee_token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 1);
    // Investigators record findings but do not run the lifecycle.
    let current: Value = app
        .get(
            &format!("/api/v1/cases/{}", in_other["id"].as_str().unwrap()),
            &manager,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_problem(
        app.act(
            &assignee_token,
            &current,
            "withdraw",
            json!({"reason": "x"}),
        )
        .await,
        403,
    )
    .await;
}

#[tokio::test]
async fn reads_are_logged_and_notes_join_the_timeline() {
    let app = spawn_app().await;
    let (manager_user, manager) = app.signed_in(Role::ComplaintsManager).await;
    let (pals_user, pals) = app.signed_in(Role::PalsOfficer).await;
    let service = insert_service(&app, "A", None).await;
    let case = app
        .create_case(&manager, &complaint(&service, "2026-11-02"))
        .await;
    let id = case["id"].as_str().unwrap();
    app.get(&format!("/api/v1/cases/{id}"), &pals).await;
    app.get(&format!("/api/v1/cases/{id}/timeline"), &manager)
        .await;
    let res = app
        .post(
            &format!("/api/v1/cases/{id}/notes"),
            &pals,
            &json!({"text": "Called back", "category": "contact"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let note: Value = res.json().await.unwrap();
    assert_eq!(note["kind"], "note");
    assert_eq!(note["details"]["category"], "contact");
    assert_problem(
        app.post(
            &format!("/api/v1/cases/{id}/notes"),
            &pals,
            &json!({"text": "  "}),
        )
        .await,
        400,
    )
    .await;

    let log: Vec<Value> = app
        .get(&format!("/api/v1/cases/{id}/access-log"), &manager)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0]["user_id"], manager_user.id.as_str());
    assert_eq!(log[0]["route"], "GET /api/v1/cases/{id}/timeline");
    assert_eq!(log[1]["user_id"], pals_user.id.as_str());
    // A note does not change the case version.
    let now: Value = app
        .get(&format!("/api/v1/cases/{id}"), &manager)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(now["version"], 1);
    assert_problem(app.get("/api/v1/cases/no-such-case", &manager).await, 404).await;
}

#[tokio::test]
async fn lists_filter_sort_and_page() {
    let app = spawn_app().await;
    let (me, token) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "A", None).await;
    let other_service = insert_service(&app, "B", None).await;
    let old = app
        .create_case(&token, &complaint(&service, &days_from_today(-340)))
        .await;
    let recent = app
        .create_case(&token, &complaint(&service, &days_from_today(0)))
        .await;
    let pals = app
        .create_case(&token, &pals_concern(&other_service, &days_from_today(-1)))
        .await;
    app.act_ok(&token, &recent, "assign", json!({"handler_id": me.id}))
        .await;

    let get = |q: &str| {
        let path = format!("/api/v1/cases?{q}");
        let token = token.clone();
        let app = &app;
        async move {
            let res = app.get(&path, &token).await;
            assert_eq!(res.status(), 200, "{path}");
            res.json::<Value>().await.unwrap()
        }
    };
    let ids = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect()
    };
    let all = get("").await;
    assert_eq!(all["total"], 3);
    assert_eq!(
        ids(&all)[0],
        recent["id"].as_str().unwrap(),
        "newest first by default"
    );
    assert_eq!(get("kind=pals_concern").await["total"], 1);
    assert_eq!(get("status=received,open").await["total"], 3);
    assert_eq!(
        get(&format!("service_id={other_service}")).await["total"],
        1
    );
    assert_eq!(get("subject=facilities").await["total"], 1);
    assert_eq!(
        ids(&get("handler=me").await),
        [recent["id"].as_str().unwrap()]
    );
    let overdue = get("overdue=true").await;
    assert_eq!(ids(&overdue), [old["id"].as_str().unwrap()]);
    assert_eq!(overdue["items"][0]["overdue"]["acknowledgement"], true);
    assert_eq!(get("q=parking").await["total"], 1);
    let reference = old["reference"].as_str().unwrap().to_lowercase();
    assert_eq!(get(&format!("q={reference}")).await["total"], 1);
    assert_eq!(
        get(&format!(
            "received_from={}&received_to={}",
            days_from_today(-30),
            days_from_today(0)
        ))
        .await["total"],
        2
    );
    assert_eq!(get("risk_grade=moderate").await["total"], 2);

    let queue = get("sort=next_due").await;
    let dues: Vec<&str> = queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["next_due_on"].as_str().unwrap_or("9999"))
        .collect();
    let mut sorted = dues.clone();
    sorted.sort();
    assert_eq!(dues, sorted);

    let first = get("limit=2&sort=oldest").await;
    assert_eq!(ids(&first).len(), 2);
    assert_eq!(ids(&first)[0], old["id"].as_str().unwrap());
    let next = first["next"].as_str().unwrap();
    let second = get(&format!("limit=2&sort=oldest&cursor={next}")).await;
    assert_eq!(ids(&second), [recent["id"].as_str().unwrap()]);
    assert!(second["next"].is_null());
    let _ = pals;

    for bad in [
        "status=lost",
        "limit=500",
        "risk_grade=purple",
        "sort=random",
        "cursor=zzz",
        "nonsense=1",
    ] {
        let res = app.get(&format!("/api/v1/cases?{bad}"), &token).await;
        assert_problem(res, 400).await;
    }
}

/// Several statuses at once: one list in the order asked for, whatever each case's status,
/// paged by cursor without a case missed or repeated (SQLite reads each status apart and
/// merges them; the result must be the same as one ordered list).
#[tokio::test]
async fn a_list_over_several_statuses_is_one_order_across_pages() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "A", None).await;
    let ack =
        json!({"method": "email", "handling_discussion_offered": true, "meeting_offered": false});
    // Received 10, 8, 6, 4 and 2 days ago: acknowledged, received, investigating, received,
    // acknowledged.
    let mut made = Vec::new();
    for (days, state) in [
        (-10, "ack"),
        (-8, "new"),
        (-6, "inv"),
        (-4, "new"),
        (-2, "ack"),
    ] {
        let case = app
            .create_case(&token, &complaint(&service, &days_from_today(days)))
            .await;
        let case = match state {
            "new" => case,
            _ => {
                let case = app.act_ok(&token, &case, "acknowledge", ack.clone()).await;
                if state == "inv" {
                    app.act_ok(&token, &case, "start-investigation", json!({}))
                        .await
                } else {
                    case
                }
            }
        };
        made.push(case["id"].as_str().unwrap().to_string());
    }
    // Worked by hand: received or acknowledged, so not the investigated one (index 2).
    let newest_first = [&made[4], &made[3], &made[1], &made[0]];
    let oldest_first = [&made[0], &made[1], &made[3], &made[4]];
    for (sort, expected) in [("received", newest_first), ("oldest", oldest_first)] {
        // A limit of 4 is a first page that just holds every match; 50 one with room to spare.
        for limit in [1, 3, 4, 50] {
            let mut seen = Vec::new();
            let mut cursor = String::new();
            loop {
                let path = format!(
                    "/api/v1/cases?status=received,acknowledged&sort={sort}&limit={limit}{cursor}"
                );
                let page: Value = app.get(&path, &token).await.json().await.unwrap();
                assert_eq!(page["total"], 4, "{path}");
                for item in page["items"].as_array().unwrap() {
                    seen.push(item["id"].as_str().unwrap().to_string());
                }
                match page["next"].as_str() {
                    Some(next) => cursor = format!("&cursor={next}"),
                    None => break,
                }
                assert!(seen.len() <= 4, "paging did not end: {seen:?}");
            }
            let expected: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
            assert_eq!(seen, expected, "sort={sort} limit={limit}");
        }
    }
}

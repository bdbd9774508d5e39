//! Framework self-assessments: the shipped characteristics, recording assessments as history,
//! validation, who may assess, and comparing two assessments.

use std::collections::HashSet;

use candour::domain::role::Role;
use serde_json::{Value, json};

use crate::helpers::{assert_problem, days_from_today, problem_fields, spawn_app};

#[tokio::test]
async fn the_framework_ships_every_characteristic_once() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::Investigator).await;
    let list: Vec<Value> = app
        .get("/api/v1/framework-characteristics", &token)
        .await
        .json()
        .await
        .unwrap();
    let codes: Vec<&str> = list.iter().map(|c| c["code"].as_str().unwrap()).collect();
    for code in [
        "1A", "1C", "10C", "10D", "10E", "11B", "13A", "15A", "15B", "16A", "23A",
    ] {
        assert!(codes.contains(&code), "{code} missing");
    }
    let unique: HashSet<&str> = codes.iter().copied().collect();
    assert_eq!(unique.len(), codes.len(), "duplicate codes");
    assert_eq!(codes.len(), 57);
    assert_eq!(codes.first(), Some(&"1A"));
    assert_eq!(codes.last(), Some(&"23A"));
    let ten_e = list.iter().find(|c| c["code"] == "10E").unwrap();
    assert_eq!(ten_e["number"], 10);
    assert!(
        ten_e["text"]
            .as_str()
            .unwrap()
            .contains("practice has changed following complaints")
    );
    assert_eq!(
        ten_e["section"],
        "Capacity and capability to effectively collect feedback"
    );
    assert!(
        ten_e["heading"]
            .as_str()
            .unwrap()
            .contains("complaints process")
    );
}

fn assessment(on: &str, scores: &[(&str, i64)]) -> Value {
    json!({
        "assessed_on": on,
        "items": scores.iter().map(|(code, score)| json!({
            "code": code,
            "score": score,
            "current_position": "Register kept; few changes verified",
            "planned_action": "Verify each change three months on",
            "good_looks_like": "Every change checked and published"
        })).collect::<Vec<_>>()
    })
}

#[tokio::test]
async fn assessments_are_kept_as_history_newest_first() {
    let app = spawn_app().await;
    let (board_user, board) = app.signed_in(Role::Board).await;
    let res = app
        .post(
            "/api/v1/framework-assessments",
            &board,
            &assessment(&days_from_today(-200), &[("10E", 1), ("10D", 2)]),
        )
        .await;
    assert_eq!(res.status(), 201);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let first: Value = res.json().await.unwrap();
    assert_eq!(
        location,
        format!(
            "/api/v1/framework-assessments/{}",
            first["id"].as_str().unwrap()
        )
    );
    assert_eq!(first["created_by"]["id"], board_user.id.as_str());
    assert_eq!(first["items"][0]["code"], "10D");
    assert_eq!(first["items"][1]["code"], "10E");
    assert_eq!(first["items"][1]["score"], 1);
    assert_eq!(
        first["items"][1]["planned_action"],
        "Verify each change three months on"
    );

    let (_, manager) = app.signed_in(Role::ComplaintsManager).await;
    let second: Value = app
        .post(
            "/api/v1/framework-assessments",
            &manager,
            &assessment(&days_from_today(0), &[("10e", 3), ("11B", 4)]),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(second["items"][0]["code"], "10E");

    let list: Value = app
        .get("/api/v1/framework-assessments", &board)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 2);
    assert_eq!(list["items"][0]["id"], second["id"]);
    assert_eq!(list["items"][1]["id"], first["id"]);
    let one: Value = app.get(&location, &board).await.json().await.unwrap();
    assert_eq!(one["items"].as_array().unwrap().len(), 2);
    assert!(one.get("evidence").is_none());
    assert_problem(
        app.get("/api/v1/framework-assessments/nope", &board).await,
        404,
    )
    .await;

    // Compare defaults to the latest two, older to newer.
    let cmp: Value = app
        .get("/api/v1/framework-assessments/compare", &board)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(cmp["from"]["id"], first["id"]);
    assert_eq!(cmp["to"]["id"], second["id"]);
    let rows = cmp["items"].as_array().unwrap();
    let by_code = |code: &str| rows.iter().find(|r| r["code"] == code).unwrap().clone();
    assert_eq!(by_code("10E")["from_score"], 1);
    assert_eq!(by_code("10E")["to_score"], 3);
    assert_eq!(by_code("10E")["change"], 2);
    assert_eq!(by_code("10D")["to_score"], Value::Null);
    assert_eq!(by_code("10D")["change"], Value::Null);
    assert_eq!(by_code("11B")["from_score"], Value::Null);
    assert_eq!(cmp["improved"], 1);
    assert_eq!(cmp["worsened"], 0);

    // Explicit ids, either way round.
    let path = format!(
        "/api/v1/framework-assessments/compare?from={}&to={}",
        second["id"].as_str().unwrap(),
        first["id"].as_str().unwrap()
    );
    let back: Value = app.get(&path, &manager).await.json().await.unwrap();
    assert_eq!(back["worsened"], 1);
    let res = app
        .get(
            &format!(
                "/api/v1/framework-assessments/compare?from={}",
                first["id"].as_str().unwrap()
            ),
            &board,
        )
        .await;
    assert_eq!(problem_fields(&assert_problem(res, 400).await), ["to"]);
    let res = app
        .get(
            "/api/v1/framework-assessments/compare?from=nope&to=nope",
            &board,
        )
        .await;
    assert_eq!(problem_fields(&assert_problem(res, 400).await), ["from"]);
}

#[tokio::test]
async fn a_comparison_needs_two_assessments() {
    let app = spawn_app().await;
    let (_, admin) = app.signed_in(Role::Admin).await;
    assert_problem(
        app.get("/api/v1/framework-assessments/compare", &admin)
            .await,
        409,
    )
    .await;
    app.post(
        "/api/v1/framework-assessments",
        &admin,
        &assessment(&days_from_today(0), &[("1A", 0)]),
    )
    .await;
    assert_problem(
        app.get("/api/v1/framework-assessments/compare", &admin)
            .await,
        409,
    )
    .await;
}

#[tokio::test]
async fn invalid_assessments_are_refused_naming_each_item() {
    let app = spawn_app().await;
    let (_, board) = app.signed_in(Role::Board).await;
    let res = app
        .post(
            "/api/v1/framework-assessments",
            &board,
            &assessment(
                &days_from_today(1),
                &[("10E", 6), ("99Z", 2), ("10E", 3), ("1A", -1)],
            ),
        )
        .await;
    let body = assert_problem(res, 400).await;
    let mut fields = problem_fields(&body);
    fields.sort();
    assert_eq!(
        fields,
        [
            "assessed_on",
            "items[0].score",
            "items[1].code",
            "items[2].code",
            "items[3].score"
        ]
    );
    let messages = body.to_string();
    assert!(messages.contains("is listed twice"), "{messages}");

    let res = app
        .post(
            "/api/v1/framework-assessments",
            &board,
            &json!({"assessed_on": days_from_today(0), "items": []}),
        )
        .await;
    assert_eq!(problem_fields(&assert_problem(res, 400).await), ["items"]);
    let res = app
        .post(
            "/api/v1/framework-assessments",
            &board,
            &json!({"assessed_on": days_from_today(0), "items": [{"code": "1A"}]}),
        )
        .await;
    assert_eq!(
        problem_fields(&assert_problem(res, 400).await),
        ["items[0].score"]
    );
    let res = app
        .post(
            "/api/v1/framework-assessments",
            &board,
            &json!({"assessed_on": days_from_today(0), "items": [{"code": "1A", "score": 2, "evidence": "x"}]}),
        )
        .await;
    assert_problem(res, 400).await;

    // Nothing was written.
    let list: Value = app
        .get("/api/v1/framework-assessments", &board)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 0);
}

#[tokio::test]
async fn only_the_board_managers_and_admins_assess() {
    let app = spawn_app().await;
    for role in [Role::Investigator, Role::PalsOfficer] {
        let (_, token) = app.signed_in(role).await;
        let res = app
            .post(
                "/api/v1/framework-assessments",
                &token,
                &assessment(&days_from_today(0), &[("10E", 3)]),
            )
            .await;
        assert_problem(res, 403).await;
        assert_problem(app.get("/api/v1/framework-assessments", &token).await, 403).await;
    }
    let res = app
        .client
        .get(app.url("/api/v1/framework-assessments"))
        .send()
        .await
        .unwrap();
    assert_problem(res, 401).await;
}

fn figure(evidence: &Value, label: &str) -> String {
    evidence["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["label"] == label)
        .map(|f| f["value"].as_str().unwrap().to_string())
        .unwrap_or_else(|| panic!("no {label} in {evidence}"))
}

#[tokio::test]
async fn an_assessment_shows_candours_own_evidence_beside_the_scores() {
    let app = crate::helpers::spawn_app().await;
    let s = crate::reports::seed(&app).await;
    let res = app
        .post(
            "/api/v1/framework-assessments",
            &s.manager,
            &serde_json::json!({
                "assessed_on": "2026-03-31",
                "items": [
                    {"code": "10C", "score": 3},
                    {"code": "10E", "score": 2},
                    {"code": "1A", "score": 4}
                ]
            }),
        )
        .await;
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    let id = created["id"].as_str().unwrap();
    let a: Value = app
        .get(&format!("/api/v1/framework-assessments/{id}"), &s.manager)
        .await
        .json()
        .await
        .unwrap();
    let item = |code: &str| {
        a["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["code"] == code)
            .unwrap()
            .clone()
    };
    let c10 = item("10C");
    assert_eq!(c10["score"], 3);
    assert_eq!(
        c10["evidence"]["period"],
        serde_json::json!({"from": "2025-04-01", "to": "2026-03-31"})
    );
    assert_eq!(figure(&c10["evidence"], "Complaints received"), "4");
    assert_eq!(
        figure(&item("10E")["evidence"], "Service changes implemented"),
        "1"
    );
    assert!(item("1A").get("evidence").is_none(), "no evidence for 1A");

    // The same evidence on its own, before scoring; the board sees small counts suppressed.
    let (_, board) = app.signed_in(Role::Board).await;
    let e: Value = app
        .get("/api/v1/framework-evidence?on=2026-03-31", &board)
        .await
        .json()
        .await
        .unwrap();
    let codes: Vec<&String> = e.as_object().unwrap().keys().collect();
    assert_eq!(codes, ["10C", "10D", "10E", "11B", "13A", "15A", "16A"]);
    assert_eq!(figure(&e["10C"], "Complaints received"), "–");
    let res = app
        .get(
            &format!(
                "/api/v1/framework-evidence?on={}",
                crate::helpers::days_from_today(5)
            ),
            &board,
        )
        .await;
    crate::helpers::assert_problem(res, 400).await;
}

//! The case access log: every read of a case, and every case list it appears on, is recorded;
//! the writer batches them (at most `access_log.flush_ms` late, or `batch` at a time), and a
//! flush — before the log is read, and when the server stops — writes whatever waits.

use std::time::Duration;

use candour::db::access_log::{AccessLog, Read, Window};
use candour::domain::role::Role;
use serde_json::Value;

use crate::helpers::{TestApp, complaint, insert_service, spawn_app};

async fn stored(app: &TestApp, case_id: &str) -> Vec<String> {
    let id = case_id.to_string();
    app.state
        .db
        .read(move |c| -> Result<Vec<String>, candour::error::AppError> {
            Ok(candour::db::timeline::access_log(c, &id, 1000)?
                .into_iter()
                .map(|e| e.route)
                .collect())
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn a_case_list_records_each_case_on_the_page_as_read() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "LOG", None).await;
    let a = app
        .create_case(&token, &complaint(&service, "2026-11-02"))
        .await;
    let b = app
        .create_case(&token, &complaint(&service, "2026-11-03"))
        .await;
    let (_, pals) = app.signed_in(Role::PalsOfficer).await;
    let res = app.get("/api/v1/cases?limit=1&sort=oldest", &pals).await;
    assert_eq!(res.status(), 200);
    let page: Value = res.json().await.unwrap();
    assert_eq!(page["items"][0]["id"], a["id"]);
    for (case, listed) in [(&a, true), (&b, false)] {
        let id = case["id"].as_str().unwrap();
        let log: Value = app
            .get(&format!("/api/v1/cases/{id}/access-log"), &token)
            .await
            .json()
            .await
            .unwrap();
        let lists = log
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["route"] == "GET /api/v1/cases")
            .count();
        assert_eq!(lists, usize::from(listed), "{id}: {log}");
    }
}

#[tokio::test]
async fn reads_wait_at_most_the_window_and_a_flush_writes_them_all() {
    let app = spawn_app().await;
    let (user, token) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "WIN", None).await;
    let case = app
        .create_case(&token, &complaint(&service, "2026-11-02"))
        .await;
    let id = case["id"].as_str().unwrap().to_string();
    let read = |route: &str| Read {
        case_id: id.clone(),
        user_id: user.id.clone(),
        route: route.to_string(),
        at: app.clock.now(),
    };
    // A long window and a batch of three: two reads wait…
    let log = AccessLog::start(
        app.state.db.clone(),
        Window {
            flush: Duration::from_secs(30),
            batch: 3,
        },
    );
    log.record(read("one")).await;
    log.record(read("two")).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!stored(&app, &id).await.contains(&"one".to_string()));
    // …the third fills the batch, and all three are written.
    log.record(read("three")).await;
    let mut routes = Vec::new();
    for _ in 0..100 {
        routes = stored(&app, &id).await;
        if routes.contains(&"three".to_string()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for r in ["one", "two", "three"] {
        assert!(routes.contains(&r.to_string()), "{r} in {routes:?}");
    }
    // A flush writes what waits at once.
    log.record(read("four")).await;
    log.flush().await;
    assert!(stored(&app, &id).await.contains(&"four".to_string()));

    // A short window writes without a flush.
    let quick = AccessLog::start(
        app.state.db.clone(),
        Window {
            flush: Duration::from_millis(20),
            batch: 500,
        },
    );
    quick.record(read("five")).await;
    let mut found = false;
    for _ in 0..100 {
        if stored(&app, &id).await.contains(&"five".to_string()) {
            found = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(found, "written within the window");
}

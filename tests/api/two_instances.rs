//! Two Candour instances on one database (as behind a load balancer): complaint references
//! stay unique and gap-free when both create at once, and a background job that both run at
//! the same moment alerts each due case once.

use candour::config::Environment;
use candour::domain::role::Role;
use candour::services::alerts;
use candour::startup::Application;
use candour::state::AppState;
use serde_json::{Value, json};

use crate::helpers::{TestApp, complaint, insert_service, spawn_app};

/// A second instance on `first`'s database: its own port, workers and jobs.
async fn second_instance(first: &TestApp) -> (String, AppState) {
    let mut settings = first.settings.clone();
    settings.data.dir = first.db.dir.path().join("second");
    let app = Application::build_with_clock(settings, Environment::Test, first.clock.clone())
        .await
        .unwrap();
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state().clone();
    tokio::spawn(app.run_until_stopped());
    (address, state)
}

async fn sign_in(client: &reqwest::Client, address: &str, email: &str, password: &str) -> String {
    let res: Value = client
        .post(format!("{address}/api/v1/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    res["access_token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn references_stay_unique_and_gap_free_across_instances() {
    let first = spawn_app().await;
    let (second, _) = second_instance(&first).await;
    let manager = first.create_user(Role::ComplaintsManager).await;
    let service = insert_service(&first, "TWO", None).await;
    let client = first.client.clone();
    let mut tasks = Vec::new();
    for address in [first.address.clone(), second.clone()] {
        let token = sign_in(&client, &address, &manager.email, &manager.password).await;
        for _ in 0..10 {
            let (client, address, token, service) = (
                client.clone(),
                address.clone(),
                token.clone(),
                service.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let res = client
                    .post(format!("{address}/api/v1/cases"))
                    .bearer_auth(&token)
                    .json(&complaint(&service, "2026-11-02"))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 201);
                let case: Value = res.json().await.unwrap();
                case["reference"].as_str().unwrap().to_string()
            }));
        }
    }
    let mut numbers = Vec::new();
    for t in tasks {
        let reference = t.await.unwrap();
        // C-2026-00007 → 7
        numbers.push(
            reference
                .rsplit('-')
                .next()
                .unwrap()
                .parse::<u32>()
                .unwrap(),
        );
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=20).collect::<Vec<_>>(), "unique and gap-free");
}

#[tokio::test]
async fn a_due_soon_alert_goes_once_when_both_instances_run_the_job() {
    let first = spawn_app().await;
    let (_, second) = second_instance(&first).await;
    let (_, token) = first.signed_in(Role::ComplaintsManager).await;
    let handler = first.create_user(Role::ComplaintsManager).await;
    let service = insert_service(&first, "JOB", None).await;
    // Received today: the acknowledgement is due within the due-soon window.
    let case = first
        .create_case(&token, &complaint(&service, &first.today().to_string()))
        .await;
    first
        .act_ok(&token, &case, "assign", json!({"handler_id": handler.id}))
        .await;
    let (a, b) = tokio::join!(alerts::run_once(&first.state), alerts::run_once(&second));
    let sent = a.unwrap().due_soon + b.unwrap().due_soon;
    assert_eq!(sent, 1, "one due-soon alert between the two instances");
    let id = case["id"].as_str().unwrap().to_string();
    let alerts_for_case = first
        .state
        .db
        .read(move |c| -> Result<i64, candour::error::AppError> {
            use candour::db::schema::staff_alerts as s;
            use diesel::prelude::*;
            Ok(s::table
                .filter(s::case_id.eq(id))
                .filter(s::kind.eq("due_soon"))
                .count()
                .get_result(c)?)
        })
        .await
        .unwrap();
    assert_eq!(alerts_for_case, 1);
}

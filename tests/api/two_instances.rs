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

#[tokio::test]
async fn a_calendar_published_on_one_instance_is_used_by_the_other_at_once() {
    let first = spawn_app().await;
    let (second, _) = second_instance(&first).await;
    first.set_today("2031-06-12".parse().unwrap());
    let manager = first.create_user(Role::ComplaintsManager).await;
    let admin = first.create_user(Role::Admin).await;
    let service = insert_service(&first, "CAL", None).await;
    let client = first.client.clone();
    let token = sign_in(&client, &second, &manager.email, &manager.password).await;
    let create = |received: &str| {
        client
            .post(format!("{second}/api/v1/cases"))
            .bearer_auth(&token)
            .json(&complaint(&service, received))
            .send()
    };
    let read = |id: String| {
        client
            .get(format!("{second}/api/v1/cases/{id}"))
            .bearer_auth(&token)
            .send()
    };
    // Received Friday 6 June 2031; today is Thursday 12 June. The second instance reads the
    // case (and builds the shipped calendar, projected for 2031) before anything is published.
    let case: Value = create("2031-06-06").await.unwrap().json().await.unwrap();
    assert_eq!(case["acknowledgement_due_on"], "2031-06-11", "{case}");
    let id = case["id"].as_str().unwrap().to_string();
    let before: Value = read(id.clone()).await.unwrap().json().await.unwrap();

    // The first instance publishes 2031 with a one-off bank holiday on Monday 9 June.
    let days: Vec<Value> = [
        "2031-01-01",
        "2031-04-11",
        "2031-04-14",
        "2031-05-05",
        "2031-05-26",
        "2031-06-09",
        "2031-08-25",
        "2031-12-25",
        "2031-12-26",
    ]
    .iter()
    .map(|d| json!({"date": d, "name": "Bank holiday"}))
    .collect();
    let admin_token = sign_in(&client, &first.address, &admin.email, &admin.password).await;
    let res = client
        .put(format!("{}/api/v1/calendar/bank-holidays", first.address))
        .bearer_auth(&admin_token)
        .json(&json!({"note": "2031 published", "holidays": days}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    // The second instance counts the new holiday at once: one working day fewer open, and a
    // case received the same Friday is due Thursday 12 June (10, 11 and 12 June).
    let after: Value = read(id).await.unwrap().json().await.unwrap();
    assert_eq!(
        after["working_days_open"].as_i64().unwrap(),
        before["working_days_open"].as_i64().unwrap() - 1,
        "before {before}, after {after}"
    );
    let case: Value = create("2031-06-06").await.unwrap().json().await.unwrap();
    assert_eq!(case["acknowledgement_due_on"], "2031-06-12", "{case}");
}

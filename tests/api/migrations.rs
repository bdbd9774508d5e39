//! Migrations are idempotent: a second run, and a second start on the same database, are harmless.

use candour::config::Environment;
use candour::db::migrations;
use candour::domain::role::Role;
use candour::startup::Application;

use crate::helpers::{PASSWORD, spawn_app};

#[tokio::test]
async fn running_migrations_again_changes_nothing() {
    let app = spawn_app().await;
    let user = app.create_user(Role::Board).await;
    let db = app.state.db.clone();
    let applied = tokio::task::spawn_blocking(move || migrations::run_pending(&db))
        .await
        .unwrap()
        .unwrap();
    assert!(applied.is_empty(), "{applied:?}");

    // A second server on the same database starts, migrates nothing and sees the data.
    let second = Application::build(app.settings.clone(), Environment::Test)
        .await
        .unwrap();
    let address = format!("http://127.0.0.1:{}", second.port());
    tokio::spawn(second.run_until_stopped());
    let res = app
        .client
        .post(format!("{address}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": user.email, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

//! `candour audit verify` finds an edited timeline row.

use std::process::Command;

use candour::domain::role::Role;
use serde_json::json;

use crate::helpers::{complaint, insert_service, spawn_app};

fn verify(url: &str, dir: &std::path::Path) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_candour"));
    for (key, _) in std::env::vars() {
        if key.starts_with("CANDOUR") {
            cmd.env_remove(key);
        }
    }
    cmd.env("CANDOUR_CONFIG_DIR", dir.join("no-config"))
        .env("CANDOUR__DATABASE__URL", url)
        .env("RUST_LOG", "warn")
        .args(["audit", "verify"])
        .output()
        .unwrap()
}

#[tokio::test]
async fn an_edited_timeline_row_is_caught() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "A", None).await;
    let case = app
        .create_case(&token, &complaint(&service, "2026-11-02"))
        .await;
    let case = app
        .act_ok(
            &token,
            &case,
            "acknowledge",
            json!({
                "method": "email", "handling_discussion_offered": true, "meeting_offered": false
            }),
        )
        .await;
    app.act_ok(&token, &case, "start-investigation", json!({}))
        .await;
    let url = app.settings.database.url.expose().to_string();

    let out = verify(&url, app.db.dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("intact"));

    // Someone rewrites history directly in the database.
    let id = case["id"].as_str().unwrap().to_string();
    app.state
        .db
        .write(move |c| -> Result<(), candour::error::AppError> {
            use candour::db::schema::timeline_events as t;
            use diesel::prelude::*;
            diesel::update(t::table.filter(t::case_id.eq(&id)).filter(t::seq.eq(2)))
                .set(t::summary.eq("Acknowledged on time"))
                .execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
    let out = verify(&url, app.db.dir.path());
    assert!(!out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(case["reference"].as_str().unwrap()),
        "{stdout}"
    );
    assert!(stdout.contains("event 2"), "{stdout}");
}

//! The timeline is append-only (triggers on both engines refuse an UPDATE, DELETE or, on
//! PostgreSQL, TRUNCATE), and `candour audit verify` finds a row edited by someone who lifted
//! them.

use candour::domain::role::Role;
use serde_json::json;

use crate::helpers::{complaint, insert_service, spawn_app};

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

    let out = app.cli(&["audit", "verify"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("intact"));

    // Someone with the database owner's rights lifts the append-only triggers and rewrites
    // history directly.
    let id = case["id"].as_str().unwrap().to_string();
    let postgres = url.starts_with("postgres");
    app.state
        .db
        .write(move |c| -> Result<(), candour::error::AppError> {
            use candour::db::schema::timeline_events as t;
            use diesel::prelude::*;
            let lift = if postgres {
                "ALTER TABLE timeline_events DISABLE TRIGGER timeline_events_no_change"
            } else {
                "DROP TRIGGER timeline_events_no_update"
            };
            diesel::sql_query(lift).execute(c)?;
            diesel::update(t::table.filter(t::case_id.eq(&id)).filter(t::seq.eq(2)))
                .set(t::summary.eq("Acknowledged on time"))
                .execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
    let out = app.cli(&["audit", "verify"]);
    assert!(!out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(case["reference"].as_str().unwrap()),
        "{stdout}"
    );
    assert!(stdout.contains("event 2"), "{stdout}");
}

#[tokio::test]
async fn the_database_refuses_to_change_or_remove_a_timeline_event() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "A", None).await;
    let case = app
        .create_case(&token, &complaint(&service, "2026-11-02"))
        .await;
    let id = case["id"].as_str().unwrap().to_string();
    let postgres = app.settings.database.url.expose().starts_with("postgres");
    // The sign-in above put an event on the system audit log too.
    let attempts: Vec<(&str, String)> = vec![
        (
            "update",
            format!("UPDATE timeline_events SET summary = 'rewritten' WHERE case_id = '{id}'"),
        ),
        (
            "reseal",
            format!("UPDATE timeline_events SET hash = 'forged' WHERE case_id = '{id}'"),
        ),
        (
            "delete",
            format!("DELETE FROM timeline_events WHERE case_id = '{id}'"),
        ),
        (
            "update the audit log",
            "UPDATE audit_log SET summary = 'rewritten'".to_string(),
        ),
        (
            "delete from the audit log",
            "DELETE FROM audit_log".to_string(),
        ),
        (
            "delete a chain head",
            format!("DELETE FROM audit_heads WHERE chain = '{id}'"),
        ),
    ]
    .into_iter()
    .chain(postgres.then(|| ("truncate", "TRUNCATE timeline_events CASCADE".to_string())))
    .chain(postgres.then(|| ("truncate the log", "TRUNCATE audit_log".to_string())))
    .chain(postgres.then(|| ("truncate heads", "TRUNCATE audit_heads".to_string())))
    .collect();
    for (what, sql) in attempts {
        let refused = app
            .state
            .db
            .write(move |c| -> Result<usize, candour::error::AppError> {
                use diesel::prelude::*;
                Ok(diesel::sql_query(sql).execute(c)?)
            })
            .await;
        let e = refused.expect_err(what).to_string();
        assert!(
            e.contains("append-only") || e.contains("chain heads cannot be deleted"),
            "{what}: {e}"
        );
    }
    // The events are all still there, unchanged.
    let kinds = app.timeline_kinds(&token, &id).await;
    assert_eq!(
        kinds.first().map(String::as_str),
        Some("case_created"),
        "{kinds:?}"
    );
    let out = app.cli(&["audit", "verify"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

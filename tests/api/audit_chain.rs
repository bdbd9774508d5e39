//! The keyed audit chain, tried as someone with the database owner's rights would: they lift
//! the append-only triggers and edit, delete, reorder or cut short events (recomputing
//! digests and unkeyed hashes where that would help), yet `candour audit verify` finds each
//! change, and an anchor kept outside the database finds a chain rolled back to an older head.

use std::path::Path;
use std::process::Output;

use candour::domain::role::Role;
use candour::domain::seal;
use serde_json::{Value, json};

use crate::helpers::{TestApp, candour_command, complaint, insert_service, spawn_app};

/// Run `candour audit …` against the test database, with the same (development) key.
fn audit(app: &TestApp, args: &[&str]) -> Output {
    let mut all = vec!["audit"];
    all.extend_from_slice(args);
    app.cli(&all)
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn assert_intact(app: &TestApp) {
    let out = audit(app, &["verify"]);
    assert!(out.status.success(), "{}", stdout(&out));
    assert!(stdout(&out).contains("every chain is intact"));
}

/// Refused, naming `reference` (or the chain), the event and the reason.
fn assert_broken(app: &TestApp, args: &[&str], names: &str, event: i32, reason: &str) {
    let out = audit(app, args);
    let text = stdout(&out);
    assert!(!out.status.success(), "passed after tampering: {text}");
    assert!(text.contains(names), "{text}");
    assert!(text.contains(&format!("event {event}: {reason}")), "{text}");
}

/// A complaint logged, acknowledged (with its letter) and under investigation.
async fn case_with_events(app: &TestApp) -> Value {
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let code = format!("S{}", uuid::Uuid::new_v4().simple());
    let service = insert_service(app, &code[..8], None).await;
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
        .await
}

/// Run `sql` with the append-only triggers lifted, as the database owner could.
async fn tamper(app: &TestApp, sql: Vec<String>) {
    let postgres = app.settings.database.url.expose().starts_with("postgres");
    app.state
        .db
        .write(move |c| -> Result<(), candour::error::AppError> {
            use diesel::prelude::*;
            let lift: &[&str] = if postgres {
                &[
                    "ALTER TABLE timeline_events DISABLE TRIGGER USER",
                    "ALTER TABLE audit_log DISABLE TRIGGER USER",
                    "ALTER TABLE audit_heads DISABLE TRIGGER USER",
                ]
            } else {
                &[
                    "DROP TRIGGER IF EXISTS timeline_events_no_update",
                    "DROP TRIGGER IF EXISTS timeline_events_no_delete",
                    "DROP TRIGGER IF EXISTS audit_log_no_update",
                    "DROP TRIGGER IF EXISTS audit_log_no_delete",
                    "DROP TRIGGER IF EXISTS audit_heads_no_delete",
                ]
            };
            for s in lift.iter().map(|s| s.to_string()).chain(sql) {
                diesel::sql_query(s).execute(c)?;
            }
            Ok(())
        })
        .await
        .unwrap();
}

/// One value from the database.
async fn text(app: &TestApp, sql: String) -> String {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        v: String,
    }
    app.state
        .db
        .read(move |c| -> Result<String, candour::error::AppError> {
            use diesel::prelude::*;
            let row: Row = diesel::sql_query(sql).get_result(c)?;
            Ok(row.v)
        })
        .await
        .unwrap()
}

/// The number of a case's last event.
async fn last_seq(app: &TestApp, case_id: &str) -> i32 {
    text(
        app,
        format!(
            "SELECT CAST(MAX(seq) AS TEXT) AS v FROM timeline_events WHERE case_id = '{case_id}'"
        ),
    )
    .await
    .parse()
    .unwrap()
}

fn id_and_reference(case: &Value) -> (String, String) {
    (
        case["id"].as_str().unwrap().to_string(),
        case["reference"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn an_edit_with_its_digest_recomputed_is_still_found() {
    let app = spawn_app().await;
    let (id, reference) = id_and_reference(&case_with_events(&app).await);
    assert_intact(&app);
    let words = "Acknowledged on time";
    tamper(
        &app,
        vec![format!(
            "UPDATE timeline_events SET summary = '{words}', summary_digest = '{}' \
             WHERE case_id = '{id}' AND seq = 2",
            seal::digest(words)
        )],
    )
    .await;
    assert_broken(
        &app,
        &["verify"],
        &reference,
        2,
        "facts do not match the event's seal",
    );
}

#[tokio::test]
async fn events_deleted_from_the_end_or_a_whole_timeline_are_found() {
    let app = spawn_app().await;
    let (id, reference) = id_and_reference(&case_with_events(&app).await);
    let (other, other_ref) = id_and_reference(&case_with_events(&app).await);
    let (last, other_last) = (last_seq(&app, &id).await, last_seq(&app, &other).await);
    assert!(last >= 3);
    tamper(
        &app,
        vec![
            format!(
                "DELETE FROM timeline_events WHERE case_id = '{id}' AND seq >= {}",
                last - 1
            ),
            format!("DELETE FROM timeline_events WHERE case_id = '{other}'"),
        ],
    )
    .await;
    let out = audit(&app, &["verify"]);
    let text = stdout(&out);
    assert!(!out.status.success());
    assert!(
        text.contains(&format!(
            "{reference} (case {id}): event {}: events at the end of the chain are missing",
            last - 1
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "{other_ref} (case {other}): event {other_last}: every event of the chain is missing"
        )),
        "{text}"
    );
}

#[tokio::test]
async fn reordered_events_are_found() {
    let app = spawn_app().await;
    let (id, reference) = id_and_reference(&case_with_events(&app).await);
    // Swap the numbers of events 2 and 3 (through a free number, for the unique index).
    assert!(last_seq(&app, &id).await >= 3);
    tamper(
        &app,
        vec![
            format!("UPDATE timeline_events SET seq = 99 WHERE case_id = '{id}' AND seq = 2"),
            format!("UPDATE timeline_events SET seq = 2 WHERE case_id = '{id}' AND seq = 3"),
            format!("UPDATE timeline_events SET seq = 3 WHERE case_id = '{id}' AND seq = 99"),
        ],
    )
    .await;
    assert_broken(
        &app,
        &["verify"],
        &reference,
        2,
        "previous seal does not match the event before",
    );
}

#[tokio::test]
async fn a_deleted_system_audit_event_is_found() {
    let app = spawn_app().await;
    // Each sign-in is on the system audit log.
    app.signed_in(Role::ComplaintsManager).await;
    app.signed_in(Role::Admin).await;
    assert_intact(&app);
    tamper(&app, vec!["DELETE FROM audit_log WHERE seq = 1".into()]).await;
    assert_broken(
        &app,
        &["verify"],
        "the system audit log",
        2,
        "sequence number out of order or missing",
    );
}

#[tokio::test]
async fn an_anchor_finds_a_timeline_rolled_back_to_an_earlier_head() {
    let app = spawn_app().await;
    let case = case_with_events(&app).await;
    let (id, _) = id_and_reference(&case);
    let before = last_seq(&app, &id).await;
    // Someone keeps a copy of the head as it is…
    let head = text(
        &app,
        format!(
            "SELECT seq || '|' || hash || '|' || seal AS v FROM audit_heads WHERE chain = '{id}'"
        ),
    )
    .await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let res = app
        .post(
            &format!("/api/v1/cases/{id}/notes"),
            &token,
            &json!({"text": "Spoke to the ward manager"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let noted = before + 1;
    assert_eq!(last_seq(&app, &id).await, noted);
    // …the trust anchors every chain after the note…
    let dir = tempfile::tempdir().unwrap();
    let anchor = dir.path().join("anchor.json");
    let out = audit(&app, &["anchor", anchor.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_intact(&app);
    assert!(
        audit(&app, &["verify", "--anchor", anchor.to_str().unwrap()])
            .status
            .success()
    );
    // …and the note is removed with the old head put back: the chain holds by itself.
    let parts: Vec<&str> = head.split('|').collect();
    tamper(
        &app,
        vec![
            format!("DELETE FROM timeline_events WHERE case_id = '{id}' AND seq = {noted}"),
            format!(
                "UPDATE audit_heads SET seq = {}, hash = '{}', seal = '{}' WHERE chain = '{id}'",
                parts[0], parts[1], parts[2]
            ),
        ],
    )
    .await;
    assert_intact(&app);
    assert_broken(
        &app,
        &["verify", "--anchor", anchor.to_str().unwrap()],
        &format!("chain {id}"),
        noted,
        "the event the anchor names is gone",
    );
    // An anchor edited to hide the change no longer holds its signature.
    let mut edited: Value =
        serde_json::from_str(&std::fs::read_to_string(&anchor).unwrap()).unwrap();
    edited["heads"][&id] = json!([before, parts[1]]);
    let forged = dir.path().join("forged.json");
    std::fs::write(&forged, edited.to_string()).unwrap();
    assert_broken(
        &app,
        &["verify", "--anchor", forged.to_str().unwrap()],
        "chain anchor",
        0,
        "the anchor's signature does not hold",
    );
}

#[tokio::test]
async fn timelines_from_before_the_keyed_chain_are_sealed_anew_once_their_old_hashes_hold() {
    let app = spawn_app().await;
    let (good, _) = id_and_reference(&case_with_events(&app).await);
    let (bad, bad_ref) = id_and_reference(&case_with_events(&app).await);
    // Turn both timelines back into the unkeyed chain of the earlier version; then edit one.
    let mut sql = Vec::new();
    for id in [&good, &bad] {
        sql.extend(legacy_rows(&app, id).await);
    }
    sql.push(format!(
        "UPDATE timeline_events SET summary = 'Acknowledged on time' WHERE case_id = '{bad}' AND seq = 2"
    ));
    tamper(&app, sql).await;
    // Opening the database (any command does) seals the good one; the other is named.
    assert_broken(
        &app,
        &["verify"],
        &bad_ref,
        1,
        "never sealed with the audit key: its old hash chain did not hold",
    );
    let digests = text(
        &app,
        format!(
            "SELECT CAST(COUNT(*) AS TEXT) AS v FROM timeline_events \
             WHERE case_id = '{good}' AND summary_digest IS NOT NULL"
        ),
    )
    .await;
    assert_eq!(digests, last_seq(&app, &good).await.to_string());
}

/// Statements that turn a case's timeline into the earlier, unkeyed form.
async fn legacy_rows(app: &TestApp, case_id: &str) -> Vec<String> {
    let events = app
        .state
        .db
        .read({
            let id = case_id.to_string();
            move |c| candour::db::timeline::for_case(c, &id)
        })
        .await
        .unwrap();
    let mut prev = seal::GENESIS.to_string();
    let mut out = Vec::new();
    for e in &events {
        let at = e
            .occurred_at
            .and_utc()
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let hash =
            candour::domain::timeline::legacy_hash(&candour::domain::timeline::LegacyEvent {
                case_id,
                seq: e.seq,
                occurred_at: &at,
                actor_id: e.actor_id.as_deref(),
                kind: &e.kind,
                summary: &e.summary,
                details: &e.details,
                prev_hash: &prev,
            });
        out.push(format!(
            "UPDATE timeline_events SET prev_hash = '{prev}', hash = '{hash}', \
             summary_digest = NULL, details_digest = NULL WHERE id = '{}'",
            e.id
        ));
        prev = hash;
    }
    out.push(format!("DELETE FROM audit_heads WHERE chain = '{case_id}'"));
    out
}

#[tokio::test]
async fn a_key_other_than_the_one_that_sealed_the_chains_finds_every_chain_broken() {
    let app = spawn_app().await;
    let (_, reference) = id_and_reference(&case_with_events(&app).await);
    let out = candour_command(
        app.settings.database.url.expose(),
        Path::new("/nonexistent"),
    )
    .env("CANDOUR__AUDIT__KEY", "a different key than the one in use")
    .args(["audit", "verify"])
    .output()
    .unwrap();
    let text = stdout(&out);
    assert!(!out.status.success());
    assert!(
        text.contains(reference.as_str()) && text.contains("facts do not match"),
        "{text}"
    );
}

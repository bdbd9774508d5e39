//! Documents erased on purpose: a redaction replaces a document with a redacted version and
//! erases the earlier ones; retention erases an old case's documents. The rows, sizes and
//! digests stay (so the record verifies); the content leaves the store unless another document
//! still needs it. Subject access lists a person's documents.

use candour::domain::role::Role;
use candour::services::documents as documents_service;
use candour::services::retention;
use chrono::NaiveDate;
use serde_json::{Value, json};

use crate::documents::{
    PDF, PDF_SHA256, add_document, documents, field, file, json_of, new_case, send, stored_files,
    upload,
};
use crate::helpers::{TestApp, assert_problem, insert_service, spawn_app};

const STATEMENT: &[u8] = b"Statement by Alex Example about the night of 3 January";

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn verify_passes(app: &TestApp) {
    let out = app.cli(&["audit", "verify"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[tokio::test]
async fn a_redacted_version_erases_the_earlier_ones_and_the_record_still_verifies() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let case = new_case(&app, &token, "RDX").await;
    let id = case["id"].as_str().unwrap();
    let v1 = add_document(&app, &token, id, "statement.txt", STATEMENT, "statement").await;
    let v1_id = v1["id"].as_str().unwrap();
    let redactions = format!("/api/v1/documents/{v1_id}/redactions");

    // Investigators may add documents but not redact them; a reason is required.
    let (investigator, inv_token) = app.signed_in(Role::Investigator).await;
    app.act_ok(
        &token,
        &case,
        "assign",
        json!({"investigator_id": investigator.id}),
    )
    .await;
    let redacted = b"Statement by [name] about the night of 3 January";
    assert_problem(
        send(
            &app,
            &inv_token,
            &redactions,
            &[file("statement.txt", redacted), field("reason", "x")],
        )
        .await,
        403,
    )
    .await;
    let p = assert_problem(
        send(
            &app,
            &token,
            &redactions,
            &[file("statement.txt", redacted)],
        )
        .await,
        400,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "reason");

    let v2 = json_of(
        send(
            &app,
            &token,
            &redactions,
            &[
                file("statement (redacted).txt", redacted),
                field("reason", "Names a member of the public who did not consent"),
            ],
        )
        .await,
        201,
    )
    .await;
    assert_eq!(v2["version"], 2);
    assert_eq!(v2["erased"], Value::Null);
    let earlier = &v2["earlier_versions"][0];
    assert_eq!(earlier["id"], v1_id);
    assert_eq!(earlier["erased"], "redaction");
    assert_eq!(earlier["file_name"], "[redacted]");
    assert_eq!(earlier["sha256"], v1["sha256"], "the digest stays");
    assert_eq!(earlier["size_bytes"], STATEMENT.len());

    let gone = assert_problem(
        app.get(&format!("/api/v1/documents/{v1_id}/content"), &token)
            .await,
        410,
    )
    .await;
    assert!(
        gone["detail"]
            .as_str()
            .unwrap()
            .contains("erased (redaction)"),
        "{gone}"
    );
    let now = app
        .get(
            &format!("/api/v1/documents/{}/content", v2["id"].as_str().unwrap()),
            &token,
        )
        .await;
    assert_eq!(now.bytes().await.unwrap().as_ref(), redacted);
    // Only the redacted content is left in the store.
    assert_eq!(
        stored_files(&app),
        vec![v2["sha256"].as_str().unwrap().to_string()]
    );
    // An erased version can no longer be replaced.
    assert_problem(
        send(
            &app,
            &token,
            &format!("/api/v1/documents/{v1_id}/versions"),
            &[file("s.txt", b"again")],
        )
        .await,
        410,
    )
    .await;

    let kinds = app.timeline_kinds(&token, id).await;
    assert!(
        kinds.contains(&"document_redacted".to_string()),
        "{kinds:?}"
    );
    verify_passes(&app);
}

/// A complaint received on `received`, answered, and closed on `closed`, with `docs` added
/// while it was open.
async fn closed_with(
    app: &TestApp,
    token: &str,
    service: &str,
    (received, closed): (&str, &str),
    docs: &[(&str, &[u8])],
) -> Value {
    app.set_today(day(received));
    let case = app.responded_complaint(token, service, received).await;
    let id = case["id"].as_str().unwrap().to_string();
    for (name, bytes) in docs {
        json_of(
            upload(
                app,
                token,
                &id,
                &[file(name, bytes), field("kind", "evidence")],
            )
            .await,
            201,
        )
        .await;
    }
    app.set_today(day(closed));
    let case: Value = app
        .get(&format!("/api/v1/cases/{id}"), token)
        .await
        .json()
        .await
        .unwrap();
    app.act_ok(token, &case, "close", json!({})).await
}

#[tokio::test]
async fn retention_erases_an_old_cases_documents_but_keeps_content_another_case_needs() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "RTD", None).await;
    let old = closed_with(
        &app,
        &token,
        &service,
        ("2016-01-11", "2016-02-15"),
        &[("letter.pdf", PDF), ("statement.txt", STATEMENT)],
    )
    .await;
    // A recent case holds the same PDF: its content must stay.
    let recent = closed_with(
        &app,
        &token,
        &service,
        ("2024-06-03", "2024-08-01"),
        &[("copy.pdf", PDF)],
    )
    .await;
    let (old_id, recent_id) = (old["id"].as_str().unwrap(), recent["id"].as_str().unwrap());
    assert_eq!(stored_files(&app).len(), 2);

    // Ten whole years after 15 February 2016 is 15 February 2026: due on 5 December 2026.
    app.set_today(day("2026-12-05"));
    let dry = retention::run(
        &app.state.db,
        app.state.files.as_ref(),
        &app.clock,
        10,
        true,
        |_, _| {},
    )
    .await
    .unwrap();
    assert_eq!(dry.documents, 2);
    assert_eq!(stored_files(&app).len(), 2, "a dry run removes nothing");

    let report = retention::run(
        &app.state.db,
        app.state.files.as_ref(),
        &app.clock,
        10,
        false,
        |_, _| {},
    )
    .await
    .unwrap();
    assert_eq!(
        report.cases,
        vec![old["reference"].as_str().unwrap().to_string()]
    );
    assert_eq!(report.documents, 2);

    let old_docs = documents(&app, &token, old_id).await;
    assert_eq!(old_docs.len(), 2);
    for d in &old_docs {
        assert_eq!(d["erased"], "retention");
        assert_eq!(d["file_name"], "[removed under the retention schedule]");
        assert_problem(
            app.get(
                &format!("/api/v1/documents/{}/content", d["id"].as_str().unwrap()),
                &token,
            )
            .await,
            410,
        )
        .await;
    }
    assert_eq!(old_docs[0]["sha256"], PDF_SHA256, "the digest stays");
    // The statement's content is gone; the PDF stays for the recent case.
    assert_eq!(stored_files(&app), vec![PDF_SHA256.to_string()]);
    let recent_docs = documents(&app, &token, recent_id).await;
    assert_eq!(recent_docs[0]["erased"], Value::Null);
    let res = app
        .get(
            &format!(
                "/api/v1/documents/{}/content",
                recent_docs[0]["id"].as_str().unwrap()
            ),
            &token,
        )
        .await;
    assert_eq!(res.bytes().await.unwrap().as_ref(), PDF);

    // A second run finds nothing more to do.
    let again = retention::run(
        &app.state.db,
        app.state.files.as_ref(),
        &app.clock,
        10,
        false,
        |_, _| {},
    )
    .await
    .unwrap();
    assert_eq!(again.documents, 0);
    verify_passes(&app);
}

#[tokio::test]
async fn a_subject_access_export_lists_the_persons_documents() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let case = new_case(&app, &token, "SAD").await;
    let id = case["id"].as_str().unwrap();
    let doc = add_document(&app, &token, id, "letter.pdf", PDF, "complainant_letter").await;
    let person = case["complainant"]["id"].as_str().unwrap();
    let export: Value = app
        .get(&format!("/api/v1/persons/{person}/export"), &token)
        .await
        .json()
        .await
        .unwrap();
    let listed = &export["cases"][0]["documents"];
    assert_eq!(listed.as_array().unwrap().len(), 1, "{export}");
    assert_eq!(listed[0]["id"], doc["id"]);
    assert_eq!(listed[0]["sha256"], PDF_SHA256);
}

#[tokio::test]
async fn a_sweep_removes_only_old_files_no_document_names() {
    use sha2::Digest;
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let case = new_case(&app, &token, "SWP").await;
    let id = case["id"].as_str().unwrap();
    add_document(&app, &token, id, "letter.pdf", PDF, "evidence").await;
    // A file stored by an upload whose transaction never committed (a crash in between).
    let orphan = b"stored, never recorded".as_slice();
    let digest: String = sha2::Sha256::digest(orphan)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    app.state
        .files
        .put(&digest, orphan.to_vec().into())
        .await
        .unwrap();
    assert_eq!(stored_files(&app).len(), 2);

    let store = app.state.files.as_ref();
    let grace = chrono::Duration::hours(24);
    // Within the grace period it may still be an upload on its way: left alone.
    let now = chrono::Utc::now();
    let swept = documents_service::sweep(&app.state.db, store, now, grace, false)
        .await
        .unwrap();
    assert_eq!(
        (swept.kept, swept.recent, swept.unreferenced.len()),
        (1, 1, 0)
    );
    // A day and more later: a dry run names it, a run removes it.
    let later = now + chrono::Duration::hours(25);
    // And a temporary file a crash left mid-write.
    let tmp = app.settings.data.dir.join("files").join("tmp");
    std::fs::write(tmp.join("cut-short.part"), b"half a fi").unwrap();
    let dry = documents_service::sweep(&app.state.db, store, later, grace, true)
        .await
        .unwrap();
    assert_eq!(dry.unreferenced, vec![digest.clone()]);
    assert_eq!(dry.temporary, 0);
    assert_eq!(stored_files(&app).len(), 3, "a dry run removes nothing");
    let swept = documents_service::sweep(&app.state.db, store, later, grace, false)
        .await
        .unwrap();
    assert_eq!((swept.kept, swept.unreferenced.clone()), (1, vec![digest]));
    assert_eq!(swept.temporary, 1);
    assert_eq!(std::fs::read_dir(&tmp).unwrap().count(), 0);
    assert_eq!(stored_files(&app), vec![PDF_SHA256.to_string()]);

    let out =
        crate::helpers::candour_command(app.settings.database.url.expose(), &app.settings.data.dir)
            .args(["documents", "sweep", "--dry-run"])
            .output()
            .unwrap();
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{printed}");
    assert!(
        printed.contains("1 files in use, 0 unreferenced would be removed"),
        "{printed}"
    );
}

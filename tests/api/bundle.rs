//! The case bundle (`GET /api/v1/cases/{id}/bundle`): one ZIP with an index, the case page,
//! every letter and every document version not erased, for complaints managers and admins.

use std::io::{Cursor, Read};

use candour::domain::role::Role;
use serde_json::{Value, json};

use crate::documents::{PDF, add_document, field, file, json_of, send};
use crate::helpers::{assert_problem, insert_service, spawn_app};

#[tokio::test]
async fn the_bundle_holds_the_index_the_case_every_letter_and_every_kept_document() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "BUN", None).await;
    let received = app.today().to_string();
    let case = app.responded_complaint(&token, &service, &received).await;
    let id = case["id"].as_str().unwrap();
    let reference = case["reference"].as_str().unwrap();
    add_document(&app, &token, id, "letter.pdf", PDF, "complainant_letter").await;
    let draft = add_document(
        &app,
        &token,
        id,
        "notes.txt",
        b"Names Mr Other",
        "meeting_notes",
    )
    .await;
    let redactions = format!(
        "/api/v1/documents/{}/redactions",
        draft["id"].as_str().unwrap()
    );
    json_of(
        send(
            &app,
            &token,
            &redactions,
            &[
                file("notes.txt", b"Names [name]"),
                field("reason", "A third party"),
            ],
        )
        .await,
        201,
    )
    .await;
    let letters: Value = app
        .get(&format!("/api/v1/cases/{id}/letters"), &token)
        .await
        .json()
        .await
        .unwrap();
    let letter_count = letters.as_array().unwrap().len();
    assert!(
        letter_count >= 2,
        "an acknowledgement and a response: {letters}"
    );

    let res = app.get(&format!("/api/v1/cases/{id}/bundle"), &token).await;
    assert_eq!(res.status(), 200);
    let h = res.headers().clone();
    assert_eq!(h["content-type"], "application/zip");
    assert!(
        h.get("content-length").is_none(),
        "streamed, not built whole"
    );
    let disposition = h["content-disposition"].to_str().unwrap();
    assert_eq!(
        disposition,
        format!("attachment; filename=\"{reference} case bundle.zip\"")
    );
    let bytes = res.bytes().await.unwrap();

    let mut zip = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).unwrap();
    let names: Vec<String> = zip.file_names().map(|n| n.unwrap().into_owned()).collect();
    let read = |zip: &mut zip::ZipArchive<Cursor<Vec<u8>>>, name: &str| {
        let mut out = Vec::new();
        zip.by_name(name).unwrap().read_to_end(&mut out).unwrap();
        out
    };
    // In the order written: the index, the case, the letters, the documents.
    assert_eq!(names[0], "index.html");
    assert_eq!(names[1], "case.html");
    let letter_files: Vec<&String> = names.iter().filter(|n| n.starts_with("letters/")).collect();
    assert_eq!(letter_files.len(), letter_count, "{names:?}");
    let docs: Vec<&String> = names
        .iter()
        .filter(|n| n.starts_with("documents/"))
        .collect();
    // The PDF and the redacted notes; the notes' first version was erased and is left out.
    assert_eq!(docs.len(), 2, "{names:?}");
    assert_eq!(read(&mut zip, "documents/01 v1 letter.pdf"), PDF);
    assert_eq!(read(&mut zip, "documents/02 v2 notes.txt"), b"Names [name]");
    assert!(!names.iter().any(|n| n.contains("v1 notes")), "{names:?}");

    let index = String::from_utf8(read(&mut zip, "index.html")).unwrap();
    // As a browser reads it (MiniJinja escapes `/`, `'`, `"` and `&`).
    let index = index
        .replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    for n in &names[1..] {
        assert!(index.contains(&format!("href=\"{n}\"")), "index links {n}");
    }
    assert!(index.contains("content erased: redaction"));
    let page = String::from_utf8(read(&mut zip, "case.html")).unwrap();
    assert!(page.contains(reference));
    assert!(page.contains(case["summary"].as_str().unwrap()));
    // The whole timeline, every event by its summary.
    let timeline: Vec<Value> = app
        .get(&format!("/api/v1/cases/{id}/timeline"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert!(timeline.len() >= 5, "{timeline:?}");
    for e in &timeline {
        let summary = e["summary"].as_str().unwrap().replace('\'', "&#x27;");
        assert!(page.contains(&summary), "case.html lacks {summary}");
    }
    let first_letter = String::from_utf8(read(&mut zip, letter_files[0])).unwrap();
    assert!(
        first_letter.contains("<html") || first_letter.contains("<!DOCTYPE"),
        "{first_letter}"
    );

    let log: Value = app
        .get(&format!("/api/v1/cases/{id}/access-log"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .any(|e| e["route"] == "GET /api/v1/cases/{id}/bundle"),
        "{log}"
    );
}

#[tokio::test]
async fn only_complaints_managers_and_admins_take_a_bundle() {
    let app = spawn_app().await;
    let (_, manager) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "BUR", None).await;
    let case = app
        .create_case(
            &manager,
            &crate::helpers::complaint(&service, &app.today().to_string()),
        )
        .await;
    let id = case["id"].as_str().unwrap();
    let (investigator, inv) = app.signed_in(Role::Investigator).await;
    app.act_ok(
        &manager,
        &case,
        "assign",
        json!({"investigator_id": investigator.id}),
    )
    .await;
    let path = format!("/api/v1/cases/{id}/bundle");
    assert_problem(app.get(&path, &inv).await, 403).await;
    let (_, board) = app.signed_in(Role::Board).await;
    assert_problem(app.get(&path, &board).await, 403).await;
    let (_, admin) = app.signed_in(Role::Admin).await;
    assert_eq!(app.get(&path, &admin).await.status(), 200);
    assert_problem(app.get("/api/v1/cases/nope/bundle", &manager).await, 404).await;
}

//! Documents on a case: upload (type by content, limits, scan), list, versions and download,
//! with the timeline and the access log; a refused file leaves nothing behind.

use candour::domain::role::Role;
use reqwest::Response;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, complaint, insert_service, spawn_app_with};

/// A small PDF; `printf … | sha256sum` gave its digest.
pub(crate) const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n";
pub(crate) const PDF_SHA256: &str =
    "904636248025ad20fb9c6bd8b700179a2a42edb5df3636e926c7e09055ee3f75";
pub(crate) const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, b'I', b'H', b'D', b'R',
];
const EICAR: &str = r"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

/// One part of a multipart form.
pub(crate) struct Part<'a> {
    pub name: &'a str,
    pub file_name: Option<&'a str>,
    pub content_type: Option<&'a str>,
    pub bytes: &'a [u8],
}

pub(crate) fn file<'a>(file_name: &'a str, bytes: &'a [u8]) -> Part<'a> {
    Part {
        name: "file",
        file_name: Some(file_name),
        content_type: None,
        bytes,
    }
}

pub(crate) fn field<'a>(name: &'a str, value: &'a str) -> Part<'a> {
    Part {
        name,
        file_name: None,
        content_type: None,
        bytes: value.as_bytes(),
    }
}

/// A multipart/form-data body, built by hand so tests can send exactly what a client might.
pub(crate) fn form(parts: &[Part<'_>]) -> (String, Vec<u8>) {
    let boundary = "----candour-test-boundary-7d1f";
    let mut body = Vec::new();
    for p in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let mut disposition = format!("Content-Disposition: form-data; name=\"{}\"", p.name);
        if let Some(f) = p.file_name {
            disposition.push_str(&format!("; filename=\"{f}\""));
        }
        body.extend_from_slice(format!("{disposition}\r\n").as_bytes());
        if let Some(t) = p.content_type {
            body.extend_from_slice(format!("Content-Type: {t}\r\n").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(p.bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

pub(crate) async fn send(app: &TestApp, token: &str, path: &str, parts: &[Part<'_>]) -> Response {
    let (content_type, body) = form(parts);
    app.client
        .post(app.url(path))
        .bearer_auth(token)
        .header("Content-Type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

pub(crate) async fn upload(
    app: &TestApp,
    token: &str,
    case_id: &str,
    parts: &[Part<'_>],
) -> Response {
    send(
        app,
        token,
        &format!("/api/v1/cases/{case_id}/documents"),
        parts,
    )
    .await
}

/// Upload `parts` to `case_id` and expect a problem with `status`; the problem.
pub(crate) async fn refused(
    app: &TestApp,
    token: &str,
    case_id: &str,
    parts: &[Part<'_>],
    status: u16,
) -> Value {
    assert_problem(upload(app, token, case_id, parts).await, status).await
}

/// Upload `file_name` with `bytes` as a document of `kind`, expecting 201; the document.
pub(crate) async fn add_document(
    app: &TestApp,
    token: &str,
    case_id: &str,
    file_name: &str,
    bytes: &[u8],
    kind: &str,
) -> Value {
    let parts = [file(file_name, bytes), field("kind", kind)];
    json_of(upload(app, token, case_id, &parts).await, 201).await
}

/// Upload `file_name` with `bytes` as a document of `kind`, expecting a problem with `status`.
pub(crate) async fn refuse_file(
    app: &TestApp,
    token: &str,
    case_id: &str,
    file_name: &str,
    bytes: &[u8],
    kind: &str,
    status: u16,
) -> Value {
    let parts = [file(file_name, bytes), field("kind", kind)];
    refused(app, token, case_id, &parts, status).await
}

pub(crate) async fn json_of(res: Response, status: u16) -> Value {
    let code = res.status().as_u16();
    let body: Value = res.json().await.unwrap();
    assert_eq!(code, status, "{body}");
    body
}

pub(crate) async fn new_case(app: &TestApp, token: &str, code: &str) -> Value {
    let service = insert_service(app, code, None).await;
    app.create_case(token, &complaint(&service, "2026-11-02"))
        .await
}

pub(crate) async fn documents(app: &TestApp, token: &str, case_id: &str) -> Vec<Value> {
    json_of(
        app.get(&format!("/api/v1/cases/{case_id}/documents"), token)
            .await,
        200,
    )
    .await
    .as_array()
    .unwrap()
    .clone()
}

/// Files kept in the store (the scan's scratch folder and temporary names aside).
pub(crate) fn stored_files(app: &TestApp) -> Vec<String> {
    fn walk(dir: &std::path::Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.push(p.file_name().unwrap().to_string_lossy().into_owned());
            }
        }
    }
    let mut out = Vec::new();
    walk(&app.settings.data.dir.join("files"), &mut out);
    out.sort();
    out
}

#[tokio::test]
async fn a_letter_uploaded_is_listed_downloaded_on_the_timeline_and_in_the_access_log() {
    let app = spawn_app_with(|_| {}).await;
    let (manager, token) = app.signed_in(Role::ComplaintsManager).await;
    let case = new_case(&app, &token, "DOC").await;
    let id = case["id"].as_str().unwrap();

    let res = upload(
        &app,
        &token,
        id,
        &[
            Part {
                content_type: Some("application/pdf"),
                ..file("Letter from Mrs A.pdf", PDF)
            },
            field("kind", "complainant_letter"),
            field("description", "The letter received on 2 November"),
        ],
    )
    .await;
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let doc = json_of(res, 201).await;
    assert_eq!(doc["kind"], "complainant_letter");
    assert_eq!(doc["file_name"], "Letter from Mrs A.pdf");
    assert_eq!(doc["media_type"], "application/pdf");
    assert_eq!(doc["size_bytes"], PDF.len());
    assert_eq!(doc["sha256"], PDF_SHA256);
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["uploaded_by"], manager.id.as_str());
    assert_eq!(doc["description"], "The letter received on 2 November");
    assert_eq!(doc["earlier_versions"], json!([]));
    let doc_id = doc["id"].as_str().unwrap();
    assert_eq!(location, format!("/api/v1/documents/{doc_id}/content"));

    // Kept once, by its digest.
    assert_eq!(stored_files(&app), vec![PDF_SHA256.to_string()]);
    let listed = documents(&app, &token, id).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], doc_id);

    let res = app.get(&location, &token).await;
    assert_eq!(res.status(), 200);
    let h = res.headers().clone();
    assert_eq!(h["content-type"], "application/pdf");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["cache-control"], "no-store");
    let disposition = h["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"Letter from Mrs A.pdf\""),
        "{disposition}"
    );
    assert!(disposition.contains("filename*=UTF-8''Letter%20from%20Mrs%20A.pdf"));
    assert_eq!(res.bytes().await.unwrap().as_ref(), PDF);

    let kinds = app.timeline_kinds(&token, id).await;
    assert_eq!(kinds.iter().filter(|k| *k == "document_added").count(), 1);
    let log = json_of(
        app.get(&format!("/api/v1/cases/{id}/access-log"), &token)
            .await,
        200,
    )
    .await;
    let routes: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["route"].as_str().unwrap())
        .collect();
    assert!(
        routes.contains(&"GET /api/v1/documents/{id}/content"),
        "{routes:?}"
    );
    assert!(
        routes.contains(&"GET /api/v1/cases/{id}/documents"),
        "{routes:?}"
    );
    let out = app.cli(&["audit", "verify"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[tokio::test]
async fn refused_files_leave_nothing_behind() {
    let app = spawn_app_with(|s| {
        s.documents.max_file_mib = 1;
        s.documents.max_case_mib = 1;
        s.documents.allowed_types = vec!["pdf".into(), "png".into(), "txt".into()];
    })
    .await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let case = new_case(&app, &token, "REF").await;
    let id = case["id"].as_str().unwrap();
    let kind = field("kind", "evidence");

    // A PNG named as a PDF: the content decides.
    let p = refused(&app, &token, id, &[file("scan.pdf", PNG), kind], 415).await;
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("content is a PNG image"),
        "{p}"
    );
    // The declared type and the name disagree.
    let sent_as_png = Part {
        content_type: Some("image/png"),
        ..file("scan.pdf", PDF)
    };
    refused(
        &app,
        &token,
        id,
        &[sent_as_png, field("kind", "evidence")],
        415,
    )
    .await;
    // A program, and a type this trust does not accept.
    refuse_file(&app, &token, id, "setup.exe", b"MZ\x90\0\x03", "other", 415).await;
    let eml = b"From: a@example.org\r\nSubject: Hi\r\n\r\nBody\r\n";
    let p = refuse_file(&app, &token, id, "m.eml", eml, "email", 415).await;
    assert!(
        p["detail"].as_str().unwrap().contains("does not accept"),
        "{p}"
    );
    // Not valid UTF-8 text.
    refuse_file(&app, &token, id, "notes.txt", b"caf\xe9", "other", 415).await;
    // Empty, no kind, an unknown kind, no file, an unknown field.
    refuse_file(&app, &token, id, "empty.pdf", b"", "other", 400).await;
    refused(&app, &token, id, &[file("a.pdf", PDF)], 400).await;
    let p = refuse_file(&app, &token, id, "a.pdf", PDF, "selfie", 400).await;
    assert_eq!(p["errors"][0]["field"], "kind");
    refused(&app, &token, id, &[field("kind", "other")], 400).await;
    refused(
        &app,
        &token,
        id,
        &[
            file("a.pdf", PDF),
            field("kind", "other"),
            field("colour", "red"),
        ],
        400,
    )
    .await;
    // Larger than the file limit (1 MiB): one byte over.
    let mut big = PDF.to_vec();
    big.resize(1024 * 1024 + 1, b' ');
    refuse_file(&app, &token, id, "big.pdf", &big, "other", 413).await;
    // Not multipart at all.
    let res = app
        .post(
            &format!("/api/v1/cases/{id}/documents"),
            &token,
            &json!({"file": "x"}),
        )
        .await;
    assert_problem(res, 415).await;

    assert!(documents(&app, &token, id).await.is_empty());
    assert!(stored_files(&app).is_empty(), "{:?}", stored_files(&app));
    assert!(
        !app.timeline_kinds(&token, id)
            .await
            .iter()
            .any(|k| k.starts_with("document"))
    );

    // The case's total (1 MiB): 600 KiB fits, a second 600 KiB does not.
    let mut part = PDF.to_vec();
    part.resize(600 * 1024, b' ');
    add_document(&app, &token, id, "one.pdf", &part, "evidence").await;
    part.push(b'\n');
    refuse_file(&app, &token, id, "two.pdf", &part, "evidence", 413).await;
    assert_eq!(documents(&app, &token, id).await.len(), 1);
    assert_eq!(stored_files(&app).len(), 1);
}

#[tokio::test]
async fn only_those_who_may_work_the_case_see_or_add_its_documents() {
    let app = spawn_app_with(|_| {}).await;
    let (_, manager) = app.signed_in(Role::ComplaintsManager).await;
    let case = new_case(&app, &manager, "ROL").await;
    let id = case["id"].as_str().unwrap();
    let doc = add_document(&app, &manager, id, "a.pdf", PDF, "statement").await;
    let content = format!("/api/v1/documents/{}/content", doc["id"].as_str().unwrap());

    let (_, board) = app.signed_in(Role::Board).await;
    refuse_file(&app, &board, id, "b.pdf", PDF, "other", 403).await;
    assert_problem(
        app.get(&format!("/api/v1/cases/{id}/documents"), &board)
            .await,
        403,
    )
    .await;
    assert_problem(app.get(&content, &board).await, 403).await;

    let (investigator, inv_token) = app.signed_in(Role::Investigator).await;
    assert_problem(app.get(&content, &inv_token).await, 403).await;
    refuse_file(&app, &inv_token, id, "b.pdf", PDF, "statement", 403).await;
    app.act_ok(
        &manager,
        &case,
        "assign",
        json!({"investigator_id": investigator.id}),
    )
    .await;
    add_document(&app, &inv_token, id, "statement.pdf", PDF, "statement").await;
    assert_eq!(app.get(&content, &inv_token).await.status(), 200);
    assert_eq!(documents(&app, &inv_token, id).await.len(), 2);

    let res = app.client.get(app.url(&content)).send().await.unwrap();
    assert_problem(res, 401).await;
    assert_problem(
        app.get("/api/v1/documents/no-such-id/content", &manager)
            .await,
        404,
    )
    .await;
    refused(
        &app,
        &manager,
        "no-such-case",
        &[file("a.pdf", PDF), field("kind", "other")],
        404,
    )
    .await;
}

#[tokio::test]
async fn a_new_version_keeps_the_earlier_one() {
    let app = spawn_app_with(|_| {}).await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let case = new_case(&app, &token, "VER").await;
    let id = case["id"].as_str().unwrap();
    let v1 = json_of(
        upload(
            &app,
            &token,
            id,
            &[
                file("response draft.txt", b"Dear Mrs A,\nfirst draft"),
                field("kind", "response_letter"),
                field("description", "The response"),
            ],
        )
        .await,
        201,
    )
    .await;
    let v1_id = v1["id"].as_str().unwrap();
    let versions = format!("/api/v1/documents/{v1_id}/versions");
    let v2 = json_of(
        send(&app, &token, &versions, &[file("response signed.pdf", PDF)]).await,
        201,
    )
    .await;
    assert_eq!(v2["version"], 2);
    assert_eq!(v2["kind"], "response_letter");
    assert_eq!(v2["description"], "The response");
    assert_eq!(v2["file_name"], "response signed.pdf");
    assert_eq!(v2["earlier_versions"].as_array().unwrap().len(), 1);
    assert_eq!(v2["earlier_versions"][0]["id"], v1_id);
    assert_eq!(v2["earlier_versions"][0]["media_type"], "text/plain");

    let listed = documents(&app, &token, id).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], v2["id"]);
    // Either version's id finds the document, newest version first.
    for any in [v1_id, v2["id"].as_str().unwrap()] {
        let one = json_of(
            app.get(&format!("/api/v1/documents/{any}"), &token).await,
            200,
        )
        .await;
        assert_eq!(one["id"], v2["id"]);
        assert_eq!(one["earlier_versions"][0]["id"], v1_id);
    }
    // The earlier version is still there to download.
    let old = app
        .get(&format!("/api/v1/documents/{v1_id}/content"), &token)
        .await;
    assert_eq!(old.status(), 200);
    assert_eq!(
        old.bytes().await.unwrap().as_ref(),
        b"Dear Mrs A,\nfirst draft"
    );

    // Only the newest version can be replaced, and the kind stays.
    let p = assert_problem(
        send(&app, &token, &versions, &[file("again.pdf", PDF)]).await,
        409,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("newest"), "{p}");
    let newest = format!("/api/v1/documents/{}/versions", v2["id"].as_str().unwrap());
    assert_problem(
        send(
            &app,
            &token,
            &newest,
            &[file("x.pdf", PDF), field("kind", "other")],
        )
        .await,
        400,
    )
    .await;

    let kinds = app.timeline_kinds(&token, id).await;
    assert_eq!(kinds.iter().filter(|k| *k == "document_added").count(), 1);
    assert_eq!(
        kinds.iter().filter(|k| *k == "document_replaced").count(),
        1
    );
}

#[tokio::test]
async fn a_received_email_shows_its_sender_subject_and_date() {
    let app = spawn_app_with(|_| {}).await;
    let (_, token) = app.signed_in(Role::PalsOfficer).await;
    let case = new_case(&app, &token, "EML").await;
    let id = case["id"].as_str().unwrap();
    let eml = "From: Ann Example <ann@example.org>\r\nTo: pals@trust.example\r\nSubject: About my father's care\r\nDate: Tue, 1 Dec 2026 09:30:00 +0000\r\n\r\nI am writing about...\r\n";
    let doc = json_of(
        upload(
            &app,
            &token,
            id,
            &[
                file("complaint.eml", eml.as_bytes()),
                field("kind", "email"),
            ],
        )
        .await,
        201,
    )
    .await;
    assert_eq!(doc["media_type"], "message/rfc822");
    assert_eq!(doc["email"]["from"], "Ann Example <ann@example.org>");
    assert_eq!(doc["email"]["subject"], "About my father's care");
    assert_eq!(doc["email"]["date"], "Tue, 1 Dec 2026 09:30:00 +0000");
    let listed = documents(&app, &token, id).await;
    assert_eq!(listed[0]["email"]["subject"], "About my father's care");
}

/// A scan script of the tests' own: refuses the EICAR test string as a scanner would.
fn scan_script(dir: &std::path::Path) -> String {
    let path = dir.join("scan.sh");
    std::fs::write(
        &path,
        "if grep -q 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE' \"$1\"; then echo \"$1: Eicar-Test-Signature FOUND\"; exit 1; fi\nexit 0\n",
    )
    .unwrap();
    path.display().to_string()
}

#[tokio::test]
async fn the_virus_scan_refuses_the_eicar_test_file_and_passes_a_clean_one() {
    let scripts = tempfile::tempdir().unwrap();
    let script = scan_script(scripts.path());
    let app = spawn_app_with(|s| s.documents.scan_command = vec!["sh".into(), script]).await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let case = new_case(&app, &token, "AV").await;
    let id = case["id"].as_str().unwrap();
    let p = refused(
        &app,
        &token,
        id,
        &[
            file("attachment.txt", EICAR.as_bytes()),
            field("kind", "evidence"),
        ],
        400,
    )
    .await;
    let message = p["errors"][0]["message"].as_str().unwrap();
    assert_eq!(
        message,
        "The virus scan refused the file: attachment.txt: Eicar-Test-Signature FOUND"
    );
    assert!(stored_files(&app).is_empty(), "{:?}", stored_files(&app));
    assert!(documents(&app, &token, id).await.is_empty());
    add_document(&app, &token, id, "clean.txt", b"All well", "evidence").await;
    assert_eq!(documents(&app, &token, id).await.len(), 1);
}

#[tokio::test]
async fn a_scanner_that_cannot_run_refuses_the_file() {
    let app = spawn_app_with(|s| {
        s.documents.scan_command = vec!["/nonexistent/clamdscan".into(), "--fdpass".into()]
    })
    .await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let case = new_case(&app, &token, "AVX").await;
    let id = case["id"].as_str().unwrap();
    let p = refuse_file(&app, &token, id, "a.pdf", PDF, "evidence", 503).await;
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("virus scanner could not be run"),
        "{p}"
    );
    assert!(documents(&app, &token, id).await.is_empty());
}

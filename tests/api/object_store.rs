//! Documents kept in S3: the same upload, download and redaction against a real S3-compatible
//! server (moto in server mode, from PyPI, made once under `target/moto-venv`), with nothing
//! written to the local folder.

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use candour::config::{FileStoreKind, Secret};
use candour::domain::role::Role;

use crate::documents::{
    PDF, PDF_SHA256, add_document, field, file, json_of, new_case, send, stored_files,
};
use crate::helpers::spawn_app_with;
use crate::mail_sink::{free_port, run, target_dir};

const MOTO: &str = "moto[server]==5.1.18";

/// `moto_server` from the tests' own virtualenv (made on first use).
fn moto_server() -> &'static PathBuf {
    static SERVER: OnceLock<PathBuf> = OnceLock::new();
    SERVER.get_or_init(|| {
        let target = target_dir();
        std::fs::create_dir_all(&target).expect("target folder");
        let venv = target.join("moto-venv");
        let ready = venv.join(".moto-5.1.18-installed");
        let lock = std::fs::File::create(target.join("moto-venv.lock")).expect("venv lock file");
        lock.lock().expect("lock the moto venv");
        if !ready.exists() {
            run(Command::new("python3").args(["-m", "venv"]).arg(&venv));
            let pip = venv.join("bin").join("python");
            run(Command::new(&pip).args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                MOTO,
            ]));
            std::fs::write(&ready, MOTO).expect("mark the venv ready");
        }
        drop(lock);
        venv.join("bin").join("moto_server")
    })
}

/// A moto server on loopback, killed when dropped.
struct Moto {
    child: Child,
    port: u16,
}

impl Moto {
    fn start() -> Self {
        let port = free_port();
        let child = Command::new(moto_server())
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto_server");
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "moto did not listen in time");
            std::thread::sleep(Duration::from_millis(100));
        }
        Self { child, port }
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn documents_live_in_s3_when_configured() {
    let moto = Moto::start();
    let endpoint = moto.endpoint();
    // A bucket to keep them in (moto takes an unsigned request).
    let made = reqwest::Client::new()
        .put(format!("{endpoint}/candour-documents"))
        .send()
        .await
        .unwrap();
    assert!(
        made.status().is_success(),
        "create the bucket: {}",
        made.status()
    );
    let app = spawn_app_with(|s| {
        let d = &mut s.documents;
        d.store = FileStoreKind::S3;
        d.bucket = "candour-documents".into();
        d.endpoint = endpoint.clone();
        d.region = "eu-west-2".into();
        d.access_key_id = "testing".into();
        d.secret_access_key = Secret::new("testing");
    })
    .await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let case = new_case(&app, &token, "S3").await;
    let id = case["id"].as_str().unwrap();
    let doc = add_document(&app, &token, id, "letter.pdf", PDF, "complainant_letter").await;
    assert_eq!(doc["sha256"], PDF_SHA256);
    assert!(stored_files(&app).is_empty(), "nothing in the local folder");
    // The content is in the bucket under its digest.
    let kept = app.state.files.get(PDF_SHA256).await.unwrap();
    assert_eq!(kept.as_ref(), PDF);

    let content = app
        .get(
            &format!("/api/v1/documents/{}/content", doc["id"].as_str().unwrap()),
            &token,
        )
        .await;
    assert_eq!(content.status(), 200);
    assert_eq!(content.bytes().await.unwrap().as_ref(), PDF);

    // A redaction removes the earlier content from the bucket.
    let redactions = format!(
        "/api/v1/documents/{}/redactions",
        doc["id"].as_str().unwrap()
    );
    json_of(
        send(
            &app,
            &token,
            &redactions,
            &[
                file("letter.pdf", b"%PDF-1.7\n%redacted\n%%EOF\n"),
                field("reason", "Another patient named"),
            ],
        )
        .await,
        201,
    )
    .await;
    let gone = app.state.files.get(PDF_SHA256).await.unwrap_err();
    assert_eq!(gone.kind(), std::io::ErrorKind::NotFound);

    // The sweep lists the bucket: an object no document names goes once it is old enough.
    let orphan = "ab".repeat(32);
    app.state
        .files
        .put(&orphan, b"never recorded".to_vec().into())
        .await
        .unwrap();
    let later = chrono::Utc::now() + chrono::Duration::hours(25);
    let swept = candour::services::documents::sweep(
        &app.state.db,
        app.state.files.as_ref(),
        later,
        chrono::Duration::hours(24),
        false,
    )
    .await
    .unwrap();
    assert_eq!(swept.kept, 1, "the redacted version");
    assert_eq!(swept.unreferenced, vec![orphan.clone()]);
    let gone = app.state.files.get(&orphan).await.unwrap_err();
    assert_eq!(gone.kind(), std::io::ErrorKind::NotFound);
}

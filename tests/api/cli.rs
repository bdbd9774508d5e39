//! The `candour` binary: first start prints a working admin, production refuses weak secrets,
//! and the account commands work.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Stdio};
use std::time::Duration;

use crate::helpers::{PASSWORD, TestDb, candour_command, spawn_app};

/// A child process killed when the test ends, pass or fail.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn first_start_creates_an_admin_who_can_sign_in_without_printing_the_password_to_stdout() {
    let db = TestDb::create();
    let data = db.dir.path().join("data");
    let child = candour_command(&db.url, &data)
        .arg("serve")
        .env("CANDOUR__SERVER__PORT", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut child = Running(child);
    let stdout = child.0.stdout.take().unwrap();
    // Read on a thread that keeps draining stdout, so the server never writes to a closed pipe.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let (mut url, mut email) = (None, None);
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(rest) = line.split("listening on ").nth(1) {
                url = Some(rest.trim().to_string());
            }
            if let Some(rest) = line.trim().strip_prefix("email:") {
                email = Some(rest.trim().to_string());
            }
            if let Some(rest) = line.trim().strip_prefix("password:") {
                let _ = tx.send((url.clone(), email.clone(), rest.trim().to_string()));
            }
        }
    });
    let (url, email, password_line) = tokio::task::spawn_blocking(move || {
        rx.recv_timeout(Duration::from_secs(60))
            .expect("no admin printed in time")
    })
    .await
    .unwrap();
    let (url, email) = (url.unwrap(), email.unwrap());
    assert_eq!(email, "admin@localhost");
    let saved = std::fs::read_to_string(data.join("initial-admin-password")).unwrap();
    let password = saved.trim().to_string();
    // Stdout, where the logs go, names the file but never holds the password.
    assert!(!password_line.contains(&password), "{password_line}");
    assert!(
        password_line.contains("initial-admin-password"),
        "{password_line}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data.join("initial-admin-password"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let client = reqwest::Client::new();
    let res = client
        .post(format!("{url}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let token: serde_json::Value = res.json().await.unwrap();
    let me: serde_json::Value = client
        .get(format!("{url}/api/v1/me"))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["role"], "admin");
    drop(child);
}

#[test]
fn production_refuses_the_default_or_a_short_secret() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("x.db").display());
    let out = candour_command(&url, dir.path())
        .env("CANDOUR_ENV", "production")
        .arg("serve")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("jwt_secret"), "{stderr}");
    assert!(stderr.contains("audit.key"), "{stderr}");
    assert!(!dir.path().join("x.db").exists(), "nothing may start");

    let out = candour_command(&url, dir.path())
        .env("CANDOUR_ENV", "production")
        .env("CANDOUR__AUTH__JWT_SECRET", "too-short")
        .arg("migrate")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("32"));
}

#[test]
fn an_unknown_database_scheme_fails_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let out = candour_command("mysql://root@localhost/candour", dir.path())
        .arg("migrate")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("sqlite://") && stderr.contains("postgres://"),
        "{stderr}"
    );
}

#[tokio::test]
async fn user_commands_create_list_and_reset() {
    let app = spawn_app().await;
    let url = app.settings.database.url.expose().to_string();
    let data = app.settings.data.dir.clone();

    let mut child = candour_command(&url, &data)
        .args([
            "user",
            "create",
            "--email",
            "cli@trust.nhs.uk",
            "--name",
            "Cli User",
        ])
        .args(["--role", "complaints_manager", "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{PASSWORD}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(app.login("cli@trust.nhs.uk", PASSWORD).await.status(), 200);

    let out = candour_command(&url, &data)
        .args(["user", "list"])
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&out.stdout);
    assert!(listing.contains("cli@trust.nhs.uk") && listing.contains("complaints_manager"));

    let mut child = candour_command(&url, &data)
        .args([
            "user",
            "set-password",
            "--email",
            "CLI@trust.nhs.uk",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "a different passphrase").unwrap();
    assert!(child.wait_with_output().unwrap().status.success());
    assert_eq!(
        app.login("cli@trust.nhs.uk", "a different passphrase")
            .await
            .status(),
        200
    );

    // A weak password or a bad role is refused with the reason.
    let mut child = candour_command(&url, &data)
        .args([
            "user",
            "create",
            "--email",
            "weak@trust.nhs.uk",
            "--name",
            "Weak",
        ])
        .args(["--role", "board", "--password-stdin"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "short").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("12 characters"));
    let out = candour_command(&url, &data)
        .args([
            "user", "create", "--email", "x@y.z", "--name", "X", "--role", "boss",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
}

#[tokio::test]
async fn sigterm_stops_the_server_cleanly_and_writes_the_buffered_access_log() {
    let db = TestDb::create();
    let data = db.dir.path().join("data");
    let child = candour_command(&db.url, &data)
        .arg("serve")
        .env("CANDOUR__SERVER__PORT", "0")
        // A window far longer than the test: only the shutdown's flush can write the read.
        .env("CANDOUR__ACCESS_LOG__FLUSH_MS", "10000")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut child = Running(child);
    let pid = child.0.id();
    let stdout = child.0.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut url = None;
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(rest) = line.split("listening on ").nth(1) {
                url = Some(rest.trim().to_string());
            }
            if line.trim().starts_with("password:") {
                let _ = tx.send(url.clone());
            }
        }
    });
    let url = tokio::task::spawn_blocking(move || rx.recv_timeout(Duration::from_secs(60)))
        .await
        .unwrap()
        .expect("the server did not start")
        .unwrap();
    let password = std::fs::read_to_string(data.join("initial-admin-password")).unwrap();
    let client = reqwest::Client::new();
    let token: serde_json::Value = client
        .post(format!("{url}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": "admin@localhost", "password": password.trim()}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["access_token"].as_str().unwrap().to_string();
    // Create a case and read it: one access-log entry, waiting in the writer's buffer.
    let service = {
        let res = client
            .post(format!("{url}/api/v1/services"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"kind": "site", "code": "SIG", "name": "Signal Hospital"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        res.json::<serde_json::Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let case: serde_json::Value = client
        .post(format!("{url}/api/v1/cases"))
        .bearer_auth(&token)
        .json(&crate::helpers::complaint(&service, "2026-11-02"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = case["id"].as_str().unwrap().to_string();
    let res = client
        .get(format!("{url}/api/v1/cases/{id}"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    let term = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let status = tokio::task::spawn_blocking(move || {
        let status = child.0.wait().unwrap();
        drop(child);
        status
    })
    .await
    .unwrap();
    assert!(status.success(), "exit status {status:?}");

    // The read is in the access log although its window never closed.
    let reads = candour::db::Db::connect(&db.url, 1, Duration::from_secs(5))
        .unwrap()
        .read_blocking(|c| candour::db::timeline::access_log(c, &id, 10))
        .unwrap();
    assert!(
        reads.iter().any(|r| r.route == "GET /api/v1/cases/{id}"),
        "{reads:?}"
    );
}

/// A command that writes through the SQLite group-commit writer ends it when it is done: a
/// normal end, which must not be logged as an error (an operator reading the log of a
/// successful run would look for a fault that is not there).
#[tokio::test]
async fn a_command_that_ends_normally_logs_no_error() {
    let app = spawn_app().await;
    let out = app.cli(&["demo", "seed", "--cases", "20", "--seed", "7"]);
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{log}");
    assert!(log.contains("Seeded"), "{log}");
    assert!(!log.contains("ERROR"), "{log}");
}

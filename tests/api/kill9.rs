//! kill -9 under load: cases are created and acknowledged by many clients at once, the server
//! is killed mid-stream with SIGKILL and started again on the same database. Every request
//! that was answered 2xx must be there, no case may be half-written (each has its people and
//! its sealed timeline), references are unique, and `candour audit verify` passes.
//!
//! Run by `.ci/run` on each engine (`cargo test --test api kill9 -- --ignored --nocapture`),
//! which prints what it counted; ignored in the ordinary suite because it takes a few seconds
//! of load.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{TestDb, candour_command, complaint};

/// A server process, killed when dropped.
pub(crate) struct Server {
    pub child: Child,
    pub url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Start `candour serve` on `db` and wait for its address.
pub(crate) async fn start(db: &TestDb, data: &std::path::Path) -> Server {
    let mut child = candour_command(&db.url, data)
        .arg("serve")
        .env("CANDOUR__SERVER__PORT", "0")
        .env("CANDOUR__THROTTLE__ENABLED", "false")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(rest) = line.split("listening on ").nth(1) {
                let _ = tx.send(rest.trim().to_string());
            }
        }
    });
    let url = tokio::task::spawn_blocking(move || rx.recv_timeout(Duration::from_secs(60)))
        .await
        .unwrap()
        .expect("the server did not start");
    Server { child, url }
}

pub(crate) async fn sign_in(client: &reqwest::Client, url: &str, data: &std::path::Path) -> String {
    // The first admin's password file is written just after the server says where it listens.
    let file = data.join("initial-admin-password");
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let password = loop {
        match std::fs::read_to_string(&file) {
            Ok(p) if !p.trim().is_empty() => break p,
            _ if std::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            other => panic!("no initial admin password: {other:?}"),
        }
    };
    let res: Value = client
        .post(format!("{url}/api/v1/auth/login"))
        .json(&json!({"email": "admin@localhost", "password": password.trim()}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    res["access_token"].as_str().unwrap().to_string()
}

/// A site added through the API, for cases to name; its id.
pub(crate) async fn add_site(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    code: &str,
) -> String {
    let service: Value = client
        .post(format!("{url}/api/v1/services"))
        .bearer_auth(token)
        .json(&json!({"kind": "site", "code": code, "name": format!("{code} Hospital")}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    service["id"].as_str().unwrap().to_string()
}

/// What the clients were told: case id → (reference, acknowledged).
type Answered = Arc<Mutex<BTreeMap<String, (String, bool)>>>;

/// One client: create a case, acknowledge it, again, until the server stops answering.
async fn client_loop(
    client: reqwest::Client,
    url: String,
    token: String,
    service: String,
    seen: Answered,
) {
    let ack =
        json!({"method": "email", "handling_discussion_offered": true, "meeting_offered": false});
    loop {
        let Ok(res) = client
            .post(format!("{url}/api/v1/cases"))
            .bearer_auth(&token)
            .json(&complaint(&service, "2026-11-02"))
            .send()
            .await
        else {
            return;
        };
        if res.status() != 201 {
            return;
        }
        let Ok(case) = res.json::<Value>().await else {
            return;
        };
        let id = case["id"].as_str().unwrap_or_default().to_string();
        let reference = case["reference"].as_str().unwrap_or_default().to_string();
        seen.lock().unwrap().insert(id.clone(), (reference, false));
        let mut body = ack.clone();
        body["version"] = case["version"].clone();
        let Ok(res) = client
            .post(format!("{url}/api/v1/cases/{id}/acknowledge"))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
        else {
            return;
        };
        if res.status() == 200 {
            seen.lock().unwrap().insert(
                id,
                (
                    case["reference"].as_str().unwrap_or_default().to_string(),
                    true,
                ),
            );
        }
    }
}

#[tokio::test]
#[ignore = "run by .ci/run with --ignored --nocapture, which prints the counts"]
async fn kill9_under_load_loses_nothing_that_was_answered() {
    let db = TestDb::create();
    let data = db.dir.path().join("data");
    let server = start(&db, &data).await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let token = sign_in(&client, &server.url, &data).await;
    let service = add_site(&client, &server.url, &token, "KILL").await;

    let seen: Answered = Arc::default();
    let clients: Vec<_> = (0..16)
        .map(|_| {
            tokio::spawn(client_loop(
                client.clone(),
                server.url.clone(),
                token.clone(),
                service.clone(),
                seen.clone(),
            ))
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    // SIGKILL: no shutdown, no flush, mid-transaction for some requests.
    let pid = server.child.id();
    let killed = std::process::Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    for c in clients {
        let _ = c.await;
    }
    drop(server);
    let answered = seen.lock().unwrap().clone();
    let acknowledged = answered.values().filter(|(_, a)| *a).count();
    assert!(
        answered.len() > 10,
        "too little load to mean anything: {}",
        answered.len()
    );

    // Start again on the same database: it opens, and everything answered is there.
    let server = start(&db, &data).await;
    let token = sign_in(&client, &server.url, &data).await;
    let (mut found, mut lost) = (0, Vec::new());
    for (id, (reference, acked)) in &answered {
        let res = client
            .get(format!("{}/api/v1/cases/{id}", server.url))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        if res.status() != 200 {
            lost.push(format!("{reference}: {}", res.status()));
            continue;
        }
        let case: Value = res.json().await.unwrap();
        let status_ok = !*acked || case["status"] == "acknowledged";
        if case["reference"] != reference.as_str()
            || !status_ok
            || case["complainant"]["name"].is_null()
        {
            lost.push(format!("{reference}: came back as {case}"));
            continue;
        }
        found += 1;
    }
    drop(server);
    let verify = candour_command(&db.url, &data)
        .args(["audit", "verify"])
        .output()
        .unwrap();
    let verified = String::from_utf8_lossy(&verify.stdout).to_string();
    let duplicates = duplicate_references(&db.url).await;
    println!(
        "kill -9 under load ({}): answered {} creates, {acknowledged} acknowledged; after restart found {found}, lost {}; duplicate references {}; audit: {}",
        if db.url.starts_with("postgres") {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        answered.len(),
        lost.len(),
        duplicates,
        verified.trim()
    );
    assert!(lost.is_empty(), "lost after kill -9: {lost:?}");
    assert_eq!(duplicates, 0);
    assert!(verify.status.success(), "{verified}");
}

/// References held by more than one case.
async fn duplicate_references(url: &str) -> i64 {
    let db = candour::db::Db::connect(url, 1, Duration::from_secs(5)).unwrap();
    db.read(|c| -> Result<i64, candour::error::AppError> {
        use candour::db::schema::cases;
        use diesel::prelude::*;
        let refs: Vec<String> = cases::table.select(cases::reference).load(c)?;
        let mut sorted = refs.clone();
        sorted.sort();
        sorted.dedup();
        Ok(i64::try_from(refs.len() - sorted.len()).unwrap_or(i64::MAX))
    })
    .await
    .unwrap()
}

//! Killing the server during an upload leaves no partial file: SIGKILL while a large document
//! is still arriving, start again on the same database and folder, and the store holds nothing
//! under a name its content does not hash to, and the case no document row.

use std::time::Duration;

use serde_json::{Value, json};
use sha2::Digest;
use tokio::io::AsyncWriteExt;

use crate::helpers::{TestDb, complaint};
use crate::kill9::{add_site, sign_in, start};

/// Every file kept under `<data>/files/ab/cd/`, with whether its content hashes to its name.
fn kept(data: &std::path::Path) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let root = data.join("files");
    for a in std::fs::read_dir(&root).into_iter().flatten().flatten() {
        if ["tmp", "scan"].contains(&a.file_name().to_str().unwrap_or("")) {
            continue;
        }
        for b in std::fs::read_dir(a.path()).into_iter().flatten().flatten() {
            for f in std::fs::read_dir(b.path()).into_iter().flatten().flatten() {
                let name = f.file_name().to_string_lossy().into_owned();
                let bytes = std::fs::read(f.path()).unwrap();
                let digest: String = sha2::Sha256::digest(&bytes)
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                out.push((name.clone(), digest == name));
            }
        }
    }
    out
}

#[tokio::test]
async fn killing_the_server_mid_upload_leaves_no_partial_file() {
    let db = TestDb::create();
    let data = db.dir.path().join("data");
    let server = start(&db, &data).await;
    let client = reqwest::Client::new();
    let token = sign_in(&client, &server.url, &data).await;
    let service = add_site(&client, &server.url, &token, "UPK").await;
    let body = complaint(&service, "2026-12-01");
    let case: Value = client
        .post(format!("{}/api/v1/cases", server.url))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = case["id"].as_str().unwrap().to_string();

    // A 20 MiB PDF announced in full, of which only the first 4 MiB arrive before the kill.
    let boundary = "kill-boundary";
    let head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nevidence\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.pdf\"\r\n\
         Content-Type: application/pdf\r\n\r\n%PDF-1.7\n"
    );
    let total = head.len() + 20 * 1024 * 1024;
    let addr = server.url.trim_start_matches("http://").to_string();
    let mut conn = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let request = format!(
        "POST /api/v1/cases/{id}/documents HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {total}\r\n\r\n{head}"
    );
    conn.write_all(request.as_bytes()).await.unwrap();
    let chunk = vec![b' '; 64 * 1024];
    for _ in 0..64 {
        conn.write_all(&chunk).await.unwrap();
    }
    conn.flush().await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut server = server;
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    drop(conn);
    drop(server);

    let server = start(&db, &data).await;
    let token = sign_in(&client, &server.url, &data).await;
    let docs: Value = client
        .get(format!("{}/api/v1/cases/{id}/documents", server.url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(docs, json!([]), "no row for the upload that never finished");
    let files = kept(&data);
    assert!(
        files.iter().all(|(_, whole)| *whole),
        "a partial file: {files:?}"
    );
    assert!(files.is_empty(), "{files:?}");
    println!(
        "kill during upload: rows 0, files {} (all whole)",
        files.len()
    );
}

//! The OpenAPI document served is the committed `docs/openapi.json`, which is what the handlers
//! describe; it documents every status an operation
//! can answer whatever its handler (400, 413, 415, 503), names each schema once, and the docs
//! page works offline.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::helpers::spawn_app;

fn snapshot_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/openapi.json")
}

#[test]
fn the_openapi_document_matches_the_handlers() {
    let built = serde_json::to_value(candour::api::openapi::document()).unwrap();
    let rendered = serde_json::to_string_pretty(&built).unwrap() + "\n";
    let path = snapshot_path();
    if std::env::var("UPDATE_SNAPSHOTS").is_ok() {
        std::fs::write(&path, &rendered).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == rendered,
        "The API changed: review it, then run `UPDATE_SNAPSHOTS=1 cargo test openapi` and commit {} \
         (the server serves that file, built in)",
        path.display()
    );
}

#[tokio::test]
async fn the_server_serves_the_committed_document() {
    let app = spawn_app().await;
    let res = app
        .client
        .get(app.url("/api-docs/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-type"].to_str().unwrap(),
        "application/json"
    );
    let served = res.bytes().await.unwrap();
    let committed = std::fs::read(snapshot_path()).unwrap();
    assert!(
        served.as_ref() == committed.as_slice(),
        "the server must serve docs/openapi.json as committed"
    );
    // The document is the one route not in itself: other methods on it are not routes.
    let posted = app
        .client
        .post(app.url("/api-docs/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 404);
}

#[tokio::test]
async fn every_operation_documents_its_errors_as_problems() {
    let app = spawn_app().await;
    let doc: serde_json::Value = app
        .client
        .get(app.url("/api-docs/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            for (code, response) in responses {
                if code.starts_with('4') || code.starts_with('5') {
                    assert!(
                        response["content"]
                            .get("application/problem+json")
                            .is_some(),
                        "{method} {path} {code} is not documented as a problem"
                    );
                }
            }
            if path.starts_with("/api/v1/")
                && !path.ends_with("/login")
                && !path.ends_with("/refresh")
                // The public 'you said, we did' list: no sign-in, by design.
                && path != "/api/v1/you-said-we-did"
            {
                assert!(
                    op.get("security").is_some(),
                    "{method} {path} has no security"
                );
                assert!(responses.contains_key("401"), "{method} {path} lacks a 401");
            }
        }
    }
}

async fn openapi_document() -> serde_json::Value {
    let app = spawn_app().await;
    app.client
        .get(app.url("/api-docs/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn every_operation_documents_the_problems_any_handler_can_give() {
    let doc = openapi_document().await;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            // A NUL in the path or query string, before any handler.
            let mut wanted = vec!["400"];
            // The JSON extractor: too large, not JSON.
            if op.get("requestBody").is_some() {
                wanted.extend(["413", "415"]);
            }
            // The database unreachable or out of connections.
            if path.starts_with("/api/v1/") {
                wanted.push("503");
            }
            for status in wanted {
                assert!(
                    responses.contains_key(status),
                    "{method} {path} lacks a {status}"
                );
            }
        }
    }
}

/// Each `ToSchema` type in `src/` with the name it has in the document (`#[schema(as = X)]`
/// or its own), and the files declaring each name.
fn schema_names() -> BTreeMap<String, Vec<PathBuf>> {
    let mut names: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for name in schema_names_in(&text) {
                    names.entry(name).or_default().push(path.clone());
                }
            }
        }
    }
    names
}

fn schema_names_in(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if !(line.contains("derive(") && line.contains("ToSchema")) {
            continue;
        }
        let mut alias = None;
        for next in lines.iter().skip(i + 1).take(15) {
            if let Some(rest) = next.trim().strip_prefix("#[schema(as = ") {
                let path = rest.split([')', ',']).next().unwrap_or_default();
                alias = path.rsplit("::").next().map(str::trim).map(str::to_string);
            }
            let words: Vec<&str> = next.split_whitespace().collect();
            if let Some(at) = words.iter().position(|w| *w == "struct" || *w == "enum") {
                let own = words.get(at + 1).map(|w| {
                    w.trim_end_matches(|c: char| !c.is_alphanumeric() && c != '_')
                        .to_string()
                });
                found.extend(alias.take().or(own));
                break;
            }
        }
    }
    found
}

/// utoipa keeps one schema per name: two types with one name would silently share (and
/// break) each other's schema.
#[test]
fn no_two_schemas_share_a_name() {
    let names = schema_names();
    assert!(names.len() > 100, "found only {} schemas", names.len());
    let shared: Vec<_> = names.iter().filter(|(_, files)| files.len() > 1).collect();
    assert!(
        shared.is_empty(),
        "schema names used twice (add #[schema(as = OtherName)]): {shared:#?}"
    );
}

#[tokio::test]
async fn the_docs_page_is_served_without_external_assets() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/docs")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 308);
    let res = app.client.get(app.url("/docs/")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("swagger"), "{html}");
    assert!(
        !html.contains("https://"),
        "the page must not load from a CDN"
    );
    let init = app
        .client
        .get(app.url("/docs/swagger-initializer.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(init.status(), 200);
    assert!(
        init.text()
            .await
            .unwrap()
            .contains("/api-docs/openapi.json")
    );
    let bundle = app
        .client
        .get(app.url("/docs/swagger-ui-bundle.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(bundle.status(), 200);
}

//! The OpenAPI document matches the committed snapshot, and the docs page works offline.

use std::path::PathBuf;

use crate::helpers::spawn_app;

fn snapshot_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/openapi.json")
}

#[tokio::test]
async fn the_openapi_document_matches_the_snapshot() {
    let app = spawn_app().await;
    let res = app
        .client
        .get(app.url("/api-docs/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let doc: serde_json::Value = res.json().await.unwrap();
    let rendered = serde_json::to_string_pretty(&doc).unwrap() + "\n";
    let path = snapshot_path();
    if std::env::var("UPDATE_SNAPSHOTS").is_ok() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &rendered).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == rendered,
        "The API changed: review it, then run `UPDATE_SNAPSHOTS=1 cargo test openapi` and commit {}",
        path.display()
    );
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

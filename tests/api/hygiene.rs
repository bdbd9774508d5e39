//! Input no engine should see, and headers every JSON answer carries: a NUL character in a
//! JSON body, a path, a query string or a form is a 400 on both engines (never a 500, never
//! stored); JSON answers are `Cache-Control: no-store`; an unknown HTTP method is counted as
//! `other` in the metrics.

use candour::domain::role::Role;
use serde_json::json;

use crate::helpers::{assert_problem, complaint, insert_service, spawn_app};

#[tokio::test]
async fn a_nul_character_anywhere_is_refused_with_a_400() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "NUL", None).await;
    let today = app.today().to_string();
    let mut body = complaint(&service, &today);
    body["summary"] = json!("Discharged\u{0}without medication");
    let problem = assert_problem(app.post("/api/v1/cases", &token, &body).await, 400).await;
    assert!(
        problem["detail"].as_str().unwrap().contains("NUL"),
        "{problem}"
    );
    let cases: serde_json::Value = app.get("/api/v1/cases", &token).await.json().await.unwrap();
    assert_eq!(
        cases["items"].as_array().unwrap().len(),
        0,
        "nothing stored"
    );
    // In a name, too, and in a path or a query string.
    let mut body = complaint(&service, &today);
    body["complainant"]["name"] = json!("Alex\u{0}");
    assert_problem(app.post("/api/v1/cases", &token, &body).await, 400).await;
    assert_problem(app.get("/api/v1/cases/abc%00def", &token).await, 400).await;
    assert_problem(app.get("/api/v1/cases?q=a%00b", &token).await, 400).await;
    // An escaped backslash before "u0000" is ordinary text.
    let mut body = complaint(&service, &today);
    body["summary"] = json!("Path C:\\u0000 quoted");
    let case = app.create_case(&token, &body).await;
    assert_eq!(case["summary"], "Path C:\\u0000 quoted");
    // A form post from a public page: a live tracking link, a fresh form, and a NUL in the
    // message is refused and nothing reaches the timeline.
    let t = crate::tracking::tracked_case(&app).await;
    let page = app
        .client
        .get(&t.url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = crate::tracking::csrf_of(&page);
    let case_id = t.case["id"].as_str().unwrap();
    let before = app.timeline_kinds(&t.manager, case_id).await;
    let res = app
        .client
        .post(&t.url)
        .form(&[("csrf", csrf.as_str()), ("message", "hello\u{0}there")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(app.timeline_kinds(&t.manager, case_id).await, before);
    // The same form without the NUL is sent.
    let res = app
        .client
        .post(&t.url)
        .form(&[("csrf", csrf.as_str()), ("message", "hello there")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
}

#[tokio::test]
async fn json_answers_are_not_cached_and_odd_methods_do_not_grow_the_metrics() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let res = app.get("/api/v1/me", &token).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let res = app.get("/api/v1/nowhere", &token).await;
    assert_eq!(res.headers()["cache-control"], "no-store", "problems too");
    for method in ["FROB", "XYZZY"] {
        app.client
            .request(
                reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
                app.url("/api/v1/me"),
            )
            .send()
            .await
            .unwrap();
    }
    let metrics = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !metrics.contains("FROB") && !metrics.contains("XYZZY"),
        "{metrics}"
    );
    assert!(metrics.contains("method=\"other\""), "{metrics}");
}

#[test]
fn the_whole_configured_sqlite_window_is_mapped() {
    #[derive(diesel::QueryableByName)]
    struct Size {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        mmap_size: i64,
    }
    // SQLite quietly cuts `mmap_size` to the limit it was built with (2 GiB by default):
    // the window asked for must be the window had (.cargo/config.toml).
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("mapped.db").display());
    let tuning = candour::db::tuning::Tuning::default();
    let db = candour::db::connection::Db::connect_tuned(
        &url,
        2,
        std::time::Duration::from_secs(5),
        tuning,
    )
    .unwrap();
    let asked = i64::try_from(tuning.sqlite_mmap_mib * 1024 * 1024).unwrap();
    assert!(
        asked > 2 << 30,
        "the default window is larger than SQLite's own limit"
    );
    let had = |c: &mut candour::db::DbConnection| -> candour::db::error::DbResult<i64> {
        let rows: Vec<Size> = diesel::RunQueryDsl::load(diesel::sql_query("PRAGMA mmap_size"), c)?;
        Ok(rows[0].mmap_size)
    };
    assert_eq!(db.read_blocking(had).unwrap(), asked);
    assert_eq!(db.write_blocking(had).unwrap(), asked);
}

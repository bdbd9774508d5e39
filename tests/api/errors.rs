//! Every error is application/problem+json: 400, 401, 403, 404, 405, 413, 415; report dates
//! outside the years Candour handles are a 400.

use candour::domain::role::Role;

use crate::helpers::{assert_problem, spawn_app};

#[tokio::test]
async fn malformed_json_is_a_400_saying_what_is_wrong() {
    let app = spawn_app().await;
    let res = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "application/json")
        .body(r#"{"email": "a@b.c", "password": "#)
        .send()
        .await
        .unwrap();
    let body = assert_problem(res, 400).await;
    assert!(
        body["detail"].as_str().unwrap().contains("not valid JSON"),
        "{body}"
    );

    let res = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "application/json")
        .body("")
        .send()
        .await
        .unwrap();
    let body = assert_problem(res, 400).await;
    assert!(body["detail"].as_str().unwrap().contains("empty"), "{body}");

    let res = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "application/json")
        .body(r#"{"email": 42, "password": "x"}"#)
        .send()
        .await
        .unwrap();
    let body = assert_problem(res, 400).await;
    assert_eq!(body["errors"][0]["field"], "email");
}

#[tokio::test]
async fn oversize_bodies_are_413() {
    let app = spawn_app().await;
    let big = format!(
        r#"{{"email": "a@b.c", "password": "{}"}}"#,
        "x".repeat(app.settings.server.max_json_bytes + 1)
    );
    let res = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_problem(res, 413).await;
}

#[tokio::test]
async fn non_json_bodies_are_415() {
    let app = spawn_app().await;
    let res = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "text/plain")
        .body("email=a")
        .send()
        .await
        .unwrap();
    assert_problem(res, 415).await;
}

#[tokio::test]
async fn unknown_routes_are_404_and_wrong_methods_405() {
    let app = spawn_app().await;
    let res = app
        .client
        .get(app.url("/api/v1/nothing-here"))
        .send()
        .await
        .unwrap();
    assert_problem(res, 404).await;
    let res = app
        .client
        .get(app.url("/favicon.ico"))
        .send()
        .await
        .unwrap();
    assert_problem(res, 404).await;

    let res = app
        .client
        .delete(app.url("/api/v1/users"))
        .send()
        .await
        .unwrap();
    let allow = res.headers()["allow"].to_str().unwrap().to_string();
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
    assert_problem(res, 405).await;
    let res = app
        .client
        .get(app.url("/api/v1/auth/login"))
        .send()
        .await
        .unwrap();
    assert_problem(res, 405).await;
    let res = app.client.put(app.url("/healthz")).send().await.unwrap();
    assert_problem(res, 405).await;
}

#[tokio::test]
async fn auth_and_role_failures_are_problems() {
    let app = spawn_app().await;
    let res = app
        .client
        .get(app.url("/api/v1/users"))
        .send()
        .await
        .unwrap();
    assert_problem(res, 401).await;
    let (_, board) = app.signed_in(Role::Board).await;
    assert_problem(app.get("/api/v1/users", &board).await, 403).await;
}

#[tokio::test]
async fn a_role_that_may_not_act_hears_403_before_any_complaint_about_its_body() {
    let app = spawn_app().await;
    let (_, pals) = app.signed_in(Role::PalsOfficer).await;
    let junk = serde_json::json!({"colour": "red"});
    for (method, path) in [
        ("POST", "/api/v1/services"),
        ("PATCH", "/api/v1/services/any"),
        ("POST", "/api/v1/taxonomy/channel"),
        ("PATCH", "/api/v1/taxonomy/channel/email"),
        ("PUT", "/api/v1/calendar/bank-holidays"),
        ("POST", "/api/v1/reports/ko41a/2026/submissions"),
    ] {
        let res = match method {
            "POST" => app.post(path, &pals, &junk).await,
            "PATCH" => app.patch(path, &pals, &junk).await,
            _ => app.put(path, &pals, &junk).await,
        };
        assert_eq!(res.status(), 403, "{method} {path}");
    }
}

/// Found by schemathesis: a date far in the past made the days worked out from it (the period
/// before, the months charted, the year of a calendar) fall before year 1, which was answered
/// as `-0001-01-04`, not a date. Dates outside the years 1900 to 2999 are refused instead.
#[tokio::test]
async fn report_dates_outside_the_years_1900_to_2999_are_a_400_naming_the_parameter() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::Admin).await;
    for (path, field) in [
        (
            "/api/v1/reports/board?from=0001-01-01&to=0001-03-31",
            "from",
        ),
        ("/api/v1/reports/spc?to=0000-12-25", "to"),
        ("/api/v1/reports/spc/early-warning?to=3001-01-01", "to"),
        ("/api/v1/framework-evidence?on=0000-01-03", "on"),
        (
            "/api/v1/feedback/summary?to=2000-01-01&from=1899-12-31",
            "from",
        ),
        ("/api/v1/feedback/summary?to=0001-01-01", "to"),
        ("/api/v1/calendar/bank-holidays?year=-96", "year"),
    ] {
        let body = assert_problem(app.get(path, &token).await, 400).await;
        assert_eq!(body["errors"][0]["field"], field, "{path}: {body}");
    }
    // The edges are fine.
    for path in [
        "/api/v1/reports/board?from=1900-01-01&to=1900-03-31",
        "/api/v1/feedback/summary?from=1900-01-01&to=1900-12-31",
        "/api/v1/calendar/bank-holidays?year=2999",
    ] {
        let res = app.get(path, &token).await;
        assert_eq!(res.status(), 200, "{path}");
    }
}

//! Hardening: the binary in production refuses plain-http links and unencrypted SMTP unless an
//! explicit override says so (naming the setting either way); access tokens and form tokens
//! are signed with separate keys derived from the one secret, so neither passes for the other;
//! `/metrics` needs its scrape token when one is set; a session ends at its absolute lifetime
//! however often it is refreshed.

use std::process::Command;

use candour::auth::keys::{self, Purpose};
use candour::auth::{form_token, tokens};
use candour::config::Secret;
use candour::domain::role::Role;
use jsonwebtoken::{Algorithm, EncodingKey, Header};

use crate::helpers::{
    TEST_SECRET, TestApp, assert_problem, candour_command, spawn_app, spawn_app_with,
};
use crate::tracking::{csrf_of, token_of, tracked_case};

/// The binary in production, with a clean environment and otherwise acceptable settings.
fn production(data_dir: &std::path::Path) -> Command {
    let db = format!("sqlite://{}", data_dir.join("candour.db").display());
    let mut cmd = candour_command(&db, data_dir);
    cmd.env("CANDOUR_ENV", "production")
        .env("CANDOUR__AUTH__JWT_SECRET", "x".repeat(48))
        .env("CANDOUR__AUDIT__KEY", "k".repeat(48))
        .env("CANDOUR__EMAIL__TRANSPORT", "smtp")
        .env("CANDOUR__EMAIL__SMTP_HOST", "127.0.0.1")
        .arg("migrate");
    cmd
}

#[test]
fn production_refuses_http_links_and_smtp_without_tls_unless_overridden() {
    let dir = tempfile::tempdir().unwrap();
    let out = production(dir.path())
        .env(
            "CANDOUR__SERVER__PUBLIC_URL",
            "http://complaints.trust.nhs.uk",
        )
        .env("CANDOUR__EMAIL__SMTP_TLS", "none")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    for setting in [
        "server.public_url",
        "server.allow_insecure_public_url",
        "email.smtp_tls",
        "email.allow_insecure_smtp",
    ] {
        assert!(stderr.contains(setting), "{setting} in {stderr}");
    }
    assert!(!dir.path().join("candour.db").exists(), "nothing may start");

    // No public_url at all means http://host:port links: refused too.
    let out = production(dir.path()).output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("server.public_url"), "{stderr}");
    assert!(
        !stderr.contains("email.smtp_tls"),
        "STARTTLS is fine: {stderr}"
    );

    // The explicit overrides let it run.
    let out = production(dir.path())
        .env(
            "CANDOUR__SERVER__PUBLIC_URL",
            "http://complaints.trust.nhs.uk",
        )
        .env("CANDOUR__EMAIL__SMTP_TLS", "none")
        .env("CANDOUR__SERVER__ALLOW_INSECURE_PUBLIC_URL", "true")
        .env("CANDOUR__EMAIL__ALLOW_INSECURE_SMTP", "true")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // And so does an https address with STARTTLS, without any override.
    let out = production(dir.path())
        .env(
            "CANDOUR__SERVER__PUBLIC_URL",
            "https://complaints.trust.nhs.uk",
        )
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// An access token for a live session of a fresh user, HS256-signed with `key`.
async fn access_token_signed_with(app: &TestApp, key: &[u8]) -> String {
    let (_, token) = app.signed_in(Role::Admin).await;
    let claims = app.state.jwt.verify(&token, app.clock.now_utc()).unwrap();
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(key),
    )
    .unwrap()
}

#[tokio::test]
async fn access_tokens_and_form_tokens_are_signed_with_separate_keys() {
    let app = spawn_app().await;
    let access_key = keys::derive(TEST_SECRET, Purpose::AccessToken);
    let form_key = keys::derive(TEST_SECRET, Purpose::Form);
    // An access token verifies only under the access-token key: not the form key, not the
    // bare secret.
    let good = access_token_signed_with(&app, &access_key).await;
    assert_eq!(app.get("/api/v1/me", &good).await.status(), 200);
    for key in [&form_key[..], TEST_SECRET.as_bytes()] {
        let forged = access_token_signed_with(&app, key).await;
        assert_eq!(app.get("/api/v1/me", &forged).await.status(), 401);
    }

    // A tracking-page form token verifies only under the form key.
    let t = tracked_case(&app).await;
    let html = app
        .client
        .get(&t.url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!csrf_of(&html).is_empty());
    let hash = tokens::hash_token(&token_of(&t.url, "/track/"));
    let link = app
        .state
        .db
        .read(move |c| candour::db::tracking::find_by_hash(c, &hash))
        .await
        .unwrap()
        .unwrap();
    let now = app.clock.now();
    let post = |csrf: String| {
        let (client, url) = (app.client.clone(), t.url.clone());
        async move {
            client
                .post(url)
                .form(&[("csrf", csrf.as_str()), ("message", "hello")])
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    for key in [&access_key[..], TEST_SECRET.as_bytes()] {
        let forged = form_token::issue(key, "tracking-message", &link.id, now);
        assert_eq!(post(forged).await, 400, "a stale form, nothing sent");
    }
    let made = form_token::issue(&form_key, "tracking-message", &link.id, now);
    assert_eq!(post(made).await, 303);
    let kinds = app
        .timeline_kinds(&t.manager, t.case["id"].as_str().unwrap())
        .await;
    assert_eq!(
        kinds.iter().filter(|k| *k == "complainant_message").count(),
        1
    );
}

#[tokio::test]
async fn metrics_need_the_scrape_token_when_one_is_set() {
    let app = spawn_app_with(|s| s.metrics.token = Secret::new("a-scrape-token-for-tests")).await;
    let scrape = |authorization: Option<&'static str>| {
        let mut req = app.client.get(app.url("/metrics"));
        if let Some(value) = authorization {
            req = req.header("authorization", value);
        }
        req.send()
    };
    for wrong in [
        None,
        Some("Bearer a-scrape-token-for-test"),
        Some("Bearer a-scrape-token-for-tests-and-more"),
        Some("a-scrape-token-for-tests"),
    ] {
        let res = scrape(wrong).await.unwrap();
        assert_eq!(res.headers()["www-authenticate"], "Bearer");
        assert_problem(res, 401).await;
    }
    let res = scrape(Some("Bearer a-scrape-token-for-tests"))
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    // The refusals are counted under the route pattern like any other answer.
    assert!(
        text.contains(
            r#"candour_http_requests_total{method="GET",route="/metrics",status="401"} 4"#
        ),
        "{text}"
    );
}

async fn refresh(app: &TestApp, refresh_token: &str) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/auth/refresh"))
        .json(&serde_json::json!({ "refresh_token": refresh_token }))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_session_ends_twelve_hours_after_sign_in_however_often_it_is_refreshed() {
    let app = spawn_app().await;
    let signed_in: chrono::DateTime<chrono::Utc> = "2026-03-02T08:00:00Z".parse().unwrap();
    let at = |minutes: i64| signed_in + chrono::Duration::minutes(minutes);
    app.set_clock(signed_in);
    let user = app.create_user(Role::Investigator).await;
    let mut pair = app.tokens(&user).await;
    // Refreshed regularly, each time well within the refresh token's own 12 hours.
    for minutes in [180, 360, 540, 715] {
        app.set_clock(at(minutes));
        let res = refresh(&app, pair["refresh_token"].as_str().unwrap()).await;
        assert_eq!(res.status(), 200, "at {minutes} minutes");
        pair = res.json().await.unwrap();
    }
    let access = pair["access_token"].as_str().unwrap().to_string();
    app.set_clock(at(12 * 60 - 1));
    assert_eq!(app.get("/api/v1/me", &access).await.status(), 200);
    // Twelve hours after sign-in the session is over: the access token (its own 15 minutes
    // not yet up) and the refresh token (issued 5 minutes ago) are refused.
    app.set_clock(at(12 * 60) + chrono::Duration::seconds(1));
    assert_problem(app.get("/api/v1/me", &access).await, 401).await;
    let res = refresh(&app, pair["refresh_token"].as_str().unwrap()).await;
    let body = assert_problem(res, 401).await;
    assert!(
        body["detail"].as_str().unwrap().contains("12 hours"),
        "{body}"
    );
    // Signing in again opens a new session.
    let pair = app.tokens(&user).await;
    let access = pair["access_token"].as_str().unwrap();
    assert_eq!(app.get("/api/v1/me", access).await.status(), 200);
}

#[tokio::test]
async fn the_absolute_lifetime_is_a_setting() {
    let app = spawn_app_with(|s| s.auth.session_absolute_hours = 2).await;
    let signed_in = app.clock.now_utc();
    let user = app.create_user(Role::Investigator).await;
    let pair = app.tokens(&user).await;
    app.set_clock(signed_in + chrono::Duration::minutes(119));
    let res = refresh(&app, pair["refresh_token"].as_str().unwrap()).await;
    assert_eq!(res.status(), 200);
    let pair: serde_json::Value = res.json().await.unwrap();
    app.set_clock(signed_in + chrono::Duration::minutes(121));
    let res = refresh(&app, pair["refresh_token"].as_str().unwrap()).await;
    assert_problem(res, 401).await;
}

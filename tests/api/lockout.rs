//! An account lockout is never a remote kill switch: failed sign-ins lock out only the client
//! address they came from, so a stranger guessing from elsewhere cannot keep the owner out;
//! `X-Forwarded-For` names the client only when it comes from a trusted proxy.

use candour::config::{Quota, Settings};
use candour::domain::role::Role;
use serde_json::json;

use crate::helpers::{PASSWORD, TestApp, spawn_app, spawn_app_with};

/// A client whose requests come from loopback address `from` (127.0.0.2, 127.0.0.3 …).
fn client_from(from: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(Some(from.parse().unwrap()))
        .build()
        .unwrap()
}

async fn sign_in(
    app: &TestApp,
    client: &reqwest::Client,
    email: &str,
    password: &str,
    forwarded_for: Option<&str>,
) -> u16 {
    let mut req = client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": password}));
    if let Some(xff) = forwarded_for {
        req = req.header("x-forwarded-for", xff);
    }
    req.send().await.unwrap().status().as_u16()
}

/// The per-account sign-in throttle (tests/api/throttle.rs) widened: these tests are about the
/// lockout and the hashing slots, and send more sign-ins for one account than it allows.
fn roomy_account(s: &mut Settings) {
    s.throttle.login_per_account = Quota::new(1000, 1000);
}

#[tokio::test]
async fn a_stranger_guessing_from_elsewhere_cannot_lock_the_owner_out() {
    let app = spawn_app_with(roomy_account).await;
    let admin = app.create_user(Role::Admin).await;
    let (stranger, owner) = (client_from("127.0.0.2"), client_from("127.0.0.3"));
    for _ in 0..12 {
        assert_eq!(
            sign_in(&app, &stranger, &admin.email, "guess guess guess", None).await,
            401
        );
    }
    // The stranger's address is locked, even with the right password …
    assert_eq!(
        sign_in(&app, &stranger, &admin.email, PASSWORD, None).await,
        401
    );
    // … but the owner, elsewhere, signs in.
    assert_eq!(
        sign_in(&app, &owner, &admin.email, PASSWORD, None).await,
        200
    );
    // The administrator sees the lock, and an unlock lifts it for every address.
    let (_, other_admin) = app.signed_in(Role::Admin).await;
    let shown: serde_json::Value = app
        .get(&format!("/api/v1/users/{}", admin.id), &other_admin)
        .await
        .json()
        .await
        .unwrap();
    assert!(shown["locked_until"].is_string(), "{shown}");
    let res = app
        .post(
            &format!("/api/v1/users/{}/unlock", admin.id),
            &other_admin,
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        sign_in(&app, &stranger, &admin.email, PASSWORD, None).await,
        200
    );
}

#[tokio::test]
async fn forwarded_for_counts_only_from_a_trusted_proxy() {
    // Not trusted (the default): a made-up X-Forwarded-For changes nothing, so guesses sent
    // "as" the owner's address still lock only the sender.
    let app = spawn_app().await;
    let user = app.create_user(Role::ComplaintsManager).await;
    let stranger = client_from("127.0.0.2");
    for _ in 0..5 {
        sign_in(
            &app,
            &stranger,
            &user.email,
            "guess guess guess",
            Some("192.0.2.50"),
        )
        .await;
    }
    assert_eq!(
        sign_in(&app, &stranger, &user.email, PASSWORD, Some("192.0.2.99")).await,
        401,
        "locked by its own address, whatever it claims"
    );
    assert_eq!(
        sign_in(&app, &app.client, &user.email, PASSWORD, None).await,
        200
    );

    // Behind a trusted proxy (here loopback 127.0.0.4), the forwarded address is the client.
    let app = spawn_app_with(|s| s.server.trusted_proxies = "127.0.0.4".into()).await;
    let user = app.create_user(Role::ComplaintsManager).await;
    let proxy = client_from("127.0.0.4");
    for _ in 0..5 {
        sign_in(
            &app,
            &proxy,
            &user.email,
            "guess guess guess",
            Some("198.51.100.7"),
        )
        .await;
    }
    assert_eq!(
        sign_in(&app, &proxy, &user.email, PASSWORD, Some("198.51.100.7")).await,
        401
    );
    assert_eq!(
        sign_in(&app, &proxy, &user.email, PASSWORD, Some("198.51.100.8")).await,
        200,
        "another client behind the same proxy"
    );
}

#[tokio::test]
async fn password_checks_run_a_few_at_a_time_and_the_rest_are_told_to_retry() {
    let app = spawn_app_with(|s| {
        roomy_account(s);
        s.auth.password_hash_concurrency = 1;
        s.auth.password_hash_wait_ms = 0;
    })
    .await;
    let user = app.create_user(Role::ComplaintsManager).await;
    let attempts = (0..16).map(|i| {
        let client = client_from(&format!("127.0.0.{}", 10 + i));
        let (app, email) = (&app, user.email.clone());
        async move {
            client
                .post(app.url("/api/v1/auth/login"))
                .json(&json!({"email": email, "password": PASSWORD}))
                .send()
                .await
                .unwrap()
        }
    });
    let answers = futures_util::future::join_all(attempts).await;
    let statuses: Vec<u16> = answers.iter().map(|r| r.status().as_u16()).collect();
    assert!(statuses.contains(&200), "{statuses:?}");
    let busy: Vec<&reqwest::Response> = answers.iter().filter(|r| r.status() == 503).collect();
    assert!(
        !busy.is_empty(),
        "one slot and no wait: some are turned away, {statuses:?}"
    );
    for r in busy {
        assert_eq!(r.headers()["retry-after"], "1");
        assert_eq!(r.headers()["content-type"], "application/problem+json");
    }
    assert!(
        statuses.iter().all(|s| [200, 503].contains(s)),
        "{statuses:?}"
    );
    // With the slot free again, a sign-in goes through.
    assert_eq!(
        sign_in(&app, &app.client, &user.email, PASSWORD, None).await,
        200
    );
}

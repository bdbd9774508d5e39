//! Throttling: sign-in, refresh, password change and the public form posts are limited per
//! client address and per account (or link), answered 429 with `Retry-After` before any
//! password is hashed or anything stored; other addresses and accounts are still served, the
//! quota comes back as the clock moves on, and `throttle.enabled = false` lifts it all.

use std::time::{Duration, Instant};

use candour::config::{Quota, Settings};
use candour::domain::role::Role;
use reqwest::Response;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, assert_problem, spawn_app_with};
use crate::tracking::{csrf_of, tracked_case};

/// A client whose requests come from loopback address `from` (127.0.0.2, 127.0.0.3 …).
fn client_from(from: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(Some(from.parse().unwrap()))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Settings where every quota is generous except those `small` sets.
fn roomy(s: &mut Settings) {
    let big = Quota::new(1000, 1000);
    let t = &mut s.throttle;
    t.enabled = true;
    t.login_per_address = big;
    t.login_per_account = big;
    t.refresh_per_address = big;
    t.password_per_address = big;
    t.password_per_account = big;
    t.public_form_per_address = big;
    t.public_form_per_link = big;
}

async fn sign_in(app: &TestApp, client: &reqwest::Client, email: &str, password: &str) -> Response {
    client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
}

/// The `Retry-After` seconds of a 429 problem document.
async fn refused(res: Response) -> u64 {
    let wait: u64 = res
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("a Retry-After in seconds");
    assert_problem(res, 429).await;
    wait
}

#[tokio::test]
async fn the_sign_in_after_the_quota_from_one_address_waits_while_another_address_is_served() {
    let app = spawn_app_with(|s| {
        roomy(s);
        s.throttle.login_per_address = Quota::new(3, 3);
    })
    .await;
    let user = app.create_user(Role::ComplaintsManager).await;
    let (near, far) = (client_from("127.0.0.2"), client_from("127.0.0.3"));
    for _ in 0..3 {
        assert_eq!(
            sign_in(&app, &near, &user.email, PASSWORD).await.status(),
            200
        );
    }
    let wait = refused(sign_in(&app, &near, &user.email, PASSWORD).await).await;
    // Three a minute: the next one is 20 seconds away.
    assert!((1..=20).contains(&wait), "Retry-After {wait}");
    // Another account from the same address is refused as well.
    let other = app.create_user(Role::Investigator).await;
    refused(sign_in(&app, &near, &other.email, PASSWORD).await).await;
    // Meanwhile another address signs in.
    assert_eq!(
        sign_in(&app, &far, &user.email, PASSWORD).await.status(),
        200
    );
    // Once Retry-After has passed on the server's clock, the address is served again.
    assert!(app.clock.advance(chrono::TimeDelta::seconds(wait as i64)));
    assert_eq!(
        sign_in(&app, &near, &user.email, PASSWORD).await.status(),
        200
    );
    assert_eq!(
        sign_in(&app, &near, &user.email, PASSWORD).await.status(),
        429
    );
}

#[tokio::test]
async fn sign_ins_for_one_account_from_many_addresses_are_limited_but_other_accounts_are_not() {
    let app = spawn_app_with(|s| {
        roomy(s);
        s.throttle.login_per_account = Quota::new(4, 4);
    })
    .await;
    let target = app.create_user(Role::Admin).await;
    // Four guesses from four addresses, in any letter case, use up the account's quota …
    for i in 0..4 {
        let guesser = client_from(&format!("127.0.0.{}", 20 + i));
        let email = if i % 2 == 0 {
            target.email.clone()
        } else {
            target.email.to_uppercase()
        };
        let res = sign_in(&app, &guesser, &email, "guess guess guess").await;
        assert_eq!(res.status(), 401);
    }
    // … so a fifth address is turned away without a password check, even with the password.
    let fifth = client_from("127.0.0.30");
    refused(sign_in(&app, &fifth, &target.email, PASSWORD).await).await;
    // Another account is served from the same addresses.
    let other = app.create_user(Role::Admin).await;
    assert_eq!(
        sign_in(&app, &fifth, &other.email, PASSWORD).await.status(),
        200
    );
}

async fn refresh(app: &TestApp, client: &reqwest::Client, token: &str) -> Response {
    client
        .post(app.url("/api/v1/auth/refresh"))
        .json(&json!({"refresh_token": token}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn refreshes_from_one_address_are_limited() {
    let app = spawn_app_with(|s| {
        roomy(s);
        s.throttle.refresh_per_address = Quota::new(2, 2);
    })
    .await;
    let user = app.create_user(Role::Investigator).await;
    let mut pair = app.tokens(&user).await;
    let near = client_from("127.0.0.2");
    for _ in 0..2 {
        let res = refresh(&app, &near, pair["refresh_token"].as_str().unwrap()).await;
        assert_eq!(res.status(), 200);
        pair = res.json().await.unwrap();
    }
    let token = pair["refresh_token"].as_str().unwrap().to_string();
    refused(refresh(&app, &near, &token).await).await;
    // The refused request did not spend the token: it still works from another address.
    let res = refresh(&app, &client_from("127.0.0.3"), &token).await;
    assert_eq!(res.status(), 200);
}

async fn change_password(
    app: &TestApp,
    client: &reqwest::Client,
    access: &str,
    current: &str,
) -> Response {
    client
        .post(app.url("/api/v1/me/password"))
        .bearer_auth(access)
        .json(&json!({"current_password": current, "new_password": "a brand new long passphrase"}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn password_changes_are_limited_per_address_and_per_user() {
    let app = spawn_app_with(|s| {
        roomy(s);
        s.throttle.password_per_address = Quota::new(2, 2);
        s.throttle.password_per_account = Quota::new(3, 3);
    })
    .await;
    let (_, alice) = app.signed_in(Role::Investigator).await;
    let (_, bob) = app.signed_in(Role::Investigator).await;
    let (a, b, c) = (
        client_from("127.0.0.2"),
        client_from("127.0.0.3"),
        client_from("127.0.0.4"),
    );
    for _ in 0..2 {
        assert_eq!(
            change_password(&app, &a, &alice, "wrong").await.status(),
            400
        );
    }
    // The address's quota is spent, whoever asks.
    refused(change_password(&app, &a, &bob, "wrong").await).await;
    // Alice's third guess from elsewhere is served, her fourth is refused: her own quota.
    assert_eq!(
        change_password(&app, &b, &alice, "wrong").await.status(),
        400
    );
    refused(change_password(&app, &c, &alice, "wrong").await).await;
    // Bob, from an address with quota left, is served.
    assert_eq!(change_password(&app, &c, &bob, "wrong").await.status(), 400);
}

async fn post_message(client: &reqwest::Client, url: &str, csrf: &str, text: &str) -> Response {
    client
        .post(url)
        .form(&[("csrf", csrf), ("message", text)])
        .send()
        .await
        .unwrap()
}

async fn messages_on_timeline(app: &TestApp, manager: &str, case: &Value) -> usize {
    let kinds = app
        .timeline_kinds(manager, case["id"].as_str().unwrap())
        .await;
    kinds.iter().filter(|k| *k == "complainant_message").count()
}

#[tokio::test]
async fn tracking_page_posts_are_limited_per_link_and_per_address() {
    let app = spawn_app_with(|s| {
        roomy(s);
        s.throttle.public_form_per_link = Quota::new(2, 2);
        s.throttle.public_form_per_address = Quota::new(3, 3);
    })
    .await;
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
    let csrf = csrf_of(&html);
    let near = client_from("127.0.0.2");
    for n in 0..2 {
        let res = post_message(&near, &t.url, &csrf, &format!("message {n}")).await;
        assert_eq!(res.status(), 303);
    }
    // The link's quota is spent: from another address too, and nothing is stored.
    let res = post_message(&client_from("127.0.0.3"), &t.url, &csrf, "third").await;
    assert_eq!(res.status(), 429);
    assert!(
        res.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"),
        "the pages answer in HTML"
    );
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Nothing you sent has been stored")
    );
    assert_eq!(messages_on_timeline(&app, &t.manager, &t.case).await, 2);
    // Per address: unknown links and the survey form count too.
    let far = client_from("127.0.0.4");
    for path in [
        "/track/no-such-link",
        "/feedback/no-such-link",
        "/track/another",
    ] {
        let res = post_message(&far, &app.url(path), "x", "hello").await;
        assert_eq!(res.status(), 404, "{path}");
    }
    let res = post_message(&far, &app.url("/feedback/yet-another"), "x", "hi").await;
    assert_eq!(res.status(), 429);
}

#[tokio::test]
async fn a_public_post_to_an_unknown_link_does_not_wait_for_the_database_writer() {
    let app = spawn_app_with(roomy).await;
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
    let csrf = csrf_of(&html);
    // Hold the writer (SQLite has one) for three seconds.
    let db = app.state.db.clone();
    let held = tokio::spawn(async move {
        db.write(|_| -> Result<(), candour::error::AppError> {
            std::thread::sleep(Duration::from_secs(3));
            Ok(())
        })
        .await
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    for (url, csrf, text, status) in [
        (app.url("/track/no-such-link"), csrf.as_str(), "hello", 404),
        (app.url("/feedback/no-such-link"), "x", "hello", 404),
        (t.url.clone(), "stale", "hello", 400),
        (t.url.clone(), csrf.as_str(), "   ", 400),
    ] {
        let res = post_message(&app.client, &url, csrf, text).await;
        assert_eq!(res.status(), status, "{url}");
    }
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "answered from a reading connection in {:?}",
        started.elapsed()
    );
    held.await.unwrap().unwrap();
    // And a good message still goes through the writer.
    let res = post_message(&app.client, &t.url, &csrf, "hello").await;
    assert_eq!(res.status(), 303);
}

#[tokio::test]
async fn with_throttling_off_nothing_is_limited() {
    let app = spawn_app_with(|s| {
        let one = Quota::new(1, 1);
        let t = &mut s.throttle;
        t.enabled = false;
        t.login_per_address = one;
        t.login_per_account = one;
        t.refresh_per_address = one;
        t.password_per_address = one;
        t.password_per_account = one;
        t.public_form_per_address = one;
        t.public_form_per_link = one;
    })
    .await;
    let user = app.create_user(Role::ComplaintsManager).await;
    let mut pair = json!(null);
    for _ in 0..3 {
        let res = sign_in(&app, &app.client, &user.email, PASSWORD).await;
        assert_eq!(res.status(), 200);
        pair = res.json().await.unwrap();
    }
    for _ in 0..3 {
        let res = refresh(&app, &app.client, pair["refresh_token"].as_str().unwrap()).await;
        assert_eq!(res.status(), 200);
        pair = res.json().await.unwrap();
    }
    let access = pair["access_token"].as_str().unwrap();
    for _ in 0..3 {
        let res = change_password(&app, &app.client, access, "wrong").await;
        assert_eq!(res.status(), 400);
    }
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
    let csrf = csrf_of(&html);
    for n in 0..3 {
        let res = post_message(&app.client, &t.url, &csrf, &format!("m{n}")).await;
        assert_eq!(res.status(), 303);
    }
}

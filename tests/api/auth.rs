//! Sign-in, lockout, refresh rotation, sign-out and password change.

use candour::domain::role::Role;
use serde_json::json;

use crate::helpers::{PASSWORD, assert_problem, spawn_app, spawn_app_with};

#[tokio::test]
async fn login_returns_a_token_pair_that_opens_me() {
    let app = spawn_app().await;
    let user = app.create_user(Role::PalsOfficer).await;
    let tokens = app.tokens(&user).await;
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 900);
    assert!(tokens["refresh_token"].as_str().unwrap().len() >= 43);

    let res = app
        .get("/api/v1/me", tokens["access_token"].as_str().unwrap())
        .await;
    assert_eq!(res.status(), 200);
    let me: serde_json::Value = res.json().await.unwrap();
    assert_eq!(me["id"], user.id.as_str());
    assert_eq!(me["role"], "pals_officer");
    assert!(me.get("password_hash").is_none());
    assert!(me["last_login_at"].is_string());
}

#[tokio::test]
async fn email_letter_case_does_not_matter() {
    let app = spawn_app().await;
    let user = app.create_user(Role::Board).await;
    let res = app.login(&user.email.to_uppercase(), PASSWORD).await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_answer() {
    let app = spawn_app().await;
    let user = app.create_user(Role::Investigator).await;
    let wrong = assert_problem(app.login(&user.email, "not the password!").await, 401).await;
    let unknown = assert_problem(app.login("nobody@trust.nhs.uk", PASSWORD).await, 401).await;
    assert_eq!(wrong["detail"], unknown["detail"]);
    assert_eq!(wrong["type"], unknown["type"]);
}

#[tokio::test]
async fn five_failures_lock_the_account_until_an_admin_unlocks_it() {
    let app = spawn_app().await;
    let user = app.create_user(Role::ComplaintsManager).await;
    for _ in 0..5 {
        assert_problem(app.login(&user.email, "wrong password!!").await, 401).await;
    }
    // Locked: even the right password is refused, with the same answer.
    let locked = assert_problem(app.login(&user.email, PASSWORD).await, 401).await;
    let unknown = assert_problem(app.login("nobody@trust.nhs.uk", PASSWORD).await, 401).await;
    assert_eq!(locked["detail"], unknown["detail"]);

    let (_, admin) = app.signed_in(Role::Admin).await;
    let shown: serde_json::Value = app
        .get(&format!("/api/v1/users/{}", user.id), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(shown["locked"], true);

    let res = app
        .post(
            &format!("/api/v1/users/{}/unlock", user.id),
            &admin,
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["locked"], false);
    assert_eq!(app.login(&user.email, PASSWORD).await.status(), 200);
}

#[tokio::test]
async fn a_lock_lapses_by_itself() {
    // A zero-minute lockout lapses at once: the lock is time-bound, not permanent.
    let app = spawn_app_with(|s| {
        s.auth.max_failed_logins = 2;
        s.auth.lockout_minutes = 0;
    })
    .await;
    let user = app.create_user(Role::Board).await;
    for _ in 0..2 {
        assert_problem(app.login(&user.email, "wrong password!!").await, 401).await;
    }
    assert_eq!(app.login(&user.email, PASSWORD).await.status(), 200);
}

#[tokio::test]
async fn fewer_failures_than_the_limit_do_not_lock() {
    let app = spawn_app().await;
    let user = app.create_user(Role::Board).await;
    for _ in 0..4 {
        assert_problem(app.login(&user.email, "wrong password!!").await, 401).await;
    }
    assert_eq!(app.login(&user.email, PASSWORD).await.status(), 200);
    // A success resets the count: four more failures still leave the account open.
    for _ in 0..4 {
        assert_problem(app.login(&user.email, "wrong password!!").await, 401).await;
    }
    assert_eq!(app.login(&user.email, PASSWORD).await.status(), 200);
}

#[tokio::test]
async fn refresh_rotates_and_reuse_ends_the_session() {
    let app = spawn_app().await;
    let user = app.create_user(Role::PalsOfficer).await;
    let first = app.tokens(&user).await;
    let refresh = |token: &str| {
        app.client
            .post(app.url("/api/v1/auth/refresh"))
            .json(&json!({ "refresh_token": token }))
            .send()
    };

    let res = refresh(first["refresh_token"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let second: serde_json::Value = res.json().await.unwrap();
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    let access = second["access_token"].as_str().unwrap().to_string();
    assert_eq!(app.get("/api/v1/me", &access).await.status(), 200);

    // The first refresh token is spent: presenting it again is a theft signal.
    assert_problem(
        refresh(first["refresh_token"].as_str().unwrap())
            .await
            .unwrap(),
        401,
    )
    .await;
    // The whole chain is revoked: the newest refresh token and its access token die too.
    assert_problem(
        refresh(second["refresh_token"].as_str().unwrap())
            .await
            .unwrap(),
        401,
    )
    .await;
    assert_problem(app.get("/api/v1/me", &access).await, 401).await;
}

#[tokio::test]
async fn unknown_refresh_tokens_are_refused() {
    let app = spawn_app().await;
    let res = app
        .client
        .post(app.url("/api/v1/auth/refresh"))
        .json(&json!({ "refresh_token": "made-up" }))
        .send()
        .await
        .unwrap();
    assert_problem(res, 401).await;
}

#[tokio::test]
async fn logout_ends_access_and_refresh_tokens() {
    let app = spawn_app().await;
    let user = app.create_user(Role::Investigator).await;
    let tokens = app.tokens(&user).await;
    let access = tokens["access_token"].as_str().unwrap();
    let other_session = app.tokens(&user).await;

    let res = app
        .client
        .post(app.url("/api/v1/auth/logout"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_problem(app.get("/api/v1/me", access).await, 401).await;
    let res = app
        .client
        .post(app.url("/api/v1/auth/refresh"))
        .json(&json!({ "refresh_token": tokens["refresh_token"] }))
        .send()
        .await
        .unwrap();
    assert_problem(res, 401).await;
    // Another device's session is untouched.
    let other = other_session["access_token"].as_str().unwrap();
    assert_eq!(app.get("/api/v1/me", other).await.status(), 200);
}

#[tokio::test]
async fn changing_your_password_ends_your_other_sessions() {
    let app = spawn_app().await;
    let user = app.create_user(Role::ComplaintsManager).await;
    let this = app.tokens(&user).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let other = app.tokens(&user).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();

    let res = app
        .post(
            "/api/v1/me/password",
            &this,
            &json!({ "current_password": "not it at all!", "new_password": "a brand new passphrase" }),
        )
        .await;
    let body = assert_problem(res, 400).await;
    assert_eq!(body["errors"][0]["field"], "current_password");

    let res = app
        .post(
            "/api/v1/me/password",
            &this,
            &json!({ "current_password": PASSWORD, "new_password": "short" }),
        )
        .await;
    let body = assert_problem(res, 400).await;
    assert_eq!(body["errors"][0]["field"], "new_password");

    let res = app
        .post(
            "/api/v1/me/password",
            &this,
            &json!({ "current_password": PASSWORD, "new_password": "a brand new passphrase" }),
        )
        .await;
    assert_eq!(res.status(), 204);
    assert_eq!(app.get("/api/v1/me", &this).await.status(), 200);
    assert_problem(app.get("/api/v1/me", &other).await, 401).await;
    assert_problem(app.login(&user.email, PASSWORD).await, 401).await;
    assert_eq!(
        app.login(&user.email, "a brand new passphrase")
            .await
            .status(),
        200
    );
}

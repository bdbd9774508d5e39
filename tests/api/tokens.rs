//! Access tokens that must be refused: expired, tampered, unsigned, foreign, other algorithms.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use candour::auth::jwt::JwtKeys;
use candour::domain::role::Role;
use chrono::Duration;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

use crate::helpers::{TEST_SECRET, assert_problem, spawn_app};

/// A live session for a fresh user: (user id, session id, a valid token).
async fn session(app: &crate::helpers::TestApp, role: Role) -> (String, String, String) {
    let (user, token) = app.signed_in(role).await;
    let claims = app.state.jwt.verify(&token, app.clock.now_utc()).unwrap();
    (user.id, claims.sid, token)
}

#[tokio::test]
async fn a_missing_or_malformed_header_is_401_with_a_challenge() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(res.headers()["www-authenticate"], "Bearer");
    assert_problem(res, 401).await;
    let res = app
        .client
        .get(app.url("/api/v1/me"))
        .header("authorization", "Basic YWRtaW46YWRtaW4=")
        .send()
        .await
        .unwrap();
    assert_problem(res, 401).await;
}

#[tokio::test]
async fn expired_tokens_are_refused() {
    let app = spawn_app().await;
    let (uid, sid, _) = session(&app, Role::Admin).await;
    let keys = JwtKeys::new(TEST_SECRET, Duration::minutes(15));
    let token = keys
        .issue(
            &uid,
            Role::Admin,
            &sid,
            app.clock.now_utc() - Duration::minutes(16),
        )
        .unwrap();
    let body = assert_problem(app.get("/api/v1/me", &token).await, 401).await;
    assert!(body["detail"].as_str().unwrap().contains("expired"));
}

#[tokio::test]
async fn tokens_expire_on_the_servers_clock_not_the_systems() {
    let app = spawn_app().await;
    // Issued by a server whose clock is years behind the system's: valid on that clock.
    app.set_clock("2001-02-03T10:00:00Z".parse().unwrap());
    let (_, _, token) = session(&app, Role::Admin).await;
    assert_eq!(app.get("/api/v1/me", &token).await.status(), 200);
    // Just before its fifteen minutes are up it is still valid; a second after, it has expired.
    let issued = app
        .state
        .jwt
        .verify(&token, app.clock.now_utc())
        .unwrap()
        .iat;
    let at = |s: i64| chrono::DateTime::from_timestamp(issued + s, 0).unwrap();
    app.set_clock(at(15 * 60 - 2));
    assert_eq!(app.get("/api/v1/me", &token).await.status(), 200);
    app.set_clock(at(15 * 60 + 1));
    let body = assert_problem(app.get("/api/v1/me", &token).await, 401).await;
    assert_eq!(body["detail"], "The access token has expired.");
}

#[tokio::test]
async fn tampered_tokens_are_refused() {
    let app = spawn_app().await;
    let (_, _, token) = session(&app, Role::Board).await;
    let parts: Vec<&str> = token.split('.').collect();
    let mut claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    claims["role"] = json!("admin");
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        parts[2]
    );
    assert_problem(app.get("/api/v1/me", &forged).await, 401).await;
    assert_problem(app.get("/api/v1/users", &forged).await, 401).await;
}

#[tokio::test]
async fn unsigned_alg_none_tokens_are_refused() {
    let app = spawn_app().await;
    let (uid, sid, _) = session(&app, Role::Board).await;
    let now = app.clock.now_utc().timestamp();
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let claims = URL_SAFE_NO_PAD.encode(
        json!({"sub": uid, "role": "admin", "sid": sid, "iat": now, "exp": now + 600,
               "jti": "x", "iss": "candour"})
        .to_string(),
    );
    for token in [format!("{header}.{claims}."), format!("{header}.{claims}")] {
        assert_problem(app.get("/api/v1/me", &token).await, 401).await;
    }
}

#[tokio::test]
async fn tokens_signed_with_another_key_or_algorithm_are_refused() {
    let app = spawn_app().await;
    let (uid, sid, _) = session(&app, Role::Admin).await;
    let foreign = JwtKeys::new(
        "some-other-secret-that-is-32-bytes-long",
        Duration::minutes(15),
    )
    .issue(&uid, Role::Admin, &sid, app.clock.now_utc())
    .unwrap();
    assert_problem(app.get("/api/v1/me", &foreign).await, 401).await;

    let now = app.clock.now_utc().timestamp();
    let claims = json!({"sub": uid, "role": "admin", "sid": sid, "iat": now, "exp": now + 600,
                        "jti": "x", "iss": "candour"});
    let hs384 = jsonwebtoken::encode(
        &Header::new(Algorithm::HS384),
        &claims,
        &EncodingKey::from_secret(TEST_SECRET.as_bytes()),
    )
    .unwrap();
    assert_problem(app.get("/api/v1/me", &hs384).await, 401).await;
}

#[tokio::test]
async fn a_valid_signature_for_a_session_that_does_not_exist_is_refused() {
    let app = spawn_app().await;
    let (uid, _, _) = session(&app, Role::Admin).await;
    let token = app
        .state
        .jwt
        .issue(&uid, Role::Admin, "no-such-session", app.clock.now_utc())
        .unwrap();
    assert_problem(app.get("/api/v1/me", &token).await, 401).await;
}

//! User administration: admins only, validation, pagination, deactivation.

use candour::domain::role::Role;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, assert_problem, problem_fields, spawn_app};

#[tokio::test]
async fn an_admin_creates_a_user_who_can_sign_in() {
    let app = spawn_app().await;
    let (_, admin) = app.signed_in(Role::Admin).await;
    let res = app
        .post(
            "/api/v1/users",
            &admin,
            &json!({"email": " Sam.Jones@Trust.nhs.uk ", "name": "Sam Jones", "role": "pals_officer",
                    "password": "a long enough password"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        location,
        format!("/api/v1/users/{}", body["id"].as_str().unwrap())
    );
    assert_eq!(body["email"], "Sam.Jones@Trust.nhs.uk");
    assert_eq!(body["role"], "pals_officer");
    assert!(body.get("initial_password").is_none());
    assert_eq!(
        app.login("sam.jones@trust.nhs.uk", "a long enough password")
            .await
            .status(),
        200
    );
    let fetched = app.get(&location, &admin).await;
    assert_eq!(fetched.status(), 200);
}

#[tokio::test]
async fn a_generated_password_is_returned_once_and_works() {
    let app = spawn_app().await;
    let (_, admin) = app.signed_in(Role::Admin).await;
    let res = app
        .post(
            "/api/v1/users",
            &admin,
            &json!({"email": "new@trust.nhs.uk", "name": "New Starter", "role": "investigator"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    let password = body["initial_password"].as_str().unwrap();
    assert!(password.len() >= 12);
    assert_eq!(app.login("new@trust.nhs.uk", password).await.status(), 200);
}

#[tokio::test]
async fn emails_are_unique_in_any_letter_case() {
    let app = spawn_app().await;
    let (admin_user, admin) = app.signed_in(Role::Admin).await;
    let res = app
        .post(
            "/api/v1/users",
            &admin,
            &json!({"email": admin_user.email.to_uppercase(), "name": "Twin", "role": "board",
                    "password": PASSWORD}),
        )
        .await;
    assert_problem(res, 409).await;
}

#[tokio::test]
async fn invalid_fields_are_all_named() {
    let app = spawn_app().await;
    let (_, admin) = app.signed_in(Role::Admin).await;
    let res = app
        .post(
            "/api/v1/users",
            &admin,
            &json!({"email": "not-an-email", "name": "  ", "role": "board", "password": "short"}),
        )
        .await;
    let body = assert_problem(res, 400).await;
    let mut fields = problem_fields(&body);
    fields.sort();
    assert_eq!(fields, ["email", "name", "password"]);

    let res = app
        .post(
            "/api/v1/users",
            &admin,
            &json!({"email": "a@trust.nhs.uk", "name": "A", "role": "superuser"}),
        )
        .await;
    assert_eq!(problem_fields(&assert_problem(res, 400).await), ["role"]);

    let res = app
        .post(
            "/api/v1/users",
            &admin,
            &json!({"name": "A", "role": "board"}),
        )
        .await;
    assert_eq!(problem_fields(&assert_problem(res, 400).await), ["email"]);

    let res = app
        .post(
            "/api/v1/users",
            &admin,
            &json!({"email": "a@trust.nhs.uk", "name": "A", "role": "board", "is_admin": true}),
        )
        .await;
    let body = assert_problem(res, 400).await;
    assert!(body["detail"].as_str().unwrap().contains("is_admin"));
}

#[tokio::test]
async fn the_list_pages_by_email_with_filters() {
    let app = spawn_app().await;
    let (_, admin) = app.signed_in(Role::Admin).await;
    for _ in 0..3 {
        app.create_user(Role::Board).await;
    }
    app.create_user(Role::Investigator).await;

    let first: Value = app
        .get("/api/v1/users?role=board&limit=2", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    let next = first["next"].as_str().unwrap();
    let second: Value = app
        .get(
            &format!("/api/v1/users?role=board&limit=2&cursor={next}"),
            &admin,
        )
        .await
        .json()
        .await
        .unwrap();
    let items = second["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert!(second["next"].is_null());
    let mut emails: Vec<String> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(items)
        .map(|u| u["email"].as_str().unwrap().to_lowercase())
        .collect();
    let before = emails.clone();
    emails.sort();
    assert_eq!(before, emails, "ordered by email");

    let all: Value = app.get("/api/v1/users", &admin).await.json().await.unwrap();
    assert_eq!(all["items"].as_array().unwrap().len(), 5);

    for bad in [
        "limit=0",
        "limit=201",
        "limit=abc",
        "cursor=%%%",
        "role=boss",
    ] {
        let res = app.get(&format!("/api/v1/users?{bad}"), &admin).await;
        assert_problem(res, 400).await;
    }
}

#[tokio::test]
async fn an_admin_changes_name_and_role() {
    let app = spawn_app().await;
    let (_, admin) = app.signed_in(Role::Admin).await;
    let (user, token) = app.signed_in(Role::PalsOfficer).await;
    let path = format!("/api/v1/users/{}", user.id);

    let res = app
        .patch(
            &path,
            &admin,
            &json!({"name": "Renamed Officer", "role": "complaints_manager"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["name"], "Renamed Officer");
    assert_eq!(body["role"], "complaints_manager");
    // The role is read live: the user's existing token now carries the new role.
    let me: Value = app.get("/api/v1/me", &token).await.json().await.unwrap();
    assert_eq!(me["role"], "complaints_manager");

    assert_problem(app.patch(&path, &admin, &json!({})).await, 400).await;
    assert_problem(
        app.patch(&path, &admin, &json!({"email": "x@y.z"})).await,
        400,
    )
    .await;
    assert_problem(app.patch(&path, &admin, &json!({"name": ""})).await, 400).await;
    assert_problem(
        app.patch(
            "/api/v1/users/does-not-exist",
            &admin,
            &json!({"name": "X"}),
        )
        .await,
        404,
    )
    .await;
}

#[tokio::test]
async fn a_deactivated_users_token_stops_working_at_once() {
    let app = spawn_app().await;
    let (_, admin) = app.signed_in(Role::Admin).await;
    let (user, token) = app.signed_in(Role::Investigator).await;
    assert_eq!(app.get("/api/v1/me", &token).await.status(), 200);

    let res = app
        .patch(
            &format!("/api/v1/users/{}", user.id),
            &admin,
            &json!({"active": false}),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_problem(app.get("/api/v1/me", &token).await, 401).await;
    assert_problem(app.login(&user.email, PASSWORD).await, 401).await;

    let res = app
        .patch(
            &format!("/api/v1/users/{}", user.id),
            &admin,
            &json!({"active": true}),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(app.login(&user.email, PASSWORD).await.status(), 200);
    // Reactivation does not revive the old session.
    assert_problem(app.get("/api/v1/me", &token).await, 401).await;
}

#[tokio::test]
async fn admins_cannot_lock_themselves_or_everyone_out() {
    let app = spawn_app().await;
    let (admin_user, admin) = app.signed_in(Role::Admin).await;
    let me = format!("/api/v1/users/{}", admin_user.id);
    assert_problem(app.patch(&me, &admin, &json!({"active": false})).await, 409).await;
    assert_problem(app.patch(&me, &admin, &json!({"role": "board"})).await, 409).await;
    // Renaming yourself is fine.
    assert_eq!(
        app.patch(&me, &admin, &json!({"name": "Head of IT"}))
            .await
            .status(),
        200
    );

    // With a second admin, one may demote the other.
    let (second, _) = app.signed_in(Role::Admin).await;
    let res = app
        .patch(
            &format!("/api/v1/users/{}", second.id),
            &admin,
            &json!({"role": "board"}),
        )
        .await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn every_other_role_is_refused_user_admin() {
    let app = spawn_app().await;
    let target = app.create_user(Role::Board).await;
    for role in [
        Role::ComplaintsManager,
        Role::PalsOfficer,
        Role::Investigator,
        Role::Board,
    ] {
        let (_, token) = app.signed_in(role).await;
        let path = format!("/api/v1/users/{}", target.id);
        let attempts = [
            app.get("/api/v1/users", &token).await,
            app.get(&path, &token).await,
            app.post(
                "/api/v1/users",
                &token,
                &json!({"email": "x@trust.nhs.uk", "name": "X", "role": "admin", "password": PASSWORD}),
            )
            .await,
            app.patch(&path, &token, &json!({"role": "admin"})).await,
            app.post(&format!("{path}/unlock"), &token, &json!({})).await,
        ];
        for res in attempts {
            let body = assert_problem(res, 403).await;
            assert!(body["detail"].as_str().unwrap().contains(role.as_str()));
        }
    }
}

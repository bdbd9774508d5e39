//! The system audit log (`GET /api/v1/audit-log`, admins only) records who did what to
//! accounts, roles, sign-ins, services, the calendar and the coding lists, without passwords or
//! the emails people typed.

use candour::domain::role::Role;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, spawn_app};

async fn audit_log(app: &TestApp, token: &str, query: &str) -> Value {
    let res = app.get(&format!("/api/v1/audit-log{query}"), token).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// The events with `action`, newest first.
fn with_action<'a>(page: &'a Value, action: &str) -> Vec<&'a Value> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == action)
        .collect()
}

#[tokio::test]
async fn account_and_sign_in_events_are_recorded_with_who_and_from_where() {
    let app = spawn_app().await;
    let (admin, token) = app.signed_in(Role::Admin).await;
    // An admin creates an account, makes it a complaints manager, then deactivates it.
    let res = app
        .post(
            "/api/v1/users",
            &token,
            &json!({"email": "new.pals@trust.nhs.uk", "name": "New Officer", "role": "pals_officer"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/users/{id}");
    let res = app
        .patch(&path, &token, &json!({"role": "complaints_manager"}))
        .await;
    assert_eq!(res.status(), 200);
    // A wrong password for an account, and a sign-in for no account at all.
    let victim = app.create_user(Role::Investigator).await;
    assert_eq!(
        app.login(&victim.email, "not the password").await.status(),
        401
    );
    assert_eq!(
        app.login("nobody@trust.nhs.uk", "a guess at a password")
            .await
            .status(),
        401
    );
    let res = app.patch(&path, &token, &json!({"active": false})).await;
    assert_eq!(res.status(), 200);
    let res = app
        .post(
            &format!("/api/v1/users/{}/unlock", victim.id),
            &token,
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);

    let log = audit_log(&app, &token, "?limit=200").await;
    let text = log.to_string();
    let created_event = with_action(&log, "user.created")
        .into_iter()
        .find(|e| e["target_id"] == id.as_str())
        .expect("user.created");
    assert_eq!(created_event["actor_id"], admin.id.as_str());
    assert_eq!(created_event["details"]["role"], "pals_officer");
    let role = with_action(&log, "user.role_changed");
    assert_eq!(role.len(), 1, "{text}");
    assert_eq!(role[0]["details"]["before"], "pals_officer");
    assert_eq!(role[0]["details"]["after"], "complaints_manager");
    assert_eq!(role[0]["actor_id"], admin.id.as_str());
    assert_eq!(with_action(&log, "user.deactivated").len(), 1);
    assert_eq!(
        with_action(&log, "user.unlocked")[0]["target_id"],
        victim.id.as_str()
    );
    let failed = with_action(&log, "sign_in.failed");
    assert_eq!(failed.len(), 1, "{text}");
    assert_eq!(failed[0]["target_id"], victim.id.as_str());
    assert_eq!(failed[0]["client"], "127.0.0.1");
    assert!(failed[0]["actor_id"].is_null());
    let refused = with_action(&log, "sign_in.refused");
    assert_eq!(refused.len(), 1, "{text}");
    assert!(refused[0]["target_id"].is_null());
    assert_eq!(refused[0]["details"]["reason"], "no such account");
    let sign_ins = with_action(&log, "sign_in");
    assert!(
        sign_ins.iter().any(|e| e["actor_id"] == admin.id.as_str()),
        "{text}"
    );
    // Nothing typed at a sign-in, and no password, is kept.
    for secret in [
        "not the password",
        "nobody@trust.nhs.uk",
        "a guess at a password",
        admin.password.as_str(),
    ] {
        assert!(!text.contains(secret), "{secret} is in the audit log");
    }
    // Newest first, one chain: sequence numbers fall by one down the page.
    let seqs: Vec<i64> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect();
    assert!(seqs.windows(2).all(|w| w[0] == w[1] + 1), "{seqs:?}");
}

#[tokio::test]
async fn service_leads_the_calendar_and_coding_lists_are_recorded() {
    let app = spawn_app().await;
    let (admin, token) = app.signed_in(Role::Admin).await;
    let lead = app.create_user(Role::Investigator).await;
    let res = app
        .post(
            "/api/v1/services",
            &token,
            &json!({"kind": "site", "code": "GEN", "name": "General Hospital"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let site: Value = res.json().await.unwrap();
    let site_id = site["id"].as_str().unwrap();
    let res = app
        .patch(
            &format!("/api/v1/services/{site_id}"),
            &token,
            &json!({"lead_user_id": lead.id}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .post(
            "/api/v1/taxonomy/channel",
            &token,
            &json!({"code": "via_social_media", "label": "Via social media"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let res = app
        .put(
            "/api/v1/calendar/bank-holidays",
            &token,
            &json!({"note": "2031 published", "holidays": [
                {"date": "2031-01-01", "name": "New Year's Day"}
            ]}),
        )
        .await;
    assert_eq!(res.status(), 200);

    let log = audit_log(&app, &token, "").await;
    let lead_change = with_action(&log, "service.lead_changed");
    assert_eq!(lead_change.len(), 1);
    assert_eq!(lead_change[0]["target_id"], site_id);
    assert!(lead_change[0]["details"]["lead_user_id"]["before"].is_null());
    assert_eq!(
        lead_change[0]["details"]["lead_user_id"]["after"],
        lead.id.as_str()
    );
    assert_eq!(with_action(&log, "service.created").len(), 1);
    let item = with_action(&log, "taxonomy.item_added");
    assert_eq!(item[0]["target_id"], "channel/via_social_media");
    let calendar = with_action(&log, "calendar.published");
    assert_eq!(calendar[0]["actor_id"], admin.id.as_str());
    assert_eq!(calendar[0]["details"]["years_replaced"], json!([2031]));

    // Filters and pages.
    let only = audit_log(&app, &token, "?action=service.lead_changed").await;
    assert_eq!(only["items"].as_array().unwrap().len(), 1);
    let first = audit_log(&app, &token, "?limit=2").await;
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    let next = first["next"].as_str().unwrap();
    let second = audit_log(&app, &token, &format!("?limit=2&cursor={next}")).await;
    assert_eq!(
        second["items"][0]["seq"].as_i64().unwrap(),
        first["items"][1]["seq"].as_i64().unwrap() - 1
    );
}

#[tokio::test]
async fn only_admins_read_the_audit_log() {
    let app = spawn_app().await;
    for role in [
        Role::ComplaintsManager,
        Role::PalsOfficer,
        Role::Investigator,
        Role::Board,
    ] {
        let (_, token) = app.signed_in(role).await;
        assert_problem(app.get("/api/v1/audit-log", &token).await, 403).await;
    }
    assert_problem(app.get("/api/v1/audit-log", "not-a-token").await, 401).await;
    let (_, admin) = app.signed_in(Role::Admin).await;
    assert_problem(
        app.get("/api/v1/audit-log?cursor=not-a-cursor", &admin)
            .await,
        400,
    )
    .await;
}

#[tokio::test]
async fn exports_and_submitted_returns_are_recorded() {
    let app = spawn_app().await;
    let (manager, token) = app.signed_in(Role::ComplaintsManager).await;
    let res = app
        .get("/api/v1/reports/ko41a?year=2026&format=csv", &token)
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .post(
            "/api/v1/reports/board-pack-links",
            &token,
            &json!({"from": "2026-04-01", "to": "2026-06-30"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    // The JSON return is read, not exported.
    let res = app.get("/api/v1/reports/ko41a?year=2026", &token).await;
    assert_eq!(res.status(), 200);

    let (_, admin) = app.signed_in(Role::Admin).await;
    let log = audit_log(&app, &admin, "?action=report.exported").await;
    let targets: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["target_id"].as_str().unwrap())
        .collect();
    assert_eq!(targets, vec!["board_pack_link", "ko41a_csv"], "{log}");
    assert!(
        log["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["actor_id"] == manager.id.as_str())
    );
    assert_eq!(log["items"][0]["details"]["from"], "2026-04-01");
}

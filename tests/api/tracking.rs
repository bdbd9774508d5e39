//! The complainant's tracking page over HTTP: links stored as hashes, one live link per case,
//! revoked and expired links, what the page shows and hides, its headers, messages onto the
//! timeline with an alert that leaves the text out, the daily limit, and staff-only routes.

use candour::domain::role::Role;
use chrono::{Duration, NaiveDate};
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::{
    TestApp, TestUser, assert_problem, complaint, insert_service, pals_concern, spawn_app,
    spawn_app_with,
};

/// One queued email: (template, recipient, subject, text body, HTML body).
pub type Queued = (String, String, String, String, Option<String>);

/// The emails queued about a case, oldest first.
pub async fn outbox_for_case(app: &TestApp, case_id: &str) -> Vec<Queued> {
    use candour::db::schema::outbox_messages as o;
    let id = case_id.to_string();
    app.state
        .db
        .read(move |c| -> Result<Vec<Queued>, candour::error::AppError> {
            Ok(o::table
                .filter(o::case_id.eq(id))
                .order((o::created_at, o::id))
                .select((
                    o::template,
                    o::recipient,
                    o::subject,
                    o::text_body,
                    o::html_body,
                ))
                .load(c)?)
        })
        .await
        .unwrap()
}

/// The value of the hidden `csrf` field of a page.
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("a csrf field") + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_string()
}

pub fn sha256_hex(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The path part of a link (`/track/<token>`) and its token.
pub fn token_of(url: &str, prefix: &str) -> String {
    let at = url.find(prefix).expect("the link's path") + prefix.len();
    url[at..].to_string()
}

/// An acknowledged complaint with a handler, and a tracking link issued by a manager.
pub struct Tracked {
    pub manager: String,
    pub handler: TestUser,
    pub case: Value,
    pub url: String,
}

pub async fn tracked_case(app: &TestApp) -> Tracked {
    let (_, manager) = app.signed_in(Role::ComplaintsManager).await;
    let handler = app.create_user(Role::ComplaintsManager).await;
    let service = insert_service(app, "WARD1", None).await;
    let today = app.today();
    let case = app
        .create_case(&manager, &complaint(&service, &today.to_string()))
        .await;
    let case = app
        .act_ok(
            &manager,
            &case,
            "acknowledge",
            json!({"method": "email", "handling_discussion_offered": true, "meeting_offered": true}),
        )
        .await;
    let case = app
        .act_ok(&manager, &case, "assign", json!({"handler_id": handler.id}))
        .await;
    // The acknowledgement's link is issued as its email leaves: wait for that, so that the
    // link issued next is the newer one whatever the worker's pace.
    let case_id = case["id"].as_str().unwrap();
    crate::feedback::delivered_link(app, case_id, "acknowledgement", "/track/").await;
    let url = issue(app, &manager, &case).await;
    Tracked {
        manager,
        handler,
        case,
        url,
    }
}

/// `POST /cases/{id}/tracking-links`: the new link's URL.
pub async fn issue(app: &TestApp, token: &str, case: &Value) -> String {
    let id = case["id"].as_str().unwrap();
    let res = app
        .post(
            &format!("/api/v1/cases/{id}/tracking-links"),
            token,
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    body["url"].as_str().unwrap().to_string()
}

async fn get_page(app: &TestApp, url: &str) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let res = app.client.get(url).send().await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    (status, headers, res.text().await.unwrap())
}

async fn post_message(app: &TestApp, url: &str, csrf: &str, text: &str) -> reqwest::Response {
    app.client
        .post(url)
        .form(&[("csrf", csrf), ("message", text)])
        .send()
        .await
        .unwrap()
}

fn assert_html_page(headers: &reqwest::header::HeaderMap) {
    let h = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        h("content-type").starts_with("text/html"),
        "{}",
        h("content-type")
    );
    let csp = h("content-security-policy");
    for part in [
        "default-src 'none'",
        "style-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ] {
        assert!(csp.contains(part), "{part} missing from {csp}");
    }
    assert_eq!(h("cache-control"), "no-store");
    assert_eq!(h("referrer-policy"), "no-referrer");
    assert!(h("x-robots-tag").contains("noindex"));
}

#[tokio::test]
async fn the_page_shows_the_stage_and_handler_and_only_the_hash_is_stored() {
    let app = spawn_app().await;
    let t = tracked_case(&app).await;
    let case_id = t.case["id"].as_str().unwrap();
    assert!(
        t.url.starts_with(&format!("{}/track/", app.address)),
        "{}",
        t.url
    );
    let token = token_of(&t.url, "/track/");
    assert_eq!(token.len(), 43, "256 random bits, base64url");
    // A staff note and the handler's email must never reach the page.
    let res = app
        .post(
            &format!("/api/v1/cases/{case_id}/notes"),
            &t.manager,
            &json!({"text": "STAFF ONLY: complainant seems vexatious"}),
        )
        .await;
    assert_eq!(res.status(), 201);

    // The database holds the SHA-256 of the token, never the token.
    let id = case_id.to_string();
    let stored: Vec<(String, Option<chrono::NaiveDateTime>)> = app
        .state
        .db
        .read(move |c| -> Result<_, candour::error::AppError> {
            use candour::db::schema::tracking_links as t;
            Ok(t::table
                .filter(t::case_id.eq(id))
                .select((t::token_hash, t::revoked_at))
                .load(c)?)
        })
        .await
        .unwrap();
    // The acknowledgement issued the first link; issuing again revoked it.
    assert_eq!(stored.len(), 2);
    let live: Vec<_> = stored
        .iter()
        .filter(|(_, revoked)| revoked.is_none())
        .collect();
    assert_eq!(live.len(), 1, "exactly one live link");
    assert_eq!(live[0].0, sha256_hex(&token));
    assert!(
        stored
            .iter()
            .all(|(hash, _)| hash != &token && hash.len() == 64)
    );
    let timeline = app
        .get(&format!("/api/v1/cases/{case_id}/timeline"), &t.manager)
        .await
        .text()
        .await
        .unwrap();
    assert!(!timeline.contains(&token), "the token is on the timeline");

    let (status, headers, html) = get_page(&app, &t.url).await;
    assert_eq!(status, 200);
    assert_html_page(&headers);
    let reference = t.case["reference"].as_str().unwrap();
    assert!(html.contains("lang=\"en-GB\""));
    assert!(html.contains(reference), "reference missing");
    assert!(
        html.contains("<h1>We have acknowledged your complaint</h1>"),
        "{html}"
    );
    assert!(
        html.contains("Test complaints_manager, Complaints manager"),
        "handler missing: {html}"
    );
    assert!(html.contains("href=\"#main-content\""), "skip link");
    assert!(
        html.contains("<label class=\"label\" for=\"message\">"),
        "label for the message"
    );
    let due = t.case["response_due_on"]
        .as_str()
        .unwrap()
        .parse::<NaiveDate>()
        .unwrap();
    assert!(
        html.contains(&due.format("%-d %B %Y").to_string()),
        "response date missing"
    );
    assert!(!html.contains("STAFF ONLY"), "a staff note leaked");
    assert!(
        !html.contains(&t.handler.email),
        "the handler's email leaked"
    );
    assert!(!html.contains("@trust.nhs.uk"), "a staff email leaked");
    assert!(!html.contains("<script"), "no JavaScript");

    let css = app
        .client
        .get(app.url("/assets/candour.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(css.status(), 200);
    assert!(
        css.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    assert!(css.text().await.unwrap().contains("#005eb8"));
}

#[tokio::test]
async fn a_private_link_is_made_live_only_when_a_message_is_filled_in_and_replaces_the_older_one() {
    use candour::email::secret_links::{PLACEHOLDER, Secret, redact};
    let app = spawn_app().await;
    let t = tracked_case(&app).await;
    let case_id = t.case["id"].as_str().unwrap().to_string();
    let stored = format!("Follow your complaint at {}", Secret::Track.marker());
    assert_eq!(
        redact(&stored),
        format!("Follow your complaint at {PLACEHOLDER}")
    );
    let now = app.clock.now();
    let outbox = app.state.outbox.clone();
    let (filled, issued) = app
        .state
        .db
        .write(move |c| {
            let mut body = stored.clone();
            let n = outbox.fill_private_links(c, &case_id, &mut [&mut body], None, now)?;
            Ok::<_, candour::db::DbError>((body, n))
        })
        .await
        .unwrap();
    assert_eq!(issued, 1);
    let url = filled
        .split_whitespace()
        .find(|w| w.contains("/track/"))
        .expect("a live link")
        .to_string();
    let (status, _, html) = get_page(&app, &url).await;
    assert_eq!(status, 200);
    assert!(html.contains(t.case["reference"].as_str().unwrap()));
    // The link issued by staff before it was superseded.
    assert_eq!(get_page(&app, &t.url).await.0, 410);
}

#[tokio::test]
async fn unknown_superseded_revoked_and_expired_links_get_friendly_pages() {
    let app = spawn_app().await;
    let t = tracked_case(&app).await;
    let reference = t.case["reference"].as_str().unwrap();
    let case_id = t.case["id"].as_str().unwrap();

    for path in ["/track/not-a-real-token", "/track/a/b", "/track/"] {
        let (status, headers, html) = get_page(&app, &app.url(path)).await;
        assert_eq!(status, 404, "{path}");
        assert_html_page(&headers);
        assert!(html.contains("Page not found"), "{path}: {html}");
    }
    let res = app.client.put(&t.url).send().await.unwrap();
    assert_eq!(res.status(), 405);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );

    // A new link supersedes the old one.
    let second = issue(&app, &t.manager, &t.case).await;
    let (status, headers, html) = get_page(&app, &t.url).await;
    assert_eq!(status, 410);
    assert_html_page(&headers);
    assert!(html.contains("This link has expired"));
    assert!(!html.contains(reference), "a dead link reveals the case");
    assert_eq!(get_page(&app, &second).await.0, 200);

    // Revoked.
    let res = app
        .post(
            &format!("/api/v1/cases/{case_id}/tracking-links/revoke"),
            &t.manager,
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["revoked"], 1);
    let (status, _, html) = get_page(&app, &second).await;
    assert_eq!(status, 410);
    assert!(!html.contains(reference));
    // A message to a revoked link is refused and stores nothing.
    let before = app.timeline_kinds(&t.manager, case_id).await;
    let res = post_message(&app, &second, "x", "hello").await;
    assert_eq!(res.status(), 410);
    assert_eq!(app.timeline_kinds(&t.manager, case_id).await, before);
    let kinds = app.timeline_kinds(&t.manager, case_id).await;
    assert!(
        kinds.contains(&"tracking_link_revoked".to_string()),
        "{kinds:?}"
    );
}

#[tokio::test]
async fn links_expire_days_after_the_case_closes() {
    let app = spawn_app_with(|s| s.tracking.link_days_after_closure = 3).await;
    let (_, manager) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "WARD1", None).await;
    let today = app.today();
    let day = |n: i64| (today - Duration::days(n)).to_string();
    let case = app
        .create_case(&manager, &complaint(&service, &day(30)))
        .await;
    let case = app
        .act_ok(
            &manager,
            &case,
            "acknowledge",
            json!({"acknowledged_on": day(29), "method": "email",
            "handling_discussion_offered": true, "meeting_offered": false}),
        )
        .await;
    let url = issue(&app, &manager, &case).await;
    let case = app
        .act_ok(
            &manager,
            &case,
            "respond",
            json!({"sent_on": day(10), "signed_by": "Chief Executive",
            "aspect_outcomes": [{"subject": "admissions_discharges", "outcome": "upheld"},
                                {"subject": "communications", "outcome": "not_upheld"}],
            "ombudsman_rights_given": true}),
        )
        .await;
    assert_eq!(get_page(&app, &url).await.0, 200, "responded: still open");
    // Closed two days ago: the link works until the third day after closure.
    app.act_ok(&manager, &case, "close", json!({"closed_on": day(2)}))
        .await;
    let (status, _, html) = get_page(&app, &url).await;
    assert_eq!(status, 200);
    assert!(html.contains("Your complaint is closed"));
    assert!(
        html.contains("You can no longer send messages"),
        "no form once closed"
    );
    // A case closed four days ago: its link has expired.
    let old = app
        .create_case(&manager, &complaint(&service, &day(30)))
        .await;
    let old = app
        .act_ok(
            &manager,
            &old,
            "acknowledge",
            json!({"acknowledged_on": day(29), "method": "email",
            "handling_discussion_offered": true, "meeting_offered": false}),
        )
        .await;
    let old_url = issue(&app, &manager, &old).await;
    let old = app
        .act_ok(
            &manager,
            &old,
            "respond",
            json!({"sent_on": day(10), "signed_by": "Chief Executive",
            "aspect_outcomes": [{"subject": "admissions_discharges", "outcome": "upheld"},
                                {"subject": "communications", "outcome": "not_upheld"}],
            "ombudsman_rights_given": true}),
        )
        .await;
    app.act_ok(&manager, &old, "close", json!({"closed_on": day(4)}))
        .await;
    let (status, headers, html) = get_page(&app, &old_url).await;
    assert_eq!(status, 410);
    assert_html_page(&headers);
    assert!(!html.contains(old["reference"].as_str().unwrap()));

    // A PALS concern escalated four days ago: its own link has expired too (the complaint it
    // became has a link of its own); one escalated today still opens.
    for (escalated_on, expected) in [(day(4), 410), (day(0), 200)] {
        let pals = app
            .create_case(&manager, &pals_concern(&service, &day(10)))
            .await;
        let pals_url = issue(&app, &manager, &pals).await;
        let pals = app
            .act_ok(
                &manager,
                &pals,
                "escalate",
                json!({"reason": "Wants a formal complaint", "received_on": escalated_on,
                       "risk": {"consequence": 1, "likelihood": 2}}),
            )
            .await;
        assert_eq!(pals["status"], "escalated");
        assert_eq!(
            get_page(&app, &pals_url).await.0,
            expected,
            "{escalated_on}"
        );
    }
}

#[tokio::test]
async fn a_message_goes_on_the_timeline_and_alerts_the_handler_without_its_text() {
    let app = spawn_app().await;
    let t = tracked_case(&app).await;
    let case_id = t.case["id"].as_str().unwrap();
    let (_, _, html) = get_page(&app, &t.url).await;
    let csrf = csrf_of(&html);
    let text = "Please call me about the discharge letter (marker QX7-PRIVATE).";

    let res = post_message(&app, &t.url, &csrf, text).await;
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(location, format!("{}?sent=1", token_of(&t.url, "/track/")));
    let (status, _, html) = get_page(&app, &format!("{}?sent=1", t.url)).await;
    assert_eq!(status, 200);
    assert!(html.contains("Your message has been sent"));

    let events: Vec<Value> = app
        .get(&format!("/api/v1/cases/{case_id}/timeline"), &t.manager)
        .await
        .json()
        .await
        .unwrap();
    let last = events.last().unwrap();
    assert_eq!(last["kind"], "complainant_message");
    assert_eq!(last["details"]["text"], text);
    assert!(last["actor_id"].is_null());
    assert!(
        !last["summary"].as_str().unwrap().contains("QX7-PRIVATE"),
        "free text in the summary"
    );

    let alerts: Vec<Queued> = outbox_for_case(&app, case_id)
        .await
        .into_iter()
        .filter(|m| m.0 == "complainant_message_alert")
        .collect();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    let (_, to, subject, body, html) = &alerts[0];
    assert_eq!(to, &t.handler.email);
    assert!(subject.contains(t.case["reference"].as_str().unwrap()));
    assert!(
        !body.contains("QX7-PRIVATE") && !html.as_deref().unwrap_or("").contains("QX7-PRIVATE"),
        "the alert carries the message"
    );

    // Invalid input: the form comes back with an error summary linking to the field.
    let res = post_message(&app, &t.url, &csrf, "   ").await;
    assert_eq!(res.status(), 400);
    let html = res.text().await.unwrap();
    assert!(html.contains("There is a problem"));
    assert!(
        html.contains("<a href=\"#message\">Enter your message</a>"),
        "{html}"
    );
    assert!(html.contains("<title>Error: "), "title says error");
    // A form not rendered for this link: nothing stored.
    let before = app.timeline_kinds(&t.manager, case_id).await;
    let res = post_message(&app, &t.url, "12345.forged", "hello").await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("page had expired"));
    assert_eq!(app.timeline_kinds(&t.manager, case_id).await, before);
}

#[tokio::test]
async fn without_a_handler_every_active_complaints_manager_is_alerted() {
    let app = spawn_app().await;
    let (_, manager) = app.signed_in(Role::ComplaintsManager).await;
    let other = app.create_user(Role::ComplaintsManager).await;
    app.create_user(Role::PalsOfficer).await;
    let service = insert_service(&app, "WARD1", None).await;
    let today = app.today().to_string();
    let case = app
        .create_case(&manager, &complaint(&service, &today))
        .await;
    let url = issue(&app, &manager, &case).await;
    let (_, _, html) = get_page(&app, &url).await;
    assert!(html.contains("The complaints team"));
    let res = post_message(&app, &url, &csrf_of(&html), "Any news?").await;
    assert_eq!(res.status(), 303);
    let alerts: Vec<String> = outbox_for_case(&app, case["id"].as_str().unwrap())
        .await
        .into_iter()
        .filter(|m| m.0 == "complainant_message_alert")
        .map(|m| m.1)
        .collect();
    assert_eq!(alerts.len(), 2, "{alerts:?}");
    assert!(alerts.contains(&other.email));
    assert!(
        alerts.iter().all(|a| a.starts_with("complaints_manager-")),
        "{alerts:?}"
    );
}

#[tokio::test]
async fn messages_are_limited_per_link_per_day() {
    let app = spawn_app_with(|s| s.tracking.max_messages_per_day = 2).await;
    let t = tracked_case(&app).await;
    let case_id = t.case["id"].as_str().unwrap();
    let (_, _, html) = get_page(&app, &t.url).await;
    let csrf = csrf_of(&html);
    for n in 0..2 {
        let res = post_message(&app, &t.url, &csrf, &format!("message {n}")).await;
        assert_eq!(res.status(), 303);
    }
    let res = post_message(&app, &t.url, &csrf, "message 3").await;
    assert_eq!(res.status(), 429);
    let html = res.text().await.unwrap();
    assert!(html.contains("Please try again tomorrow"), "{html}");
    assert!(
        html.contains("message 3"),
        "the text is kept for the person"
    );
    let kinds = app.timeline_kinds(&t.manager, case_id).await;
    assert_eq!(
        kinds.iter().filter(|k| *k == "complainant_message").count(),
        2
    );
}

#[tokio::test]
async fn only_complaints_managers_and_admins_issue_and_revoke_links() {
    let app = spawn_app().await;
    let t = tracked_case(&app).await;
    let case_id = t.case["id"].as_str().unwrap();
    for role in [Role::PalsOfficer, Role::Investigator, Role::Board] {
        let (_, token) = app.signed_in(role).await;
        for path in ["tracking-links", "tracking-links/revoke"] {
            let res = app
                .post(
                    &format!("/api/v1/cases/{case_id}/{path}"),
                    &token,
                    &json!({}),
                )
                .await;
            assert_problem(res, 403).await;
        }
    }
    let res = app
        .client
        .post(app.url(&format!("/api/v1/cases/{case_id}/tracking-links")))
        .send()
        .await
        .unwrap();
    assert_problem(res, 401).await;
    let (_, admin) = app.signed_in(Role::Admin).await;
    let url = issue(&app, &admin, &t.case).await;
    assert_eq!(get_page(&app, &url).await.0, 200);
    let res = app
        .post(
            "/api/v1/cases/no-such-case/tracking-links",
            &admin,
            &json!({}),
        )
        .await;
    assert_problem(res, 404).await;
}

#[tokio::test]
async fn the_page_shows_an_arranged_meeting_on_the_uk_clock_without_staff_notes() {
    let app = spawn_app().await;
    let t = tracked_case(&app).await;
    let id = t.case["id"].as_str().unwrap();
    let today = app.today().to_string();
    let res = app
        .post(
            &format!("/api/v1/cases/{id}/meetings"),
            &t.manager,
            &json!({"offered_on": today, "method": "letter", "note": "STAFF ONLY offer note"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let meeting: Value = res.json().await.unwrap();
    let (_, _, html) = get_page(&app, &t.url).await;
    assert!(html.contains("Meeting offered"), "{html}");
    let act = |meeting: Value, action: &'static str, body: Value| {
        let app = &app;
        let manager = t.manager.clone();
        async move {
            let mut body = body;
            body["version"] = meeting["version"].clone();
            let mid = meeting["id"].as_str().unwrap();
            let res = app
                .post(&format!("/api/v1/meetings/{mid}/{action}"), &manager, &body)
                .await;
            let status = res.status();
            let json: Value = res.json().await.unwrap();
            assert_eq!(status, 200, "{action}: {json}");
            json
        }
    };
    let meeting = act(meeting, "accept", json!({"accepted_on": today})).await;
    act(
        meeting,
        "schedule",
        json!({"starts_at": "2027-01-12T10:00:00Z", "ends_at": "2027-01-12T11:00:00Z",
               "location": "Room 4, Main Building", "staff_attendee_ids": [t.handler.id],
               "accessibility_needs": "STAFF ONLY arrangements"}),
    )
    .await;
    let (status, _, html) = get_page(&app, &t.url).await;
    assert_eq!(status, 200);
    assert!(html.contains("Meeting arranged"), "{html}");
    assert!(
        html.contains("Tuesday 12 January 2027, 10am to 11am (GMT)"),
        "{html}"
    );
    assert!(html.contains("Room 4, Main Building"), "{html}");
    assert!(!html.contains("STAFF ONLY"), "a staff note leaked: {html}");
}

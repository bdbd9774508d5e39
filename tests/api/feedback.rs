//! The handling-feedback survey over HTTP: invitations only after the response, by email or
//! for a letter, the automatic job (due date, once per case, safe when run twice at once), the
//! survey answered once, expired links, the summary's arithmetic, and who may see what.

use candour::domain::role::Role;
use candour::services::feedback::invite_due;
use chrono::Duration;
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, complaint, insert_service, spawn_app};
use crate::tracking::{csrf_of, outbox_for_case, sha256_hex, token_of};

/// A manager's token and a complaint taken to `responded`.
pub async fn responded(app: &TestApp) -> (String, Value) {
    let (_, manager) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(
        app,
        &format!("W{}", &uuid::Uuid::new_v4().simple().to_string()[..6]),
        None,
    )
    .await;
    let today = app.today().to_string();
    let case = app.responded_complaint(&manager, &service, &today).await;
    (manager, case)
}

/// Invite on demand and return the survey URL from the email sent to the complainant.
pub async fn invite(app: &TestApp, manager: &str, case: &Value) -> String {
    let id = case["id"].as_str().unwrap();
    let before = message_ids(app, id, "feedback_invitation").await;
    let res = app
        .post(
            &format!("/api/v1/cases/{id}/feedback-invitations"),
            manager,
            &json!({}),
        )
        .await;
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["delivery"], "email");
    assert!(body.get("letter_url").is_none(), "{body}");
    let mail = outbox_for_case(app, id)
        .await
        .into_iter()
        .rfind(|m| m.0 == "feedback_invitation")
        .expect("an invitation email");
    assert_eq!(mail.1, "alex@example.org");
    // The stored copy holds no working link: it is made as the email leaves.
    assert!(!mail.3.contains("/feedback/"), "{}", mail.3);
    let new = message_ids(app, id, "feedback_invitation")
        .await
        .into_iter()
        .find(|m| !before.contains(m))
        .expect("a new invitation email");
    delivered_link_of(app, &new, "/feedback/").await
}

/// The Message-IDs of the emails about `case_id` from `template`.
async fn message_ids(app: &TestApp, case_id: &str, template: &str) -> Vec<String> {
    use candour::db::schema::outbox_messages as o;
    let (id, t) = (case_id.to_string(), template.to_string());
    app.state
        .db
        .read(move |c| -> Result<Vec<String>, candour::error::AppError> {
            Ok(o::table
                .filter(o::case_id.eq(id))
                .filter(o::template.eq(t))
                .select(o::message_id)
                .load(c)?)
        })
        .await
        .unwrap()
}

/// The link in the (only) email about `case_id` from `template` as it was delivered.
pub async fn delivered_link(app: &TestApp, case_id: &str, template: &str, prefix: &str) -> String {
    let ids = message_ids(app, case_id, template).await;
    assert_eq!(ids.len(), 1, "one {template} email");
    delivered_link_of(app, &ids[0], prefix).await
}

/// The link in email `message_id` as it was delivered (the .eml the worker wrote), waiting for
/// the worker to send it.
pub async fn delivered_link_of(app: &TestApp, message_id: &str, prefix: &str) -> String {
    let file = app
        .settings
        .data
        .dir
        .join("outbox")
        .join(candour::email::mailer::eml_file_name(message_id));
    for _ in 0..200 {
        if let Ok(raw) = std::fs::read(&file) {
            let mail = crate::mail_sink::parse(&raw);
            let text = mail.text.expect("a text part");
            return text
                .split_whitespace()
                .find(|w| w.contains(prefix))
                .unwrap_or_else(|| panic!("no {prefix} link in {text}"))
                .to_string();
        }
        app.state.outbox.wake();
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{message_id} was not delivered");
}

async fn page(app: &TestApp, url: &str) -> (StatusCode, String) {
    let res = app.client.get(url).send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

async fn submit(app: &TestApp, url: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
    let res = app.client.post(url).form(fields).send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

/// Answer the survey at `url` with `answers` (statement code, "1"–"5" or "na").
async fn answer(app: &TestApp, url: &str, answers: &[(&str, &str)], overall: &str, comments: &str) {
    let (status, html) = page(app, url).await;
    assert_eq!(status, 200, "{html}");
    let csrf = csrf_of(&html);
    let names: Vec<String> = answers.iter().map(|(q, _)| format!("q_{q}")).collect();
    let mut fields: Vec<(&str, &str)> = vec![
        ("csrf", &csrf),
        ("overall", overall),
        ("comments", comments),
    ];
    for (name, (_, v)) in names.iter().zip(answers) {
        fields.push((name, v));
    }
    let (status, html) = submit(app, url, &fields).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Thank you for your feedback"), "{html}");
}

async fn summary(app: &TestApp, token: &str, query: &str) -> Value {
    let res = app
        .get(&format!("/api/v1/feedback/summary{query}"), token)
        .await;
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert_eq!(status, 200, "{body}");
    body
}

fn question<'a>(s: &'a Value, code: &str) -> &'a Value {
    s["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["code"] == code)
        .unwrap()
}

fn stage<'a>(s: &'a Value, code: &str) -> &'a Value {
    s["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["code"] == code)
        .unwrap()
}

#[tokio::test]
async fn invitations_wait_for_the_response_and_store_only_a_hash() {
    let app = spawn_app().await;
    let (_, manager) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "WARD1", None).await;
    let today = app.today().to_string();
    let open = app
        .create_case(&manager, &complaint(&service, &today))
        .await;
    let id = open["id"].as_str().unwrap();
    let res = app
        .post(
            &format!("/api/v1/cases/{id}/feedback-invitations"),
            &manager,
            &json!({}),
        )
        .await;
    let body = assert_problem(res, 409).await;
    assert_eq!(body["current_state"], "received");
    let pals = app
        .create_case(&manager, &crate::helpers::pals_concern(&service, &today))
        .await;
    let pid = pals["id"].as_str().unwrap();
    let res = app
        .post(
            &format!("/api/v1/cases/{pid}/feedback-invitations"),
            &manager,
            &json!({}),
        )
        .await;
    assert_problem(res, 409).await;

    let case = app.responded_complaint(&manager, &service, &today).await;
    let url = invite(&app, &manager, &case).await;
    assert!(
        url.starts_with(&format!("{}/feedback/", app.address)),
        "{url}"
    );
    let token = token_of(&url, "/feedback/");
    let cid = case["id"].as_str().unwrap().to_string();
    let hashes: Vec<String> = app
        .state
        .db
        .read(move |c| -> Result<_, candour::error::AppError> {
            use candour::db::schema::feedback_invitations as f;
            Ok(f::table
                .filter(f::case_id.eq(cid))
                .select(f::token_hash)
                .load(c)?)
        })
        .await
        .unwrap();
    assert_eq!(hashes, vec![sha256_hex(&token)]);
    let kinds = app
        .timeline_kinds(&manager, case["id"].as_str().unwrap())
        .await;
    assert_eq!(kinds.last().unwrap(), "feedback_invited");
}

#[tokio::test]
async fn a_complainant_without_email_gets_a_letter_invitation() {
    let app = spawn_app().await;
    let (_, manager) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "WARD1", None).await;
    let today = app.today().to_string();
    let mut body = complaint(&service, &today);
    body["complainant"] = json!({"name": "Pat Post", "postal_address": "1 High Street, Leeds",
                                 "preferred_contact": "letter"});
    let case = app.create_case(&manager, &body).await;
    let case = app
        .act_ok(&manager, &case, "acknowledge", json!({"method": "letter", "handling_discussion_offered": true, "meeting_offered": false}))
        .await;
    let case = app
        .act_ok(
            &manager,
            &case,
            "respond",
            json!({"signed_by": "Chief Executive",
            "aspect_outcomes": [{"subject": "admissions_discharges", "outcome": "upheld"},
                                {"subject": "communications", "outcome": "not_upheld"}],
            "ombudsman_rights_given": true}),
        )
        .await;
    let id = case["id"].as_str().unwrap();
    let res = app
        .post(
            &format!("/api/v1/cases/{id}/feedback-invitations"),
            &manager,
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let inv: Value = res.json().await.unwrap();
    assert_eq!(inv["delivery"], "letter");
    let letter_url = inv["letter_url"].as_str().unwrap();
    assert!(
        outbox_for_case(&app, id)
            .await
            .iter()
            .all(|m| m.0 != "feedback_invitation")
    );
    let (status, html) = page(&app, letter_url).await;
    assert_eq!(status, 200);
    assert!(html.contains("Tell us how we handled your complaint"));

    // The survey is a letter to post: in the case's letters and the print queue, its copy
    // without a working link; printing it makes the link live.
    let letters: Value = app
        .get(&format!("/api/v1/cases/{id}/letters"), &manager)
        .await
        .json()
        .await
        .unwrap();
    let letter = letters
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["template"] == "feedback_invitation")
        .unwrap_or_else(|| panic!("no survey letter in {letters}"));
    assert_eq!(letter["channel"], "post");
    assert_eq!(letter["status"], "to_post");
    let lid = letter["id"].as_str().unwrap();
    let queue: Value = app
        .get("/api/v1/letters/to-post", &manager)
        .await
        .json()
        .await
        .unwrap();
    assert!(queue.to_string().contains(lid), "{queue}");
    let copy = app
        .get(&format!("/api/v1/cases/{id}/letters/{lid}"), &manager)
        .await
        .text()
        .await
        .unwrap();
    assert!(!copy.contains("/feedback/"), "the copy holds a live link");
    let printed = app
        .post(
            &format!("/api/v1/cases/{id}/letters/{lid}/print"),
            &manager,
            &json!({}),
        )
        .await;
    assert_eq!(printed.status(), 200);
    let printed = printed.text().await.unwrap();
    let live = printed
        .split(['"', '<', '>', ' ', '\n'])
        .find(|w| w.contains("/feedback/"))
        .unwrap_or_else(|| panic!("no survey link in the printed letter: {printed}"));
    let (status, _) = page(&app, live).await;
    assert_eq!(status, 200, "the printed link works");
}

#[tokio::test]
async fn the_automatic_job_invites_once_after_the_working_days() {
    let app = spawn_app().await;
    let (manager, case) = responded(&app).await;
    let id = case["id"].as_str().unwrap();
    let state = app.state.clone();
    // The job runs on the server's clock, moved to each day; between runs the clock goes back
    // to the start, where the access tokens are still valid.
    let start = app.clock.now_utc();
    let today = app.today();
    // Not yet due today.
    let n = invite_due(&state.db, &state.outbox, &state.settings, &state.clock)
        .await
        .unwrap();
    assert_eq!(n, 0);
    let cal = app.working_calendar().await;
    let due = cal.add_working_days(today, app.state.settings.feedback.invite_after_working_days);
    app.set_today(due - Duration::days(1));
    let n = invite_due(&state.db, &state.outbox, &state.settings, &state.clock)
        .await
        .unwrap();
    assert_eq!(n, 0, "a day early");
    // Two instances at once: one invitation between them.
    app.set_today(due);
    let (a, b) = tokio::join!(
        invite_due(&state.db, &state.outbox, &state.settings, &state.clock),
        invite_due(&state.db, &state.outbox, &state.settings, &state.clock),
    );
    assert_eq!(a.unwrap() + b.unwrap(), 1);
    app.set_today(due + Duration::days(3));
    let n = invite_due(&state.db, &state.outbox, &state.settings, &state.clock)
        .await
        .unwrap();
    assert_eq!(n, 0, "idempotent");
    app.set_clock(start);
    let mails: Vec<_> = outbox_for_case(&app, id)
        .await
        .into_iter()
        .filter(|m| m.0 == "feedback_invitation")
        .collect();
    assert_eq!(mails.len(), 1);
    assert!(
        mails[0].3.contains("[[candour-link:survey:"),
        "{}",
        mails[0].3
    );
    let kinds = app.timeline_kinds(&manager, id).await;
    assert_eq!(kinds.iter().filter(|k| *k == "feedback_invited").count(), 1);
    // A manual invitation does not count against the automatic one, and vice versa.
    invite(&app, &manager, &case).await;
    app.set_today(due + Duration::days(4));
    let n = invite_due(&state.db, &state.outbox, &state.settings, &state.clock)
        .await
        .unwrap();
    assert_eq!(n, 0);
    // Too late: a response long past is not chased.
    app.set_clock(start);
    let (_, other) = responded(&app).await;
    let late = due + Duration::days(app.state.settings.feedback.invitation_valid_days + 1);
    app.set_today(late);
    let n = invite_due(&state.db, &state.outbox, &state.settings, &state.clock)
        .await
        .unwrap();
    assert_eq!(n, 0);
    assert!(
        outbox_for_case(&app, other["id"].as_str().unwrap())
            .await
            .iter()
            .all(|m| m.0 != "feedback_invitation")
    );
}

#[tokio::test]
async fn the_survey_is_answered_once() {
    let app = spawn_app().await;
    let (_, case) = responded(&app).await;
    let (_, manager) = app.signed_in(Role::ComplaintsManager).await;
    let url = invite(&app, &manager, &case).await;
    let res = app.client.get(&url).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let headers = res.headers().clone();
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
    assert_eq!(headers["cache-control"], "no-store");
    let html = res.text().await.unwrap();
    for stage in [
        "Considering a complaint",
        "Making a complaint",
        "Staying informed",
        "Receiving outcomes",
        "Reflecting on the experience",
    ] {
        assert!(
            html.contains(&format!("<h2 class=\"fieldset__heading\">{stage}</h2>")),
            "{stage}"
        );
    }
    assert!(html.contains("I was kept informed of progress"), "{html}");
    assert!(html.contains("Does not apply to me"));
    assert!(html.contains(case["reference"].as_str().unwrap()));
    let csrf = csrf_of(&html);

    // Overall satisfaction is required: the error summary links to it.
    let (status, html) = submit(&app, &url, &[("csrf", &csrf), ("q_informed_progress", "4")]).await;
    assert_eq!(status, 400);
    assert!(
        html.contains("<a href=\"#overall\">Select how satisfied you are overall</a>"),
        "{html}"
    );
    assert!(html.contains("id=\"overall\""));
    assert!(
        html.contains("value=\"4\" checked"),
        "the answer given is kept"
    );
    // A value off the scale is an error on that statement.
    let (status, html) = submit(
        &app,
        &url,
        &[
            ("csrf", &csrf),
            ("overall", "3"),
            ("q_informed_progress", "7"),
        ],
    )
    .await;
    assert_eq!(status, 400);
    assert!(html.contains("href=\"#q-informed_progress\""), "{html}");

    let (status, html) = submit(
        &app,
        &url,
        &[
            ("csrf", &csrf),
            ("overall", "4"),
            ("q_informed_progress", "5"),
            ("q_outcome_apology", "na"),
            ("comments", "Kind staff."),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert!(html.contains("Thank you for your feedback"));
    // Again: politely refused, nothing changed.
    let (status, html) = submit(
        &app,
        &url,
        &[
            ("csrf", &csrf),
            ("overall", "1"),
            ("q_informed_progress", "1"),
        ],
    )
    .await;
    assert_eq!(status, 409);
    assert!(html.contains("We already have your answers"), "{html}");
    let (status, html) = page(&app, &url).await;
    assert_eq!(status, 200);
    assert!(html.contains("We already have your answers"));
    let s = summary(&app, &manager, "").await;
    assert_eq!(s["responses"], 1);
    assert_eq!(s["overall_satisfaction"]["mean"], 4.0);
    assert_eq!(question(&s, "informed_progress")["mean"], 5.0);
    assert_eq!(question(&s, "outcome_apology")["not_applicable"], 1);
    assert_eq!(s["comments"][0]["text"], "Kind staff.");
}

#[tokio::test]
async fn expired_and_unknown_survey_links_get_friendly_pages() {
    let app = spawn_app().await;
    let (manager, case) = responded(&app).await;
    let url = invite(&app, &manager, &case).await;
    let (status, html) = page(&app, &app.url("/feedback/nope")).await;
    assert_eq!(status, 404);
    assert!(html.contains("Page not found"));
    // The invitation's validity runs out on the server's clock.
    let valid = Duration::days(app.settings.feedback.invitation_valid_days);
    assert!(app.clock.advance(valid + Duration::minutes(1)));
    let (status, html) = page(&app, &url).await;
    assert_eq!(status, 410);
    assert!(html.contains("This link has expired"));
    assert!(!html.contains(case["reference"].as_str().unwrap()));
    let (status, _) = submit(&app, &url, &[("overall", "5")]).await;
    assert_eq!(status, 410);
}

#[tokio::test]
async fn the_summary_adds_up_and_the_board_sees_no_free_text() {
    let app = spawn_app().await;
    let (manager, first) = responded(&app).await;
    let (_, second) = responded(&app).await;
    let (_, third) = responded(&app).await;
    let one = invite(&app, &manager, &first).await;
    let two = invite(&app, &manager, &second).await;
    invite(&app, &manager, &third).await; // never answered
    answer(
        &app,
        &one,
        &[
            ("considering_right_to_complain", "5"),
            ("considering_confident", "4"),
            ("informed_progress", "1"),
        ],
        "5",
        "Great",
    )
    .await;
    answer(
        &app,
        &two,
        &[
            ("considering_right_to_complain", "2"),
            ("considering_confident", "na"),
            ("informed_progress", "2"),
        ],
        "2",
        "",
    )
    .await;

    let s = summary(&app, &manager, "").await;
    assert_eq!(s["invitations_sent"], 3);
    assert_eq!(s["responses"], 2);
    assert_eq!(s["response_rate"], 66.7);
    let q = question(&s, "considering_right_to_complain");
    assert_eq!(
        (
            q["count"].clone(),
            q["mean"].clone(),
            q["percent_agree"].clone(),
            q["percent_disagree"].clone()
        ),
        (json!(2), json!(3.5), json!(50.0), json!(50.0))
    );
    let q = question(&s, "considering_confident");
    assert_eq!(
        (
            q["count"].clone(),
            q["not_applicable"].clone(),
            q["mean"].clone(),
            q["percent_agree"].clone()
        ),
        (json!(1), json!(1), json!(4.0), json!(100.0))
    );
    assert_eq!(question(&s, "reflecting_fair")["count"], 0);
    assert!(question(&s, "reflecting_fair")["mean"].is_null());
    assert_eq!(question(&s, "reflecting_fair")["needs_verification"], true);
    let st = stage(&s, "considering");
    assert_eq!(
        (
            st["count"].clone(),
            st["not_applicable"].clone(),
            st["mean"].clone(),
            st["percent_agree"].clone(),
            st["percent_disagree"].clone()
        ),
        (json!(3), json!(1), json!(3.7), json!(66.7), json!(33.3))
    );
    let st = stage(&s, "staying_informed");
    assert_eq!(
        (
            st["count"].clone(),
            st["mean"].clone(),
            st["percent_disagree"].clone()
        ),
        (json!(2), json!(1.5), json!(100.0))
    );
    assert_eq!(stage(&s, "reflecting")["count"], 0);
    let o = &s["overall_satisfaction"];
    assert_eq!(
        (
            o["count"].clone(),
            o["mean"].clone(),
            o["percent_satisfied"].clone(),
            o["percent_dissatisfied"].clone()
        ),
        (json!(2), json!(3.5), json!(50.0), json!(50.0))
    );
    assert_eq!(s["comments"].as_array().unwrap().len(), 1);
    assert_eq!(s["comments"][0]["text"], "Great");

    // The board: no free text, and counts from 1 to 4 hidden with the figures built on them
    // (zeros stay zeros).
    let (_, board) = app.signed_in(Role::Board).await;
    let b = summary(&app, &board, "").await;
    assert!(b.get("comments").is_none(), "{b}");
    assert!(!b.to_string().contains("Great"));
    for hidden in [
        &b["invitations_sent"],
        &b["responses"],
        &b["response_rate"],
        &b["overall_satisfaction"]["count"],
        &b["overall_satisfaction"]["mean"],
        &b["overall_satisfaction"]["percent_satisfied"],
        &question(&b, "considering_right_to_complain")["count"],
        &question(&b, "considering_right_to_complain")["mean"],
        &question(&b, "considering_confident")["not_applicable"],
        &stage(&b, "considering")["percent_agree"],
    ] {
        assert!(hidden.is_null(), "{b}");
    }
    assert_eq!(question(&b, "reflecting_fair")["count"], 0);
    assert_eq!(stage(&b, "reflecting")["count"], 0);
    assert_eq!(
        question(&b, "considering_right_to_complain")["stage"],
        "considering"
    );
    // Date range: nothing sent tomorrow; a backwards range is refused.
    let tomorrow = (app.today() + Duration::days(1)).to_string();
    let none = summary(&app, &manager, &format!("?from={tomorrow}&to={tomorrow}")).await;
    assert_eq!(none["invitations_sent"], 0);
    assert!(none["response_rate"].is_null());
    let today = app.today().to_string();
    let res = app
        .get(
            &format!("/api/v1/feedback/summary?from={tomorrow}&to={today}"),
            &manager,
        )
        .await;
    assert_problem(res, 400).await;
    for role in [Role::PalsOfficer, Role::Investigator] {
        let (_, token) = app.signed_in(role).await;
        let res = app.get("/api/v1/feedback/summary", &token).await;
        assert_problem(res, 403).await;
        let id = first["id"].as_str().unwrap();
        let res = app
            .post(
                &format!("/api/v1/cases/{id}/feedback-invitations"),
                &token,
                &json!({}),
            )
            .await;
        assert_problem(res, 403).await;
    }
    let res = app
        .post(
            &format!(
                "/api/v1/cases/{}/feedback-invitations",
                first["id"].as_str().unwrap()
            ),
            &board,
            &json!({}),
        )
        .await;
    assert_problem(res, 403).await;
}

//! Complainants never "not hear back": case changes send emails through a real SMTP server on
//! loopback, or printable letters when regulation 15 consent is absent; nothing is lost while
//! the mail server is down; staff get alerts once.

use candour::domain::role::Role;
use candour::services::alerts;
use serde_json::{Value, json};

use crate::helpers::{
    TestApp, assert_problem, complaint, days_from_today, insert_service, spawn_app_with,
};
use crate::mail_sink::{Mail, SmtpSink, free_port};
use crate::outbox::{eventually, smtp};

async fn letters(app: &TestApp, token: &str, case: &Value) -> Vec<Value> {
    app.get(
        &format!("/api/v1/cases/{}/letters", case["id"].as_str().unwrap()),
        token,
    )
    .await
    .json()
    .await
    .unwrap()
}

async fn mail_to(sink: &SmtpSink, to: &str, n: usize) -> Vec<Mail> {
    eventually(&format!("{n} mails to {to}"), || async {
        let got: Vec<Mail> = sink
            .received()
            .into_iter()
            .filter(|m| m.to.contains(to))
            .collect();
        (got.len() >= n).then_some(got)
    })
    .await
}

fn acknowledge() -> Value {
    json!({"method": "email", "handling_discussion_offered": true, "meeting_offered": true})
}

#[tokio::test]
async fn acknowledging_emails_the_complainant_once() {
    let port = free_port();
    let sink = SmtpSink::start(port);
    let app = spawn_app_with(smtp(port)).await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "A", None).await;
    let case = app
        .create_case(&token, &complaint(&service, "2026-11-16"))
        .await;
    let reference = case["reference"].as_str().unwrap();
    app.act_ok(&token, &case, "acknowledge", acknowledge())
        .await;

    let mails = mail_to(&sink, "alex@example.org", 1).await;
    let ack = &mails[0];
    assert!(ack.subject.contains(reference), "{}", ack.subject);
    let text = ack.text.as_deref().unwrap();
    assert!(text.contains("Dear Alex Example"));
    assert!(text.contains("We aim to send you our full response by"));
    assert!(
        text.contains(
            "discuss with you how we will handle your complaint and the period within which we \
             expect to send you our response"
        ),
        "reg 13 offer to discuss"
    );
    assert!(text.contains("meet you in person"), "meeting offered");
    assert!(text.contains("NHS Complaints Advocacy"));
    // The private tracking link, and it opens the case's page.
    let link = text
        .split_whitespace()
        .find(|w| w.contains("/track/"))
        .expect("a tracking link in the acknowledgement")
        .to_string();
    let page = app.client.get(&link).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.text().await.unwrap().contains(reference),
        "the tracking page shows the case"
    );
    // The page lists an emailed letter once the outbox has recorded it sent, which it does just
    // after the mail server took it.
    eventually("the tracking page to list the letter sent", || async {
        let page = app.client.get(&link).send().await.ok()?.text().await.ok()?;
        page.contains("We have received your complaint")
            .then_some(())
    })
    .await;
    assert!(ack.html.as_deref().unwrap().contains(reference));
    // Exactly one, recorded as an emailed statutory letter and on the timeline.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(sink.received().len(), 1);
    let list = letters(&app, &token, &case).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["template"], "acknowledgement");
    assert_eq!(list[0]["channel"], "email");
    assert_eq!(list[0]["statutory"], true);
    let timeline: Vec<Value> = app
        .get(
            &format!("/api/v1/cases/{}/timeline", case["id"].as_str().unwrap()),
            &token,
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(
        timeline
            .iter()
            .any(|e| e["kind"] == "letter" && e["summary"] == "Acknowledgement emailed")
    );
}

#[tokio::test]
async fn without_email_consent_statutory_letters_are_printed_not_emailed() {
    let port = free_port();
    let sink = SmtpSink::start(port);
    let app = spawn_app_with(smtp(port)).await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "A", None).await;
    let mut body = complaint(&service, "2026-11-16");
    body["complainant"]["consents_to_email"] = json!(false);
    body["complainant"]["postal_address"] = json!("1 High Street\nTown AB1 2CD");
    let case = app.create_case(&token, &body).await;
    let case = app
        .act_ok(&token, &case, "acknowledge", acknowledge())
        .await;

    let list = letters(&app, &token, &case).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["channel"], "post");
    assert_eq!(list[0]["status"], "to_post");
    let print_url = list[0]["print_url"].as_str().unwrap();
    let res = app.get(print_url, &token).await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = res.text().await.unwrap();
    assert!(html.contains(case["reference"].as_str().unwrap()));
    assert!(html.contains("1 High Street"), "addressed for the envelope");
    assert!(html.contains("Your NHS Trust"), "letterhead");
    assert!(html.contains("@page"), "print layout");
    let queue: Vec<Value> = app
        .get("/api/v1/letters/to-post", &token)
        .await
        .json()
        .await
        .unwrap();
    assert!(queue.iter().any(|l| l["id"] == list[0]["id"]));

    // A progress update is not statutory: the email address is used.
    let res = app
        .post(
            &format!("/api/v1/cases/{}/updates", case["id"].as_str().unwrap()),
            &token,
            &json!({"message": "We have asked the ward for their notes."}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let update: Value = res.json().await.unwrap();
    assert_eq!(update["channel"], "email");
    let mails = mail_to(&sink, "alex@example.org", 1).await;
    assert!(
        mails
            .iter()
            .all(|m| !m.subject.contains("received your complaint")),
        "no statutory email"
    );
    assert!(
        mails[0]
            .text
            .as_deref()
            .unwrap()
            .contains("asked the ward for their notes")
    );

    let posted = format!(
        "/api/v1/cases/{}/letters/{}/posted",
        case["id"].as_str().unwrap(),
        list[0]["id"].as_str().unwrap()
    );
    let res = app.post(&posted, &token, &json!({})).await;
    assert_eq!(res.status(), 200);
    let letter: Value = res.json().await.unwrap();
    assert_eq!(letter["status"], "posted");
    assert_problem(app.post(&posted, &token, &json!({})).await, 409).await;
    let (_, board) = app.signed_in(Role::Board).await;
    assert_problem(app.get(print_url, &board).await, 403).await;
}

#[tokio::test]
async fn a_mail_server_outage_delays_mail_but_loses_none() {
    let port = free_port();
    let mut sink = SmtpSink::start(port);
    let app = spawn_app_with(smtp(port)).await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "A", None).await;
    sink.stop();

    // Case changes go on while mail cannot be delivered.
    let mut cases = Vec::new();
    for _ in 0..3 {
        let case = app
            .create_case(&token, &complaint(&service, "2026-11-16"))
            .await;
        let case = app
            .act_ok(&token, &case, "acknowledge", acknowledge())
            .await;
        let case = app
            .act_ok(&token, &case, "extend", json!({
                "new_due_on": days_from_today(120), "reason": "Waiting for statements", "complainant_agreed": false
            }))
            .await;
        cases.push(case);
    }
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    let admin = app.signed_in(Role::Admin).await.1;
    let queued: Value = app
        .get("/api/v1/outbox", &admin)
        .await
        .json()
        .await
        .unwrap();
    let items = queued["items"].as_array().unwrap();
    assert_eq!(items.len(), 6, "all six queued: {queued}");
    assert!(
        items
            .iter()
            .all(|m| m["status"] != "sent" && m["attempts"].as_i64().unwrap() >= 1),
        "none delivered, each tried: {queued}"
    );

    let sink = SmtpSink::start(port);
    let mails = mail_to(&sink, "alex@example.org", 6).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let mails_after = sink.received();
    assert_eq!(mails_after.len(), 6, "exactly once each");
    let mut ids: Vec<&str> = mails.iter().map(|m| m.message_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 6);
    for case in &cases {
        let reference = case["reference"].as_str().unwrap();
        let about: Vec<&Mail> = mails_after
            .iter()
            .filter(|m| m.subject.contains(reference))
            .collect();
        assert_eq!(
            about.len(),
            2,
            "acknowledgement and extension for {reference}"
        );
    }
}

#[tokio::test]
async fn a_scheduled_meeting_sends_an_invitation_with_its_calendar_file() {
    let port = free_port();
    let sink = SmtpSink::start(port);
    let app = spawn_app_with(smtp(port)).await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "A", None).await;
    let case = app
        .create_case(&token, &complaint(&service, "2026-11-16"))
        .await;
    let id = case["id"].as_str().unwrap();
    let res = app
        .post(&format!("/api/v1/cases/{id}/meetings"), &token, &json!({}))
        .await;
    let status = res.status();
    let meeting: Value = res.json().await.unwrap();
    assert!(status.is_success(), "{meeting}");
    let mid = meeting["id"].as_str().unwrap();
    let step = |action: &'static str, body: Value| {
        let path = format!("/api/v1/meetings/{mid}/{action}");
        let token = token.clone();
        let app = &app;
        async move {
            let body = app
                .at_current_version(&token, &format!("/api/v1/meetings/{mid}"), body)
                .await;
            let res = app.post(&path, &token, &body).await;
            let status = res.status();
            let v: Value = res.json().await.unwrap();
            assert!(status.is_success(), "{action}: {v}");
            v
        }
    };
    step("accept", json!({})).await;
    step("schedule", json!({
        "starts_at": "2026-12-08T10:00:00Z", "ends_at": "2026-12-08T11:00:00Z", "location": "Room 4, Outpatients"
    }))
    .await;
    let mails = mail_to(&sink, "alex@example.org", 1).await;
    let invite = &mails[0];
    assert!(
        invite.subject.contains("Tuesday 8 December 2026, 10:00"),
        "{}",
        invite.subject
    );
    let ics = invite
        .attachments
        .iter()
        .find(|a| a.mimetype == "text/calendar")
        .expect("an .ics attachment");
    let text = String::from_utf8(ics.bytes.clone()).unwrap();
    assert!(
        text.contains("METHOD:REQUEST") && text.contains("DTSTART:20261208T100000Z"),
        "{text}"
    );
    let parsed: icalendar::Calendar = text.parse().expect("a calendar parser accepts it");
    assert!(!parsed.components.is_empty());

    step("cancel", json!({"reason": "The consultant is unwell"})).await;
    let mails = mail_to(&sink, "alex@example.org", 2).await;
    let cancel = mails
        .iter()
        .find(|m| m.subject.contains("cancelled"))
        .expect("a cancellation");
    let ics = cancel
        .attachments
        .iter()
        .find(|a| a.mimetype == "text/calendar")
        .unwrap();
    assert!(String::from_utf8_lossy(&ics.bytes).contains("METHOD:CANCEL"));
}

#[tokio::test]
async fn staff_hear_about_assignments_due_dates_and_new_cases_once() {
    let port = free_port();
    let sink = SmtpSink::start(port);
    let app = spawn_app_with(smtp(port)).await;
    let (manager, token) = app.signed_in(Role::ComplaintsManager).await;
    let handler = app.create_user(Role::ComplaintsManager).await;
    let lead = app.create_user(Role::Investigator).await;
    let service = insert_service(&app, "A", Some(&lead.id)).await;

    // Received a month ago: the acknowledgement is overdue. Received today: due soon.
    let today = app.today();
    let month_ago = (today - chrono::Duration::days(30)).to_string();
    let overdue = app
        .create_case(&token, &complaint(&service, &month_ago))
        .await;
    app.act_ok(
        &token,
        &overdue,
        "assign",
        json!({"handler_id": handler.id}),
    )
    .await;
    let fresh = app
        .create_case(&token, &complaint(&service, &today.to_string()))
        .await;
    app.act_ok(&token, &fresh, "assign", json!({"handler_id": handler.id}))
        .await;
    let assigned = mail_to(&sink, &handler.email, 2).await;
    assert!(assigned[0].subject.contains("assigned to you"));
    assert!(
        !assigned[0].text.as_deref().unwrap().contains("Alex"),
        "no personal data to staff"
    );

    // Before the digest hour: only the due-date alerts.
    let now = today.and_hms_opt(6, 0, 0).unwrap();
    app.set_clock(now.and_utc());
    let report = alerts::run_once(&app.state).await.unwrap();
    assert_eq!(report.digests, 0);
    assert_eq!((report.overdue, report.due_soon), (1, 1), "{report:?}");
    let again = alerts::run_once(&app.state).await.unwrap();
    assert_eq!(
        (again.overdue, again.due_soon),
        (0, 0),
        "each alert goes once"
    );
    let got = mail_to(&sink, &handler.email, 4).await;
    assert!(got.iter().any(|m| m.subject.starts_with("Overdue:")));
    assert!(
        got.iter()
            .any(|m| m.subject.starts_with("Due soon:") && m.subject.contains("acknowledgement"))
    );

    // The digest: once a day, after the digest hour, to the lead of the service. 22:00 UTC is
    // still the same day in England in summer too.
    let evening = now.date().and_hms_opt(22, 0, 0).unwrap();
    app.set_clock(evening.and_utc());
    let report = alerts::run_once(&app.state).await.unwrap();
    assert_eq!(report.digests, 1);
    assert_eq!(alerts::run_once(&app.state).await.unwrap().digests, 0);
    let digest = mail_to(&sink, &lead.email, 1).await;
    assert!(
        digest[0]
            .text
            .as_deref()
            .unwrap()
            .contains(overdue["reference"].as_str().unwrap())
    );
    let _ = manager;
}

/// A bulk of new cases (an import, say) does not make one enormous email: the digest lists the
/// first hundred logged, oldest first, and counts the rest.
#[tokio::test]
async fn a_digest_lists_at_most_a_hundred_cases_and_counts_the_rest() {
    let port = free_port();
    let sink = SmtpSink::start(port);
    let app = spawn_app_with(smtp(port)).await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let lead = app.create_user(Role::Investigator).await;
    let service = insert_service(&app, "BULK", Some(&lead.id)).await;
    let today = app.today();
    let mut references = Vec::new();
    for _ in 0..101 {
        let case = app
            .create_case(&token, &complaint(&service, &today.to_string()))
            .await;
        references.push(case["reference"].as_str().unwrap().to_string());
    }
    app.set_clock(today.and_hms_opt(22, 0, 0).unwrap().and_utc());
    assert_eq!(alerts::run_once(&app.state).await.unwrap().digests, 1);
    let mails = mail_to(&sink, &lead.email, 1).await;
    let digest = mails
        .iter()
        .find(|m| m.subject.starts_with("New concerns"))
        .unwrap();
    assert_eq!(
        digest.subject,
        "New concerns and complaints in your services: 101"
    );
    let text = digest.text.as_deref().unwrap();
    // References are fixed-width (C-2026-00001), so none contains another.
    let listed: Vec<&String> = references
        .iter()
        .filter(|r| text.contains(r.as_str()))
        .collect();
    assert_eq!(listed.len(), 100, "{text}");
    assert!(
        !text.contains(&references[100]),
        "the last logged is counted"
    );
    assert!(text.contains("And 1 more: sign in to Candour to see them all."));
}

//! The email outbox end to end, with a real SMTP server on loopback: a message exists only if
//! its transaction commits, is delivered exactly once with the right parts, waits and backs off
//! while the server is down, dies after its last attempt until an admin retries it, is sent by
//! one instance only when several share a database; the file transport; admin-only access.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::time::{Duration, Instant};

use candour::clock::Clock;
use candour::config::{EmailTransport, Settings, SmtpTls};
use candour::db::outbox::{self, NewOutboxMessage, OutboxMessage};
use candour::domain::outbox::{Attachment, OutboxStatus, RetryPolicy};
use candour::domain::role::Role;
use candour::error::AppError;
use candour::startup::Application;
use serde_json::{Value, json};

use crate::helpers::{
    TestApp, TestDb, assert_problem, complaint, insert_service, problem_fields, spawn_app_with,
    test_settings,
};
use crate::mail_sink::{SmtpSink, free_port, parse};

const INVITE: &[u8] =
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Candour//EN\r\nMETHOD:REQUEST\r\n\
BEGIN:VEVENT\r\nUID:meeting-1@candour\r\nDTSTAMP:20261123T100000Z\r\nDTSTART:20261201T100000Z\r\n\
DTEND:20261201T110000Z\r\nSUMMARY:Meeting about your complaint\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

/// Fast retries for tests: the worker polls every 50 ms and backs off from 50 ms.
pub fn fast(s: &mut Settings) {
    s.email.poll_seconds = 0.05;
    s.email.retry_base_seconds = 0.05;
    s.email.retry_max_seconds = 0.4;
    s.email.max_attempts = 100;
    s.email.smtp_timeout_seconds = 10;
}

/// Send through the plain-SMTP sink on `port`.
pub fn smtp(port: u16) -> impl Fn(&mut Settings) {
    move |s| {
        fast(s);
        s.email.transport = EmailTransport::Smtp;
        s.email.smtp_host = "127.0.0.1".into();
        s.email.smtp_port = port;
        s.email.smtp_tls = SmtpTls::None;
        s.email.from = "Complaints <complaints@trust.example>".into();
    }
}

/// Poll `check` until it gives a value; fail after a minute (the machine may be busy).
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn context(n: usize) -> Value {
    json!({
        "name": "Alex Example",
        "reference": format!("C-2026-{n:05}"),
        "note": "Fish & chips <b>not</b> bold",
    })
}

fn compose(app: &TestApp, n: usize) -> NewOutboxMessage {
    app.state
        .outbox
        .compose("test_message", "alex@example.org", &context(n))
        .unwrap()
}

/// Queue messages in one committed transaction and wake the worker; returns their ids.
async fn enqueue_all(app: &TestApp, messages: Vec<NewOutboxMessage>) -> Vec<String> {
    let now = app.clock.now();
    let ids = app
        .state
        .db
        .write(move |c| -> Result<Vec<String>, AppError> {
            let mut ids = Vec::new();
            for m in &messages {
                ids.push(outbox::enqueue(c, m, now)?);
            }
            Ok(ids)
        })
        .await
        .unwrap();
    app.state.outbox.wake();
    ids
}

async fn row(app: &TestApp, id: &str) -> OutboxMessage {
    let id = id.to_string();
    app.state
        .db
        .read(move |c| outbox::find(c, &id))
        .await
        .unwrap()
        .expect("outbox row")
}

async fn rows(app: &TestApp, ids: &[String]) -> Vec<OutboxMessage> {
    let mut all = Vec::new();
    for id in ids {
        all.push(row(app, id).await);
    }
    all
}

/// Wait until every message in `ids` is `status`.
async fn until_all(app: &TestApp, ids: &[String], status: OutboxStatus) -> Vec<OutboxMessage> {
    eventually(
        &format!("{} messages to be {status}", ids.len()),
        || async {
            let all = rows(app, ids).await;
            all.iter().all(|m| m.status == status).then_some(all)
        },
    )
    .await
}

/// A case to hang messages on, and an admin's token.
async fn case_and_admin(app: &TestApp) -> (String, String) {
    let (_, token) = app.signed_in(Role::Admin).await;
    let service = insert_service(app, "OUT", None).await;
    let case = app
        .create_case(&token, &complaint(&service, "2026-11-02"))
        .await;
    (case["id"].as_str().unwrap().to_string(), token)
}

#[tokio::test]
async fn a_message_queued_in_a_rolled_back_transaction_is_never_sent() {
    let mut sink = SmtpSink::start(free_port());
    let app = spawn_app_with(smtp(sink.port)).await;
    let (case_id, token) = case_and_admin(&app).await;

    // Act: the case change and its message in one transaction that fails.
    let doomed = compose(&app, 1).for_case(&case_id);
    let doomed_id = doomed.message_id.clone();
    let (cid, touched_at) = (case_id.clone(), app.clock.now());
    let failed = app
        .state
        .db
        .write(move |c| -> Result<(), AppError> {
            assert!(candour::db::cases::touch(c, &cid, touched_at)?);
            outbox::enqueue(c, &doomed, touched_at)?;
            Err(AppError::conflict("the case change was refused"))
        })
        .await;
    assert!(failed.is_err());
    app.state.outbox.wake();
    // A committed message afterwards: once it has arrived, the worker has had its chance.
    let marker = compose(&app, 2).for_case(&case_id);
    let marker_id = marker.message_id.clone();
    let ids = enqueue_all(&app, vec![marker]).await;
    until_all(&app, &ids, OutboxStatus::Sent).await;

    let received = sink.received();
    assert_eq!(
        received.len(),
        1,
        "only the committed message: {received:?}"
    );
    assert_eq!(received[0].message_id, marker_id);
    assert_ne!(received[0].message_id, doomed_id);
    let listed: Value = app
        .get("/api/v1/outbox", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 1, "{listed}");
    sink.stop();
}

#[tokio::test]
async fn a_committed_message_is_delivered_once_with_its_parts_and_invite() {
    let sink = SmtpSink::start(free_port());
    let app = spawn_app_with(smtp(sink.port)).await;
    let (case_id, token) = case_and_admin(&app).await;
    let message = compose(&app, 42)
        .for_case(&case_id)
        .with_attachment(Attachment::new(
            "invite.ics",
            "text/calendar; method=REQUEST; charset=utf-8",
            INVITE,
        ));
    let message_id = message.message_id.clone();

    let ids = enqueue_all(&app, vec![message]).await;
    let sent = until_all(&app, &ids, OutboxStatus::Sent).await;

    let received = sink.received();
    assert_eq!(received.len(), 1, "exactly one mail: {received:?}");
    let mail = &received[0];
    assert_eq!(mail.message_id, message_id);
    assert!(
        mail.message_id.ends_with("@trust.example>"),
        "{}",
        mail.message_id
    );
    assert_eq!(mail.subject, "Test message about C-2026-00042");
    assert!(
        mail.from.contains("complaints@trust.example"),
        "{}",
        mail.from
    );
    assert!(mail.to.contains("alex@example.org"), "{}", mail.to);
    assert_eq!(mail.content_type, "multipart/mixed");
    let text = mail.text.as_deref().expect("a text part");
    assert!(text.starts_with("Dear Alex Example,"), "{text}");
    assert!(text.contains("Fish & chips <b>not</b> bold"), "{text}");
    let html = mail.html.as_deref().expect("an HTML part");
    assert!(html.contains("<strong>C-2026-00042</strong>"), "{html}");
    assert!(html.contains("Fish &amp; chips &lt;b&gt;not&lt;"), "{html}");
    assert!(
        !html.contains("<b>"),
        "the HTML part escapes values: {html}"
    );
    assert_eq!(mail.attachments.len(), 1);
    let invite = &mail.attachments[0];
    assert_eq!(invite.filename, "invite.ics");
    assert_eq!(invite.mimetype, "text/calendar");
    assert_eq!(
        invite.params.get("method").map(String::as_str),
        Some("REQUEST")
    );
    // Text parts travel with CRLF line ends; the sink's Maildir stores them with LF.
    assert_eq!(
        String::from_utf8(invite.bytes.clone()).unwrap(),
        String::from_utf8_lossy(INVITE).replace("\r\n", "\n")
    );

    // The outbox records it, for admins, as sent on the first attempt.
    assert_eq!(sent[0].attempts, 1);
    assert!(sent[0].sent_at.is_some());
    let listed: Value = app
        .get("/api/v1/outbox?status=sent", &token)
        .await
        .json()
        .await
        .unwrap();
    let item = &listed["items"][0];
    assert_eq!(item["id"], ids[0].as_str());
    assert_eq!(item["case_id"], case_id.as_str());
    assert_eq!(item["template"], "test_message");
    assert_eq!(item["status"], "sent");
    assert_eq!(item["message_id"], message_id.as_str());
    assert!(item["sent_at"].as_str().unwrap().ends_with('Z'), "{item}");
    assert!(item.get("text_body").is_none(), "metadata only: {item}");
}

#[tokio::test]
async fn while_the_server_is_down_messages_wait_and_back_off_then_each_arrives_once() {
    let mut first_sink = SmtpSink::start(free_port());
    let port = first_sink.port;
    let app = spawn_app_with(smtp(port)).await;
    // The server works, and the transport keeps a connection to it open...
    let warm_up = enqueue_all(&app, vec![compose(&app, 100)]).await;
    until_all(&app, &warm_up, OutboxStatus::Sent).await;
    assert_eq!(first_sink.received().len(), 1);
    // ...then it goes away.
    first_sink.stop();
    let messages: Vec<_> = (1..=5).map(|n| compose(&app, n)).collect();
    let wanted: BTreeSet<String> = messages.iter().map(|m| m.message_id.clone()).collect();

    // Nothing listens on the port: every attempt is refused.
    let ids = enqueue_all(&app, messages).await;
    let waiting = eventually("three failed attempts each", || async {
        let all = rows(&app, &ids).await;
        all.iter()
            .all(|m| m.attempts >= 3 && m.status == OutboxStatus::Pending)
            .then_some(all)
    })
    .await;
    for m in &waiting {
        assert!(
            m.last_error.as_deref().is_some_and(|e| !e.is_empty()),
            "{m:?}"
        );
        assert!(m.sent_at.is_none());
        // Backed off: after three failures the next attempt is at least 50 + 100 + 200 ms
        // after the message was queued (without back-off it would be 3 × 50 ms).
        assert!(
            m.next_attempt_at - m.created_at >= chrono::Duration::milliseconds(350),
            "{m:?}"
        );
    }

    // The server comes back on the same port.
    let sink = SmtpSink::start(port);
    let sent = until_all(&app, &ids, OutboxStatus::Sent).await;
    assert!(sent.iter().all(|m| m.last_error.is_none()));
    assert_eq!(
        first_sink.received().len(),
        1,
        "nothing reached the old server"
    );

    let received = sink.received();
    let ids_received: Vec<String> = received.iter().map(|m| m.message_id.clone()).collect();
    assert_eq!(received.len(), 5, "each message once: {ids_received:?}");
    assert_eq!(ids_received.into_iter().collect::<BTreeSet<_>>(), wanted);
}

#[tokio::test]
async fn after_its_last_attempt_a_message_is_dead_until_an_admin_retries_it() {
    let port = free_port();
    let app = spawn_app_with(|s| {
        smtp(port)(s);
        s.email.max_attempts = 2;
    })
    .await;
    let (_, token) = app.signed_in(Role::Admin).await;
    let message = compose(&app, 7);
    let message_id = message.message_id.clone();
    let ids = enqueue_all(&app, vec![message]).await;

    let dead = until_all(&app, &ids, OutboxStatus::Dead).await;
    assert_eq!(dead[0].attempts, 2);
    let listed: Value = app
        .get("/api/v1/outbox?status=dead", &token)
        .await
        .json()
        .await
        .unwrap();
    let items = listed["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{listed}");
    assert_eq!(items[0]["id"], ids[0].as_str());
    assert_eq!(items[0]["status"], "dead");
    assert_eq!(items[0]["attempts"], 2);
    assert!(
        items[0]["last_error"]
            .as_str()
            .is_some_and(|e| !e.is_empty())
    );
    let pending: Value = app
        .get("/api/v1/outbox?status=pending", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(pending["items"].as_array().unwrap().len(), 0, "{pending}");

    // The mail server is mended; the admin retries.
    let sink = SmtpSink::start(port);
    let retry = format!("/api/v1/outbox/{}/retry", ids[0]);
    let res = app.post(&retry, &token, &json!({})).await;
    assert_eq!(res.status(), 200);
    let requeued: Value = res.json().await.unwrap();
    assert_eq!(requeued["status"], "pending");
    assert_eq!(requeued["attempts"], 0);
    until_all(&app, &ids, OutboxStatus::Sent).await;
    let received = sink.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].message_id, message_id, "the same Message-ID");

    // Only dead messages can be retried.
    let body = assert_problem(app.post(&retry, &token, &json!({})).await, 409).await;
    assert_eq!(body["current_state"], "sent");
    let missing = app
        .post("/api/v1/outbox/nope/retry", &token, &json!({}))
        .await;
    assert_problem(missing, 404).await;
}

#[tokio::test]
async fn two_instances_on_one_database_never_send_a_message_twice() {
    let sink = SmtpSink::start(free_port());
    let configure = |s: &mut Settings| {
        smtp(sink.port)(s);
        s.email.batch_size = 2;
    };
    let first = spawn_app_with(configure).await;
    // A second Candour on the same database, with its own worker.
    let mut settings = first.settings.clone();
    settings.data.dir = first.db.dir.path().join("second");
    let second = Application::build(settings, candour::config::Environment::Test)
        .await
        .unwrap();
    let second_state = second.state().clone();
    tokio::spawn(second.run_until_stopped());

    let messages: Vec<_> = (1..=30).map(|n| compose(&first, n)).collect();
    let wanted: BTreeSet<String> = messages.iter().map(|m| m.message_id.clone()).collect();
    let ids = enqueue_all(&first, messages).await;
    second_state.outbox.wake();
    let sent = until_all(&first, &ids, OutboxStatus::Sent).await;

    let received = sink.received();
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for mail in &received {
        *count.entry(mail.message_id.clone()).or_default() += 1;
    }
    let twice: Vec<_> = count.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "sent more than once: {twice:?}");
    assert_eq!(count.keys().cloned().collect::<BTreeSet<_>>(), wanted);
    assert!(sent.iter().all(|m| m.attempts == 1), "one attempt each");
    let workers: BTreeSet<_> = sent.iter().filter_map(|m| m.claimed_by.clone()).collect();
    eprintln!(
        "{} messages sent by {} worker(s) on {}",
        sent.len(),
        workers.len(),
        if first.db.is_postgres() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
}

#[tokio::test]
async fn the_file_transport_writes_a_readable_eml_per_message() {
    let app = spawn_app_with(fast).await;
    assert_eq!(app.settings.email.transport, EmailTransport::File);
    let message = compose(&app, 9).with_attachment(Attachment::new(
        "invite.ics",
        "text/calendar; method=REQUEST",
        INVITE,
    ));
    let message_id = message.message_id.clone();
    let ids = enqueue_all(&app, vec![message]).await;
    until_all(&app, &ids, OutboxStatus::Sent).await;

    let stem = message_id.trim_start_matches('<').trim_end_matches('>');
    let path = app
        .settings
        .data
        .dir
        .join("outbox")
        .join(format!("{stem}.eml"));
    let raw = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let text = String::from_utf8(raw.clone()).expect("an .eml is text");
    assert!(
        text.contains("Subject: Test message about C-2026-00009"),
        "{text}"
    );
    let mail = parse(&raw);
    assert_eq!(mail.message_id, message_id);
    assert!(mail.text.unwrap().contains("Dear Alex Example"));
    assert_eq!(mail.attachments[0].filename, "invite.ics");
    assert_eq!(mail.attachments[0].bytes, INVITE);
}

#[tokio::test]
async fn only_admins_see_the_outbox_or_retry() {
    let app = spawn_app_with(fast).await;
    let (_, admin) = app.signed_in(Role::Admin).await;
    for role in Role::ALL.into_iter().filter(|r| *r != Role::Admin) {
        let (_, token) = app.signed_in(role).await;
        assert_problem(app.get("/api/v1/outbox", &token).await, 403).await;
        let res = app
            .post("/api/v1/outbox/any/retry", &token, &json!({}))
            .await;
        assert_problem(res, 403).await;
    }
    let anonymous = app
        .client
        .get(app.url("/api/v1/outbox"))
        .send()
        .await
        .unwrap();
    assert_problem(anonymous, 401).await;

    let res = app.get("/api/v1/outbox?status=lost", &admin).await;
    let body = assert_problem(res, 400).await;
    assert_eq!(problem_fields(&body), vec!["status"]);
    let body = assert_problem(app.get("/api/v1/outbox?limit=0", &admin).await, 400).await;
    assert_eq!(problem_fields(&body), vec!["limit"]);
    let body = assert_problem(app.get("/api/v1/outbox?cursor=zzz", &admin).await, 400).await;
    assert_eq!(problem_fields(&body), vec!["cursor"]);
    let res = app.get("/api/v1/outbox?status=dead", &admin).await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn the_list_pages_newest_first() {
    let app = spawn_app_with(|s| {
        // No SMTP server: the messages stay queued while the list is read.
        smtp(free_port())(s);
        s.email.retry_base_seconds = 60.0;
        s.email.retry_max_seconds = 60.0;
    })
    .await;
    let (_, admin) = app.signed_in(Role::Admin).await;
    let mut ids = Vec::new();
    for n in 1..=5 {
        ids.extend(enqueue_all(&app, vec![compose(&app, n)]).await);
    }
    let mut seen = Vec::new();
    let mut path = "/api/v1/outbox?limit=2".to_string();
    loop {
        let page: Value = app.get(&path, &admin).await.json().await.unwrap();
        for item in page["items"].as_array().unwrap() {
            seen.push(item["id"].as_str().unwrap().to_string());
        }
        match page["next"].as_str() {
            Some(next) => path = format!("/api/v1/outbox?limit=2&cursor={next}"),
            None => break,
        }
    }
    ids.reverse();
    assert_eq!(seen, ids);
}

/// The storage rules without a worker: claims, leases, back-off and death, at chosen instants.
#[tokio::test]
async fn claims_leases_and_back_off_follow_the_rules() {
    let test_db = TestDb::create();
    let settings = test_settings(&test_db);
    let db = candour::startup::open_database(&settings).await.unwrap();
    let outbox = candour::email::Outbox::new(&settings.email);
    let message = outbox
        .compose("test_message", "alex@example.org", &context(1))
        .unwrap();
    let policy = RetryPolicy {
        base_seconds: 30.0,
        max_seconds: 3600.0,
        max_attempts: 3,
    };
    let clock = Clock::system();
    let result = db
        .write(move |c| -> Result<(), AppError> {
            let id = outbox::enqueue(c, &message, clock.now())?;
            let t0 = clock.now() + chrono::Duration::seconds(1);
            let secs = chrono::Duration::seconds;

            // Instance A claims it; B finds nothing while A's lease lasts.
            let claimed = outbox::claim(c, "A", t0, t0 + secs(10), 5)?;
            assert_eq!(claimed.len(), 1);
            assert_eq!(claimed[0].attempts, 1);
            assert_eq!(claimed[0].status, OutboxStatus::Sending);
            assert!(outbox::claim(c, "B", t0 + secs(5), t0 + secs(15), 5)?.is_empty());
            // A stopped without a word: after the lease B takes it over, and A's late outcome
            // no longer counts.
            let taken = outbox::claim(c, "B", t0 + secs(11), t0 + secs(21), 5)?;
            assert_eq!(taken.len(), 1);
            assert_eq!(taken[0].attempts, 2);
            assert!(!outbox::mark_sent(c, &id, "A", t0 + secs(12))?);

            // B's attempt fails: pending again, due base × 2^(2−1) = 60 s later.
            let t1 = t0 + secs(12);
            let status = outbox::mark_failed(c, &id, "B", "421 try later", t1, &policy)?;
            assert_eq!(status, Some(OutboxStatus::Pending));
            let m = outbox::find(c, &id)?.unwrap();
            assert_eq!(m.next_attempt_at, t1 + secs(60));
            assert_eq!(m.last_error.as_deref(), Some("421 try later"));
            assert!(outbox::claim(c, "A", t1 + secs(59), t1 + secs(99), 5)?.is_empty());
            assert!(!outbox::any_due(c, t1 + secs(59))?);
            assert!(outbox::any_due(c, t1 + secs(60))?);

            // The third attempt is the last: dead.
            let t2 = t1 + secs(60);
            assert_eq!(outbox::claim(c, "A", t2, t2 + secs(10), 5)?.len(), 1);
            let status = outbox::mark_failed(c, &id, "A", "550 no such user", t2, &policy)?;
            assert_eq!(status, Some(OutboxStatus::Dead));
            assert!(outbox::claim(c, "A", t2 + secs(86_400), t2 + secs(86_410), 5)?.is_empty());

            // An admin re-queues it: due at once, attempts from zero, the same Message-ID.
            let before = outbox::find(c, &id)?.unwrap();
            assert!(outbox::requeue_dead(c, &id, t2)?);
            assert!(!outbox::requeue_dead(c, &id, t2)?, "only dead messages");
            let again = outbox::claim(c, "A", t2, t2 + secs(10), 5)?;
            assert_eq!(again[0].attempts, 1);
            assert_eq!(again[0].message_id, before.message_id);
            // Handed back unsent (the worker is stopping): pending, the attempt uncounted.
            assert_eq!(outbox::release(c, std::slice::from_ref(&id), "A")?, 1);
            let released = outbox::find(c, &id)?.unwrap();
            assert_eq!(
                (released.status, released.attempts),
                (OutboxStatus::Pending, 0)
            );
            let last = outbox::claim(c, "B", t2, t2 + secs(10), 5)?;
            assert!(outbox::mark_sent(c, &id, "B", t2 + secs(1))?);
            assert_eq!(last.len(), 1);
            let sent = outbox::find(c, &id)?.unwrap();
            assert_eq!(sent.status, OutboxStatus::Sent);
            assert_eq!(sent.sent_at, Some(t2 + secs(1)));
            Ok(())
        })
        .await;
    result.unwrap();
}

#[tokio::test]
async fn the_worker_stops_when_asked() {
    let test_db = TestDb::create();
    let mut settings = test_settings(&test_db);
    fast(&mut settings);
    let db = candour::startup::open_database(&settings).await.unwrap();
    let outbox = candour::email::Outbox::new(&settings.email);
    let mailer =
        candour::email::mailer::Mailer::from_settings(&settings.email, &settings.data.dir).unwrap();
    let worker = candour::email::worker::Worker::new(
        db,
        Clock::system(),
        mailer,
        &settings.email,
        outbox.notifier(),
    )
    .unwrap();
    let handle = worker.spawn();
    tokio::time::timeout(Duration::from_secs(30), handle.stop())
        .await
        .expect("the worker stops promptly");
}

/// Two instances claiming at the same moment get disjoint batches: on PostgreSQL the second
/// skips the rows the first has locked (`FOR UPDATE SKIP LOCKED`); on SQLite the second waits
/// for the first's write transaction and then sees its rows as taken.
#[tokio::test]
async fn simultaneous_claims_never_overlap() {
    let test_db = TestDb::create();
    let settings = test_settings(&test_db);
    let first = candour::startup::open_database(&settings).await.unwrap();
    let second = candour::startup::open_database(&settings).await.unwrap();
    let composer = candour::email::Outbox::new(&settings.email);
    let messages: Vec<_> = (1..=6)
        .map(|n| {
            composer
                .compose("test_message", "alex@example.org", &context(n))
                .unwrap()
        })
        .collect();
    let clock = Clock::system();
    let queued_at = clock.now();
    let all: BTreeSet<String> = first
        .write(move |c| -> Result<BTreeSet<String>, AppError> {
            let mut ids = BTreeSet::new();
            for m in &messages {
                ids.insert(outbox::enqueue(c, m, queued_at)?);
            }
            Ok(ids)
        })
        .await
        .unwrap();

    let now = clock.now() + chrono::Duration::seconds(1);
    let lease = now + chrono::Duration::seconds(60);
    let (claimed_tx, claimed_rx) = std::sync::mpsc::channel::<()>();
    let (started_tx, started_rx) = std::sync::mpsc::channel::<()>();
    // A claims three and keeps its transaction open while B claims.
    let a = tokio::spawn(async move {
        first
            .write(move |c| -> Result<Vec<String>, AppError> {
                let mine = outbox::claim(c, "A", now, lease, 3)?;
                let _ = claimed_tx.send(());
                if started_rx.recv_timeout(Duration::from_secs(2)).is_ok() {
                    // Give B's query time to meet A's row locks before A commits.
                    std::thread::sleep(Duration::from_millis(300));
                }
                Ok(mine.into_iter().map(|m| m.id).collect())
            })
            .await
    });
    tokio::task::spawn_blocking(move || claimed_rx.recv_timeout(Duration::from_secs(30)))
        .await
        .unwrap()
        .expect("A claimed");
    let b = second
        .write(move |c| -> Result<Vec<String>, AppError> {
            let _ = started_tx.send(());
            let theirs = outbox::claim(c, "B", now, lease, 10)?;
            Ok(theirs.into_iter().map(|m| m.id).collect())
        })
        .await
        .unwrap();
    let a = a.await.unwrap().unwrap();

    assert_eq!(a.len(), 3, "A: {a:?}");
    assert_eq!(b.len(), 3, "B took only what A had not: {b:?}");
    let a: BTreeSet<String> = a.into_iter().collect();
    let b: BTreeSet<String> = b.into_iter().collect();
    assert!(a.is_disjoint(&b), "both claimed {:?}", a.intersection(&b));
    assert_eq!(a.union(&b).cloned().collect::<BTreeSet<_>>(), all);
}

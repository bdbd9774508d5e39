//! The logs hold no personal data: a representative flow (staff account, sign-ins right and
//! wrong, token refresh, password change, a complaint with complainant and patient,
//! acknowledgement, a note, searches, the tracking page and its message, the survey link)
//! leaves none of its names, emails, phone and NHS numbers, passwords, tokens or links in what
//! the server logged; nor does anything logged so far hold a token, a password hash, an email
//! address or the shared test people. `.ci/run` also scans the logs of the whole test run.

use std::path::PathBuf;

use candour::domain::role::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::captured_logs;
use crate::helpers::{PASSWORD, TestApp, insert_service, spawn_app};
use crate::tracking::{csrf_of, token_of};

/// The people and secrets of one run of the flow: unique to it, so that the scan cannot be
/// confused by other tests running at the same time.
struct Secrets {
    tag: String,
    staff_name: String,
    staff_email: String,
    staff_password: String,
    wrong_password: String,
    new_password: String,
    unknown_email: String,
    complainant: String,
    complainant_email: String,
    phone: String,
    patient: String,
    nhs_number: String,
    note: String,
    message: String,
}

/// `n` letters from a fresh UUID, for names (which take no digits).
fn letters(n: usize) -> String {
    uuid::Uuid::new_v4()
        .simple()
        .to_string()
        .bytes()
        .take(n)
        .map(|b| char::from(b'a' + b % 26))
        .collect()
}

/// A valid NHS number (modulus-11 check digit), formatted `943 476 5919`.
fn nhs_number() -> String {
    loop {
        let digits: String = uuid::Uuid::new_v4()
            .as_u128()
            .to_string()
            .chars()
            .take(9)
            .collect();
        for check in 0..10 {
            let candidate = format!("{digits}{check}");
            if let Ok(valid) = candour::domain::nhs_number::parse(&candidate) {
                return candour::domain::nhs_number::display(&valid);
            }
        }
    }
}

impl Secrets {
    fn new() -> Self {
        let tag = letters(10);
        let cap = |s: &str| s[..1].to_uppercase() + &s[1..];
        let number = uuid::Uuid::new_v4().as_u128() % 100_000;
        Self {
            staff_name: format!("Perpetua {}", cap(&letters(9))),
            staff_email: format!("perpetua.{tag}@trust.nhs.uk"),
            staff_password: format!("Orchard-{tag}-velvet-lamp"),
            wrong_password: format!("Wrong-{tag}-guess-entirely"),
            new_password: format!("Harbour-{tag}-quill-meadow"),
            unknown_email: format!("nobody.{tag}@trust.nhs.uk"),
            complainant: format!("Ottoline {}", cap(&letters(9))),
            complainant_email: format!("ottoline.{tag}@example.net"),
            phone: format!("07700 9{number:05}"),
            patient: format!("Barnaby {}", cap(&letters(9))),
            nhs_number: nhs_number(),
            note: format!("Spoke to the family {tag} about the discharge"),
            message: format!("Please call me back {tag}"),
            tag,
        }
    }

    /// Every value that must not be logged, each in the forms it could take.
    fn needles(&self) -> Vec<(String, &'static str)> {
        let no_spaces = |s: &str| s.replace(' ', "");
        let mut needles = vec![
            (self.staff_name.clone(), "staff name"),
            (self.staff_email.clone(), "staff email"),
            (self.staff_password.clone(), "password"),
            (self.wrong_password.clone(), "wrong password"),
            (self.new_password.clone(), "new password"),
            (self.unknown_email.clone(), "unknown email"),
            (self.complainant.clone(), "complainant"),
            (self.complainant_email.clone(), "complainant email"),
            (self.phone.clone(), "phone"),
            (no_spaces(&self.phone), "phone without spaces"),
            (self.patient.clone(), "patient"),
            (self.nhs_number.clone(), "NHS number"),
            (no_spaces(&self.nhs_number), "NHS number without spaces"),
            (self.note.clone(), "note"),
            (self.message.clone(), "tracking-page message"),
        ];
        // Surnames alone, and the tag that every value above carries.
        for name in [&self.staff_name, &self.complainant, &self.patient] {
            let surname = name.rsplit(' ').next().unwrap_or_default();
            needles.push((surname.to_string(), "surname"));
        }
        needles.push((self.tag.clone(), "this run's tag"));
        needles
    }
}

/// Where a forbidden value turned up in the log text, with the line for the message.
fn findings(log: &str, needles: &[(String, &'static str)]) -> Vec<String> {
    let mut found = Vec::new();
    for line in log.lines() {
        for (needle, what) in needles {
            if !needle.is_empty() && line.contains(needle.as_str()) {
                found.push(format!("{what} ({needle}) in: {line}"));
            }
        }
    }
    found
}

/// The shape of a JWT: `eyJ…` (base64url JSON), dot, payload, dot.
fn has_jwt(text: &str) -> bool {
    text.match_indices("eyJ").any(|(at, _)| {
        let rest = &text[at..];
        let part = |s: &str| {
            s.bytes()
                .take_while(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_')
                .count()
        };
        let first = part(rest);
        rest[first..].starts_with('.') && part(&rest[first + 1..]) >= 10
    })
}

/// An email address anywhere in `text`: `local@domain.tld`.
fn email_in(text: &str) -> Option<String> {
    let local = |b: u8| b.is_ascii_alphanumeric() || b".!#$%&'*+/=?^_`{|}~-".contains(&b);
    let domain = |b: u8| b.is_ascii_alphanumeric() || b == b'.' || b == b'-';
    let bytes = text.as_bytes();
    text.match_indices('@').find_map(|(at, _)| {
        let start = (0..at).rev().take_while(|&i| local(bytes[i])).last()?;
        let end = (at + 1..bytes.len())
            .take_while(|&i| domain(bytes[i]))
            .last()?;
        let host = text[at + 1..=end].trim_end_matches('.');
        let tld = host.rsplit('.').next().unwrap_or_default();
        (host.contains('.') && tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic()))
            .then(|| text[start..at + 1 + host.len()].to_string())
    })
}

/// Log fields that hold an `@` by design and nothing personal: RFC 5322 Message-IDs
/// (`<uuid@domain>`).
const SAFE_FIELDS: [&str; 1] = ["email.message_id"];

/// Problems in any log text, whoever logged it: tokens, password hashes, email addresses, and
/// the people every other test uses (`helpers::complaint`, `helpers::pals_concern`).
fn general_findings(log: &str) -> Vec<String> {
    let shared = [
        ("Alex Example", "shared complainant"),
        ("alex@example.org", "shared complainant email"),
        ("Sam Example", "shared patient"),
        ("943 476 5919", "shared NHS number"),
        ("9434765919", "shared NHS number"),
        ("01632 960000", "shared phone"),
        ("01632960000", "shared phone"),
        ("Jo Caller", "shared caller"),
        ("07700 900123", "shared phone"),
        ("07700900123", "shared phone"),
        (PASSWORD, "shared password"),
        ("sent home without his medication", "complaint text"),
    ];
    let needles: Vec<(String, &str)> = shared.iter().map(|(n, w)| (n.to_string(), *w)).collect();
    let mut found = findings(log, &needles);
    for line in log.lines() {
        let mut event: Value = serde_json::from_str(line).unwrap_or(Value::String(line.into()));
        if let Some(fields) = event.as_object_mut() {
            for key in SAFE_FIELDS {
                fields.remove(key);
            }
        }
        let text = event.to_string();
        if has_jwt(&text) {
            found.push(format!("a JWT in: {line}"));
        }
        if text.contains("$argon2") {
            found.push(format!("a password hash in: {line}"));
        }
        if let Some(email) = email_in(&text) {
            found.push(format!("an email address ({email}) in: {line}"));
        }
    }
    found
}

fn assert_clean(found: &[String]) {
    assert!(
        found.is_empty(),
        "personal data or secrets in the logs:\n{}",
        found.join("\n")
    );
}

/// The staff account: created by an admin, signed in wrongly (known and unknown email), then
/// rightly, refreshed, its password changed; returns its token and every token seen.
async fn staff_flow(app: &TestApp, s: &Secrets, tokens: &mut Vec<String>) -> (String, String) {
    let (_, admin) = app.signed_in(Role::Admin).await;
    tokens.push(admin.clone());
    let res = app
        .post(
            "/api/v1/users",
            &admin,
            &json!({"email": s.staff_email, "name": s.staff_name,
                    "role": "complaints_manager", "password": s.staff_password}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let user: Value = res.json().await.unwrap();
    let user_id = user["id"].as_str().unwrap().to_string();
    for (email, password) in [
        (&s.staff_email, &s.wrong_password),
        (&s.unknown_email, &s.staff_password),
    ] {
        let res = app.login(email, password).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let pair: Value = app
        .login(&s.staff_email, &s.staff_password)
        .await
        .json()
        .await
        .unwrap();
    let refresh = pair["refresh_token"].as_str().unwrap().to_string();
    let res = app
        .client
        .post(app.url("/api/v1/auth/refresh"))
        .json(&json!({"refresh_token": refresh}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let pair2: Value = res.json().await.unwrap();
    let token = pair2["access_token"].as_str().unwrap().to_string();
    tokens.extend([pair, pair2].iter().flat_map(|p| {
        ["access_token", "refresh_token"].map(|k| p[k].as_str().unwrap().to_string())
    }));
    let res = app
        .post(
            "/api/v1/me/password",
            &token,
            &json!({"current_password": s.staff_password, "new_password": s.new_password}),
        )
        .await;
    assert_eq!(res.status(), 204);
    let pair: Value = app
        .login(&s.staff_email, &s.new_password)
        .await
        .json()
        .await
        .unwrap();
    let token = pair["access_token"].as_str().unwrap().to_string();
    tokens.extend(["access_token", "refresh_token"].map(|k| pair[k].as_str().unwrap().into()));
    (user_id, token)
}

/// A complaint about `s`'s people: acknowledged, noted, searched for, given a tracking link
/// (its page visited and a message sent) and answered, with a survey link; every link's token
/// goes into `tokens`.
async fn case_flow(app: &TestApp, s: &Secrets, manager: &str, tokens: &mut Vec<String>) {
    let service = insert_service(app, &format!("LOG{}", &s.tag[..6]), None).await;
    let today = app.today().to_string();
    let mut body = crate::helpers::complaint(&service, &today);
    body["complainant"] = json!({
        "name": s.complainant, "email": s.complainant_email, "phone": s.phone,
        "preferred_contact": "email", "consents_to_email": true, "email_consent_on": today
    });
    body["patient"] = json!({"name": s.patient, "nhs_number": s.nhs_number,
                             "date_of_birth": "1948-03-07"});
    let case = app.create_case(manager, &body).await;
    let case = app
        .act_ok(
            manager,
            &case,
            "acknowledge",
            json!({"method": "email", "handling_discussion_offered": true, "meeting_offered": true}),
        )
        .await;
    let id = case["id"].as_str().unwrap();
    let res = app
        .post(
            &format!("/api/v1/cases/{id}/notes"),
            manager,
            &json!({"text": s.note}),
        )
        .await;
    assert_eq!(res.status(), 201);
    for q in [&s.patient, &s.nhs_number, &s.complainant_email, &s.phone] {
        for path in ["/api/v1/persons", "/api/v1/cases"] {
            let res = app
                .client
                .get(app.url(path))
                .bearer_auth(manager)
                .query(&[("q", q)])
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200, "{path}?q={q}");
        }
    }
    let ack = crate::feedback::delivered_link(app, id, "acknowledgement", "/track/").await;
    let url = crate::tracking::issue(app, manager, &case).await;
    tokens.extend([token_of(&ack, "/track/"), token_of(&url, "/track/")]);
    let page = app
        .client
        .get(&url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&page);
    let res = app
        .client
        .post(&url)
        .form(&[("csrf", csrf.as_str()), ("message", s.message.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    tokens.push(csrf);
    let survey = survey_link(app, manager, &case).await;
    tokens.push(token_of(&survey, "/feedback/"));
    let res = app.client.get(&survey).send().await.unwrap();
    assert_eq!(res.status(), 200);
}

/// Answer the complaint, invite the complainant to the survey and return the link emailed.
async fn survey_link(app: &TestApp, manager: &str, case: &Value) -> String {
    let case = app
        .act_ok(
            manager,
            case,
            "respond",
            json!({
                "signed_by": "Chief Executive",
                "aspect_outcomes": [
                    {"subject": "admissions_discharges", "outcome": "upheld"},
                    {"subject": "communications", "outcome": "not_upheld"}
                ],
                "ombudsman_rights_given": true
            }),
        )
        .await;
    let id = case["id"].as_str().unwrap();
    let res = app
        .post(
            &format!("/api/v1/cases/{id}/feedback-invitations"),
            manager,
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 201);
    crate::feedback::delivered_link(app, id, "feedback_invitation", "/feedback/").await
}

#[tokio::test]
async fn a_representative_flow_leaves_no_personal_data_or_secret_in_the_logs() {
    let app = spawn_app().await;
    let s = Secrets::new();
    let mut tokens = Vec::new();
    let (user_id, manager) = staff_flow(&app, &s, &mut tokens).await;
    tokens.push(manager.clone());
    case_flow(&app, &s, &manager, &mut tokens).await;
    // Let the outbox worker log the last sends.
    app.state.outbox.wake();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;

    let log = captured_logs::read();
    // The capture works: this flow's own (harmless) ids were logged.
    assert!(
        log.contains(&user_id),
        "the account created here ({user_id}) is not in the captured logs"
    );
    let mut needles = s.needles();
    needles.extend(tokens.into_iter().map(|t| (t, "token")));
    assert_clean(&findings(&log, &needles));
    assert_clean(&general_findings(&log));
}

/// The scanners find what they look for (else a clean scan would prove nothing).
#[test]
fn the_scanners_find_what_they_look_for() {
    assert!(has_jwt(
        r#"{"t":"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkw.sig"}"#
    ));
    assert!(!has_jwt("eyJ alone"));
    assert_eq!(
        email_in(r#"{"x":"write to ann.lee+x@nhs.net."}"#).as_deref(),
        Some("ann.lee+x@nhs.net")
    );
    assert_eq!(email_in("admin@localhost and a@b"), None);
    let line = r#"{"email.message_id":"<0b1c@candour.example.org>","message":"email sent"}"#;
    assert!(general_findings(line).is_empty());
    assert_eq!(
        general_findings(r#"{"message":"hi Alex Example"}"#).len(),
        1
    );
    let s = Secrets::new();
    let log = format!("{{\"user\":\"{}\"}}", s.nhs_number.replace(' ', ""));
    assert_eq!(findings(&log, &s.needles()).len(), 1);
}

/// Every log file of the whole test run (one per test process: `cargo test` on SQLite, then on
/// PostgreSQL), scanned once the run is over. `.ci/run` runs it after the suites:
/// `cargo test --test api -- --ignored the_whole_runs_logs`.
#[test]
#[ignore = "scans the logs of earlier test runs; .ci/run runs it after the suites"]
fn the_whole_runs_logs_hold_no_personal_data() {
    let own = captured_logs::install().to_path_buf();
    let files: Vec<PathBuf> = std::fs::read_dir(captured_logs::dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| *p != own && p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    let mut lines = 0;
    for file in &files {
        let log = std::fs::read_to_string(file).unwrap();
        lines += log.lines().count();
        let found = general_findings(&log);
        assert!(
            found.is_empty(),
            "{}:\n{}",
            file.display(),
            found.join("\n")
        );
    }
    assert!(
        lines > 1000,
        "only {lines} log lines in {} files: run the test suite first",
        files.len()
    );
    println!("{lines} log lines in {} files: clean", files.len());
}

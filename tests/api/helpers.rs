//! Test harness: a fresh database per test, a running app, typed request helpers.

use candour::clock::Clock;
use candour::config::{Environment, Secret, Settings};
use candour::domain::role::Role;
use candour::services::users::{NewAccount, create_account};
use candour::startup::Application;
use candour::state::AppState;
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

pub const TEST_SECRET: &str = "a-test-secret-that-is-longer-than-32-bytes";
pub const PASSWORD: &str = "correct horse battery staple";

/// A database that exists for one test and is removed afterwards.
pub struct TestDb {
    pub url: String,
    pg_admin_url: Option<String>,
    name: String,
    pub dir: tempfile::TempDir,
}

impl TestDb {
    pub fn create() -> Self {
        crate::captured_logs::install();
        let dir = tempfile::tempdir().expect("temp dir");
        match std::env::var("CANDOUR_TEST_DATABASE_URL") {
            Ok(base) if base.starts_with("postgres") => {
                let name = format!("candour_test_{}", uuid::Uuid::new_v4().simple());
                let mut admin = PgConnection::establish(&base).expect("connect to PostgreSQL");
                admin
                    .batch_execute(&format!("CREATE DATABASE {name}"))
                    .expect("create test database");
                let url = replace_database(&base, &name);
                Self {
                    url,
                    pg_admin_url: Some(base),
                    name,
                    dir,
                }
            }
            _ => {
                let path = dir.path().join("candour.db");
                Self {
                    url: format!("sqlite://{}", path.display()),
                    pg_admin_url: None,
                    name: String::new(),
                    dir,
                }
            }
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.pg_admin_url.is_some()
    }
}

/// `url` naming database `name`, its parameters (`?sslmode=disable`) kept.
fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    match base[scheme_end..].find('/') {
        Some(slash) => format!("{}/{name}{query}", &base[..scheme_end + slash]),
        None => format!("{base}/{name}{query}"),
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(admin_url) = &self.pg_admin_url
            && let Ok(mut admin) = PgConnection::establish(admin_url)
        {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// A running Candour and a client for it.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub state: AppState,
    pub settings: Settings,
    pub db: TestDb,
    /// The server's clock: tests move it instead of backdating rows.
    pub clock: Clock,
}

/// A user created for a test, with their password.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: String,
    pub email: String,
    pub password: String,
}

/// Settings for a test app on `db`: random port, one worker, the test secret.
pub fn test_settings(db: &TestDb) -> Settings {
    let mut s = Settings::default();
    s.server.port = 0;
    s.server.workers = 1;
    s.database.url = Secret::new(db.url.clone());
    s.database.pool_size = 4;
    s.data.dir = db.dir.path().join("data");
    s.auth.jwt_secret = Secret::new(TEST_SECRET);
    // Tests run the alert job themselves, at times they choose.
    s.alerts.enabled = false;
    s.feedback.job_interval_minutes = 0;
    s
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let db = TestDb::create();
    let mut settings = test_settings(&db);
    adjust(&mut settings);
    let clock = Clock::adjustable();
    let app = Application::build_with_clock(settings.clone(), Environment::Test, clock.clone())
        .await
        .expect("build app");
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state().clone();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        state,
        settings,
        db,
        clock,
    }
}

impl TestApp {
    /// Today in England, on the server's clock.
    pub fn today(&self) -> chrono::NaiveDate {
        self.clock.today()
    }

    /// Put the server's clock at noon in England on `day` (it runs on from there).
    pub fn set_today(&self, day: chrono::NaiveDate) {
        assert!(self.clock.set_today(day), "the test clock is adjustable");
    }

    /// Put the server's clock at instant `at`.
    pub fn set_clock(&self, at: chrono::DateTime<chrono::Utc>) {
        assert!(self.clock.set(at), "the test clock is adjustable");
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// Create a user directly through the service layer.
    pub async fn create_user(&self, role: Role) -> TestUser {
        let email = format!(
            "{}-{}@trust.nhs.uk",
            role.as_str(),
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
        let (user, _) = create_account(
            &self.state.db,
            &self.clock,
            NewAccount {
                email: email.clone(),
                name: format!("Test {}", role.as_str()),
                role,
                password: Some(PASSWORD.into()),
            },
        )
        .await
        .expect("create user");
        TestUser {
            id: user.id,
            email,
            password: PASSWORD.into(),
        }
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.client
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({ "email": email, "password": password }))
            .send()
            .await
            .unwrap()
    }

    /// Sign in and return the token pair as JSON.
    pub async fn tokens(&self, user: &TestUser) -> Value {
        let res = self.login(&user.email, &user.password).await;
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "login of {} failed",
            user.email
        );
        res.json().await.unwrap()
    }

    /// A new user with `role` and an access token for them.
    pub async fn signed_in(&self, role: Role) -> (TestUser, String) {
        let user = self.create_user(role).await;
        let tokens = self.tokens(&user).await;
        (user, tokens["access_token"].as_str().unwrap().to_string())
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    pub async fn post(&self, path: &str, token: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn put(&self, path: &str, token: &str, body: &Value) -> Response {
        self.client
            .put(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn patch(&self, path: &str, token: &str, body: &Value) -> Response {
        self.client
            .patch(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap()
    }
}

/// Assert `res` is a problem document with `status`; return its body.
pub async fn assert_problem(res: Response, status: u16) -> Value {
    assert_eq!(res.status().as_u16(), status, "unexpected status");
    let content_type = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert_eq!(content_type, "application/problem+json");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], status, "status member: {body}");
    assert!(
        body["type"].as_str().is_some_and(|t| !t.is_empty()),
        "type: {body}"
    );
    assert!(
        body["title"].as_str().is_some_and(|t| !t.is_empty()),
        "title: {body}"
    );
    assert!(
        body["detail"].as_str().is_some_and(|t| !t.is_empty()),
        "detail: {body}"
    );
    body
}

/// The field names of a validation problem.
pub fn problem_fields(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["field"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Insert a service straight into the database (the services API has its own tests).
pub async fn insert_service(app: &TestApp, code: &str, lead_user_id: Option<&str>) -> String {
    use candour::db::schema::services;
    use diesel::prelude::*;
    let id = uuid::Uuid::new_v4().to_string();
    let (sid, code, lead) = (
        id.clone(),
        code.to_string(),
        lead_user_id.map(str::to_string),
    );
    let now = app.clock.now();
    app.state
        .db
        .write(move |c| -> Result<(), candour::error::AppError> {
            diesel::insert_into(services::table)
                .values((
                    services::id.eq(&sid),
                    services::kind.eq("site"),
                    services::code.eq(&code),
                    services::name.eq(format!("Service {code}")),
                    services::lead_user_id.eq(lead),
                    services::active.eq(true),
                    services::created_at.eq(now),
                    services::updated_at.eq(now),
                ))
                .execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
    id
}

/// A valid complaint about `service_id`, received on `received_on`.
pub fn complaint(service_id: &str, received_on: &str) -> Value {
    json!({
        "kind": "complaint",
        "channel": "email",
        "received_on": received_on,
        "incident_on": received_on,
        "summary": "Discharged without medication",
        "description": "My father was sent home without his medication and nobody explained why.",
        "desired_outcome": "An explanation and an apology",
        "subjects": [
            {"code": "admissions_discharges", "primary": true},
            {"code": "communications"}
        ],
        "service_ids": [service_id],
        "professions": ["nursing_midwifery"],
        "risk": {"consequence": 2, "likelihood": 3},
        "complainant": {
            "name": "Alex Example",
            "email": "alex@example.org",
            "phone": "01632 960000",
            "preferred_contact": "email",
            "consents_to_email": true,
            "email_consent_on": received_on
        },
        "patient": {"name": "Sam Example", "nhs_number": "943 476 5919", "date_of_birth": "1950-02-01"},
        "representative": {"basis": "patient_request", "consent_status": "received",
                           "consent_requested_on": received_on, "consent_received_on": received_on}
    })
}

/// A valid PALS concern about `service_id`.
pub fn pals_concern(service_id: &str, received_on: &str) -> Value {
    json!({
        "kind": "pals_concern",
        "channel": "phone",
        "received_on": received_on,
        "summary": "Parking charges at outpatients",
        "description": "Caller unhappy that the pay machine was broken.",
        "subjects": [{"code": "facilities"}],
        "service_ids": [service_id],
        "complainant": {"name": "Jo Caller", "phone": "07700 900123"},
        "patient_is_complainant": true
    })
}

impl TestApp {
    /// Log a case and return it; panics unless 201.
    pub async fn create_case(&self, token: &str, body: &Value) -> Value {
        let res = self.post("/api/v1/cases", token, body).await;
        let status = res.status();
        let json: Value = res.json().await.unwrap();
        assert_eq!(status, 201, "create failed: {json}");
        json
    }

    /// Take `action` on `case` at its current version.
    pub async fn act(&self, token: &str, case: &Value, action: &str, body: Value) -> Response {
        let mut body = body;
        body["version"] = case["version"].clone();
        let id = case["id"].as_str().unwrap();
        self.post(&format!("/api/v1/cases/{id}/{action}"), token, &body)
            .await
    }

    /// `body` with the `version` that `path` (a resource) has now, for an optimistic write.
    pub async fn at_current_version(&self, token: &str, path: &str, body: Value) -> Value {
        let current: Value = self.get(path, token).await.json().await.unwrap();
        let mut body = body;
        body["version"] = current["version"].clone();
        body
    }

    /// Take `action`, assert 200 and return the case after it.
    pub async fn act_ok(&self, token: &str, case: &Value, action: &str, body: Value) -> Value {
        let res = self.act(token, case, action, body).await;
        let status = res.status();
        let json: Value = res.json().await.unwrap();
        assert_eq!(status, 200, "{action} failed: {json}");
        json
    }
}

impl TestApp {
    /// A complaint taken to `responded` (acknowledged and answered), ready to close.
    pub async fn responded_complaint(
        &self,
        token: &str,
        service_id: &str,
        received_on: &str,
    ) -> Value {
        let case = self
            .create_case(token, &complaint(service_id, received_on))
            .await;
        let case = self
            .act_ok(
                token,
                &case,
                "acknowledge",
                json!({"method": "email", "handling_discussion_offered": true, "meeting_offered": true}),
            )
            .await;
        self.act_ok(
            token,
            &case,
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
        .await
    }

    /// The current working calendar (bank holidays), as the server computes with it.
    pub async fn working_calendar(&self) -> candour::domain::calendar::WorkingCalendar {
        self.state
            .db
            .read(candour::db::calendar::current)
            .await
            .unwrap()
    }

    /// A case's timeline event kinds, in order.
    pub async fn timeline_kinds(&self, token: &str, case_id: &str) -> Vec<String> {
        let events: Vec<Value> = self
            .get(&format!("/api/v1/cases/{case_id}/timeline"), token)
            .await
            .json()
            .await
            .unwrap();
        events
            .iter()
            .map(|e| e["kind"].as_str().unwrap().to_string())
            .collect()
    }
}

/// The date `days` from today in England on the system clock (negative: in the past), as
/// `YYYY-MM-DD`. A test that moves its server's clock counts from `app.today()` instead.
pub fn days_from_today(days: i64) -> String {
    (candour::clock::date_in_england(chrono::Utc::now()) + chrono::Duration::days(days)).to_string()
}

/// The `candour` binary with a clean environment (no config folder, no inherited `CANDOUR`
/// settings), on the database `db_url` with its data in `data_dir`.
pub fn candour_command(db_url: &str, data_dir: &std::path::Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_candour"));
    for (key, _) in std::env::vars() {
        if key.starts_with("CANDOUR") {
            cmd.env_remove(key);
        }
    }
    cmd.env("CANDOUR_CONFIG_DIR", data_dir.join("no-config"))
        .env("CANDOUR__DATABASE__URL", db_url)
        .env("CANDOUR__DATA__DIR", data_dir)
        .env("RUST_LOG", "warn");
    cmd
}

impl TestApp {
    /// `candour <args>` on this app's database (with the same development keys).
    pub fn cli(&self, args: &[&str]) -> std::process::Output {
        candour_command(self.settings.database.url.expose(), self.db.dir.path())
            .args(args)
            .output()
            .unwrap()
    }
}

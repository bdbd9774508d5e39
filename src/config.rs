//! Settings: built-in defaults, then `config/default.toml`, then `config/<CANDOUR_ENV>.toml`,
//! then environment variables `CANDOUR__SECTION__KEY`.
//!
//! | key | variable | default |
//! | --- | --- | --- |
//! | `server.host` | `CANDOUR__SERVER__HOST` | `127.0.0.1` |
//! | `server.port` | `CANDOUR__SERVER__PORT` | `8080` |
//! | `server.workers` | `CANDOUR__SERVER__WORKERS` | `0` (one per core) |
//! | `server.max_json_bytes` | `CANDOUR__SERVER__MAX_JSON_BYTES` | `262144` |
//! | `server.shutdown_timeout_seconds` | `CANDOUR__SERVER__SHUTDOWN_TIMEOUT_SECONDS` | `30` |
//! | `trust.name`, `trust.complaints_team`, `trust.postal_address`, `trust.phone`, `trust.email`, `trust.advocacy` | `CANDOUR__TRUST__NAME` … | placeholders: set them |
//! | `alerts.interval_minutes` | `CANDOUR__ALERTS__INTERVAL_MINUTES` | `60` |
//! | `alerts.due_soon_working_days` | `CANDOUR__ALERTS__DUE_SOON_WORKING_DAYS` | `3` |
//! | `alerts.digest_hour_utc` | `CANDOUR__ALERTS__DIGEST_HOUR_UTC` | `7` |
//! | `alerts.enabled` | `CANDOUR__ALERTS__ENABLED` | `true` |
//! | `server.public_url` | `CANDOUR__SERVER__PUBLIC_URL` | empty: `http://<host>:<port>` (set it in production) |
//! | `database.url` | `CANDOUR__DATABASE__URL` | `sqlite://data/candour.db` |
//! | `database.pool_size` | `CANDOUR__DATABASE__POOL_SIZE` | `8` |
//! | `database.connect_timeout_seconds` | `CANDOUR__DATABASE__CONNECT_TIMEOUT_SECONDS` | `5` |
//! | `auth.jwt_secret` | `CANDOUR__AUTH__JWT_SECRET` | a development value, refused in production |
//! | `auth.access_token_minutes` | `CANDOUR__AUTH__ACCESS_TOKEN_MINUTES` | `15` |
//! | `auth.refresh_token_hours` | `CANDOUR__AUTH__REFRESH_TOKEN_HOURS` | `12` |
//! | `auth.max_failed_logins` | `CANDOUR__AUTH__MAX_FAILED_LOGINS` | `5` |
//! | `auth.lockout_minutes` | `CANDOUR__AUTH__LOCKOUT_MINUTES` | `15` |
//! | `bootstrap.admin_email` | `CANDOUR__BOOTSTRAP__ADMIN_EMAIL` | `admin@localhost` |
//! | `data.dir` | `CANDOUR__DATA__DIR` | `data` |
//! | `cases.response_working_days_low` … `_extreme` | `CANDOUR__CASES__RESPONSE_WORKING_DAYS_LOW` … | `25`, `40`, `60`, `60` |
//! | `cases.pals_resolution_working_days` | `CANDOUR__CASES__PALS_RESOLUTION_WORKING_DAYS` | `10` |
//! | `cases.six_month_rule` | `CANDOUR__CASES__SIX_MONTH_RULE` | `beginning_on` (or `after`) |
//! | `email.transport` | `CANDOUR__EMAIL__TRANSPORT` | `file` (`.eml` files in `<data.dir>/outbox/`) or `smtp` |
//! | `email.smtp_host` | `CANDOUR__EMAIL__SMTP_HOST` | none; required with `smtp` |
//! | `email.smtp_port` | `CANDOUR__EMAIL__SMTP_PORT` | `587` |
//! | `email.smtp_tls` | `CANDOUR__EMAIL__SMTP_TLS` | `starttls` (or `tls`, `none`) |
//! | `email.smtp_username` | `CANDOUR__EMAIL__SMTP_USERNAME` | none (no authentication) |
//! | `email.smtp_password` | `CANDOUR__EMAIL__SMTP_PASSWORD` | none; environment only, refused in a file |
//! | `email.smtp_timeout_seconds` | `CANDOUR__EMAIL__SMTP_TIMEOUT_SECONDS` | `30` |
//! | `email.from` | `CANDOUR__EMAIL__FROM` | `Candour <candour@localhost>` |
//! | `email.retry_base_seconds` | `CANDOUR__EMAIL__RETRY_BASE_SECONDS` | `30` (then doubled per attempt) |
//! | `email.retry_max_seconds` | `CANDOUR__EMAIL__RETRY_MAX_SECONDS` | `3600` (longest wait between attempts) |
//! | `email.max_attempts` | `CANDOUR__EMAIL__MAX_ATTEMPTS` | `8` (then the message is dead) |
//! | `email.poll_seconds` | `CANDOUR__EMAIL__POLL_SECONDS` | `5` |
//! | `email.batch_size` | `CANDOUR__EMAIL__BATCH_SIZE` | `20` |
//! | `email.templates_dir` | `CANDOUR__EMAIL__TEMPLATES_DIR` | `config/templates` (follows `CANDOUR_CONFIG_DIR`) |
//! | `candour.in_person_working_days` | `CANDOUR__CANDOUR__IN_PERSON_WORKING_DAYS` | `10` |
//! | `candour.written_working_days` | `CANDOUR__CANDOUR__WRITTEN_WORKING_DAYS` | `10` |
//! | `candour.due_soon_working_days` | `CANDOUR__CANDOUR__DUE_SOON_WORKING_DAYS` | `3` |
//! | `tracking.link_days_after_closure` | `CANDOUR__TRACKING__LINK_DAYS_AFTER_CLOSURE` | `90` (days after the case is closed, withdrawn or resolved) |
//! | `tracking.max_messages_per_day` | `CANDOUR__TRACKING__MAX_MESSAGES_PER_DAY` | `10` (messages one link may send in a day) |
//! | `feedback.invite_after_working_days` | `CANDOUR__FEEDBACK__INVITE_AFTER_WORKING_DAYS` | `10` (working days after the response) |
//! | `feedback.invitation_valid_days` | `CANDOUR__FEEDBACK__INVITATION_VALID_DAYS` | `60` |
//! | `feedback.job_interval_minutes` | `CANDOUR__FEEDBACK__JOB_INTERVAL_MINUTES` | `60` (0: this instance runs no invitation job) |
//! | `reports.suppress_below` | `CANDOUR__REPORTS__SUPPRESS_BELOW` | `5` (board role: counts 1–4 hidden) |
//! | `reports.spc_months` | `CANDOUR__REPORTS__SPC_MONTHS` | `24` (months on an SPC chart) |
//! | `reports.volume_direction` | `CANDOUR__REPORTS__VOLUME_DIRECTION` | `lower_is_better` (or `neither`) |
//! | `reports.acknowledged_on_time_target` | `CANDOUR__REPORTS__ACKNOWLEDGED_ON_TIME_TARGET` | none (a % target for assurance) |
//! | `reports.responded_on_time_target` | `CANDOUR__REPORTS__RESPONDED_ON_TIME_TARGET` | none |
//! | `reports.spc.shift_run`, `.trend_run`, `.min_points`, `.screen_moving_ranges` | `CANDOUR__REPORTS__SPC__SHIFT_RUN` … | `7`, `7`, `12`, `false` |
//! | `learning.sustain_review_months` | `CANDOUR__LEARNING__SUSTAIN_REVIEW_MONTHS` | `3` (months after a service change is implemented before it may be verified as sustained) |
//!
//! The `candour` periods count working days from the day the trust became aware of a notifiable
//! safety incident. Regulation 20 says only "as soon as reasonably practicable"; 10 working days
//! is the NHS Standard Contract's target (domain.md §2.2), so a trust may set its own.
//!
//! `CANDOUR_ENV` (`development`, `test` or `production`) picks the environment file and turns on
//! the production checks; `CANDOUR_CONFIG_DIR` moves the `config/` folder.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::domain::candour::CandourRules;
use crate::domain::clock::ClockRules;

/// The JWT secret shipped for development. Production refuses to start with it.
pub const DEVELOPMENT_JWT_SECRET: &str = "candour-development-secret-do-not-use-in-production";

/// The shortest JWT secret accepted in production, in bytes.
pub const MIN_PRODUCTION_SECRET_BYTES: usize = 32;

/// A string that never shows in `Debug` output or logs.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret value; call only where it is used.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Which environment the process runs in (`CANDOUR_ENV`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Test,
    Production,
}

impl Environment {
    pub fn from_env() -> Result<Self, String> {
        match std::env::var("CANDOUR_ENV") {
            Err(_) => Ok(Self::Development),
            Ok(v) => v.parse(),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Development => "development",
            Self::Test => "test",
            Self::Production => "production",
        }
    }
}

impl std::str::FromStr for Environment {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "development" | "dev" | "local" => Ok(Self::Development),
            "test" => Ok(Self::Test),
            "production" | "prod" => Ok(Self::Production),
            other => Err(format!(
                "CANDOUR_ENV must be development, test or production, not {other:?}"
            )),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub auth: AuthSettings,
    pub bootstrap: BootstrapSettings,
    pub data: DataSettings,
    pub cases: ClockRules,
    pub email: EmailSettings,
    pub candour: CandourRules,
    pub trust: TrustSettings,
    pub alerts: AlertSettings,
    pub tracking: TrackingSettings,
    pub feedback: FeedbackSettings,
    pub reports: ReportSettings,
    pub learning: LearningSettings,
}

/// Who the letters come from: printed on letters and in emails.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct TrustSettings {
    pub name: String,
    pub complaints_team: String,
    pub postal_address: String,
    pub phone: String,
    pub email: String,
    /// Where complainants can get free, independent help (told at acknowledgement).
    pub advocacy: String,
}

impl Default for TrustSettings {
    fn default() -> Self {
        Self {
            name: "Your NHS Trust".into(),
            complaints_team: "Complaints Team".into(),
            postal_address: "Your NHS Trust\nHospital Road\nTown AB1 2CD".into(),
            phone: "01234 567890".into(),
            email: "complaints@trust.nhs.uk".into(),
            advocacy: "NHS Complaints Advocacy is free, independent and confidential. Your local \
                       council can tell you which advocacy service covers your area."
                .into(),
        }
    }
}

/// The complainant's private tracking link (`GET /track/{token}`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct TrackingSettings {
    /// Days after the case is closed, withdrawn or resolved that its link stops working.
    pub link_days_after_closure: i64,
    /// Messages one link may send to the handler in a calendar day (UTC).
    pub max_messages_per_day: i32,
}

impl Default for TrackingSettings {
    fn default() -> Self {
        Self {
            link_days_after_closure: 90,
            max_messages_per_day: 10,
        }
    }
}

/// When staff are alerted.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct AlertSettings {
    /// How often the alert job looks for due and overdue cases.
    pub interval_minutes: u64,
    /// Warn the handler this many working days before a date falls due.
    pub due_soon_working_days: u32,
    /// The hour (UTC) from which the daily digest to service leads goes out.
    pub digest_hour_utc: u32,
    /// Turn the background job off (tests drive it directly).
    pub enabled: bool,
}

impl Default for AlertSettings {
    fn default() -> Self {
        Self {
            interval_minutes: 60,
            due_soon_working_days: 3,
            digest_hour_utc: 7,
            enabled: true,
        }
    }
}

/// The handling-feedback survey (characteristic 10D).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct FeedbackSettings {
    /// Working days after the response that the complainant is invited automatically.
    pub invite_after_working_days: u32,
    /// Days an invitation's link works.
    pub invitation_valid_days: i64,
    /// How often this instance looks for complaints due an invitation; 0 turns the job off
    /// (another scheduler then calls `services::feedback::invite_due`).
    pub job_interval_minutes: u64,
}

impl Default for FeedbackSettings {
    fn default() -> Self {
        Self {
            invite_after_working_days: 10,
            invitation_valid_days: 60,
            job_interval_minutes: 60,
        }
    }
}

/// Board reporting: small-number suppression, SPC rules and targets (domain.md §9).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct ReportSettings {
    /// For the board role and in published reports, counts from 1 to `suppress_below − 1` are
    /// hidden. 0 or 1 turns suppression off.
    pub suppress_below: i64,
    /// Months on an SPC chart (and used for its limits).
    pub spc_months: u32,
    /// Improvement direction of complaint volumes: `lower_is_better` makes a rise a concern
    /// (and so an early warning); `neither` shows rises and falls in purple only.
    pub volume_direction: crate::domain::spc::Direction,
    /// Target % of complaints acknowledged within 3 working days, for assurance icons.
    pub acknowledged_on_time_target: Option<f64>,
    /// Target % of complaints responded to by the agreed date.
    pub responded_on_time_target: Option<f64>,
    pub spc: crate::domain::spc::SpcRules,
}

impl Default for ReportSettings {
    fn default() -> Self {
        Self {
            suppress_below: 5,
            spc_months: 24,
            volume_direction: crate::domain::spc::Direction::LowerIsBetter,
            acknowledged_on_time_target: None,
            responded_on_time_target: None,
            spc: crate::domain::spc::SpcRules::default(),
        }
    }
}

/// The learning register (characteristic 10E).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct LearningSettings {
    /// Months after a service change was implemented before it may be verified as sustained.
    pub sustain_review_months: u32,
}

impl Default for LearningSettings {
    fn default() -> Self {
        Self {
            sustain_review_months: 3,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct ServerSettings {
    pub host: String,
    pub port: u16,
    /// Number of actix workers; 0 means one per CPU core.
    pub workers: usize,
    pub max_json_bytes: usize,
    pub shutdown_timeout_seconds: u64,
    /// The address complainants and staff reach Candour at, for links in emails and letters
    /// (e.g. `https://complaints.trust.nhs.uk`). Empty: `http://<host>:<port>`.
    pub public_url: String,
}

impl ServerSettings {
    /// The base URL for links, without a trailing slash.
    pub fn base_url(&self) -> String {
        let url = self.public_url.trim().trim_end_matches('/');
        if url.is_empty() {
            let host = if self.host == "0.0.0.0" {
                "127.0.0.1"
            } else {
                &self.host
            };
            format!("http://{host}:{}", self.port)
        } else {
            url.to_string()
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct DatabaseSettings {
    /// `sqlite://PATH` or `postgres://…`.
    pub url: Secret,
    /// Connections for readers (PostgreSQL: all connections). SQLite always has one writer.
    pub pool_size: u32,
    pub connect_timeout_seconds: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthSettings {
    pub jwt_secret: Secret,
    pub access_token_minutes: i64,
    pub refresh_token_hours: i64,
    pub max_failed_logins: i32,
    pub lockout_minutes: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct BootstrapSettings {
    pub admin_email: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct DataSettings {
    /// Folder for the SQLite file (by default), the first admin's password and mail output.
    pub dir: PathBuf,
}

/// How outgoing mail leaves Candour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EmailTransport {
    /// Write each message as an `.eml` file in `<data.dir>/outbox/` (development).
    File,
    /// Send through an SMTP relay (production).
    Smtp,
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain SMTP: only for a relay on the same host or a test sink.
    None,
    /// Plain connection upgraded with STARTTLS (usually port 587).
    Starttls,
    /// TLS from the first byte (usually port 465).
    Tls,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct EmailSettings {
    pub transport: EmailTransport,
    /// Empty when unset.
    pub smtp_host: String,
    pub smtp_port: u16,
    pub smtp_tls: SmtpTls,
    /// Empty: no authentication.
    pub smtp_username: String,
    /// From the environment only (`CANDOUR__EMAIL__SMTP_PASSWORD`).
    pub smtp_password: Secret,
    pub smtp_timeout_seconds: u64,
    /// The `From` mailbox, e.g. `Complaints <complaints@trust.nhs.uk>`; its domain also ends
    /// every Message-ID.
    pub from: String,
    /// Wait after the first failed attempt; doubled after each further one.
    pub retry_base_seconds: f64,
    /// The longest wait between two attempts.
    pub retry_max_seconds: f64,
    /// Attempts before a message is dead and waits for an admin.
    pub max_attempts: i32,
    /// How often the worker looks for due messages when nobody wakes it.
    pub poll_seconds: f64,
    /// Messages one worker claims at a time.
    pub batch_size: i64,
    /// Folder of template overrides (`<name>/subject.txt.j2`, `body.txt.j2`, `body.html.j2`).
    pub templates_dir: PathBuf,
}

/// The built-in `email.templates_dir`; it follows `CANDOUR_CONFIG_DIR` when left alone.
pub const DEFAULT_TEMPLATES_DIR: &str = "config/templates";

impl Default for EmailSettings {
    fn default() -> Self {
        Self {
            transport: EmailTransport::File,
            smtp_host: String::new(),
            smtp_port: 587,
            smtp_tls: SmtpTls::Starttls,
            smtp_username: String::new(),
            smtp_password: Secret::new(""),
            smtp_timeout_seconds: 30,
            from: "Candour <candour@localhost>".into(),
            retry_base_seconds: 30.0,
            retry_max_seconds: 3600.0,
            max_attempts: 8,
            poll_seconds: 5.0,
            batch_size: 20,
            templates_dir: DEFAULT_TEMPLATES_DIR.into(),
        }
    }
}

impl EmailSettings {
    fn problems(&self, env: Environment) -> Vec<String> {
        let mut problems = Vec::new();
        if self.from.parse::<lettre::message::Mailbox>().is_err() {
            problems.push(format!(
                "email.from {:?} is not a mailbox such as \"Complaints <complaints@trust.nhs.uk>\"",
                self.from
            ));
        }
        let seconds = |v: f64| v.is_finite() && (0.01..=86_400.0).contains(&v);
        if !seconds(self.retry_base_seconds) {
            problems.push("email.retry_base_seconds must be 0.01 to 86400".to_string());
        }
        if !seconds(self.retry_max_seconds) || self.retry_max_seconds < self.retry_base_seconds {
            problems.push(
                "email.retry_max_seconds must be 0.01 to 86400 and not below email.retry_base_seconds"
                    .to_string(),
            );
        }
        if !seconds(self.poll_seconds) {
            problems.push("email.poll_seconds must be 0.01 to 86400".to_string());
        }
        if !(1..=100).contains(&self.max_attempts) {
            problems.push("email.max_attempts must be 1 to 100".to_string());
        }
        if !(1..=1000).contains(&self.batch_size) {
            problems.push("email.batch_size must be 1 to 1000".to_string());
        }
        if !(1..=600).contains(&self.smtp_timeout_seconds) {
            problems.push("email.smtp_timeout_seconds must be 1 to 600".to_string());
        }
        let has_host = !self.smtp_host.trim().is_empty();
        if self.transport == EmailTransport::Smtp && !has_host {
            problems.push("email.smtp_host is required when email.transport is smtp".to_string());
        }
        if env == Environment::Production && !(self.transport == EmailTransport::Smtp && has_host) {
            problems.push(
                "production sends mail over SMTP: set email.transport = \"smtp\" and email.smtp_host"
                    .to_string(),
            );
        }
        problems
    }
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".into(),
            port: 8080,
            workers: 0,
            max_json_bytes: 256 * 1024,
            shutdown_timeout_seconds: 30,
            public_url: String::new(),
        }
    }
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self {
            url: Secret::new("sqlite://data/candour.db"),
            pool_size: 8,
            connect_timeout_seconds: 5,
        }
    }
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            jwt_secret: Secret::new(DEVELOPMENT_JWT_SECRET),
            access_token_minutes: 15,
            refresh_token_hours: 12,
            max_failed_logins: 5,
            lockout_minutes: 15,
        }
    }
}

impl Default for BootstrapSettings {
    fn default() -> Self {
        Self {
            admin_email: "admin@localhost".into(),
        }
    }
}

impl Default for DataSettings {
    fn default() -> Self {
        Self { dir: "data".into() }
    }
}

impl Settings {
    /// Load the layered settings for `env` from `config_dir` (which need not exist).
    pub fn load(config_dir: &Path, env: Environment) -> Result<Self, String> {
        let defaults = config::Config::try_from(&Settings::default())
            .map_err(|e| format!("built-in settings: {e}"))?;
        let files = config::Config::builder()
            .add_source(defaults)
            .add_source(config::File::from(config_dir.join("default.toml")).required(false))
            .add_source(
                config::File::from(config_dir.join(format!("{}.toml", env.as_str())))
                    .required(false),
            );
        let in_files = files
            .clone()
            .build()
            .map_err(|e| format!("reading settings: {e}"))?;
        if in_files
            .get_string("email.smtp_password")
            .is_ok_and(|p| !p.is_empty())
        {
            return Err(
                "email.smtp_password must not be in a settings file; set CANDOUR__EMAIL__SMTP_PASSWORD in the environment"
                    .to_string(),
            );
        }
        let built = files
            .add_source(
                config::Environment::with_prefix("CANDOUR")
                    .prefix_separator("__")
                    .separator("__")
                    .try_parsing(true),
            )
            .build()
            .map_err(|e| format!("reading settings: {e}"))?;
        let mut settings: Settings = built
            .try_deserialize()
            .map_err(|e| format!("invalid settings: {e}"))?;
        if settings.email.templates_dir == Path::new(DEFAULT_TEMPLATES_DIR) {
            settings.email.templates_dir = config_dir.join("templates");
        }
        settings.validate(env)?;
        Ok(settings)
    }

    /// Load with `CANDOUR_ENV` and `CANDOUR_CONFIG_DIR` (default `config`) from the environment.
    pub fn from_environment() -> Result<(Self, Environment), String> {
        let env = Environment::from_env()?;
        let dir = std::env::var("CANDOUR_CONFIG_DIR").unwrap_or_else(|_| "config".into());
        Ok((Self::load(Path::new(&dir), env)?, env))
    }

    /// Refuse settings that cannot work, and weak secrets in production.
    pub fn validate(&self, env: Environment) -> Result<(), String> {
        let mut problems = Vec::new();
        if self.auth.access_token_minutes < 1 {
            problems.push("auth.access_token_minutes must be at least 1".to_string());
        }
        if self.auth.refresh_token_hours < 1 {
            problems.push("auth.refresh_token_hours must be at least 1".to_string());
        }
        if self.auth.max_failed_logins < 1 {
            problems.push("auth.max_failed_logins must be at least 1".to_string());
        }
        if self.auth.lockout_minutes < 0 {
            problems.push("auth.lockout_minutes must not be negative".to_string());
        }
        let c = &self.cases;
        for (key, days) in [
            ("low", c.response_working_days_low),
            ("moderate", c.response_working_days_moderate),
            ("high", c.response_working_days_high),
            ("extreme", c.response_working_days_extreme),
        ] {
            if !(1..=250).contains(&days) {
                problems.push(format!(
                    "cases.response_working_days_{key} must be 1 to 250"
                ));
            }
        }
        if !(1..=250).contains(&c.pals_resolution_working_days) {
            problems.push("cases.pals_resolution_working_days must be 1 to 250".to_string());
        }
        let k = &self.candour;
        for (key, days) in [
            ("in_person_working_days", k.in_person_working_days),
            ("written_working_days", k.written_working_days),
        ] {
            if !(1..=250).contains(&days) {
                problems.push(format!("candour.{key} must be 1 to 250"));
            }
        }
        if k.due_soon_working_days > 50 {
            problems.push("candour.due_soon_working_days must be 0 to 50".to_string());
        }
        if !(1..=3650).contains(&self.tracking.link_days_after_closure) {
            problems.push("tracking.link_days_after_closure must be 1 to 3650".to_string());
        }
        if !(1..=1000).contains(&self.tracking.max_messages_per_day) {
            problems.push("tracking.max_messages_per_day must be 1 to 1000".to_string());
        }
        if !(1..=250).contains(&self.feedback.invite_after_working_days) {
            problems.push("feedback.invite_after_working_days must be 1 to 250".to_string());
        }
        if !(1..=365).contains(&self.feedback.invitation_valid_days) {
            problems.push("feedback.invitation_valid_days must be 1 to 365".to_string());
        }
        if self.feedback.job_interval_minutes > 10_080 {
            problems.push("feedback.job_interval_minutes must be 0 to 10080".to_string());
        }
        let r = &self.reports;
        if !(0..=100).contains(&r.suppress_below) {
            problems.push("reports.suppress_below must be 0 to 100".to_string());
        }
        if !(6..=120).contains(&r.spc_months) {
            problems.push("reports.spc_months must be 6 to 120".to_string());
        }
        for (key, run) in [
            ("shift_run", r.spc.shift_run),
            ("trend_run", r.spc.trend_run),
        ] {
            if !(3..=20).contains(&run) {
                problems.push(format!("reports.spc.{key} must be 3 to 20"));
            }
        }
        for (key, target) in [
            ("acknowledged_on_time_target", r.acknowledged_on_time_target),
            ("responded_on_time_target", r.responded_on_time_target),
        ] {
            if target.is_some_and(|t| !(0.0..=100.0).contains(&t)) {
                problems.push(format!("reports.{key} must be a percentage, 0 to 100"));
            }
        }
        if self.learning.sustain_review_months > 60 {
            problems.push("learning.sustain_review_months must be 0 to 60".to_string());
        }
        if self.database.pool_size < 1 {
            problems.push("database.pool_size must be at least 1".to_string());
        }
        if self.server.max_json_bytes < 1024 {
            problems.push("server.max_json_bytes must be at least 1024".to_string());
        }
        problems.extend(self.email.problems(env));
        if env == Environment::Production {
            let secret = self.auth.jwt_secret.expose();
            if secret == DEVELOPMENT_JWT_SECRET {
                problems.push(
                    "auth.jwt_secret is the development default; set CANDOUR__AUTH__JWT_SECRET to a random value of at least 32 bytes"
                        .to_string(),
                );
            } else if secret.len() < MIN_PRODUCTION_SECRET_BYTES {
                problems.push(format!(
                    "auth.jwt_secret is {} bytes; production needs at least {MIN_PRODUCTION_SECRET_BYTES}",
                    secret.len()
                ));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_refuses_the_default_and_short_secrets() {
        let mut s = Settings::default();
        assert!(s.validate(Environment::Development).is_ok());
        assert!(s.validate(Environment::Production).is_err());
        s.auth.jwt_secret = Secret::new("short");
        assert!(s.validate(Environment::Production).is_err());
        s.auth.jwt_secret = Secret::new("x".repeat(32));
        s.email.transport = EmailTransport::Smtp;
        s.email.smtp_host = "smtp.trust.nhs.uk".into();
        assert!(s.validate(Environment::Production).is_ok());
    }

    #[test]
    fn production_refuses_to_start_without_smtp() {
        let mut s = Settings::default();
        s.auth.jwt_secret = Secret::new("x".repeat(32));
        // The file transport is the default: fine for development, refused in production.
        assert!(s.validate(Environment::Development).is_ok());
        let refused = s.validate(Environment::Production).unwrap_err();
        assert!(refused.contains("email.transport"), "{refused}");
        // SMTP without a host is refused everywhere.
        s.email.transport = EmailTransport::Smtp;
        assert!(
            s.validate(Environment::Development)
                .unwrap_err()
                .contains("email.smtp_host")
        );
        assert!(s.validate(Environment::Production).is_err());
        s.email.smtp_host = "  ".into();
        assert!(s.validate(Environment::Production).is_err());
        s.email.smtp_host = "smtp.trust.nhs.uk".into();
        assert!(s.validate(Environment::Production).is_ok());
    }

    #[test]
    fn email_settings_are_checked() {
        let mut s = Settings::default();
        s.email.from = "not a mailbox".into();
        s.email.max_attempts = 0;
        s.email.poll_seconds = 0.0;
        s.email.retry_max_seconds = 1.0;
        let problems = s.validate(Environment::Development).unwrap_err();
        for key in [
            "email.from",
            "email.max_attempts",
            "email.poll_seconds",
            "email.retry_max_seconds",
        ] {
            assert!(problems.contains(key), "{key} missing from {problems}");
        }
    }

    #[test]
    fn email_defaults_load_and_templates_follow_the_config_folder() {
        let s = Settings::load(Path::new("/nonexistent/candour"), Environment::Test).unwrap();
        assert_eq!(s.email.transport, EmailTransport::File);
        assert_eq!(s.email.smtp_port, 587);
        assert_eq!(s.email.smtp_tls, SmtpTls::Starttls);
        assert_eq!(s.email.max_attempts, 8);
        assert_eq!(s.email.retry_base_seconds, 30.0);
        assert_eq!(
            s.email.templates_dir,
            Path::new("/nonexistent/candour/templates")
        );
    }

    #[test]
    fn the_smtp_password_is_refused_in_a_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("default.toml"),
            "[email]\nsmtp_password = \"hunter2\"\n",
        )
        .unwrap();
        let e = Settings::load(dir.path(), Environment::Test).unwrap_err();
        assert!(e.contains("CANDOUR__EMAIL__SMTP_PASSWORD"), "{e}");
        assert!(!e.contains("hunter2"));
        std::fs::write(
            dir.path().join("default.toml"),
            "[email]\nretry_base_seconds = 2\npoll_seconds = 0.5\n",
        )
        .unwrap();
        let s = Settings::load(dir.path(), Environment::Test).unwrap();
        assert_eq!(s.email.retry_base_seconds, 2.0);
        assert_eq!(s.email.poll_seconds, 0.5);
    }

    #[test]
    fn loads_with_no_config_folder() {
        let s = Settings::load(Path::new("/nonexistent/candour"), Environment::Test);
        let s = s.unwrap();
        assert_eq!(s.server.port, 8080);
        assert_eq!(s.database.url.expose(), "sqlite://data/candour.db");
        assert_eq!(s.candour.in_person_working_days, 10);
        assert_eq!(s.candour.written_working_days, 10);
        assert_eq!(s.candour.due_soon_working_days, 3);
        assert_eq!(s.tracking.link_days_after_closure, 90);
        assert_eq!(s.tracking.max_messages_per_day, 10);
        assert_eq!(s.feedback.invite_after_working_days, 10);
        assert_eq!(s.feedback.invitation_valid_days, 60);
        assert_eq!(s.feedback.job_interval_minutes, 60);
        assert_eq!(s.learning.sustain_review_months, 3);
    }

    #[test]
    fn tracking_and_feedback_periods_are_checked() {
        let mut s = Settings::default();
        s.tracking.link_days_after_closure = 0;
        s.feedback.invite_after_working_days = 0;
        s.feedback.invitation_valid_days = 0;
        let e = s.validate(Environment::Development).unwrap_err();
        for key in [
            "tracking.link_days_after_closure",
            "feedback.invite_after_working_days",
            "feedback.invitation_valid_days",
        ] {
            assert!(e.contains(key), "{key} missing from {e}");
        }
    }

    #[test]
    fn candour_periods_are_checked() {
        let mut s = Settings::default();
        s.candour.in_person_working_days = 0;
        s.candour.due_soon_working_days = 99;
        let e = s.validate(Environment::Development).unwrap_err();
        assert!(e.contains("candour.in_person_working_days"), "{e}");
        assert!(e.contains("candour.due_soon_working_days"), "{e}");
    }

    #[test]
    fn secrets_do_not_debug_print() {
        let s = Settings::default();
        assert!(!format!("{s:?}").contains(DEVELOPMENT_JWT_SECRET));
    }
}

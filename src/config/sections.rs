//! The sections of the settings, each with its defaults: the server, the database, sign-in,
//! email, the trust, alerts, tracking links, feedback, reports, learning, metrics, the audit
//! key, retention and the access log's writer.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{DEVELOPMENT_AUDIT_KEY, DEVELOPMENT_JWT_SECRET, Environment, Secret};

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
    /// Documents one link may upload in a day (in England).
    pub max_uploads_per_day: i32,
}

impl Default for TrackingSettings {
    fn default() -> Self {
        Self {
            link_days_after_closure: 90,
            max_messages_per_day: 10,
            max_uploads_per_day: 5,
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

/// `GET /metrics` (Prometheus).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct MetricsSettings {
    /// When set, a scrape must send `Authorization: Bearer <token>`. From the environment only
    /// (`CANDOUR__METRICS__TOKEN`). Empty: `/metrics` is open (keep it off the public network).
    pub token: Secret,
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
    /// Comma-separated addresses of the reverse proxies whose `X-Forwarded-For` is believed
    /// (e.g. `10.0.0.5, 10.0.0.6`). Empty (the default): the peer address is the client's.
    pub trusted_proxies: String,
    /// Let production run with a `public_url` that is not `https://` (links to complainants
    /// sent in the clear). Off by default; only for a TLS terminator Candour cannot see.
    pub allow_insecure_public_url: bool,
}

impl ServerSettings {
    /// The trusted proxies' addresses; entries that are not addresses are left out (and
    /// reported by validation).
    pub fn trusted_proxy_addrs(&self) -> Vec<std::net::IpAddr> {
        self.proxy_entries()
            .filter_map(|e| e.parse().ok())
            .collect()
    }

    fn proxy_entries(&self) -> impl Iterator<Item = &str> {
        self.trusted_proxies
            .split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
    }

    /// Entries of `trusted_proxies` that are not IP addresses.
    pub fn proxy_problems(&self) -> Vec<String> {
        self.proxy_entries()
            .filter(|e| e.parse::<std::net::IpAddr>().is_err())
            .map(|e| format!("server.trusted_proxies: {e:?} is not an IP address"))
            .collect()
    }

    /// In production, links must be `https://` unless `allow_insecure_public_url` says not.
    pub fn production_problem(&self) -> Option<String> {
        let url = self.base_url();
        let https = url
            .get(..8)
            .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"));
        (!https && !self.allow_insecure_public_url).then(|| {
            format!(
                "server.public_url must be an https:// address in production (it is the base of \
                 every link sent to complainants and staff), not {url:?}; set \
                 server.allow_insecure_public_url = true only if TLS is added where Candour cannot see it"
            )
        })
    }

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
    /// SQLite: at most this many queued write transactions share one commit, each in its own
    /// savepoint (group commit); 0 gives every write its own transaction.
    pub group_commit_batch: usize,
    /// SQLite: MiB of the database file read through memory mapping (0: ordinary reads).
    pub sqlite_mmap_mib: u64,
    /// Log (at `warn`, by its SQL alone) every statement that takes at least this many
    /// milliseconds; 0 watches none.
    pub slow_statement_ms: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthSettings {
    pub jwt_secret: Secret,
    pub access_token_minutes: i64,
    pub refresh_token_hours: i64,
    /// Hours after sign-in that a session ends however often it is refreshed.
    pub session_absolute_hours: i64,
    /// Minutes a staff-pages session may go unused before it ends.
    pub page_idle_minutes: i64,
    pub max_failed_logins: i32,
    pub lockout_minutes: i64,
    /// Password hashes (19 MiB of Argon2 each) computed at once, on their own pool.
    pub password_hash_concurrency: usize,
    /// How long a sign-in waits for a free slot before a 503 with `Retry-After`.
    pub password_hash_wait_ms: u64,
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
    /// Let production send mail with `smtp_tls = "none"` (unencrypted). Off by default; only
    /// for a relay on the same host.
    pub allow_insecure_smtp: bool,
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
            allow_insecure_smtp: false,
        }
    }
}

impl EmailSettings {
    pub(super) fn problems(&self, env: Environment) -> Vec<String> {
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
        if env == Environment::Production
            && self.transport == EmailTransport::Smtp
            && self.smtp_tls == SmtpTls::None
            && !self.allow_insecure_smtp
        {
            problems.push(
                "email.smtp_tls = \"none\" sends mail unencrypted: production needs \"starttls\" or \"tls\"; \
                 set email.allow_insecure_smtp = true only for a relay on the same host"
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
            trusted_proxies: String::new(),
            allow_insecure_public_url: false,
        }
    }
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self {
            url: Secret::new("sqlite://data/candour.db"),
            pool_size: 8,
            connect_timeout_seconds: 5,
            group_commit_batch: 64,
            sqlite_mmap_mib: crate::db::tuning::DEFAULT_SQLITE_MMAP_MIB,
            slow_statement_ms: 0,
        }
    }
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            jwt_secret: Secret::new(DEVELOPMENT_JWT_SECRET),
            access_token_minutes: 15,
            refresh_token_hours: 12,
            session_absolute_hours: 12,
            page_idle_minutes: 30,
            max_failed_logins: 5,
            password_hash_concurrency: 2,
            password_hash_wait_ms: 2000,
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

/// The audit chains' key. It comes from the environment only (never a settings file, never
/// the database): whoever can change the database cannot also reseal what they changed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditSettings {
    pub key: Secret,
}

impl Default for AuditSettings {
    fn default() -> Self {
        Self {
            key: Secret::new(DEVELOPMENT_AUDIT_KEY),
        }
    }
}

/// How long case records keep the people and free text in them.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct RetentionSettings {
    /// Whole years after a case was closed, withdrawn or resolved before `candour retention
    /// run` anonymises it (NHS Records Management Code of Practice: complaints, 10 years).
    pub years: i32,
}

impl Default for RetentionSettings {
    fn default() -> Self {
        Self { years: 10 }
    }
}

/// The case access log's writer: reads are queued and written in batches.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct AccessLogSettings {
    /// The longest a recorded read waits before it is written (the durability window).
    pub flush_ms: u64,
    /// A batch is written as soon as this many reads wait.
    pub batch: usize,
}

impl Default for AccessLogSettings {
    fn default() -> Self {
        Self {
            flush_ms: 100,
            batch: 500,
        }
    }
}

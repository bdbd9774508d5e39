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
//! | `server.trusted_proxies` | `CANDOUR__SERVER__TRUSTED_PROXIES` | empty: `X-Forwarded-For` is never believed |
//! | `server.allow_insecure_public_url` | `CANDOUR__SERVER__ALLOW_INSECURE_PUBLIC_URL` | `false`: production refuses a `public_url` that is not `https://` |
//! | `database.url` | `CANDOUR__DATABASE__URL` | `sqlite://data/candour.db` |
//! | `database.pool_size` | `CANDOUR__DATABASE__POOL_SIZE` | `8` (reports hold at most half of them at once) |
//! | `database.connect_timeout_seconds` | `CANDOUR__DATABASE__CONNECT_TIMEOUT_SECONDS` | `5` |
//! | `database.group_commit_batch` | `CANDOUR__DATABASE__GROUP_COMMIT_BATCH` | `64` (SQLite: queued writes sharing one commit; 0 = off) |
//! | `database.sqlite_mmap_mib` | `CANDOUR__DATABASE__SQLITE_MMAP_MIB` | `16384` (SQLite: MiB of the file read through memory mapping, at most 65,536; 0 = off) |
//! | `database.slow_statement_ms` | `CANDOUR__DATABASE__SLOW_STATEMENT_MS` | `0` (log each statement taking at least this long, by its SQL without the values; 0 = off) |
//! | `auth.jwt_secret` | `CANDOUR__AUTH__JWT_SECRET` | a development value, refused in production |
//! | `audit.key` | `CANDOUR__AUDIT__KEY` (environment only) | a development value, refused in production |
//! | `retention.years` | `CANDOUR__RETENTION__YEARS` | `10` |
//! | `access_log.flush_ms` | `CANDOUR__ACCESS_LOG__FLUSH_MS` | `100` (the longest a case read waits to be recorded) |
//! | `access_log.batch` | `CANDOUR__ACCESS_LOG__BATCH` | `500` (reads written together at most) |
//! | `auth.access_token_minutes` | `CANDOUR__AUTH__ACCESS_TOKEN_MINUTES` | `15` |
//! | `auth.refresh_token_hours` | `CANDOUR__AUTH__REFRESH_TOKEN_HOURS` | `12` |
//! | `auth.session_absolute_hours` | `CANDOUR__AUTH__SESSION_ABSOLUTE_HOURS` | `12` (a session ends this long after sign-in, however often refreshed) |
//! | `auth.page_idle_minutes` | `CANDOUR__AUTH__PAGE_IDLE_MINUTES` | `30` (a staff-pages session unused this long ends) |
//! | `auth.max_failed_logins` | `CANDOUR__AUTH__MAX_FAILED_LOGINS` | `5` (per account and client address) |
//! | `auth.password_hash_concurrency` | `CANDOUR__AUTH__PASSWORD_HASH_CONCURRENCY` | `2` (Argon2 checks at once) |
//! | `auth.password_hash_wait_ms` | `CANDOUR__AUTH__PASSWORD_HASH_WAIT_MS` | `2000` (then 503 with `Retry-After`) |
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
//! | `email.allow_insecure_smtp` | `CANDOUR__EMAIL__ALLOW_INSECURE_SMTP` | `false`: production refuses `smtp_tls = "none"` |
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
//! | `tracking.max_uploads_per_day` | `CANDOUR__TRACKING__MAX_UPLOADS_PER_DAY` | `5` (documents one link may upload in a day; 0: none) |
//! | `feedback.invite_after_working_days` | `CANDOUR__FEEDBACK__INVITE_AFTER_WORKING_DAYS` | `10` (working days after the response) |
//! | `feedback.invitation_valid_days` | `CANDOUR__FEEDBACK__INVITATION_VALID_DAYS` | `60` |
//! | `feedback.job_interval_minutes` | `CANDOUR__FEEDBACK__JOB_INTERVAL_MINUTES` | `60` (0: this instance runs no invitation job) |
//! | `reports.suppress_below` | `CANDOUR__REPORTS__SUPPRESS_BELOW` | `5` (board role: counts 1–4 hidden) |
//! | `reports.spc_months` | `CANDOUR__REPORTS__SPC_MONTHS` | `24` (months on an SPC chart) |
//! | `reports.volume_direction` | `CANDOUR__REPORTS__VOLUME_DIRECTION` | `lower_is_better` (or `neither`) |
//! | `reports.acknowledged_on_time_target` | `CANDOUR__REPORTS__ACKNOWLEDGED_ON_TIME_TARGET` | none (a % target for assurance) |
//! | `reports.responded_on_time_target` | `CANDOUR__REPORTS__RESPONDED_ON_TIME_TARGET` | none |
//! | `reports.spc.shift_run`, `.trend_run`, `.min_points`, `.screen_moving_ranges` | `CANDOUR__REPORTS__SPC__SHIFT_RUN` … | `7`, `7`, `12`, `false` |
//! | `reports.spc.precedence` | `CANDOUR__REPORTS__SPC__PRECEDENCE` | `side_of_mean` (NHSRplotthedots; or `fdp`) |
//! | `learning.sustain_review_months` | `CANDOUR__LEARNING__SUSTAIN_REVIEW_MONTHS` | `3` (months after a service change is implemented before it may be verified as sustained) |
//! | `metrics.token` | `CANDOUR__METRICS__TOKEN` | empty: `/metrics` needs no token; else `Authorization: Bearer <token>` (environment only, refused in a file) |
//! | `documents.max_file_mib` | `CANDOUR__DOCUMENTS__MAX_FILE_MIB` | `25` (the largest file accepted) |
//! | `documents.max_case_mib` | `CANDOUR__DOCUMENTS__MAX_CASE_MIB` | `500` (all of a case's documents together) |
//! | `documents.allowed_types` | `CANDOUR__DOCUMENTS__ALLOWED_TYPES` | every type Candour knows: `pdf`, `png`, `jpeg`, `gif`, `tiff`, `docx`, `xlsx`, `pptx`, `doc`, `xls`, `txt`, `eml`, `msg` |
//! | `documents.scan_command` | `CANDOUR__DOCUMENTS__SCAN_COMMAND` | none; e.g. `["clamdscan", "--fdpass", "--no-summary"]` (the file's path is added; exit 0 accepts) |
//! | `documents.store` | `CANDOUR__DOCUMENTS__STORE` | `local` (`<data.dir>/files/`), `s3` (S3 or S3-compatible) or `azure` (Blob storage) |
//! | `documents.bucket` | `CANDOUR__DOCUMENTS__BUCKET` | none; the bucket (S3) or container (Azure), required with `s3` or `azure` |
//! | `documents.endpoint`, `documents.region` | `CANDOUR__DOCUMENTS__ENDPOINT` … | none: AWS itself (or the environment's `AWS_ENDPOINT`, `AWS_REGION`); an `http://` endpoint is allowed for a local S3-compatible server |
//! | `documents.access_key_id`, `documents.secret_access_key` | `CANDOUR__DOCUMENTS__ACCESS_KEY_ID`, `CANDOUR__DOCUMENTS__SECRET_ACCESS_KEY` (environment only) | none: the standard `AWS_*` or `AZURE_STORAGE_*` variables (S3: key id and secret; Azure: the account name and key) |
//! | `documents.scan_timeout_seconds` | `CANDOUR__DOCUMENTS__SCAN_TIMEOUT_SECONDS` | `60` |
//! | `throttle.enabled` | `CANDOUR__THROTTLE__ENABLED` | `true` (`false` only for a load benchmark on a test server) |
//! | `throttle.<scope>.per_minute`, `.burst` | `CANDOUR__THROTTLE__LOGIN_PER_ADDRESS__PER_MINUTE` … | `login_per_address` 20/20, `login_per_account` 10/10, `refresh_per_address` 60/60, `password_per_address` 10/10, `password_per_account` 5/5, `public_form_per_address` 10/10, `public_form_per_link` 5/5 |
//!
//! The `candour` periods count working days from the day the trust became aware of a notifiable
//! safety incident. Regulation 20 says only "as soon as reasonably practicable"; 10 working days
//! is the NHS Standard Contract's target (domain.md §2.2), so a trust may set its own.
//!
//! `CANDOUR_ENV` (`development`, `test` or `production`) picks the environment file and turns on
//! the production checks; `CANDOUR_CONFIG_DIR` moves the `config/` folder.

use std::fmt;
use std::ops::RangeInclusive;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::domain::candour::CandourRules;
use crate::domain::clock::ClockRules;

mod documents;
mod sections;
mod throttle;
pub use documents::{DocumentSettings, FileStoreKind};
pub use sections::*;
pub use throttle::*;

/// The JWT secret shipped for development. Production refuses to start with it.
pub const DEVELOPMENT_JWT_SECRET: &str = "candour-development-secret-do-not-use-in-production";

/// The audit key shipped for development. Production refuses to start with it.
pub const DEVELOPMENT_AUDIT_KEY: &str = "candour-development-audit-key-do-not-use-in-production";

/// The shortest JWT secret accepted in production, in bytes.
pub const MIN_PRODUCTION_SECRET_BYTES: usize = 32;

/// A string that never shows in `Debug` output or logs.
#[derive(Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
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
    pub audit: AuditSettings,
    pub retention: RetentionSettings,
    pub access_log: AccessLogSettings,
    pub throttle: ThrottleSettings,
    pub metrics: MetricsSettings,
    pub documents: DocumentSettings,
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
        // Secrets come from the environment only: a file may not change them from the default.
        for (key, var, default) in [
            ("email.smtp_password", "CANDOUR__EMAIL__SMTP_PASSWORD", ""),
            ("audit.key", "CANDOUR__AUDIT__KEY", DEVELOPMENT_AUDIT_KEY),
            ("metrics.token", "CANDOUR__METRICS__TOKEN", ""),
            (
                "documents.secret_access_key",
                "CANDOUR__DOCUMENTS__SECRET_ACCESS_KEY",
                "",
            ),
        ] {
            if in_files.get_string(key).is_ok_and(|p| p != default) {
                return Err(format!(
                    "{key} must not be in a settings file; set {var} in the environment"
                ));
            }
        }
        let built = files
            .add_source(
                config::Environment::with_prefix("CANDOUR")
                    .prefix_separator("__")
                    .separator("__")
                    .try_parsing(true)
                    // The lists: words separated by spaces.
                    .list_separator(" ")
                    .with_list_parse_key("documents.allowed_types")
                    .with_list_parse_key("documents.scan_command"),
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
        let mut problems = self.ranges();
        let r = &self.reports;
        for (key, target) in [
            ("acknowledged_on_time_target", r.acknowledged_on_time_target),
            ("responded_on_time_target", r.responded_on_time_target),
        ] {
            if target.is_some_and(|t| !(0.0..=100.0).contains(&t)) {
                problems.push(format!("reports.{key} must be a percentage, 0 to 100"));
            }
        }
        problems.extend(self.email.problems(env));
        problems.extend(self.server.proxy_problems());
        problems.extend(self.throttle.problems());
        problems.extend(self.documents.problems());
        if env == Environment::Production {
            problems.extend(self.auth.production_problem());
            problems.extend(production_key_problem(
                "audit.key",
                "CANDOUR__AUDIT__KEY",
                self.audit.key.expose(),
                DEVELOPMENT_AUDIT_KEY,
            ));
            problems.extend(self.server.production_problem());
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }

    /// The `[auth]` bounds.
    fn auth_ranges(&self, b: &mut Bounds) {
        let a = &self.auth;
        b.section("auth");
        b.at_least("access_token_minutes", a.access_token_minutes, 1);
        b.at_least("refresh_token_hours", a.refresh_token_hours, 1);
        b.within("session_absolute_hours", a.session_absolute_hours, 1..=8760);
        b.within("page_idle_minutes", a.page_idle_minutes, 1..=1440);
        b.at_least("max_failed_logins", a.max_failed_logins, 1);
        b.within(
            "password_hash_concurrency",
            a.password_hash_concurrency,
            1..=64,
        );
        b.within("password_hash_wait_ms", a.password_hash_wait_ms, 0..=60_000);
        b.at_least("lockout_minutes", a.lockout_minutes, 0);
    }

    /// The bounds of the database and access-log settings.
    fn storage_ranges(&self, b: &mut Bounds) {
        let d = &self.database;
        b.section("database");
        b.at_least("pool_size", d.pool_size, 1);
        b.within("group_commit_batch", d.group_commit_batch, 0..=10_000);
        b.within("sqlite_mmap_mib", d.sqlite_mmap_mib, 0..=65_536);
        b.within("slow_statement_ms", d.slow_statement_ms, 0..=3_600_000);
        b.section("access_log");
        b.within("flush_ms", self.access_log.flush_ms, 1..=10_000);
        b.within("batch", self.access_log.batch, 1..=10_000);
    }

    /// What is wrong with the whole-number settings that must lie within bounds.
    fn ranges(&self) -> Vec<String> {
        let mut b = Bounds::default();
        self.auth_ranges(&mut b);
        b.section("retention");
        b.within("years", self.retention.years, 1..=100);
        self.storage_ranges(&mut b);
        let c = &self.cases;
        b.section("cases");
        b.within(
            "response_working_days_low",
            c.response_working_days_low,
            1..=250,
        );
        b.within(
            "response_working_days_moderate",
            c.response_working_days_moderate,
            1..=250,
        );
        b.within(
            "response_working_days_high",
            c.response_working_days_high,
            1..=250,
        );
        b.within(
            "response_working_days_extreme",
            c.response_working_days_extreme,
            1..=250,
        );
        b.within(
            "pals_resolution_working_days",
            c.pals_resolution_working_days,
            1..=250,
        );
        let k = &self.candour;
        b.section("candour");
        b.within("in_person_working_days", k.in_person_working_days, 1..=250);
        b.within("written_working_days", k.written_working_days, 1..=250);
        b.within("due_soon_working_days", k.due_soon_working_days, 0..=50);
        b.section("tracking");
        b.within(
            "link_days_after_closure",
            self.tracking.link_days_after_closure,
            1..=3650,
        );
        b.within(
            "max_messages_per_day",
            self.tracking.max_messages_per_day,
            1..=1000,
        );
        b.within(
            "max_uploads_per_day",
            self.tracking.max_uploads_per_day,
            0..=100,
        );
        let f = &self.feedback;
        b.section("feedback");
        b.within(
            "invite_after_working_days",
            f.invite_after_working_days,
            1..=250,
        );
        b.within("invitation_valid_days", f.invitation_valid_days, 1..=365);
        b.within("job_interval_minutes", f.job_interval_minutes, 0..=10_080);
        let r = &self.reports;
        b.section("reports");
        b.within("suppress_below", r.suppress_below, 0..=100);
        b.within("spc_months", r.spc_months, 6..=120);
        b.within("spc.shift_run", r.spc.shift_run, 3..=20);
        b.within("spc.trend_run", r.spc.trend_run, 3..=20);
        b.section("learning");
        b.within(
            "sustain_review_months",
            self.learning.sustain_review_months,
            0..=60,
        );
        b.section("server");
        b.at_least("max_json_bytes", self.server.max_json_bytes, 1024);
        b.problems
    }
}

/// The problems found checking settings against their bounds, section by section.
#[derive(Default)]
struct Bounds {
    section: &'static str,
    problems: Vec<String>,
}

impl Bounds {
    fn section(&mut self, name: &'static str) {
        self.section = name;
    }

    fn within(&mut self, key: &str, value: impl TryInto<i64>, range: RangeInclusive<i64>) {
        if !range.contains(&value.try_into().unwrap_or(i64::MAX)) {
            let (low, high) = range.into_inner();
            let section = self.section;
            self.problems
                .push(format!("{section}.{key} must be {low} to {high}"));
        }
    }

    fn at_least(&mut self, key: &str, value: impl TryInto<i64>, low: i64) {
        if value.try_into().unwrap_or(i64::MAX) < low {
            let section = self.section;
            self.problems.push(if low == 0 {
                format!("{section}.{key} must not be negative")
            } else {
                format!("{section}.{key} must be at least {low}")
            });
        }
    }
}

/// A production key: not the development default, and long enough.
fn production_key_problem(key: &str, var: &str, value: &str, default: &str) -> Option<String> {
    if value == default {
        Some(format!(
            "{key} is the development default; set {var} to a random value of at least {MIN_PRODUCTION_SECRET_BYTES} bytes"
        ))
    } else if value.len() < MIN_PRODUCTION_SECRET_BYTES {
        Some(format!(
            "{key} is {} bytes; production needs at least {MIN_PRODUCTION_SECRET_BYTES}",
            value.len()
        ))
    } else {
        None
    }
}

impl AuthSettings {
    /// The JWT secret in production: not the development default, and long enough.
    fn production_problem(&self) -> Option<String> {
        production_key_problem(
            "auth.jwt_secret",
            "CANDOUR__AUTH__JWT_SECRET",
            self.jwt_secret.expose(),
            DEVELOPMENT_JWT_SECRET,
        )
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
        let refused = s.validate(Environment::Production).unwrap_err();
        assert!(
            refused.contains("audit.key is the development default"),
            "{refused}"
        );
        s.audit.key = Secret::new("k".repeat(31));
        let refused = s.validate(Environment::Production).unwrap_err();
        assert!(refused.contains("audit.key is 31 bytes"), "{refused}");
        s.audit.key = Secret::new("k".repeat(32));
        s.server.public_url = "https://complaints.trust.nhs.uk".into();
        assert!(s.validate(Environment::Production).is_ok());
    }

    /// Settings production accepts: a long secret, SMTP with STARTTLS, an https address.
    fn production_ready() -> Settings {
        let mut s = Settings::default();
        s.auth.jwt_secret = Secret::new("x".repeat(32));
        s.email.transport = EmailTransport::Smtp;
        s.email.smtp_host = "smtp.trust.nhs.uk".into();
        s.server.public_url = "HTTPS://complaints.trust.nhs.uk/".into();
        s.audit.key = Secret::new("k".repeat(32));
        s
    }

    #[test]
    fn production_refuses_plain_http_links_unless_explicitly_allowed() {
        let mut s = production_ready();
        assert!(s.validate(Environment::Production).is_ok());
        for url in [
            "http://complaints.trust.nhs.uk",
            "",
            "complaints.trust.nhs.uk",
        ] {
            s.server.public_url = url.into();
            let e = s.validate(Environment::Production).unwrap_err();
            assert!(e.contains("server.public_url"), "{url:?}: {e}");
            assert!(e.contains("server.allow_insecure_public_url"), "{e}");
            assert!(
                s.validate(Environment::Development).is_ok(),
                "only production"
            );
        }
        s.server.allow_insecure_public_url = true;
        assert!(s.validate(Environment::Production).is_ok());
    }

    #[test]
    fn production_refuses_smtp_without_tls_unless_explicitly_allowed() {
        let mut s = production_ready();
        s.email.smtp_tls = SmtpTls::Tls;
        assert!(s.validate(Environment::Production).is_ok());
        s.email.smtp_tls = SmtpTls::None;
        let e = s.validate(Environment::Production).unwrap_err();
        assert!(e.contains("email.smtp_tls"), "{e}");
        assert!(e.contains("email.allow_insecure_smtp"), "{e}");
        assert!(
            s.validate(Environment::Development).is_ok(),
            "only production"
        );
        s.email.allow_insecure_smtp = true;
        assert!(s.validate(Environment::Production).is_ok());
    }

    #[test]
    fn production_refuses_to_start_without_smtp() {
        let mut s = Settings::default();
        s.auth.jwt_secret = Secret::new("x".repeat(32));
        s.audit.key = Secret::new("k".repeat(32));
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
        s.server.public_url = "https://complaints.trust.nhs.uk".into();
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
            dir.path().join("test.toml"),
            "[audit]\nkey = \"a key kept beside the data it seals\"\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("default.toml"), "").unwrap();
        let e = Settings::load(dir.path(), Environment::Test).unwrap_err();
        assert!(e.contains("CANDOUR__AUDIT__KEY"), "{e}");
        assert!(!e.contains("beside the data"));
        std::fs::remove_file(dir.path().join("test.toml")).unwrap();
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
    fn the_metrics_token_is_refused_in_a_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("default.toml"),
            "[metrics]\ntoken = \"scrape-me\"\n",
        )
        .unwrap();
        let e = Settings::load(dir.path(), Environment::Test).unwrap_err();
        assert!(e.contains("CANDOUR__METRICS__TOKEN"), "{e}");
        assert!(!e.contains("scrape-me"));
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

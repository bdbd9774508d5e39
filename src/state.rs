//! What every request handler and background task shares.

use std::sync::Arc;

use crate::auth::hashers::Hashers;
use crate::auth::jwt::JwtKeys;
use crate::clock::Clock;
use crate::config::{Environment, Settings};
use crate::db::Db;
use crate::db::access_log::{AccessLog, Window};
use crate::email::Outbox;
use crate::files::FileStore;
use crate::http::metrics::Metrics;
use crate::http::throttle::Throttle;

/// Shared application state, cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub jwt: JwtKeys,
    pub settings: Arc<Settings>,
    pub environment: Environment,
    pub metrics: Arc<Metrics>,
    /// Today in England and the UTC instant: the only source of time.
    pub clock: Clock,
    /// Templates, Message-IDs and the worker's wake-up, for use-cases that queue mail.
    pub outbox: Outbox,
    /// Slots for password hashing, which runs a few at a time so that a burst of sign-ins
    /// cannot take the memory or the blocking threads the database calls need.
    pub password_slots: Arc<tokio::sync::Semaphore>,
    /// The threads that hash passwords (as many as the slots), so Argon2's memory stays bounded.
    pub hashers: Arc<Hashers>,
    /// Requests per client address and per account for sign-in, refresh, password change and
    /// the public forms (`[throttle]`).
    pub throttle: Arc<Throttle>,
    /// The case access log's buffered writer (`[access_log]`).
    pub access_log: AccessLog,
    /// Where document content is kept (`<data.dir>/files/`).
    pub files: Arc<dyn FileStore>,
}

impl AppState {
    pub fn new(db: Db, settings: Settings, environment: Environment) -> Result<Self, String> {
        Self::with_clock(db, settings, environment, Clock::system())
    }

    /// State on a given clock (the test harness passes an adjustable one). Call on a Tokio
    /// runtime: the access log's writer starts here.
    pub fn with_clock(
        db: Db,
        settings: Settings,
        environment: Environment,
        clock: Clock,
    ) -> Result<Self, String> {
        // First: a store that cannot be opened stops the start before any thread is spawned.
        let files = crate::files::open(&settings)?;
        let jwt = JwtKeys::new(
            settings.auth.jwt_secret.expose(),
            chrono::Duration::minutes(settings.auth.access_token_minutes),
        );
        let outbox = Outbox::new(&settings.email).with_base_url(&settings.server.base_url());
        let password_slots = Arc::new(tokio::sync::Semaphore::new(
            settings.auth.password_hash_concurrency.max(1),
        ));
        let hashers = Arc::new(
            Hashers::start(settings.auth.password_hash_concurrency.max(1))
                .unwrap_or_else(|e| panic!("cannot start the password hashing threads: {e}")),
        );
        let throttle = Arc::new(Throttle::new(&settings.throttle, clock.clone()));
        let window = Window {
            flush: std::time::Duration::from_millis(settings.access_log.flush_ms),
            batch: settings.access_log.batch,
        };
        let access_log = AccessLog::start(db.clone(), window);
        Ok(Self {
            files,
            access_log,
            db,
            jwt,
            settings: Arc::new(settings),
            environment,
            metrics: Arc::new(Metrics::default()),
            clock,
            outbox,
            password_slots,
            hashers,
            throttle,
        })
    }
}

//! Building and running the HTTP server: pools, migrations, routes (the JSON API and the
//! pages for the public), middleware, and the background work that runs beside it: the outbox
//! worker and the handling-feedback invitation job.

use std::net::TcpListener;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::http::header::ContentType;
use actix_web::middleware::{ErrorHandlers, from_fn};
use actix_web::{App, HttpResponse, HttpServer, guard, web};
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::api::{self, health, openapi};
use crate::clock::Clock;
use crate::config::{Environment, Settings};
use crate::db::tuning::Tuning;
use crate::db::{Db, migrations, timeline};
use crate::domain::seal::SealKey;
use crate::email::mailer::Mailer;
use crate::email::worker::Worker;
use crate::error::AppError;
use crate::http::{fallback, hygiene, observe};
use crate::pages;
use crate::services::feedback;
use crate::state::AppState;

/// Open the database and bring its schema up to date.
pub async fn open_database(settings: &Settings) -> anyhow::Result<Db> {
    let url = settings.database.url.expose().to_string();
    let size = settings.database.pool_size;
    let timeout = Duration::from_secs(settings.database.connect_timeout_seconds);
    let key = SealKey::new(settings.audit.key.expose().as_bytes());
    let batch = settings.database.group_commit_batch;
    let tuning = Tuning {
        sqlite_mmap_mib: settings.database.sqlite_mmap_mib,
        slow_statement: (settings.database.slow_statement_ms > 0)
            .then(|| Duration::from_millis(settings.database.slow_statement_ms)),
    };
    tokio::task::spawn_blocking(move || -> anyhow::Result<Db> {
        let db = Db::connect_tuned(&url, size, timeout, tuning)
            .and_then(|db| db.group_commit(batch))
            .map_err(anyhow::Error::msg)?
            .sealing_with(key.clone());
        let applied = migrations::run_pending(&db)?;
        if !applied.is_empty() {
            tracing::info!(count = applied.len(), "migrations applied");
        }
        let (sealed, left) = db.write_blocking(|c| timeline::seal_legacy(c, &key))?;
        if sealed + left > 0 {
            tracing::info!(
                sealed,
                left,
                "timelines written before the keyed chain sealed"
            );
        }
        Ok(db)
    })
    .await?
}

/// A bound, not yet running, Candour server.
pub struct Application {
    port: u16,
    server: Server,
    state: AppState,
    worker: Worker,
}

impl Application {
    /// Connect, migrate, bind `server.host:server.port` (port 0 picks a free one).
    pub async fn build(settings: Settings, env: Environment) -> anyhow::Result<Self> {
        Self::build_with_clock(settings, env, Clock::system()).await
    }

    /// [`Application::build`] on a given clock. Production servers follow the system clock: an
    /// adjustable one (the test harness's) is refused there.
    pub async fn build_with_clock(
        settings: Settings,
        env: Environment,
        clock: Clock,
    ) -> anyhow::Result<Self> {
        if clock.is_adjustable() && env == Environment::Production {
            anyhow::bail!("a production server follows the system clock");
        }
        let db = open_database(&settings).await?;
        let listener = TcpListener::bind((settings.server.host.as_str(), settings.server.port))
            .map_err(|e| {
                anyhow::anyhow!(
                    "cannot listen on {}:{}: {e}",
                    settings.server.host,
                    settings.server.port
                )
            })?;
        let port = listener.local_addr()?.port();
        let mut settings = settings;
        if settings.server.public_url.trim().is_empty() {
            // Links must carry the port actually bound (port 0 picks one).
            settings.server.port = port;
            settings.server.public_url = settings.server.base_url();
        }
        let mailer = Mailer::from_settings(&settings.email, &settings.data.dir)
            .map_err(|e| anyhow::anyhow!("email transport: {e}"))?;
        let state = AppState::with_clock(db, settings, env, clock)
            .map_err(|e| anyhow::anyhow!("document store: {e}"))?;
        let worker = Worker::new(
            state.db.clone(),
            state.clock.clone(),
            mailer,
            &state.settings.email,
            state.outbox.notifier(),
        )?
        .with_base_url(&state.settings.server.base_url());
        let server = serve(listener, state.clone())?;
        Ok(Self {
            port,
            server,
            state,
            worker,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serve and send mail until SIGTERM / Ctrl-C, finishing in-flight requests first; the
    /// outbox worker then finishes the message in hand and stops, and the feedback invitation
    /// job (`feedback.job_interval_minutes`) is stopped.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let worker = self.worker.spawn();
        let alerts = self
            .state
            .settings
            .alerts
            .enabled
            .then(|| crate::services::alerts::spawn(self.state.clone()));
        let invitations = tokio::spawn(feedback::run_job(self.state.clone()));
        let served = self.server.await;
        if let Some(job) = alerts {
            job.abort();
        }
        invitations.abort();
        worker.stop().await;
        // Reads recorded in the last moments are written before the process ends.
        self.state.access_log.flush().await;
        served
    }
}

fn serve(listener: TcpListener, state: AppState) -> std::io::Result<Server> {
    let workers = state.settings.server.workers;
    let shutdown = state.settings.server.shutdown_timeout_seconds;
    let max_json = state.settings.server.max_json_bytes;
    let data = web::Data::new(state);
    // The OpenAPI document is the committed file (a test proves it matches the handlers).
    // Composed in each worker, it took about 19 MiB there, which the allocator kept.
    let routes = fallback::RouteTable::from_openapi_json(openapi::DOCUMENT)
        .map_err(|e| std::io::Error::other(format!("the OpenAPI document: {e}")))?;
    let routes = web::Data::new(routes);
    let doc = web::Bytes::from_static(openapi::DOCUMENT);
    let mut server = HttpServer::new(move || {
        let doc = doc.clone();
        App::new()
            .app_data(data.clone())
            .app_data(routes.clone())
            .app_data(web::PayloadConfig::new(max_json))
            .app_data(web::QueryConfig::default().error_handler(|e, _| {
                AppError::BadRequest(format!("The query string is not valid: {e}")).into()
            }))
            .app_data(web::PathConfig::default().error_handler(|e, _| {
                AppError::BadRequest(format!("The path is not valid: {e}")).into()
            }))
            .service(health::healthz)
            .service(health::readyz)
            .service(health::metrics)
            .service(web::scope("/api/v1").configure(api::configure))
            .configure(pages::configure)
            .route(
                "/docs",
                web::get().to(|| async {
                    HttpResponse::PermanentRedirect()
                        .insert_header(("Location", "/docs/"))
                        .finish()
                }),
            )
            .service(web::resource(OPENAPI_JSON).guard(guard::Get()).to(move || {
                let doc = doc.clone();
                async move {
                    HttpResponse::Ok()
                        .content_type(ContentType::json())
                        .body(doc)
                }
            }))
            .service(SwaggerUi::new("/docs/{_:.*}").config(Config::new([OPENAPI_JSON])))
            .default_service(web::to(fallback::unmatched))
            .wrap(ErrorHandlers::new().default_handler(fallback::into_problem))
            .wrap(from_fn(hygiene::refuse_nul))
            .wrap(from_fn(observe::observe))
    })
    .listen(listener)?
    .shutdown_timeout(shutdown);
    if workers > 0 {
        server = server.workers(workers);
    }
    Ok(server.run())
}

/// Where the OpenAPI document is served (and where the Swagger UI at `/docs/` reads it).
const OPENAPI_JSON: &str = "/api-docs/openapi.json";

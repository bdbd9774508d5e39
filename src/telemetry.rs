//! Structured logs with `tracing`: JSON in production, compact text otherwise.
//! `RUST_LOG` overrides the level (default `info`). Never log personal data.

use std::io::IsTerminal;

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use crate::config::Environment;

/// The level when `RUST_LOG` is not set.
const DEFAULT_FILTER: &str = "info,actix_server=warn,r2d2=warn";

fn env_filter() -> EnvFilter {
    EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER))
}

/// Install the global subscriber once; later calls are ignored (tests start many apps).
pub fn init(env: Environment) {
    let builder = tracing_subscriber::fmt()
        .with_env_filter(env_filter())
        .with_ansi(std::io::stdout().is_terminal());
    let _ = if env == Environment::Production {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.compact().try_init()
    };
}

/// For a test harness: every event `filter` lets through, as JSON lines in the production
/// format, written to `file` (so that a test can read what the server logged); and, with
/// `echo`, the compact text on stdout as well, at `RUST_LOG` or `info`. Whether it was
/// installed (only the first global subscriber is).
pub fn init_capture(file: std::fs::File, filter: &str, echo: bool) -> bool {
    let captured = tracing_subscriber::fmt::layer()
        .json()
        .flatten_event(true)
        .with_writer(std::sync::Mutex::new(file))
        .with_filter(EnvFilter::new(filter));
    let echoed = echo.then(|| {
        tracing_subscriber::fmt::layer()
            .compact()
            .with_ansi(std::io::stdout().is_terminal())
            .with_filter(env_filter())
    });
    tracing_subscriber::registry()
        .with(captured)
        .with(echoed)
        .try_init()
        .is_ok()
}

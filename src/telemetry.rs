//! Structured logs with `tracing`: JSON in production, compact text otherwise.
//! `RUST_LOG` overrides the level (default `info`). Never log personal data.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::config::Environment;

/// Install the global subscriber once; later calls are ignored (tests start many apps).
pub fn init(env: Environment) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,actix_server=warn,r2d2=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stdout().is_terminal());
    let _ = if env == Environment::Production {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.compact().try_init()
    };
}

//! The `candour` binary: settings, logging, then the chosen command.

use std::process::ExitCode;

use clap::Parser;

use candour::cli::{self, Cli};
use candour::config::Settings;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let (settings, env) = match Settings::from_environment() {
        Ok(loaded) => loaded,
        Err(e) => {
            eprintln!("candour: refusing to start: {e}");
            return ExitCode::from(2);
        }
    };
    candour::telemetry::init(env);
    match cli::run(cli, settings, env).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("candour: {e:#}");
            ExitCode::FAILURE
        }
    }
}

//! The optional virus scan (`documents.scan_command`): the file is written to a private
//! temporary file, its path given to the configured program, and any exit status but 0
//! refuses it with what the scanner printed.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use crate::config::DocumentSettings;
use crate::error::{AppError, AppResult};

/// Run the configured scan over `bytes` (nothing to do without a scan command). `file_name`
/// stands in for the temporary path in the scanner's verdict.
pub async fn scan(
    settings: &DocumentSettings,
    scratch: &Path,
    file_name: &str,
    bytes: &[u8],
) -> AppResult<()> {
    let Some((program, args)) = settings.scan_command.split_first() else {
        return Ok(());
    };
    tokio::fs::create_dir_all(scratch)
        .await
        .map_err(|e| unavailable(&format!("cannot prepare the file for scanning: {e}")))?;
    let path = scratch.join(format!("{}.scan", uuid::Uuid::new_v4()));
    tokio::fs::write(&path, bytes)
        .await
        .map_err(|e| unavailable(&format!("cannot prepare the file for scanning: {e}")))?;
    let run = tokio::process::Command::new(program)
        .args(args)
        .arg(&path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .output();
    let limit = Duration::from_secs(settings.scan_timeout_seconds);
    let outcome = tokio::time::timeout(limit, run).await;
    let _ = tokio::fs::remove_file(&path).await;
    let output = match outcome {
        Err(_) => return Err(unavailable("the virus scan did not finish in time")),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "the virus scan command could not be run");
            return Err(unavailable("the virus scanner could not be run"));
        }
        Ok(Ok(output)) => output,
    };
    if output.status.success() {
        return Ok(());
    }
    let printed = [output.stdout, output.stderr]
        .iter()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .collect::<Vec<_>>()
        .join("\n");
    let verdict = printed
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("no reason given")
        .replace(&path.display().to_string(), file_name);
    let verdict: String = verdict.chars().take(300).collect();
    tracing::warn!("a document was refused by the virus scan");
    Err(AppError::invalid(
        "file",
        format!("The virus scan refused the file: {verdict}"),
    ))
}

fn unavailable(why: &str) -> AppError {
    AppError::Busy(format!(
        "The file was not accepted because {why}; try again later."
    ))
}

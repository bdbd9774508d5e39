//! A progress bar on standard error for long commands (seeding, retention runs).

use std::io::Write;

/// Redraw the bar: `done` of `total` `what`.
pub fn bar(done: u64, total: u64, what: &str) {
    let width = 40;
    let filled = (done * width as u64)
        .checked_div(total)
        .map_or(width, |f| usize::try_from(f).unwrap_or(width));
    let mut err = std::io::stderr().lock();
    let _ = write!(
        err,
        "\r[{}{}] {done}/{total} {what}",
        "#".repeat(filled.min(width)),
        " ".repeat(width - filled.min(width))
    );
    let _ = err.flush();
}

/// End the bar's line.
pub fn finish() {
    eprintln!();
}

//! Where this test process's logs go: every event the servers (and services) log while the
//! tests run, as JSON lines in the production format, in one file per process under
//! `target/tmp/test-logs/`, so that tests can read them. `TEST_LOG=1` also prints them.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

/// What is captured: everything Candour logs down to `debug`, and its dependencies from
/// `info` on; the test client's own crates (which log the URLs the tests request) are left
/// out, as they are not the server's logs.
const CAPTURE_FILTER: &str = "info,candour=debug,actix_server=warn,r2d2=warn,\
                              reqwest=off,hyper=off,hyper_util=off,h2=off,fantoccini=off";

/// Log files older than this, left by earlier runs, are removed when a run starts.
const KEEP: Duration = Duration::from_secs(24 * 60 * 60);

static FILE: OnceLock<PathBuf> = OnceLock::new();

/// The folder holding one log file per test process.
pub fn dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("test-logs")
}

/// Start capturing (once per process) and return this process's log file.
pub fn install() -> &'static Path {
    FILE.get_or_init(|| {
        let dir = dir();
        std::fs::create_dir_all(&dir).expect("create the test log folder");
        remove_old(&dir);
        let path = dir.join(format!("api-{}.jsonl", std::process::id()));
        let file = std::fs::File::create(&path).expect("create the test log file");
        let echo = std::env::var("TEST_LOG").is_ok();
        assert!(
            candour::telemetry::init_capture(file, CAPTURE_FILTER, echo),
            "another tracing subscriber was installed first"
        );
        path
    })
}

/// Everything this process has logged so far.
pub fn read() -> String {
    std::fs::read_to_string(install()).expect("read the test log file")
}

fn remove_old(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| SystemTime::now().duration_since(t).ok())
            .is_some_and(|age| age > KEEP);
        if old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

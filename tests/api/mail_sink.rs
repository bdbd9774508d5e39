//! A real SMTP server on loopback for tests: aiosmtpd (PyPI, 1.4.6) writing to a Maildir, and a
//! reader for what it received. When `python3` lacks aiosmtpd, a virtualenv is made once under
//! `target/test-venv` (a lock file keeps parallel test processes from racing).

use std::collections::BTreeMap;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use mailparse::{DispositionType, MailHeaderMap, ParsedMail};

const AIOSMTPD: &str = "aiosmtpd==1.4.6";

/// A running aiosmtpd with its own Maildir, killed (and the Maildir removed) when dropped.
pub struct SmtpSink {
    child: Option<Child>,
    pub port: u16,
    pub maildir: PathBuf,
    _dir: tempfile::TempDir,
}

impl SmtpSink {
    /// Start a sink on `127.0.0.1:port` with a fresh Maildir (aiosmtpd refuses an existing
    /// empty folder, so it is created by the server). Returns once the port accepts connections.
    pub fn start(port: u16) -> Self {
        let dir = tempfile::tempdir().expect("a folder for the Maildir");
        let maildir = dir.path().join("maildir");
        let child = Command::new(python())
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start aiosmtpd");
        let mut sink = Self {
            child: Some(child),
            port,
            maildir,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return sink;
            }
            if let Some(status) = sink
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                panic!("aiosmtpd exited at start ({status}); is port {port} taken?");
            }
            assert!(Instant::now() < deadline, "aiosmtpd did not listen in time");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stop the server (connections are refused from now on).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Every message delivered so far.
    pub fn received(&self) -> Vec<Mail> {
        read_maildir(&self.maildir)
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A loopback port that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// One received message, parsed.
#[derive(Debug, Clone)]
pub struct Mail {
    pub message_id: String,
    pub from: String,
    pub to: String,
    pub subject: String,
    pub content_type: String,
    /// The decoded `text/plain` and `text/html` parts that are not attachments.
    pub text: Option<String>,
    pub html: Option<String>,
    pub attachments: Vec<ReceivedAttachment>,
}

#[derive(Debug, Clone)]
pub struct ReceivedAttachment {
    pub filename: String,
    pub mimetype: String,
    pub params: BTreeMap<String, String>,
    pub bytes: Vec<u8>,
}

/// Parse one RFC 5322 message.
pub fn parse(raw: &[u8]) -> Mail {
    let parsed = mailparse::parse_mail(raw).expect("a parsable message");
    let header = |name: &str| parsed.headers.get_first_value(name).unwrap_or_default();
    let mut mail = Mail {
        message_id: header("Message-ID"),
        from: header("From"),
        to: header("To"),
        subject: header("Subject"),
        content_type: parsed.ctype.mimetype.clone(),
        text: None,
        html: None,
        attachments: Vec::new(),
    };
    collect_parts(&parsed, &mut mail);
    mail
}

fn collect_parts(part: &ParsedMail<'_>, mail: &mut Mail) {
    if !part.subparts.is_empty() {
        for sub in &part.subparts {
            collect_parts(sub, mail);
        }
        return;
    }
    let disposition = part.get_content_disposition();
    if disposition.disposition == DispositionType::Attachment {
        mail.attachments.push(ReceivedAttachment {
            filename: disposition
                .params
                .get("filename")
                .cloned()
                .unwrap_or_default(),
            mimetype: part.ctype.mimetype.clone(),
            params: part.ctype.params.clone(),
            bytes: part.get_body_raw().expect("attachment body"),
        });
        return;
    }
    let body = part.get_body().expect("a text body");
    match part.ctype.mimetype.as_str() {
        "text/plain" => mail.text = Some(body),
        "text/html" => mail.html = Some(body),
        _ => {}
    }
}

/// Every message in a Maildir (`new/` and `cur/`); none when it does not exist yet.
pub fn read_maildir(dir: &Path) -> Vec<Mail> {
    let mut mails = Vec::new();
    for sub in ["new", "cur"] {
        let Ok(entries) = std::fs::read_dir(dir.join(sub)) else {
            continue;
        };
        for entry in entries.flatten() {
            let raw = std::fs::read(entry.path()).expect("read a delivered message");
            mails.push(parse(&raw));
        }
    }
    mails
}

/// A Python with aiosmtpd: `python3` if it has it, else the test virtualenv (made on first use).
pub fn python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| {
        let has_it = Command::new("python3")
            .args(["-c", "import aiosmtpd"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if has_it {
            return PathBuf::from("python3");
        }
        let target = target_dir();
        std::fs::create_dir_all(&target).expect("target folder");
        let venv = target.join("test-venv");
        let python = venv.join("bin").join("python");
        let ready = venv.join(".aiosmtpd-1.4.6-installed");
        let lock = std::fs::File::create(target.join("test-venv.lock")).expect("venv lock file");
        lock.lock().expect("lock the test venv");
        if !ready.exists() {
            run(Command::new("python3").args(["-m", "venv"]).arg(&venv));
            run(Command::new(&python).args(["-m", "pip", "install", "--quiet", AIOSMTPD]));
            std::fs::write(&ready, AIOSMTPD).expect("mark the venv ready");
        }
        drop(lock);
        python
    })
}

pub fn run(cmd: &mut Command) {
    let status = cmd.status().expect("run a setup command");
    assert!(status.success(), "{cmd:?} failed: {status}");
}

/// `target/` of this build: the test binary lives in `target/<profile>/deps/`.
pub fn target_dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.parent()?.to_path_buf()))
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"))
}

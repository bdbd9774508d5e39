//! Transports: SMTP through lettre (TLS, STARTTLS or plain; optional credentials), or `.eml`
//! files in `<data.dir>/outbox/` so a newcomer can read what would have been sent.

use std::path::{Path, PathBuf};
use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::{EmailSettings, EmailTransport, SmtpTls};

/// Where sent mail goes.
#[derive(Clone)]
pub enum Mailer {
    /// An SMTP relay; connections are pooled and re-opened as needed.
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// A folder of `<message-id>.eml` files.
    File(PathBuf),
}

/// Why one attempt failed. `detail` may quote the server (and so an address): store it for
/// admins, never log it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendError {
    /// `permanent` (SMTP 5xx), `transient` (4xx), `connection`, `timeout`, `tls` or `file`.
    pub kind: &'static str,
    /// The SMTP reply code, when the server answered.
    pub code: Option<String>,
    pub detail: String,
}

impl Mailer {
    /// The transport `email` describes; `.eml` files go to `<data_dir>/outbox`.
    /// Call inside the Tokio runtime: the SMTP connection pool starts a task.
    pub fn from_settings(email: &EmailSettings, data_dir: &Path) -> anyhow::Result<Self> {
        match email.transport {
            EmailTransport::File => Ok(Self::File(data_dir.join("outbox"))),
            EmailTransport::Smtp => {
                let host = email.smtp_host.trim();
                let mut builder = match email.smtp_tls {
                    SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
                    SmtpTls::Starttls => {
                        AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)?
                    }
                    SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)?,
                }
                .port(email.smtp_port)
                .timeout(Some(Duration::from_secs(email.smtp_timeout_seconds)));
                if !email.smtp_username.is_empty() {
                    builder = builder.credentials(Credentials::new(
                        email.smtp_username.clone(),
                        email.smtp_password.expose().to_string(),
                    ));
                }
                Ok(Self::Smtp(builder.build()))
            }
        }
    }

    /// `smtp` or `file`, for logs.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Smtp(_) => "smtp",
            Self::File(_) => "file",
        }
    }

    /// Send one message whose Message-ID is `message_id`.
    pub async fn send(&self, message_id: &str, message: &Message) -> Result<(), SendError> {
        match self {
            Self::Smtp(transport) => transport
                .send(message.clone())
                .await
                .map(|_| ())
                .map_err(smtp_error),
            Self::File(dir) => {
                let path = dir.join(eml_file_name(message_id));
                let dir = dir.clone();
                let bytes = message.formatted();
                tokio::task::spawn_blocking(move || write_atomically(&dir, &path, &bytes))
                    .await
                    .map_err(|e| e.to_string())
                    .and_then(|r| r.map_err(|e| e.to_string()))
                    .map_err(|detail| SendError {
                        kind: "file",
                        code: None,
                        detail: format!("cannot write the .eml file: {detail}"),
                    })
            }
        }
    }
}

fn smtp_error(e: lettre::transport::smtp::Error) -> SendError {
    let kind = if e.is_permanent() {
        "permanent"
    } else if e.is_transient() {
        "transient"
    } else if e.is_timeout() {
        "timeout"
    } else if e.is_tls() {
        "tls"
    } else {
        "connection"
    };
    SendError {
        kind,
        code: e.status().map(|c| c.to_string()),
        detail: e.to_string(),
    }
}

/// `<uuid@trust.nhs.uk>` → `uuid@trust.nhs.uk.eml`, keeping only characters safe in a file name.
pub fn eml_file_name(message_id: &str) -> String {
    let stem: String = message_id
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "@._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{}.eml", stem.trim_start_matches('.'))
}

/// Write to a temporary file, then rename: a reader never sees half a message.
fn write_atomically(dir: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let tmp = path.with_extension("eml.tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_come_from_the_message_id() {
        assert_eq!(
            eml_file_name("<abc-1@trust.nhs.uk>"),
            "abc-1@trust.nhs.uk.eml"
        );
        assert_eq!(eml_file_name("<../../etc/x>"), "_.._etc_x.eml");
    }

    #[test]
    fn the_default_transport_writes_files_in_the_data_folder() {
        let m = Mailer::from_settings(&EmailSettings::default(), Path::new("data")).unwrap();
        assert!(matches!(&m, Mailer::File(p) if p == Path::new("data/outbox")));
        assert_eq!(m.kind(), "file");
    }

    // Building an SMTP transport starts its connection pool's task, so it needs a runtime.
    #[tokio::test]
    async fn smtp_transports_build_for_each_tls_mode() {
        for tls in [SmtpTls::None, SmtpTls::Starttls, SmtpTls::Tls] {
            let settings = EmailSettings {
                transport: EmailTransport::Smtp,
                smtp_host: "smtp.trust.nhs.uk".into(),
                smtp_tls: tls,
                smtp_username: "candour".into(),
                ..EmailSettings::default()
            };
            let m = Mailer::from_settings(&settings, Path::new("data")).unwrap();
            assert_eq!(m.kind(), "smtp");
        }
    }
}

//! Outgoing email: templates, composing outbox messages, the transports and the sending worker.
//!
//! A use-case renders and queues its message inside its own write transaction, then wakes the
//! worker once the transaction has committed:
//!
//! ```ignore
//! let msg = state.outbox.compose("acknowledgement", &email, &context)?.for_case(&case_id);
//! let now = state.clock.now();
//! state.db.write(move |c| { /* the case change */ db::outbox::enqueue(c, &msg, now)?; Ok(()) }).await?;
//! state.outbox.wake();
//! ```

pub mod links;
pub mod mailer;
pub mod message;
pub mod secret_links;
pub mod templates;
pub mod worker;

use std::sync::Arc;

use tokio::sync::Notify;

use crate::config::EmailSettings;
use crate::db::outbox::NewOutboxMessage;
use crate::error::AppError;
pub use templates::{Rendered, TemplateError, Templates};

/// Why a message could not be composed.
#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error("the recipient is not an email address")]
    Recipient,
}

impl From<ComposeError> for AppError {
    fn from(e: ComposeError) -> Self {
        match e {
            ComposeError::Recipient => {
                AppError::invalid("email", "is not an email address mail can be sent to")
            }
            // A broken template is the deployment's fault, not the request's.
            ComposeError::Template(e) => AppError::internal(e.to_string()),
        }
    }
}

/// What use-cases need to queue mail: the templates, the Message-ID domain, and the worker's
/// wake-up. Cheap to clone; one per application, in [`crate::state::AppState`].
#[derive(Clone)]
pub struct Outbox {
    templates: Arc<Templates>,
    /// The public base URL the links in messages are made on.
    base_url: Arc<str>,
    message_id_domain: Arc<str>,
    wake: Arc<Notify>,
}

impl Outbox {
    pub fn new(settings: &EmailSettings) -> Self {
        let domain = settings
            .from
            .parse::<lettre::message::Mailbox>()
            .map(|m| m.email.domain().to_string())
            .unwrap_or_else(|_| "localhost".to_string());
        Self {
            templates: Arc::new(Templates::new(settings.templates_dir.clone())),
            base_url: "".into(),
            message_id_domain: domain.into(),
            wake: Arc::new(Notify::new()),
        }
    }

    /// Make the links in messages on `base_url` (the server's public URL).
    pub fn with_base_url(mut self, base_url: &str) -> Self {
        self.base_url = base_url.into();
        self
    }

    /// Issue the complainant's private links that `bodies` carry, for a message or letter about
    /// `case_id`, and put them in ([`secret_links::fill`]). Inside a write transaction.
    pub fn fill_private_links(
        &self,
        conn: &mut crate::db::DbConnection,
        case_id: &str,
        bodies: &mut [&mut String],
        issued_by: Option<&str>,
        now: chrono::NaiveDateTime,
    ) -> crate::db::DbResult<usize> {
        let how = secret_links::Issue {
            by: issued_by,
            replaces_before: None,
            now,
        };
        secret_links::fill(conn, Some(case_id), bodies, &self.base_url, how)
    }

    pub fn templates(&self) -> &Templates {
        &self.templates
    }

    /// Render message `template` with `context`, its [`links::Link`]s made addresses.
    pub fn render(
        &self,
        template: &str,
        context: &serde_json::Value,
    ) -> Result<Rendered, TemplateError> {
        let mut context = context.clone();
        links::resolve(&mut context, &self.base_url);
        self.templates.render(template, &context)
    }

    /// Render `template` with `context` into a message for `recipient`, with a fresh
    /// Message-ID. Add `.for_case(id)` and attachments, then [`crate::db::outbox::enqueue`] it.
    pub fn compose(
        &self,
        template: &str,
        recipient: &str,
        context: &serde_json::Value,
    ) -> Result<NewOutboxMessage, ComposeError> {
        let recipient = recipient.trim();
        recipient
            .parse::<lettre::Address>()
            .map_err(|_| ComposeError::Recipient)?;
        let rendered = self.render(template, context)?;
        Ok(NewOutboxMessage {
            case_id: None,
            template: template.to_string(),
            recipient: recipient.to_string(),
            subject: rendered.subject,
            text_body: rendered.text,
            html_body: Some(rendered.html),
            attachments: Vec::new(),
            message_id: self.new_message_id(),
        })
    }

    /// A new RFC 5322 Message-ID, `<uuid@domain of email.from>`.
    pub fn new_message_id(&self) -> String {
        format!(
            "<{}@{}>",
            uuid::Uuid::new_v4().simple(),
            self.message_id_domain
        )
    }

    /// Nudge the worker to look for due messages now. Call after the transaction that queued a
    /// message has committed (a wake-up before the commit finds nothing to send).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// The worker's wake-up signal.
    pub fn notifier(&self) -> Arc<Notify> {
        Arc::clone(&self.wake)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn compose_renders_and_names_the_message() {
        let settings = EmailSettings {
            from: "Complaints <complaints@trust.nhs.uk>".into(),
            templates_dir: "/nonexistent/templates".into(),
            ..EmailSettings::default()
        };
        let outbox = Outbox::new(&settings);
        let ctx = json!({"name": "Alex", "reference": "C-2026-00001", "note": "n"});
        let m = outbox
            .compose("test_message", " alex@example.org ", &ctx)
            .unwrap()
            .for_case("case-1");
        assert_eq!(m.recipient, "alex@example.org");
        assert_eq!(m.subject, "Test message about C-2026-00001");
        assert_eq!(m.case_id.as_deref(), Some("case-1"));
        assert!(m.message_id.starts_with('<'), "{}", m.message_id);
        assert!(m.message_id.ends_with("@trust.nhs.uk>"), "{}", m.message_id);
        let other = outbox
            .compose("test_message", "alex@example.org", &ctx)
            .unwrap();
        assert_ne!(m.message_id, other.message_id);
        assert!(matches!(
            outbox.compose("test_message", "nobody", &ctx),
            Err(ComposeError::Recipient)
        ));
        assert!(matches!(
            outbox.compose("nope", "alex@example.org", &ctx),
            Err(ComposeError::Template(TemplateError::Unknown(_)))
        ));
    }
}

//! The sending worker: a Tokio task that claims due outbox messages under a lease, sends them
//! with the [`Mailer`], and records each outcome (sent, back off, or dead).
//!
//! It wakes every `email.poll_seconds`, or at once when a use-case calls
//! [`crate::email::Outbox::wake`]. All database work goes through [`Db`], off the async threads.
//! Logs carry outbox ids, Message-IDs and template names, never addresses or bodies.

use std::sync::Arc;
use std::time::Duration;

use lettre::message::Mailbox;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use super::mailer::{Mailer, SendError};
use super::message;
use super::secret_links;
use crate::clock::Clock;
use crate::config::EmailSettings;
use crate::db::outbox::{self, OutboxMessage};
use crate::db::{Db, DbError};
use crate::domain::outbox::{OutboxStatus, RetryPolicy};

/// Extra lease time per message beyond the SMTP timeout, and for the whole batch.
const LEASE_MARGIN_SECONDS: u64 = 5;
const LEASE_BATCH_SECONDS: u64 = 60;

/// One sending worker.
pub struct Worker {
    db: Db,
    /// The application's clock: leases, back-off and outcomes are timed by it.
    clock: Clock,
    mailer: Mailer,
    from: Mailbox,
    policy: RetryPolicy,
    batch_size: i64,
    poll: Duration,
    /// How long a claim lasts: long enough to send a whole batch, each at the SMTP timeout.
    lease: chrono::Duration,
    /// A message is not started with less lease than this left.
    per_message: chrono::Duration,
    wake: Arc<Notify>,
    instance: String,
    /// The public base URL the complainant's private links are made on.
    base_url: String,
}

/// The running worker; [`WorkerHandle::stop`] ends it after the message in hand.
pub struct WorkerHandle {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl WorkerHandle {
    /// Ask the worker to stop and wait until it has: the message being sent is finished and
    /// recorded, the rest of its batch handed back for another instance.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        if let Err(e) = self.task.await {
            tracing::error!(error.cause = %e, "outbox worker ended abnormally");
        }
    }
}

impl Worker {
    /// A worker for `db` sending through `mailer` on `clock`, woken early by `wake`.
    pub fn new(
        db: Db,
        clock: Clock,
        mailer: Mailer,
        settings: &EmailSettings,
        wake: Arc<Notify>,
    ) -> anyhow::Result<Self> {
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|e| anyhow::anyhow!("email.from is not a mailbox: {e}"))?;
        let per_message_seconds = settings.smtp_timeout_seconds + LEASE_MARGIN_SECONDS;
        let lease_seconds = u64::try_from(settings.batch_size)
            .unwrap_or(1)
            .saturating_mul(per_message_seconds)
            .saturating_add(LEASE_BATCH_SECONDS);
        Ok(Self {
            db,
            clock,
            mailer,
            from,
            policy: RetryPolicy {
                base_seconds: settings.retry_base_seconds,
                max_seconds: settings.retry_max_seconds,
                max_attempts: settings.max_attempts,
            },
            batch_size: settings.batch_size,
            poll: Duration::from_secs_f64(settings.poll_seconds),
            lease: seconds(lease_seconds),
            per_message: seconds(per_message_seconds),
            wake,
            instance: format!("worker-{}", uuid::Uuid::new_v4().simple()),
            base_url: String::new(),
        })
    }

    /// Make the complainant's private links on `base_url` (the server's public URL).
    pub fn with_base_url(mut self, base_url: &str) -> Self {
        self.base_url = base_url.to_string();
        self
    }

    /// This worker's name in `claimed_by`.
    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// Run on the current Tokio runtime until stopped.
    pub fn spawn(self) -> WorkerHandle {
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(self.run(stopped));
        WorkerHandle { stop, task }
    }

    async fn run(self, mut stopped: watch::Receiver<bool>) {
        tracing::info!(
            outbox.worker = %self.instance,
            outbox.transport = self.mailer.kind(),
            "outbox worker started"
        );
        loop {
            if *stopped.borrow() {
                break;
            }
            let full = match self.run_once(&stopped).await {
                Ok(claimed) => claimed >= usize::try_from(self.batch_size).unwrap_or(usize::MAX),
                Err(e) => {
                    tracing::warn!(error.cause = %e, "outbox: cannot claim messages");
                    false
                }
            };
            if full {
                // More may be due already: no nap.
                continue;
            }
            tokio::select! {
                () = tokio::time::sleep(self.poll) => {}
                () = self.wake.notified() => {}
                changed = stopped.changed() => {
                    if changed.is_err() {
                        break;
                    }
                }
            }
        }
        tracing::info!(outbox.worker = %self.instance, "outbox worker stopped");
    }

    /// Claim one batch and deliver it; returns how many messages were claimed.
    pub async fn run_once(&self, stopped: &watch::Receiver<bool>) -> Result<usize, DbError> {
        let now = self.clock.now();
        if !self.db.read(move |c| outbox::any_due(c, now)).await? {
            return Ok(0);
        }
        let (instance, lease_until, limit) =
            (self.instance.clone(), now + self.lease, self.batch_size);
        let claimed = self
            .db
            .write(move |c| outbox::claim(c, &instance, now, lease_until, limit))
            .await?;
        let count = claimed.len();
        let mut rest = claimed.into_iter();
        while let Some(msg) = rest.next() {
            let lease_left = lease_until - self.clock.now();
            if *stopped.borrow() || lease_left < self.per_message {
                let ids: Vec<String> = std::iter::once(msg.id).chain(rest.map(|m| m.id)).collect();
                self.release(ids).await;
                break;
            }
            self.deliver(&msg).await;
        }
        Ok(count)
    }

    /// The message as it leaves: with the complainant's private links issued and put in. `None`
    /// when they could not be issued now (the message is retried when its lease ends).
    async fn with_private_links(&self, msg: &OutboxMessage) -> Option<OutboxMessage> {
        let carries = secret_links::any(&msg.text_body)
            || msg.html_body.as_deref().is_some_and(secret_links::any);
        if !carries {
            return Some(msg.clone());
        }
        let (mut out, base_url, now) = (msg.clone(), self.base_url.clone(), self.clock.now());
        let filled = self
            .db
            .write(move |c| {
                let case_id = out.case_id.clone();
                let mut html = out.html_body.take().unwrap_or_default();
                let mut bodies = [&mut out.text_body, &mut html];
                let how = secret_links::Issue {
                    by: None,
                    replaces_before: Some(out.created_at),
                    now,
                };
                secret_links::fill(c, case_id.as_deref(), &mut bodies, &base_url, how)?;
                out.html_body = Some(html).filter(|h| !h.is_empty());
                Ok::<_, DbError>(out)
            })
            .await;
        match filled {
            Ok(m) => Some(m),
            Err(e) => {
                tracing::warn!(
                    outbox.id = %msg.id,
                    error.cause = %e,
                    "outbox: the private links could not be issued; retried later"
                );
                None
            }
        }
    }

    /// Send one claimed message and record what happened.
    async fn deliver(&self, msg: &OutboxMessage) {
        let Some(sending) = self.with_private_links(msg).await else {
            return;
        };
        let outcome = match message::build(&sending, &self.from) {
            Err(detail) => Outcome::Unsendable(detail),
            Ok(m) => match self.mailer.send(&msg.message_id, &m).await {
                Ok(()) => Outcome::Sent,
                Err(e) => Outcome::Failed(e),
            },
        };
        match self.record(msg, &outcome).await {
            Ok(Some(status)) => self.log(msg, &outcome, status),
            Ok(None) => tracing::warn!(
                outbox.id = %msg.id,
                email.message_id = %msg.message_id,
                "outbox lease lost before the outcome was recorded"
            ),
            Err(e) => tracing::error!(
                outbox.id = %msg.id,
                email.message_id = %msg.message_id,
                error.cause = %e,
                "outbox outcome not recorded; the message is retried when its lease ends"
            ),
        }
    }

    /// Store the outcome; the new status, or `None` when this worker no longer holds the lease.
    async fn record(
        &self,
        msg: &OutboxMessage,
        outcome: &Outcome,
    ) -> Result<Option<OutboxStatus>, DbError> {
        let (id, instance, policy, now) = (
            msg.id.clone(),
            self.instance.clone(),
            self.policy,
            self.clock.now(),
        );
        match outcome {
            Outcome::Sent => self
                .db
                .write(move |c| outbox::mark_sent(c, &id, &instance, now))
                .await
                .map(|held| held.then_some(OutboxStatus::Sent)),
            Outcome::Unsendable(detail) => {
                let detail = detail.clone();
                self.db
                    .write(move |c| outbox::mark_dead(c, &id, &instance, &detail, now))
                    .await
                    .map(|held| held.then_some(OutboxStatus::Dead))
            }
            Outcome::Failed(error) => {
                let detail = error.detail.clone();
                self.db
                    .write(move |c| outbox::mark_failed(c, &id, &instance, &detail, now, &policy))
                    .await
            }
        }
    }

    /// One log line per attempt: ids, template, attempt and error kind; never addresses or text.
    fn log(&self, msg: &OutboxMessage, outcome: &Outcome, status: OutboxStatus) {
        match outcome {
            Outcome::Sent => tracing::info!(
                outbox.id = %msg.id,
                email.message_id = %msg.message_id,
                email.template = %msg.template,
                outbox.attempt = msg.attempts,
                "email sent"
            ),
            Outcome::Unsendable(_) => tracing::error!(
                outbox.id = %msg.id,
                email.message_id = %msg.message_id,
                email.template = %msg.template,
                "email cannot be built as stored; it is dead"
            ),
            Outcome::Failed(error) => tracing::warn!(
                outbox.id = %msg.id,
                email.message_id = %msg.message_id,
                email.template = %msg.template,
                outbox.attempt = msg.attempts,
                outbox.status = %status,
                outbox.retry_in_ms = (status == OutboxStatus::Pending)
                    .then(|| self.policy.delay(msg.attempts).num_milliseconds()),
                error.kind = error.kind,
                smtp.code = error.code.as_deref(),
                "email not sent"
            ),
        }
    }

    async fn release(&self, ids: Vec<String>) {
        let instance = self.instance.clone();
        match self
            .db
            .write(move |c| outbox::release(c, &ids, &instance))
            .await
        {
            Ok(n) => tracing::info!(outbox.released = n, "outbox messages handed back"),
            Err(e) => tracing::warn!(error.cause = %e, "outbox messages not handed back"),
        }
    }
}

/// What one attempt came to.
enum Outcome {
    Sent,
    /// The server or the file system refused; retried until the last attempt.
    Failed(SendError),
    /// The stored row cannot become a message (bad address or attachment): dead at once.
    Unsendable(String),
}

fn seconds(s: u64) -> chrono::Duration {
    chrono::Duration::seconds(i64::try_from(s).unwrap_or(i64::MAX).min(86_400 * 365))
}

//! Outgoing mail: the states of an outbox message, its attachments, and the retry policy.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::Duration;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where a message is on its way out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OutboxStatus {
    /// Waiting for its next attempt.
    Pending,
    /// Claimed by one Candour instance, which is sending it now.
    Sending,
    /// Accepted by the mail server (or written to a file).
    Sent,
    /// Every attempt failed; waits for an admin to retry it.
    Dead,
}

impl OutboxStatus {
    pub const ALL: [OutboxStatus; 4] = [Self::Pending, Self::Sending, Self::Sent, Self::Dead];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Dead => "dead",
        }
    }
}

impl std::str::FromStr for OutboxStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| {
                format!("unknown value {s:?}; expected one of pending, sending, sent, dead")
            })
    }
}

impl std::fmt::Display for OutboxStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A file sent with a message, stored as JSON `{filename, content_type, base64}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// The name the recipient sees, e.g. `invite.ics`.
    pub filename: String,
    /// A MIME type, with parameters if any: `text/calendar; method=REQUEST`.
    pub content_type: String,
    /// The content, base64 (standard alphabet, padded).
    pub base64: String,
}

impl Attachment {
    pub fn new(filename: impl Into<String>, content_type: impl Into<String>, bytes: &[u8]) -> Self {
        Self {
            filename: filename.into(),
            content_type: content_type.into(),
            base64: STANDARD.encode(bytes),
        }
    }

    /// The decoded content.
    pub fn bytes(&self) -> Result<Vec<u8>, String> {
        STANDARD
            .decode(self.base64.as_bytes())
            .map_err(|e| format!("attachment {:?} is not valid base64: {e}", self.filename))
    }
}

/// When failed messages are tried again, and when they are given up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// The wait after the first failed attempt, in seconds; doubled after each further one.
    pub base_seconds: f64,
    /// The longest wait, in seconds.
    pub max_seconds: f64,
    /// Attempts before the message is dead.
    pub max_attempts: i32,
}

/// What happens to a message after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    /// Try again after this wait.
    RetryIn(Duration),
    /// No attempts left.
    Dead,
}

impl RetryPolicy {
    /// The wait before the next try once `attempts` attempts have failed:
    /// `base × 2^(attempts − 1)`, capped at `max_seconds`.
    pub fn delay(&self, attempts: i32) -> Duration {
        let exponent = attempts.saturating_sub(1).clamp(0, 62);
        let seconds = (self.base_seconds * 2f64.powi(exponent)).min(self.max_seconds);
        // Whole microseconds, the precision both engines store.
        Duration::microseconds((seconds * 1e6).round() as i64)
    }

    /// The fate of a message whose attempt number `attempts` (counting from 1) just failed.
    pub fn after_failure(&self, attempts: i32) -> AfterFailure {
        if attempts >= self.max_attempts {
            AfterFailure::Dead
        } else {
            AfterFailure::RetryIn(self.delay(attempts))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: RetryPolicy = RetryPolicy {
        base_seconds: 30.0,
        max_seconds: 3600.0,
        max_attempts: 8,
    };

    #[test]
    fn back_off_doubles_from_the_base_and_is_capped() {
        assert_eq!(POLICY.delay(1), Duration::seconds(30));
        assert_eq!(POLICY.delay(2), Duration::seconds(60));
        assert_eq!(POLICY.delay(3), Duration::seconds(120));
        assert_eq!(POLICY.delay(7), Duration::seconds(1920));
        assert_eq!(POLICY.delay(8), Duration::seconds(3600));
        assert_eq!(POLICY.delay(1000), Duration::seconds(3600));
        let tiny = RetryPolicy {
            base_seconds: 0.05,
            ..POLICY
        };
        assert_eq!(tiny.delay(3), Duration::milliseconds(200));
    }

    #[test]
    fn the_last_attempt_makes_a_message_dead() {
        assert_eq!(
            POLICY.after_failure(1),
            AfterFailure::RetryIn(Duration::seconds(30))
        );
        assert!(matches!(POLICY.after_failure(7), AfterFailure::RetryIn(_)));
        assert_eq!(POLICY.after_failure(8), AfterFailure::Dead);
        assert_eq!(POLICY.after_failure(9), AfterFailure::Dead);
    }

    #[test]
    fn statuses_round_trip() {
        for s in OutboxStatus::ALL {
            assert_eq!(s.as_str().parse::<OutboxStatus>().unwrap(), s);
        }
        assert!("lost".parse::<OutboxStatus>().unwrap_err().contains("dead"));
    }

    #[test]
    fn attachments_keep_their_bytes() {
        let a = Attachment::new(
            "invite.ics",
            "text/calendar; method=REQUEST",
            b"BEGIN:VCALENDAR",
        );
        assert_eq!(a.bytes().unwrap(), b"BEGIN:VCALENDAR");
        let bad = Attachment {
            base64: "***".into(),
            ..a
        };
        assert!(bad.bytes().unwrap_err().contains("invite.ics"));
    }
}

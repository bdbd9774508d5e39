//! The tamper-evident timeline: each event's hash covers its content and the previous hash.

use sha2::{Digest, Sha256};

/// The hash of the (absent) event before the first one.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The content of one event, as hashed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventContent<'a> {
    pub case_id: &'a str,
    pub seq: i32,
    /// RFC 3339 with microseconds, UTC.
    pub occurred_at: &'a str,
    pub actor_id: Option<&'a str>,
    pub kind: &'a str,
    pub summary: &'a str,
    pub details: &'a str,
    pub prev_hash: &'a str,
}

/// SHA-256 over length-prefixed fields, so that no two different events hash alike.
pub fn hash(e: &EventContent<'_>) -> String {
    let mut h = Sha256::new();
    let seq = e.seq.to_string();
    for field in [
        e.case_id,
        seq.as_str(),
        e.occurred_at,
        e.actor_id.unwrap_or(""),
        e.kind,
        e.summary,
        e.details,
        e.prev_hash,
    ] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Where a stored chain stops being consistent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    pub seq: i32,
    pub reason: &'static str,
}

/// A stored event: its content and the hash it claims.
pub struct StoredEvent<'a> {
    pub content: EventContent<'a>,
    pub hash: &'a str,
}

/// Check a case's events in `seq` order; the first broken link, if any.
pub fn verify(events: &[StoredEvent<'_>]) -> Option<BrokenLink> {
    let mut expected_prev = GENESIS.to_string();
    for (i, e) in events.iter().enumerate() {
        let seq = e.content.seq;
        if usize::try_from(seq).ok() != Some(i + 1) {
            return Some(BrokenLink {
                seq,
                reason: "sequence number out of order or missing",
            });
        }
        if e.content.prev_hash != expected_prev {
            return Some(BrokenLink {
                seq,
                reason: "previous hash does not match the event before",
            });
        }
        if hash(&e.content) != e.hash {
            return Some(BrokenLink {
                seq,
                reason: "content does not match its hash",
            });
        }
        expected_prev = e.hash.to_string();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content<'a>(seq: i32, summary: &'a str, prev: &'a str) -> EventContent<'a> {
        EventContent {
            case_id: "c1",
            seq,
            occurred_at: "2026-01-01T00:00:00.000000Z",
            actor_id: Some("u1"),
            kind: "note",
            summary,
            details: "{}",
            prev_hash: prev,
        }
    }

    #[test]
    fn an_edit_anywhere_breaks_the_chain_at_that_event() {
        let h1 = hash(&content(1, "first", GENESIS));
        let h2 = hash(&content(2, "second", &h1));
        let good = [
            StoredEvent {
                content: content(1, "first", GENESIS),
                hash: &h1,
            },
            StoredEvent {
                content: content(2, "second", &h1),
                hash: &h2,
            },
        ];
        assert_eq!(verify(&good), None);
        let edited = [
            StoredEvent {
                content: content(1, "FIRST", GENESIS),
                hash: &h1,
            },
            StoredEvent {
                content: content(2, "second", &h1),
                hash: &h2,
            },
        ];
        assert_eq!(verify(&edited).unwrap().seq, 1);
        let dropped = [StoredEvent {
            content: content(2, "second", &h1),
            hash: &h2,
        }];
        assert_eq!(verify(&dropped).unwrap().seq, 2);
    }

    #[test]
    fn field_boundaries_matter() {
        let mut a = content(1, "ab", GENESIS);
        let mut b = content(1, "a", GENESIS);
        a.details = "c";
        b.details = "bc";
        assert_ne!(hash(&a), hash(&b));
    }
}

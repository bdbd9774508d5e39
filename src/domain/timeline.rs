//! The tamper-evident chains (each case's timeline, and the system audit log): what an event's
//! seal covers, the erasure of its texts for retention or redaction, and how a stored chain is
//! checked — edited, reordered, removed or cut-short events, and texts erased without record.

use std::collections::HashSet;

use sha2::{Digest, Sha256};

pub use super::seal::GENESIS;
use super::seal::{self, SealKey};

/// The event kinds that erase earlier events' texts; their details list the erased events'
/// numbers as `{"erased": [3, 7]}`.
pub const ERASURE_KINDS: [&str; 2] = ["redaction", "retention"];

/// Why a text was erased.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Erasure {
    /// A complaints manager removed it (`POST /cases/{id}/redactions`).
    Redaction,
    /// The retention schedule removed it.
    Retention,
}

impl Erasure {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Redaction => "redaction",
            Self::Retention => "retention",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "redaction" => Some(Self::Redaction),
            "retention" => Some(Self::Retention),
            _ => None,
        }
    }

    /// The summary an erased event shows instead of its own.
    pub fn summary(self) -> &'static str {
        match self {
            Self::Redaction => "[redacted]",
            Self::Retention => "[removed under the retention schedule]",
        }
    }

    /// The details an erased event shows instead of its own.
    pub fn details(self) -> String {
        serde_json::json!({ "erased": self.as_str() }).to_string()
    }
}

/// The facts of one event that its seal covers: the texts only by their digests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed<'a> {
    /// The case id, or `system` for the system audit log.
    pub chain: &'a str,
    pub seq: i32,
    /// RFC 3339 with microseconds, UTC.
    pub occurred_at: &'a str,
    pub actor_id: Option<&'a str>,
    pub kind: &'a str,
    /// Further sealed facts that are not free text (the system log's target and client).
    pub facts: &'a str,
    pub summary_digest: &'a str,
    pub details_digest: &'a str,
    pub prev_hash: &'a str,
}

impl Sealed<'_> {
    pub fn seal(&self, key: &SealKey) -> String {
        let seq = self.seq.to_string();
        seal::seal(key, &self.fields(&seq))
    }

    fn holds(&self, key: &SealKey, claimed: &str) -> bool {
        let seq = self.seq.to_string();
        seal::holds(key, &self.fields(&seq), claimed)
    }

    fn fields<'s>(&'s self, seq: &'s str) -> [&'s str; 9] {
        [
            self.chain,
            seq,
            self.occurred_at,
            self.actor_id.unwrap_or(""),
            self.kind,
            self.facts,
            self.summary_digest,
            self.details_digest,
            self.prev_hash,
        ]
    }
}

/// A stored event: what its seal covers, its texts as they are now, and the seal it claims.
pub struct StoredEvent<'a> {
    pub sealed: Sealed<'a>,
    pub summary: &'a str,
    pub details: &'a str,
    /// Set when the texts were erased.
    pub erased: Option<&'a str>,
    pub hash: &'a str,
}

/// Where a stored chain stops being consistent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    pub seq: i32,
    pub reason: &'static str,
}

fn broken(seq: i32, reason: &'static str) -> Option<BrokenLink> {
    Some(BrokenLink { seq, reason })
}

/// Check a chain's events in `seq` order; the first broken link, if any.
pub fn verify(key: &SealKey, events: &[StoredEvent<'_>]) -> Option<BrokenLink> {
    let accounted = erasures_recorded(events);
    let mut expected_prev = GENESIS;
    for (i, e) in events.iter().enumerate() {
        let seq = e.sealed.seq;
        if usize::try_from(seq).ok() != Some(i + 1) {
            return broken(seq, "sequence number out of order or missing");
        }
        if e.sealed.prev_hash != expected_prev {
            return broken(seq, "previous seal does not match the event before");
        }
        if !e.sealed.holds(key, e.hash) {
            return broken(seq, "facts do not match the event's seal");
        }
        if let Some(reason) = text_problem(e, &accounted) {
            return broken(seq, reason);
        }
        expected_prev = e.hash;
    }
    None
}

/// Whether an event's texts are the ones it was sealed with, or were erased on the record.
fn text_problem(e: &StoredEvent<'_>, accounted: &HashSet<i32>) -> Option<&'static str> {
    let Some(erased) = e.erased else {
        let intact = seal::digest(e.summary) == e.sealed.summary_digest
            && seal::digest(e.details) == e.sealed.details_digest;
        return (!intact).then_some("text does not match its sealed digest");
    };
    let Some(how) = Erasure::parse(erased) else {
        return Some("erased for an unknown reason");
    };
    if e.summary != how.summary() || e.details != how.details() {
        return Some("erased text replaced by something other than the erasure mark");
    }
    (!accounted.contains(&e.sealed.seq)).then_some("text erased without a recorded erasure")
}

/// The events that later redaction or retention events say they erased.
fn erasures_recorded(events: &[StoredEvent<'_>]) -> HashSet<i32> {
    let mut out = HashSet::new();
    for (i, e) in events.iter().enumerate() {
        if !ERASURE_KINDS.contains(&e.sealed.kind) || e.erased.is_some() {
            continue;
        }
        let listed = serde_json::from_str::<serde_json::Value>(e.details)
            .ok()
            .and_then(|v| v.get("erased").and_then(|x| x.as_array().cloned()))
            .unwrap_or_default();
        for n in listed.iter().filter_map(serde_json::Value::as_i64) {
            // Only earlier events can have been erased by this one.
            if let Ok(n) = i32::try_from(n)
                && usize::try_from(n).is_ok_and(|n| n >= 1 && n <= i)
            {
                out.insert(n);
            }
        }
    }
    out
}

/// A chain's stored head: how many events it had and the last one's seal, sealed.
pub struct Head<'a> {
    pub seq: i32,
    pub hash: &'a str,
    pub seal: &'a str,
}

/// The seal of a head.
pub fn head_seal(key: &SealKey, chain: &str, seq: i32, hash: &str) -> String {
    let n = seq.to_string();
    seal::seal(key, &seal::head_fields(chain, &n, hash))
}

/// Check a chain's head against its last event: a missing, forged or stale head means events
/// were removed from the end of the chain (or the whole chain).
pub fn verify_head(
    key: &SealKey,
    chain: &str,
    last: Option<(i32, &str)>,
    head: Option<Head<'_>>,
) -> Option<BrokenLink> {
    let Some(head) = head else {
        return last.map(|(seq, _)| BrokenLink {
            seq,
            reason: "the chain's sealed head is missing",
        });
    };
    let n = head.seq.to_string();
    if !seal::holds(key, &seal::head_fields(chain, &n, head.hash), head.seal) {
        return broken(head.seq, "the chain's head does not match its seal");
    }
    match last {
        None => broken(head.seq, "every event of the chain is missing"),
        Some((seq, _)) if seq < head.seq => {
            broken(seq + 1, "events at the end of the chain are missing")
        }
        Some((seq, hash)) if seq != head.seq || hash != head.hash => {
            broken(seq, "the last event is not the one the head names")
        }
        Some(_) => None,
    }
}

/// The unkeyed SHA-256 over the texts themselves that sealed timelines before the keyed
/// chain; old events are checked with it once, then sealed anew.
pub struct LegacyEvent<'a> {
    pub case_id: &'a str,
    pub seq: i32,
    pub occurred_at: &'a str,
    pub actor_id: Option<&'a str>,
    pub kind: &'a str,
    pub summary: &'a str,
    pub details: &'a str,
    pub prev_hash: &'a str,
}

pub fn legacy_hash(e: &LegacyEvent<'_>) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// An event as written: its texts, and its seal made with `key` after `prev`.
    struct Made {
        seq: i32,
        kind: &'static str,
        summary: String,
        details: String,
        summary_digest: String,
        details_digest: String,
        prev: String,
        hash: String,
        erased: Option<&'static str>,
    }

    fn chain(key: &SealKey, events: &[(&'static str, &str, &str)]) -> Vec<Made> {
        let mut prev = GENESIS.to_string();
        let mut out = Vec::new();
        for (i, (kind, summary, details)) in events.iter().enumerate() {
            let seq = i32::try_from(i + 1).unwrap();
            let (sd, dd) = (seal::digest(summary), seal::digest(details));
            let hash = sealed(seq, kind, &sd, &dd, &prev).seal(key);
            out.push(Made {
                seq,
                kind,
                summary: summary.to_string(),
                details: details.to_string(),
                summary_digest: sd,
                details_digest: dd,
                prev: std::mem::replace(&mut prev, hash.clone()),
                hash,
                erased: None,
            });
        }
        out
    }

    fn sealed<'a>(seq: i32, kind: &'a str, sd: &'a str, dd: &'a str, prev: &'a str) -> Sealed<'a> {
        Sealed {
            chain: "case-1",
            seq,
            occurred_at: "2026-01-01T00:00:00.000000Z",
            actor_id: Some("u1"),
            kind,
            facts: "",
            summary_digest: sd,
            details_digest: dd,
            prev_hash: prev,
        }
    }

    fn stored(events: &[Made]) -> Vec<StoredEvent<'_>> {
        events
            .iter()
            .map(|m| StoredEvent {
                sealed: sealed(m.seq, m.kind, &m.summary_digest, &m.details_digest, &m.prev),
                summary: &m.summary,
                details: &m.details,
                erased: m.erased,
                hash: &m.hash,
            })
            .collect()
    }

    fn key() -> SealKey {
        SealKey::new(b"test key of the audit chain")
    }

    fn three() -> Vec<Made> {
        chain(
            &key(),
            &[
                (
                    "created",
                    "Complaint logged",
                    r#"{"summary":"Mrs A's fall"}"#,
                ),
                ("note", "Spoke to Mrs A", "{}"),
                ("acknowledged", "Acknowledged", "{}"),
            ],
        )
    }

    fn reason(events: &[Made]) -> Option<(i32, &'static str)> {
        verify(&key(), &stored(events)).map(|b| (b.seq, b.reason))
    }

    #[test]
    fn an_intact_chain_holds_and_only_under_its_key() {
        let events = three();
        assert_eq!(reason(&events), None);
        let other = SealKey::new(b"someone else's key");
        assert_eq!(verify(&other, &stored(&events)).unwrap().seq, 1);
    }

    #[test]
    fn an_edited_fact_or_text_breaks_at_that_event() {
        let mut events = three();
        events[1].kind = "acknowledged";
        assert_eq!(
            reason(&events),
            Some((2, "facts do not match the event's seal"))
        );

        let mut events = three();
        events[1].summary = "Spoke to Mr B".into();
        assert_eq!(
            reason(&events),
            Some((2, "text does not match its sealed digest"))
        );

        // Rewriting the digest too does not help without the key.
        let mut events = three();
        events[1].summary = "Spoke to Mr B".into();
        events[1].summary_digest = seal::digest("Spoke to Mr B");
        assert_eq!(
            reason(&events),
            Some((2, "facts do not match the event's seal"))
        );
    }

    #[test]
    fn removed_or_reordered_events_are_found() {
        let mut events = three();
        events.remove(1);
        assert_eq!(
            reason(&events),
            Some((3, "sequence number out of order or missing"))
        );
        let mut events = three();
        events.swap(1, 2);
        assert_eq!(
            reason(&events),
            Some((3, "sequence number out of order or missing"))
        );
        // Renumbered to hide the gap: the seal covers the number.
        let mut events = three();
        events.remove(1);
        events[1].seq = 2;
        assert_eq!(
            reason(&events),
            Some((2, "previous seal does not match the event before"))
        );
    }

    #[test]
    fn an_erasure_holds_only_when_a_later_event_records_it_and_the_mark_is_exact() {
        let k = key();
        let mut events = chain(
            &k,
            &[
                (
                    "created",
                    "Complaint logged",
                    r#"{"summary":"Mrs A's fall"}"#,
                ),
                ("note", "Spoke to Mrs A", "{}"),
                (
                    "redaction",
                    "Text redacted: event 2",
                    r#"{"erased":[2],"reason":"wrong case"}"#,
                ),
            ],
        );
        events[1].erased = Some("redaction");
        events[1].summary = Erasure::Redaction.summary().into();
        events[1].details = Erasure::Redaction.details();
        assert_eq!(reason(&events), None);

        // The same erasure of event 1, which no event records.
        let mut unrecorded = chain(
            &k,
            &[("created", "Complaint logged", "{}"), ("note", "x", "{}")],
        );
        unrecorded[0].erased = Some("retention");
        unrecorded[0].summary = Erasure::Retention.summary().into();
        unrecorded[0].details = Erasure::Retention.details();
        assert_eq!(
            reason(&unrecorded),
            Some((1, "text erased without a recorded erasure"))
        );

        // Marked erased, but carrying other words.
        events[1].summary = "Spoke to Mr B".into();
        assert_eq!(
            reason(&events),
            Some((
                2,
                "erased text replaced by something other than the erasure mark"
            ))
        );
    }

    #[test]
    fn an_erasure_event_cannot_vouch_for_itself_or_a_later_event() {
        let k = key();
        let mut events = chain(
            &k,
            &[
                ("redaction", "Text redacted", r#"{"erased":[1,2]}"#),
                ("note", "Spoke to Mrs A", "{}"),
            ],
        );
        events[1].erased = Some("redaction");
        events[1].summary = Erasure::Redaction.summary().into();
        events[1].details = Erasure::Redaction.details();
        assert_eq!(
            reason(&events),
            Some((2, "text erased without a recorded erasure"))
        );
    }

    #[test]
    fn the_head_finds_a_chain_cut_short_or_removed() {
        let k = key();
        let events = three();
        let h = head_seal(&k, "case-1", 3, &events[2].hash);
        let head = || {
            Some(Head {
                seq: 3,
                hash: &events[2].hash,
                seal: &h,
            })
        };
        let last = |n: usize| Some((i32::try_from(n).unwrap(), events[n - 1].hash.as_str()));
        assert_eq!(verify_head(&k, "case-1", last(3), head()), None);
        assert_eq!(
            verify_head(&k, "case-1", last(2), head()).map(|b| b.reason),
            Some("events at the end of the chain are missing")
        );
        assert_eq!(
            verify_head(&k, "case-1", None, head()).map(|b| b.reason),
            Some("every event of the chain is missing")
        );
        assert_eq!(
            verify_head(&k, "case-1", last(3), None).map(|b| b.reason),
            Some("the chain's sealed head is missing")
        );
        // A head moved back to event 2 without the key.
        let forged = Some(Head {
            seq: 2,
            hash: &events[1].hash,
            seal: &h,
        });
        assert_eq!(
            verify_head(&k, "case-1", last(2), forged).map(|b| b.reason),
            Some("the chain's head does not match its seal")
        );
        // A head is bound to its chain.
        assert!(verify_head(&k, "case-2", last(3), head()).is_some());
    }
}

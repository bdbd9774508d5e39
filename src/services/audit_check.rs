//! Checking the audit chains (every case timeline and the system audit log) against their
//! seals and heads, and anchors: a signed checkpoint of every chain's head, kept outside the
//! database, that a later check compares with.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::db::chains::{self, SYSTEM};
use crate::db::{Db, DbConnection, audit_log, timeline};
use crate::domain::seal::{self, SealKey};
use crate::error::{AppError, AppResult};

/// Case chains checked per round trip.
const CHUNK: i64 = 500;

/// Where one chain fails its check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainProblem {
    /// A case id, or `system` for the audit log.
    pub chain: String,
    /// The case's reference, when the case still exists.
    pub reference: Option<String>,
    pub seq: i32,
    pub reason: String,
}

/// What a whole check found.
#[derive(Debug, Clone, Default)]
pub struct AuditReport {
    pub cases_checked: usize,
    pub system_events: usize,
    pub problems: Vec<ChainProblem>,
}

fn key_of(db: &Db) -> AppResult<std::sync::Arc<SealKey>> {
    db.seal_key()
        .ok_or_else(|| AppError::internal("the database was opened without the audit key"))
}

/// Check every case timeline, every chain head, and the system audit log.
pub async fn verify_all(db: &Db) -> AppResult<AuditReport> {
    let key = key_of(db)?;
    db.read(move |c| -> AppResult<AuditReport> {
        let mut report = AuditReport::default();
        let mut after: Option<String> = None;
        loop {
            let page = chains::cases_after(c, after.as_deref(), CHUNK)?;
            let Some((last, _)) = page.last() else { break };
            after = Some(last.clone());
            report.cases_checked += page.len();
            check_cases(c, &key, &page, &mut report.problems)?;
        }
        for head in chains::orphan_heads(c)? {
            report.problems.push(ChainProblem {
                chain: head.chain,
                reference: None,
                seq: 1,
                reason: "the case and every event of its timeline are gone; only its sealed head \
                         remains"
                    .into(),
            });
        }
        let events = audit_log::all(c)?;
        report.system_events = events.len();
        let head = chains::head(c, SYSTEM)?;
        if let Some(b) = audit_log::verify(&key, &events, head.as_ref()) {
            report.problems.push(ChainProblem {
                chain: SYSTEM.into(),
                reference: None,
                seq: b.seq,
                reason: b.reason.into(),
            });
        }
        Ok(report)
    })
    .await
}

/// Check one page of cases (id, reference).
fn check_cases(
    c: &mut DbConnection,
    key: &SealKey,
    page: &[(String, String)],
    problems: &mut Vec<ChainProblem>,
) -> AppResult<()> {
    let ids: Vec<String> = page.iter().map(|(id, _)| id.clone()).collect();
    let mut events: BTreeMap<String, Vec<timeline::TimelineEvent>> = BTreeMap::new();
    for e in timeline::for_cases(c, &ids)? {
        events.entry(e.case_id.clone()).or_default().push(e);
    }
    let heads: BTreeMap<String, chains::HeadRow> = chains::heads_for(c, &ids)?
        .into_iter()
        .map(|h| (h.chain.clone(), h))
        .collect();
    for (id, reference) in page {
        let evs = events.get(id).map(Vec::as_slice).unwrap_or_default();
        let head = heads.get(id);
        let found = if evs.is_empty() && head.is_none() {
            Some((
                1,
                "the case has no timeline: every event and its head are gone",
            ))
        } else {
            timeline::verify(key, id, evs, head).map(|b| (b.seq, b.reason))
        };
        if let Some((seq, reason)) = found {
            problems.push(ChainProblem {
                chain: id.clone(),
                reference: Some(reference.clone()),
                seq,
                reason: reason.into(),
            });
        }
    }
    Ok(())
}

/// A signed checkpoint of every chain's head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    pub format: String,
    pub created_at: DateTime<Utc>,
    /// Names the key that signed it (not the key itself).
    pub key_id: String,
    /// Chain (a case id, or `system`) → (events, last seal).
    pub heads: BTreeMap<String, (i32, String)>,
    /// HMAC with the audit key over everything above.
    pub signature: String,
}

const ANCHOR_FORMAT: &str = "candour-audit-anchor/1";

impl Anchor {
    fn signed_text(&self) -> String {
        let body = serde_json::json!({
            "format": self.format,
            "created_at": self.created_at,
            "key_id": self.key_id,
            "heads": self.heads,
        });
        body.to_string()
    }
}

/// Every chain's head now, signed with the audit key.
pub async fn anchor(db: &Db, now: DateTime<Utc>) -> AppResult<Anchor> {
    let key = key_of(db)?;
    let heads = db
        .read(|c| -> AppResult<Vec<chains::HeadRow>> { Ok(chains::heads(c)?) })
        .await?;
    let mut anchor = Anchor {
        format: ANCHOR_FORMAT.into(),
        created_at: now,
        key_id: key.id(),
        heads: heads
            .into_iter()
            .map(|h| (h.chain, (h.seq, h.hash)))
            .collect(),
        signature: String::new(),
    };
    anchor.signature = seal::seal(&key, &["anchor", &anchor.signed_text()]);
    Ok(anchor)
}

/// Compare the chains with an anchor: each chain it names must still hold the event it named,
/// with the same seal (later events may follow). Problems found, none if it holds.
pub async fn check_anchor(db: &Db, anchor: Anchor) -> AppResult<Vec<ChainProblem>> {
    let key = key_of(db)?;
    let problem = |chain: &str, seq: i32, reason: &str| ChainProblem {
        chain: chain.to_string(),
        reference: None,
        seq,
        reason: reason.to_string(),
    };
    if anchor.format != ANCHOR_FORMAT {
        return Ok(vec![problem("anchor", 0, "not a Candour audit anchor")]);
    }
    if anchor.key_id != key.id() {
        return Ok(vec![problem("anchor", 0, "signed with another audit key")]);
    }
    if !seal::holds(&key, &["anchor", &anchor.signed_text()], &anchor.signature) {
        return Ok(vec![problem(
            "anchor",
            0,
            "the anchor's signature does not hold",
        )]);
    }
    db.read(move |c| -> AppResult<Vec<ChainProblem>> {
        let mut out = Vec::new();
        for (chain, (seq, hash)) in &anchor.heads {
            let stored = if chain == SYSTEM {
                audit_log::hash_at(c, *seq)?
            } else {
                timeline::hash_at(c, chain, *seq)?
            };
            match stored {
                None => out.push(problem(chain, *seq, "the event the anchor names is gone")),
                Some(h) if &h != hash => out.push(problem(
                    chain,
                    *seq,
                    "the event the anchor names was sealed anew since",
                )),
                Some(_) => {}
            }
        }
        Ok(out)
    })
    .await
}

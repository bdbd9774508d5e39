//! What the sealed chains (case timelines and the system audit log) share: the time stamp as it
//! is sealed, and each chain's sealed head.

use chrono::{NaiveDateTime, SecondsFormat};
use diesel::prelude::*;

use super::cached::Cached;
use super::connection::DbConnection;
use super::error::DbResult;
use super::schema::audit_heads;
use crate::domain::seal::SealKey;
use crate::domain::timeline::{self, Head};

/// The chain name of the system audit log (case chains are named by their case id).
pub const SYSTEM: &str = "system";

/// A time as sealed: RFC 3339 with microseconds, UTC.
pub fn stamp(at: NaiveDateTime) -> String {
    at.and_utc().to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// A chain's stored head.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_heads, treat_none_as_default_value = false)]
pub struct HeadRow {
    pub chain: String,
    pub seq: i32,
    pub hash: String,
    pub seal: String,
}

impl HeadRow {
    /// The head of `chain` after its event `seq`, sealed with `key`.
    pub fn sealed(key: &SealKey, chain: &str, seq: i32, hash: &str) -> Self {
        Self {
            chain: chain.to_string(),
            seq,
            hash: hash.to_string(),
            seal: timeline::head_seal(key, chain, seq, hash),
        }
    }

    pub fn as_head(&self) -> Head<'_> {
        Head {
            seq: self.seq,
            hash: &self.hash,
            seal: &self.seal,
        }
    }
}

/// Move `chain`'s head to its event `seq`; call in the transaction that appended it.
pub fn advance(
    conn: &mut DbConnection,
    key: &SealKey,
    chain: &str,
    seq: i32,
    hash: &str,
) -> DbResult<()> {
    let head = HeadRow::sealed(key, chain, seq, hash);
    // One statement: a new chain's first head is inserted, a known chain's moved on.
    on_engine!(conn, |c| Cached(
        diesel::insert_into(audit_heads::table)
            .values(&head)
            .on_conflict(audit_heads::chain)
            .do_update()
            .set((
                audit_heads::seq.eq(head.seq),
                audit_heads::hash.eq(&head.hash),
                audit_heads::seal.eq(&head.seal),
            ))
    )
    .execute(c))?;
    Ok(())
}

/// The stored head of `chain`, if it has one.
pub fn head(conn: &mut DbConnection, chain: &str) -> DbResult<Option<HeadRow>> {
    Ok(audit_heads::table
        .find(chain)
        .select(HeadRow::as_select())
        .first(conn)
        .optional()?)
}

/// Every stored head, by chain.
pub fn heads(conn: &mut DbConnection) -> DbResult<Vec<HeadRow>> {
    Ok(audit_heads::table
        .order(audit_heads::chain)
        .select(HeadRow::as_select())
        .load(conn)?)
}

/// The stored heads of `chains`.
pub fn heads_for(conn: &mut DbConnection, chains: &[String]) -> DbResult<Vec<HeadRow>> {
    Ok(audit_heads::table
        .filter(audit_heads::chain.eq_any(chains))
        .select(HeadRow::as_select())
        .load(conn)?)
}

/// Heads of case chains whose case is gone altogether.
pub fn orphan_heads(conn: &mut DbConnection) -> DbResult<Vec<HeadRow>> {
    use super::schema::cases;
    use diesel::dsl::{exists, not};
    Ok(audit_heads::table
        .filter(audit_heads::chain.ne(SYSTEM))
        .filter(not(exists(
            cases::table.filter(cases::id.eq(audit_heads::chain)),
        )))
        .order(audit_heads::chain)
        .select(HeadRow::as_select())
        .load(conn)?)
}

/// The ids and references of up to `limit` cases after the id `after`, by id: the case chains
/// to check, a page at a time.
pub fn cases_after(
    conn: &mut DbConnection,
    after: Option<&str>,
    limit: i64,
) -> DbResult<Vec<(String, String)>> {
    use super::schema::cases;
    let mut q = cases::table.into_boxed();
    if let Some(a) = after {
        q = q.filter(cases::id.gt(a));
    }
    Ok(q.order(cases::id.asc())
        .limit(limit)
        .select((cases::id, cases::reference))
        .load(conn)?)
}

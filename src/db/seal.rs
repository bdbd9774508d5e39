//! The audit key of the write transaction under way: [`Db::write`](super::Db::write) lends it
//! for the length of the transaction, and the chains seal their events with it. It is never
//! stored in the database.

use std::cell::RefCell;
use std::sync::Arc;

use super::error::{DbError, DbResult};
use crate::domain::seal::SealKey;

thread_local! {
    static KEY: RefCell<Option<Arc<SealKey>>> = const { RefCell::new(None) };
}

/// Run `f` with `key` as the audit key of this thread, then put back what was there.
pub(super) fn lend<R>(key: Option<&Arc<SealKey>>, f: impl FnOnce() -> R) -> R {
    let before = KEY.with(|k| k.replace(key.cloned()));
    let out = f();
    KEY.with(|k| k.replace(before));
    out
}

/// The audit key of the write under way; a write through a handle opened without one cannot
/// add to a chain.
pub fn key() -> DbResult<Arc<SealKey>> {
    KEY.with(|k| k.borrow().clone())
        .ok_or_else(|| DbError::Task("no audit key: open the database with one".into()))
}

//! The case access log's writer: reads of a case are recorded without holding up the read.
//! Entries are queued and written in batches by one task, in one transaction per batch, at
//! most `flush_ms` after they were queued or as soon as `batch` are waiting (the durability
//! window: a crash loses at most that). A flush, before the log is read or when the server
//! stops, writes everything queued so far.

use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use tokio::sync::{mpsc, oneshot};

use super::connection::{Db, DbConnection};
use super::error::DbResult;
use super::schema::case_access_log;

/// One read to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Read {
    pub case_id: String,
    pub user_id: String,
    pub route: String,
    pub at: NaiveDateTime,
}

enum Msg {
    Read(Read),
    /// Answer once everything queued before it is written.
    Flush(oneshot::Sender<()>),
}

/// The handle requests use: cheap to clone.
#[derive(Clone)]
pub struct AccessLog {
    tx: mpsc::Sender<Msg>,
}

/// How long an entry may wait, and how many make a batch.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub flush: Duration,
    pub batch: usize,
}

impl AccessLog {
    /// Start the writer on the current runtime.
    pub fn start(db: Db, window: Window) -> Self {
        // Room for a few batches; past that a reader waits (backpressure) rather than drop.
        let (tx, rx) = mpsc::channel(window.batch.max(1) * 8);
        tokio::spawn(run(db, rx, window));
        Self { tx }
    }

    /// Queue the record of a read.
    pub async fn record(&self, read: Read) {
        if self.tx.send(Msg::Read(read)).await.is_err() {
            tracing::error!("the access log writer has stopped; a case read was not recorded");
        }
    }

    /// Queue the records of several reads.
    pub async fn record_all(&self, reads: Vec<Read>) {
        for r in reads {
            self.record(r).await;
        }
    }

    /// Wait until everything queued so far is written.
    pub async fn flush(&self) {
        let (done, wait) = oneshot::channel();
        if self.tx.send(Msg::Flush(done)).await.is_ok() {
            let _ = wait.await;
        }
    }
}

async fn run(db: Db, mut rx: mpsc::Receiver<Msg>, window: Window) {
    let mut reads: Vec<Read> = Vec::new();
    let mut waiting: Vec<oneshot::Sender<()>> = Vec::new();
    while let Some(first) = rx.recv().await {
        take(first, &mut reads, &mut waiting);
        let deadline = tokio::time::Instant::now() + window.flush;
        // Gather until the window closes, the batch is full, or someone asks for a flush.
        while waiting.is_empty() && reads.len() < window.batch {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some(msg)) => take(msg, &mut reads, &mut waiting),
                Ok(None) | Err(_) => break,
            }
        }
        write(&db, std::mem::take(&mut reads)).await;
        for w in waiting.drain(..) {
            let _ = w.send(());
        }
    }
}

fn take(msg: Msg, reads: &mut Vec<Read>, waiting: &mut Vec<oneshot::Sender<()>>) {
    match msg {
        Msg::Read(r) => reads.push(r),
        Msg::Flush(w) => waiting.push(w),
    }
}

async fn write(db: &Db, reads: Vec<Read>) {
    if reads.is_empty() {
        return;
    }
    let n = reads.len();
    let written = db
        .write(move |c| -> DbResult<usize> {
            // The batch in one statement; if that fails (an entry's case gone), each entry in
            // its own savepoint, so only the one that cannot be written is left out.
            if c.transaction(|c| insert_many(c, &reads)).is_ok() {
                return Ok(0);
            }
            let mut lost = 0;
            for r in &reads {
                if c.transaction(|c| insert(c, r)).is_err() {
                    lost += 1;
                }
            }
            Ok(lost)
        })
        .await;
    match written {
        Ok(0) => {}
        Ok(lost) => tracing::error!(entries = lost, "access log entries could not be written"),
        Err(e) => {
            tracing::error!(error.cause = %e, entries = n, "access log entries could not be written");
        }
    }
}

/// Record one read now, in the caller's transaction (for reads that are part of a change).
pub fn insert(conn: &mut DbConnection, r: &Read) -> DbResult<()> {
    insert_many(conn, std::slice::from_ref(r))
}

/// Record reads in one statement (at most 200 rows a statement: SQLite's limit on bound values).
fn insert_many(conn: &mut DbConnection, reads: &[Read]) -> DbResult<()> {
    for chunk in reads.chunks(200) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|r| {
                (
                    // Time-ordered ids: new rows go at the end of the key's index, not anywhere
                    // in it, so a batch dirties a few pages instead of one per entry.
                    case_access_log::id.eq(uuid::Uuid::now_v7().to_string()),
                    case_access_log::case_id.eq(&r.case_id),
                    case_access_log::user_id.eq(&r.user_id),
                    case_access_log::route.eq(&r.route),
                    case_access_log::accessed_at.eq(r.at),
                )
            })
            .collect();
        // Multi-row inserts are not offered through the two-engine connection; each engine's
        // own connection runs the same statement.
        let q = diesel::insert_into(case_access_log::table).values(rows);
        match conn {
            DbConnection::Sqlite(c) => q.execute(c)?,
            DbConnection::Postgresql(c) => q.execute(c)?,
        };
    }
    Ok(())
}

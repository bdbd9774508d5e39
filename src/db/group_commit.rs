//! Group commit for the single SQLite writer. One thread takes the write transactions that
//! queued while the last batch ran and runs them inside one outer `BEGIN IMMEDIATE … COMMIT`,
//! each in its own savepoint, so a request that fails rolls back only its own work; every
//! request is answered only after the outer commit. Under load many requests share one commit
//! and one hand-over of the write lock; alone, a request is a batch of one.

use std::ops::DerefMut;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use diesel::Connection;
use tokio::sync::oneshot;

use super::error::DbError;
use crate::domain::seal::SealKey;

/// What the writer needs of a connection: the batch's outer transaction, and how deep in
/// transactions it is.
pub(super) trait Batching {
    /// Open the batch's transaction (`BEGIN IMMEDIATE` on SQLite).
    fn begin_batch(&mut self) -> Result<(), String>;
    /// Commit the batch's transaction, or roll it back and say why the commit failed.
    fn commit_batch(&mut self) -> Result<(), String>;
    /// Roll back the innermost transaction or savepoint; `false` if that failed.
    fn roll_back_one(&mut self) -> bool;
    /// How many transactions deep the connection is (1: the batch's own).
    fn depth(&mut self) -> u32;
    /// Copy the log back into the database file (see [`super::checkpointer`]).
    fn checkpoint(&mut self) -> Result<(), String>;
}

/// One queued write transaction.
pub(super) trait Job<C>: Send {
    /// Run in its own savepoint inside the batch's transaction; what to answer once the batch
    /// has committed (or not).
    fn run(self: Box<Self>, conn: &mut C) -> Box<dyn Deliver>;
    /// The batch could not start: answer with `why`.
    fn fail(self: Box<Self>, why: String);
}

/// The answer of a job that ran, held until the batch's commit.
pub(super) trait Deliver: Send {
    fn deliver(self: Box<Self>, commit: Result<(), String>);
}

/// The handle to the writer thread.
pub(super) struct Writer<C> {
    tx: mpsc::Sender<Box<dyn Job<C>>>,
    alive: Arc<AtomicBool>,
}

impl<C> Clone for Writer<C> {
    fn clone(&self) -> Self {
        Self {
            tx: self.tx.clone(),
            alive: self.alive.clone(),
        }
    }
}

/// Marks the writer stopped when its thread ends, however it ends.
struct Alive(Arc<AtomicBool>);

impl Drop for Alive {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
        // The thread ends normally once every handle is gone (the process is closing): nothing
        // is left to write. Only a panic leaves handles that still need a writer.
        if std::thread::panicking() {
            tracing::error!("the SQLite group-commit writer stopped; writes go one at a time");
        } else {
            tracing::debug!("the SQLite group-commit writer ended: no handle is left to use it");
        }
    }
}

impl<C: Batching + 'static> Writer<C> {
    /// Start the writer thread; `connect` lends it the write connection for each batch. After
    /// each batch the writer asks `due` and, if it says so, checkpoints.
    pub(super) fn start<G, F, D>(connect: F, max_batch: usize, due: D) -> std::io::Result<Self>
    where
        G: DerefMut<Target = C>,
        F: FnMut() -> Result<G, String> + Send + 'static,
        D: Fn() -> bool + Send + 'static,
    {
        let (tx, rx) = mpsc::channel::<Box<dyn Job<C>>>();
        let alive = Arc::new(AtomicBool::new(true));
        let guard = Alive(alive.clone());
        std::thread::Builder::new()
            .name("candour-writer".into())
            .spawn(move || {
                let _guard = guard;
                run(connect, &rx, max_batch.max(1), &due);
            })?;
        Ok(Self { tx, alive })
    }

    /// The flag that turns false when the thread stops.
    pub(super) fn alive_flag(&self) -> Arc<AtomicBool> {
        self.alive.clone()
    }

    /// Whether the thread still takes work.
    pub(super) fn is_alive(&self) -> bool {
        self.alive.load(Ordering::SeqCst)
    }

    /// Queue a job; `false` when the writer has stopped.
    pub(super) fn submit(&self, job: Box<dyn Job<C>>) -> bool {
        self.tx.send(job).is_ok()
    }
}

fn run<C, G, F>(
    mut connect: F,
    rx: &mpsc::Receiver<Box<dyn Job<C>>>,
    max_batch: usize,
    due: &dyn Fn() -> bool,
) where
    C: Batching,
    G: DerefMut<Target = C>,
    F: FnMut() -> Result<G, String>,
{
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < max_batch {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let mut conn = match connect() {
            Ok(c) => c,
            Err(why) => {
                batch.into_iter().for_each(|j| j.fail(why.clone()));
                continue;
            }
        };
        if let Err(why) = conn.begin_batch() {
            batch.into_iter().for_each(|j| j.fail(why.clone()));
            continue;
        }
        let answers: Vec<Box<dyn Deliver>> = batch
            .into_iter()
            .filter_map(|job| run_one(job, &mut *conn))
            .collect();
        let committed = conn.commit_batch();
        answers
            .into_iter()
            .for_each(|a| a.deliver(committed.clone()));
        if due()
            && let Err(why) = conn.checkpoint()
        {
            tracing::warn!(%why, "the writer's checkpoint failed");
        }
    }
}

/// Run one job in its savepoint. A job that panics is rolled back to its savepoint (its caller
/// is told the write was lost) and the batch goes on without it.
fn run_one<C: Batching>(job: Box<dyn Job<C>>, conn: &mut C) -> Option<Box<dyn Deliver>> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job.run(conn))) {
        Ok(answer) => Some(answer),
        Err(_) => {
            tracing::error!("a queued write panicked; its work was rolled back");
            while conn.depth() > 1 && conn.roll_back_one() {}
            None
        }
    }
}

/// A caller's write transaction, queued.
pub(super) struct WriteJob<T, E, F> {
    pub f: F,
    pub key: Option<Arc<SealKey>>,
    pub span: tracing::Span,
    pub tx: oneshot::Sender<Result<T, E>>,
}

impl<C, T, E, F> Job<C> for WriteJob<T, E, F>
where
    C: Connection,
    F: FnOnce(&mut C) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<DbError> + From<diesel::result::Error> + Send + 'static,
{
    fn run(self: Box<Self>, conn: &mut C) -> Box<dyn Deliver> {
        let WriteJob { f, key, span, tx } = *self;
        // A savepoint: an error rolls back this job's work alone.
        let result = span.in_scope(|| super::seal::lend(key.as_ref(), || conn.transaction(f)));
        Box::new(Done { result, tx })
    }

    fn fail(self: Box<Self>, why: String) {
        let _ = self.tx.send(Err(E::from(DbError::Task(why))));
    }
}

struct Done<T, E> {
    result: Result<T, E>,
    tx: oneshot::Sender<Result<T, E>>,
}

impl<T, E> Deliver for Done<T, E>
where
    T: Send + 'static,
    E: From<DbError> + Send + 'static,
{
    fn deliver(self: Box<Self>, commit: Result<(), String>) {
        let answer = match (commit, self.result) {
            (Ok(()), result) => result,
            (Err(why), Ok(_)) => Err(E::from(DbError::Task(format!(
                "the transaction did not commit: {why}"
            )))),
            (Err(_), Err(e)) => Err(e),
        };
        let _ = self.tx.send(answer);
    }
}

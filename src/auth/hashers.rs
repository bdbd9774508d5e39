//! A few long-lived threads that run password hashing. Argon2 takes 19 MiB for each hash; on
//! the blocking pool every thread that ever hashed kept that much in its own allocator arena
//! (a burst of 64 sign-ins left the process at 1.6 GiB). Here only these threads hash, so the
//! memory held is bounded by their number.

use std::panic::AssertUnwindSafe;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

type Job = Box<dyn FnOnce() + Send>;

/// The handle to the hashing threads; they stop when every handle is dropped.
pub struct Hashers {
    tx: mpsc::Sender<Job>,
}

impl Hashers {
    /// Start `threads` hashing threads (at least one).
    pub fn start(threads: usize) -> std::io::Result<Self> {
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..threads.max(1) {
            let rx = rx.clone();
            std::thread::Builder::new()
                .name(format!("candour-hash-{i}"))
                .spawn(move || {
                    loop {
                        let job = rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
                        let Ok(job) = job else { break };
                        // A panicking job drops its answer (its caller sees an error); the
                        // thread goes on.
                        let _ = std::panic::catch_unwind(AssertUnwindSafe(job));
                    }
                })?;
        }
        Ok(Self { tx })
    }

    /// Run `f` on a hashing thread, inside the caller's span.
    pub async fn run<T, F>(&self, f: F) -> Result<T, String>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let (answer, answered) = oneshot::channel();
        let span = tracing::Span::current();
        self.tx
            .send(Box::new(move || {
                let _ = answer.send(span.in_scope(f));
            }))
            .map_err(|_| "the password hashing threads stopped".to_string())?;
        answered
            .await
            .map_err(|_| "password hashing failed".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn jobs_run_on_the_named_threads_and_a_panic_loses_only_its_own_answer() {
        let hashers = Hashers::start(2).unwrap();
        let name = hashers
            .run(|| std::thread::current().name().map(str::to_string))
            .await
            .unwrap()
            .unwrap();
        assert!(name.starts_with("candour-hash-"), "{name}");
        let failed = hashers.run(|| -> u8 { panic!("a bug") }).await;
        assert!(failed.is_err());
        for _ in 0..4 {
            assert_eq!(hashers.run(|| 2 + 2).await.unwrap(), 4);
        }
    }
}

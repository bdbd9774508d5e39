//! Use-cases: each command is one transaction holding its rule checks and rows.

pub mod access;
pub mod alerts;
pub mod audit;
pub mod audit_check;
pub mod auth;
pub mod bundle;
pub mod calendar;
pub mod candour;
pub mod case_actions;
pub mod case_edit;
pub mod case_history;
pub mod case_input;
pub mod case_intake;
pub mod case_state;
pub mod case_view;
pub mod cases;
pub mod command;
pub mod cursor;
pub mod documents;
pub mod feedback;
pub mod framework;
pub mod ko41a_submissions;
pub mod letters;
pub mod meetings;
pub mod notify;
pub mod ombudsman;
pub mod outbox;
pub mod redaction;
pub mod reports;
pub mod retention;
pub mod service_changes;
pub mod service_tree;
pub mod subject_access;
pub mod taxonomy;
pub mod tracking;
pub mod users;
pub mod workload;

use crate::domain::role::{Permission, Role};
use crate::error::{AppError, AppResult};

/// The signed-in member of staff a request acts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: String,
    pub role: Role,
    pub session_id: String,
}

impl Actor {
    /// Refuse with 403 unless the actor's role holds `permission`.
    pub fn require(&self, permission: Permission) -> AppResult<()> {
        if self.role.can(permission) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "The {} role may not do this.",
                self.role.as_str()
            )))
        }
    }
}

/// Run password hashing `f` in one of the few password slots, on the hashing threads
/// (`auth::hashers`): it waits up to `auth.password_hash_wait_ms` for a slot, then answers 503
/// with `Retry-After`, so a burst of sign-ins queues briefly instead of taking every blocking
/// thread and hundreds of MiB.
pub async fn password_work<T, F>(state: &crate::state::AppState, f: F) -> AppResult<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let wait = std::time::Duration::from_millis(state.settings.auth.password_hash_wait_ms);
    let slot = tokio::time::timeout(wait, state.password_slots.clone().acquire_owned())
        .await
        .map_err(|_| {
            AppError::Busy(
                "Too many sign-ins are being checked at this moment. Try again in a second.".into(),
            )
        })?
        .map_err(|e| AppError::internal(format!("password slots closed: {e}")))?;
    state
        .hashers
        .run(move || {
            let _slot = slot;
            f()
        })
        .await
        .map_err(AppError::internal)
}

/// Run CPU-heavy work on the blocking pool, inside the caller's span.
pub async fn cpu<T, F>(f: F) -> AppResult<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || span.in_scope(f))
        .await
        .map_err(|e| AppError::internal(format!("blocking task failed: {e}")))
}

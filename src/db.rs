//! Storage: the only module that imports diesel. One code base over SQLite and PostgreSQL.

/// Run `$body` with `$c` bound to the engine's own connection (SQLite's or PostgreSQL's): for
/// the statements every request runs. Through diesel's `MultiConnection` a statement's SQL is
/// written out again at each run, even when its prepared form is cached: `perf` on
/// `GET /cases/{id}` found a tenth of the request in writing out the 59 columns of the case's
/// select. On the engine's own connection a cached statement is found by its type alone.
macro_rules! on_engine {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConnection::Sqlite($c) => $body,
            $crate::db::DbConnection::Postgresql($c) => $body,
        }
    };
}

pub mod access_log;
pub mod audit_log;
pub mod backup;
pub mod bulk;
mod cached;
pub mod calendar;
mod calendar_cache;
pub mod candour;
pub mod case_list;
pub mod case_read;
pub mod case_records;
pub mod cases;
pub mod chains;
mod checkpointer;
pub mod connection;
pub mod documents;
pub mod erasure;
pub mod error;
pub mod feedback;
pub mod framework;
mod group_commit;
pub mod ids;
pub mod ko41a_submissions;
pub mod letters;
pub mod meetings;
pub mod migrations;
pub mod numbering;
pub mod ombudsman;
pub mod one_of;
pub mod outbox;
pub mod persons;
pub mod planned_per_run;
pub mod report_queries;
pub mod retention;
pub mod seal;
pub mod tuning;
#[rustfmt::skip]
pub mod schema;
pub mod service_changes;
pub mod services;
pub mod sessions;
pub mod sign_in_failures;
pub mod taxonomy;
pub mod timeline;
pub mod tracking;
pub mod users;
pub mod versioned;
pub mod workload;

pub use connection::{Backend, Db, DbConnection, Target};
pub use error::{DbError, DbResult};

//! Storage: the only module that imports diesel. One code base over SQLite and PostgreSQL.

pub mod access_log;
pub mod audit_log;
pub mod backup;
pub mod bulk;
pub mod calendar;
mod calendar_cache;
pub mod candour;
pub mod case_list;
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
pub mod ko41a_submissions;
pub mod letters;
pub mod meetings;
pub mod migrations;
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

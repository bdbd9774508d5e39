//! Embedded migrations for both engines, run at start and by `candour migrate`.

use diesel::connection::SimpleConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::connection::{Db, DbConnection};
use super::error::DbError;

const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// Arbitrary key for the PostgreSQL advisory lock that serialises migrations across instances.
const MIGRATION_LOCK_KEY: i64 = 0x0043_414e_444f_5552;

/// Apply every pending migration; returns the versions applied (empty when up to date).
///
/// On PostgreSQL several instances may start at once: an advisory lock lets one migrate while
/// the others wait, then find nothing left to do.
pub fn run_pending(db: &Db) -> Result<Vec<String>, DbError> {
    db.maintenance(|conn| {
        let locked = matches!(conn, DbConnection::Postgresql(_));
        if locked {
            conn.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))?;
        }
        let result = apply(conn);
        if locked {
            conn.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"))?;
        }
        result
    })
}

fn apply(conn: &mut DbConnection) -> Result<Vec<String>, DbError> {
    let source = match conn {
        DbConnection::Postgresql(_) => POSTGRES,
        DbConnection::Sqlite(_) => SQLITE,
    };
    let applied = conn
        .run_pending_migrations(source)
        .map_err(|e| DbError::Task(format!("migration failed: {e}")))?;
    Ok(applied.iter().map(ToString::to_string).collect())
}

//! An online copy of the SQLite database: `VACUUM INTO` writes a consistent snapshot (one
//! read transaction) while the server goes on working. PostgreSQL is backed up with its own
//! tools (`pg_dump`), which the README describes.

use std::path::Path;

use diesel::prelude::*;
use diesel::sql_types::Text;

use super::connection::{Backend, Db, DbConnection};
use super::error::{DbError, DbResult};

/// Copy the database to `to` (which must not exist yet), then flush the copy to disk.
pub fn sqlite_copy(db: &Db, to: &Path) -> DbResult<()> {
    if db.backend() != Backend::Sqlite {
        return Err(DbError::Task(
            "candour backup copies SQLite databases; back PostgreSQL up with pg_dump (see the README)"
                .into(),
        ));
    }
    let target = to
        .to_str()
        .ok_or_else(|| DbError::Task("the backup path is not valid UTF-8".into()))?
        .to_string();
    db.read_blocking(|c: &mut DbConnection| -> DbResult<()> {
        diesel::sql_query("VACUUM INTO ?")
            .bind::<Text, _>(&target)
            .execute(c)?;
        Ok(())
    })?;
    let file = std::fs::File::open(to).map_err(|e| DbError::Task(e.to_string()))?;
    file.sync_all().map_err(|e| DbError::Task(e.to_string()))?;
    // The copy must open and pass SQLite's own check.
    let mut copy =
        diesel::SqliteConnection::establish(&target).map_err(|e| DbError::Task(e.to_string()))?;
    let found: Vec<Check> = diesel::sql_query("PRAGMA quick_check").load(&mut copy)?;
    if found.iter().any(|r| r.quick_check != "ok") {
        return Err(DbError::Task(format!(
            "the copy fails SQLite's check: {}",
            found[0].quick_check
        )));
    }
    Ok(())
}

#[derive(QueryableByName)]
struct Check {
    #[diesel(sql_type = Text)]
    quick_check: String,
}

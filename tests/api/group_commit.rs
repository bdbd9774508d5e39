//! Group commit on SQLite: writes queued together share one commit, each in its own savepoint,
//! so a failing (or panicking) request loses only its own work.

use std::time::Duration;

use diesel::RunQueryDsl;
use diesel::sql_types::BigInt;

use candour::db::Db;
use candour::db::error::DbError;

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn rows(db: &Db) -> i64 {
    db.read_blocking(|c| {
        diesel::sql_query("SELECT COUNT(*) AS n FROM t")
            .get_result::<Count>(c)
            .map(|r| r.n)
            .map_err(DbError::from)
    })
    .unwrap()
}

async fn open(dir: &tempfile::TempDir, batch: usize) -> Db {
    let url = format!("sqlite://{}", dir.path().join("g.db").display());
    let db = Db::connect(&url, 4, Duration::from_secs(5))
        .unwrap()
        .group_commit(batch)
        .unwrap();
    db.write(|c| {
        diesel::sql_query("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL UNIQUE)")
            .execute(c)
            .map_err(DbError::from)
    })
    .await
    .unwrap();
    db
}

fn insert(db: &Db, v: i64) -> impl std::future::Future<Output = Result<usize, DbError>> + use<> {
    let db = db.clone();
    async move {
        db.write(move |c| {
            diesel::sql_query(format!("INSERT INTO t (v) VALUES ({v})")).execute(c)?;
            // Odd values then break the unique rule: the whole job must roll back, its
            // first insert with it.
            if v % 2 == 1 {
                diesel::sql_query("INSERT INTO t (v) VALUES (0)").execute(c)?;
            }
            Ok(1)
        })
        .await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writes_commit_and_a_failing_one_rolls_back_only_its_own_work() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(&dir, 64).await;
    insert(&db, 0).await.unwrap();
    let tasks: Vec<_> = (1..=400).map(|v| tokio::spawn(insert(&db, v))).collect();
    let mut ok = 0;
    let mut failed = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(_) => failed += 1,
        }
    }
    // 200 even values succeed; the 200 odd ones each fail on the unique rule.
    assert_eq!((ok, failed), (200, 200));
    // The even ones, and value 0, are there; no odd one's first insert survived.
    assert_eq!(rows(&db), 201);
    let odd = db
        .read_blocking(|c| {
            diesel::sql_query("SELECT COUNT(*) AS n FROM t WHERE v % 2 = 1")
                .get_result::<Count>(c)
                .map(|r| r.n)
                .map_err(DbError::from)
        })
        .unwrap();
    assert_eq!(odd, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_write_loses_only_itself_and_the_writer_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(&dir, 64).await;
    let panicking = db.write(|c| -> Result<(), DbError> {
        diesel::sql_query("INSERT INTO t (v) VALUES (7)").execute(c)?;
        panic!("a bug in a handler");
    });
    let err = panicking.await.unwrap_err();
    assert!(err.to_string().contains("lost"), "{err}");
    insert(&db, 2).await.unwrap();
    assert_eq!(rows(&db), 1, "the panicking job's row was rolled back");
    assert!(db.is_group_committing());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_batch_at_zero_writes_go_one_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(&dir, 0).await;
    assert!(!db.is_group_committing());
    insert(&db, 0).await.unwrap();
    insert(&db, 3).await.unwrap_err();
    assert_eq!(
        rows(&db),
        1,
        "the failing write's first insert was rolled back"
    );
}

#[derive(diesel::QueryableByName)]
struct Setting {
    #[diesel(sql_type = BigInt)]
    wal_autocheckpoint: i64,
}

/// Rows of `t` in the database file alone, as a copy without its write-ahead log sees them.
fn rows_in_main_file(dir: &tempfile::TempDir) -> i64 {
    let copy = dir.path().join("copy.db");
    let _ = std::fs::remove_file(dir.path().join("copy.db-wal"));
    std::fs::copy(dir.path().join("g.db"), &copy).unwrap();
    let url = format!("sqlite://{}", copy.display());
    let db = Db::connect(&url, 1, Duration::from_secs(5)).unwrap();
    // No table yet: its creation is still only in the log.
    db.read_blocking(|c| {
        diesel::sql_query("SELECT COUNT(*) AS n FROM t")
            .get_result::<Count>(c)
            .map(|r| r.n)
            .map_err(DbError::from)
    })
    .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_writer_leaves_checkpoints_to_its_own_thread_which_copies_the_log_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(&dir, 64).await;
    let setting = db
        .maintenance(|c| {
            diesel::sql_query("PRAGMA wal_autocheckpoint")
                .get_result::<Setting>(c)
                .map_err(DbError::from)
        })
        .unwrap();
    assert_eq!(setting.wal_autocheckpoint, 0, "the writer checkpoints");
    for v in (0..40).map(|v| v * 2) {
        insert(&db, v).await.unwrap();
    }
    // Within a few of the checkpointer's turns the rows are in the database file itself.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while rows_in_main_file(&dir) < 40 {
        assert!(
            std::time::Instant::now() < deadline,
            "the log was not copied back"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(rows(&db), 40);
}

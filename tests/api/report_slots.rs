//! Report reads take at most half the read connections, so a burst of long board reports
//! leaves case work a connection instead of a 503 from the pool's timeout.

use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use diesel::RunQueryDsl;

use candour::db::Db;
use candour::db::error::DbError;

/// A gate the blocked reports wait at until the test opens it.
#[derive(Default)]
struct Gate(Mutex<bool>, Condvar);

impl Gate {
    fn wait(&self) {
        let mut open = self.0.lock().unwrap();
        while !*open {
            open = self.1.wait(open).unwrap();
        }
    }

    fn open(&self) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.1.notify_all();
    }
}

/// Opens the gate when the test ends, even by a failed assertion, so the blocked reports
/// finish and the runtime can shut down.
struct OpenOnDrop(Arc<Gate>);

impl Drop for OpenOnDrop {
    fn drop(&mut self) {
        self.0.open();
    }
}

fn select_one(c: &mut candour::db::DbConnection) -> Result<(), DbError> {
    diesel::sql_query("SELECT 1").execute(c)?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn long_reports_leave_case_work_a_connection() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("r.db").display());
    // Two read connections: one report slot. A read waits at most a second for a connection.
    let db = Db::connect(&url, 2, Duration::from_secs(1)).unwrap();
    assert_eq!(candour::db::connection::report_slots(2), 1);
    assert_eq!(candour::db::connection::report_slots(8), 4);
    assert_eq!(candour::db::connection::report_slots(1), 1);

    let gate = Arc::new(Gate::default());
    let _opened = OpenOnDrop(gate.clone());
    let (started, starts) = mpsc::channel();
    let mut reports = Vec::new();
    for i in 0..3 {
        let (db, gate, started) = (db.clone(), gate.clone(), started.clone());
        reports.push(tokio::spawn(async move {
            db.report(move |c| {
                select_one(c)?;
                started.send(i).unwrap();
                gate.wait();
                Ok::<_, DbError>(i)
            })
            .await
        }));
    }
    starts.recv_timeout(Duration::from_secs(10)).unwrap();

    // Case work finds a free connection while the first report holds its own; without the
    // slots the other reports would hold both and this read would time out.
    for _ in 0..5 {
        db.read(select_one)
            .await
            .expect("a connection for case work");
    }
    assert!(
        starts.try_recv().is_err(),
        "a second report started while the only slot was taken"
    );

    gate.open();
    let mut done = Vec::new();
    for r in reports {
        done.push(r.await.unwrap().unwrap());
    }
    done.sort();
    assert_eq!(done, vec![0, 1, 2]);
    // The other two ran once the slot was free.
    assert_eq!(starts.iter().take(2).count(), 2);
}

//! `candour backup --to FILE`: a consistent copy of a running SQLite database, taken while
//! cases are being created, opens, holds every case committed before it began, and passes
//! `candour audit verify`. On PostgreSQL the command points at pg_dump instead.

use candour::domain::role::Role;

use crate::helpers::{TestApp, candour_command, complaint, insert_service, spawn_app};

async fn count_cases(app: &TestApp) -> i64 {
    app.state
        .db
        .read(|c| -> Result<i64, candour::error::AppError> {
            use candour::db::schema::cases;
            use diesel::prelude::*;
            Ok(cases::table.count().get_result(c)?)
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn a_backup_taken_under_load_restores_and_verifies() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.db");
    let copy_arg = copy.to_str().unwrap().to_string();
    if app.settings.database.url.expose().starts_with("postgres") {
        let out = app.cli(&["backup", "--to", &copy_arg]);
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("pg_dump"));
        return;
    }
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "BAK", None).await;
    for day in ["2026-11-02", "2026-11-03", "2026-11-04"] {
        app.create_case(&token, &complaint(&service, day)).await;
    }
    let before = count_cases(&app).await;
    // Cases keep arriving while the copy is taken.
    let load = {
        let (client, address, token, service) = (
            app.client.clone(),
            app.address.clone(),
            token.clone(),
            service.clone(),
        );
        tokio::spawn(async move {
            for _ in 0..40 {
                let res = client
                    .post(format!("{address}/api/v1/cases"))
                    .bearer_auth(&token)
                    .json(&complaint(&service, "2026-11-05"))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 201);
            }
        })
    };
    let (url, data) = (
        app.settings.database.url.expose().to_string(),
        app.db.dir.path().to_path_buf(),
    );
    let arg = copy_arg.clone();
    let out = tokio::task::spawn_blocking(move || {
        candour_command(&url, &data)
            .args(["backup", "--to", &arg])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    load.await.unwrap();
    let after = count_cases(&app).await;

    // The copy is a database Candour opens: every chain verifies, and it holds at least every
    // case there was before the copy began.
    let copy_url = format!("sqlite://{copy_arg}");
    let verify = candour_command(&copy_url, dir.path())
        .args(["audit", "verify"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&verify.stdout);
    assert!(verify.status.success(), "{text}");
    let checked: i64 = text
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count in {text}"));
    assert!(
        (before..=after).contains(&checked),
        "{before} ≤ {checked} ≤ {after}"
    );
    // A second backup to the same file is refused rather than overwriting it.
    let again = app.cli(&["backup", "--to", &copy_arg]);
    assert!(!again.status.success());
}

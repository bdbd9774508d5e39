//! Statutory dates worked by hand from the rules (docs/rules.md): six months beginning with
//! the day received at month ends, and the correction of dates stored by the old count.

use candour::domain::role::Role;
use chrono::NaiveDate;
use diesel::connection::SimpleConnection;
use serde_json::Value;

use crate::helpers::{TestApp, complaint, insert_service, spawn_app};

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// Log a complaint received on `received` with the server's clock on that day.
async fn received_on(app: &TestApp, service: &str, received: &str) -> Value {
    app.set_today(day(received));
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    app.create_case(&token, &complaint(service, received)).await
}

#[tokio::test]
async fn six_months_beginning_with_a_month_end_run_to_the_last_day_of_the_sixth_month() {
    let app = spawn_app().await;
    let service = insert_service(&app, "SIX", None).await;
    // Reg 14(2): six months beginning with the day received. Where the sixth month on has
    // no corresponding date, the period ends on that month's last day.
    for (received, due) in [
        ("2025-08-29", "2026-02-28"),
        ("2025-08-31", "2026-02-28"),
        ("2023-08-30", "2024-02-29"),
        ("2023-08-29", "2024-02-28"),
        ("2025-10-31", "2026-04-30"),
        ("2025-12-31", "2026-06-30"),
        ("2026-03-31", "2026-09-30"),
        ("2026-05-31", "2026-11-30"),
        ("2026-01-10", "2026-07-09"),
        ("2026-03-01", "2026-08-31"),
    ] {
        let case = received_on(&app, &service, received).await;
        assert_eq!(
            case["six_month_letter_due_on"], due,
            "received {received}: {case}"
        );
    }
}

#[tokio::test]
async fn dates_stored_by_the_old_count_are_corrected_by_the_migration() {
    let app = spawn_app().await;
    let service = insert_service(&app, "MIG", None).await;
    let month_end = received_on(&app, &service, "2025-08-31").await;
    let extended = received_on(&app, &service, "2025-12-31").await;
    let ordinary = received_on(&app, &service, "2026-01-10").await;
    // What earlier versions stored (a day early), and a date an agreed extension moved.
    let (sqlite, postgres) = (
        include_str!("../../migrations/sqlite/2026-12-03-000070_six_month_month_ends/up.sql"),
        include_str!("../../migrations/postgres/2026-12-03-000070_six_month_month_ends/up.sql"),
    );
    let migration = if app.db.is_postgres() {
        postgres
    } else {
        sqlite
    };
    let setup = format!(
        "UPDATE cases SET six_month_letter_due_on = '2026-02-27' WHERE id = '{}';
         UPDATE cases SET six_month_letter_due_on = '2026-08-14' WHERE id = '{}';",
        month_end["id"].as_str().unwrap(),
        extended["id"].as_str().unwrap()
    );
    let db = app.state.db.clone();
    tokio::task::spawn_blocking(move || {
        db.maintenance(|c| {
            c.batch_execute(&setup)?;
            c.batch_execute(migration)?;
            Ok(())
        })
    })
    .await
    .unwrap()
    .unwrap();
    app.set_today(day("2026-01-11"));
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    for (case, due) in [
        (&month_end, "2026-02-28"),
        (&extended, "2026-08-14"),
        (&ordinary, "2026-07-09"),
    ] {
        let res = app
            .get(
                &format!("/api/v1/cases/{}", case["id"].as_str().unwrap()),
                &token,
            )
            .await;
        assert_eq!(res.status(), 200);
        let view: Value = res.json().await.unwrap();
        assert_eq!(view["six_month_letter_due_on"], due, "{view}");
    }
}

//! Statutory rules worked by hand (docs/rules.md): six months beginning with the day received
//! at month ends, bank holidays by rule, the 12-month limit and acknowledgement, NHS numbers.

use candour::domain::role::Role;
use chrono::{Datelike, NaiveDate};
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

/// The listed days of `year` as (date, projected).
async fn listed(app: &TestApp, token: &str, year: i32) -> Vec<(String, bool)> {
    let res = app
        .get(
            &format!("/api/v1/calendar/bank-holidays?year={year}"),
            token,
        )
        .await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    body["holidays"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["date"].as_str().unwrap().to_string(),
                h["projected"].as_bool().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn years_past_the_published_calendar_get_bank_holidays_by_rule_marked_projected() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::Investigator).await;
    // 2031, worked by hand: New Year Wednesday; Easter Sunday 13 April; first and last
    // Mondays of May 5 and 26; last Monday of August 25; Christmas Thursday, Boxing Day Friday.
    let y2031: Vec<(String, bool)> = [
        "2031-01-01",
        "2031-04-11",
        "2031-04-14",
        "2031-05-05",
        "2031-05-26",
        "2031-08-25",
        "2031-12-25",
        "2031-12-26",
    ]
    .iter()
    .map(|d| (d.to_string(), true))
    .collect();
    assert_eq!(listed(&app, &token, 2031).await, y2031);
    // 2032: Christmas on a Saturday, Monday 27 and Tuesday 28 December in lieu.
    let y2032 = listed(&app, &token, 2032).await;
    assert_eq!(y2032.len(), 8);
    assert_eq!(
        y2032[6..],
        [("2032-12-27".into(), true), ("2032-12-28".into(), true)]
    );
    // A published year is not projected.
    assert!(listed(&app, &token, 2026).await.iter().all(|(_, p)| !p));

    // The whole listing runs at least ten years past today, every later year projected.
    let res = app.get("/api/v1/calendar/bank-holidays", &token).await;
    let body: Value = res.json().await.unwrap();
    let days = body["holidays"].as_array().unwrap();
    let last_year = app.today().year() + 10;
    for year in 2031..=last_year {
        let of_year: Vec<&Value> = days
            .iter()
            .filter(|h| h["date"].as_str().unwrap().starts_with(&year.to_string()))
            .collect();
        assert_eq!(of_year.len(), 8, "{year}");
        assert!(of_year.iter().all(|h| h["projected"] == true), "{year}");
    }
}

#[tokio::test]
async fn deadlines_in_unpublished_years_skip_the_projected_bank_holidays() {
    let app = spawn_app().await;
    let service = insert_service(&app, "EAST", None).await;
    // Received Thursday 10 April 2031: Good Friday 11 and Easter Monday 14 April are bank
    // holidays by rule, so the three working days are 15, 16 and 17 April.
    let case = received_on(&app, &service, "2031-04-10").await;
    assert_eq!(case["acknowledgement_due_on"], "2031-04-17", "{case}");
    // Received Friday 24 December 2032: 27 and 28 are in lieu of Christmas and Boxing Day.
    let case = received_on(&app, &service, "2032-12-24").await;
    assert_eq!(case["acknowledgement_due_on"], "2032-12-31", "{case}");
}

#[tokio::test]
async fn publishing_a_year_replaces_its_projection_and_keeps_every_other_year() {
    let app = spawn_app().await;
    let (_, admin) = app.signed_in(Role::Admin).await;
    let before = listed(&app, &admin, 2026).await;
    let mut days: Vec<Value> = [
        "2031-01-01",
        "2031-04-11",
        "2031-04-14",
        "2031-05-05",
        "2031-05-26",
        "2031-08-25",
        "2031-12-25",
        "2031-12-26",
    ]
    .iter()
    .map(|d| serde_json::json!({"date": d, "name": "Bank holiday"}))
    .collect();
    days.push(serde_json::json!({"date": "2031-06-09", "name": "A one-off bank holiday"}));
    let res = app
        .put(
            "/api/v1/calendar/bank-holidays",
            &admin,
            &serde_json::json!({"note": "2031 published", "holidays": days}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let y2031 = listed(&app, &admin, 2031).await;
    assert_eq!(y2031.len(), 9);
    assert!(y2031.iter().all(|(_, p)| !p), "{y2031:?}");
    assert!(y2031.contains(&("2031-06-09".into(), false)));
    assert_eq!(
        listed(&app, &admin, 2026).await,
        before,
        "2026 carried over"
    );
    assert!(listed(&app, &admin, 2032).await.iter().all(|(_, p)| *p));

    // Deadlines follow the published one-off day: received Friday 6 June 2031, Monday 9 is
    // a holiday, so working days 10, 11 and 12 June.
    let service = insert_service(&app, "ONEOFF", None).await;
    let case = received_on(&app, &service, "2031-06-06").await;
    assert_eq!(case["acknowledgement_due_on"], "2031-06-12", "{case}");
}

#[tokio::test]
async fn a_complaint_without_dates_is_time_limit_not_assessed_until_they_are_recorded() {
    let app = spawn_app().await;
    let service = insert_service(&app, "NODATE", None).await;
    app.set_today(day("2026-11-02"));
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let mut body = complaint(&service, "2026-11-02");
    body.as_object_mut().unwrap().remove("incident_on");
    let case = app.create_case(&token, &body).await;
    // Neither date: not "in time", and not out of time either.
    assert_eq!(case["out_of_time"], false);
    assert_eq!(case["time_limit"]["status"], "not_assessed", "{case}");
    assert!(case["time_limit"]["ends_on"].is_null());
    assert!(
        case["time_limit"]["needs"]
            .as_str()
            .unwrap()
            .contains("Record when the matter happened"),
        "{case}"
    );
    let allowed = case["allowed_actions"].as_array().unwrap();
    assert!(allowed.contains(&serde_json::json!("acknowledge")));
    assert!(allowed.contains(&serde_json::json!("time-limit-decision")));

    // Recording when it came to the complainant's notice settles it.
    let path = format!("/api/v1/cases/{}", case["id"].as_str().unwrap());
    let patch = app
        .at_current_version(
            &token,
            &path,
            serde_json::json!({"became_aware_on": "2026-02-28"}),
        )
        .await;
    let res = app.patch(&path, &token, &patch).await;
    assert_eq!(res.status(), 200);
    let case: Value = res.json().await.unwrap();
    assert_eq!(case["time_limit"]["status"], "in_time", "{case}");
    assert_eq!(case["time_limit"]["ends_on"], "2027-02-28");
    assert!(case["time_limit"]["needs"].is_null());
    assert!(
        !case["allowed_actions"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("time-limit-decision"))
    );
    // A PALS concern has no statutory time limit.
    let concern = app
        .create_case(
            &token,
            &crate::helpers::pals_concern(&service, "2026-11-02"),
        )
        .await;
    assert!(concern["time_limit"].is_null());
}

#[tokio::test]
async fn the_acknowledgement_of_an_out_of_time_complaint_says_a_decision_will_follow() {
    let app = spawn_app().await;
    let service = insert_service(&app, "LATE", None).await;
    app.set_today(day("2026-11-02"));
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let mut body = complaint(&service, "2026-11-02");
    body["incident_on"] = serde_json::json!("2025-11-01");
    let late = app.create_case(&token, &body).await;
    assert_eq!(
        late["out_of_time"], true,
        "12 months after 1 Nov 2025 ended on 1 Nov 2026"
    );
    let on_time = app
        .create_case(&token, &complaint(&service, "2026-11-02"))
        .await;
    // The offer to discuss is in every acknowledgement (reg 13), offered by phone or not.
    let ack = serde_json::json!({"method": "letter", "handling_discussion_offered": false,
                                 "meeting_offered": false});
    for (case, pending) in [(&late, true), (&on_time, false)] {
        app.act_ok(&token, case, "acknowledge", ack.clone()).await;
        let letters: Vec<Value> = app
            .get(
                &format!("/api/v1/cases/{}/letters", case["id"].as_str().unwrap()),
                &token,
            )
            .await
            .json()
            .await
            .unwrap();
        let letter = letters
            .iter()
            .find(|l| l["template"] == "acknowledgement")
            .unwrap();
        let html = app
            .get(letter["print_url"].as_str().unwrap(), &token)
            .await
            .text()
            .await
            .unwrap();
        assert!(
            html.contains("would like to discuss with you how we will handle your complaint"),
            "{html}"
        );
        assert_eq!(
            html.contains("more than 12 months after"),
            pending,
            "time-limit paragraph"
        );
    }
}

#[tokio::test]
async fn an_nhs_number_of_one_repeated_digit_is_refused() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::PalsOfficer).await;
    let service = insert_service(&app, "NHSNO", None).await;
    for number in ["000 000 0000", "1111111111", "999-999-9999"] {
        let mut body = complaint(&service, &app.today().to_string());
        body["patient"]["nhs_number"] = serde_json::json!(number);
        let problem =
            crate::helpers::assert_problem(app.post("/api/v1/cases", &token, &body).await, 400)
                .await;
        assert_eq!(
            crate::helpers::problem_fields(&problem),
            ["patient.nhs_number"],
            "{number}"
        );
        assert!(
            problem.to_string().contains("one digit repeated"),
            "{problem}"
        );
    }
}

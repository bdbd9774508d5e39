//! The server's clock: "today" is the date in England, and the test harness can move it. Work
//! that defaults to today follows the clock, not the machine's date.

use candour::domain::role::Role;
use chrono::{Duration, NaiveDate};
use serde_json::json;

use crate::helpers::{complaint, insert_service, spawn_app};

#[tokio::test]
async fn a_meeting_offered_without_a_date_is_offered_on_the_servers_today() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "A", None).await;
    let case = app
        .create_case(&token, &complaint(&service, "2026-11-02"))
        .await;
    // Ten days on from the machine's date: the offer is dated by the server's clock (and the
    // access token issued ten days ago has long expired by it).
    let later = candour::clock::date_in_england(chrono::Utc::now()) + Duration::days(10);
    app.set_today(later);
    assert_eq!(app.today(), later);
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let res = app
        .post(
            &format!("/api/v1/cases/{}/meetings", case["id"].as_str().unwrap()),
            &token,
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let meeting: serde_json::Value = res.json().await.unwrap();
    assert_eq!(meeting["offered_on"], later.to_string());
}

#[tokio::test]
async fn the_test_clock_can_stand_just_after_midnight_in_summer_time() {
    let app = spawn_app().await;
    // 23:30 UTC on 1 July is 00:30 BST on 2 July.
    app.set_clock("2026-07-01T23:30:00Z".parse().unwrap());
    assert_eq!(app.today(), NaiveDate::from_ymd_opt(2026, 7, 2).unwrap());
    assert_eq!(
        app.clock.now().date(),
        NaiveDate::from_ymd_opt(2026, 7, 1).unwrap(),
        "instants stay in UTC"
    );
}

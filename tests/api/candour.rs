//! Duty of Candour over HTTP: the clock from the day the trust became aware (overdue on the
//! 11th working day, completed late when done then), the checklists, an exception after logged
//! contact attempts, the cross-case list, closing a case with the record incomplete, roles and
//! bad input. Dates are worked out from today with the server's own bank holidays.

use candour::domain::calendar::WorkingCalendar;
use candour::domain::role::Role;
use chrono::{Days, NaiveDate};
use serde_json::{Value, json};

use crate::helpers::{
    TestApp, assert_problem, complaint, insert_service, problem_fields, spawn_app, spawn_app_with,
};

/// The latest working day on or before `day`.
fn working_day_on_or_before(cal: &WorkingCalendar, day: NaiveDate) -> NaiveDate {
    let mut d = day;
    while !cal.is_working_day(d) {
        d = d.checked_sub_days(Days::new(1)).unwrap();
    }
    d
}

/// The earliest working day on or after `day`.
fn working_day_on_or_after(cal: &WorkingCalendar, day: NaiveDate) -> NaiveDate {
    let mut d = day;
    while !cal.is_working_day(d) {
        d = d.checked_add_days(Days::new(1)).unwrap();
    }
    d
}

/// A day from which `target` (a working day) is the `n`th working day.
fn working_days_before(cal: &WorkingCalendar, target: NaiveDate, n: u32) -> NaiveDate {
    let day = target.checked_sub_days(Days::new(1)).unwrap();
    let mut d = day;
    while cal.working_days_between(d, target) < i64::from(n) {
        d = d.checked_sub_days(Days::new(1)).unwrap();
    }
    assert_eq!(cal.add_working_days(d, n), target);
    d
}

fn path(case: &Value, rest: &str) -> String {
    format!(
        "/api/v1/cases/{}/candour{rest}",
        case["id"].as_str().unwrap()
    )
}

async fn flag(app: &TestApp, token: &str, case: &Value, body: Value) -> Value {
    let res = app.post(&path(case, ""), token, &body).await;
    let status = res.status();
    assert_eq!(
        res.headers().get("etag").map(|v| v.to_str().unwrap()),
        Some("\"1\"")
    );
    let json: Value = res.json().await.unwrap();
    assert_eq!(status, 201, "flag failed: {json}");
    json
}

async fn step(app: &TestApp, token: &str, case: &Value, body: Value) -> Value {
    let res = app.post(&path(case, "/steps"), token, &body).await;
    let status = res.status();
    let json: Value = res.json().await.unwrap();
    assert_eq!(status, 201, "step failed: {json}");
    json
}

async fn record(app: &TestApp, token: &str, case: &Value) -> Value {
    let res = app.get(&path(case, ""), token).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

fn in_person(on: NaiveDate) -> Value {
    json!({
        "kind": "in_person_notification", "done_on": on, "performed_by": "Dr A Shah, consultant",
        "truthful_account_given": true, "apology_given": true, "support_offered": true,
        "further_enquiries_explained": true, "notes": "Met the family on the ward"
    })
}

fn written(on: NaiveDate) -> Value {
    json!({
        "kind": "written_notification", "done_on": on, "performed_by": "Medical director",
        "method": "letter", "account_included": true, "enquiries_included": true,
        "apology_included": true, "document_reference": "LTR-2026-118"
    })
}

async fn list(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let res = app.get(&format!("/api/v1/candour?{query}"), token).await;
    assert_eq!(res.status(), 200, "{query}");
    let body: Value = res.json().await.unwrap();
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["case_id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_notifiable_record_goes_overdue_on_the_eleventh_working_day_and_completes_late() {
    let app = spawn_app().await;
    let (manager, token) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "A", None).await;
    let cal = app.working_calendar().await;
    let today = app.today();

    // Late: today (or the last working day before it) is the 11th working day after awareness.
    let eleventh = working_day_on_or_before(&cal, today);
    let aware_late = working_days_before(&cal, eleventh, 11);
    let due_late = cal.add_working_days(aware_late, 10);
    assert!(due_late < eleventh);
    // On time: the 10th working day after awareness is today or the next working day.
    let tenth = working_day_on_or_after(&cal, today);
    let aware_ok = working_days_before(&cal, tenth, 10);

    let late_case = app
        .create_case(&token, &complaint(&service, &aware_late.to_string()))
        .await;
    let ok_case = app
        .create_case(&token, &complaint(&service, &aware_ok.to_string()))
        .await;

    let late = flag(
        &app,
        &token,
        &late_case,
        json!({
            "became_aware_on": aware_late,
            "incident_reference": "DATIX-12345",
            "harm": {"level": "moderate", "rationale": "Readmitted for three days"}
        }),
    )
    .await;
    assert_eq!(late["notifiable"], true);
    assert_eq!(late["incident_reference"], "DATIX-12345");
    assert_eq!(late["harm"]["level"], "moderate");
    assert_eq!(late["harm"]["decided_by"], manager.id.as_str());
    assert_eq!(late["harm"]["decided_on"], today.to_string());
    assert_eq!(late["status"], "overdue");
    assert_eq!(late["requirements"][0]["kind"], "in_person_notification");
    assert_eq!(late["requirements"][0]["due_on"], due_late.to_string());
    assert_eq!(late["requirements"][0]["status"], "overdue");
    assert_eq!(late["requirements"][1]["kind"], "written_notification");
    assert!(late["working_days_to_due"].as_i64().unwrap() < 0);

    // Harm undecided: the clock runs all the same, and it is not yet overdue on the 10th day.
    let ok = flag(&app, &token, &ok_case, json!({"became_aware_on": aware_ok})).await;
    assert!(ok["notifiable"].is_null());
    assert!(ok["harm"].is_null());
    assert_eq!(ok["status"], "due_soon");
    assert_eq!(ok["next_due_on"], tenth.to_string());
    let ok = app
        .patch(
            &path(&ok_case, ""),
            &token,
            &json!({"version": 1, "harm": {"level": "severe"}}),
        )
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(ok["notifiable"], true);
    assert_eq!(ok["version"], 2);

    let late_id = late_case["id"].as_str().unwrap().to_string();
    let ok_id = ok_case["id"].as_str().unwrap().to_string();
    assert_eq!(
        list(&app, &token, "status=overdue").await,
        [late_id.as_str()]
    );
    assert_eq!(
        list(&app, &token, "status=due_soon").await,
        [ok_id.as_str()]
    );
    assert_eq!(list(&app, &token, "status=overdue,due_soon").await.len(), 2);

    // An in-person notification that missed the apology does not complete the step.
    let partial = step(
        &app,
        &token,
        &late_case,
        json!({"kind": "in_person_notification", "done_on": eleventh, "performed_by": "Ward sister",
               "truthful_account_given": true, "support_offered": true, "further_enquiries_explained": true}),
    )
    .await;
    assert_eq!(
        partial["checklist"][1],
        json!({"item": "apology_given", "done": false})
    );
    let now = record(&app, &token, &late_case).await;
    assert_eq!(now["status"], "overdue");
    assert_eq!(now["requirements"][0]["missing"], json!(["apology_given"]));
    step(&app, &token, &late_case, in_person(eleventh)).await;
    step(&app, &token, &late_case, written(eleventh)).await;
    // Both notifications made, late: not complete until the results of further enquiries
    // are shared in writing and a copy of the correspondence kept (reg 20(4)(c), 20(6)).
    let notified = record(&app, &token, &late_case).await;
    assert_eq!(notified["status"], "awaiting_results");
    assert_eq!(
        notified["still_required"],
        json!(["enquiry_results_shared", "correspondence_copy_kept"])
    );
    assert!(
        notified["next_due_on"].is_null(),
        "not timed by the 10-day clock"
    );
    assert_eq!(notified["requirements"][0]["status"], "completed_late");
    let problem = assert_problem(
        app.post(
            &path(&late_case, "/steps"),
            &token,
            &json!({"kind": "enquiry_results_shared", "performed_by": "Ward sister", "method": "phone"}),
        )
        .await,
        400,
    )
    .await;
    assert_eq!(problem_fields(&problem), ["method"], "in writing");
    step(
        &app,
        &token,
        &late_case,
        json!({"kind": "enquiry_results_shared", "performed_by": "Complaints team", "method": "letter"}),
    )
    .await;
    step(
        &app,
        &token,
        &late_case,
        json!({"kind": "correspondence_copy_kept", "performed_by": "Complaints team",
               "document_reference": "EDRMS/2026/76"}),
    )
    .await;
    let done = record(&app, &token, &late_case).await;
    assert_eq!(done["status"], "completed_late");
    assert_eq!(done["still_required"], json!([]));
    assert_eq!(
        done["requirements"][0]["completed_on"],
        eleventh.to_string()
    );
    assert_eq!(done["requirements"][0]["status"], "completed_late");
    assert_eq!(done["requirements"][1]["status"], "completed_late");
    assert!(done["next_due_on"].is_null());
    assert_eq!(done["steps"].as_array().unwrap().len(), 5);
    assert_eq!(done["version"], 6, "each step changes the record's version");

    step(&app, &token, &ok_case, in_person(today)).await;
    step(&app, &token, &ok_case, written(today)).await;
    step(
        &app,
        &token,
        &ok_case,
        json!({"kind": "correspondence_copy_kept", "performed_by": "Complaints team",
               "document_reference": "EDRMS/2026/77"}),
    )
    .await;
    assert_eq!(
        record(&app, &token, &ok_case).await["status"],
        "awaiting_results"
    );
    step(
        &app,
        &token,
        &ok_case,
        json!({"kind": "enquiry_results_shared", "performed_by": "Complaints team", "method": "email"}),
    )
    .await;
    assert_eq!(
        record(&app, &token, &ok_case).await["status"],
        "completed_on_time"
    );

    assert_eq!(
        list(&app, &token, "status=completed_late").await,
        [late_id.as_str()]
    );
    assert_eq!(
        list(&app, &token, "status=completed_on_time").await,
        [ok_id.as_str()]
    );
    assert!(list(&app, &token, "status=overdue").await.is_empty());
    let all: Value = app
        .get("/api/v1/candour?limit=1", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all["total"], 2);
    let next = all["next"].as_str().unwrap();
    let second: Value = app
        .get(&format!("/api/v1/candour?limit=1&cursor={next}"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    assert_ne!(second["items"][0]["id"], all["items"][0]["id"]);
    assert!(second["next"].is_null());

    // The case shows it; the timeline has each change; the steps list has them all.
    let case_now: Value = app
        .get(&format!("/api/v1/cases/{late_id}"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(case_now["candour"]["status"], "completed_late");
    assert_eq!(case_now["candour"]["harm_level"], "moderate");
    let kinds = app.timeline_kinds(&token, &late_id).await;
    assert_eq!(kinds.iter().filter(|k| *k == "candour_step").count(), 5);
    assert!(kinds.contains(&"candour_flagged".to_string()));
    let steps: Vec<Value> = app
        .get(&path(&late_case, "/steps"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(steps.len(), 5);
}

#[tokio::test]
async fn an_exception_is_recorded_after_logged_contact_attempts() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "A", None).await;
    let case = app
        .responded_complaint(&token, &service, "2026-11-02")
        .await;
    let r = flag(
        &app,
        &token,
        &case,
        json!({"became_aware_on": "2026-11-03", "harm": {"level": "death"}}),
    )
    .await;
    let exception = json!({"kind": "could_not_contact", "note": "No reply by phone or letter; no next of kin known"});
    let res = app
        .patch(
            &path(&case, ""),
            &token,
            &json!({"version": r["version"], "exception": exception}),
        )
        .await;
    let problem = assert_problem(res, 409).await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("attempt to contact")
    );

    let first = step(
        &app,
        &token,
        &case,
        json!({"kind": "contact_attempt", "done_on": "2026-11-04", "performed_by": "PALS officer",
               "method": "phone", "outcome": "no_answer"}),
    )
    .await;
    assert_eq!(first["kind"], "contact_attempt");
    assert_eq!(first["outcome"], "no_answer");
    let second = step(
        &app,
        &token,
        &case,
        json!({"kind": "contact_attempt", "done_on": "2026-11-06", "performed_by": "Complaints manager",
               "method": "letter", "outcome": "returned_undelivered", "notes": "Returned: addressee gone away"}),
    )
    .await;
    let current = record(&app, &token, &case).await;
    assert_eq!(current["contact_attempts"].as_array().unwrap().len(), 2);
    assert_eq!(current["status"], "overdue");
    let res = app
        .client
        .patch(app.url(&path(&case, "")))
        .bearer_auth(&token)
        .header("If-Match", format!("\"{}\"", current["version"]))
        .json(&json!({"exception": exception}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let after: Value = res.json().await.unwrap();
    assert_eq!(after["status"], "exception");
    assert_eq!(after["exception"]["kind"], "could_not_contact");
    assert_eq!(
        after["exception"]["evidence_step_ids"],
        json!([first["id"], second["id"]])
    );
    assert_eq!(
        list(&app, &token, "status=exception").await,
        [case["id"].as_str().unwrap()]
    );
    let kinds = app
        .timeline_kinds(&token, case["id"].as_str().unwrap())
        .await;
    assert_eq!(kinds.last().unwrap(), "candour_updated");

    // An exception settles the record: the case may close without an override.
    let closed = app.act_ok(&token, &case, "close", json!({})).await;
    assert_eq!(closed["status"], "closed");
}

#[tokio::test]
async fn closing_a_case_with_open_candour_steps_is_refused_unless_overridden() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "A", None).await;
    let case = app
        .responded_complaint(&token, &service, "2026-11-02")
        .await;
    flag(
        &app,
        &token,
        &case,
        json!({"became_aware_on": "2026-11-02", "harm": {"level": "prolonged_psychological_harm"}}),
    )
    .await;
    step(
        &app,
        &token,
        &case,
        in_person("2026-11-05".parse().unwrap()),
    )
    .await;

    let res = app.act(&token, &case, "close", json!({})).await;
    let problem = assert_problem(res, 409).await;
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("written notification"), "{detail}");
    assert!(detail.contains("candour_override_reason"), "{detail}");
    let problem = assert_problem(
        app.act(
            &token,
            &case,
            "close",
            json!({"candour_override_reason": "  "}),
        )
        .await,
        400,
    )
    .await;
    assert_eq!(problem_fields(&problem), ["candour_override_reason"]);
    // Nothing was written.
    let unchanged: Value = app
        .get(
            &format!("/api/v1/cases/{}", case["id"].as_str().unwrap()),
            &token,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(unchanged["status"], "responded");
    assert_eq!(unchanged["version"], case["version"]);

    let closed = app
        .act_ok(
            &token,
            &case,
            "close",
            json!({"candour_override_reason": "Family asked that letters stop; agreed with the medical director"}),
        )
        .await;
    assert_eq!(closed["status"], "closed");
    let events: Vec<Value> = app
        .get(
            &format!("/api/v1/cases/{}/timeline", case["id"].as_str().unwrap()),
            &token,
        )
        .await
        .json()
        .await
        .unwrap();
    let close = events.last().unwrap();
    assert_eq!(close["kind"], "close");
    assert_eq!(
        close["details"]["candour_override_reason"],
        "Family asked that letters stop; agreed with the medical director"
    );
    assert_eq!(close["details"]["candour_status"], "overdue");
    assert!(close["summary"].as_str().unwrap().contains("override"));

    // An undecided record blocks too; a not-notifiable one does not.
    let undecided = app
        .responded_complaint(&token, &service, "2026-11-02")
        .await;
    flag(
        &app,
        &token,
        &undecided,
        json!({"became_aware_on": "2026-11-20"}),
    )
    .await;
    let problem = assert_problem(app.act(&token, &undecided, "close", json!({})).await, 409).await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("harm decision")
    );
    let r = record(&app, &token, &undecided).await;
    let res = app
        .patch(
            &path(&undecided, ""),
            &token,
            &json!({"version": r["version"], "harm": {"level": "low"}}),
        )
        .await;
    let r: Value = res.json().await.unwrap();
    assert_eq!(r["status"], "not_notifiable");
    assert_eq!(r["notifiable"], false);
    app.act_ok(&token, &undecided, "close", json!({})).await;
}

#[tokio::test]
async fn who_may_read_and_decide_candour() {
    let app = spawn_app().await;
    let (_, manager) = app.signed_in(Role::ComplaintsManager).await;
    let (_, admin) = app.signed_in(Role::Admin).await;
    let (lead, lead_token) = app.signed_in(Role::Investigator).await;
    let (_, stranger) = app.signed_in(Role::Investigator).await;
    let (_, pals) = app.signed_in(Role::PalsOfficer).await;
    let (_, board) = app.signed_in(Role::Board).await;
    let mine = insert_service(&app, "MINE", Some(&lead.id)).await;
    let other = insert_service(&app, "OTHER", None).await;
    let case = app
        .create_case(&manager, &complaint(&mine, "2026-11-02"))
        .await;
    let elsewhere = app
        .create_case(&manager, &complaint(&other, "2026-11-02"))
        .await;

    // Candour decisions need a complaints manager or an admin; refused roles hear 403 first.
    for token in [&pals, &lead_token, &board] {
        assert_problem(
            app.post(&path(&case, ""), token, &json!({"became_aware_on": 3}))
                .await,
            403,
        )
        .await;
    }
    flag(
        &app,
        &admin,
        &case,
        json!({"became_aware_on": "2026-11-02"}),
    )
    .await;
    flag(
        &app,
        &manager,
        &elsewhere,
        json!({"became_aware_on": "2026-11-02"}),
    )
    .await;
    for token in [&pals, &lead_token, &board] {
        assert_problem(
            app.patch(
                &path(&case, ""),
                token,
                &json!({"version": 1, "harm": {"level": "nope"}}),
            )
            .await,
            403,
        )
        .await;
        assert_problem(
            app.post(&path(&case, "/steps"), token, &json!({})).await,
            403,
        )
        .await;
    }
    // Reading: case staff, and investigators on cases they can see; never the board.
    for (token, allowed) in [
        (&manager, true),
        (&pals, true),
        (&lead_token, true),
        (&stranger, false),
        (&board, false),
    ] {
        let want = if allowed { 200 } else { 403 };
        assert_eq!(app.get(&path(&case, ""), token).await.status(), want);
        assert_eq!(app.get(&path(&case, "/steps"), token).await.status(), want);
    }
    assert_problem(app.get("/api/v1/candour", &board).await, 403).await;
    assert_eq!(list(&app, &manager, "").await.len(), 2);
    assert_eq!(list(&app, &pals, "").await.len(), 2);
    assert_eq!(
        list(&app, &lead_token, "").await,
        [case["id"].as_str().unwrap()]
    );
    assert!(list(&app, &stranger, "").await.is_empty());
}

#[tokio::test]
async fn bad_candour_input_is_400_naming_the_fields() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "A", None).await;
    let case = app
        .create_case(&token, &complaint(&service, "2026-11-02"))
        .await;

    for (body, fields) in [
        (json!({}), vec!["became_aware_on"]),
        (
            json!({"became_aware_on": "2099-01-01"}),
            vec!["became_aware_on"],
        ),
        (
            json!({"became_aware_on": "2026-11-02", "incident_on": "2026-11-05"}),
            vec!["became_aware_on"],
        ),
        (
            json!({"became_aware_on": "2026-11-02", "harm": {"level": "catastrophic"}}),
            vec!["harm.level"],
        ),
        (
            json!({"became_aware_on": "2026-11-02", "harm": {"level": "low", "decided_on": "2099-01-01"}}),
            vec!["harm.decided_on"],
        ),
        (
            json!({"became_aware_on": "2026-11-02", "incident_reference": "x".repeat(101)}),
            vec!["incident_reference"],
        ),
    ] {
        let problem = assert_problem(app.post(&path(&case, ""), &token, &body).await, 400).await;
        assert_eq!(problem_fields(&problem), fields, "{body}");
    }
    assert_problem(app.get(&path(&case, ""), &token).await, 404).await;
    assert_problem(
        app.post(
            &path(&case, "/steps"),
            &token,
            &in_person("2026-11-05".parse().unwrap()),
        )
        .await,
        404,
    )
    .await;
    flag(
        &app,
        &token,
        &case,
        json!({"became_aware_on": "2026-11-03"}),
    )
    .await;
    assert_problem(
        app.post(
            &path(&case, ""),
            &token,
            &json!({"became_aware_on": "2026-11-03"}),
        )
        .await,
        409,
    )
    .await;

    for (body, fields) in [
        (
            json!({"kind": "in_person_notification", "performed_by": "Dr A", "account_included": true}),
            vec!["account_included"],
        ),
        (
            json!({"kind": "in_person_notification", "performed_by": "Dr A", "method": "letter"}),
            vec!["method"],
        ),
        (
            json!({"kind": "contact_attempt", "performed_by": "Dr A"}),
            vec!["method", "outcome"],
        ),
        (
            json!({"kind": "written_notification", "performed_by": "Dr A", "method": "phone", "outcome": "reached"}),
            vec!["outcome", "method"],
        ),
        (
            json!({"kind": "correspondence_copy_kept", "performed_by": "Dr A"}),
            vec!["document_reference"],
        ),
        (
            json!({"kind": "in_person_notification", "performed_by": " "}),
            vec!["performed_by"],
        ),
        (
            json!({"kind": "in_person_notification", "performed_by": "Dr A", "done_on": "2026-11-02"}),
            vec!["done_on"],
        ),
        (
            json!({"kind": "in_person_notification", "performed_by": "Dr A", "done_on": "2099-11-02"}),
            vec!["done_on"],
        ),
        (
            json!({"kind": "phone_call", "performed_by": "Dr A"}),
            vec!["kind"],
        ),
        (json!({"performed_by": "Dr A"}), vec!["kind"]),
    ] {
        let problem =
            assert_problem(app.post(&path(&case, "/steps"), &token, &body).await, 400).await;
        assert_eq!(problem_fields(&problem), fields, "{body}");
    }
    // Versions on the record: missing 428, stale 409; an empty change is 400.
    assert_problem(
        app.patch(&path(&case, ""), &token, &json!({"harm": {"level": "low"}}))
            .await,
        428,
    )
    .await;
    assert_problem(
        app.patch(
            &path(&case, ""),
            &token,
            &json!({"version": 9, "harm": {"level": "low"}}),
        )
        .await,
        409,
    )
    .await;
    assert_problem(
        app.patch(&path(&case, ""), &token, &json!({"version": 1}))
            .await,
        400,
    )
    .await;
    let problem = assert_problem(
        app.patch(
            &path(&case, ""),
            &token,
            &json!({"version": 1, "exception": {"kind": "could_not_contact", "note": ""}}),
        )
        .await,
        400,
    )
    .await;
    assert_eq!(problem_fields(&problem), ["exception.note"]);
    let problem = assert_problem(app.get("/api/v1/candour?status=late", &token).await, 400).await;
    assert_eq!(problem_fields(&problem), ["status"]);
    assert_problem(app.get("/api/v1/candour?limit=500", &token).await, 400).await;
    assert_problem(app.get("/api/v1/candour?cursor=zzz", &token).await, 400).await;
    // Still at version 1: nothing above was written.
    assert_eq!(record(&app, &token, &case).await["version"], 1);
}

#[tokio::test]
async fn the_periods_come_from_the_settings() {
    let app = spawn_app_with(|s| {
        s.candour.in_person_working_days = 5;
        s.candour.written_working_days = 15;
    })
    .await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "A", None).await;
    let cal = app.working_calendar().await;
    let case = app
        .create_case(&token, &complaint(&service, "2026-11-02"))
        .await;
    let r = flag(
        &app,
        &token,
        &case,
        json!({"became_aware_on": "2026-11-02"}),
    )
    .await;
    let aware: NaiveDate = "2026-11-02".parse().unwrap();
    assert_eq!(
        r["requirements"][0]["due_on"],
        cal.add_working_days(aware, 5).to_string()
    );
    assert_eq!(r["requirements"][0]["due_on"], "2026-11-09");
    assert_eq!(
        r["requirements"][1]["due_on"],
        cal.add_working_days(aware, 15).to_string()
    );
}

#[tokio::test]
async fn an_exception_rests_on_a_harm_decision_and_failed_attempts_or_a_refusal() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "A", None).await;
    let case = app
        .responded_complaint(&token, &service, "2026-11-02")
        .await;
    // Flagged with the harm still to be decided.
    flag(
        &app,
        &token,
        &case,
        json!({"became_aware_on": "2026-11-03"}),
    )
    .await;
    step(
        &app,
        &token,
        &case,
        json!({"kind": "contact_attempt", "done_on": "2026-11-04", "performed_by": "PALS officer",
               "method": "phone", "outcome": "reached"}),
    )
    .await;
    let attempt_exception = |kind: &str, version: &Value| json!({"version": version, "exception": {"kind": kind, "note": "Tried to speak to the family"}});
    // No harm decision: refused.
    let r = record(&app, &token, &case).await;
    let problem = assert_problem(
        app.patch(
            &path(&case, ""),
            &token,
            &attempt_exception("could_not_contact", &r["version"]),
        )
        .await,
        409,
    )
    .await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("harm decision"),
        "{problem}"
    );
    // Decided as severe harm; the only attempt reached the person: evidence of neither.
    let r = record(&app, &token, &case).await;
    let res = app
        .patch(
            &path(&case, ""),
            &token,
            &json!({"version": r["version"], "harm": {"level": "severe"}}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let r: Value = res.json().await.unwrap();
    for kind in ["could_not_contact", "declined_to_engage"] {
        let problem = assert_problem(
            app.patch(
                &path(&case, ""),
                &token,
                &attempt_exception(kind, &r["version"]),
            )
            .await,
            409,
        )
        .await;
        assert!(
            problem["detail"].as_str().unwrap().contains("evidence"),
            "{kind}: {problem}"
        );
    }
    // The person declines at the next attempt: a refusal exception now rests on it, but
    // "could not contact" still does not.
    step(
        &app,
        &token,
        &case,
        json!({"kind": "contact_attempt", "done_on": "2026-11-05", "performed_by": "Consultant",
               "method": "phone", "outcome": "declined"}),
    )
    .await;
    let r = record(&app, &token, &case).await;
    assert_problem(
        app.patch(
            &path(&case, ""),
            &token,
            &attempt_exception("could_not_contact", &r["version"]),
        )
        .await,
        409,
    )
    .await;
    let res = app
        .patch(
            &path(&case, ""),
            &token,
            &attempt_exception("declined_to_engage", &r["version"]),
        )
        .await;
    assert_eq!(res.status(), 200);
    let r: Value = res.json().await.unwrap();
    assert_eq!(r["status"], "exception");
}

#[tokio::test]
async fn withdrawing_or_declining_passes_the_same_candour_check_as_closing() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "A", None).await;
    let mut late = crate::helpers::complaint(&service, "2026-11-02");
    late["incident_on"] = json!("2024-06-01");
    for (action, body) in [
        (
            "withdraw",
            json!({"reason": "The family no longer wish to pursue it"}),
        ),
        (
            "time-limit-decision",
            json!({"decision": "declined", "decline_reason": "No good reason for the delay"}),
        ),
    ] {
        let case = app.create_case(&token, &late).await;
        let case = app
            .act_ok(
                &token,
                &case,
                "acknowledge",
                json!({"method": "letter", "handling_discussion_offered": true, "meeting_offered": false}),
            )
            .await;
        flag(
            &app,
            &token,
            &case,
            json!({"became_aware_on": "2026-11-02", "harm": {"level": "severe"}}),
        )
        .await;
        let case: Value = app
            .get(
                &format!("/api/v1/cases/{}", case["id"].as_str().unwrap()),
                &token,
            )
            .await
            .json()
            .await
            .unwrap();
        // Refused while the notifiable record is incomplete, naming what is missing.
        let problem = assert_problem(app.act(&token, &case, action, body.clone()).await, 409).await;
        let detail = problem["detail"].as_str().unwrap();
        assert!(
            detail.contains("in person notification"),
            "{action}: {detail}"
        );
        assert!(
            detail.contains("results of further enquiries"),
            "{action}: {detail}"
        );
        // A manager's override with a reason goes through, and is recorded.
        let mut body = body;
        body["candour_override_reason"] = json!("Agreed with the medical director");
        let ended = app.act_ok(&token, &case, action, body).await;
        assert!(
            ["withdrawn", "closed"].contains(&ended["status"].as_str().unwrap()),
            "{ended}"
        );
        let timeline: Value = app
            .get(
                &format!("/api/v1/cases/{}/timeline", case["id"].as_str().unwrap()),
                &token,
            )
            .await
            .json()
            .await
            .unwrap();
        assert!(
            timeline
                .to_string()
                .contains("Agreed with the medical director"),
            "{action}: the override is on the timeline"
        );
    }
}

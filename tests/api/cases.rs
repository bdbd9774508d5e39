//! Intake: validation, references, people, coding and the clock set at receipt.

use candour::db::cases::{self, NewCase};
use candour::db::error::DbError;
use candour::domain::role::Role;
use serde_json::{Value, json};

use crate::helpers::{
    assert_problem, complaint, insert_service, pals_concern, problem_fields, spawn_app,
};

#[tokio::test]
async fn a_complaint_is_logged_with_reference_people_coding_and_clock() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "WARD-7", None).await;
    let res = app
        .post("/api/v1/cases", &token, &complaint(&service, "2025-12-19"))
        .await;
    assert_eq!(res.status(), 201);
    let id_location = res.headers()["location"].to_str().unwrap().to_string();
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    let case: Value = res.json().await.unwrap();
    assert_eq!(
        id_location,
        format!("/api/v1/cases/{}", case["id"].as_str().unwrap())
    );
    assert_eq!(etag, "\"1\"");
    let year = app.today().format("%Y").to_string();
    assert_eq!(case["reference"], format!("C-{year}-00001"));
    assert_eq!(case["status"], "received");
    assert_eq!(case["kind"], "complaint");
    assert_eq!(case["version"], 1);
    // Fri 19 Dec 2025 → acknowledgement due Wed 24 Dec (domain.md §1.5).
    assert_eq!(case["acknowledgement_due_on"], "2025-12-24");
    assert_eq!(case["six_month_letter_due_on"], "2026-06-18");
    assert_eq!(case["overdue"]["acknowledgement"], true);
    assert_eq!(case["risk_grade"], "moderate");
    assert_eq!(case["subjects"][0]["code"], "admissions_discharges");
    assert_eq!(case["subjects"][0]["primary"], true);
    assert_eq!(case["subjects"][1]["primary"], false);
    assert_eq!(case["service_ids"][0], service.as_str());
    assert_eq!(case["patient"]["nhs_number"], "943 476 5919");
    assert_eq!(case["complainant"]["name"], "Alex Example");
    assert_eq!(case["complainant_status"], "on_behalf");
    assert_eq!(case["age_band"], "75_84");
    assert_eq!(case["representative"]["basis"], "patient_request");
    assert_eq!(case["email_consent"]["active"], true);
    assert_eq!(case["out_of_time"], false);
    assert_eq!(case["calendar_version"], 1);
    assert!(
        case["allowed_actions"]
            .as_array()
            .unwrap()
            .contains(&json!("acknowledge"))
    );

    let second = app
        .create_case(&token, &complaint(&service, "2026-01-05"))
        .await;
    assert_eq!(second["reference"], format!("C-{year}-00002"));
    let pals = app
        .create_case(&token, &pals_concern(&service, "2026-11-02"))
        .await;
    assert_eq!(pals["reference"], format!("P-{year}-00001"));
    assert_eq!(pals["status"], "open");
    assert_eq!(pals["complainant_status"], "patient");
    assert!(pals["pals_due_on"].is_string());
    assert!(pals["acknowledgement_due_on"].is_null());
}

#[tokio::test]
async fn the_case_as_logged_is_the_case_as_read_back() {
    // A new case's view is built without reading the records a case gains later (decisions,
    // extensions, pauses, responses, meetings, candour, referrals), so it must match a read.
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    // The coding of a new case is not read back either: given out of order here (the services
    // after the primary in descending order of id), it must come back in the order a read has.
    let ward = insert_service(&app, "WARD-9", None).await;
    let clinic = insert_service(&app, "CLINIC-2", None).await;
    let theatre = insert_service(&app, "THEATRE-1", None).await;
    let mut others = [ward.clone(), theatre];
    others.sort();
    others.reverse();
    let mut three_services = complaint(&clinic, "2026-11-02");
    three_services["service_ids"] = json!([clinic, others[0], others[1]]);
    three_services["subjects"] = json!([
        {"code": "communications"},
        {"code": "admissions_discharges", "primary": true}
    ]);
    three_services["professions"] = json!(["nursing_midwifery", "medical"]);
    for body in [
        complaint(&ward, "2025-12-19"),
        three_services,
        pals_concern(&ward, "2026-11-02"),
    ] {
        let logged = app.create_case(&token, &body).await;
        let id = logged["id"].as_str().unwrap();
        let res = app.get(&format!("/api/v1/cases/{id}"), &token).await;
        assert_eq!(res.status(), 200);
        let read: Value = res.json().await.unwrap();
        assert_eq!(logged, read, "the view at logging differs from a read");
    }
    // The next due date is stored with each new case (lists filter and sort on it): the two
    // complaints were due to be acknowledged on 24 December 2025 and 5 November 2026 (three
    // working days), the concern to be resolved by 16 November 2026 (ten); all have passed.
    let overdue: Value = app
        .get("/api/v1/cases?overdue=true&sort=next_due", &token)
        .await
        .json()
        .await
        .unwrap();
    let due: Vec<&str> = overdue["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["next_due_on"].as_str().unwrap())
        .collect();
    assert_eq!(due, ["2025-12-24", "2026-11-05", "2026-11-16"], "{overdue}");
}

#[tokio::test]
async fn a_new_case_is_made_as_the_database_stores_it() {
    // Logging makes the new case from the row it inserts instead of reading it back: the
    // columns that row leaves out (pauses, reopenings, consent withdrawn, the time-limit
    // decision) must come back from the database exactly as made.
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "A", None).await;
    let logged = app
        .create_case(&token, &complaint(&service, "2026-11-02"))
        .await;
    let id = logged["id"].as_str().unwrap().to_string();
    let (made, read) = app
        .state
        .db
        .write(move |c| -> Result<_, DbError> {
            let stored = cases::find(c, &id)?.expect("the case just logged");
            let new = NewCase {
                id: candour::db::ids::new_id(),
                reference: "TEST-2026-1".into(),
                kind: stored.kind.as_str().into(),
                status: stored.status.as_str().into(),
                channel: stored.channel.clone(),
                received_on: stored.received_on,
                summary: stored.summary.clone(),
                description: stored.description.clone(),
                desired_outcome: stored.desired_outcome.clone(),
                complainant_id: stored.complainant_id.clone(),
                consent_status: stored.consent_status.as_str().into(),
                complainant_status: stored.complainant_status.clone(),
                age_band: stored.age_band.clone(),
                next_due_key: stored.next_due_key,
                calendar_version: stored.calendar_version,
                version: 1,
                created_by: stored.created_by.clone(),
                created_at: stored.created_at,
                updated_at: stored.updated_at,
                ..Default::default()
            };
            cases::insert(c, &new)?;
            Ok((new.as_stored()?, cases::find(c, &new.id)?))
        })
        .await
        .unwrap();
    assert_eq!(
        Some(made),
        read,
        "the case as made differs from the row stored"
    );
}

#[tokio::test]
async fn acknowledgement_dates_follow_the_bank_holiday_calendar() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "A", None).await;
    for (received, due) in [
        ("2025-12-19", "2025-12-24"),
        ("2025-12-24", "2025-12-31"),
        ("2025-12-27", "2025-12-31"),
        ("2026-04-02", "2026-04-09"),
        ("2022-09-15", "2022-09-21"),
        ("2022-06-01", "2022-06-08"),
        ("2026-08-28", "2026-09-03"),
    ] {
        let mut body = complaint(&service, received);
        // Old receipts would be out of time against an incident a year earlier; keep them in time.
        body["incident_on"] = json!(received);
        let case = app.create_case(&token, &body).await;
        assert_eq!(case["acknowledgement_due_on"], due, "received {received}");
    }
}

/// A complaint received on `received_on` whose other dates are all `on_or_before`.
fn complaint_received(service: &str, received_on: &str, on_or_before: &str) -> Value {
    let mut body = complaint(service, on_or_before);
    body["received_on"] = json!(received_on);
    body
}

#[tokio::test]
async fn received_today_means_today_in_england_just_after_midnight_in_summer() {
    let app = spawn_app().await;
    let service = insert_service(&app, "WARD-BST", None).await;

    // 23:30 UTC on 1 July 2026 is 00:30 BST on Thursday 2 July: a complaint received today
    // (2 July) is accepted, and acknowledged within 3 working days: Fri 3, Mon 6, Tue 7 July.
    app.set_clock("2026-07-01T23:30:00Z".parse().unwrap());
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let body = complaint_received(&service, "2026-07-02", "2026-07-02");
    let res = app.post("/api/v1/cases", &token, &body).await;
    assert_eq!(res.status(), 201);
    let case: Value = res.json().await.unwrap();
    assert_eq!(case["received_on"], "2026-07-02");
    assert_eq!(case["acknowledgement_due_on"], "2026-07-07");
    assert_eq!(case["reference"], "C-2026-00001");
    // Tomorrow in England (3 July) is still in the future.
    let body = complaint_received(&service, "2026-07-03", "2026-07-02");
    let problem = assert_problem(app.post("/api/v1/cases", &token, &body).await, 400).await;
    assert_eq!(problem_fields(&problem), ["received_on"]);

    // An hour earlier, 22:30 UTC is 23:30 BST on 1 July: 2 July is tomorrow.
    app.set_clock("2026-07-01T22:30:00Z".parse().unwrap());
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let body = complaint_received(&service, "2026-07-02", "2026-07-01");
    let problem = assert_problem(app.post("/api/v1/cases", &token, &body).await, 400).await;
    assert_eq!(problem_fields(&problem), ["received_on"]);
}

#[tokio::test]
async fn invalid_input_names_every_field_and_writes_nothing() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "A", None).await;
    let mut body = complaint(&service, "2026-11-02");
    body["channel"] = json!("pigeon");
    body["received_on"] = json!("2099-01-01");
    body["summary"] = json!("");
    body["subjects"] = json!([
        {"code": "clinical_treatment", "primary": true},
        {"code": "communications", "primary": true}
    ]);
    body["service_ids"] = json!(["no-such-service"]);
    body["professions"] = json!(["astrologer"]);
    body["risk"] = json!({"consequence": 6, "likelihood": 0});
    body["complainant"]["email"] = json!("not-an-email");
    body["patient"]["nhs_number"] = json!("485 777 3456");
    let res = app.post("/api/v1/cases", &token, &body).await;
    let problem = assert_problem(res, 400).await;
    let fields = problem_fields(&problem);
    for expected in [
        "channel",
        "received_on",
        "summary",
        "subjects",
        "subjects[0].subcategory",
        "service_ids[0]",
        "professions[0]",
        "risk.consequence",
        "risk.likelihood",
        "complainant.email",
        "patient.nhs_number",
    ] {
        assert!(
            fields.contains(&expected.to_string()),
            "{expected} missing from {fields:?}"
        );
    }
    let list: Value = app.get("/api/v1/cases", &token).await.json().await.unwrap();
    assert_eq!(list["total"], 0, "nothing may be written");
}

#[tokio::test]
async fn people_rules_are_enforced() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::PalsOfficer).await;
    let service = insert_service(&app, "A", None).await;
    let cases = [
        (json!({"patient": null}), "patient"),
        (json!({"representative": null}), "representative"),
        (json!({"risk": null}), "risk"),
        (json!({"subjects": []}), "subjects"),
        (
            json!({"subjects": [{"code": "communications", "subcategory": "dental"}]}),
            "subjects[0].subcategory",
        ),
        (
            json!({"complainant": {"name": "No Contact"}}),
            "complainant",
        ),
        (
            json!({"complainant": {"name": "X", "phone": "01632 960000", "consents_to_email": true,
                                 "email_consent_on": "2026-11-01"}}),
            "complainant.consents_to_email",
        ),
        (
            json!({"complainant": {"name": "X", "phone": "01632 960000", "preferred_contact": "letter"}}),
            "complainant.preferred_contact",
        ),
        (json!({"incident_on": "2026-11-03"}), "incident_on"),
        (
            json!({"representative": {"basis": "child", "consent_status": "received"}}),
            "representative.consent_received_on",
        ),
    ];
    for (patch, field) in cases {
        let mut body = complaint(&service, "2026-11-02");
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let res = app.post("/api/v1/cases", &token, &body).await;
        let problem = assert_problem(res, 400).await;
        assert!(
            problem_fields(&problem).contains(&field.to_string()),
            "{field}: {problem}"
        );
    }
    // An unknown top-level field and a wrong type are refused too, naming the field.
    let mut body = complaint(&service, "2026-11-02");
    body["kind"] = json!("grumble");
    let problem = assert_problem(app.post("/api/v1/cases", &token, &body).await, 400).await;
    assert_eq!(problem_fields(&problem), ["kind"]);
}

#[tokio::test]
async fn a_complaint_after_twelve_months_is_out_of_time() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "A", None).await;
    let mut body = complaint(&service, "2026-11-02");
    body["incident_on"] = json!("2025-01-10");
    body["became_aware_on"] = json!("2025-11-15");
    let in_time = app.create_case(&token, &body).await;
    assert_eq!(in_time["out_of_time"], false, "awareness within 12 months");
    body["became_aware_on"] = json!("2025-10-01");
    let late = app.create_case(&token, &body).await;
    assert_eq!(late["out_of_time"], true);
    let allowed = late["allowed_actions"].as_array().unwrap();
    // Reg 13(1): acknowledged like every complaint, while the reg 12 decision is pending.
    assert!(allowed.contains(&json!("acknowledge")));
    assert!(allowed.contains(&json!("time-limit-decision")));
    assert_eq!(late["time_limit"]["status"], "out_of_time");
    assert_eq!(late["time_limit"]["ends_on"], "2026-10-01");
    assert_eq!(in_time["time_limit"]["status"], "in_time");
    assert_eq!(in_time["time_limit"]["ends_on"], "2026-11-15");
}

#[tokio::test]
async fn fifty_concurrent_creations_get_distinct_gap_free_references() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "A", None).await;
    let body = complaint(&service, "2026-11-02");
    let requests = (0..50).map(|_| app.post("/api/v1/cases", &token, &body));
    let responses = futures_util::future::join_all(requests).await;
    let mut numbers = Vec::new();
    for res in responses {
        assert_eq!(res.status(), 201);
        let case: Value = res.json().await.unwrap();
        let reference = case["reference"].as_str().unwrap().to_string();
        numbers.push(
            reference
                .rsplit('-')
                .next()
                .unwrap()
                .parse::<u32>()
                .unwrap(),
        );
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=50).collect::<Vec<_>>());
}

#[tokio::test]
async fn a_case_read_for_its_view_is_the_case_its_calendar_and_its_records() {
    // The case view reads the case, the newest calendar version and which records the case
    // has in one statement; each must be what reading them apart finds.
    use candour::db::calendar::{self, CalendarVersion};
    use candour::db::case_read;
    use candour::db::case_records::{self, Extension, Pause, Present};
    let app = spawn_app().await;
    let (user, token) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "A", None).await;
    let bare = app
        .create_case(&token, &complaint(&service, "2026-11-02"))
        .await;
    let with_records = app
        .create_case(&token, &complaint(&service, "2026-11-03"))
        .await;
    let bare = bare["id"].as_str().unwrap().to_string();
    let with_records = with_records["id"].as_str().unwrap().to_string();
    let day = |d: u32| chrono::NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
    let at = day(4).and_hms_opt(9, 0, 0).unwrap();
    let (plain, recorded, missing, before, after) = app
        .state
        .db
        .write(move |c| -> Result<_, DbError> {
            case_records::insert_pause(
                c,
                &Pause {
                    id: candour::db::ids::new_id(),
                    case_id: with_records.clone(),
                    paused_on: day(4),
                    resumed_on: None,
                    reason: "Waiting for the complainant's consent".into(),
                    working_days: None,
                    created_by: user.id.clone(),
                    created_at: at,
                },
            )?;
            case_records::insert_extension(
                c,
                &Extension {
                    id: candour::db::ids::new_id(),
                    case_id: with_records.clone(),
                    previous_due_on: None,
                    new_due_on: day(30),
                    reason: "Records from another trust".into(),
                    complainant_agreed: true,
                    agreed_on: Some(day(4)),
                    created_by: user.id.clone(),
                    created_at: at,
                },
            )?;
            let plain = case_read::find_for_view(c, &bare)?.expect("the bare case");
            let recorded = case_read::find_for_view(c, &with_records)?.expect("the case");
            assert_eq!(Some(&plain.case), cases::find(c, &bare)?.as_ref());
            assert_eq!(
                Some(&recorded.case),
                cases::find(c, &with_records)?.as_ref()
            );
            let missing = case_read::find_for_view(c, "no-such-case")?;
            let before = calendar::current_version(c)?;
            calendar::insert_version(
                c,
                &CalendarVersion {
                    version: before + 1,
                    note: "Extra bank holiday".into(),
                    created_by: None,
                    created_at: at,
                },
            )?;
            let after = case_read::find_for_view(c, &bare)?.expect("the bare case");
            Ok((plain, recorded, missing.is_none(), before, after))
        })
        .await
        .unwrap();
    assert_eq!(plain.present, Present::default());
    assert_eq!(
        recorded.present,
        Present {
            extensions: true,
            pauses: true,
            ..Present::default()
        }
    );
    assert!(missing, "an unknown id finds nothing");
    assert!(before >= 1, "the shipped calendar is version 1 or later");
    assert_eq!(plain.calendar_version, before);
    assert_eq!(after.calendar_version, before + 1);
}

#[tokio::test]
async fn references_are_padded_to_five_digits_and_longer_numbers_written_whole() {
    // C-<year>-00001 up to C-<year>-99999; the hundred-thousandth complaint of a year is
    // C-<year>-100000 (the number is never cut to five digits), on either engine's way of
    // numbering.
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "A", None).await;
    let year = app.today().format("%Y").to_string();
    let y: i32 = year.parse().unwrap();
    app.state
        .db
        .write(move |c| candour::db::bulk::set_reference_counter(c, "C", y, 99_998))
        .await
        .unwrap();
    let mut made = Vec::new();
    for _ in 0..2 {
        let case = app
            .create_case(&token, &complaint(&service, "2026-11-02"))
            .await;
        made.push(case["reference"].as_str().unwrap().to_string());
    }
    assert_eq!(
        made,
        [format!("C-{year}-99999"), format!("C-{year}-100000")]
    );
    // As stored, not only as answered.
    let listed = app
        .get("/api/v1/cases?sort=reference&limit=5", &token)
        .await
        .json::<Value>()
        .await
        .unwrap();
    let mut stored: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["reference"].as_str().unwrap())
        .collect();
    stored.sort_unstable();
    assert_eq!(
        stored,
        [format!("C-{year}-100000"), format!("C-{year}-99999")]
    );
}

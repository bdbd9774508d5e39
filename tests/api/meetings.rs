//! Face-to-face meetings over HTTP: offered → accepted → scheduled → rescheduled → held, the
//! iCalendar invitation read back with a real parser, cancellation, the state machine and
//! version checks, who may do what, and bad input.

use candour::domain::role::Role;
use candour::services::meetings as meeting_service;
use icalendar::parser::{Calendar, Component, read_calendar, unfold};
use serde_json::{Value, json};

use crate::helpers::{
    TestApp, assert_problem, complaint, insert_service, problem_fields, spawn_app,
};

async fn offer(app: &TestApp, token: &str, case_id: &str) -> Value {
    let res = app
        .post(
            &format!("/api/v1/cases/{case_id}/meetings"),
            token,
            &json!({"offered_on": "2026-11-04", "method": "letter", "note": "Offered in the acknowledgement"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    assert_eq!(res.headers()["etag"], "\"1\"");
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        location,
        format!("/api/v1/meetings/{}", body["id"].as_str().unwrap())
    );
    body
}

/// Take `action` on `meeting` at its current version.
async fn act(
    app: &TestApp,
    token: &str,
    meeting: &Value,
    action: &str,
    body: Value,
) -> reqwest::Response {
    let mut body = body;
    body["version"] = meeting["version"].clone();
    let id = meeting["id"].as_str().unwrap();
    app.post(&format!("/api/v1/meetings/{id}/{action}"), token, &body)
        .await
}

async fn act_ok(app: &TestApp, token: &str, meeting: &Value, action: &str, body: Value) -> Value {
    let res = act(app, token, meeting, action, body).await;
    let status = res.status();
    let json: Value = res.json().await.unwrap();
    assert_eq!(status, 200, "{action} failed: {json}");
    json
}

/// Download the invitation; check the raw form, then parse it with a real iCalendar parser.
async fn invite(app: &TestApp, token: &str, meeting: &Value) -> (String, String) {
    let id = meeting["id"].as_str().unwrap();
    let res = app
        .get(&format!("/api/v1/meetings/{id}/invite.ics"), token)
        .await;
    assert_eq!(res.status(), 200);
    let content_type = res.headers()["content-type"].to_str().unwrap().to_string();
    assert!(content_type.starts_with("text/calendar"), "{content_type}");
    let ics = res.text().await.unwrap();
    assert!(ics.ends_with("\r\n"));
    for line in ics.split("\r\n") {
        assert!(
            !line.contains('\n') && !line.contains('\r'),
            "bare line break in {line:?}"
        );
        assert!(line.len() <= 75, "line of {} octets: {line}", line.len());
    }
    (ics, content_type)
}

fn event<'a>(cal: &'a Calendar<'a>) -> &'a Component<'a> {
    assert_eq!(cal.components.len(), 1, "one VEVENT");
    let event = &cal.components[0];
    assert_eq!(event.name.as_str(), "VEVENT");
    event
}

fn prop<'a>(c: &'a Component<'a>, name: &str) -> String {
    c.find_prop(name)
        .unwrap_or_else(|| panic!("no {name}"))
        .val
        .as_str()
        .to_string()
}

fn cal_prop(cal: &Calendar<'_>, name: &str) -> String {
    cal.properties
        .iter()
        .find(|p| p.name.as_str() == name)
        .unwrap_or_else(|| panic!("no {name}"))
        .val
        .as_str()
        .to_string()
}

fn attendees(c: &Component<'_>) -> Vec<String> {
    c.properties
        .iter()
        .filter(|p| p.name.as_str() == "ATTENDEE")
        .map(|p| p.val.as_str().to_lowercase())
        .collect()
}

#[tokio::test]
async fn a_meeting_offered_accepted_scheduled_rescheduled_and_held_with_an_invitation_whose_sequence_rose()
 {
    let app = spawn_app().await;
    let (manager, token) = app.signed_in(Role::ComplaintsManager).await;
    let (investigator, investigator_token) = app.signed_in(Role::Investigator).await;
    let service = insert_service(&app, "A", None).await;
    let case = app
        .create_case(&token, &complaint(&service, "2026-11-02"))
        .await;
    let case_id = case["id"].as_str().unwrap();
    app.act_ok(
        &token,
        &case,
        "assign",
        json!({"investigator_id": investigator.id}),
    )
    .await;

    let meeting = offer(&app, &token, case_id).await;
    assert_eq!(meeting["status"], "offered");
    assert_eq!(meeting["offered_on"], "2026-11-04");
    assert_eq!(
        meeting["allowed_actions"],
        json!(["accept", "decline", "cancel"])
    );
    assert!(meeting["invite_url"].is_null());
    let id = meeting["id"].as_str().unwrap().to_string();
    // One open meeting at a time.
    assert_problem(
        app.post(
            &format!("/api/v1/cases/{case_id}/meetings"),
            &token,
            &json!({}),
        )
        .await,
        409,
    )
    .await;
    // No time yet: nothing to invite to.
    assert_problem(
        app.get(&format!("/api/v1/meetings/{id}/invite.ics"), &token)
            .await,
        409,
    )
    .await;

    let meeting = act_ok(
        &app,
        &token,
        &meeting,
        "accept",
        json!({"accepted_on": "2026-11-05"}),
    )
    .await;
    assert_eq!(meeting["status"], "accepted");
    assert_eq!(meeting["accepted_on"], "2026-11-05");
    assert_eq!(meeting["version"], 2);

    let meeting = act_ok(
        &app,
        &token,
        &meeting,
        "schedule",
        json!({
            "starts_at": "2026-11-10T10:00:00Z",
            "ends_at": "2026-11-10T11:00:00Z",
            "location": "Room 4, Main Building; Level 2\\East",
            "staff_attendee_ids": [investigator.id],
            "other_attendees": [
                {"name": "Sam Example", "role": "patient's son", "email": "sam@example.org"},
                {"name": "Jo Advocate", "role": "advocate"}
            ],
            "interpreter_language": "Polish",
            "accessibility_needs": "Step-free access"
        }),
    )
    .await;
    assert_eq!(meeting["status"], "scheduled");
    assert_eq!(meeting["sequence"], 0);
    assert_eq!(meeting["starts_at"], "2026-11-10T10:00:00Z");
    assert_eq!(meeting["organiser_id"], manager.id.as_str());
    assert_eq!(
        meeting["staff_attendees"][0]["user_id"],
        investigator.id.as_str()
    );
    assert_eq!(meeting["other_attendees"].as_array().unwrap().len(), 2);
    assert_eq!(meeting["arrangements"]["interpreter_language"], "Polish");
    assert_eq!(meeting["schedule_history"].as_array().unwrap().len(), 1);
    assert_eq!(
        meeting["invite_url"],
        format!("/api/v1/meetings/{id}/invite.ics")
    );

    let (first_ics, content_type) = invite(&app, &token, &meeting).await;
    assert!(content_type.contains("method=REQUEST"), "{content_type}");
    let unfolded = unfold(&first_ics);
    let cal = read_calendar(&unfolded).expect("a calendar parser accepts the invitation");
    assert_eq!(cal_prop(&cal, "VERSION"), "2.0");
    assert_eq!(cal_prop(&cal, "METHOD"), "REQUEST");
    let e = event(&cal);
    let uid = prop(e, "UID");
    assert_eq!(uid, format!("{id}@candour"));
    assert_eq!(prop(e, "SEQUENCE"), "0");
    assert_eq!(prop(e, "DTSTART"), "20261110T100000Z");
    assert_eq!(prop(e, "DTEND"), "20261110T110000Z");
    assert!(prop(e, "DTSTAMP").ends_with('Z'));
    assert_eq!(prop(e, "STATUS"), "CONFIRMED");
    assert_eq!(prop(e, "LOCATION"), "Room 4, Main Building; Level 2\\East");
    assert!(prop(e, "SUMMARY").contains(case["reference"].as_str().unwrap()));
    assert_eq!(
        prop(e, "ORGANIZER").to_lowercase(),
        format!("mailto:{}", manager.email.to_lowercase())
    );
    let people = attendees(e);
    assert!(
        people.contains(&"mailto:alex@example.org".to_string()),
        "{people:?}"
    );
    assert!(people.contains(&format!("mailto:{}", investigator.email.to_lowercase())));
    assert!(people.contains(&"mailto:sam@example.org".to_string()));
    assert_eq!(people.len(), 3, "the advocate has no email address");
    // The separators were escaped on the wire.
    assert!(unfolded.contains("LOCATION:Room 4\\, Main Building\\; Level 2\\\\East\r\n"));

    // The investigator is no organiser: rescheduling is for managers.
    assert_problem(
        act(&app, &investigator_token, &meeting, "reschedule", json!({
            "starts_at": "2026-11-12T14:30:00Z", "ends_at": "2026-11-12T15:30:00Z", "reason": "x"
        }))
        .await,
        403,
    )
    .await;
    let meeting = act_ok(
        &app,
        &token,
        &meeting,
        "reschedule",
        json!({
            "starts_at": "2026-11-12T14:30:00+00:00",
            "ends_at": "2026-11-12T16:00:00+01:00",
            "reason": "The complainant asked for an afternoon"
        }),
    )
    .await;
    assert_eq!(meeting["status"], "scheduled");
    assert_eq!(meeting["sequence"], 1);
    assert_eq!(meeting["starts_at"], "2026-11-12T14:30:00Z");
    assert_eq!(meeting["ends_at"], "2026-11-12T15:00:00Z", "stored in UTC");
    assert_eq!(
        meeting["location"], "Room 4, Main Building; Level 2\\East",
        "kept"
    );
    assert_eq!(
        meeting["staff_attendees"].as_array().unwrap().len(),
        1,
        "kept"
    );
    let history = meeting["schedule_history"].as_array().unwrap();
    assert_eq!(history.len(), 2, "the earlier time is kept");
    assert_eq!(history[0]["starts_at"], "2026-11-10T10:00:00Z");
    assert_eq!(history[0]["sequence"], 0);
    assert_eq!(
        history[1]["reason"],
        "The complainant asked for an afternoon"
    );
    assert_eq!(history[1]["sequence"], 1);

    let (second_ics, _) = invite(&app, &token, &meeting).await;
    let unfolded = unfold(&second_ics);
    let cal = read_calendar(&unfolded).unwrap();
    let e = event(&cal);
    assert_eq!(prop(e, "UID"), uid, "the UID is stable");
    let sequence: i32 = prop(e, "SEQUENCE").parse().unwrap();
    assert!(sequence > 0, "SEQUENCE rose");
    assert_eq!(prop(e, "DTSTART"), "20261112T143000Z");

    // Move it once more, by video this time.
    let meeting = act_ok(
        &app,
        &token,
        &meeting,
        "reschedule",
        json!({
            "starts_at": "2026-11-13T09:00:00Z",
            "ends_at": "2026-11-13T10:00:00Z",
            "reason": "Room unavailable",
            "location": null,
            "video_link": "https://video.nhs.example/join/abc"
        }),
    )
    .await;
    assert_eq!(meeting["sequence"], 2);
    assert!(meeting["location"].is_null());
    let (third_ics, _) = invite(&app, &token, &meeting).await;
    let unfolded = unfold(&third_ics);
    let cal = read_calendar(&unfolded).unwrap();
    let e = event(&cal);
    assert_eq!(prop(e, "SEQUENCE").parse::<i32>().unwrap(), 2);
    assert_eq!(prop(e, "URL"), "https://video.nhs.example/join/abc");
    assert!(prop(e, "DESCRIPTION").contains("https://video.nhs.example/join/abc"));

    // Investigators record that it was held, on cases they can see.
    let meeting = act_ok(
        &app,
        &investigator_token,
        &meeting,
        "hold",
        json!({
            "held_on": "2026-11-13",
            "notes": "Discussed the discharge; apologised for the missing medication.",
            "follow_up_actions": [
                {"description": "Review the discharge checklist", "owner_id": investigator.id, "due_on": "2026-12-01"}
            ]
        }),
    )
    .await;
    assert_eq!(meeting["status"], "held");
    assert_eq!(meeting["held_on"], "2026-11-13");
    assert_eq!(
        meeting["follow_up_actions"][0]["owner_id"],
        investigator.id.as_str()
    );
    assert_eq!(meeting["allowed_actions"], json!(["summary-sent"]));
    let meeting = act_ok(
        &app,
        &investigator_token,
        &meeting,
        "summary-sent",
        json!({"sent_on": "2026-11-16"}),
    )
    .await;
    assert_eq!(meeting["summary_sent_on"], "2026-11-16");
    assert_eq!(meeting["allowed_actions"], json!([]));

    // The case shows the meeting's state; the meeting reads back whole.
    let case_now: Value = app
        .get(&format!("/api/v1/cases/{case_id}"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(case_now["meetings"][0]["id"], id.as_str());
    assert_eq!(case_now["meetings"][0]["status"], "held");
    assert_eq!(case_now["meetings"][0]["starts_at"], "2026-11-13T09:00:00Z");
    let res = app.get(&format!("/api/v1/meetings/{id}"), &token).await;
    assert_eq!(res.headers()["etag"], format!("\"{}\"", meeting["version"]));
    let listed: Vec<Value> = app
        .get(&format!("/api/v1/cases/{case_id}/meetings"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["schedule_history"].as_array().unwrap().len(), 3);

    // Every step is on the case's timeline, without the meeting's free text.
    let kinds = app.timeline_kinds(&token, case_id).await;
    let meeting_kinds: Vec<&str> = kinds
        .iter()
        .map(String::as_str)
        .filter(|k| k.starts_with("meeting_"))
        .collect();
    assert_eq!(
        meeting_kinds,
        [
            "meeting_offered",
            "meeting_accepted",
            "meeting_scheduled",
            "meeting_rescheduled",
            "meeting_rescheduled",
            "meeting_held",
            "meeting_summary_sent"
        ]
    );
    let timeline = app
        .get(&format!("/api/v1/cases/{case_id}/timeline"), &token)
        .await
        .text()
        .await
        .unwrap();
    assert!(!timeline.contains("missing medication"));
    assert!(!timeline.contains("Main Building"));

    // The board report counts each event by its date.
    let counts = meeting_service::counts(
        &app.state.db,
        "2026-11-01".parse().unwrap(),
        "2026-11-30".parse().unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(
        (
            counts.offered,
            counts.accepted,
            counts.declined,
            counts.held
        ),
        (1, 1, 0, 1)
    );
    let december = meeting_service::counts(
        &app.state.db,
        "2026-12-01".parse().unwrap(),
        "2026-12-31".parse().unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(december.offered, 0);

    // The function the communications work will call gives the same bytes.
    let mid = id.clone();
    let bytes = app
        .state
        .db
        .read(move |c| meeting_service::invite_ics(c, &mid))
        .await
        .unwrap();
    assert_eq!(String::from_utf8(bytes.bytes).unwrap(), third_ics);
}

#[tokio::test]
async fn cancelling_a_booked_meeting_sends_a_cancel_and_the_state_machine_guards_the_rest() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "A", None).await;
    let case = app
        .create_case(&token, &complaint(&service, "2026-11-02"))
        .await;
    let case_id = case["id"].as_str().unwrap();

    // Declined: no invitation, and a new offer may follow.
    let first = offer(&app, &token, case_id).await;
    assert_problem(
        act(&app, &token, &first, "hold", json!({"notes": "x"})).await,
        409,
    )
    .await;
    let res = act(&app, &token, &first, "schedule", json!({
        "starts_at": "2026-11-10T10:00:00Z", "ends_at": "2026-11-10T11:00:00Z", "location": "Room 1"
    }))
    .await;
    let problem = assert_problem(res, 409).await;
    assert_eq!(problem["current_state"], "offered");
    assert_eq!(
        problem["allowed_actions"],
        json!(["accept", "decline", "cancel"])
    );
    let declined = act_ok(
        &app,
        &token,
        &first,
        "decline",
        json!({"reason": "Prefers a letter"}),
    )
    .await;
    assert_eq!(declined["status"], "declined");
    assert_eq!(declined["decline_reason"], "Prefers a letter");
    assert_problem(
        app.get(
            &format!(
                "/api/v1/meetings/{}/invite.ics",
                first["id"].as_str().unwrap()
            ),
            &token,
        )
        .await,
        409,
    )
    .await;

    let second = offer(&app, &token, case_id).await;
    // Versions: stale is 409, missing is 428, If-Match works.
    let id = second["id"].as_str().unwrap();
    assert_problem(
        app.post(&format!("/api/v1/meetings/{id}/accept"), &token, &json!({}))
            .await,
        428,
    )
    .await;
    assert_problem(
        app.post(
            &format!("/api/v1/meetings/{id}/accept"),
            &token,
            &json!({"version": 7}),
        )
        .await,
        409,
    )
    .await;
    let res = app
        .client
        .post(app.url(&format!("/api/v1/meetings/{id}/accept")))
        .bearer_auth(&token)
        .header("If-Match", "\"1\"")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let accepted: Value = res.json().await.unwrap();
    let booked = act_ok(
        &app,
        &token,
        &accepted,
        "schedule",
        json!({
            "starts_at": "2026-12-01T10:00:00Z", "ends_at": "2026-12-01T11:00:00Z",
            "video_link": "https://video.nhs.example/join/xyz"
        }),
    )
    .await;
    assert_eq!(booked["sequence"], 0);
    let cancelled = act_ok(
        &app,
        &token,
        &booked,
        "cancel",
        json!({"reason": "Resolved by phone"}),
    )
    .await;
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["sequence"], 1);
    assert_eq!(cancelled["cancel_reason"], "Resolved by phone");
    assert_eq!(cancelled["allowed_actions"], json!([]));

    let (ics, content_type) = invite(&app, &token, &cancelled).await;
    assert!(content_type.contains("method=CANCEL"), "{content_type}");
    let unfolded = unfold(&ics);
    let cal = read_calendar(&unfolded).unwrap();
    assert_eq!(cal_prop(&cal, "METHOD"), "CANCEL");
    let e = event(&cal);
    assert_eq!(prop(e, "STATUS"), "CANCELLED");
    assert_eq!(prop(e, "SEQUENCE"), "1");
    assert_eq!(prop(e, "UID"), format!("{id}@candour"));
    assert_eq!(prop(e, "LOCATION"), "Video call");

    assert_problem(act(&app, &token, &cancelled, "reschedule", json!({
        "starts_at": "2026-12-02T10:00:00Z", "ends_at": "2026-12-02T11:00:00Z", "reason": "x"
    })).await, 409)
    .await;
    assert_problem(
        app.get("/api/v1/meetings/no-such-meeting", &token).await,
        404,
    )
    .await;
}

#[tokio::test]
async fn who_may_offer_read_and_record_meetings() {
    let app = spawn_app().await;
    let (_, manager) = app.signed_in(Role::ComplaintsManager).await;
    let (lead, lead_token) = app.signed_in(Role::Investigator).await;
    let (_, stranger_token) = app.signed_in(Role::Investigator).await;
    let (_, pals) = app.signed_in(Role::PalsOfficer).await;
    let (_, board) = app.signed_in(Role::Board).await;
    let (_, admin) = app.signed_in(Role::Admin).await;
    let service = insert_service(&app, "MINE", Some(&lead.id)).await;
    let case = app
        .create_case(&manager, &complaint(&service, "2026-11-02"))
        .await;
    let case_id = case["id"].as_str().unwrap();
    let meetings_path = format!("/api/v1/cases/{case_id}/meetings");

    // Refused roles hear 403 before anything about the (bad) body.
    for token in [&lead_token, &pals, &board] {
        assert_problem(
            app.post(&meetings_path, token, &json!({"offered_on": 5}))
                .await,
            403,
        )
        .await;
    }
    let res = app
        .post(&meetings_path, &admin, &json!({"offered_on": "2026-11-04"}))
        .await;
    assert_eq!(res.status(), 201, "admins manage meetings");
    let meeting: Value = res.json().await.unwrap();
    let id = meeting["id"].as_str().unwrap();

    for (token, allowed) in [
        (&manager, true),
        (&pals, true),
        (&lead_token, true),
        (&stranger_token, false),
        (&board, false),
    ] {
        let want = if allowed { 200 } else { 403 };
        assert_eq!(app.get(&meetings_path, token).await.status(), want);
        assert_eq!(
            app.get(&format!("/api/v1/meetings/{id}"), token)
                .await
                .status(),
            want
        );
    }
    for token in [&pals, &lead_token, &board] {
        assert_problem(
            act(&app, token, &meeting, "accept", json!({"accepted_on": []})).await,
            403,
        )
        .await;
    }
    let accepted = act_ok(&app, &manager, &meeting, "accept", json!({})).await;
    let booked = act_ok(&app, &manager, &accepted, "schedule", json!({
        "starts_at": "2026-11-10T10:00:00Z", "ends_at": "2026-11-10T11:00:00Z", "location": "Ward 7"
    }))
    .await;
    assert_eq!(
        app.get(&format!("/api/v1/meetings/{id}/invite.ics"), &board)
            .await
            .status(),
        403
    );
    assert_eq!(
        app.get(&format!("/api/v1/meetings/{id}/invite.ics"), &pals)
            .await
            .status(),
        200
    );
    // Only those who record notes, and only on cases they can see.
    for token in [&pals, &stranger_token, &board] {
        assert_problem(
            act(&app, token, &booked, "hold", json!({"notes": "n"})).await,
            403,
        )
        .await;
    }
    let held = act_ok(
        &app,
        &lead_token,
        &booked,
        "hold",
        json!({"held_on": "2026-11-10", "notes": "Met"}),
    )
    .await;
    assert_eq!(held["status"], "held");
    // Reads are in the access log.
    let log: Vec<Value> = app
        .get(&format!("/api/v1/cases/{case_id}/access-log"), &manager)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        log.iter()
            .any(|e| e["route"] == "GET /api/v1/meetings/{id}/invite.ics")
    );
    assert!(
        log.iter()
            .any(|e| e["route"] == "GET /api/v1/cases/{id}/meetings")
    );
}

#[tokio::test]
async fn bad_meeting_input_is_400_naming_the_fields() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "A", None).await;
    let case = app
        .create_case(&token, &complaint(&service, "2026-11-02"))
        .await;
    let case_id = case["id"].as_str().unwrap();
    let path = format!("/api/v1/cases/{case_id}/meetings");

    for (body, field) in [
        (json!({"offered_on": "2026-10-01"}), "offered_on"),
        (json!({"offered_on": "2099-01-01"}), "offered_on"),
        (json!({"offered_on": "soon"}), "offered_on"),
        (json!({"method": "pigeon"}), "method"),
        (json!({"colour": "red"}), "colour"),
    ] {
        let problem = assert_problem(app.post(&path, &token, &body).await, 400).await;
        assert_eq!(problem_fields(&problem), [field], "{body}");
    }
    assert_problem(
        app.post("/api/v1/cases/nope/meetings", &token, &json!({}))
            .await,
        404,
    )
    .await;

    let meeting = offer(&app, &token, case_id).await;
    let meeting = act_ok(&app, &token, &meeting, "accept", json!({})).await;
    let good = json!({
        "starts_at": "2026-11-10T10:00:00Z", "ends_at": "2026-11-10T11:00:00Z", "location": "Room 1"
    });
    let with = |patch: Value| {
        let mut b = good.clone();
        for (k, v) in patch.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };
    for (body, fields) in [
        (
            with(json!({"ends_at": "2026-11-10T09:00:00Z"})),
            vec!["ends_at"],
        ),
        (
            with(json!({"ends_at": "2026-11-11T09:00:00Z"})),
            vec!["ends_at"],
        ),
        (
            with(json!({"starts_at": "2026-11-01T10:00:00Z", "ends_at": "2026-11-01T11:00:00Z"})),
            vec!["starts_at"],
        ),
        (with(json!({"starts_at": "tomorrow"})), vec!["starts_at"]),
        (with(json!({"location": "  "})), vec!["location"]),
        (
            with(json!({"video_link": "javascript:alert(1)"})),
            vec!["video_link"],
        ),
        (
            with(json!({"staff_attendee_ids": ["nobody"]})),
            vec!["staff_attendee_ids[0]"],
        ),
        (
            with(json!({"organiser_id": "nobody"})),
            vec!["organiser_id"],
        ),
        (
            with(
                json!({"other_attendees": [{"name": "", "role": "son", "email": "not-an-email"}]}),
            ),
            vec!["other_attendees[0].name", "other_attendees[0].email"],
        ),
        (
            with(json!({"other_attendees": [{"name": "Sam"}]})),
            vec!["other_attendees[0].role"],
        ),
    ] {
        let problem = assert_problem(
            act(&app, &token, &meeting, "schedule", body.clone()).await,
            400,
        )
        .await;
        assert_eq!(problem_fields(&problem), fields, "{body}");
    }
    let booked = act_ok(&app, &token, &meeting, "schedule", good.clone()).await;
    let problem = assert_problem(
        act(&app, &token, &booked, "reschedule", json!({
            "starts_at": "2026-11-12T10:00:00Z", "ends_at": "2026-11-12T11:00:00Z", "reason": " "
        }))
        .await,
        400,
    )
    .await;
    assert_eq!(problem_fields(&problem), ["reason"]);
    for (body, fields) in [
        (json!({"notes": ""}), vec!["notes"]),
        (
            json!({"notes": "n", "held_on": "2026-11-09"}),
            vec!["held_on"],
        ),
        (
            json!({"notes": "n", "held_on": "2026-11-10", "summary_sent_on": "2026-11-09"}),
            vec!["summary_sent_on"],
        ),
        (
            json!({"notes": "n", "held_on": "2026-11-10", "follow_up_actions": [{"description": "", "owner_id": "nobody", "due_on": "2026-11-01"}]}),
            vec![
                "follow_up_actions[0].description",
                "follow_up_actions[0].owner_id",
                "follow_up_actions[0].due_on",
            ],
        ),
    ] {
        let problem =
            assert_problem(act(&app, &token, &booked, "hold", body.clone()).await, 400).await;
        assert_eq!(problem_fields(&problem), fields, "{body}");
    }
    // Nothing above changed the meeting.
    let now: Value = app
        .get(
            &format!("/api/v1/meetings/{}", booked["id"].as_str().unwrap()),
            &token,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(now["version"], booked["version"]);
    assert_eq!(now["status"], "scheduled");
}

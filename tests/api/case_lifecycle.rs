//! The lifecycle over HTTP: receipt to closure and reopening, PALS escalation, the state
//! machine and version checks, the 12-month discretion decision, pauses and the timeline.

use candour::domain::role::Role;
use serde_json::{Value, json};

use crate::helpers::{
    assert_problem, complaint, days_from_today, insert_service, pals_concern, spawn_app,
};

#[tokio::test]
async fn a_complaint_from_receipt_to_closure_and_reopened() {
    let app = spawn_app().await;
    let (manager, token) = app.signed_in(Role::ComplaintsManager).await;
    let investigator = app.create_user(Role::Investigator).await;
    let service = insert_service(&app, "A", None).await;
    let case = app
        .create_case(&token, &complaint(&service, "2026-11-02"))
        .await;
    let id = case["id"].as_str().unwrap().to_string();

    let case = app
        .act_ok(
            &token,
            &case,
            "acknowledge",
            json!({
                "acknowledged_on": "2026-11-04", "method": "email",
                "handling_discussion_offered": true, "meeting_offered": true
            }),
        )
        .await;
    assert_eq!(case["status"], "acknowledged");
    assert_eq!(case["version"], 2);
    assert_eq!(case["acknowledged_on"], "2026-11-04");
    // Moderate risk, no agreed date: the default of 40 working days from receipt, not agreed.
    assert_eq!(case["response_due_on"], "2026-12-30");
    assert_eq!(case["response_due_agreed"], false);
    assert_eq!(case["acknowledgement"]["meeting_offered"], true);

    let case = app
        .act_ok(
            &token,
            &case,
            "assign",
            json!({
                "handler_id": manager.id, "investigator_id": investigator.id
            }),
        )
        .await;
    assert_eq!(case["handler_id"], manager.id.as_str());
    assert_eq!(case["investigator_id"], investigator.id.as_str());
    let case = app
        .act_ok(&token, &case, "start-investigation", json!({}))
        .await;
    assert_eq!(case["status"], "investigating");
    let extended = days_from_today(90);
    let case = app
        .act_ok(
            &token,
            &case,
            "extend",
            json!({
                "new_due_on": extended, "reason": "Waiting for the ward's statements",
                "complainant_agreed": true
            }),
        )
        .await;
    assert_eq!(case["response_due_on"], extended.as_str());
    assert_eq!(case["response_due_agreed"], true);
    assert_eq!(case["extensions"].as_array().unwrap().len(), 1);

    let case = app
        .act_ok(
            &token,
            &case,
            "respond",
            json!({
                "signed_by": "Chief Executive",
                "aspect_outcomes": [
                    {"subject": "admissions_discharges", "outcome": "upheld"},
                    {"subject": "communications", "outcome": "not_upheld"}
                ],
                "ombudsman_rights_given": true
            }),
        )
        .await;
    assert_eq!(case["status"], "responded");
    assert_eq!(case["outcome"], "partially_upheld");
    assert_eq!(case["responded_on"], app.today().to_string());
    let case = app.act_ok(&token, &case, "close", json!({})).await;
    assert_eq!(case["status"], "closed");
    assert!(
        case["allowed_actions"]
            .as_array()
            .unwrap()
            .contains(&json!("reopen"))
    );

    let case = app
        .act_ok(
            &token,
            &case,
            "reopen",
            json!({"reason": "New information from the family"}),
        )
        .await;
    assert_eq!(case["status"], "investigating");
    assert_eq!(case["reopened_count"], 1);
    assert!(case["closed_on"].is_null());
    let case = app
        .act_ok(
            &token,
            &case,
            "respond",
            json!({
                "signed_by": "Chief Executive",
                "aspect_outcomes": [
                    {"subject": "admissions_discharges", "outcome": "upheld"},
                    {"subject": "communications", "outcome": "upheld"}
                ],
                "ombudsman_rights_given": true
            }),
        )
        .await;
    assert_eq!(case["outcome"], "upheld");
    assert_eq!(case["responses"].as_array().unwrap().len(), 2);
    let case = app.act_ok(&token, &case, "close", json!({})).await;

    let timeline: Vec<Value> = app
        .get(&format!("/api/v1/cases/{id}/timeline"), &token)
        .await
        .json()
        .await
        .unwrap();
    let kinds: Vec<&str> = timeline
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .filter(|k| *k != "letter")
        .collect();
    let letters: Vec<&str> = timeline
        .iter()
        .filter(|e| e["kind"] == "letter")
        .map(|e| e["summary"].as_str().unwrap())
        .collect();
    assert_eq!(
        letters,
        [
            "Acknowledgement emailed",
            "Extension letter emailed",
            "Response notice emailed",
            "Response notice emailed"
        ]
    );
    assert_eq!(
        kinds,
        [
            "case_created",
            "acknowledge",
            "assign",
            "start-investigation",
            "extend",
            "respond",
            "close",
            "reopen",
            "respond",
            "close"
        ]
    );
    assert_eq!(kinds.len() as i64, case["version"].as_i64().unwrap());
    let ack = &timeline[1];
    assert_eq!(ack["details"]["changes"]["status"]["before"], "received");
    assert_eq!(ack["details"]["changes"]["status"]["after"], "acknowledged");
    assert_eq!(ack["actor_id"], manager.id.as_str());
    for pair in timeline.windows(2) {
        assert_ne!(pair[0]["hash"], pair[1]["hash"]);
    }
}

#[tokio::test]
async fn forbidden_steps_and_stale_versions_are_409_and_write_nothing() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "A", None).await;
    let case = app
        .create_case(&token, &complaint(&service, "2026-11-02"))
        .await;
    let id = case["id"].as_str().unwrap();

    let res = app.act(&token, &case, "close", json!({})).await;
    let problem = assert_problem(res, 409).await;
    assert_eq!(problem["current_state"], "received");
    let allowed = problem["allowed_actions"].as_array().unwrap();
    assert!(allowed.contains(&json!("acknowledge")));
    assert!(!allowed.contains(&json!("close")));
    assert_problem(
        app.act(&token, &case, "resolve", json!({"resolution_note": "x"}))
            .await,
        409,
    )
    .await;

    let acknowledged = app
        .act_ok(
            &token,
            &case,
            "acknowledge",
            json!({
                "method": "letter", "handling_discussion_offered": true, "meeting_offered": false
            }),
        )
        .await;
    // The original read is now stale: version 1 against a case at version 2.
    let res = app
        .act(&token, &case, "start-investigation", json!({}))
        .await;
    let problem = assert_problem(res, 409).await;
    assert!(problem["detail"].as_str().unwrap().contains("version 2"));
    // If-Match works as well as the body, and must agree with it.
    let res = app
        .client
        .post(app.url(&format!("/api/v1/cases/{id}/start-investigation")))
        .bearer_auth(&token)
        .header("if-match", "\"1\"")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_problem(res, 409).await;
    let res = app
        .client
        .post(app.url(&format!("/api/v1/cases/{id}/start-investigation")))
        .bearer_auth(&token)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_problem(res, 428).await;

    let now: Value = app
        .get(&format!("/api/v1/cases/{id}"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(now["version"], 2);
    assert_eq!(now["status"], "acknowledged");
    let timeline: Vec<Value> = app
        .get(&format!("/api/v1/cases/{id}/timeline"), &token)
        .await
        .json()
        .await
        .unwrap();
    let changes = timeline.iter().filter(|e| e["kind"] != "letter").count();
    assert_eq!(changes, 2, "refused steps leave no trace");

    let res = app
        .client
        .post(app.url(&format!("/api/v1/cases/{id}/start-investigation")))
        .bearer_auth(&token)
        .header("if-match", "\"2\"")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["etag"], "\"3\"");
    let _ = acknowledged;
}

#[tokio::test]
async fn bad_step_input_is_400_naming_the_field() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "A", None).await;
    let case = app
        .create_case(&token, &complaint(&service, "2026-11-02"))
        .await;
    let res = app
        .act(&token, &case, "acknowledge", json!({
            "method": "carrier_pigeon", "handling_discussion_offered": true, "meeting_offered": false
        }))
        .await;
    assert_eq!(
        assert_problem(res, 400).await["errors"][0]["field"],
        "method"
    );
    let res = app
        .act(
            &token,
            &case,
            "acknowledge",
            json!({
                "method": "email", "handling_discussion_offered": true, "meeting_offered": false,
                "acknowledged_on": "2026-10-01"
            }),
        )
        .await;
    assert_eq!(
        assert_problem(res, 400).await["errors"][0]["field"],
        "acknowledged_on"
    );
    let agreed = days_from_today(60);
    let case = app
        .act_ok(
            &token,
            &case,
            "acknowledge",
            json!({
                "method": "email", "handling_discussion_offered": true, "meeting_offered": false,
                "response_due_on": agreed
            }),
        )
        .await;
    assert_eq!(case["response_due_on"], agreed.as_str());
    assert_eq!(case["response_due_agreed"], true);
    let res = app
        .act(
            &token,
            &case,
            "respond",
            json!({
                "signed_by": "CEO",
                "aspect_outcomes": [{"subject": "communications", "outcome": "upheld"}],
                "ombudsman_rights_given": false
            }),
        )
        .await;
    let problem = assert_problem(res, 400).await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"ombudsman_rights_given"));
    assert!(
        fields.contains(&"aspect_outcomes"),
        "the other subject has no finding"
    );
    let res = app
        .act(&token, &case, "assign", json!({"handler_id": "nobody"}))
        .await;
    assert_eq!(
        assert_problem(res, 400).await["errors"][0]["field"],
        "handler_id"
    );
}

#[tokio::test]
async fn pausing_stops_the_clock_and_moves_the_date() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "A", None).await;
    let case = app
        .create_case(&token, &complaint(&service, "2026-10-01"))
        .await;
    let case = app
        .act_ok(&token, &case, "acknowledge", json!({
            "acknowledged_on": "2026-10-02", "method": "email", "handling_discussion_offered": true,
            "meeting_offered": false, "response_due_on": "2026-11-02"
        }))
        .await;
    assert_eq!(case["overdue"]["response"], true);
    let case = app
        .act_ok(
            &token,
            &case,
            "pause",
            json!({"reason": "Waiting for consent", "paused_on": "2026-10-30"}),
        )
        .await;
    assert_eq!(case["paused"], true);
    assert_eq!(
        case["overdue"]["response"], false,
        "a stopped clock is not overdue"
    );
    assert!(
        !case["allowed_actions"]
            .as_array()
            .unwrap()
            .contains(&json!("respond"))
    );
    assert_problem(
        app.act(
            &token,
            &case,
            "respond",
            json!({"signed_by": "x", "aspect_outcomes": [], "ombudsman_rights_given": true}),
        )
        .await,
        409,
    )
    .await;
    let case = app
        .act_ok(&token, &case, "resume", json!({"resumed_on": "2026-11-06"}))
        .await;
    // Fri 30 Oct → Fri 6 Nov: five working days paused; 2 Nov moves five working days on.
    assert_eq!(case["paused"], false);
    assert_eq!(case["paused_working_days"], 5);
    assert_eq!(case["response_due_on"], "2026-11-09");
    assert_eq!(case["pauses"][0]["working_days"], 5);
}

#[tokio::test]
async fn a_pals_concern_is_resolved_or_escalated_to_a_linked_complaint() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::PalsOfficer).await;
    let service = insert_service(&app, "A", None).await;
    let resolved = app
        .create_case(&token, &pals_concern(&service, "2026-11-16"))
        .await;
    let resolved = app
        .act_ok(
            &token,
            &resolved,
            "resolve",
            json!({"resolution_note": "Refunded parking"}),
        )
        .await;
    assert_eq!(resolved["status"], "resolved");

    let pals = app
        .create_case(&token, &pals_concern(&service, "2026-11-16"))
        .await;
    let res = app
        .act(
            &token,
            &pals,
            "escalate",
            json!({"reason": "Wants a formal complaint"}),
        )
        .await;
    assert_eq!(assert_problem(res, 400).await["errors"][0]["field"], "risk");
    let pals = app
        .act_ok(
            &token,
            &pals,
            "escalate",
            json!({
                "reason": "Wants a formal complaint", "risk": {"consequence": 1, "likelihood": 2}
            }),
        )
        .await;
    assert_eq!(pals["status"], "escalated");
    let complaint_id = pals["linked_case_id"].as_str().unwrap();
    let complaint: Value = app
        .get(&format!("/api/v1/cases/{complaint_id}"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(complaint["kind"], "complaint");
    assert_eq!(complaint["status"], "received");
    assert_eq!(complaint["linked_case_id"], pals["id"]);
    assert_eq!(complaint["received_on"], app.today().to_string());
    assert_eq!(
        complaint["complainant"]["id"], pals["complainant"]["id"],
        "same person, one record"
    );
    assert_eq!(complaint["subjects"][0]["code"], "facilities");
    assert_eq!(complaint["risk_grade"], "low");
    assert!(complaint["reference"].as_str().unwrap().starts_with("C-"));

    // A PALS officer escalates but does not run the formal complaint.
    let res = app
        .act(
            &token,
            &complaint,
            "acknowledge",
            json!({
                "method": "email", "handling_discussion_offered": true, "meeting_offered": false
            }),
        )
        .await;
    assert_problem(res, 403).await;
}

#[tokio::test]
async fn an_out_of_time_complaint_is_acknowledged_then_decided_before_investigation() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "A", None).await;
    let mut body = complaint(&service, "2026-11-02");
    body["incident_on"] = json!("2024-06-01");
    let case = app.create_case(&token, &body).await;
    assert_eq!(case["out_of_time"], true);
    let ack =
        json!({"method": "email", "handling_discussion_offered": true, "meeting_offered": false});
    // Reg 13(1): acknowledged within three working days like every complaint.
    let case = app.act_ok(&token, &case, "acknowledge", ack.clone()).await;
    assert_eq!(case["status"], "acknowledged");
    assert_eq!(case["overdue"]["acknowledgement"], false);
    let allowed = case["allowed_actions"].as_array().unwrap();
    assert!(
        allowed.contains(&json!("time-limit-decision")),
        "{allowed:?}"
    );
    assert!(
        !allowed.contains(&json!("start-investigation")),
        "{allowed:?}"
    );
    assert!(!allowed.contains(&json!("respond")), "{allowed:?}");
    // Not investigated until the decision.
    let problem = assert_problem(
        app.act(&token, &case, "start-investigation", json!({}))
            .await,
        409,
    )
    .await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("record the time-limit decision (reg 12)"),
        "{problem}"
    );
    let res = app
        .act(
            &token,
            &case,
            "time-limit-decision",
            json!({"decision": "accepted", "good_reason": "In hospital"}),
        )
        .await;
    assert_eq!(
        assert_problem(res, 400).await["errors"][0]["field"],
        "still_investigable"
    );
    let case = app
        .act_ok(
            &token,
            &case,
            "time-limit-decision",
            json!({
                "decision": "accepted", "good_reason": "In hospital for most of the year",
                "still_investigable": "Records and staff are available"
            }),
        )
        .await;
    assert_eq!(case["time_limit_decision"]["decision"], "accepted");
    assert_eq!(case["time_limit"]["status"], "accepted");
    assert_eq!(case["status"], "acknowledged");
    let case = app
        .act_ok(&token, &case, "start-investigation", json!({}))
        .await;
    assert_eq!(case["status"], "investigating");

    // Declined after acknowledgement: closed, and a letter gives the reasons and the
    // right to go to the Ombudsman.
    let declined = app.create_case(&token, &body).await;
    let declined = app.act_ok(&token, &declined, "acknowledge", ack).await;
    let declined = app
        .act_ok(
            &token,
            &declined,
            "time-limit-decision",
            json!({
                "decision": "declined", "decline_reason": "No good reason for the delay"
            }),
        )
        .await;
    assert_eq!(declined["status"], "closed");
    assert_eq!(declined["time_limit"]["status"], "declined");
    assert_eq!(declined["allowed_actions"], json!([]));
    let letters: Vec<serde_json::Value> = app
        .get(
            &format!("/api/v1/cases/{}/letters", declined["id"].as_str().unwrap()),
            &token,
        )
        .await
        .json()
        .await
        .unwrap();
    let letter = letters
        .iter()
        .find(|l| l["template"] == "time_limit_declined")
        .expect("a decision letter");
    assert_eq!(letter["statutory"], true);
    let html = app
        .get(letter["print_url"].as_str().unwrap(), &token)
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("No good reason for the delay"), "{html}");
    assert!(html.contains("Parliamentary and Health Service Ombudsman"));
}

#[tokio::test]
async fn the_six_month_letter_is_raised_and_recorded() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "A", None).await;
    let case = app
        .create_case(&token, &complaint(&service, "2026-03-02"))
        .await;
    let case = app
        .act_ok(&token, &case, "acknowledge", json!({
            "acknowledged_on": "2026-03-04", "method": "letter", "handling_discussion_offered": true,
            "meeting_offered": false
        }))
        .await;
    assert_eq!(case["six_month_letter_due_on"], "2026-09-01");
    assert_eq!(case["overdue"]["six_month_letter"], true);
    let case = app
        .act_ok(
            &token,
            &case,
            "six-month-letter",
            json!({
                "sent_on": "2026-09-01",
                "explanation": "We are waiting for an independent clinical review."
            }),
        )
        .await;
    assert_eq!(case["overdue"]["six_month_letter"], false);
    assert!(
        !case["allowed_actions"]
            .as_array()
            .unwrap()
            .contains(&json!("six-month-letter"))
    );
}

#[tokio::test]
async fn withdrawal_ends_the_case() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "A", None).await;
    let case = app
        .create_case(&token, &complaint(&service, "2026-11-02"))
        .await;
    assert_problem(
        app.act(&token, &case, "withdraw", json!({"reason": ""}))
            .await,
        400,
    )
    .await;
    let case = app
        .act_ok(
            &token,
            &case,
            "withdraw",
            json!({"reason": "Resolved informally"}),
        )
        .await;
    assert_eq!(case["status"], "withdrawn");
    assert_eq!(case["overdue"]["acknowledgement"], false);
    assert_eq!(case["allowed_actions"], json!([]));
}

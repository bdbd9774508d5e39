//! Editing a case: validated like intake, version-checked, on the timeline without copying
//! personal details.

use candour::domain::role::Role;
use serde_json::{Value, json};

use crate::helpers::{
    assert_problem, complaint, insert_service, pals_concern, problem_fields, spawn_app,
};

#[tokio::test]
async fn details_coding_and_people_are_edited_with_a_timeline_entry() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "A", None).await;
    let other = insert_service(&app, "B", None).await;
    let case = app
        .create_case(&token, &complaint(&service, "2026-11-02"))
        .await;
    let id = case["id"].as_str().unwrap();
    let path = format!("/api/v1/cases/{id}");

    let res = app
        .patch(&path, &token, &json!({
            "version": 1,
            "summary": "Discharged without medication or a letter",
            "received_on": "2026-11-03",
            "subjects": [{"code": "clinical_treatment", "subcategory": "medical", "primary": true}],
            "service_ids": [service, other],
            "risk": {"consequence": 4, "likelihood": 4},
            "complainant": {"name": "Alex Example", "email": "alex.new@example.org",
                             "preferred_contact": "email", "consents_to_email": true,
                             "email_consent_on": "2026-11-03"},
            "patient": {"name": "Sam Example", "nhs_number": "4010232137", "date_of_birth": "1950-02-01"}
        }))
        .await;
    let status = res.status();
    let edited: Value = res.json().await.unwrap();
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["version"], 2);
    assert_eq!(
        edited["summary"],
        "Discharged without medication or a letter"
    );
    assert_eq!(edited["received_on"], "2026-11-03");
    assert_eq!(edited["acknowledgement_due_on"], "2026-11-06");
    assert_eq!(edited["risk_grade"], "extreme");
    assert_eq!(edited["subjects"].as_array().unwrap().len(), 1);
    assert_eq!(edited["subjects"][0]["subcategory"], "medical");
    assert_eq!(edited["service_ids"].as_array().unwrap().len(), 2);
    assert_eq!(edited["complainant"]["email"], "alex.new@example.org");
    assert!(
        edited["complainant"]["phone"].is_null(),
        "people are replaced whole"
    );
    assert_eq!(edited["patient"]["nhs_number"], "401 023 2137");

    let timeline: Vec<Value> = app
        .get(&format!("{path}/timeline"), &token)
        .await
        .json()
        .await
        .unwrap();
    let entry = timeline.last().unwrap();
    assert_eq!(entry["kind"], "edited");
    assert_eq!(
        entry["details"]["changes"]["summary"]["after"],
        "Discharged without medication or a letter"
    );
    assert_eq!(
        entry["details"]["changes"]["risk_grade"]["before"],
        "moderate"
    );
    assert_eq!(
        entry["details"]["coding"]["after"]["subjects"][0]["code"],
        "clinical_treatment"
    );
    let people = entry["details"]["people"].to_string();
    assert!(
        people.contains("email") && people.contains("nhs_number"),
        "{people}"
    );
    assert!(
        !people.contains("alex.new@example.org"),
        "no personal data on the timeline"
    );
    assert!(!entry.to_string().contains("4010232137"));
}

#[tokio::test]
async fn edits_are_validated_version_checked_and_state_aware() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let (_, pals) = app.signed_in(Role::PalsOfficer).await;
    let service = insert_service(&app, "A", None).await;
    let case = app
        .create_case(&token, &complaint(&service, "2026-11-02"))
        .await;
    let path = format!("/api/v1/cases/{}", case["id"].as_str().unwrap());

    assert_problem(
        app.patch(&path, &token, &json!({"summary": "x"})).await,
        428,
    )
    .await;
    assert_problem(app.patch(&path, &token, &json!({"version": 1})).await, 400).await;
    assert_problem(
        app.patch(&path, &token, &json!({"version": 7, "summary": "x"}))
            .await,
        409,
    )
    .await;
    let bad = app
        .patch(
            &path,
            &token,
            &json!({"version": 1, "summary": "", "service_ids": [],
                                      "patient": {"name": "P", "nhs_number": "123"}}),
        )
        .await;
    let fields = problem_fields(&assert_problem(bad, 400).await);
    for f in ["summary", "service_ids", "patient.nhs_number"] {
        assert!(fields.contains(&f.to_string()), "{f} in {fields:?}");
    }
    // A PALS officer cannot edit a formal complaint, but can edit a PALS concern.
    assert_problem(
        app.patch(&path, &pals, &json!({"version": 1, "summary": "x"}))
            .await,
        403,
    )
    .await;
    let concern = app
        .create_case(&pals, &pals_concern(&service, "2026-11-16"))
        .await;
    let res = app
        .patch(
            &format!("/api/v1/cases/{}", concern["id"].as_str().unwrap()),
            &pals,
            &json!({"version": 1, "summary": "Broken pay machine, car park B"}),
        )
        .await;
    assert_eq!(res.status(), 200);

    let case = app
        .act_ok(
            &token,
            &case,
            "acknowledge",
            json!({
                "method": "email", "handling_discussion_offered": true, "meeting_offered": false
            }),
        )
        .await;
    let res = app
        .patch(
            &path,
            &token,
            &json!({"version": 2, "received_on": "2026-11-01"}),
        )
        .await;
    assert_problem(res, 409).await;
    let case = app
        .act_ok(
            &token,
            &case,
            "respond",
            json!({
                "signed_by": "CEO", "ombudsman_rights_given": true,
                "aspect_outcomes": [{"subject": "admissions_discharges", "outcome": "upheld"},
                                    {"subject": "communications", "outcome": "upheld"}]
            }),
        )
        .await;
    let res = app
        .patch(
            &path,
            &token,
            &json!({"version": case["version"], "subjects": [{"code": "other"}]}),
        )
        .await;
    assert_problem(res, 409).await;
    // Coding other than subjects can still be corrected after the response.
    let res = app
        .patch(
            &path,
            &token,
            &json!({"version": case["version"], "professions": ["medical"]}),
        )
        .await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn email_consent_can_be_withdrawn_and_given_again() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "A", None).await;
    let case = app
        .create_case(&token, &complaint(&service, "2026-11-02"))
        .await;
    let path = format!("/api/v1/cases/{}", case["id"].as_str().unwrap());
    assert_eq!(case["email_consent"]["active"], true);
    let withdrawn: Value = app
        .patch(
            &path,
            &token,
            &json!({"version": 1, "email_consent_withdrawn_on": "2026-11-10"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(withdrawn["email_consent"]["active"], false);
    assert_eq!(withdrawn["email_consent"]["withdrawn_on"], "2026-11-10");
    let res = app
        .patch(
            &path,
            &token,
            &json!({"version": 2, "email_consent_withdrawn_on": "2099-01-01"}),
        )
        .await;
    assert_problem(res, 400).await;
    let again: Value = app
        .patch(
            &path,
            &token,
            &json!({"version": 2, "complainant": {
                "name": "Alex Example", "email": "alex@example.org", "consents_to_email": true,
                "email_consent_on": "2026-11-20"
            }}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["email_consent"]["active"], true);
    assert_eq!(again["email_consent"]["given_on"], "2026-11-20");
    assert!(again["email_consent"]["withdrawn_on"].is_null());
}

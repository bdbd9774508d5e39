//! Ombudsman referrals over HTTP: recorded, decided with recommendations met, counted for the
//! annual report; who may do it; bad input.

use candour::domain::role::Role;
use candour::services::ombudsman as ombudsman_service;
use serde_json::{Value, json};

use crate::helpers::{
    assert_problem, complaint, insert_service, pals_concern, problem_fields, spawn_app,
};

fn path(case: &Value) -> String {
    format!("/api/v1/cases/{}/ombudsman", case["id"].as_str().unwrap())
}

#[tokio::test]
async fn a_phso_referral_is_recorded_decided_and_counted() {
    let app = spawn_app().await;
    let (manager, token) = app.signed_in(Role::ComplaintsManager).await;
    let service = insert_service(&app, "A", None).await;
    let case = app
        .responded_complaint(&token, &service, "2026-11-02")
        .await;
    let case = app.act_ok(&token, &case, "close", json!({})).await;
    let other = app
        .responded_complaint(&token, &service, "2026-11-02")
        .await;

    assert_problem(app.get(&path(&case), &token).await, 404).await;
    let res = app
        .post(
            &path(&case),
            &token,
            &json!({"referred_on": "2026-11-20", "phso_reference": "PHSO-0042"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    assert_eq!(res.headers()["etag"], "\"1\"");
    let referral: Value = res.json().await.unwrap();
    assert_eq!(referral["referred_on"], "2026-11-20");
    assert_eq!(referral["phso_reference"], "PHSO-0042");
    assert!(referral["decision"].is_null());
    assert_eq!(referral["created_by"], manager.id.as_str());
    assert_problem(
        app.post(&path(&case), &token, &json!({"referred_on": "2026-11-20"}))
            .await,
        409,
    )
    .await;

    let decided = json!({
        "version": 1,
        "referred_on": "2026-11-20",
        "phso_reference": "PHSO-0042",
        "decision": "partly_upheld",
        "decision_on": "2026-11-23",
        "decision_summary": "Discharge planning fell short",
        "recommendations": [
            {"recommendation": "Apologise in writing", "due_on": "2026-12-23"},
            {"recommendation": "Audit discharge medication checks", "due_on": "2027-02-23"}
        ]
    });
    let res = app.put(&path(&case), &token, &decided).await;
    assert_eq!(res.status(), 200);
    let after: Value = res.json().await.unwrap();
    assert_eq!(after["decision"], "partly_upheld");
    assert_eq!(after["version"], 2);
    assert_eq!(after["recommendations"].as_array().unwrap().len(), 2);
    assert_eq!(after["recommendations_open"], 2);

    let mut met = decided.clone();
    met["version"] = json!(2);
    met["recommendations"][0]["met_on"] = json!("2026-11-23");
    let after: Value = app
        .put(&path(&case), &token, &met)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(after["recommendations"][0]["met_on"], "2026-11-23");
    assert_eq!(after["recommendations_open"], 1);
    // Stale and missing versions.
    assert_problem(app.put(&path(&case), &token, &met).await, 409).await;
    let mut unversioned = met.clone();
    unversioned.as_object_mut().unwrap().remove("version");
    assert_problem(app.put(&path(&case), &token, &unversioned).await, 428).await;

    let case_now: Value = app
        .get(
            &format!("/api/v1/cases/{}", case["id"].as_str().unwrap()),
            &token,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(case_now["ombudsman"]["referred_on"], "2026-11-20");
    assert_eq!(case_now["ombudsman"]["decision"], "partly_upheld");
    let kinds = app
        .timeline_kinds(&token, case["id"].as_str().unwrap())
        .await;
    assert_eq!(
        kinds
            .iter()
            .filter(|k| k.starts_with("ombudsman_"))
            .collect::<Vec<_>>(),
        [
            "ombudsman_referred",
            "ombudsman_updated",
            "ombudsman_updated"
        ]
    );

    // A second referral, made the month before, for the annual report.
    let res = app
        .post(&path(&other), &token, &json!({"referred_on": "2026-11-03"}))
        .await;
    assert_eq!(res.status(), 201);
    let day = |s: &str| s.parse().unwrap();
    let counts =
        ombudsman_service::referral_counts(&app.state.db, day("2026-04-01"), day("2027-03-31"))
            .await
            .unwrap();
    assert_eq!(counts.referred, 2);
    assert_eq!(counts.partly_upheld, 1);
    assert_eq!(counts.awaiting_decision, 1);
    let counts =
        ombudsman_service::referral_counts(&app.state.db, day("2026-11-10"), day("2026-11-30"))
            .await
            .unwrap();
    assert_eq!(counts.referred, 1);
    let counts =
        ombudsman_service::referral_counts(&app.state.db, day("2025-04-01"), day("2026-03-31"))
            .await
            .unwrap();
    assert_eq!(counts.referred, 0);
    assert!(
        ombudsman_service::referral_counts(&app.state.db, day("2026-04-01"), day("2026-03-31"))
            .await
            .is_err()
    );
}

#[tokio::test]
async fn who_may_record_and_read_referrals_and_bad_input() {
    let app = spawn_app().await;
    let (_, manager) = app.signed_in(Role::ComplaintsManager).await;
    let (_, admin) = app.signed_in(Role::Admin).await;
    let (lead, lead_token) = app.signed_in(Role::Investigator).await;
    let (_, stranger) = app.signed_in(Role::Investigator).await;
    let (_, pals) = app.signed_in(Role::PalsOfficer).await;
    let (_, board) = app.signed_in(Role::Board).await;
    let service = insert_service(&app, "MINE", Some(&lead.id)).await;
    let case = app
        .create_case(&manager, &complaint(&service, "2026-11-02"))
        .await;

    for token in [&pals, &lead_token, &board] {
        assert_problem(
            app.post(&path(&case), token, &json!({"referred_on": 1}))
                .await,
            403,
        )
        .await;
        assert_problem(
            app.put(&path(&case), token, &json!({"version": 1})).await,
            403,
        )
        .await;
    }
    for (body, fields) in [
        (json!({}), vec!["referred_on"]),
        (json!({"referred_on": "2099-01-01"}), vec!["referred_on"]),
        (json!({"referred_on": "2026-10-01"}), vec!["referred_on"]),
        (
            json!({"referred_on": "2026-11-10", "decision": "upheld"}),
            vec!["decision_on"],
        ),
        (
            json!({"referred_on": "2026-11-10", "decision_on": "2026-11-12"}),
            vec!["decision"],
        ),
        (
            json!({"referred_on": "2026-11-10", "decision": "upheld", "decision_on": "2026-11-09"}),
            vec!["decision_on"],
        ),
        (
            json!({"referred_on": "2026-11-10", "decision": "dismissed", "decision_on": "2026-11-12"}),
            vec!["decision"],
        ),
        (
            json!({"referred_on": "2026-11-10", "decision": "not_upheld", "decision_on": "2026-11-12",
                   "recommendations": [{"recommendation": "Apologise"}]}),
            vec!["recommendations"],
        ),
        (
            json!({"referred_on": "2026-11-10", "decision": "upheld", "decision_on": "2026-11-12",
                   "recommendations": [{"recommendation": " ", "met_on": "2026-11-11"}]}),
            vec![
                "recommendations[0].recommendation",
                "recommendations[0].met_on",
            ],
        ),
    ] {
        let problem = assert_problem(app.post(&path(&case), &manager, &body).await, 400).await;
        assert_eq!(problem_fields(&problem), fields, "{body}");
    }
    let res = app
        .post(&path(&case), &admin, &json!({"referred_on": "2026-11-10"}))
        .await;
    assert_eq!(res.status(), 201, "admins record referrals");
    for (token, allowed) in [
        (&manager, true),
        (&pals, true),
        (&lead_token, true),
        (&stranger, false),
        (&board, false),
    ] {
        assert_eq!(
            app.get(&path(&case), token).await.status(),
            if allowed { 200 } else { 403 }
        );
    }
    // A PALS concern is not a complaint the PHSO would take.
    let concern = app
        .create_case(&manager, &pals_concern(&service, "2026-11-02"))
        .await;
    assert_problem(
        app.post(
            &path(&concern),
            &manager,
            &json!({"referred_on": "2026-11-10"}),
        )
        .await,
        409,
    )
    .await;
    assert_problem(
        app.post(
            "/api/v1/cases/nope/ombudsman",
            &manager,
            &json!({"referred_on": "2026-11-10"}),
        )
        .await,
        404,
    )
    .await;
}

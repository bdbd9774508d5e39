//! Reference data: the service tree, the coding lists and the versioned bank holidays.

use candour::domain::role::Role;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, problem_fields, spawn_app};

fn list<'a>(taxonomy: &'a Value, name: &str) -> &'a Vec<Value> {
    taxonomy["lists"][name].as_array().unwrap()
}

fn item<'a>(taxonomy: &'a Value, name: &str, code: &str) -> Option<&'a Value> {
    list(taxonomy, name).iter().find(|i| i["code"] == code)
}

#[tokio::test]
async fn the_taxonomy_has_the_shipped_lists_and_fixed_vocabularies() {
    let app = spawn_app().await;
    let (_, board) = app.signed_in(Role::Board).await;
    let res = app.get("/api/v1/taxonomy", &board).await;
    assert_eq!(res.status(), 200);
    let t: Value = res.json().await.unwrap();

    for name in [
        "subject_area",
        "clinical_subcategory",
        "service_area",
        "profession",
        "complainant_status",
        "age_band",
        "channel",
    ] {
        assert!(!list(&t, name).is_empty(), "{name}");
    }
    let communications = item(&t, "subject_area", "communications").unwrap();
    assert_eq!(communications["label"], "Communications");
    assert_eq!(communications["national"], true);
    assert_eq!(communications["confirmed"], true);
    assert_eq!(communications["active"], true);
    let band = item(&t, "age_band", "26_55").unwrap();
    assert_eq!(
        (band["min_value"].as_i64(), band["max_value"].as_i64()),
        (Some(26), Some(55))
    );
    let oldest = item(&t, "age_band", "85_plus").unwrap();
    assert!(oldest["max_value"].is_null());
    // domain.md marks this subject ⚠️ unconfirmed.
    assert_eq!(
        item(&t, "subject_area", "consent").unwrap()["confirmed"],
        false
    );
    assert_eq!(item(&t, "channel", "letter").unwrap()["national"], false);
    let orders: Vec<i64> = list(&t, "age_band")
        .iter()
        .map(|i| i["sort_order"].as_i64().unwrap())
        .collect();
    assert!(orders.windows(2).all(|w| w[0] < w[1]), "{orders:?}");

    let grades: Vec<(String, i64, i64)> = t["risk_grades"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["code"].as_str().unwrap().to_string(),
                g["min_score"].as_i64().unwrap(),
                g["max_score"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        grades,
        [
            ("low".to_string(), 1, 3),
            ("moderate".to_string(), 4, 6),
            ("high".to_string(), 8, 12),
            ("extreme".to_string(), 15, 25),
        ]
    );
    let codes_of = |key: &str| -> Vec<String> {
        t[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                assert!(!v["label"].as_str().unwrap().is_empty(), "{key}: {v}");
                v["code"].as_str().unwrap().to_string()
            })
            .collect()
    };
    assert_eq!(
        codes_of("outcomes"),
        ["upheld", "partially_upheld", "not_upheld"]
    );
    assert_eq!(codes_of("aspect_outcomes"), ["upheld", "not_upheld"]);
    assert_eq!(codes_of("case_kinds"), ["complaint", "pals_concern"]);
    assert!(codes_of("case_statuses").contains(&"investigating".to_string()));
    assert!(codes_of("representative_bases").contains(&"deceased".to_string()));
    assert!(codes_of("consent_statuses").contains(&"cannot_be_obtained".to_string()));

    assert_problem(app.get("/api/v1/taxonomy", "not-a-token").await, 401).await;
}

#[tokio::test]
async fn an_admin_adds_relabels_and_retires_a_local_channel() {
    let app = spawn_app().await;
    let (_, admin) = app.signed_in(Role::Admin).await;
    let res = app
        .post(
            "/api/v1/taxonomy/channel",
            &admin,
            &json!({"code": "via_social_media", "label": " Via social media "}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let added: Value = res.json().await.unwrap();
    assert_eq!(added["code"], "via_social_media");
    assert_eq!(added["label"], "Via social media");
    assert_eq!(added["national"], false);
    assert_eq!(added["confirmed"], true);
    assert_eq!(added["active"], true);
    assert_eq!(added["sort_order"], 100, "after the shipped 'other' at 90");

    let t: Value = app
        .get("/api/v1/taxonomy", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(item(&t, "channel", "via_social_media").unwrap(), &added);

    let path = "/api/v1/taxonomy/channel/via_social_media";
    let res = app
        .patch(
            path,
            &admin,
            &json!({"label": "Social media", "sort_order": 55}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["label"], "Social media");
    assert_eq!(body["sort_order"], 55);

    let res = app.patch(path, &admin, &json!({"active": false})).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["active"], false);
    let t: Value = app
        .get("/api/v1/taxonomy", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        item(&t, "channel", "via_social_media").is_none(),
        "retired items are hidden"
    );
    let t: Value = app
        .get("/api/v1/taxonomy?include_inactive=true", &admin)
        .await
        .json()
        .await
        .unwrap();
    let retired = item(&t, "channel", "via_social_media").unwrap();
    assert_eq!(retired["active"], false);
    assert_eq!(retired["label"], "Social media");

    // A retired code is still taken.
    let res = app
        .post(
            "/api/v1/taxonomy/channel",
            &admin,
            &json!({"code": "via_social_media", "label": "Again"}),
        )
        .await;
    assert_problem(res, 409).await;
    let res = app
        .post(
            "/api/v1/taxonomy/channel",
            &admin,
            &json!({"code": "email", "label": "Email again"}),
        )
        .await;
    assert_problem(res, 409).await;

    for (body, field) in [
        (json!({"code": "Via-Fax", "label": "Fax"}), "code"),
        (json!({"code": "a".repeat(49), "label": "Long"}), "code"),
        (json!({"code": "fax", "label": " "}), "label"),
        (
            json!({"code": "fax", "label": "Fax", "min_value": 5, "max_value": 1}),
            "max_value",
        ),
    ] {
        let res = app.post("/api/v1/taxonomy/channel", &admin, &body).await;
        assert_eq!(
            problem_fields(&assert_problem(res, 400).await),
            [field],
            "{body}"
        );
    }
    let res = app
        .post(
            "/api/v1/taxonomy/colours",
            &admin,
            &json!({"code": "red", "label": "Red"}),
        )
        .await;
    assert_problem(res, 404).await;

    assert_problem(app.patch(path, &admin, &json!({})).await, 400).await;
    let body = assert_problem(app.patch(path, &admin, &json!({"code": "x"})).await, 400).await;
    assert!(body["detail"].as_str().unwrap().contains("code"), "{body}");
    assert_problem(app.patch(path, &admin, &json!({"label": ""})).await, 400).await;
    assert_problem(
        app.patch(
            "/api/v1/taxonomy/channel/fax",
            &admin,
            &json!({"active": false}),
        )
        .await,
        404,
    )
    .await;
    assert_problem(
        app.patch(
            "/api/v1/taxonomy/colours/red",
            &admin,
            &json!({"active": false}),
        )
        .await,
        404,
    )
    .await;
}

/// Create a service as `token`; return its JSON.
async fn create_service(app: &TestApp, token: &str, body: Value) -> Value {
    let res = app.post("/api/v1/services", token, &body).await;
    assert_eq!(res.status(), 201, "creating {body}");
    res.json().await.unwrap()
}

/// A site, a directorate under it and a ward under that.
async fn small_tree(app: &TestApp, token: &str) -> (Value, Value, Value) {
    let site = create_service(
        app,
        token,
        json!({"kind": "site", "code": "MAIN", "name": "Main Hospital"}),
    )
    .await;
    let dir = create_service(
        app,
        token,
        json!({"kind": "directorate", "code": "MED", "name": "Medicine", "parent_id": site["id"]}),
    )
    .await;
    let ward = create_service(
        app,
        token,
        json!({"kind": "ward_team", "code": "W7", "name": "Ward 7", "parent_id": dir["id"]}),
    )
    .await;
    (site, dir, ward)
}

fn codes(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_manager_builds_the_tree_and_every_role_reads_it() {
    let app = spawn_app().await;
    let (_, manager) = app.signed_in(Role::ComplaintsManager).await;
    let lead = app.create_user(Role::Investigator).await;

    let site = create_service(
        &app,
        &manager,
        json!({"kind": "site", "code": "MAIN", "name": "  Main Hospital "}),
    )
    .await;
    assert_eq!(site["name"], "Main Hospital");
    assert!(site["parent_id"].is_null());
    assert_eq!(site["active"], true);

    let res = app
        .post(
            "/api/v1/services",
            &manager,
            &json!({"kind": "ward_team", "code": "W7", "name": "Ward 7", "parent_id": site["id"],
                    "service_area": "mental_health", "lead_user_id": lead.id}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let ward: Value = res.json().await.unwrap();
    assert_eq!(
        location,
        format!("/api/v1/services/{}", ward["id"].as_str().unwrap())
    );
    assert_eq!(ward["kind"], "ward_team");
    assert_eq!(ward["parent_id"], site["id"]);
    assert_eq!(ward["service_area"], "mental_health");
    assert_eq!(ward["lead_user_id"], lead.id.as_str());
    for key in ["created_at", "updated_at"] {
        assert!(ward[key].as_str().unwrap().ends_with('Z'), "{key}: {ward}");
    }
    create_service(
        &app,
        &manager,
        json!({"kind": "site", "code": "COMM", "name": "Community", "active": false}),
    )
    .await;

    for role in Role::ALL {
        let (_, token) = app.signed_in(role).await;
        let res = app.get("/api/v1/services", &token).await;
        assert_eq!(res.status(), 200, "{role}");
        let all: Value = res.json().await.unwrap();
        assert_eq!(codes(&all), ["COMM", "MAIN", "W7"], "ordered by code");
        let res = app.get(&location, &token).await;
        assert_eq!(res.status(), 200, "{role}");
        let fetched: Value = res.json().await.unwrap();
        assert_eq!(fetched, ward);
    }

    let sites: Value = app
        .get("/api/v1/services?kind=site", &manager)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(codes(&sites), ["COMM", "MAIN"]);
    let active_sites: Value = app
        .get("/api/v1/services?kind=site&active=true", &manager)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(codes(&active_sites), ["MAIN"]);
    let inactive: Value = app
        .get("/api/v1/services?active=false", &manager)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(codes(&inactive), ["COMM"]);

    assert_problem(
        app.get("/api/v1/services?kind=hospital", &manager).await,
        400,
    )
    .await;
    assert_problem(
        app.get("/api/v1/services?active=maybe", &manager).await,
        400,
    )
    .await;
    assert_problem(app.get("/api/v1/services/no-such-id", &manager).await, 404).await;
    assert_problem(app.get("/api/v1/services", "not-a-token").await, 401).await;
}

#[tokio::test]
async fn a_service_is_renamed_moved_and_its_lead_cleared() {
    let app = spawn_app().await;
    let (_, admin) = app.signed_in(Role::Admin).await;
    let (site, _, ward) = small_tree(&app, &admin).await;
    let other = create_service(
        &app,
        &admin,
        json!({"kind": "directorate", "code": "SURG", "name": "Surgery", "parent_id": site["id"]}),
    )
    .await;
    let lead = app.create_user(Role::Investigator).await;
    let path = format!("/api/v1/services/{}", ward["id"].as_str().unwrap());

    let res = app
        .patch(
            &path,
            &admin,
            &json!({"name": "Ward 7 (surgical)", "parent_id": other["id"], "lead_user_id": lead.id,
                    "service_area": "acute_inpatient"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["name"], "Ward 7 (surgical)");
    assert_eq!(body["parent_id"], other["id"]);
    assert_eq!(body["lead_user_id"], lead.id.as_str());
    assert_eq!(body["service_area"], "acute_inpatient");
    assert_eq!(body["code"], "W7");
    assert_eq!(body["created_at"], ward["created_at"]);

    // Absent fields stay as they are; null clears.
    let res = app
        .patch(&path, &admin, &json!({"lead_user_id": null}))
        .await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert!(body["lead_user_id"].is_null());
    assert_eq!(body["service_area"], "acute_inpatient");
    let body: Value = app
        .patch(&path, &admin, &json!({"service_area": null}))
        .await
        .json()
        .await
        .unwrap();
    assert!(body["service_area"].is_null());
    assert_eq!(body["parent_id"], other["id"]);

    // A leaf may be deactivated, and then its old directorate too.
    let body: Value = app
        .patch(&path, &admin, &json!({"active": false}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["active"], false);
    let res = app
        .patch(
            &format!("/api/v1/services/{}", other["id"].as_str().unwrap()),
            &admin,
            &json!({"active": false}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let fetched: Value = app.get(&path, &admin).await.json().await.unwrap();
    assert_eq!(fetched["active"], false);

    assert_problem(app.patch(&path, &admin, &json!({})).await, 400).await;
    assert_problem(app.patch(&path, &admin, &json!({"name": " "})).await, 400).await;
    let body = assert_problem(app.patch(&path, &admin, &json!({"code": "W8"})).await, 400).await;
    assert!(body["detail"].as_str().unwrap().contains("code"), "{body}");
    assert_problem(
        app.patch("/api/v1/services/no-such-id", &admin, &json!({"name": "X"}))
            .await,
        404,
    )
    .await;
}

#[tokio::test]
async fn the_tree_keeps_its_shape() {
    let app = spawn_app().await;
    let (_, manager) = app.signed_in(Role::ComplaintsManager).await;
    let (site, dir, ward) = small_tree(&app, &manager).await;
    let dir_path = format!("/api/v1/services/{}", dir["id"].as_str().unwrap());
    let ward_path = format!("/api/v1/services/{}", ward["id"].as_str().unwrap());
    let site_path = format!("/api/v1/services/{}", site["id"].as_str().unwrap());

    // A site has no parent; everything else needs one that exists.
    let res = app
        .post(
            "/api/v1/services",
            &manager,
            &json!({"kind": "site", "code": "S2", "name": "Second site", "parent_id": site["id"]}),
        )
        .await;
    assert_eq!(
        problem_fields(&assert_problem(res, 400).await),
        ["parent_id"]
    );
    let res = app
        .post(
            "/api/v1/services",
            &manager,
            &json!({"kind": "ward_team", "code": "W9", "name": "Ward 9"}),
        )
        .await;
    assert_eq!(
        problem_fields(&assert_problem(res, 400).await),
        ["parent_id"]
    );
    let res = app
        .post(
            "/api/v1/services",
            &manager,
            &json!({"kind": "specialty", "code": "CARD", "name": "Cardiology", "parent_id": "nope"}),
        )
        .await;
    assert_eq!(
        problem_fields(&assert_problem(res, 400).await),
        ["parent_id"]
    );
    let res = app
        .post(
            "/api/v1/services",
            &manager,
            &json!({"kind": "clinic", "code": "C1", "name": "Clinic"}),
        )
        .await;
    assert_eq!(problem_fields(&assert_problem(res, 400).await), ["kind"]);
    let res = app
        .patch(&site_path, &manager, &json!({"parent_id": dir["id"]}))
        .await;
    assert_eq!(
        problem_fields(&assert_problem(res, 400).await),
        ["parent_id"]
    );
    let res = app
        .patch(&ward_path, &manager, &json!({"parent_id": null}))
        .await;
    assert_eq!(
        problem_fields(&assert_problem(res, 400).await),
        ["parent_id"]
    );

    // No loops: not under itself, not under its own descendants.
    let body = assert_problem(
        app.patch(&dir_path, &manager, &json!({"parent_id": ward["id"]}))
            .await,
        409,
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains("MED"), "{body}");
    assert_problem(
        app.patch(&dir_path, &manager, &json!({"parent_id": dir["id"]}))
            .await,
        409,
    )
    .await;

    // No inactive service with active children.
    let body = assert_problem(
        app.patch(&dir_path, &manager, &json!({"active": false}))
            .await,
        409,
    )
    .await;
    let detail = body["detail"].as_str().unwrap();
    assert!(
        detail.contains("W7") && detail.contains("active"),
        "{detail}"
    );
    let unchanged: Value = app.get(&dir_path, &manager).await.json().await.unwrap();
    assert_eq!(unchanged["active"], true);
    assert_eq!(unchanged["parent_id"], site["id"]);

    // Bottom-up works; an active service cannot then go back under the inactive one.
    for path in [&ward_path, &dir_path] {
        let res = app.patch(path, &manager, &json!({"active": false})).await;
        assert_eq!(res.status(), 200);
    }
    assert_problem(
        app.patch(&ward_path, &manager, &json!({"active": true}))
            .await,
        409,
    )
    .await;
    let res = app
        .post(
            "/api/v1/services",
            &manager,
            &json!({"kind": "ward_team", "code": "W8", "name": "Ward 8", "parent_id": dir["id"]}),
        )
        .await;
    assert_eq!(
        problem_fields(&assert_problem(res, 400).await),
        ["parent_id"]
    );
    let res = app
        .patch(&dir_path, &manager, &json!({"active": true}))
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .patch(&ward_path, &manager, &json!({"active": true}))
        .await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn codes_and_names_are_checked_and_codes_are_unique() {
    let app = spawn_app().await;
    let (_, manager) = app.signed_in(Role::ComplaintsManager).await;
    create_service(
        &app,
        &manager,
        json!({"kind": "site", "code": "MAIN", "name": "Main Hospital"}),
    )
    .await;
    let res = app
        .post(
            "/api/v1/services",
            &manager,
            &json!({"kind": "site", "code": "MAIN", "name": "Another"}),
        )
        .await;
    let body = assert_problem(res, 409).await;
    assert!(body["detail"].as_str().unwrap().contains("MAIN"), "{body}");

    let long_code = "A".repeat(33);
    let long_name = "n".repeat(201);
    for (body, field) in [
        (json!({"kind": "site", "code": "", "name": "X"}), "code"),
        (
            json!({"kind": "site", "code": "WARD 7", "name": "X"}),
            "code",
        ),
        (json!({"kind": "site", "code": "W/7", "name": "X"}), "code"),
        (
            json!({"kind": "site", "code": long_code, "name": "X"}),
            "code",
        ),
        (json!({"kind": "site", "code": "OK", "name": " "}), "name"),
        (
            json!({"kind": "site", "code": "OK", "name": long_name}),
            "name",
        ),
        (json!({"kind": "site", "name": "X"}), "code"),
        (
            json!({"kind": "site", "code": "OK", "name": "X", "colour": "red"}),
            "body",
        ),
    ] {
        let res = app.post("/api/v1/services", &manager, &body).await;
        let problem = assert_problem(res, 400).await;
        if field == "body" {
            assert!(problem["detail"].as_str().unwrap().contains("colour"));
        } else {
            assert_eq!(problem_fields(&problem), [field], "{body}");
        }
    }
    let all: Value = app
        .get("/api/v1/services", &manager)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(codes(&all), ["MAIN"], "nothing else was written");
}

#[tokio::test]
async fn leads_must_be_active_users_and_service_areas_live_codes() {
    let app = spawn_app().await;
    let (_, admin) = app.signed_in(Role::Admin).await;
    let site = create_service(
        &app,
        &admin,
        json!({"kind": "site", "code": "MAIN", "name": "Main Hospital"}),
    )
    .await;
    let leaver = app.create_user(Role::Investigator).await;
    let res = app
        .patch(
            &format!("/api/v1/users/{}", leaver.id),
            &admin,
            &json!({"active": false}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .patch(
            "/api/v1/taxonomy/service_area/ambulance",
            &admin,
            &json!({"active": false}),
        )
        .await;
    assert_eq!(res.status(), 200);

    let ward = |extra: Value| {
        let mut body = json!({"kind": "ward_team", "code": "W1", "name": "Ward 1",
                              "parent_id": site["id"]});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };
    for (extra, field) in [
        (json!({"lead_user_id": "no-such-user"}), "lead_user_id"),
        (json!({"lead_user_id": leaver.id}), "lead_user_id"),
        (json!({"service_area": "space_station"}), "service_area"),
        (json!({"service_area": "ambulance"}), "service_area"),
    ] {
        let res = app.post("/api/v1/services", &admin, &ward(extra)).await;
        assert_eq!(problem_fields(&assert_problem(res, 400).await), [field]);
    }
    // Every bad field is named at once.
    let res = app
        .post(
            "/api/v1/services",
            &admin,
            &json!({"kind": "ward_team", "code": "W 1", "name": "", "parent_id": "nope",
                    "lead_user_id": "nope", "service_area": "nope"}),
        )
        .await;
    let mut fields = problem_fields(&assert_problem(res, 400).await);
    fields.sort();
    assert_eq!(
        fields,
        ["code", "lead_user_id", "name", "parent_id", "service_area"]
    );

    let path = format!("/api/v1/services/{}", site["id"].as_str().unwrap());
    let res = app
        .patch(&path, &admin, &json!({"lead_user_id": leaver.id}))
        .await;
    assert_eq!(
        problem_fields(&assert_problem(res, 400).await),
        ["lead_user_id"]
    );
    let res = app
        .patch(&path, &admin, &json!({"service_area": "ambulance"}))
        .await;
    assert_eq!(
        problem_fields(&assert_problem(res, 400).await),
        ["service_area"]
    );
}

fn holiday_dates(calendar: &Value) -> Vec<String> {
    calendar["holidays"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["date"].as_str().unwrap().to_string())
        .collect()
}

/// The dates of the published (not projected) days.
fn published_dates(calendar: &Value) -> Vec<String> {
    calendar["holidays"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["projected"] == false)
        .map(|h| h["date"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_new_bank_holiday_calendar_is_a_new_version() {
    let app = spawn_app().await;
    let (admin_user, admin) = app.signed_in(Role::Admin).await;
    let (_, investigator) = app.signed_in(Role::Investigator).await;

    let shipped: Value = app
        .get("/api/v1/calendar/bank-holidays", &investigator)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(shipped["version"], 1);
    assert!(shipped["created_by"].is_null());
    assert_eq!(published_dates(&shipped).len(), 107);
    let year: Value = app
        .get("/api/v1/calendar/bank-holidays?year=2026", &investigator)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        holiday_dates(&year),
        [
            "2026-01-01",
            "2026-04-03",
            "2026-04-06",
            "2026-05-04",
            "2026-05-25",
            "2026-08-31",
            "2026-12-25",
            "2026-12-28"
        ]
    );
    assert_eq!(year["holidays"][7]["name"], "Boxing Day (substitute day)");

    let res = app
        .put(
            "/api/v1/calendar/bank-holidays",
            &admin,
            &json!({"note": "2031 added", "holidays": [
                {"date": "2031-12-25", "name": "Christmas Day"},
                {"date": "2031-01-01", "name": " New Year's Day "},
                {"date": "2031-12-26", "name": "Boxing Day"},
            ]}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let published: Value = res.json().await.unwrap();
    assert_eq!(published["version"], 2);
    assert_eq!(published["note"], "2031 added");
    assert_eq!(published["created_by"], admin_user.id.as_str());
    // 2031 is now published as sent (replacing its projection); every other year carries over.
    let published_2031: Vec<String> = published_dates(&published)
        .into_iter()
        .filter(|d| d.starts_with("2031"))
        .collect();
    assert_eq!(published_2031, ["2031-01-01", "2031-12-25", "2031-12-26"]);
    assert_eq!(published_dates(&published).len(), 110);
    assert_eq!(
        published_dates(&shipped),
        published_dates(&published)
            .into_iter()
            .filter(|d| !d.starts_with("2031"))
            .collect::<Vec<_>>()
    );
    let new_year = published["holidays"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["date"] == "2031-01-01")
        .unwrap();
    assert_eq!(new_year["name"], "New Year's Day");

    let current: Value = app
        .get("/api/v1/calendar/bank-holidays", &investigator)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(current, published);
    let old: Value = app
        .get("/api/v1/calendar/bank-holidays?version=1", &investigator)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(old, shipped);
    assert_problem(
        app.get("/api/v1/calendar/bank-holidays?version=3", &investigator)
            .await,
        404,
    )
    .await;
    assert_problem(
        app.get("/api/v1/calendar/bank-holidays?year=soon", &investigator)
            .await,
        400,
    )
    .await;
    assert_problem(
        app.get("/api/v1/calendar/bank-holidays", "not-a-token")
            .await,
        401,
    )
    .await;

    let res = app
        .put(
            "/api/v1/calendar/bank-holidays",
            &admin,
            &json!({"note": "2032", "holidays": [{"date": "2032-01-01", "name": "New Year's Day"}]}),
        )
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["version"], 3);
}

#[tokio::test]
async fn a_bad_bank_holiday_calendar_is_refused_whole() {
    let app = spawn_app().await;
    let (_, admin) = app.signed_in(Role::Admin).await;
    let put = |body: Value| {
        let app = &app;
        let admin = admin.clone();
        async move {
            app.put("/api/v1/calendar/bank-holidays", &admin, &body)
                .await
        }
    };
    let good = json!({"date": "2031-01-01", "name": "New Year's Day"});

    let res = put(json!({"note": "dupes", "holidays": [
        good,
        {"date": "2031-12-25", "name": "Christmas Day"},
        {"date": "2031-01-01", "name": "Again"},
    ]}))
    .await;
    let body = assert_problem(res, 400).await;
    assert_eq!(problem_fields(&body), ["holidays[2].date"]);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("holidays[0]"),
        "{body}"
    );

    for (body, fields) in [
        (json!({"note": " ", "holidays": [good]}), vec!["note"]),
        (json!({"note": "none", "holidays": []}), vec!["holidays"]),
        (
            json!({"note": "x", "holidays": [good, {"date": "2031-12-25", "name": ""}]}),
            vec!["holidays[1].name"],
        ),
        (
            json!({"note": "x", "holidays": [{"date": "2031-02-30", "name": "No such day"}]}),
            vec!["holidays[0].date"],
        ),
        (json!({"holidays": [good]}), vec!["note"]),
        (
            json!({"note": "x", "holidays": [{"date": "2031-01-01", "name": "A", "region": "wales"}]}),
            vec!["holidays[0].region"],
        ),
    ] {
        let res = put(body.clone()).await;
        assert_eq!(
            problem_fields(&assert_problem(res, 400).await),
            fields,
            "{body}"
        );
    }

    let current: Value = app
        .get("/api/v1/calendar/bank-holidays", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(current["version"], 1, "nothing was published");
    assert_eq!(published_dates(&current).len(), 107);
}

#[tokio::test]
async fn writes_are_refused_to_roles_without_the_permission() {
    let app = spawn_app().await;
    let (_, admin) = app.signed_in(Role::Admin).await;
    let site = create_service(
        &app,
        &admin,
        json!({"kind": "site", "code": "MAIN", "name": "Main Hospital"}),
    )
    .await;
    let site_path = format!("/api/v1/services/{}", site["id"].as_str().unwrap());
    let calendar =
        json!({"note": "x", "holidays": [{"date": "2031-01-01", "name": "New Year's Day"}]});

    for role in [Role::PalsOfficer, Role::Investigator, Role::Board] {
        let (_, token) = app.signed_in(role).await;
        let attempts = [
            app.post(
                "/api/v1/services",
                &token,
                &json!({"kind": "site", "code": "S2", "name": "Second"}),
            )
            .await,
            app.patch(&site_path, &token, &json!({"name": "Renamed"}))
                .await,
        ];
        for res in attempts {
            let body = assert_problem(res, 403).await;
            assert!(body["detail"].as_str().unwrap().contains(role.as_str()));
        }
    }
    for role in [
        Role::ComplaintsManager,
        Role::PalsOfficer,
        Role::Investigator,
        Role::Board,
    ] {
        let (_, token) = app.signed_in(role).await;
        let attempts = [
            app.post(
                "/api/v1/taxonomy/channel",
                &token,
                &json!({"code": "fax", "label": "Fax"}),
            )
            .await,
            app.patch(
                "/api/v1/taxonomy/channel/email",
                &token,
                &json!({"active": false}),
            )
            .await,
            // Refused before the list is even looked up.
            app.post(
                "/api/v1/taxonomy/colours",
                &token,
                &json!({"code": "red", "label": "Red"}),
            )
            .await,
            app.put("/api/v1/calendar/bank-holidays", &token, &calendar)
                .await,
        ];
        for res in attempts {
            let body = assert_problem(res, 403).await;
            assert!(body["detail"].as_str().unwrap().contains(role.as_str()));
        }
    }

    // Nothing changed.
    let fetched: Value = app.get(&site_path, &admin).await.json().await.unwrap();
    assert_eq!(fetched["name"], "Main Hospital");
    let all: Value = app
        .get("/api/v1/services", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(codes(&all), ["MAIN"]);
    let t: Value = app
        .get("/api/v1/taxonomy", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert!(item(&t, "channel", "fax").is_none());
    assert_eq!(item(&t, "channel", "email").unwrap()["active"], true);
    let current: Value = app
        .get("/api/v1/calendar/bank-holidays", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(current["version"], 1);
}

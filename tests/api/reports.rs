//! Board reporting over HTTP on data with known answers: the board report (multi-aspect
//! counting, timeliness, suppression for the board role), KO41a arithmetic, validation and
//! CSV, and SPC signals and early warning.

use candour::domain::role::Role;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, complaint, insert_service, pals_concern, spawn_app};

/// Give a service a KO41a service area.
pub async fn set_area(app: &TestApp, service_id: &str, area: &str) {
    use candour::db::schema::services;
    use diesel::prelude::*;
    let (id, area) = (service_id.to_string(), area.to_string());
    app.state
        .db
        .write(move |c| -> Result<(), candour::error::AppError> {
            diesel::update(services::table.find(id))
                .set(services::service_area.eq(Some(area)))
                .execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
}

/// A complaint received on `received` and acknowledged on `acknowledged`.
async fn acknowledged(
    app: &TestApp,
    token: &str,
    service: &str,
    received: &str,
    acknowledged: &str,
) -> Value {
    let case = app.create_case(token, &complaint(service, received)).await;
    app.act_ok(
        token,
        &case,
        "acknowledge",
        json!({"acknowledged_on": acknowledged, "method": "email",
               "handling_discussion_offered": true, "meeting_offered": false}),
    )
    .await
}

async fn respond(app: &TestApp, token: &str, case: &Value, on: &str, first: &str, second: &str) {
    app.act_ok(
        token,
        case,
        "respond",
        json!({
            "sent_on": on,
            "signed_by": "Chief Executive",
            "aspect_outcomes": [
                {"subject": "admissions_discharges", "outcome": first},
                {"subject": "communications", "outcome": second}
            ],
            "ombudsman_rights_given": true
        }),
    )
    .await;
}

pub struct Seeded {
    pub manager: String,
    pub site_a: String,
    pub site_b: String,
}

/// Five complaints and a PALS concern around the financial year 2025-26 (see each line).
pub async fn seed(app: &TestApp) -> Seeded {
    let (manager_user, manager) = app.signed_in(Role::ComplaintsManager).await;
    let site_a = insert_service(app, "SITEA", None).await;
    let site_b = insert_service(app, "SITEB", None).await;
    set_area(app, &site_a, "acute_inpatient").await;
    set_area(app, &site_b, "acute_outpatient").await;
    // C1: received in 2024-25, brought forward, partially upheld in May 2025.
    let c1 = acknowledged(app, &manager, &site_a, "2025-03-10", "2025-03-11").await;
    respond(app, &manager, &c1, "2025-05-01", "upheld", "not_upheld").await;
    // C2: new, acknowledged on time, upheld.
    let c2 = acknowledged(app, &manager, &site_a, "2025-06-02", "2025-06-03").await;
    respond(app, &manager, &c2, "2025-07-01", "upheld", "upheld").await;
    // A change made because of C2, implemented in October 2025.
    let res = app
        .post(
            "/api/v1/service-changes",
            &manager,
            &json!({
                "title": "Explain discharge medicines",
                "description": "Internal: pharmacist rota changed on Ward A1.",
                "reason": "Complaints that patients left without knowing their medicines.",
                "public_summary": "Before you go home, a pharmacist now explains each of your medicines.",
                "service_id": site_a,
                "owner_id": manager_user.id,
                "due_on": crate::helpers::days_from_today(30),
                "case_ids": [c2["id"]],
            }),
        )
        .await;
    let change: Value = res.json().await.unwrap();
    for (action, body) in [
        ("start", json!({})),
        ("implement", json!({"implemented_on": "2025-10-01"})),
    ] {
        let id = change["id"].as_str().unwrap();
        let body = app
            .at_current_version(&manager, &format!("/api/v1/service-changes/{id}"), body)
            .await;
        let res = app
            .post(
                &format!("/api/v1/service-changes/{id}/{action}"),
                &manager,
                &body,
            )
            .await;
        assert_eq!(res.status(), 200, "{action}");
    }
    // C3: new at site B, acknowledged late (due Thu 4 Sep), not upheld.
    let c3 = acknowledged(app, &manager, &site_b, "2025-09-01", "2025-09-08").await;
    respond(app, &manager, &c3, "2025-10-01", "not_upheld", "not_upheld").await;
    // C4: new at site B, withdrawn.
    let c4 = acknowledged(app, &manager, &site_b, "2026-01-05", "2026-01-06").await;
    app.act_ok(
        &manager,
        &c4,
        "withdraw",
        json!({"reason": "Resolved locally", "withdrawn_on": "2026-02-02"}),
    )
    .await;
    // C5: new, still open at the year end.
    acknowledged(app, &manager, &site_a, "2026-03-02", "2026-03-03").await;
    app.create_case(&manager, &pals_concern(&site_a, "2025-07-01"))
        .await;
    Seeded {
        manager,
        site_a,
        site_b,
    }
}

fn count(items: &Value, code: &str) -> Value {
    items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == code)
        .map(|i| i["count"].clone())
        .unwrap_or(Value::Null)
}

#[tokio::test]
async fn the_board_report_counts_complaints_once_and_aspects_once_each() {
    let app = spawn_app().await;
    let s = seed(&app).await;
    let res = app
        .get(
            "/api/v1/reports/board?from=2025-04-01&to=2026-03-31",
            &s.manager,
        )
        .await;
    assert_eq!(res.status(), 200);
    let body = res.text().await.unwrap();
    assert!(
        !body.contains("Discharged without medication"),
        "case text leaked"
    );
    assert!(!body.contains("Alex Example"), "a name leaked");
    let r: Value = serde_json::from_str(&body).unwrap();
    let now = &r["current"];
    assert_eq!(
        now["period"],
        json!({"from": "2025-04-01", "to": "2026-03-31"})
    );
    assert_eq!(now["volumes"]["complaints"], 4);
    assert_eq!(now["volumes"]["pals_concerns"], 1);
    // Four complaints, each about two subjects: 4 in the total, 4 per subject.
    assert_eq!(
        count(&now["volumes"]["by_subject"], "admissions_discharges"),
        4
    );
    assert_eq!(count(&now["volumes"]["by_subject"], "communications"), 4);
    assert_eq!(
        count(&now["volumes"]["by_profession"], "nursing_midwifery"),
        4
    );
    assert_eq!(now["outcomes"]["responded"], 3);
    assert_eq!(now["outcomes"]["upheld"], 1);
    assert_eq!(now["outcomes"]["partially_upheld"], 1);
    assert_eq!(now["outcomes"]["not_upheld"], 1);
    assert_eq!(now["outcomes"]["withdrawn"], 1);
    assert_eq!(now["outcomes"]["well_founded_pct"], 66.7);
    assert_eq!(now["timeliness"]["acknowledged_on_time"], 3);
    assert_eq!(now["timeliness"]["acknowledged_late"], 1);
    assert_eq!(now["timeliness"]["acknowledged_on_time_pct"], 75.0);
    assert_eq!(r["previous"]["period"]["from"], "2024-04-01");
    assert_eq!(r["previous"]["volumes"]["complaints"], 1);
    let rising: Vec<&str> = r["themes_rising"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["code"].as_str().unwrap())
        .collect();
    assert_eq!(rising, vec!["admissions_discharges", "communications"]);
    assert!(r["suppressed_below"].is_null(), "managers see every count");
    assert_eq!(now["service_changes"]["implemented"], 1);
    assert_eq!(now["service_changes"]["overdue"], 0);

    // One service: site B had two of the four.
    let res = app
        .get(
            &format!(
                "/api/v1/reports/board?from=2025-04-01&to=2026-03-31&service_id={}",
                s.site_b
            ),
            &s.manager,
        )
        .await;
    let r: Value = res.json().await.unwrap();
    assert_eq!(r["current"]["volumes"]["complaints"], 2);
    assert_eq!(r["current"]["outcomes"]["not_upheld"], 1);
    assert!(r["current"]["feedback"].is_null(), "feedback is trust-wide");
}

#[tokio::test]
async fn the_board_role_sees_small_counts_suppressed() {
    let app = spawn_app().await;
    let s = seed(&app).await;
    let (_, board) = app.signed_in(Role::Board).await;
    let r: Value = app
        .get(
            "/api/v1/reports/board?from=2025-04-01&to=2026-03-31",
            &board,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["suppressed_below"], 5);
    let now = &r["current"];
    for path in [
        &now["volumes"]["complaints"],
        &now["volumes"]["pals_concerns"],
        &now["outcomes"]["upheld"],
        &now["outcomes"]["well_founded_pct"],
        &now["timeliness"]["acknowledged_on_time_pct"],
    ] {
        assert!(path.is_null(), "a count of 1 to 4 was shown: {now}");
    }
    assert!(count(&now["volumes"]["by_subject"], "communications").is_null());
    // Zero is not a small number: it is shown.
    assert_eq!(now["candour"]["notifiable_incidents"], 0);
    // The board may not read cases.
    let res = app.get("/api/v1/cases", &board).await;
    assert_eq!(res.status(), 403);
    let _ = s.site_a;
}

#[tokio::test]
async fn reports_refuse_bad_periods_and_other_roles() {
    let app = spawn_app().await;
    let (_, manager) = app.signed_in(Role::ComplaintsManager).await;
    let body = assert_problem(
        app.get("/api/v1/reports/board?from=2026-01-01", &manager)
            .await,
        400,
    )
    .await;
    assert!(body.to_string().contains("to"), "{body}");
    assert_problem(
        app.get(
            "/api/v1/reports/board?from=2026-02-01&to=2026-01-01",
            &manager,
        )
        .await,
        400,
    )
    .await;
    assert_problem(
        app.get(
            "/api/v1/reports/board?from=2026-01-01&to=2026-02-01&service_id=nope",
            &manager,
        )
        .await,
        400,
    )
    .await;
    assert_problem(app.get("/api/v1/reports/ko41a", &manager).await, 400).await;
    assert_problem(
        app.get("/api/v1/reports/ko41a?year=2025&format=xml", &manager)
            .await,
        400,
    )
    .await;
    assert_problem(
        app.get(
            "/api/v1/reports/spc?metric=acknowledged_on_time&by=subject",
            &manager,
        )
        .await,
        400,
    )
    .await;
    assert_problem(
        app.get("/api/v1/reports/spc?metric=nonsense", &manager)
            .await,
        400,
    )
    .await;
    let (_, investigator) = app.signed_in(Role::Investigator).await;
    assert_problem(
        app.get(
            "/api/v1/reports/board?from=2026-01-01&to=2026-02-01",
            &investigator,
        )
        .await,
        403,
    )
    .await;
}

#[tokio::test]
async fn ko41a_adds_up_per_site_and_in_total() {
    let app = spawn_app().await;
    let s = seed(&app).await;
    let res = app.get("/api/v1/reports/ko41a?year=2025", &s.manager).await;
    assert_eq!(res.status(), 200);
    let r: Value = res.json().await.unwrap();
    assert_eq!(r["financial_year"], "2025-26");
    let t = &r["total"];
    assert_eq!(
        t["summary"],
        json!({
            "brought_forward": 1, "new": 4, "upheld": 1, "partially_upheld": 1,
            "not_upheld": 1, "resolved": 3, "carried_forward": 1, "withdrawn": 1,
            "open_at_end": 1
        })
    );
    assert_eq!(t["validation"], json!([]), "{t}");
    assert_eq!(r["valid"], true);
    assert_eq!(count(&t["age"], "75_84"), 4);
    assert_eq!(count(&t["age"], "unknown"), 0, "explicit zeros");
    assert_eq!(count(&t["subject_area"], "communications"), 4);
    assert_eq!(count(&t["service_area"], "acute_inpatient"), 2);
    assert_eq!(count(&t["service_area"], "acute_outpatient"), 2);
    let sites = r["sites"].as_array().unwrap();
    assert_eq!(sites.len(), 2);
    let a = sites.iter().find(|x| x["service_id"] == s.site_a).unwrap();
    let b = sites.iter().find(|x| x["service_id"] == s.site_b).unwrap();
    assert_eq!(a["summary"]["brought_forward"], 1);
    assert_eq!(a["summary"]["new"], 2);
    assert_eq!(a["summary"]["resolved"], 2);
    assert_eq!(a["summary"]["carried_forward"], 1);
    assert_eq!(b["summary"]["new"], 2);
    assert_eq!(b["summary"]["resolved"], 1);
    assert_eq!(b["summary"]["withdrawn"], 1);
    // Withdrawn, so no longer carried: 2 new − 1 resolved − 1 withdrawn.
    assert_eq!(b["summary"]["carried_forward"], 0);

    // The CSV has the same figures, one row per box.
    let res = app
        .client
        .get(app.url("/api/v1/reports/ko41a?year=2025"))
        .bearer_auth(&s.manager)
        .header("Accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = res.text().await.unwrap();
    assert!(csv.starts_with("financial_year,site_code,site_name,section,code,label,count\n"));
    assert!(
        csv.contains("2025-26,TOTAL,All sites,2 Summary,carried_forward,Total carried forward,1\n")
    );
    assert!(csv.contains("2025-26,SITEB,Service SITEB,2 Summary,new,Total new,2\n"));
}

#[tokio::test]
async fn ko41a_reports_validation_failures_instead_of_hiding_them() {
    let app = spawn_app().await;
    let (_, manager) = app.signed_in(Role::ComplaintsManager).await;
    // No service area and no profession recorded.
    let site = insert_service(&app, "NOAREA", None).await;
    let mut body = complaint(&site, "2024-06-03");
    body["professions"] = json!([]);
    app.create_case(&manager, &body).await;
    let r: Value = app
        .get("/api/v1/reports/ko41a?year=2024", &manager)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["valid"], false);
    let problems = r["total"]["validation"].to_string();
    assert!(problems.contains("Profession counts total 0"), "{problems}");
    assert!(problems.contains("Service area"), "{problems}");
    assert_eq!(r["total"]["summary"]["new"], 1);
    assert_eq!(r["total"]["summary"]["carried_forward"], 1);
}

#[tokio::test]
async fn spc_flags_a_month_outside_the_limits_and_lists_it_as_an_early_warning() {
    let app = spawn_app().await;
    let (_, manager) = app.signed_in(Role::ComplaintsManager).await;
    let site = insert_service(&app, "SPC", None).await;
    // One complaint a month for twelve months, then eight in the thirteenth.
    for month in 1..=12 {
        let day = format!("2024-{month:02}-10");
        app.create_case(&manager, &complaint(&site, &day)).await;
    }
    for day in 1..=8 {
        let day = format!("2025-01-{:02}", day + 10);
        app.create_case(&manager, &complaint(&site, &day)).await;
    }
    let r: Value = app
        .get(
            "/api/v1/reports/spc?metric=complaints_received&to=2025-01-31&months=13",
            &manager,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["from_month"], "2024-01-01");
    let series = &r["series"][0];
    let points = series["points"].as_array().unwrap();
    assert_eq!(points.len(), 13);
    assert_eq!(points[0]["value"], 1.0);
    assert_eq!(points[12]["value"], 8.0);
    assert_eq!(points[12]["variation"], "concerning_high");
    assert!(
        points[12]["signals"]
            .as_array()
            .unwrap()
            .contains(&json!({"rule": "astronomical", "side": "high"}))
    );
    // The twelve quiet months sit below the mean: a shift, improving when lower is better.
    assert_eq!(points[0]["variation"], "improving_low");
    assert!(
        points[0]["signals"]
            .as_array()
            .unwrap()
            .contains(&json!({"rule": "shift", "side": "low"}))
    );
    assert_eq!(series["reliable"], true);
    assert_eq!(series["direction"], "lower_is_better");
    let mean = series["limits"]["mean"].as_f64().unwrap();
    assert!((mean - 20.0 / 13.0).abs() < 0.01, "{mean}");

    let by_subject: Value = app
        .get(
            "/api/v1/reports/spc?by=subject&to=2025-01-31&months=13",
            &manager,
        )
        .await
        .json()
        .await
        .unwrap();
    let keys: Vec<&str> = by_subject["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, vec!["admissions_discharges", "communications"]);

    let w: Value = app
        .get(
            "/api/v1/reports/spc/early-warning?to=2025-01-31&months=13",
            &manager,
        )
        .await
        .json()
        .await
        .unwrap();
    let flagged: Vec<(String, Option<String>)> = w["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                format!(
                    "{}/{}",
                    x["metric"].as_str().unwrap(),
                    x["by"].as_str().unwrap()
                ),
                x["key"].as_str().map(str::to_string),
            )
        })
        .collect();
    assert!(
        flagged.contains(&("complaints_received/trust".into(), None)),
        "{w}"
    );
    assert!(
        flagged.contains(&(
            "complaints_received/subject".into(),
            Some("communications".into())
        )),
        "{w}"
    );
    assert!(
        flagged.contains(&("complaints_received/service".into(), Some(site.clone()))),
        "{w}"
    );
    assert!(
        !flagged.iter().any(|(m, _)| m.starts_with("pals")),
        "no PALS concerns, no warning: {w}"
    );
}

/// `POST /reports/board-pack-links`: the link's URL.
pub async fn pack_link(app: &TestApp, token: &str, from: &str, to: &str) -> String {
    let res = app
        .post(
            "/api/v1/reports/board-pack-links",
            token,
            &json!({"from": from, "to": to}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    body["url"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn the_board_pack_is_one_self_contained_page_with_charts() {
    let app = spawn_app().await;
    let s = seed(&app).await;
    let url = pack_link(&app, &s.manager, "2025-04-01", "2026-03-31").await;
    assert!(
        url.starts_with(&format!("{}/reports/board?", app.address)),
        "{url}"
    );
    let res = app.client.get(&url).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(csp.contains("style-src 'sha256-"), "{csp}");
    assert!(!csp.contains("script-src"), "{csp}");
    let html = res.text().await.unwrap();
    assert!(html.contains("<h1>Complaints and PALS: report to the board</h1>"));
    assert!(html.contains("1 April 2025 to 31 March 2026"));
    assert!(
        html.matches("<svg").count() >= 6,
        "four SPC charts and two bar charts"
    );
    assert!(
        html.matches("<desc id=").count() >= 6,
        "every chart has a text alternative"
    );
    assert!(!html.contains("<script"), "no scripts");
    assert!(!html.contains("src=\"http"), "no external assets");
    assert!(!html.contains("<link"), "no external stylesheet");
    assert!(!html.contains("Alex Example") && !html.contains("Discharged without"));
    // Complaints received this period: 4, shown to a manager.
    assert!(
        html.contains(
            "<th scope=\"row\">Complaints received</th><td class=\"n\">4</td><td class=\"n\">1</td>"
        ),
        "{html}"
    );

    // The board sees the small numbers suppressed.
    let (_, board) = app.signed_in(Role::Board).await;
    let url = pack_link(&app, &board, "2025-04-01", "2026-03-31").await;
    let html = app
        .client
        .get(&url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(
        "<th scope=\"row\">Complaints received</th><td class=\"n\">–</td><td class=\"n\">–</td>"
    ));
    assert!(html.contains("Counts from 1 to 4 are shown as"));

    // A link for other dates, a tampered key, or after signing out does not work.
    let tampered = url.replace("from=2025-04-01", "from=2025-04-02");
    assert_eq!(
        app.client.get(&tampered).send().await.unwrap().status(),
        401
    );
    let res = app
        .client
        .get(app.url("/reports/board?from=2025-04-01&to=2026-03-31"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let res = app.post("/api/v1/auth/logout", &board, &json!({})).await;
    assert!(res.status().is_success());
    assert_eq!(app.client.get(&url).send().await.unwrap().status(), 401);
    // An investigator may not make one.
    let (_, investigator) = app.signed_in(Role::Investigator).await;
    let res = app
        .post(
            "/api/v1/reports/board-pack-links",
            &investigator,
            &json!({"from": "2025-04-01", "to": "2026-03-31"}),
        )
        .await;
    assert_problem(res, 403).await;
}

#[tokio::test]
async fn the_annual_report_gives_the_regulation_18_figures_suppressed_for_publication() {
    let app = crate::helpers::spawn_app().await;
    let s = seed(&app).await;
    // Published: small numbers are hidden even from a complaints manager.
    let r: Value = app
        .get("/api/v1/reports/annual?year=2025", &s.manager)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["financial_year"], "2025-26");
    assert!(r["complaints_received"].is_null(), "{r}");
    assert_eq!(r["suppressed_below"], 5);
    assert_eq!(r["referred_to_ombudsman"], 0);
    let res = app
        .client
        .get(app.url("/api/v1/reports/annual?year=2025"))
        .bearer_auth(&s.manager)
        .header("Accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("style-src 'sha256-")
    );
    let html = res.text().await.unwrap();
    assert!(html.contains("<h1>Annual complaints report 2025-26</h1>"));
    assert!(
        html.contains(
            "<th scope=\"row\">Complaints received</th><td class=\"n\">fewer than 5</td>"
        ),
        "{html}"
    );
    assert!(!html.contains("Alex Example") && !html.contains("Discharged without"));
}

#[tokio::test]
async fn the_annual_report_counts_what_was_received_decided_and_referred() {
    let app = crate::helpers::spawn_app_with(|s| s.reports.suppress_below = 0).await;
    let s = seed(&app).await;
    let r: Value = app
        .get("/api/v1/reports/annual?year=2025", &s.manager)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["complaints_received"], 4);
    assert_eq!(r["pals_concerns_received"], 1);
    // Decided in the year: C1 partially upheld, C2 upheld, C3 not upheld.
    assert_eq!(r["decided_well_founded"], 2);
    assert_eq!(r["not_upheld"], 1);
    assert_eq!(count(&r["subjects"], "admissions_discharges"), 4);
    let matters = r["matters_of_general_importance"].to_string();
    assert!(
        matters.contains("75.0% of complaints were acknowledged within 3 working days"),
        "{matters}"
    );
    assert!(matters.contains("rose from 1 to 4"), "{matters}");
    let actions = r["actions_taken"].as_array().unwrap();
    assert_eq!(actions.len(), 1, "{r}");
    assert_eq!(actions[0]["service"], "Service SITEA");
    assert_eq!(actions[0]["implemented_on"], "2025-10-01");
    assert_eq!(
        actions[0]["summary"],
        "Before you go home, a pharmacist now explains each of your medicines."
    );
    assert!(
        !r.to_string().contains("Internal:"),
        "the internal description is not published"
    );
    assert_problem(app.get("/api/v1/reports/annual", &s.manager).await, 400).await;
    let (_, investigator) = app.signed_in(Role::Investigator).await;
    assert_problem(
        app.get("/api/v1/reports/annual?year=2025", &investigator)
            .await,
        403,
    )
    .await;
}

/// A ward's report counts the PALS concerns about the ward and the services beneath it, each
/// concern once however many of those services it names. Ward W has unit U beneath it; of
/// four concerns received in the year, one names W and U, one names U, one names only another
/// service, and one was received the year before: the ward's report counts 2.
#[tokio::test]
async fn a_wards_report_counts_each_concern_about_it_once() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let (_, admin) = app.signed_in(Role::Admin).await;
    let ward = insert_service(&app, "WARDW", None).await;
    let other = insert_service(&app, "OTHER", None).await;
    let res = app
        .post(
            "/api/v1/services",
            &admin,
            &json!({"kind": "ward_team", "code": "UNITU", "name": "Unit U", "parent_id": ward}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let unit = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut both = pals_concern(&ward, "2025-06-02");
    both["service_ids"] = json!([ward, unit]);
    app.create_case(&token, &both).await;
    app.create_case(&token, &pals_concern(&unit, "2025-09-01"))
        .await;
    app.create_case(&token, &pals_concern(&other, "2025-09-01"))
        .await;
    app.create_case(&token, &pals_concern(&ward, "2025-03-31"))
        .await;
    let r: Value = app
        .get(
            &format!("/api/v1/reports/board?from=2025-04-01&to=2026-03-31&service_id={ward}"),
            &token,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["current"]["volumes"]["pals_concerns"], 2, "{r}");
    assert_eq!(r["previous"]["volumes"]["pals_concerns"], 1, "{r}");
}

//! What was reported stays reported: reopening a complaint months later changes neither the
//! KO41a return nor the board report of the year its first response was made, and the new
//! cycle owes no six-month letter the first one did not.

use candour::domain::role::Role;
use chrono::NaiveDate;
use serde_json::{Value, json};

use crate::helpers::{TestApp, complaint, insert_service, spawn_app};

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

async fn signed_in_on(app: &TestApp, on: &str) -> String {
    app.set_today(day(on));
    app.signed_in(Role::ComplaintsManager).await.1
}

async fn get(app: &TestApp, token: &str, path: &str) -> Value {
    let res = app.get(path, token).await;
    assert_eq!(res.status(), 200, "{path}");
    res.json().await.unwrap()
}

fn respond(upheld: &[&str]) -> Value {
    let finding = |s: &str| json!({"subject": s, "outcome": if upheld.contains(&s) { "upheld" } else { "not_upheld" }});
    json!({
        "signed_by": "Chief Executive",
        "aspect_outcomes": [finding("admissions_discharges"), finding("communications")],
        "ombudsman_rights_given": true
    })
}

#[tokio::test]
async fn reopening_a_complaint_changes_nothing_already_reported() {
    let app = spawn_app().await;
    let service = insert_service(&app, "HIST", None).await;
    let token = signed_in_on(&app, "2026-02-02").await;
    let case = app
        .create_case(&token, &complaint(&service, "2026-02-02"))
        .await;
    let ack =
        json!({"method": "letter", "handling_discussion_offered": true, "meeting_offered": false});
    let case = app.act_ok(&token, &case, "acknowledge", ack).await;
    let token = signed_in_on(&app, "2026-02-20").await;
    let case = app
        .act_ok(
            &token,
            &case,
            "respond",
            respond(&["admissions_discharges"]),
        )
        .await;
    assert_eq!(case["outcome"], "partially_upheld");
    let case = app.act_ok(&token, &case, "close", json!({})).await;

    // Reported in April 2026 for 2025-26.
    let token = signed_in_on(&app, "2026-04-10").await;
    let ko41a = get(&app, &token, "/api/v1/reports/ko41a?year=2025").await;
    assert_eq!(ko41a["total"]["summary"]["resolved"], 1);
    assert_eq!(ko41a["total"]["summary"]["partially_upheld"], 1);
    let board_path = "/api/v1/reports/board?from=2025-04-01&to=2026-03-31";
    let board = get(&app, &token, board_path).await;
    let annual = get(&app, &token, "/api/v1/reports/annual?year=2025").await;

    // Reopened in June 2026 with new information.
    let token = signed_in_on(&app, "2026-06-15").await;
    let case = app
        .act_ok(
            &token,
            &case,
            "reopen",
            json!({"reason": "New information from the family"}),
        )
        .await;
    assert_eq!(case["status"], "investigating");
    assert!(
        case["responded_on"].is_null(),
        "the new cycle is unanswered"
    );
    for (path, before) in [
        ("/api/v1/reports/ko41a?year=2025", &ko41a),
        (board_path, &board),
        ("/api/v1/reports/annual?year=2025", &annual),
    ] {
        let now = get(&app, &token, path).await;
        assert_eq!(
            strip(now),
            strip(before.clone()),
            "{path} changed on reopening"
        );
    }

    // 2 September 2026, past the six months (which ended on 1 August): the first response
    // went within them, so the new cycle owes no delay letter.
    let token = signed_in_on(&app, "2026-09-02").await;
    let view = get(
        &app,
        &token,
        &format!("/api/v1/cases/{}", case["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(view["six_month_letter_due_on"], "2026-08-01");
    assert_eq!(view["overdue"]["six_month_letter"], false, "{view}");
    assert_ne!(view["next_due_on"], "2026-08-01");

    // Answered again: the second response is the case's outcome now, but the return for
    // 2025-26 keeps the first, and 2026-27 does not count the complaint resolved twice.
    let case = app
        .act_ok(
            &token,
            &view,
            "respond",
            respond(&["admissions_discharges", "communications"]),
        )
        .await;
    assert_eq!(case["outcome"], "upheld");
    let responses = case["responses"].as_array().unwrap();
    assert_eq!(responses.len(), 2);
    assert_eq!(responses[0]["outcome"], "partially_upheld");
    assert_eq!(responses[0]["sent_on"], "2026-02-20");
    // Each response keeps its own findings.
    assert_eq!(
        responses[0]["findings"],
        json!([
            {"subject": "admissions_discharges", "outcome": "upheld"},
            {"subject": "communications", "outcome": "not_upheld"}
        ])
    );
    assert_eq!(responses[1]["findings"][1]["outcome"], "upheld");
    let now = get(&app, &token, "/api/v1/reports/ko41a?year=2025").await;
    assert_eq!(strip(now), strip(ko41a.clone()));
    let next = get(&app, &token, "/api/v1/reports/ko41a?year=2026").await;
    let summary = &next["total"]["summary"];
    assert_eq!(summary["brought_forward"], 0, "{summary}");
    assert_eq!(summary["new"], 0);
    assert_eq!(summary["resolved"], 0);
    assert_eq!(summary["carried_forward"], 0);
    assert_eq!(next["total"]["validation"], json!([]));
}

/// A report without the moment it was produced.
fn strip(mut v: Value) -> Value {
    if let Some(o) = v.as_object_mut() {
        for key in [
            "generated_at",
            "generated_on",
            "as_of",
            "produced_at",
            "today",
        ] {
            o.remove(key);
        }
    }
    v
}

#[tokio::test]
async fn responded_by_the_agreed_date_counts_only_dates_agreed_with_the_complainant() {
    let app = spawn_app().await;
    let service = insert_service(&app, "AGREE", None).await;
    let token = signed_in_on(&app, "2026-01-05").await;
    let ack = |due: Option<&str>| {
        let mut body = json!({"method": "letter", "handling_discussion_offered": true,
                              "meeting_offered": false});
        if let Some(d) = due {
            body["response_due_on"] = json!(d);
        }
        body
    };
    let mut cases = Vec::new();
    for due in [
        Some("2026-02-16"),
        None,
        Some("2026-02-16"),
        Some("2026-02-16"),
    ] {
        let case = app
            .create_case(&token, &complaint(&service, "2026-01-05"))
            .await;
        cases.push(app.act_ok(&token, &case, "acknowledge", ack(due)).await);
    }
    // A: agreed at acknowledgement, answered by it.
    let token = signed_in_on(&app, "2026-02-12").await;
    app.act_ok(&token, &cases[0], "respond", respond(&[])).await;
    // C: the trust moved the date without the complainant's agreement.
    let token = signed_in_on(&app, "2026-02-10").await;
    let c = app
        .act_ok(
            &token,
            &cases[2],
            "extend",
            json!({"new_due_on": "2026-03-02", "reason": "Awaiting statements",
                   "complainant_agreed": false}),
        )
        .await;
    assert_eq!(c["response_due_agreed"], false);
    // D: an extension the complainant agreed only after the agreed date had passed.
    let token = signed_in_on(&app, "2026-02-20").await;
    let d = app
        .act_ok(
            &token,
            &cases[3],
            "extend",
            json!({"new_due_on": "2026-03-02", "reason": "Awaiting statements",
                   "complainant_agreed": true, "agreed_on": "2026-02-18"}),
        )
        .await;
    assert_eq!(
        d["response_due_agreed"], false,
        "agreed after the date passed"
    );
    // B (default date), C and D answered by the dates then in force.
    let token = signed_in_on(&app, "2026-02-25").await;
    for case in [&cases[1], &c, &d] {
        let current = get(
            &app,
            &token,
            &format!("/api/v1/cases/{}", case["id"].as_str().unwrap()),
        )
        .await;
        app.act_ok(&token, &current, "respond", respond(&[])).await;
    }
    let token = signed_in_on(&app, "2026-04-02").await;
    let board = get(
        &app,
        &token,
        "/api/v1/reports/board?from=2026-01-01&to=2026-03-31",
    )
    .await;
    let t = &board["current"]["timeliness"];
    assert_eq!(t["responded_with_agreed_date"], 1, "{t}");
    assert_eq!(t["responded_by_agreed_date"], 1);
    assert_eq!(t["responded_by_agreed_date_pct"], 100.0);
    assert_eq!(t["responded_with_other_date"], 3);
    assert_eq!(t["responded_by_other_date"], 3);
    assert_eq!(board["current"]["outcomes"]["responded"], 4);
}

/// `n` complaints about `service` received on 1 April 2025 and acknowledged by letter that day.
async fn acknowledged(app: &TestApp, token: &str, service: &str, n: usize) -> Vec<Value> {
    let ack =
        json!({"method": "letter", "handling_discussion_offered": true, "meeting_offered": false});
    let mut cases = Vec::new();
    for _ in 0..n {
        let case = app
            .create_case(token, &complaint(service, "2025-04-01"))
            .await;
        cases.push(app.act_ok(token, &case, "acknowledge", ack.clone()).await);
    }
    cases
}

/// Reg 14(4) at its last day. Four complaints received on 1 April 2025 and acknowledged that
/// day: their six months end on 30 September 2025. On that day a letter is sent for the first
/// (in time) and the second is answered (so it never owed one); on 1 October a letter is sent
/// for the third (a day late) and the fourth is answered (after its six months, with no letter).
/// Owed: the first, third and fourth; sent in time: the first; missed: the third and fourth.
#[tokio::test]
async fn a_six_month_letter_sent_or_an_answer_given_on_the_last_day_is_in_time() {
    let app = spawn_app().await;
    let service = insert_service(&app, "SIXEDGE", None).await;
    let token = signed_in_on(&app, "2025-04-01").await;
    let cases = acknowledged(&app, &token, &service, 4).await;
    for case in &cases {
        assert_eq!(case["six_month_letter_due_on"], "2025-09-30");
    }
    let letter = |on: &str| json!({"sent_on": on, "explanation": "We are waiting for an independent clinical review."});
    let token = signed_in_on(&app, "2025-09-30").await;
    app.act_ok(&token, &cases[0], "six-month-letter", letter("2025-09-30"))
        .await;
    app.act_ok(&token, &cases[1], "respond", respond(&[])).await;
    // Seen on the due day itself, the two letters not yet sent are owed but not yet missed.
    assert_eq!(
        six_month_letters(&app, &token, "2025-09-30").await,
        (3, 1, 0)
    );
    let token = signed_in_on(&app, "2025-10-01").await;
    app.act_ok(&token, &cases[2], "six-month-letter", letter("2025-10-01"))
        .await;
    app.act_ok(&token, &cases[3], "respond", respond(&[])).await;

    let token = signed_in_on(&app, "2026-04-02").await;
    assert_eq!(
        six_month_letters(&app, &token, "2026-03-31").await,
        (3, 1, 2)
    );
}

/// The board's six-month letters (due, sent, missed) from 1 April 2025 to `to`.
async fn six_month_letters(app: &TestApp, token: &str, to: &str) -> (i64, i64, i64) {
    let path = format!("/api/v1/reports/board?from=2025-04-01&to={to}");
    let board = get(app, token, &path).await;
    let t = &board["current"]["timeliness"];
    let n = |k: &str| t[k].as_i64().unwrap_or_else(|| panic!("{k} in {t}"));
    (
        n("six_month_letters_due"),
        n("six_month_letters_sent"),
        n("six_month_letters_missed"),
    )
}

#[tokio::test]
async fn the_six_month_letter_indicator_counts_only_letters_owed() {
    let app = spawn_app().await;
    let service = insert_service(&app, "SIXOWED", None).await;
    let token = signed_in_on(&app, "2025-04-01").await;
    let make = acknowledged(&app, &token, &service, 3).await;
    let mut late = complaint(&service, "2025-04-01");
    late["incident_on"] = json!("2023-01-01");
    let declined = app.create_case(&token, &late).await;
    // Left in "received": its acknowledgement is what is overdue, not a letter.
    let never = app
        .create_case(&token, &complaint(&service, "2025-04-01"))
        .await;
    // Withdrawn, answered and declined before six months: no letter owed.
    let token = signed_in_on(&app, "2025-06-10").await;
    app.act_ok(
        &token,
        &make[1],
        "withdraw",
        json!({"reason": "Resolved informally"}),
    )
    .await;
    app.act_ok(&token, &make[2], "respond", respond(&[])).await;
    app.act_ok(
        &token,
        &declined,
        "time-limit-decision",
        json!({"decision": "declined", "decline_reason": "No good reason for the delay"}),
    )
    .await;
    // Six months ended on 30 September 2025: only the first complaint still owed a letter,
    // and none was sent.
    let token = signed_in_on(&app, "2026-04-02").await;
    let board = get(
        &app,
        &token,
        "/api/v1/reports/board?from=2025-04-01&to=2026-03-31",
    )
    .await;
    let t = &board["current"]["timeliness"];
    assert_eq!(t["six_month_letters_due"], 1, "{t}");
    assert_eq!(t["six_month_letters_missed"], 1);
    assert_eq!(t["six_month_letters_sent"], 0);
    // Both unacknowledged complaints missed their 3-day date, the declined one included.
    assert_eq!(t["awaiting_acknowledgement_overdue"], 2);
    let view = get(
        &app,
        &token,
        &format!("/api/v1/cases/{}", never["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(view["overdue"]["acknowledgement"], true);
    assert_eq!(view["overdue"]["six_month_letter"], false, "{view}");
    let annual = get(&app, &token, "/api/v1/reports/annual?year=2025").await;
    assert!(
        annual
            .to_string()
            .contains("still open and unanswered six months after they were received"),
        "{annual}"
    );
}

#[tokio::test]
async fn a_complaint_about_two_sites_is_counted_once_at_its_primary_service() {
    let app = spawn_app().await;
    let one = insert_service(&app, "SITEONE", None).await;
    let two = insert_service(&app, "SITETWO", None).await;
    // The primary is the service with the higher id, so that "lowest id" would be wrong.
    let (low, high) = if one < two { (one, two) } else { (two, one) };
    let token = signed_in_on(&app, "2025-06-02").await;
    let mut body = complaint(&high, "2025-06-02");
    body["service_ids"] = json!([high, low]);
    let case = app.create_case(&token, &body).await;
    assert_eq!(case["primary_service_id"], high.as_str());
    assert_eq!(case["service_ids"], json!([high, low]));
    let at = |r: &Value, site: &str| -> Value {
        r["sites"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["service_id"] == site)
            .map_or(json!(0), |s| s["summary"]["new"].clone())
    };
    let token = signed_in_on(&app, "2025-06-10").await;
    let r = get(&app, &token, "/api/v1/reports/ko41a?year=2025").await;
    assert_eq!(r["total"]["summary"]["new"], 1);
    assert_eq!(at(&r, &high), 1, "{r}");
    assert_eq!(at(&r, &low), 0, "counted once");
    // The primary service is changed: the complaint moves with it.
    let path = format!("/api/v1/cases/{}", case["id"].as_str().unwrap());
    let patch = app
        .at_current_version(&token, &path, json!({"service_ids": [low, high]}))
        .await;
    let res = app.patch(&path, &token, &patch).await;
    assert_eq!(res.status(), 200);
    let edited: Value = res.json().await.unwrap();
    assert_eq!(edited["primary_service_id"], low.as_str());
    let r = get(&app, &token, "/api/v1/reports/ko41a?year=2025").await;
    assert_eq!(at(&r, &low), 1, "{r}");
    assert_eq!(at(&r, &high), 0);
    assert_eq!(r["total"]["summary"]["new"], 1);
}

#[tokio::test]
async fn a_submitted_ko41a_is_kept_and_the_live_return_shows_what_changed_since() {
    let app = spawn_app().await;
    let s = crate::reports::seed(&app).await;
    let path = "/api/v1/reports/ko41a/2025/submissions";
    let (_, board) = app.signed_in(Role::Board).await;
    crate::helpers::assert_problem(app.post(path, &board, &json!({})).await, 403).await;

    let res = app
        .post(
            path,
            &s.manager,
            &json!({"note": "Annual return as uploaded to SDCS"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let first: Value = res.json().await.unwrap();
    assert_eq!(first["year"], 2025);
    assert_eq!(first["figures"]["total"]["summary"]["new"], 4);
    assert_eq!(first["note"], "Annual return as uploaded to SDCS");
    let live = get(&app, &s.manager, "/api/v1/reports/ko41a?year=2025").await;
    assert_eq!(live["since_submission"]["submission_id"], first["id"]);
    assert_eq!(live["since_submission"]["differences"], json!([]));

    // A complaint from June 2025 logged late: the return is restated, and says how.
    app.create_case(&s.manager, &complaint(&s.site_a, "2025-06-20"))
        .await;
    let live = get(&app, &s.manager, "/api/v1/reports/ko41a?year=2025").await;
    let diffs = live["since_submission"]["differences"].as_array().unwrap();
    assert!(
        diffs.contains(&json!({"figure": "total.summary.new", "submitted": 4, "now": 5})),
        "{diffs:?}"
    );
    assert!(
        diffs
            .iter()
            .all(|d| d["figure"].as_str().unwrap() != "total.summary.resolved"),
        "unchanged figures are not listed: {diffs:?}"
    );

    // Submitted again: both are kept, newest first; the board may read them.
    let res = app
        .post(
            path,
            &s.manager,
            &json!({"note": "Restated: late-logged complaint"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let list: Vec<Value> = get(&app, &board, path).await.as_array().unwrap().clone();
    assert_eq!(list.len(), 2);
    assert_eq!(list[1]["id"], first["id"]);
    assert_eq!(list[0]["figures"]["total"]["summary"]["new"], 5);
    let live = get(&app, &s.manager, "/api/v1/reports/ko41a?year=2025").await;
    assert_eq!(live["since_submission"]["differences"], json!([]));

    // A return that fails validation is not submitted.
    let stray = insert_service(&app, "NOAREA", None).await;
    app.create_case(&s.manager, &complaint(&stray, "2023-06-01"))
        .await;
    let problem = crate::helpers::assert_problem(
        app.post(
            "/api/v1/reports/ko41a/2023/submissions",
            &s.manager,
            &json!({}),
        )
        .await,
        409,
    )
    .await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("fails validation")
    );
    assert!(
        get(&app, &s.manager, "/api/v1/reports/ko41a/2023/submissions")
            .await
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn the_annual_report_shows_well_founded_and_hides_only_what_would_give_a_small_part_away() {
    let app = spawn_app().await;
    let service = insert_service(&app, "REG18", None).await;
    let token = signed_in_on(&app, "2025-05-01").await;
    let ack =
        json!({"method": "letter", "handling_discussion_offered": true, "meeting_offered": false});
    // 3 upheld, 12 partly upheld, 6 not upheld in 2025-26.
    for (n, upheld) in [
        (3, vec!["admissions_discharges", "communications"]),
        (12, vec!["admissions_discharges"]),
        (6, vec![]),
    ] {
        for _ in 0..n {
            let case = app
                .create_case(&token, &complaint(&service, "2025-05-01"))
                .await;
            let case = app.act_ok(&token, &case, "acknowledge", ack.clone()).await;
            app.act_ok(&token, &case, "respond", respond(&upheld)).await;
        }
    }
    let token = signed_in_on(&app, "2026-05-01").await;
    let r = get(&app, &token, "/api/v1/reports/annual?year=2025").await;
    // Reg 18(b): decided well-founded is 15, shown though one of its parts is small.
    assert_eq!(r["decided_well_founded"], 15, "{r}");
    assert_eq!(r["responses_sent"], 21);
    assert_eq!(r["not_upheld"], 6);
    // Upheld (3) is hidden, and so is partly upheld, which would give it away (15 − 12).
    assert!(r["upheld"].is_null());
    assert!(r["partially_upheld"].is_null());
    assert_eq!(r["well_founded_pct"], 71.4);

    // The board report's outcomes are protected the same way: before, responded (21),
    // partly upheld (12) and not upheld (6) were shown, giving away upheld = 3.
    let (_, board) = app.signed_in(Role::Board).await;
    let b = get(
        &app,
        &board,
        "/api/v1/reports/board?from=2025-04-01&to=2026-03-31",
    )
    .await;
    let o = &b["current"]["outcomes"];
    assert!(o["upheld"].is_null(), "{o}");
    let hidden = |k: &str| o[k].is_null();
    for sum in [
        vec!["responded", "upheld", "partially_upheld", "not_upheld"],
        vec!["upheld", "partially_upheld"],
    ] {
        let n = sum.iter().filter(|k| hidden(k)).count();
        assert_ne!(n, 1, "one hidden cell in {sum:?} could be worked out: {o}");
    }
    assert_eq!(o["responded"], 21);
    assert_eq!(o["well_founded_pct"], 71.4, "15 of 21 may be shown");
}

#[tokio::test]
async fn carried_forward_is_next_years_brought_forward_in_total_and_at_every_site() {
    let app = spawn_app().await;
    let s = crate::reports::seed(&app).await;
    // And one declined as out of time in 2025-26 without a response.
    let mut late = complaint(&s.site_b, "2025-09-01");
    late["incident_on"] = json!("2023-01-01");
    let declined = app.create_case(&s.manager, &late).await;
    let token = signed_in_on(&app, "2025-09-05").await;
    app.act_ok(
        &token,
        &declined,
        "time-limit-decision",
        json!({"decision": "declined", "decline_reason": "No good reason for the delay"}),
    )
    .await;
    for year in [2024, 2025] {
        let this = get(
            &app,
            &s.manager,
            &format!("/api/v1/reports/ko41a?year={year}"),
        )
        .await;
        let next = get(
            &app,
            &token,
            &format!("/api/v1/reports/ko41a?year={}", year + 1),
        )
        .await;
        let m = &this["total"]["summary"];
        assert_eq!(
            m["carried_forward"], next["total"]["summary"]["brought_forward"],
            "{year}: {m}"
        );
        let n = |k: &str| m[k].as_i64().unwrap();
        assert_eq!(
            n("carried_forward"),
            n("brought_forward") + n("new") - n("resolved") - n("withdrawn")
        );
        for site in this["sites"].as_array().unwrap() {
            let carried = &site["summary"]["carried_forward"];
            let brought = next["sites"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["service_id"] == site["service_id"])
                .map_or(json!(0), |x| x["summary"]["brought_forward"].clone());
            assert_eq!(carried, &brought, "{year} site {}", site["code"]);
        }
        let breaks: Vec<&Value> = this["total"]["validation"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| v.as_str().unwrap().contains("Carried forward"))
            .collect();
        assert!(breaks.is_empty(), "{breaks:?}");
    }
    // The declined complaint left in 2025-26 like a withdrawn one.
    let r = get(&app, &token, "/api/v1/reports/ko41a?year=2025").await;
    assert_eq!(r["total"]["summary"]["withdrawn"], 2);
}

#[tokio::test]
async fn the_board_reads_whole_reporting_periods_only() {
    let app = spawn_app().await;
    let (_, board) = app.signed_in(Role::Board).await;
    let (_, manager) = app.signed_in(Role::ComplaintsManager).await;
    let path = |from: &str, to: &str| format!("/api/v1/reports/board?from={from}&to={to}");
    // Overlapping ranges a day apart could be differenced: refused to the board.
    for (from, to) in [
        ("2026-01-01", "2026-02-01"),
        ("2026-01-02", "2026-01-31"),
        ("2026-02-01", "2026-04-30"),
        ("2025-01-01", "2025-12-31"),
    ] {
        let problem =
            crate::helpers::assert_problem(app.get(&path(from, to), &board).await, 400).await;
        assert!(
            problem.to_string().contains("whole reporting periods"),
            "{from}..{to}: {problem}"
        );
        // Managers keep any range.
        assert_eq!(app.get(&path(from, to), &manager).await.status(), 200);
    }
    for (from, to, previous) in [
        ("2026-01-01", "2026-01-31", ("2025-12-01", "2025-12-31")),
        ("2026-03-01", "2026-03-31", ("2026-02-01", "2026-02-28")),
        ("2026-04-01", "2026-06-30", ("2026-01-01", "2026-03-31")),
        ("2025-04-01", "2026-03-31", ("2024-04-01", "2025-03-31")),
    ] {
        let r = get(&app, &board, &path(from, to)).await;
        assert_eq!(
            r["previous"]["period"],
            json!({"from": previous.0, "to": previous.1}),
            "{from}..{to}"
        );
    }
}

//! The permission matrix, generated from the one table in `permission_table.rs`: every
//! operation of the OpenAPI document × every role (× for investigators, cases of theirs —
//! assigned to them or in a service they lead — and cases that are not) gets the answer the
//! table expects; without a token every non-public route is a 401. The test prints the matrix
//! it covered and collects every mismatch before failing.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use candour::domain::role::Role;
use chrono::Datelike;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, complaint, insert_service, pals_concern, spawn_app};
use crate::permission_table::{Access, Row, SETS, TABLE};

const LOGOUT: &str = "POST /api/v1/auth/logout";

/// How a case is the investigator's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mine {
    Assigned,
    Led,
    Not,
}

/// The cases requests are about. Investigators are tried on each; the other roles, who see
/// every case, on those that are not the investigator's (one of each kind).
const CASES: [(&str, Kind, Mine); 5] = [
    (
        "complaint assigned to the investigator",
        Kind::Complaint,
        Mine::Assigned,
    ),
    (
        "complaint in the investigator's service",
        Kind::Complaint,
        Mine::Led,
    ),
    (
        "PALS concern in the investigator's service",
        Kind::Pals,
        Mine::Led,
    ),
    (
        "complaint not the investigator's",
        Kind::Complaint,
        Mine::Not,
    ),
    ("PALS concern not the investigator's", Kind::Pals, Mine::Not),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Complaint,
    Pals,
}

/// A case the requests are about, with a meeting and a letter on it.
struct Target {
    label: &'static str,
    kind: Kind,
    /// Assigned to the investigator, or in a service they lead.
    own: bool,
    case: String,
    reference: String,
    meeting: String,
    letter: String,
    document: String,
}

/// Real ids for the other path parameters (and the query placeholders).
struct Ids {
    user: String,
    service: String,
    change: String,
    person: String,
    outbox: String,
    assessment: String,
    year: String,
    from: String,
    to: String,
}

/// A signed-in member of staff.
struct Caller {
    role: Role,
    id: String,
    token: String,
}

struct World {
    app: TestApp,
    callers: Vec<Caller>,
    targets: Vec<Target>,
    ids: Ids,
}

/// What a request must get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Anything but 401 or 403 (and no server error): the body may still be refused.
    Allowed,
    /// 403 as a problem document.
    Forbidden,
    /// 401 as a problem document.
    SignIn,
}

#[derive(Default)]
struct Tally {
    requests: usize,
    allowed: usize,
    forbidden: usize,
    signed_out: usize,
    mismatches: Vec<String>,
}

#[tokio::test]
async fn every_route_for_every_role_answers_as_the_permission_table_says() {
    let started = Instant::now();
    let w = world().await;
    let set_up = started.elapsed();
    let mut t = Tally::default();
    check_role_sets(&mut t);
    let documented = check_coverage(&w.app, &mut t).await;
    // Signing out ends the session every other row uses: it goes last.
    let (last, rows): (Vec<&Row>, Vec<&Row>) = TABLE.iter().partition(|r| r.op == LOGOUT);
    for row in rows.into_iter().chain(last) {
        run_row(&w, row, &mut t).await;
    }
    let summary = summary(&w, &t, documented, [set_up, started.elapsed() - set_up]);
    eprintln!("{summary}");
    assert!(
        t.mismatches.is_empty(),
        "{summary}\n{} answers differ from the permission table:\n  {}",
        t.mismatches.len(),
        t.mismatches.join("\n  ")
    );
}

/// The app, a member of staff of each role signed in once, the cases and the other records.
async fn world() -> World {
    let app = spawn_app().await;
    let mut callers = Vec::new();
    for role in Role::ALL {
        let (user, token) = app.signed_in(role).await;
        callers.push(Caller {
            role,
            id: user.id,
            token,
        });
    }
    let investigator = callers[3].id.clone();
    assert_eq!(callers[3].role, Role::Investigator);
    let led = insert_service(&app, "LED", Some(&investigator)).await;
    let other = insert_service(&app, "OTHER", None).await;
    let manager = callers[1].token.clone();
    let mut targets = Vec::new();
    for (label, kind, how) in CASES {
        let service = if how == Mine::Led { &led } else { &other };
        let assignee = (how == Mine::Assigned).then_some(investigator.as_str());
        let mut target = target(&app, &manager, kind, service, assignee).await;
        target.label = label;
        target.own = how != Mine::Not;
        targets.push(target);
    }
    let ids = ids(&app, &callers, &targets, other).await;
    World {
        app,
        callers,
        targets,
        ids,
    }
}

/// A case of `kind` about `service`, logged by a manager, optionally with its investigator,
/// with a meeting offered and a progress update written on it.
async fn target(
    app: &TestApp,
    manager: &str,
    kind: Kind,
    service: &str,
    investigator: Option<&str>,
) -> Target {
    let day = (app.today() - chrono::Duration::days(10)).to_string();
    let body = match kind {
        Kind::Complaint => complaint(service, &day),
        Kind::Pals => pals_concern(service, &day),
    };
    let mut case = app.create_case(manager, &body).await;
    if let Some(id) = investigator {
        let assign = json!({ "investigator_id": id });
        case = app.act_ok(manager, &case, "assign", assign).await;
    }
    let id = case["id"].as_str().unwrap().to_string();
    let meeting = format!("/api/v1/cases/{id}/meetings");
    let meeting = created(app.post(&meeting, manager, &json!({})).await).await;
    let update = json!({ "message": "We have spoken to the ward and will write again soon." });
    let letter = format!("/api/v1/cases/{id}/updates");
    let letter = created(app.post(&letter, manager, &update).await).await;
    let (content_type, form) = crate::documents::form(&[
        crate::documents::file("letter.pdf", crate::documents::PDF),
        crate::documents::field("kind", "complainant_letter"),
    ]);
    let document = app
        .client
        .post(app.url(&format!("/api/v1/cases/{id}/documents")))
        .bearer_auth(manager)
        .header("content-type", content_type)
        .body(form)
        .send()
        .await
        .unwrap();
    let document = created(document).await;
    if kind == Kind::Complaint {
        // A Duty of Candour record and an ombudsman referral to read.
        let candour = json!({ "became_aware_on": day });
        let path = format!("/api/v1/cases/{id}/candour");
        created(app.post(&path, manager, &candour).await).await;
        let referral = json!({ "referred_on": app.today().to_string() });
        let path = format!("/api/v1/cases/{id}/ombudsman");
        created(app.post(&path, manager, &referral).await).await;
    }
    Target {
        label: "",
        kind,
        own: false,
        reference: case["reference"].as_str().unwrap().to_string(),
        case: id,
        meeting: meeting["id"].as_str().unwrap().to_string(),
        letter: letter["id"].as_str().unwrap().to_string(),
        document: document["id"].as_str().unwrap().to_string(),
    }
}

/// The body of a 201.
async fn created(res: reqwest::Response) -> Value {
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert_eq!(status, 201, "setting up the matrix: {body}");
    body
}

/// A spare account, a service change answering every case, a person, a message in the outbox,
/// a framework self-assessment, this financial year and a period of reports.
async fn ids(app: &TestApp, callers: &[Caller], targets: &[Target], service: String) -> Ids {
    let (admin, manager) = (&callers[0], &callers[1]);
    let today = app.today();
    let change = json!({
        "title": "Explain discharge medicines",
        "description": "A pharmacist goes through each medicine with the patient.",
        "reason": "Patients left without knowing their medicines.",
        "public_summary": "A pharmacist now explains each of your medicines.",
        "service_id": service,
        "owner_id": manager.id,
        "due_on": (today + chrono::Duration::days(30)).to_string(),
        "case_ids": targets.iter().map(|t| t.case.as_str()).collect::<Vec<_>>(),
    });
    let change = app
        .post("/api/v1/service-changes", &manager.token, &change)
        .await;
    let change = created(change).await;
    let persons = app.get("/api/v1/persons?q=Alex", &manager.token).await;
    let persons: Value = persons.json().await.unwrap();
    let outbox = app.get("/api/v1/outbox", &admin.token).await;
    let outbox: Value = outbox.json().await.unwrap();
    let item = json!({ "code": "10E", "score": 3 });
    let assessment = json!({ "assessed_on": today.to_string(), "items": [item] });
    let assessment = app
        .post("/api/v1/framework-assessments", &manager.token, &assessment)
        .await;
    let assessment = created(assessment).await;
    let year = if today.month() >= 4 {
        today.year()
    } else {
        today.year() - 1
    };
    Ids {
        user: app.create_user(Role::PalsOfficer).await.id,
        service,
        change: change["id"].as_str().unwrap().to_string(),
        person: persons[0]["person"]["id"].as_str().unwrap().to_string(),
        outbox: outbox["items"][0]["id"].as_str().unwrap().to_string(),
        assessment: assessment["id"].as_str().unwrap().to_string(),
        year: year.to_string(),
        from: (today - chrono::Duration::days(60)).to_string(),
        to: today.to_string(),
    }
}

/// Each named role set of the table holds exactly the roles `role.rs` gives its permissions.
fn check_role_sets(t: &mut Tally) {
    for (name, roles, permissions) in SETS {
        let named: BTreeSet<&str> = roles.iter().map(|r| r.as_str()).collect();
        for permission in *permissions {
            let holders: BTreeSet<&str> = Role::ALL
                .iter()
                .filter(|r| r.can(*permission))
                .map(|r| r.as_str())
                .collect();
            if holders != named {
                t.mismatches.push(format!(
                    "role.rs gives {permission:?} to {holders:?}, but the table's {name} is \
                     {named:?}: review the table"
                ));
            }
        }
    }
}

/// Every operation of the served OpenAPI document is in the table and the table names none
/// that is not; public rows are exactly the operations without bearer security.
async fn check_coverage(app: &TestApp, t: &mut Tally) -> usize {
    let doc = app.client.get(app.url("/api-docs/openapi.json")).send();
    let doc: Value = doc.await.unwrap().json().await.unwrap();
    let mut documented = BTreeMap::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            let secured = op.get("security").is_some();
            documented.insert(format!("{} {path}", method.to_uppercase()), secured);
        }
    }
    let tabled: BTreeSet<&str> = TABLE.iter().map(|r| r.op).collect();
    for op in documented.keys().filter(|op| !tabled.contains(op.as_str())) {
        t.mismatches.push(format!(
            "{op} is in the OpenAPI document but not in the permission table: add it"
        ));
    }
    for row in TABLE {
        let public = matches!(row.access, Access::Public);
        match documented.get(row.op) {
            None => t.mismatches.push(format!(
                "{} is in the permission table but not in the OpenAPI document",
                row.op
            )),
            Some(secured) if *secured == public => t.mismatches.push(format!(
                "{}: the table says {}, the document {}",
                row.op,
                if public { "public" } else { "signed in" },
                if *secured { "bearer security" } else { "none" },
            )),
            Some(_) => {}
        }
    }
    documented.len()
}

/// Send `row` without a token (unless public), then as each role on each case it concerns.
async fn run_row(w: &World, row: &Row, t: &mut Tally) {
    let cases: Vec<Option<&Target>> = match row.access {
        Access::Public | Access::Roles(_) => vec![None],
        Access::Case(_) | Access::CaseByKind(..) => w.targets.iter().map(Some).collect(),
    };
    let first = cases.iter().rev().find(|c| c.is_none_or(|x| !x.own));
    let anonymous = if matches!(row.access, Access::Public) {
        Expect::Allowed
    } else {
        Expect::SignIn
    };
    probe(w, row, None, *first.unwrap(), anonymous, t).await;
    for caller in &w.callers {
        for target in &cases {
            // Own and other matter to investigators only; the rest see every case.
            if target.is_some_and(|x| x.own) && caller.role != Role::Investigator {
                continue;
            }
            let expect = expected(row.access, caller.role, *target);
            probe(w, row, Some(caller), *target, expect, t).await;
        }
    }
}

/// What the table says `role` gets on `target`.
fn expected(access: Access, role: Role, target: Option<&Target>) -> Expect {
    let roles = match access {
        Access::Public => return Expect::Allowed,
        Access::Roles(roles) | Access::Case(roles) => roles,
        Access::CaseByKind(complaints, pals) => match target.expect("a case").kind {
            Kind::Complaint => complaints,
            Kind::Pals => pals,
        },
    };
    let sees = target.is_none_or(|t| t.own || role != Role::Investigator);
    if roles.contains(&role) && sees {
        Expect::Allowed
    } else {
        Expect::Forbidden
    }
}

/// One request, judged; a mismatch is recorded with who sent it and about what.
async fn probe(
    w: &World,
    row: &Row,
    caller: Option<&Caller>,
    target: Option<&Target>,
    expect: Expect,
    t: &mut Tally,
) {
    let path = fill_path(row.path(), &w.ids, target);
    let query = fill_query(row.query, &w.ids, target);
    let method = Method::from_bytes(row.method().as_bytes()).unwrap();
    let mut url = w.app.url(&path);
    if !query.is_empty() {
        url = format!("{url}?{query}");
    }
    let mut req = w.app.client.request(method.clone(), url);
    if let Some(c) = caller {
        req = req.bearer_auth(&c.token);
    }
    if method != Method::GET {
        req = req
            .header("content-type", "application/json")
            .body(row.body);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let problem = res
        .headers()
        .get("content-type")
        .is_some_and(|v| v == "application/problem+json");
    let body = res.text().await.unwrap_or_default();
    let problem =
        problem && serde_json::from_str::<Value>(&body).is_ok_and(|b| b["status"] == status);
    t.requests += 1;
    match expect {
        Expect::Allowed => t.allowed += 1,
        Expect::Forbidden => t.forbidden += 1,
        Expect::SignIn => t.signed_out += 1,
    }
    let wrong = judge(expect, status, problem)
        .or_else(|| leak(w, row, caller, status, &body))
        .map(|why| format!("{why}: {}", snippet(&body)));
    if let Some(why) = wrong {
        let who = caller.map_or("no token", |c| c.role.as_str());
        let on = target.map_or(String::new(), |x| format!(" on the {}", x.label));
        t.mismatches.push(format!("{} as {who}{on}: {why}", row.op));
    }
}

fn judge(expect: Expect, status: u16, problem: bool) -> Option<String> {
    let fine = match expect {
        Expect::Allowed => !matches!(status, 401 | 403) && status < 500,
        Expect::Forbidden => status == 403 && problem,
        Expect::SignIn => status == 401 && problem,
    };
    let wanted = match expect {
        Expect::Allowed => "to be let through",
        Expect::Forbidden => "403 problem+json",
        Expect::SignIn => "401 problem+json",
    };
    (!fine).then(|| {
        format!(
            "expected {wanted}, got {status}{}",
            if problem { " problem" } else { "" }
        )
    })
}

/// A successful answer must not name a case the caller may not see: for an investigator the
/// cases that are not theirs; for the board, a caller without a token and any public route,
/// any case at all.
fn leak(w: &World, row: &Row, caller: Option<&Caller>, status: u16, body: &str) -> Option<String> {
    if !(200..300).contains(&status) {
        return None;
    }
    let role = caller.map(|c| c.role);
    let nothing = role.is_none_or(|r| r == Role::Board) || matches!(row.access, Access::Public);
    if !nothing && role != Some(Role::Investigator) {
        return None;
    }
    w.targets
        .iter()
        .filter(|x| nothing || !x.own)
        .find(|x| body.contains(&x.case) || body.contains(&x.reference))
        .map(|x| format!("the answer names the {} ({})", x.label, x.reference))
}

fn snippet(body: &str) -> String {
    body.chars()
        .take(160)
        .collect::<String>()
        .replace('\n', " ")
}

/// `path` with each `{param}` replaced by a real id, chosen by the segment before it.
fn fill_path(path: &str, ids: &Ids, target: Option<&Target>) -> String {
    let case = || target.expect("a case route has a case");
    let segments: Vec<&str> = path.split('/').collect();
    let mut filled = Vec::with_capacity(segments.len());
    for (i, segment) in segments.iter().enumerate() {
        if !segment.starts_with('{') {
            filled.push(segment.to_string());
            continue;
        }
        let value = match (segments[i - 1], *segment) {
            ("cases", "{id}") => case().case.clone(),
            ("letters", "{letter_id}") => case().letter.clone(),
            ("documents", "{id}") => case().document.clone(),
            ("meetings", "{id}") => case().meeting.clone(),
            ("service-changes", "{id}") => ids.change.clone(),
            ("users", "{id}") => ids.user.clone(),
            ("services", "{id}") => ids.service.clone(),
            ("persons", "{id}") => ids.person.clone(),
            ("outbox", "{id}") => ids.outbox.clone(),
            ("ko41a", "{year}") => ids.year.clone(),
            ("taxonomy", "{list}") => "subject_area".into(),
            (_, "{code}") => "communications".into(),
            ("framework-assessments", "{id}") => ids.assessment.clone(),
            (before, param) => panic!("no value for {param} after {before} in {path}"),
        };
        filled.push(value);
    }
    filled.join("/")
}

fn fill_query(query: &str, ids: &Ids, target: Option<&Target>) -> String {
    let mut query = query
        .replace("{year}", &ids.year)
        .replace("{from}", &ids.from)
        .replace("{to}", &ids.to);
    if query.contains("{case}") {
        query = query.replace("{case}", &target.expect("a case query").case);
    }
    query
}

/// The matrix as covered: one line per row, one column per role.
fn summary(w: &World, t: &Tally, documented: usize, took: [Duration; 2]) -> String {
    let own = w.targets.iter().filter(|x| x.own).count();
    let mut out = format!(
        "Permission matrix: {documented} operations ({} rows) × {} roles; cases: {own} of the \
         investigator's, {} not; set up in {:.1?}, then {} requests in {:.1?}: {} to be let through, {} refused \
         (403), {} without a token (401).\n\
         yes: allowed · own: only on a case assigned to them or in a service they lead · \
         PALS: only on PALS concerns · -: refused · open: no sign-in\n",
        TABLE.len(),
        w.callers.len(),
        w.targets.len() - own,
        took[0],
        t.requests,
        took[1],
        t.allowed,
        t.forbidden,
        t.signed_out,
    );
    let _ = writeln!(
        out,
        "{:<62}{:<7}{:<7}{:<7}{:<7}{:<7}",
        "operation", "admin", "mgr", "pals", "inv", "board"
    );
    for row in TABLE {
        let mut line = format!("{:<62}", format!("{}{}", row.op, query_note(row)));
        for role in Role::ALL {
            let _ = write!(line, "{:<7}", cell(row.access, role));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn query_note(row: &Row) -> String {
    if row.query.contains("{case}") {
        format!(" ?{}", row.query)
    } else {
        String::new()
    }
}

fn cell(access: Access, role: Role) -> &'static str {
    let (complaints, pals) = match access {
        Access::Public => return "open",
        Access::Roles(roles) => return if roles.contains(&role) { "yes" } else { "-" },
        Access::Case(roles) => (roles, roles),
        Access::CaseByKind(complaints, pals) => (complaints, pals),
    };
    match (complaints.contains(&role), pals.contains(&role)) {
        (true, true) if role == Role::Investigator => "own",
        (true, true) => "yes",
        (false, true) => "PALS",
        (true, false) => "cmpl",
        (false, false) => "-",
    }
}

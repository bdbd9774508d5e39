//! The staff workspace over HTTP: signing in and out through the pages (a strict, HttpOnly
//! session cookie; a CSRF token on every form; the API's lockout), the idle and absolute
//! timeouts, and "my work" ordered and counted from due dates worked out by hand.

use candour::domain::role::Role;
use chrono::{Duration, NaiveDate};
use reqwest::{Response, StatusCode};
use serde_json::json;

use crate::helpers::{PASSWORD, TestApp, TestUser, complaint, insert_service, spawn_app};

/// The value of the hidden input `name` on a page.
pub(crate) fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} field on the page:\n{html}"))
        + marker.len();
    unescape(html[start..].split('"').next().unwrap_or(""))
}

/// Text as it was before the templates escaped it for HTML.
fn unescape(text: &str) -> String {
    text.replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The session cookie a response sets (`name=value`), with its attributes.
fn set_cookie(res: &Response) -> String {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.starts_with("candour_staff="))
        .expect("a session cookie is set")
}

fn location(res: &Response) -> String {
    res.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// A page fetched with the session cookie `cookie`.
pub(crate) async fn page(app: &TestApp, cookie: &str, path: &str) -> Response {
    app.client
        .get(app.url(path))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
}

/// A form posted with the session cookie `cookie`.
pub(crate) async fn post_form(
    app: &TestApp,
    cookie: &str,
    path: &str,
    form: &[(&str, &str)],
) -> Response {
    app.client
        .post(app.url(path))
        .header("cookie", cookie)
        .form(form)
        .send()
        .await
        .unwrap()
}

async fn sign_in_form(app: &TestApp, email: &str, password: &str) -> Response {
    let html = app
        .client
        .get(app.url("/staff/sign-in"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = hidden(&html, "form_token");
    app.client
        .post(app.url("/staff/sign-in"))
        .form(&[
            ("email", email),
            ("password", password),
            ("form_token", token.as_str()),
            ("next", "/staff/my-work"),
        ])
        .send()
        .await
        .unwrap()
}

/// Sign `user` in through the sign-in page; the `name=value` of their session cookie.
pub(crate) async fn signed_in_page(app: &TestApp, user: &TestUser) -> String {
    let res = sign_in_form(app, &user.email, &user.password).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    set_cookie(&res).split(';').next().unwrap().to_string()
}

#[tokio::test]
async fn signing_in_sets_a_strict_http_only_cookie_and_signing_out_ends_the_session() {
    let app = spawn_app().await;
    let user = app.create_user(Role::ComplaintsManager).await;

    // Not signed in: sent to sign in, and back to the page afterwards.
    let res = app
        .client
        .get(app.url("/staff/my-work"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/staff/sign-in?next=%2Fstaff%2Fmy-work");

    // A wrong password: the error summary, the email kept, no cookie.
    let res = sign_in_form(&app, &user.email, "not the password at all").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(res.headers().get("set-cookie").is_none());
    let html = res.text().await.unwrap();
    assert!(html.contains("There is a problem"), "{html}");
    assert!(html.contains(&format!("value=\"{}\"", user.email)));
    assert!(html.contains("<title>Error: Sign in"));

    // The right one: a session cookie the page's scripts cannot read, sent to Candour only.
    let res = sign_in_form(&app, &user.email, &user.password).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/staff/my-work");
    let set = set_cookie(&res);
    for attribute in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
        assert!(set.contains(attribute), "{attribute} missing from {set}");
    }
    let cookie = set.split(';').next().unwrap().to_string();

    let res = page(&app, &cookie, "/staff/my-work").await;
    assert_eq!(res.status(), StatusCode::OK);
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("script-src 'self'") && csp.contains("default-src 'none'"));
    assert_eq!(res.headers()["cache-control"], "no-store");
    let html = res.text().await.unwrap();
    assert!(html.contains("<h1>My work</h1>"));
    let csrf = hidden(&html, "csrf");

    // Signing out needs the form's token …
    let res = post_form(&app, &cookie, "/staff/sign-out", &[("csrf", "forged")]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        page(&app, &cookie, "/staff/my-work").await.status(),
        StatusCode::OK
    );
    // … and with it ends the session at once: the cookie no longer works.
    let res = post_form(&app, &cookie, "/staff/sign-out", &[("csrf", csrf.as_str())]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/staff/sign-in?signed_out=1");
    assert!(set_cookie(&res).contains("Max-Age=0"));
    let res = page(&app, &cookie, "/staff/my-work").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(location(&res).starts_with("/staff/sign-in"));

    // A token from one session does not work in another.
    let other = signed_in_page(&app, &user).await;
    let res = post_form(&app, &other, "/staff/sign-out", &[("csrf", csrf.as_str())]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_sign_in_form_from_elsewhere_is_refused_and_next_never_leaves_candour() {
    let app = spawn_app().await;
    let user = app.create_user(Role::PalsOfficer).await;
    let res = app
        .client
        .post(app.url("/staff/sign-in"))
        .form(&[("email", user.email.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.headers().get("set-cookie").is_none());
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("The sign-in form had expired")
    );

    let html = app
        .client
        .get(app.url("/staff/sign-in?next=https://evil.example/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(hidden(&html, "next"), "/staff");
}

#[tokio::test]
async fn the_pages_lock_out_an_address_as_the_api_does() {
    let app = spawn_app().await;
    let user = app.create_user(Role::ComplaintsManager).await;
    let max = app.settings.auth.max_failed_logins;
    for _ in 0..max {
        let res = sign_in_form(&app, &user.email, "a wrong password here").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    // Locked out from this address: even the right password is refused, with the same words.
    let res = sign_in_form(&app, &user.email, &user.password).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(res.headers().get("set-cookie").is_none());
    // And the API agrees.
    assert_eq!(app.login(&user.email, &user.password).await.status(), 401);
}

#[tokio::test]
async fn a_page_session_ends_when_idle_and_at_its_absolute_lifetime() {
    let app = spawn_app().await;
    let user = app.create_user(Role::ComplaintsManager).await;
    let idle = app.settings.auth.page_idle_minutes;
    let start = app.clock.now_utc();

    let cookie = signed_in_page(&app, &user).await;
    // Used within the idle time: still signed in, and the idle clock starts again.
    app.set_clock(start + Duration::minutes(idle - 1));
    assert_eq!(
        page(&app, &cookie, "/staff/my-work").await.status(),
        StatusCode::OK
    );
    app.set_clock(start + Duration::minutes(2 * idle - 2));
    assert_eq!(
        page(&app, &cookie, "/staff/my-work").await.status(),
        StatusCode::OK
    );
    // Then left alone for longer than the idle time (a minute more, whatever the requests
    // took): signed out, told why, and the cookie cleared.
    app.set_clock(start + Duration::minutes(3 * idle - 1));
    let res = page(&app, &cookie, "/staff/my-work").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&res),
        "/staff/sign-in?next=%2Fstaff%2Fmy-work&ended=idle"
    );
    assert!(set_cookie(&res).contains("Max-Age=0"));
    // It stays ended even if used again at once; a form sent from the ended session changes
    // nothing and leads to the sign-in page.
    assert_eq!(
        page(&app, &cookie, "/staff/my-work").await.status(),
        StatusCode::SEE_OTHER
    );
    let res = post_form(&app, &cookie, "/staff/cases/new", &[("summary", "x")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/staff/sign-in");
    let html = app
        .client
        .get(app.url("/staff/sign-in?ended=idle"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(&format!("not used for {idle} minutes")));

    // A session used every few minutes still ends at its absolute lifetime.
    let hours = app.settings.auth.session_absolute_hours;
    let opened = app.clock.now_utc();
    let cookie = signed_in_page(&app, &user).await;
    let mut at = opened;
    while at + Duration::minutes(idle - 1) < opened + Duration::hours(hours) {
        at += Duration::minutes(idle - 1);
        app.set_clock(at);
        assert_eq!(
            page(&app, &cookie, "/staff/my-work").await.status(),
            StatusCode::OK
        );
    }
    // (A minute past it: the session opened a moment after `opened`, once the password was
    // checked.)
    app.set_clock(opened + Duration::hours(hours) + Duration::minutes(1));
    let res = page(&app, &cookie, "/staff/my-work").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(
        location(&res).ends_with("&ended=expired"),
        "{}",
        location(&res)
    );
}

/// Send the change-your-password form.
async fn change(
    app: &TestApp,
    cookie: &str,
    csrf: &str,
    current: &str,
    new: &str,
    confirm: &str,
) -> Response {
    let form = [
        ("csrf", csrf),
        ("current_password", current),
        ("new_password", new),
        ("confirm_password", confirm),
    ];
    post_form(app, cookie, "/staff/password", &form).await
}

#[tokio::test]
async fn changing_your_password_in_the_pages_keeps_this_session_and_ends_the_others() {
    let app = spawn_app().await;
    let user = app.create_user(Role::Investigator).await;
    let here = signed_in_page(&app, &user).await;
    let elsewhere = signed_in_page(&app, &user).await;
    let html = page(&app, &here, "/staff/password")
        .await
        .text()
        .await
        .unwrap();
    let csrf = hidden(&html, "csrf");
    let new = "a much better passphrase for candour";

    // Confirmation that differs: an error against that field, nothing changed.
    let res = change(&app, &here, &csrf, PASSWORD, new, "something else entirely").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = res.text().await.unwrap();
    assert!(html.contains("href=\"#confirm_password\""), "{html}");
    // A wrong current password, named as such.
    let res = change(&app, &here, &csrf, "not my password at all", new, new).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Current password is not correct")
    );

    let res = change(&app, &here, &csrf, PASSWORD, new, new).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Your password has been changed")
    );
    assert_eq!(
        page(&app, &here, "/staff/password").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        page(&app, &elsewhere, "/staff/password").await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.login(&user.email, new).await.status(), 200);
}

/// A complaint about a new service `code` received on `received` (today being Monday
/// 7 December 2026), and a complaints manager signed in to the API and the pages.
pub(crate) struct OnCase {
    pub app: TestApp,
    pub me: TestUser,
    pub token: String,
    pub case: serde_json::Value,
    pub cookie: String,
}

pub(crate) async fn on_case(code: &str, received: &str) -> OnCase {
    let app = spawn_app().await;
    app.set_today(day(2026, 12, 7));
    let service = insert_service(&app, code, None).await;
    let (me, token) = app.signed_in(Role::ComplaintsManager).await;
    let case = app
        .create_case(&token, &complaint(&service, received))
        .await;
    let cookie = signed_in_page(&app, &me).await;
    OnCase {
        app,
        me,
        token,
        case,
        cookie,
    }
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The references in the `<table id="{table}">` of a page, in order.
fn references_in(html: &str, table: &str) -> Vec<String> {
    let html = &unescape(html);
    let start = html
        .find(&format!("id=\"{table}\""))
        .unwrap_or_else(|| panic!("no table {table}:\n{html}"));
    let end = html[start..].find("</table>").unwrap() + start;
    html[start..end]
        .split("href=\"/staff/cases/")
        .skip(1)
        .map(|s| {
            s.split('>')
                .nth(1)
                .unwrap()
                .split('<')
                .next()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[tokio::test]
async fn my_work_lists_my_open_cases_soonest_due_first_with_what_falls_due_when() {
    let app = spawn_app().await;
    // Monday 7 December 2026; no bank holidays until Christmas.
    app.set_today(day(2026, 12, 7));
    let service = insert_service(&app, "WRK", None).await;
    let (me, token) = app.signed_in(Role::ComplaintsManager).await;
    let colleague = app.create_user(Role::ComplaintsManager).await;

    // Acknowledgement is due three working days after the day of receipt (regulation 14(2)):
    //   received Tue 1 Dec -> Wed 2, Thu 3, Fri 4: due Fri 4 Dec (overdue by 3 days)
    //   received Wed 2 Dec -> Thu 3, Fri 4, Mon 7: due Mon 7 Dec (today)
    //   received Thu 3 Dec -> Fri 4, Mon 7, Tue 8: due Tue 8 Dec (tomorrow)
    //   received Mon 7 Dec -> Tue 8, Wed 9, Thu 10: due Thu 10 Dec
    let mut refs = Vec::new();
    for received in ["2026-12-03", "2026-12-07", "2026-12-01", "2026-12-02"] {
        let case = app
            .create_case(&token, &complaint(&service, received))
            .await;
        app.act_ok(&token, &case, "assign", json!({ "handler_id": me.id }))
            .await;
        refs.push((received, case["reference"].as_str().unwrap().to_string()));
    }
    let reference = |received: &str| refs.iter().find(|(r, _)| *r == received).unwrap().1.clone();
    // Someone else's case, and one I closed, are not mine to do.
    let theirs = app
        .create_case(&token, &complaint(&service, "2026-12-01"))
        .await;
    app.act_ok(
        &token,
        &theirs,
        "assign",
        json!({ "handler_id": colleague.id }),
    )
    .await;
    let withdrawn = app
        .create_case(&token, &complaint(&service, "2026-12-01"))
        .await;
    let withdrawn = app
        .act_ok(&token, &withdrawn, "assign", json!({ "handler_id": me.id }))
        .await;
    app.act_ok(
        &token,
        &withdrawn,
        "withdraw",
        json!({ "reason": "Resolved by phone" }),
    )
    .await;

    let cookie = signed_in_page(&app, &me).await;
    let html = page(&app, &cookie, "/staff/my-work")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        references_in(&html, "my-cases"),
        vec![
            reference("2026-12-01"),
            reference("2026-12-02"),
            reference("2026-12-03"),
            reference("2026-12-07"),
        ]
    );
    assert!(html.contains("Overdue by 3 days"));
    assert!(html.contains("4 December 2026"));
    let counts = &html[html.find("id=\"my-counts\"").unwrap()..];
    let value_after = |key: &str| -> String {
        let at = counts.find(key).unwrap();
        let v = &counts[at..];
        let v = &v[v.find("summary-list__value\">").unwrap() + 21..];
        let v = v.split("</dd>").next().unwrap();
        v.replace("<strong class=\"nhsuk-tag nhsuk-tag--red\">", "")
            .replace("</strong>", "")
    };
    assert_eq!(value_after(">Overdue<"), "1");
    assert_eq!(value_after(">Due today<"), "1");
    // Mon 7, Tue 8 and Thu 10 December fall in the week to Sunday 13 December.
    assert_eq!(value_after(">Due this week"), "3");
    assert_eq!(value_after(">Open<"), "4");

    // A manager sees every handler's queue: mine (1 overdue of 4) and my colleague's (1 of 1).
    let queues = &html[html.find("id=\"queues\"").unwrap()..];
    assert!(queues.contains("(you)"));
    assert!(queues.contains(&colleague_name(&app, &colleague.id).await));

    // An investigator sees only their own list, without everyone's queues.
    let investigator = app.create_user(Role::Investigator).await;
    let case = app
        .create_case(&token, &complaint(&service, "2026-12-04"))
        .await;
    app.act_ok(
        &token,
        &case,
        "assign",
        json!({ "investigator_id": investigator.id }),
    )
    .await;
    let cookie = signed_in_page(&app, &investigator).await;
    let html = page(&app, &cookie, "/staff/my-work")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        references_in(&html, "my-cases"),
        vec![case["reference"].as_str().unwrap().to_string()]
    );
    assert!(!html.contains("id=\"queues\""));
}

async fn colleague_name(app: &TestApp, id: &str) -> String {
    let (_, admin) = app.signed_in(Role::Admin).await;
    let user: serde_json::Value = app
        .get(&format!("/api/v1/users/{id}"), &admin)
        .await
        .json()
        .await
        .unwrap();
    user["name"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn the_case_page_shows_the_clock_and_the_timeline_and_is_recorded_as_read() {
    let OnCase {
        app,
        token,
        case,
        cookie,
        ..
    } = on_case("CPG", "2026-12-01").await;
    let id = case["id"].as_str().unwrap();
    let res = page(&app, &cookie, &format!("/staff/cases/{id}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains(case["reference"].as_str().unwrap()));
    // Received Tue 1 Dec: acknowledgement due Fri 4 Dec, three days ago.
    let clock = &html[html.find("id=\"clock\"").unwrap()..];
    let ack = &clock[clock.find(">Acknowledgement<").unwrap()..];
    let ack = &ack[..ack.find("</tr>").unwrap()];
    assert!(ack.contains("4 December 2026"), "{ack}");
    assert!(
        ack.contains("Overdue by 3 days") && ack.contains("nhsuk-tag--red"),
        "{ack}"
    );
    assert!(html.contains("id=\"timeline\""));

    // The read is in the case's access log, under the page's route.
    let log: serde_json::Value = app
        .get(&format!("/api/v1/cases/{id}/access-log"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert!(log.to_string().contains("GET /staff/cases/{id}"), "{log}");

    // No such case: not found, as a staff page; one the investigator may not see: refused.
    let res = page(&app, &cookie, "/staff/cases/no-such-case").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let investigator = app.create_user(Role::Investigator).await;
    let cookie = signed_in_page(&app, &investigator).await;
    let res = page(&app, &cookie, &format!("/staff/cases/{id}")).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let html = res.text().await.unwrap();
    assert!(html.contains("You cannot do that"), "{html}");
    assert!(!html.contains(case["reference"].as_str().unwrap()));
}

/// Post the step `action`'s form from the case page as it was shown (`html`), with `fields`.
async fn take_step(
    app: &TestApp,
    cookie: &str,
    html: &str,
    case_id: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> Response {
    let form = &html[html
        .find(&format!("id=\"step-{action}\""))
        .unwrap_or_else(|| panic!("no {action} step on the page"))..];
    let mut all = vec![
        ("csrf", hidden(form, "csrf")),
        ("version", hidden(form, "version")),
    ];
    all.extend(fields.iter().map(|(k, v)| (*k, v.to_string())));
    let all: Vec<(&str, &str)> = all.iter().map(|(k, v)| (*k, v.as_str())).collect();
    post_form(
        app,
        cookie,
        &format!("/staff/cases/{case_id}/actions/{action}"),
        &all,
    )
    .await
}

#[tokio::test]
async fn steps_taken_on_the_case_page_are_the_apis_and_refusals_keep_what_was_typed() {
    let OnCase {
        app,
        me,
        token,
        case,
        cookie,
    } = on_case("STP", "2026-12-03").await;
    let id = case["id"].as_str().unwrap();
    let path = format!("/staff/cases/{id}");
    let html = unescape(&page(&app, &cookie, &path).await.text().await.unwrap());

    // A date that does not exist: the error summary links to the field; what was typed stays.
    let res = take_step(
        &app,
        &cookie,
        &html,
        id,
        "acknowledge",
        &[
            ("acknowledged_on", "31/11/2026"),
            ("method", "letter"),
            ("meeting_offered", "yes"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let refused = unescape(&res.text().await.unwrap());
    assert!(refused.contains("There is a problem"));
    assert!(
        refused.contains("href=\"#acknowledge-acknowledged_on\""),
        "{refused}"
    );
    assert!(refused.contains("value=\"31/11/2026\""));
    assert!(refused.contains("id=\"step-acknowledge\" open"));
    // Nothing was written.
    let now: serde_json::Value = app
        .get(&format!("/api/v1/cases/{id}"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(now["status"], "received");

    // Someone else changes the case after the page was shown: the form is stale.
    app.act_ok(&token, &case, "assign", json!({ "handler_id": me.id }))
        .await;
    let res = take_step(
        &app,
        &cookie,
        &html,
        id,
        "acknowledge",
        &[("acknowledged_on", "7/12/2026"), ("method", "phone")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let stale = unescape(&res.text().await.unwrap());
    assert!(stale.contains("what you typed is kept"), "{stale}");
    assert!(stale.contains("value=\"7/12/2026\""));
    assert!(stale.contains("<option value=\"phone\" selected>"));

    // Sent again from the page as it is now, it is taken: the API sees the step and its event.
    let res = take_step(
        &app,
        &cookie,
        &stale,
        id,
        "acknowledge",
        &[
            ("acknowledged_on", "7/12/2026"),
            ("method", "phone"),
            ("handling_discussion_offered", "yes"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&res),
        format!("/staff/cases/{id}?done=acknowledge")
    );
    let now: serde_json::Value = app
        .get(&format!("/api/v1/cases/{id}"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(now["status"], "acknowledged");
    assert_eq!(now["acknowledged_on"], "2026-12-07");
    assert!(
        app.timeline_kinds(&token, id)
            .await
            .contains(&"acknowledge".to_string())
    );
    let html = page(&app, &cookie, &location(&res))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Done: acknowledge."));
    // The step is no longer offered; the clock shows it done.
    assert!(!html.contains("id=\"step-acknowledge\""));
    assert!(html.contains("Done on 7 December 2026"));

    // A step the role may not take is refused by the same rules as the API.
    let investigator = app.create_user(Role::Investigator).await;
    app.act_ok(
        &token,
        &now,
        "assign",
        json!({ "investigator_id": investigator.id }),
    )
    .await;
    let inv_cookie = signed_in_page(&app, &investigator).await;
    let inv_html = unescape(&page(&app, &inv_cookie, &path).await.text().await.unwrap());
    let csrf = hidden(&inv_html, "csrf");
    let version = app
        .get(&format!("/api/v1/cases/{id}"), &token)
        .await
        .json::<serde_json::Value>()
        .await
        .unwrap()["version"]
        .to_string();
    let res = post_form(
        &app,
        &inv_cookie,
        &format!("/staff/cases/{id}/actions/close"),
        &[("csrf", csrf.as_str()), ("version", version.as_str())],
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_pals_officer_logs_a_phone_concern_and_escalates_it_through_the_pages() {
    let app = spawn_app().await;
    // Friday 4 December 2026.
    app.set_today(day(2026, 12, 4));
    let service = insert_service(&app, "OPD", None).await;
    let officer = app.create_user(Role::PalsOfficer).await;
    let cookie = signed_in_page(&app, &officer).await;
    let res = page(&app, &cookie, "/staff/cases/new").await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = unescape(&res.text().await.unwrap());
    assert!(html.contains("Service OPD (OPD)"));
    let csrf = hidden(&html, "csrf");

    // Without a summary or a service: both named, and what was typed stays.
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("kind", "pals_concern"),
        ("channel", "phone"),
        (
            "description",
            "The pay machine at outpatients was broken again.",
        ),
        ("complainant_name", "Jo Caller"),
        ("complainant_phone", "07700 900123"),
        ("preferred_contact", "phone"),
        ("patient_is_complainant", "yes"),
        ("subject", "facilities"),
    ];
    let res = post_form(&app, &cookie, "/staff/cases/new", &fields).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let refused = unescape(&res.text().await.unwrap());
    assert!(refused.contains("href=\"#case-summary\""), "{refused}");
    assert!(refused.contains("href=\"#case-service_id\""), "{refused}");
    assert!(refused.contains("value=\"Jo Caller\""));
    assert!(refused.contains("The pay machine at outpatients was broken again."));

    fields.push(("summary", "Parking machine broken at outpatients"));
    fields.push(("service_id", service.as_str()));
    let res = post_form(&app, &cookie, "/staff/cases/new", &fields).await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "{}",
        res.text().await.unwrap()
    );
    let to = location(&res);
    let id = to
        .strip_prefix("/staff/cases/")
        .and_then(|r| r.strip_suffix("?done=logged"))
        .unwrap()
        .to_string();
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let concern: serde_json::Value = app
        .get(&format!("/api/v1/cases/{id}"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(concern["kind"], "pals_concern");
    assert_eq!(concern["channel"], "phone");
    assert_eq!(concern["received_on"], "2026-12-04");
    assert_eq!(concern["complainant"]["name"], "Jo Caller");
    assert_eq!(concern["service_ids"][0], service.as_str());

    // The caller wants a formal complaint: escalated from the case page, with a risk grade.
    let html = unescape(&page(&app, &cookie, &to).await.text().await.unwrap());
    assert!(html.contains("Logged."));
    let res = take_step(
        &app,
        &cookie,
        &html,
        &id,
        "escalate",
        &[
            ("reason", "The caller asked for a formal investigation"),
            ("received_on", "4/12/2026"),
            ("risk_consequence", "2"),
            ("risk_likelihood", "2"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let complaint_page = location(&res);
    let complaint_id = complaint_page
        .strip_prefix("/staff/cases/")
        .and_then(|r| r.split('?').next())
        .unwrap()
        .to_string();
    assert_ne!(complaint_id, id);
    let complaint: serde_json::Value = app
        .get(&format!("/api/v1/cases/{complaint_id}"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(complaint["kind"], "complaint");
    // Received Friday 4 December: Mon 7, Tue 8, Wed 9; acknowledgement due Wednesday.
    assert_eq!(complaint["acknowledgement_due_on"], "2026-12-09");
    let concern: serde_json::Value = app
        .get(&format!("/api/v1/cases/{id}"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(concern["status"], "escalated");
    // The concern's own target was met by escalating it: nothing is owed or overdue on it.
    let html = page(&app, &cookie, &format!("/staff/cases/{id}"))
        .await
        .text()
        .await
        .unwrap();
    let clock = &html[html.find("id=\"clock\"").unwrap()..];
    let pals = &clock[clock.find(">PALS resolution<").unwrap()..];
    let pals = &pals[..pals.find("</tr>").unwrap()];
    assert!(pals.contains("Done on 4 December 2026"), "{pals}");
    assert!(!pals.contains("Overdue"));
}

#[tokio::test]
async fn find_a_case_by_reference_name_nhs_number_or_words_a_page_at_a_time() {
    let app = spawn_app().await;
    let service = insert_service(&app, "FND", None).await;
    let (me, token) = app.signed_in(Role::ComplaintsManager).await;
    let today = app.today().to_string();
    // The complainant Alex Example, for the patient Sam Example (NHS number 943 476 5919).
    let complaint = app.create_case(&token, &complaint(&service, &today)).await;
    let reference = complaint["reference"].as_str().unwrap().to_string();
    // 25 PALS concerns about parking from Jo Caller, then one more: two pages of 25.
    for _ in 0..26 {
        app.create_case(&token, &crate::helpers::pals_concern(&service, &today))
            .await;
    }
    let cookie = signed_in_page(&app, &me).await;
    let found = |query: &'static str| {
        let (app, cookie) = (&app, cookie.clone());
        async move {
            let html = page(app, &cookie, &format!("/staff/cases?{query}"))
                .await
                .text()
                .await
                .unwrap();
            let html = unescape(&html);
            let refs = if html.contains("id=\"results\"") {
                references_in(&html, "results")
            } else {
                Vec::new()
            };
            (refs, html)
        }
    };
    let (refs, html) = found("").await;
    assert!(
        refs.is_empty() && !html.contains("cases found"),
        "nothing searched yet"
    );
    let by_reference = format!("find={}", reference.to_lowercase());
    let html = unescape(
        &page(&app, &cookie, &format!("/staff/cases?{by_reference}"))
            .await
            .text()
            .await
            .unwrap(),
    );
    assert_eq!(references_in(&html, "results"), vec![reference.clone()]);
    // Part of the patient's name, the NHS number as written on a letter, an email address.
    assert_eq!(found("find=sam+exa").await.0, vec![reference.clone()]);
    assert_eq!(found("find=943+476+5919").await.0, vec![reference.clone()]);
    assert_eq!(
        found("find=ALEX%40example.org").await.0,
        vec![reference.clone()]
    );
    // Words from the summary, narrowed by kind: 25 on the first page, and a link to the rest.
    let (first, html) = found("find=parking&kind=pals_concern").await;
    assert_eq!(first.len(), 25);
    assert!(first.iter().all(|r| r.starts_with("P-")));
    assert!(html.contains("26 cases found"));
    let start = html.find("nhsuk-pagination__link--next\" href=\"").unwrap() + 36;
    let next = html[start..].split('"').next().unwrap().to_string();
    let rest = unescape(&page(&app, &cookie, &next).await.text().await.unwrap());
    let second = references_in(&rest, "results");
    assert_eq!(second.len(), 1);
    assert!(!first.contains(&second[0]));
    assert!(!rest.contains("pagination__link--next"));
    // A status filter: the complaint is open, none is closed.
    assert_eq!(
        found("kind=complaint&status=open").await.0,
        vec![reference.clone()]
    );
    assert!(found("status=closed").await.0.is_empty());

    // An investigator finds nothing they may not see, by name or otherwise.
    let investigator = app.create_user(Role::Investigator).await;
    let cookie = signed_in_page(&app, &investigator).await;
    let html = unescape(
        &page(&app, &cookie, "/staff/cases?find=sam+example")
            .await
            .text()
            .await
            .unwrap(),
    );
    assert!(html.contains("0 cases found"), "{html}");
    assert!(!html.contains(&reference));
}

#[tokio::test]
async fn notes_documents_and_letters_are_kept_and_shown_on_the_case_page() {
    use crate::documents::{PDF, field, file, form};
    let OnCase {
        app,
        token,
        case,
        cookie,
        ..
    } = on_case("REC", "2026-12-07").await;
    let id = case["id"].as_str().unwrap();
    app.act_ok(&token, &case, "acknowledge", json!({ "method": "letter", "handling_discussion_offered": true, "meeting_offered": false }))
        .await;
    let path = format!("/staff/cases/{id}");
    let html = unescape(&page(&app, &cookie, &path).await.text().await.unwrap());
    let csrf = hidden(&html, "csrf");

    // A finding, on the timeline with its words (staff only).
    let res = post_form(
        &app,
        &cookie,
        &format!("/staff/cases/{id}/notes"),
        &[
            ("csrf", csrf.as_str()),
            ("category", "finding"),
            ("text", "The ward had no pharmacist on the day."),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let timeline: serde_json::Value = app
        .get(&format!("/api/v1/cases/{id}/timeline"), &token)
        .await
        .json()
        .await
        .unwrap();
    let note = timeline
        .as_array()
        .or_else(|| timeline["items"].as_array())
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "note")
        .expect("the note on the timeline")
        .clone();
    assert_eq!(note["details"]["category"], "finding");
    // An empty note is refused and nothing is added.
    let res = post_form(
        &app,
        &cookie,
        &format!("/staff/cases/{id}/notes"),
        &[("csrf", csrf.as_str()), ("text", "  ")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    // A document added from the page, downloaded back byte for byte.
    let (content_type, body) = form(&[
        field("csrf", &csrf),
        field("kind", "statement"),
        field("description", "Ward manager's statement"),
        file("statement.pdf", PDF),
    ]);
    let res = app
        .client
        .post(app.url(&format!("/staff/cases/{id}/documents")))
        .header("cookie", &cookie)
        .header("content-type", content_type.clone())
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // Without the form's token the file is refused, and not kept.
    let (content_type, body) = form(&[field("kind", "statement"), file("again.pdf", PDF)]);
    let res = app
        .client
        .post(app.url(&format!("/staff/cases/{id}/documents")))
        .header("cookie", &cookie)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    let html = unescape(&page(&app, &cookie, &path).await.text().await.unwrap());
    assert!(html.contains("The ward had no pharmacist on the day."));
    let list = &html[html.find("id=\"document-list\"").unwrap()..];
    assert!(list.contains("statement.pdf") && list.contains("Ward manager's statement"));
    assert!(!list.contains("again.pdf"));
    let start = list.find("href=\"/staff/documents/").unwrap() + 6;
    let href = list[start..].split('"').next().unwrap().to_string();
    let res = page(&app, &cookie, &href).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(res.bytes().await.unwrap().as_ref(), PDF);

    // The acknowledgement letter, printable from the page.
    let letters = &html[html.find("id=\"letters\"").unwrap()..];
    let start = letters.find("href=\"/staff/cases/").unwrap() + 6;
    let href = letters[start..].split('"').next().unwrap().to_string();
    let res = page(&app, &cookie, &href).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains(case["reference"].as_str().unwrap())
    );
}

#[tokio::test]
async fn the_case_page_shows_meetings_with_their_invitation_candour_and_the_ombudsman() {
    let OnCase {
        app,
        token,
        case,
        cookie,
        ..
    } = on_case("MTG", "2026-12-07").await;
    let id = case["id"].as_str().unwrap();
    let path = format!("/staff/cases/{id}");
    let html = unescape(&page(&app, &cookie, &path).await.text().await.unwrap());
    assert!(html.contains("No meeting offered."));
    assert!(html.contains("No Duty of Candour record"));
    assert!(html.contains("Not referred to the Ombudsman."));

    let res = app
        .post(
            &format!("/api/v1/cases/{id}/meetings"),
            &token,
            &json!({"offered_on": "2026-12-07", "method": "letter"}),
        )
        .await;
    let meeting: serde_json::Value = res.json().await.unwrap();
    let mid = meeting["id"].as_str().unwrap();
    let accept = app
        .post(
            &format!("/api/v1/meetings/{mid}/accept"),
            &token,
            &json!({"version": 1, "accepted_on": "2026-12-07"}),
        )
        .await;
    assert_eq!(accept.status(), 200);
    let scheduled = app
        .post(
            &format!("/api/v1/meetings/{mid}/schedule"),
            &token,
            &json!({"version": 2, "starts_at": "2026-12-14T10:00:00Z", "ends_at": "2026-12-14T11:00:00Z", "location": "Room 4"}),
        )
        .await;
    assert_eq!(
        scheduled.status(),
        200,
        "{}",
        scheduled.text().await.unwrap()
    );
    let flagged = app
        .post(
            &format!("/api/v1/cases/{id}/candour"),
            &token,
            &json!({"became_aware_on": "2026-12-07"}),
        )
        .await;
    assert_eq!(flagged.status(), 201);

    let html = unescape(&page(&app, &cookie, &path).await.text().await.unwrap());
    let meetings =
        &html[html.find("id=\"meetings\"").unwrap()..html.find("id=\"candour\"").unwrap()];
    // 10:00 UTC on 14 December is 10:00 GMT.
    assert!(
        meetings.contains("14 December 2026 at 10:00 GMT"),
        "{meetings}"
    );
    let href = format!("/staff/meetings/{mid}/invite.ics");
    assert!(meetings.contains(&href));
    let res = page(&app, &cookie, &href).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    assert!(res.text().await.unwrap().contains("BEGIN:VCALENDAR"));
    let candour =
        &html[html.find("id=\"candour\"").unwrap()..html.find("id=\"ombudsman\"").unwrap()];
    assert!(!candour.contains("No Duty of Candour record"), "{candour}");

    // The board reads no case records.
    let board = app.create_user(Role::Board).await;
    let cookie = signed_in_page(&app, &board).await;
    let res = page(&app, &cookie, &path).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_board_member_opens_the_board_pack_and_downloads_the_returns_from_the_pages() {
    let app = spawn_app().await;
    app.set_today(day(2026, 12, 7));
    let board = app.create_user(Role::Board).await;
    let cookie = signed_in_page(&app, &board).await;
    // The board's home is its reports.
    let res = page(&app, &cookie, "/staff").await;
    assert_eq!(location(&res), "/staff/reports");
    let html = unescape(
        &page(&app, &cookie, "/staff/reports")
            .await
            .text()
            .await
            .unwrap(),
    );
    // Whole periods only, this financial year first.
    assert!(html.contains("<option value=\"2026-04-01..2027-03-31\">"));
    assert!(html.contains("<option value=\"2026-11-01..2026-11-30\">"));
    let csrf = hidden(&html, "csrf");
    let res = post_form(
        &app,
        &cookie,
        "/staff/reports/board-pack",
        &[
            ("csrf", csrf.as_str()),
            ("period", "2026-11-01..2026-11-30"),
        ],
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "{}",
        res.text().await.unwrap()
    );
    let pack = location(&res);
    assert!(
        pack.starts_with("/reports/board?from=2026-11-01&to=2026-11-30&key="),
        "{pack}"
    );
    // The link opens the pack without the cookie (it is signed), and is no use once signed out.
    let res = app.client.get(app.url(&pack)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = page(&app, &cookie, "/staff/reports/ko41a.csv?year=2026").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("ko41a-2026-27.csv")
    );
    let res = page(&app, &cookie, "/staff/reports/annual?year=2026").await;
    assert_eq!(res.status(), StatusCode::OK);
    post_form(&app, &cookie, "/staff/sign-out", &[("csrf", csrf.as_str())]).await;
    let res = app.client.get(app.url(&pack)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    // An investigator reads no reports.
    let investigator = app.create_user(Role::Investigator).await;
    let cookie = signed_in_page(&app, &investigator).await;
    assert_eq!(
        page(&app, &cookie, "/staff/reports").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        page(&app, &cookie, "/staff/reports/ko41a.csv?year=2026")
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_learning_register_lists_changes_with_overdue_ones_marked() {
    let app = spawn_app().await;
    app.set_today(day(2026, 12, 7));
    let service = insert_service(&app, "LRN", None).await;
    let (me, token) = app.signed_in(Role::ComplaintsManager).await;
    let case = app
        .create_case(&token, &complaint(&service, "2026-11-02"))
        .await;
    for (title, due) in [
        ("Explain discharge medicines", "2026-12-01"),
        ("Fix the car park machine", "2027-01-15"),
    ] {
        let res = app
            .post(
                "/api/v1/service-changes",
                &token,
                &json!({
                    "title": title,
                    "description": "Internal detail",
                    "reason": "Complaints about it",
                    "public_summary": format!("{title}: done for you"),
                    "service_id": service,
                    "owner_id": me.id,
                    "due_on": due,
                    "case_ids": [case["id"]],
                }),
            )
            .await;
        assert_eq!(res.status(), 201);
    }
    let cookie = signed_in_page(&app, &me).await;
    let html = unescape(
        &page(&app, &cookie, "/staff/learning")
            .await
            .text()
            .await
            .unwrap(),
    );
    assert!(html.contains("2 changes"));
    let table = &html[html.find("id=\"changes\"").unwrap()..];
    // Due 1 December, before today (7 December): overdue. Due in January: not.
    let first = &table[table.find("Explain discharge medicines").unwrap()..];
    let first = &first[..first.find("</tr>").unwrap()];
    assert!(first.contains("Overdue"), "{first}");
    let second = &table[table.find("Fix the car park machine").unwrap()..];
    let second = &second[..second.find("</tr>").unwrap()];
    assert!(!second.contains("Overdue"), "{second}");
    let html = unescape(
        &page(&app, &cookie, "/staff/learning?overdue=1")
            .await
            .text()
            .await
            .unwrap(),
    );
    assert!(html.contains("1 change overdue"));
    assert!(!html.contains("Fix the car park machine"));

    // The board reads the register too.
    let board = app.create_user(Role::Board).await;
    let cookie = signed_in_page(&app, &board).await;
    let res = page(&app, &cookie, "/staff/learning").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Explain discharge medicines")
    );
}

#[tokio::test]
async fn a_fault_behind_a_staff_page_is_an_error_page_with_an_id_to_quote() {
    let app = spawn_app().await;
    let officer = app.create_user(Role::PalsOfficer).await;
    let cookie = signed_in_page(&app, &officer).await;
    // The coding lists vanish from under the running server.
    app.state
        .db
        .write(|c| -> Result<usize, candour::error::AppError> {
            use diesel::prelude::*;
            Ok(
                diesel::sql_query("ALTER TABLE taxonomy_items RENAME TO taxonomy_items_gone")
                    .execute(c)?,
            )
        })
        .await
        .unwrap();
    let res = page(&app, &cookie, "/staff/cases/new").await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Sorry, there is a problem with Candour"),
        "{html}"
    );
    assert!(html.contains("quote error "));
    // Still a staff page: the design system's header, not the public pages'.
    assert!(html.contains("nhsuk-header"));
    assert!(
        !html.contains("taxonomy_items"),
        "no detail of the fault leaks"
    );
}

/// Post the form `form_id` as shown on `html` (its csrf and version), with `fields`.
async fn send_form(
    app: &TestApp,
    cookie: &str,
    html: &str,
    form_id: &str,
    fields: &[(&str, &str)],
) -> Response {
    let form = &html[html
        .find(&format!("id=\"{form_id}\""))
        .unwrap_or_else(|| panic!("no form {form_id} on the page"))..];
    let start = form.find("action=\"").unwrap() + 8;
    let action = form[start..].split('"').next().unwrap().to_string();
    let mut all = vec![("csrf", hidden(form, "csrf"))];
    if let Some(at) = form
        .find("name=\"version\"")
        .filter(|at| *at < form.find("</form>").unwrap())
    {
        let v = &form[at..];
        let v = &v[v.find("value=\"").unwrap() + 7..];
        all.push(("version", v.split('"').next().unwrap().to_string()));
    }
    all.extend(fields.iter().map(|(k, v)| (*k, v.to_string())));
    let all: Vec<(&str, &str)> = all.iter().map(|(k, v)| (*k, v.as_str())).collect();
    post_form(app, cookie, &action, &all).await
}

#[tokio::test]
async fn a_meeting_is_offered_booked_in_england_time_and_held_from_the_case_page() {
    let OnCase {
        app,
        me,
        token,
        case,
        cookie,
    } = on_case("MTS", "2026-12-07").await;
    let id = case["id"].as_str().unwrap();
    let path = format!("/staff/cases/{id}");
    let html = unescape(&page(&app, &cookie, &path).await.text().await.unwrap());
    let res = send_form(
        &app,
        &cookie,
        &html,
        "offer-meeting",
        &[("method", "phone")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let meetings: serde_json::Value = app
        .get(&format!("/api/v1/cases/{id}/meetings"), &token)
        .await
        .json()
        .await
        .unwrap();
    let meetings = meetings
        .as_array()
        .or_else(|| meetings["items"].as_array())
        .unwrap()
        .clone();
    assert_eq!(meetings.len(), 1);
    let mid = meetings[0]["id"].as_str().unwrap().to_string();
    assert_eq!(meetings[0]["offered_on"], "2026-12-07");

    let html = unescape(&page(&app, &cookie, &path).await.text().await.unwrap());
    assert!(
        !html.contains("id=\"offer-meeting\""),
        "one open meeting at a time"
    );
    let res = send_form(&app, &cookie, &html, &format!("meeting-{mid}-accept"), &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // A time the clocks skip (28 March 2027, 01:00 GMT becomes 02:00 BST) is refused by name.
    let html = unescape(&page(&app, &cookie, &path).await.text().await.unwrap());
    let book = format!("meeting-{mid}-schedule");
    let res = send_form(
        &app,
        &cookie,
        &html,
        &book,
        &[
            ("day", "28/3/2027"),
            ("starts", "01:30"),
            ("ends", "02:30"),
            ("location", "Room 4"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("the clocks change at that time")
    );
    // 10:00 to 11:00 on Monday 14 December, GMT: the same in UTC.
    let res = send_form(
        &app,
        &cookie,
        &html,
        &book,
        &[
            ("day", "14/12/2026"),
            ("starts", "10:00"),
            ("ends", "11:00"),
            ("location", "Room 4"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let meeting: serde_json::Value = app
        .get(&format!("/api/v1/meetings/{mid}"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(meeting["starts_at"], "2026-12-14T10:00:00Z");
    assert_eq!(meeting["ends_at"], "2026-12-14T11:00:00Z");
    assert_eq!(meeting["location"], "Room 4");

    let html = unescape(&page(&app, &cookie, &path).await.text().await.unwrap());
    assert!(html.contains("14 December 2026 at 10:00 GMT, Room 4"));
    let res = send_form(
        &app,
        &cookie,
        &html,
        &format!("meeting-{mid}-hold"),
        &[
            ("held_on", "7/12/2026"),
            ("notes", "Went through the timeline with the family."),
        ],
    )
    .await;
    // Held on a day before the one it was booked for: the API's rule refuses it, in words.
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("before the day the meeting was scheduled for")
    );
    let meeting: serde_json::Value = app
        .get(&format!("/api/v1/meetings/{mid}"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(meeting["status"], "scheduled");
    // On the day itself (signed in afresh: a week has passed) it is recorded, with its notes.
    app.set_today(day(2026, 12, 14));
    let cookie = signed_in_page(&app, &me).await;
    let token = app.tokens(&me).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let html = unescape(&page(&app, &cookie, &path).await.text().await.unwrap());
    let res = send_form(
        &app,
        &cookie,
        &html,
        &format!("meeting-{mid}-hold"),
        &[("notes", "Went through the timeline with the family.")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let meeting: serde_json::Value = app
        .get(&format!("/api/v1/meetings/{mid}"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(meeting["status"], "held");
    assert_eq!(meeting["held_on"], "2026-12-14");
}

#[tokio::test]
async fn the_duty_of_candour_is_flagged_decided_and_its_steps_recorded_from_the_case_page() {
    let OnCase {
        app,
        token,
        case,
        cookie,
        ..
    } = on_case("DOC", "2026-12-01").await;
    let id = case["id"].as_str().unwrap();
    let path = format!("/staff/cases/{id}");
    let html = unescape(&page(&app, &cookie, &path).await.text().await.unwrap());
    let res = send_form(
        &app,
        &cookie,
        &html,
        "candour-flag",
        &[("became_aware_on", "1/12/2026")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = unescape(&page(&app, &cookie, &path).await.text().await.unwrap());
    assert!(html.contains("id=\"candour-harm\""), "{html}");
    let res = send_form(
        &app,
        &cookie,
        &html,
        "candour-harm",
        &[
            ("level", "moderate"),
            ("decided_on", "2/12/2026"),
            ("rationale", "Delayed treatment"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = unescape(&page(&app, &cookie, &path).await.text().await.unwrap());
    let res = send_form(
        &app,
        &cookie,
        &html,
        "candour-step-in_person_notification",
        &[
            ("done_on", "3/12/2026"),
            ("performed_by", "Dr A Shah, consultant"),
            ("truthful_account_given", "yes"),
            ("apology_given", "yes"),
            ("support_offered", "yes"),
            ("further_enquiries_explained", "yes"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let record: serde_json::Value = app
        .get(&format!("/api/v1/cases/{id}/candour"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(record["notifiable"], true, "{record}");
    assert_eq!(record["harm"]["level"], "moderate");
    let in_person = record["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "in_person_notification")
        .unwrap();
    assert_eq!(in_person["completed_on"], "2026-12-03");
    // The page's checklist shows it done, and what the written notification still lacks.
    let html = unescape(&page(&app, &cookie, &path).await.text().await.unwrap());
    let checklist = &html[html.find("id=\"candour-checklist\"").unwrap()..];
    let row = &checklist[checklist.find(">In person notification<").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("Done on 3 December 2026"), "{row}");
    let row = &checklist[checklist.find(">Written notification<").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("apology included"), "{row}");

    // A PALS officer may not flag or record candour steps: no forms, and a post is refused.
    let officer = app.create_user(Role::PalsOfficer).await;
    let other = signed_in_page(&app, &officer).await;
    let theirs = unescape(&page(&app, &other, &path).await.text().await.unwrap());
    assert!(!theirs.contains("id=\"candour-harm\""));
    let csrf = hidden(&theirs, "csrf");
    let res = post_form(
        &app,
        &other,
        &format!("/staff/cases/{id}/candour/harm"),
        &[("csrf", csrf.as_str()), ("level", "none")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_ombudsman_referral_and_the_phso_decision_are_recorded_from_the_case_page() {
    let app = spawn_app().await;
    app.set_today(day(2026, 12, 7));
    let service = insert_service(&app, "PHS", None).await;
    let (me, token) = app.signed_in(Role::ComplaintsManager).await;
    let case = app
        .responded_complaint(&token, &service, "2026-11-02")
        .await;
    let id = case["id"].as_str().unwrap();
    let cookie = signed_in_page(&app, &me).await;
    let path = format!("/staff/cases/{id}");
    let html = unescape(&page(&app, &cookie, &path).await.text().await.unwrap());
    let res = send_form(
        &app,
        &cookie,
        &html,
        "ombudsman-form",
        &[("referred_on", "4/12/2026"), ("phso_reference", "PHSO-123")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = unescape(&page(&app, &cookie, &path).await.text().await.unwrap());
    assert!(
        html.contains(
            "Referred to the Parliamentary and Health Service Ombudsman on 4 December 2026"
        )
    );
    // The decision later, on the same form (filled with what is recorded).
    assert!(html.contains("value=\"PHSO-123\""));
    let res = send_form(
        &app,
        &cookie,
        &html,
        "ombudsman-form",
        &[
            ("referred_on", "4/12/2026"),
            ("phso_reference", "PHSO-123"),
            ("decision", "partly_upheld"),
            ("decision_on", "7/12/2026"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let referral: serde_json::Value = app
        .get(&format!("/api/v1/cases/{id}/ombudsman"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(referral["decision"], "partly_upheld", "{referral}");
    assert_eq!(referral["decision_on"], "2026-12-07");
    assert_eq!(referral["phso_reference"], "PHSO-123");
}

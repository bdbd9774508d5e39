//! The staff workspace in a real headless browser (Debian's Chromium through chromedriver, as
//! `browser.rs`): a PALS officer signs in, logs a phone concern and escalates it; a complaints
//! manager acknowledges the complaint, assigns an investigator, starts the investigation,
//! records the response and closes it — all through the pages, then checked against the API.
//! A bad form shows the error summary, a stale form says so and keeps what was chosen, and a
//! session left idle asks for sign-in again; signing in and reaching a form work by keyboard;
//! every page is checked with axe-core (from npm, made
//! once under `target/axe-core`) and must have no violations. Screenshots go to
//! `target/screenshots/staff-*.png`.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use candour::domain::role::Role;
use fantoccini::Locator;
use serde_json::Value;

use crate::browser::{Browser, chromedriver, postgres};
use crate::helpers::{TestApp, TestUser, insert_service, spawn_app};
use crate::mail_sink::{run, target_dir};

const AXE: &str = "axe-core@4.14.1";

/// axe-core's script, installed with npm on first use.
fn axe_script() -> &'static str {
    static SCRIPT: OnceLock<String> = OnceLock::new();
    SCRIPT.get_or_init(|| {
        let target = target_dir();
        std::fs::create_dir_all(&target).expect("target folder");
        let dir = target.join("axe-core");
        let ready = dir.join(".axe-core-4.14.1-installed");
        let lock = std::fs::File::create(target.join("axe-core.lock")).expect("axe lock file");
        lock.lock().expect("lock the axe-core folder");
        if !ready.exists() {
            std::fs::create_dir_all(&dir).expect("axe-core folder");
            run(Command::new("npm")
                .args(["install", "--silent", "--no-audit", "--no-fund", "--prefix"])
                .arg(&dir)
                .arg(AXE));
            std::fs::write(&ready, AXE).expect("mark axe-core ready");
        }
        drop(lock);
        let path: PathBuf = dir.join("node_modules/axe-core/axe.min.js");
        std::fs::read_to_string(path).expect("axe.min.js")
    })
}

struct Staff<'a> {
    browser: &'a Browser,
    app: &'a TestApp,
    engine: &'static str,
}

impl Staff<'_> {
    async fn open(&self, path: &str) {
        self.browser
            .c()
            .goto(&self.app.url(path))
            .await
            .expect("open the page");
    }

    /// Run axe-core on the page as it is: no violations allowed (WCAG 2.2 A and AA and axe's
    /// best practices), and keep a screenshot.
    async fn check(&self, name: &str) {
        let c = self.browser.c();
        c.execute(axe_script(), vec![])
            .await
            .expect("load axe-core");
        let found = c
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document).then(r => done(r.violations.map(v =>
                   v.id + ' (' + v.impact + '): ' + v.help + ' at ' +
                   v.nodes.map(n => n.target.join(' ')).join(', '))));",
                vec![],
            )
            .await
            .expect("run axe-core");
        let violations: Vec<Value> = found.as_array().cloned().unwrap_or_default();
        assert!(violations.is_empty(), "axe-core on {name}: {violations:#?}");
        self.browser
            .screenshot(&format!("staff-{name}-{}", self.engine))
            .await;
    }

    async fn fill(&self, css: &str, text: &str) {
        let e = self
            .browser
            .c()
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"));
        e.clear().await.expect("clear");
        e.send_keys(text).await.expect("type");
    }

    async fn choose(&self, css: &str, value: &str) {
        self.browser
            .c()
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"))
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("{css} has no {value}: {e}"));
    }

    /// Wait until the first `css` element holds `needle` (the page after a form was sent), up to
    /// a deadline; its text.
    async fn until_text(&self, css: &str, needle: &str) -> String {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            if let Ok(e) = self.browser.c().find(Locator::Css(css)).await
                && let Ok(text) = e.text().await
                && text.contains(needle)
            {
                return text;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{css} never showed {needle:?}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    async fn sign_in(&self, user: &TestUser) {
        self.open("/staff").await;
        self.browser.until_heading("Sign in to Candour").await;
        self.fill("#email", &user.email).await;
        self.fill("#password", &user.password).await;
        self.browser
            .click("form[action='/staff/sign-in'] button")
            .await;
    }

    async fn sign_out(&self) {
        self.browser.click(".nhsuk-header__account-button").await;
        self.browser.until_heading("Sign in to Candour").await;
    }

    /// Open step `action`'s form on the case page, fill it with `fill`, and send it.
    async fn step(&self, action: &str) {
        self.browser.click(&format!("#step-{action} summary")).await;
    }

    async fn send_step(&self, action: &str) {
        self.browser.click(&format!("#step-{action} button")).await;
    }

    fn case_id(url: &str) -> String {
        url.split("/staff/cases/")
            .nth(1)
            .and_then(|r| r.split('?').next())
            .expect("a case page")
            .to_string()
    }

    async fn current_case(&self) -> String {
        Self::case_id(
            self.browser
                .c()
                .current_url()
                .await
                .expect("the url")
                .as_str(),
        )
    }
}

#[tokio::test]
async fn a_concern_becomes_a_complaint_and_is_closed_through_the_staff_pages() {
    let Some(driver) = chromedriver() else { return };
    let app = spawn_app().await;
    let engine = postgres(&app);
    let service = insert_service(&app, "WARD7", None).await;
    let officer = app.create_user(Role::PalsOfficer).await;
    let manager = app.create_user(Role::ComplaintsManager).await;
    let investigator = app.create_user(Role::Investigator).await;
    let browser = Browser::start(&driver).await;
    let s = Staff {
        browser: &browser,
        app: &app,
        engine,
    };

    s.open("/staff/my-work").await;
    browser.until_heading("Sign in to Candour").await;
    s.check("sign-in").await;
    // A wrong password: the error summary, nothing else.
    s.fill("#email", &officer.email).await;
    s.fill("#password", "not the password").await;
    browser.click("form[action='/staff/sign-in'] button").await;
    s.until_text(".nhsuk-error-summary", "not correct").await;
    s.check("sign-in-error").await;

    // The PALS officer logs a phone call.
    s.fill("#password", &officer.password).await;
    browser.click("form[action='/staff/sign-in'] button").await;
    browser.until_heading("My work").await;
    s.check("my-work-empty").await;
    s.open("/staff/cases/new").await;
    browser.until_heading("Log a concern or complaint").await;
    s.check("new-case").await;
    s.fill(
        "#case-description",
        "The pay machine at the ward 7 car park was broken again.",
    )
    .await;
    s.fill("#case-complainant_name", "Jo Caller").await;
    s.fill("#case-complainant_phone", "07700 900123").await;
    browser.click("#case-patient_is_complainant").await;
    s.choose("#case-service_id", &service).await;
    s.choose("#case-subject", "facilities").await;
    // No summary yet: the error summary names it, and the rest stays as typed.
    browser
        .click("form[action='/staff/cases/new'] button")
        .await;
    assert!(
        browser
            .text(".nhsuk-error-summary")
            .await
            .contains("Summary")
    );
    s.check("new-case-error").await;
    s.fill("#case-summary", "Car park pay machine broken").await;
    browser
        .click("form[action='/staff/cases/new'] button")
        .await;
    s.until_text(".nhsuk-inset-text", "Logged.").await;
    let concern = s.current_case().await;
    s.check("concern").await;

    // The caller wants a formal complaint.
    s.step("escalate").await;
    s.fill(
        "#escalate-reason",
        "The caller asked for a formal investigation",
    )
    .await;
    s.choose("#escalate-risk_consequence", "2").await;
    s.choose("#escalate-risk_likelihood", "3").await;
    s.send_step("escalate").await;
    s.until_text(".nhsuk-inset-text", "Done: escalate").await;
    let complaint = s.current_case().await;
    assert_ne!(complaint, concern);
    s.sign_out().await;

    // The complaints manager runs it to the end.
    s.sign_in(&manager).await;
    browser.until_heading("My work").await;
    s.check("my-work-manager").await;
    s.open(&format!("/staff/cases/{complaint}")).await;
    s.step("acknowledge").await;
    s.check("complaint-acknowledge-open").await;
    s.choose("#acknowledge-method", "phone").await;
    browser
        .click("#acknowledge-handling_discussion_offered")
        .await;
    // Meanwhile a colleague changes the case through the API: the form on screen is stale.
    let (_, colleague) = app.signed_in(Role::ComplaintsManager).await;
    let now: Value = app
        .get(&format!("/api/v1/cases/{complaint}"), &colleague)
        .await
        .json()
        .await
        .unwrap();
    app.act_ok(
        &colleague,
        &now,
        "assign",
        serde_json::json!({ "handler_id": manager.id }),
    )
    .await;
    s.send_step("acknowledge").await;
    // Refused, said so, and what was chosen is still chosen; sent again, it is taken.
    s.until_text(".nhsuk-inset-text", "what you typed is kept")
        .await;
    let method = browser
        .c()
        .find(Locator::Css("#acknowledge-method"))
        .await
        .expect("the method")
        .prop("value")
        .await
        .expect("its value");
    assert_eq!(method.as_deref(), Some("phone"));
    let ticked = browser
        .c()
        .find(Locator::Css("#acknowledge-handling_discussion_offered"))
        .await
        .expect("the offer to discuss")
        .prop("checked")
        .await
        .expect("whether it is ticked");
    assert_eq!(ticked.as_deref(), Some("true"));
    s.check("complaint-stale-form").await;
    s.send_step("acknowledge").await;
    s.until_text(".nhsuk-inset-text", "Done: acknowledge").await;
    s.step("assign").await;
    s.choose("#assign-handler_id", &manager.id).await;
    s.choose("#assign-investigator_id", &investigator.id).await;
    s.send_step("assign").await;
    s.until_text(".nhsuk-inset-text", "Done: assign").await;
    s.step("start-investigation").await;
    s.send_step("start-investigation").await;
    s.until_text(".nhsuk-inset-text", "Done: start the investigation")
        .await;
    s.step("respond").await;
    s.fill("#respond-signed_by", "Chief Executive").await;
    s.choose("#respond-finding-facilities", "upheld").await;
    browser.click("#respond-ombudsman_rights_given").await;
    s.send_step("respond").await;
    s.until_text(".nhsuk-inset-text", "Done: record the response")
        .await;
    s.step("close").await;
    s.send_step("close").await;
    s.until_text(".nhsuk-inset-text", "Done: close").await;
    // Responded before it fell due, the six-month letter is not owed.
    s.until_text("#clock", "Not needed: the response went out on")
        .await;
    s.check("complaint-closed").await;
    s.open("/staff/password").await;
    s.check("password").await;
    s.open("/staff/reports").await;
    s.check("reports").await;
    s.open("/staff/learning").await;
    s.check("learning").await;
    s.open("/staff/cases?find=car+park&status=closed").await;
    s.until_text("#results", "Car park pay machine broken")
        .await;
    s.check("find").await;
    // Left alone past the idle time, the next page asks for sign-in again and says why.
    let idle = app.settings.auth.page_idle_minutes;
    app.set_clock(app.clock.now_utc() + chrono::Duration::minutes(idle + 1));
    s.open("/staff/my-work").await;
    browser.until_heading("Sign in to Candour").await;
    s.until_text(".nhsuk-inset-text", "was not used for").await;
    s.check("sign-in-after-idle").await;
    browser.stop().await;

    // The API agrees with what the pages did.
    let (_, token) = app.signed_in(Role::ComplaintsManager).await;
    let case: Value = app
        .get(&format!("/api/v1/cases/{complaint}"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(case["status"], "closed", "{case}");
    assert_eq!(case["handler_id"], manager.id.as_str());
    assert_eq!(case["investigator_id"], investigator.id.as_str());
    assert_eq!(case["outcome"], "upheld");
    assert_eq!(case["acknowledgement"]["method"], "phone", "{case}");
    assert_eq!(case["acknowledgement"]["handling_discussion_offered"], true);
    let kinds = app.timeline_kinds(&token, &complaint).await;
    for step in [
        "acknowledge",
        "assign",
        "start-investigation",
        "respond",
        "close",
    ] {
        assert!(
            kinds.contains(&step.to_string()),
            "{step} missing from {kinds:?}"
        );
    }
    let concern: Value = app
        .get(&format!("/api/v1/cases/{concern}"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(concern["status"], "escalated");
}

/// Press each key of `keys` (text, or `Key` codes such as `\u{e004}` for Tab) in turn.
async fn press(browser: &Browser, keys: &str) {
    use fantoccini::actions::{InputSource, KeyAction, KeyActions};
    let mut actions = KeyActions::new("keyboard".into());
    for value in keys.chars() {
        actions = actions
            .then(KeyAction::Down { value })
            .then(KeyAction::Up { value });
    }
    browser
        .c()
        .perform_actions(actions)
        .await
        .expect("press keys");
}

/// Press Tab until the focused element matches `found` (at most 30 times).
async fn tab_to(browser: &Browser, what: &str, found: impl Fn(&str, &str) -> bool) {
    for _ in 0..30 {
        press(browser, "\u{e004}").await;
        let e = browser
            .c()
            .active_element()
            .await
            .expect("a focused element");
        let id = e.attr("id").await.ok().flatten().unwrap_or_default();
        let text = e.text().await.unwrap_or_default();
        if found(&id, &text) {
            return;
        }
    }
    panic!("Tab never reached {what}");
}

#[tokio::test]
async fn the_staff_pages_work_by_keyboard_alone() {
    let Some(driver) = chromedriver() else { return };
    let app = spawn_app().await;
    let officer = app.create_user(Role::PalsOfficer).await;
    let browser = Browser::start(&driver).await;
    browser
        .c()
        .goto(&app.url("/staff/sign-in"))
        .await
        .expect("open the sign-in page");
    browser.until_heading("Sign in to Candour").await;
    // The first stop is the skip link, as in every NHS service.
    press(&browser, "\u{e004}").await;
    let first = browser.c().active_element().await.expect("focus");
    assert_eq!(first.text().await.unwrap(), "Skip to main content");
    tab_to(&browser, "the email field", |id, _| id == "email").await;
    press(&browser, &officer.email).await;
    tab_to(&browser, "the password field", |id, _| id == "password").await;
    press(&browser, &format!("{}\u{e007}", officer.password)).await;
    browser.until_heading("My work").await;
    // The menu reaches the new-case form, and the form its first field, by Tab and Enter.
    tab_to(&browser, "the menu's new-case link", |_, text| {
        text == "Log a concern or complaint"
    })
    .await;
    press(&browser, "\u{e007}").await;
    browser.until_heading("Log a concern or complaint").await;
    tab_to(&browser, "the kind of case", |id, _| id == "case-kind").await;
    browser.stop().await;
}

//! The pages for the public in a real headless browser: Debian's `chromium` driven through
//! `chromedriver` with fantoccini. The tracking page shows the right stage and accepts a
//! message (which then is on the timeline); the survey is filled in and sent once, and a second
//! submission is refused politely. Screenshots go to `target/screenshots/`.
//!
//! Without chromedriver the tests print "skipped: install chromium chromium-driver" and pass,
//! unless `CANDOUR_BROWSER_TESTS=1` (as in CI), when they fail.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use candour::domain::role::Role;
use diesel::prelude::*;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

use crate::feedback::{invite, responded};
use crate::helpers::{TestApp, spawn_app};
use crate::mail_sink::free_port;
use crate::tracking::tracked_case;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// chromedriver, or `None` (after saying so) when the tests may be skipped.
pub(crate) fn chromedriver() -> Option<PathBuf> {
    let found = [CHROMEDRIVER, "/usr/lib/chromium/chromedriver"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .filter(|_| Path::new(CHROMIUM).exists());
    if found.is_none() {
        assert!(
            std::env::var("CANDOUR_BROWSER_TESTS").as_deref() != Ok("1"),
            "CANDOUR_BROWSER_TESTS=1 but {CHROMEDRIVER} or {CHROMIUM} is missing: apt-get install -y chromium chromium-driver"
        );
        println!(
            "skipped: install chromium chromium-driver (apt-get install -y chromium chromium-driver)"
        );
    }
    found
}

/// A running chromedriver and a headless Chromium session with its own profile.
pub(crate) struct Browser {
    client: Option<Client>,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub(crate) async fn start(driver_path: &Path) -> Self {
        let port = free_port();
        let driver = Command::new(driver_path)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not listen in time"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile = tempfile::tempdir().expect("a browser profile folder");
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": CHROMIUM,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=412,1800",
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }),
        );
        // chromedriver speaks plain HTTP on loopback: no TLS needed.
        let mut builder = ClientBuilder::new(HttpConnector::new());
        builder.capabilities(caps);
        let url = format!("http://127.0.0.1:{port}");
        // The first session can take a while on a busy machine: retry until a deadline.
        let client = loop {
            match builder.connect(&url).await {
                Ok(c) => break c,
                Err(e) => {
                    assert!(Instant::now() < deadline, "no browser session: {e}");
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
            }
        };
        Self {
            client: Some(client),
            driver,
            _profile: profile,
        }
    }

    pub(crate) fn c(&self) -> &Client {
        self.client.as_ref().expect("an open session")
    }

    pub(crate) async fn screenshot(&self, name: &str) {
        let png = self.c().screenshot().await.expect("a screenshot");
        let dir = screenshots_dir();
        std::fs::create_dir_all(&dir).expect("the screenshots folder");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("write the screenshot");
    }

    /// The text of the first `css` element, waiting for it up to a deadline.
    pub(crate) async fn text(&self, css: &str) -> String {
        self.c()
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"))
            .text()
            .await
            .expect("its text")
    }

    pub(crate) async fn click(&self, css: &str) {
        self.c()
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"))
            .click()
            .await
            .expect("click");
    }

    /// Wait until the page's `<h1>` reads `heading` (after a form is sent).
    pub(crate) async fn until_heading(&self, heading: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let h1 = self.c().find(Locator::Css("h1")).await.ok();
            if let Some(h1) = h1
                && h1.text().await.is_ok_and(|t| t == heading)
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the page never showed {heading:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub(crate) async fn stop(mut self) {
        if let Some(c) = self.client.take() {
            let _ = c.close().await;
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn screenshots_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"))
        .join("screenshots")
}

pub(crate) fn postgres(app: &TestApp) -> &'static str {
    if app.db.is_postgres() {
        "postgres"
    } else {
        "sqlite"
    }
}

#[tokio::test]
async fn the_tracking_page_shows_the_stage_and_sends_a_message() {
    let Some(driver) = chromedriver() else { return };
    let app = spawn_app().await;
    let t = tracked_case(&app).await;
    let browser = Browser::start(&driver).await;
    browser
        .c()
        .goto(&t.url)
        .await
        .expect("open the tracking page");
    assert_eq!(
        browser.text("h1").await,
        "We have acknowledged your complaint"
    );
    let details = browser.text(".summary-list").await;
    assert!(
        details.contains(t.case["reference"].as_str().unwrap()),
        "{details}"
    );
    assert!(
        details.contains("Test complaints_manager, Complaints manager"),
        "{details}"
    );
    // The stylesheet loaded under the page's Content-Security-Policy: the header is NHS blue.
    let colour = browser
        .c()
        .execute(
            "return getComputedStyle(document.querySelector('.header')).backgroundColor",
            vec![],
        )
        .await
        .expect("script");
    assert_eq!(colour, json!("rgb(0, 94, 184)"));
    browser
        .screenshot(&format!("tracking-{}", postgres(&app)))
        .await;

    let text = "Could the meeting be on a Tuesday? Thank you.";
    browser
        .c()
        .find(Locator::Css("textarea#message"))
        .await
        .expect("the message box")
        .send_keys(text)
        .await
        .expect("type the message");
    browser.click("button[type=submit]").await;
    assert_eq!(
        browser.text(".panel--success h2").await,
        "Your message has been sent"
    );
    browser
        .screenshot(&format!("tracking-sent-{}", postgres(&app)))
        .await;
    browser.stop().await;

    let id = t.case["id"].as_str().unwrap();
    let events: Vec<Value> = app
        .get(&format!("/api/v1/cases/{id}/timeline"), &t.manager)
        .await
        .json()
        .await
        .unwrap();
    let messages: Vec<&Value> = events
        .iter()
        .filter(|e| e["kind"] == "complainant_message")
        .collect();
    assert_eq!(messages.len(), 1, "{events:?}");
    assert_eq!(messages[0]["details"]["text"], text);
}

#[tokio::test]
async fn the_survey_is_sent_once_and_a_second_submission_is_refused_politely() {
    let Some(driver) = chromedriver() else { return };
    let app = spawn_app().await;
    let (_, case) = responded(&app).await;
    let (_, manager) = app.signed_in(Role::ComplaintsManager).await;
    let url = invite(&app, &manager, &case).await;
    let browser = Browser::start(&driver).await;
    let c = browser.c();

    // Two windows show the form before anything is sent.
    c.goto(&url).await.expect("open the survey");
    assert_eq!(
        browser.text("h1").await,
        "Tell us how we handled your complaint"
    );
    let first = c.window().await.expect("the first window");
    let second = c.new_window(true).await.expect("a second tab").handle;
    c.switch_to_window(second.clone()).await.expect("switch");
    c.goto(&url).await.expect("open the survey again");
    assert_eq!(
        browser.text("h1").await,
        "Tell us how we handled your complaint"
    );

    c.switch_to_window(first).await.expect("switch back");
    browser
        .click("label[for='q-considering_right_to_complain-5']")
        .await;
    browser.click("label[for='q-informed_progress-4']").await;
    browser.click("label[for='q-outcome_apology-na']").await;
    browser.click("label[for='overall-4']").await;
    c.find(Locator::Css("textarea#comments"))
        .await
        .expect("the comments box")
        .send_keys("Clear letters, thank you.")
        .await
        .expect("type");
    browser
        .screenshot(&format!("survey-{}", postgres(&app)))
        .await;
    browser.click("button[type=submit]").await;
    browser.until_heading("Thank you for your feedback").await;
    browser
        .screenshot(&format!("survey-thanks-{}", postgres(&app)))
        .await;

    c.switch_to_window(second)
        .await
        .expect("switch to the second tab");
    browser.click("label[for='overall']").await;
    browser.click("button[type=submit]").await;
    browser.until_heading("We already have your answers").await;
    let body = browser.text("main").await;
    assert!(body.contains("we have not changed them"), "{body}");
    browser
        .screenshot(&format!("survey-second-{}", postgres(&app)))
        .await;
    browser.stop().await;

    let cid = case["id"].as_str().unwrap().to_string();
    let stored: Vec<(Option<i32>, Option<String>)> = app
        .state
        .db
        .read(move |conn| -> Result<_, candour::error::AppError> {
            use candour::db::schema::feedback_invitations as f;
            Ok(f::table
                .filter(f::case_id.eq(cid))
                .select((f::overall_satisfaction, f::comments))
                .load(conn)?)
        })
        .await
        .unwrap();
    assert_eq!(
        stored,
        vec![(Some(4), Some("Clear letters, thank you.".to_string()))]
    );
}

#[tokio::test]
async fn the_board_pack_renders_with_its_charts_in_a_real_browser() {
    let Some(driver) = chromedriver() else { return };
    let app = spawn_app().await;
    crate::reports::seed(&app).await;
    let (_, board) = app.signed_in(Role::Board).await;
    let url = crate::reports::pack_link(&app, &board, "2025-04-01", "2026-03-31").await;
    let browser = Browser::start(&driver).await;
    browser
        .c()
        .set_window_size(1100, 2400)
        .await
        .expect("an A4-ish window");
    browser.c().goto(&url).await.expect("open the board pack");
    assert_eq!(
        browser.text("h1").await,
        "Complaints and PALS: report to the board"
    );
    let charts = browser
        .c()
        .find_all(Locator::Css("svg.chart"))
        .await
        .expect("the charts");
    assert!(charts.len() >= 6, "{} charts", charts.len());
    // The inline stylesheet was allowed by its hash: the heading is NHS blue.
    let colour = browser
        .c()
        .execute(
            "return getComputedStyle(document.querySelector('h1')).color",
            vec![],
        )
        .await
        .expect("the heading's colour");
    assert_eq!(colour, json!("rgb(0, 94, 184)"));
    // The SPC chart draws its points and is laid out with a size.
    let width = browser
        .c()
        .execute(
            "return document.querySelector('svg.chart').getBoundingClientRect().width",
            vec![],
        )
        .await
        .expect("the chart's width");
    assert!(width.as_f64().unwrap_or(0.0) > 300.0, "{width}");
    let points = browser
        .c()
        .find_all(Locator::Css("svg.chart circle"))
        .await
        .expect("points");
    assert!(!points.is_empty());
    browser
        .screenshot(&format!("board-pack-{}", postgres(&app)))
        .await;
    browser.stop().await;
}

#[tokio::test]
async fn a_complainant_sends_a_document_from_the_tracking_page() {
    let Some(driver) = chromedriver() else { return };
    let app = spawn_app().await;
    let t = tracked_case(&app).await;
    let folder = tempfile::tempdir().expect("a folder for the file");
    let path = folder.path().join("photo of the bay.pdf");
    std::fs::write(&path, crate::documents::PDF).expect("write the file");
    let browser = Browser::start(&driver).await;
    browser
        .c()
        .goto(&t.url)
        .await
        .expect("open the tracking page");
    browser
        .c()
        .find(Locator::Css("input#file"))
        .await
        .expect("the file field")
        .send_keys(&path.display().to_string())
        .await
        .expect("choose the file");
    browser
        .c()
        .find(Locator::Css("input#description"))
        .await
        .expect("the description field")
        .send_keys("The bay on the day")
        .await
        .expect("type the description");
    browser
        .click("#send-a-document ~ form button[type=submit]")
        .await;
    assert_eq!(
        browser.text(".panel--success h2").await,
        "Your document has been sent"
    );
    browser
        .screenshot(&format!("tracking-document-sent-{}", postgres(&app)))
        .await;
    browser.stop().await;

    let id = t.case["id"].as_str().unwrap();
    let docs: Vec<Value> = app
        .get(&format!("/api/v1/cases/{id}/documents"), &t.manager)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0]["file_name"], "photo of the bay.pdf");
    assert_eq!(docs[0]["description"], "The bay on the day");
    assert_eq!(docs[0]["source"], "complainant");
}

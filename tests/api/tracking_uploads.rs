//! Documents sent from the tracking page (`POST /track/{token}/documents`): checked like a
//! staff upload, kept on the case with the complainant as its source, on the timeline, and
//! limited per link a day; a refused file shows why on the page and keeps nothing.

use reqwest::Response;
use serde_json::Value;

use crate::documents::{PDF, PNG, Part, field, file, form};
use crate::helpers::{TestApp, spawn_app, spawn_app_with};
use crate::tracking::{Tracked, csrf_of, tracked_case};

async fn page(app: &TestApp, url: &str) -> (u16, String) {
    let res = app.client.get(url).send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn send(app: &TestApp, t: &Tracked, parts: &[Part<'_>]) -> Response {
    let (content_type, body) = form(parts);
    app.client
        .post(format!("{}/documents", t.url))
        .header("Content-Type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn staff_documents(app: &TestApp, t: &Tracked) -> Vec<Value> {
    let id = t.case["id"].as_str().unwrap();
    app.get(&format!("/api/v1/cases/{id}/documents"), &t.manager)
        .await
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_complainant_sends_a_document_that_staff_see_as_theirs() {
    let app = spawn_app().await;
    let t = tracked_case(&app).await;
    let (status, html) = page(&app, &t.url).await;
    assert_eq!(status, 200);
    assert!(html.contains("enctype=\"multipart/form-data\""), "{html}");
    let token = t.url.rsplit('/').next().unwrap();
    assert!(
        html.contains(&format!("action=\"{token}&#x2f;documents\""))
            || html.contains(&format!("action=\"{token}/documents\""))
    );
    let csrf = csrf_of(&html);

    let res = send(
        &app,
        &t,
        &[
            field("csrf", &csrf),
            file("photo of the ward.pdf", PDF),
            field("description", "The letter I mentioned"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers()["location"],
        format!("../{token}?uploaded=1").as_str()
    );
    let (_, html) = page(&app, &format!("{}?uploaded=1", t.url)).await;
    assert!(html.contains("Your document has been sent"));

    let docs = staff_documents(&app, &t).await;
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0]["source"], "complainant");
    assert_eq!(docs[0]["uploaded_by"], Value::Null);
    assert_eq!(docs[0]["description"], "The letter I mentioned");
    assert_eq!(docs[0]["file_name"], "photo of the ward.pdf");
    let id = t.case["id"].as_str().unwrap();
    let timeline: Vec<Value> = app
        .get(&format!("/api/v1/cases/{id}/timeline"), &t.manager)
        .await
        .json()
        .await
        .unwrap();
    let event = timeline
        .iter()
        .find(|e| e["kind"] == "document_added")
        .unwrap();
    assert_eq!(event["actor_id"], Value::Null);
    assert!(
        event["summary"]
            .as_str()
            .unwrap()
            .contains("from the complainant"),
        "{event}"
    );
}

#[tokio::test]
async fn a_refused_file_says_why_on_the_page_and_keeps_nothing() {
    let app = spawn_app().await;
    let t = tracked_case(&app).await;
    let csrf = csrf_of(&page(&app, &t.url).await.1);
    let res = send(&app, &t, &[field("csrf", &csrf), file("scan.pdf", PNG)]).await;
    assert_eq!(res.status(), 415);
    let html = res.text().await.unwrap();
    assert!(html.contains("its content is a PNG image"), "{html}");
    assert!(
        html.contains("href=\"#file\""),
        "the error summary links to the field"
    );
    let res = send(&app, &t, &[field("csrf", &csrf)]).await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("Choose a file to send"));
    let res = send(&app, &t, &[field("csrf", "forged"), file("a.pdf", PDF)]).await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("the page had expired"));
    assert!(staff_documents(&app, &t).await.is_empty());
    let unknown = app
        .client
        .post(app.url("/track/not-a-token/documents"))
        .header(
            "Content-Type",
            form(&[field("csrf", &csrf), file("a.pdf", PDF)]).0,
        )
        .body(form(&[field("csrf", &csrf), file("a.pdf", PDF)]).1)
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn a_link_sends_at_most_the_days_limit() {
    let app = spawn_app_with(|s| s.tracking.max_uploads_per_day = 2).await;
    let t = tracked_case(&app).await;
    let csrf = csrf_of(&page(&app, &t.url).await.1);
    for name in ["one.pdf", "two.pdf"] {
        let res = send(&app, &t, &[field("csrf", &csrf), file(name, PDF)]).await;
        assert_eq!(res.status(), 303, "{name}");
    }
    let res = send(&app, &t, &[field("csrf", &csrf), file("three.pdf", PDF)]).await;
    assert_eq!(res.status(), 429);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("You have sent 2 documents today")
    );
    assert_eq!(staff_documents(&app, &t).await.len(), 2);
    // The next day in England the link may send again.
    app.set_today(app.today().succ_opt().unwrap());
    let csrf = csrf_of(&page(&app, &t.url).await.1);
    let res = send(&app, &t, &[field("csrf", &csrf), file("four.pdf", PDF)]).await;
    assert_eq!(res.status(), 303);
}

#[tokio::test]
async fn the_complainant_reads_again_a_letter_sent_to_them() {
    let app = spawn_app().await;
    let t = tracked_case(&app).await;
    let token = t.url.rsplit('/').next().unwrap().to_string();
    let (_, html) = page(&app, &t.url).await;
    // The acknowledgement was emailed (tracked_case waits for it): the page links to it.
    let href = format!("href=\"{token}&#x2f;letters&#x2f;1\"");
    assert!(
        html.contains(&href) || html.contains(&format!("href=\"{token}/letters/1\"")),
        "{html}"
    );
    let res = app
        .client
        .get(format!("{}/letters/1", t.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.starts_with("default-src 'none'"), "{csp}");
    let letter = res.text().await.unwrap();
    assert!(
        letter.contains(t.case["reference"].as_str().unwrap()),
        "{letter}"
    );
    assert!(
        !letter.contains(&token),
        "the private link is not in the copy"
    );
    for missing in ["/letters/2", "/letters/0", "/letters/first"] {
        let res = app
            .client
            .get(format!("{}{missing}", t.url))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "{missing}");
    }
}

//! From an outbox row to a MIME message: From, To, Subject, Date, Message-ID, the text and HTML
//! alternatives, and attachments (an `invite.ics` as `text/calendar; method=REQUEST`).

use std::time::SystemTime;

use lettre::Message;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};

use crate::db::outbox::OutboxMessage;

/// Build the message for `row`, sent from `from`. An error means the row can never be sent
/// as stored (bad recipient, attachment or content type).
pub fn build(row: &OutboxMessage, from: &Mailbox) -> Result<Message, String> {
    let to: Mailbox = row
        .recipient
        .parse()
        .map_err(|e| format!("the recipient is not an email address: {e}"))?;
    let builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(row.subject.clone())
        .message_id(Some(row.message_id.clone()))
        .date(SystemTime::from(row.created_at.and_utc()));
    let text = SinglePart::plain(row.text_body.clone());
    let body = match &row.html_body {
        Some(html) => Body::Multi(MultiPart::alternative_plain_html(
            row.text_body.clone(),
            html.clone(),
        )),
        None => Body::Single(text),
    };
    let attachments = row.attachments()?;
    let built = if attachments.is_empty() {
        match body {
            Body::Multi(m) => builder.multipart(m),
            Body::Single(s) => builder.singlepart(s),
        }
    } else {
        let mut mixed = match body {
            Body::Multi(m) => MultiPart::mixed().multipart(m),
            Body::Single(s) => MultiPart::mixed().singlepart(s),
        };
        for a in attachments {
            let content_type = ContentType::parse(&a.content_type).map_err(|e| {
                format!(
                    "attachment {:?} has an invalid content type {:?}: {e}",
                    a.filename, a.content_type
                )
            })?;
            let bytes = a.bytes()?;
            mixed = mixed.singlepart(Attachment::new(a.filename).body(bytes, content_type));
        }
        builder.multipart(mixed)
    };
    built.map_err(|e| format!("the message cannot be built: {e}"))
}

enum Body {
    Single(SinglePart),
    Multi(MultiPart),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::outbox::{Attachment as Stored, OutboxStatus};

    fn row() -> OutboxMessage {
        let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 23)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap();
        OutboxMessage {
            id: "m1".into(),
            case_id: None,
            template: "test_message".into(),
            recipient: "alex@example.org".into(),
            subject: "Your complaint C-2026-00042".into(),
            text_body: "Plain words".into(),
            html_body: Some("<p>Rich words</p>".into()),
            attachments_json: "[]".into(),
            message_id: "<abc@trust.nhs.uk>".into(),
            status: OutboxStatus::Sending,
            attempts: 1,
            next_attempt_at: now,
            last_error: None,
            claimed_by: None,
            claimed_until: None,
            created_at: now,
            sent_at: None,
        }
    }

    fn from() -> Mailbox {
        "Complaints <complaints@trust.nhs.uk>".parse().unwrap()
    }

    fn text(m: &Message) -> String {
        String::from_utf8(m.formatted()).unwrap()
    }

    #[test]
    fn headers_and_alternatives() {
        let m = text(&build(&row(), &from()).unwrap());
        assert!(m.contains("Message-ID: <abc@trust.nhs.uk>"), "{m}");
        assert!(
            m.contains("From: Complaints <complaints@trust.nhs.uk>"),
            "{m}"
        );
        assert!(m.contains("To: alex@example.org"), "{m}");
        assert!(m.contains("Subject: Your complaint C-2026-00042"), "{m}");
        assert!(m.contains("Date: Mon, 23 Nov 2026 10:00:00"), "{m}");
        assert!(m.contains("multipart/alternative"), "{m}");
        assert!(m.contains("text/plain") && m.contains("text/html"), "{m}");
        assert!(!m.contains("multipart/mixed"), "{m}");
    }

    #[test]
    fn attachments_make_a_mixed_message() {
        let mut r = row();
        let ics = Stored::new(
            "invite.ics",
            "text/calendar; method=REQUEST; charset=utf-8",
            b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
        );
        r.attachments_json = serde_json::to_string(&vec![ics]).unwrap();
        let m = text(&build(&r, &from()).unwrap());
        assert!(m.contains("multipart/mixed"), "{m}");
        assert!(m.contains("text/calendar; method=REQUEST"), "{m}");
        assert!(m.contains("filename=\"invite.ics\""), "{m}");
    }

    #[test]
    fn text_only_messages_are_single_part() {
        let mut r = row();
        r.html_body = None;
        let m = text(&build(&r, &from()).unwrap());
        assert!(!m.contains("multipart"), "{m}");
        assert!(m.contains("Plain words"), "{m}");
    }

    #[test]
    fn unsendable_rows_are_errors() {
        let mut r = row();
        r.recipient = "not an address".into();
        assert!(build(&r, &from()).unwrap_err().contains("recipient"));
        let mut r = row();
        r.attachments_json = r#"[{"filename":"a","content_type":"???","base64":""}]"#.into();
        assert!(build(&r, &from()).unwrap_err().contains("content type"));
    }
}

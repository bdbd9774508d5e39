//! Writing to people from inside a case change's transaction: complainants get an email when
//! they may (regulation 15 for statutory letters) or a printable letter to post, and every
//! letter is kept; staff get alert emails, each at most once.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use serde_json::{Value, json};

use crate::config::TrustSettings;
use crate::db::letters::{self, Letter};
use crate::db::{DbConnection, outbox, persons, users};
use crate::domain::account::User;
use crate::domain::case::Case;
use crate::domain::outbox::Attachment;
use crate::email::Outbox;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// A letter rendered for print, before it is kept or emailed.
struct Draft {
    letter: Letter,
    context: Value,
    person: crate::db::persons::Person,
}

/// What a use-case needs to write to people. Cheap to clone into a transaction closure.
#[derive(Clone)]
pub struct Messenger {
    pub outbox: Outbox,
    pub trust: TrustSettings,
}

impl Messenger {
    pub fn from_state(state: &AppState) -> Self {
        Self {
            outbox: state.outbox.clone(),
            trust: state.settings.trust.clone(),
        }
    }

    fn trust(&self) -> Value {
        json!({
            "name": self.trust.name,
            "complaints_team": self.trust.complaints_team,
            "postal_address_lines": self.trust.postal_address.lines().collect::<Vec<_>>(),
            "phone": self.trust.phone,
            "email": self.trust.email,
            "advocacy": self.trust.advocacy,
        })
    }

    /// Write to the complainant of `case` with `template`. Statutory letters go by email only
    /// with regulation 15 consent (given and not withdrawn); others whenever there is an email
    /// address and the complainant did not ask for letters. Otherwise the letter waits to be
    /// printed and posted. Either way the letter is kept and returned.
    #[expect(clippy::too_many_arguments)]
    pub fn to_complainant(
        &self,
        conn: &mut DbConnection,
        case: &Case,
        template: &str,
        extra: Value,
        statutory: bool,
        actor_id: Option<&str>,
        attachments: Vec<Attachment>,
        now: NaiveDateTime,
    ) -> AppResult<Letter> {
        let draft = self.draft(conn, case, template, extra, statutory, actor_id, now)?;
        let Draft {
            mut letter,
            context,
            person,
        } = draft;
        let email = person.email.clone().filter(|_| {
            let consented = case.email_consent && case.email_consent_withdrawn_on.is_none();
            let wants_letters = person.preferred_contact.as_deref() == Some("letter");
            if statutory { consented } else { !wants_letters }
        });
        if let Some(address) = email {
            let mut message = self
                .outbox
                .compose(template, &address, &context)?
                .for_case(&case.id);
            for a in attachments {
                message = message.with_attachment(a);
            }
            let id = outbox::enqueue(conn, &message, now)?;
            letter.channel = "email".into();
            letter.status = "emailed".into();
            letter.outbox_message_id = Some(id);
        }
        letters::insert(conn, &letter)?;
        Ok(letter)
    }

    /// Write to the complainant of `case` by post whatever their email (a survey for someone
    /// with no usable address): the letter waits in the print queue.
    pub fn by_post(
        &self,
        conn: &mut DbConnection,
        case: &Case,
        template: &str,
        extra: Value,
        actor_id: Option<&str>,
        now: NaiveDateTime,
    ) -> AppResult<Letter> {
        let draft = self.draft(conn, case, template, extra, false, actor_id, now)?;
        letters::insert(conn, &draft.letter)?;
        Ok(draft.letter)
    }

    /// The letter to post (rendered for print), the email context, and the complainant.
    #[expect(clippy::too_many_arguments)]
    fn draft(
        &self,
        conn: &mut DbConnection,
        case: &Case,
        template: &str,
        extra: Value,
        statutory: bool,
        actor_id: Option<&str>,
        now: NaiveDateTime,
    ) -> AppResult<Draft> {
        let person = persons::find(conn, &case.complainant_id)?
            .ok_or_else(|| AppError::internal("case without its complainant"))?;
        let handler = match &case.handler_id {
            Some(id) => users::find(conn, id)?,
            None => None,
        };
        let mut context = json!({
            "trust": self.trust(),
            "case": {
                "reference": case.reference,
                "kind": case.kind.as_str(),
                "is_complaint": case.kind == crate::domain::case::CaseKind::Complaint,
                "summary": case.summary,
                "received_on": long_date(case.received_on),
                "stage": case.status.plain_english(),
            },
            "complainant": {
                "name": person.full_name,
                "address_lines": person.postal_address.as_deref().unwrap_or("").lines().collect::<Vec<_>>(),
            },
            "handler": handler.map(|h| json!({"name": h.name, "role": role_title(h.role)})),
            "today": long_date(crate::clock::date_in_england(now.and_utc())),
            "as_letter": false,
        });
        merge(&mut context, extra);
        let mut printable = context.clone();
        printable["as_letter"] = json!(true);
        let rendered = self
            .outbox
            .render(template, &printable)
            .map_err(crate::email::ComposeError::from)?;
        let letter = Letter {
            id: crate::db::ids::new_id(),
            case_id: case.id.clone(),
            template: template.to_string(),
            statutory,
            channel: "post".into(),
            status: "to_post".into(),
            subject: rendered.subject,
            html: rendered.html,
            outbox_message_id: None,
            created_by: actor_id.map(str::to_string),
            created_at: now,
            posted_at: None,
            posted_by: None,
            undelivered_at: None,
        };
        Ok(Draft {
            letter,
            context,
            person,
        })
    }

    /// Email a member of staff, once per `dedupe_key` across every instance. `false` when
    /// the alert had already gone (or the user cannot receive it).
    #[expect(clippy::too_many_arguments)]
    pub fn to_staff(
        &self,
        conn: &mut DbConnection,
        user: &User,
        template: &str,
        extra: Value,
        dedupe_key: &str,
        case_id: Option<&str>,
        kind: &str,
        now: NaiveDateTime,
    ) -> AppResult<bool> {
        if !user.active || !letters::claim_alert(conn, dedupe_key, &user.id, case_id, kind, now)? {
            return Ok(false);
        }
        let mut context = json!({
            "trust": self.trust(),
            "staff": {"name": user.name},
        });
        merge(&mut context, extra);
        let mut message = self.outbox.compose(template, &user.email, &context)?;
        if let Some(id) = case_id {
            message = message.for_case(id);
        }
        let id = outbox::enqueue(conn, &message, now)?;
        letters::set_alert_message(conn, dedupe_key, &id)?;
        Ok(true)
    }
}

fn merge(base: &mut Value, extra: Value) {
    if let (Value::Object(b), Value::Object(e)) = (base, extra) {
        for (k, v) in e {
            b.insert(k, v);
        }
    }
}

/// `19 December 2025`: how dates are written to complainants.
pub fn long_date(day: NaiveDate) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let month = MONTHS
        .get(usize::try_from(day.month0()).unwrap_or(0))
        .copied()
        .unwrap_or("");
    format!("{} {month} {}", day.day(), day.year())
}

/// A UTC time as clocks in England show it: GMT, or BST from 01:00 UTC on the last Sunday of
/// March to 01:00 UTC on the last Sunday of October.
pub fn uk_local(utc: NaiveDateTime) -> (NaiveDateTime, &'static str) {
    let year = utc.year();
    let last_sunday = |month: u32| {
        let mut day = NaiveDate::from_ymd_opt(year, month, 31).unwrap_or_default();
        while day.weekday() != chrono::Weekday::Sun {
            day = day.pred_opt().unwrap_or(day);
        }
        day.and_hms_opt(1, 0, 0).unwrap_or_default()
    };
    if utc >= last_sunday(3) && utc < last_sunday(10) {
        (utc + chrono::Duration::hours(1), "BST")
    } else {
        (utc, "GMT")
    }
}

/// `Tuesday 1 December 2026, 10:00 to 11:00`, in UK time.
pub fn meeting_when(starts_utc: NaiveDateTime, ends_utc: Option<NaiveDateTime>) -> String {
    const DAYS: [&str; 7] = [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ];
    let (start, zone) = uk_local(starts_utc);
    let day = DAYS
        .get(usize::try_from(start.weekday().num_days_from_monday()).unwrap_or(0))
        .copied()
        .unwrap_or("");
    let mut text = format!(
        "{day} {}, {}",
        long_date(start.date()),
        start.format("%H:%M")
    );
    if let Some(end) = ends_utc {
        text.push_str(&format!(" to {}", uk_local(end).0.format("%H:%M")));
    }
    text.push_str(&format!(" ({zone})"));
    text
}

/// The role as a complainant would read it.
pub fn role_title(role: crate::domain::role::Role) -> &'static str {
    use crate::domain::role::Role;
    match role {
        Role::Admin => "Complaints administrator",
        Role::ComplaintsManager => "Complaints manager",
        Role::PalsOfficer => "Patient Advice and Liaison Service officer",
        Role::Investigator => "Investigating officer",
        Role::Board => "Board member",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every shipped letter renders, as an email and as a printed letter, with what the code
    /// gives it (strict templates: a missing value would be an error, not a blank).
    #[test]
    fn every_letter_renders_both_ways() {
        let templates = crate::email::Templates::new("/nonexistent/templates");
        let base = json!({
            "trust": {"name": "Trust", "complaints_team": "Team", "postal_address_lines": ["1 Road"],
                      "phone": "0", "email": "t@t", "advocacy": "Advocacy"},
            "case": {"reference": "C-2026-00001", "kind": "complaint", "is_complaint": true,
                     "summary": "s", "received_on": "1 May 2026", "stage": "x"},
            "complainant": {"name": "Alex", "address_lines": ["2 Street"]},
            "handler": {"name": "Sam", "role": "Complaints manager"},
            "today": "2 May 2026",
        });
        let extras = [
            (
                "acknowledgement",
                json!({"response_due_on": "1 June 2026", "response_due_agreed": false,
                "handling_discussion_offered": true, "meeting_offered": true, "tracking_url": "http://x/track/t"}),
            ),
            (
                "extension",
                json!({"new_due_on": "1 July 2026", "reason": "r", "complainant_agreed": true}),
            ),
            (
                "six_month_delay",
                json!({"explanation": "e", "expected_on": null}),
            ),
            (
                "response_sent",
                json!({"sent_on": "1 June 2026", "signed_by": "CEO"}),
            ),
            ("time_limit_declined", json!({"decline_reason": "r"})),
            ("pals_resolution", json!({"resolution_note": "n"})),
            ("progress_update", json!({"message": "m"})),
            (
                "meeting_invitation",
                json!({"meeting": {"when": "w", "place": "p", "video": false}}),
            ),
            (
                "meeting_changed",
                json!({"meeting": {"when": "w", "place": null, "video": true}}),
            ),
            (
                "meeting_cancelled",
                json!({"meeting": {"when": "w", "place": null, "video": false}}),
            ),
        ];
        for (name, extra) in extras {
            for as_letter in [false, true] {
                let mut ctx = base.clone();
                merge(&mut ctx, extra.clone());
                ctx["as_letter"] = json!(as_letter);
                let r = templates
                    .render(name, &ctx)
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
                assert!(r.subject.contains("C-2026-00001"), "{name}: {}", r.subject);
                assert!(r.text.contains("Team"), "{name} signs off");
                assert_eq!(
                    r.html.contains("2 Street"),
                    as_letter,
                    "{name}: address only on letters"
                );
            }
        }
    }

    #[test]
    fn british_summer_time() {
        let t = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        assert_eq!(
            uk_local(t("2026-07-01 09:00")),
            (t("2026-07-01 10:00"), "BST")
        );
        assert_eq!(
            uk_local(t("2026-12-01 09:00")),
            (t("2026-12-01 09:00"), "GMT")
        );
        // 2026: BST from 01:00 UTC on 29 March to 01:00 UTC on 25 October.
        assert_eq!(uk_local(t("2026-03-29 00:59")).1, "GMT");
        assert_eq!(uk_local(t("2026-03-29 01:00")).1, "BST");
        assert_eq!(uk_local(t("2026-10-25 00:59")).1, "BST");
        assert_eq!(uk_local(t("2026-10-25 01:00")).1, "GMT");
        assert_eq!(
            meeting_when(t("2026-07-07 09:00"), Some(t("2026-07-07 10:00"))),
            "Tuesday 7 July 2026, 10:00 to 11:00 (BST)"
        );
    }

    #[test]
    fn dates_read_the_british_way() {
        let d = NaiveDate::from_ymd_opt(2025, 12, 19).unwrap();
        assert_eq!(long_date(d), "19 December 2025");
        let d = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        assert_eq!(long_date(d), "1 January 2026");
    }
}

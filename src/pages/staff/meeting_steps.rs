//! Face-to-face meetings from the case page: offering one (`POST /staff/cases/{id}/meetings`)
//! and each step a meeting allows now (`POST /staff/meetings/{id}/actions/{action}`: accept,
//! decline, schedule, reschedule, hold, cancel, summary sent), through the API's own services.
//! Times are typed as the wall-clock time in England and stored as UTC; a time the clocks skip
//! or repeat is refused by name.

use actix_web::{HttpResponse, web};
use chrono::{NaiveDate, NaiveTime};
use serde_json::{Map, Value, json};

use super::forms::{self, Field, Kind, field, parse_date, value};
use super::{Staff, app_error, see_other};
use crate::domain::meeting::MeetingAction;
use crate::error::AppError;
use crate::services::meetings::{self, MeetingView};
use crate::state::AppState;

const TODAY: &str = "Leave blank for today.";
const METHODS: &[(&str, &str)] = &[
    ("letter", "Letter"),
    ("email", "Email"),
    ("phone", "Phone"),
    ("in_person", "In person"),
];
const WHEN: &[Field] = &[
    field(
        "day",
        "Date of the meeting",
        "For example, 14/12/2026.",
        Kind::Text,
    ),
    field(
        "starts",
        "Starts at",
        "The time in England, for example 10:00.",
        Kind::Text,
    ),
    field("ends", "Ends at", "For example, 11:00.", Kind::Text),
];

/// The offer form's fields.
pub const OFFER: &[Field] = &[
    field("offered_on", "Date offered", TODAY, Kind::Date),
    field("method", "How it was offered", "", Kind::Choice(METHODS)),
    field("note", "Note", "", Kind::TextArea),
];

/// The heading and fields of each meeting step (times come from [`WHEN`]).
fn spec(action: MeetingAction) -> (&'static str, &'static [Field], bool) {
    const ACCEPT: &[Field] = &[field("accepted_on", "Date accepted", TODAY, Kind::Date)];
    const DECLINE: &[Field] = &[
        field("declined_on", "Date declined", TODAY, Kind::Date),
        field("reason", "Why, if they said", "", Kind::TextArea),
    ];
    const SCHEDULE: &[Field] = &[field(
        "location",
        "Where",
        "The room and building, or leave blank for a video call.",
        Kind::Text,
    )];
    const RESCHEDULE: &[Field] = &[field("reason", "Why it moved", "", Kind::TextArea)];
    const HOLD: &[Field] = &[
        field("held_on", "Date held", TODAY, Kind::Date),
        field("notes", "What was discussed and agreed", "", Kind::TextArea),
    ];
    const CANCEL: &[Field] = &[
        field("reason", "Why it was cancelled", "", Kind::TextArea),
        field("cancelled_on", "Date cancelled", TODAY, Kind::Date),
    ];
    const SUMMARY: &[Field] = &[field(
        "sent_on",
        "Date the summary was sent",
        TODAY,
        Kind::Date,
    )];
    match action {
        MeetingAction::Accept => ("They accepted", ACCEPT, false),
        MeetingAction::Decline => ("They declined", DECLINE, false),
        MeetingAction::Schedule => ("Book a time", SCHEDULE, true),
        MeetingAction::Reschedule => ("Move it", RESCHEDULE, true),
        MeetingAction::Hold => ("Record that it was held", HOLD, false),
        MeetingAction::Cancel => ("Cancel it", CANCEL, false),
        MeetingAction::SummarySent => ("Record that the written summary was sent", SUMMARY, false),
    }
}

/// The forms of each meeting's allowed steps, for the case page.
pub fn forms(meetings: &[MeetingView]) -> Vec<Value> {
    meetings
        .iter()
        .map(|m| {
            let steps: Vec<Value> = m
                .allowed_actions
                .iter()
                .map(|&a| {
                    let (title, fields, timed) = spec(a);
                    let prefix = format!("meeting-{}-{}", m.id, a.as_str());
                    let mut all = if timed {
                        forms::render(&prefix, WHEN, &[], &[], &[])
                    } else {
                        Vec::new()
                    };
                    all.extend(forms::render(&prefix, fields, &[], &[], &[]));
                    json!({
                        "id": prefix,
                        "action": format!("/staff/meetings/{}/actions/{}", m.id, a.as_str()),
                        "title": title,
                        "version": m.version,
                        "fields": all,
                    })
                })
                .collect();
            json!({ "id": m.id, "steps": steps })
        })
        .collect()
}

/// A day and two times in England as the UTC instants the API takes.
fn times(pairs: &[(String, String)], body: &mut Map<String, Value>) -> Result<(), String> {
    let day: NaiveDate = value(pairs, "day")
        .and_then(parse_date)
        .ok_or("Date of the meeting: enter a real date, for example 14/12/2026")?;
    let at = |name: &str, label: &str| -> Result<chrono::DateTime<chrono::Utc>, String> {
        let t = value(pairs, name)
            .and_then(|t| NaiveTime::parse_from_str(t.trim(), "%H:%M").ok())
            .ok_or(format!("{label}: enter a time such as 10:00"))?;
        crate::clock::instant_in_england(day.and_time(t)).ok_or(format!(
            "{label}: the clocks change at that time on that day, so it happens twice or not at all; choose another time"
        ))
    };
    body.insert("starts_at".into(), json!(at("starts", "Starts at")?));
    body.insert("ends_at".into(), json!(at("ends", "Ends at")?));
    Ok(())
}

const NOT_CHANGED: &str = "The meeting was not changed";

fn refused(state: &AppState, why: &str) -> HttpResponse {
    forms::refusal(state, NOT_CHANGED, why)
}

/// `POST /staff/meetings/{id}/actions/{action}`.
pub async fn submit(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<(String, String)>,
    bytes: web::Bytes,
) -> HttpResponse {
    let (id, action) = path.into_inner();
    let Ok(action) = action.parse::<MeetingAction>() else {
        return app_error(&state, &AppError::NotFound("no such step".into()));
    };
    let (_, fields, timed) = spec(action);
    let (mut body, pairs) = match forms::read_posted(&state, &staff, &bytes, fields, NOT_CHANGED) {
        Ok(read) => read,
        Err(res) => return *res,
    };
    if timed && let Err(why) = times(&pairs, &mut body) {
        return refused(&state, &why);
    }
    match meetings::perform(&state, &staff.actor, id, action, Value::Object(body)).await {
        Ok(m) => see_other(&format!("/staff/cases/{}?done=meeting#meetings", m.case_id)),
        Err(e) => app_error(&state, &e),
    }
}

/// `POST /staff/cases/{id}/meetings`: offer a face-to-face meeting.
pub async fn offer(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
    bytes: web::Bytes,
) -> HttpResponse {
    let id = id.into_inner();
    let body = match forms::read_posted(&state, &staff, &bytes, OFFER, NOT_CHANGED) {
        Ok((body, _)) => body,
        Err(res) => return *res,
    };
    match meetings::offer(&state, &staff.actor, id.clone(), Value::Object(body)).await {
        Ok(_) => see_other(&format!("/staff/cases/{id}?done=meeting#meetings")),
        Err(e) => app_error(&state, &e),
    }
}

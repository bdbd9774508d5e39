//! The Duty of Candour from the case page: flagging a possible notifiable safety incident
//! (`POST /staff/cases/{id}/candour`), recording the harm decision
//! (`POST /staff/cases/{id}/candour/harm`) and recording each statutory step with its checklist
//! (`POST /staff/cases/{id}/candour/steps/{kind}`), through the API's own services. Each step
//! kind has its own form holding only the fields that apply to it.

use actix_web::{HttpResponse, web};
use serde_json::{Map, Value, json};

use super::forms::{self, Field, Kind, field};
use super::{Staff, app_error, see_other};
use crate::services::candour;
use crate::state::AppState;

const TODAY: &str = "Leave blank for today.";
const BY: Field = field(
    "performed_by",
    "Who did it",
    "Name and role, for example Dr A Shah, consultant.",
    Kind::Text,
);
const HARM: &[(&str, &str)] = &[
    ("none", "No harm"),
    ("low", "Low harm"),
    ("moderate", "Moderate harm"),
    ("severe", "Severe harm"),
    ("death", "Death"),
    (
        "prolonged_psychological_harm",
        "Prolonged psychological harm",
    ),
];
const WRITTEN_BY: &[(&str, &str)] = &[("letter", "Letter"), ("email", "Email")];
const CONTACT_BY: &[(&str, &str)] = &[
    ("phone", "Phone"),
    ("in_person", "In person"),
    ("video", "Video"),
    ("letter", "Letter"),
    ("email", "Email"),
    ("other", "Other"),
];
const OUTCOMES: &[(&str, &str)] = &[
    ("reached", "Reached them"),
    ("no_answer", "No answer"),
    ("message_left", "Left a message"),
    ("returned_undelivered", "Returned undelivered"),
    ("declined", "They declined to be involved"),
    ("other", "Other"),
];

/// The flag form's fields.
pub const FLAG: &[Field] = &[
    field(
        "became_aware_on",
        "When the trust became aware of the incident",
        "The 10 working days for notification run from here.",
        Kind::Date,
    ),
    field("incident_on", "When it happened, if known", "", Kind::Date),
    field(
        "incident_reference",
        "Incident reference (for example from the risk system)",
        "",
        Kind::Text,
    ),
];

/// The harm decision's fields.
pub const DECIDE: &[Field] = &[
    field(
        "level",
        "Harm",
        "Moderate harm, severe harm, death or prolonged psychological harm make it notifiable.",
        Kind::Choice(HARM),
    ),
    field("decided_on", "Date decided", TODAY, Kind::Date),
    field("rationale", "Why", "", Kind::TextArea),
];

/// Each step kind's heading and fields.
pub const STEPS: &[(&str, &str, &[Field])] = &[
    (
        "in_person_notification",
        "Record the notification in person",
        &[
            field("done_on", "Date", TODAY, Kind::Date),
            BY,
            field(
                "truthful_account_given",
                "We gave a true account of what happened",
                "",
                Kind::Check,
            ),
            field("apology_given", "We apologised", "", Kind::Check),
            field(
                "support_offered",
                "We offered reasonable support",
                "",
                Kind::Check,
            ),
            field(
                "further_enquiries_explained",
                "We explained what further enquiries will be made",
                "",
                Kind::Check,
            ),
            field("notes", "Notes", "", Kind::TextArea),
        ],
    ),
    (
        "written_notification",
        "Record the written notification",
        &[
            field("done_on", "Date", TODAY, Kind::Date),
            BY,
            field("method", "Sent by", "", Kind::Choice(WRITTEN_BY)),
            field(
                "account_included",
                "It gave the account of what happened",
                "",
                Kind::Check,
            ),
            field(
                "enquiries_included",
                "It set out the further enquiries",
                "",
                Kind::Check,
            ),
            field(
                "apology_included",
                "It included an apology",
                "",
                Kind::Check,
            ),
            field(
                "document_reference",
                "The letter's reference",
                "",
                Kind::Text,
            ),
        ],
    ),
    (
        "enquiry_results_shared",
        "Record that the results of enquiries were shared",
        &[
            field("done_on", "Date", TODAY, Kind::Date),
            BY,
            field("notes", "Notes", "", Kind::TextArea),
        ],
    ),
    (
        "correspondence_copy_kept",
        "Record that a copy of the correspondence is kept",
        &[
            field("done_on", "Date", TODAY, Kind::Date),
            BY,
            field(
                "document_reference",
                "Where the copy is (its reference)",
                "",
                Kind::Text,
            ),
        ],
    ),
    (
        "contact_attempt",
        "Record an attempt to contact them",
        &[
            field("done_on", "Date", TODAY, Kind::Date),
            BY,
            field("method", "How", "", Kind::Choice(CONTACT_BY)),
            field("outcome", "What came of it", "", Kind::Choice(OUTCOMES)),
            field("notes", "Notes", "", Kind::TextArea),
        ],
    ),
];

/// The candour forms for the case page: flag (no record yet), or the harm decision and the
/// step forms (a record at `version`).
pub fn forms(record_version: Option<i32>) -> Value {
    let render = |prefix: &str, fields: &[Field]| forms::render(prefix, fields, &[], &[], &[]);
    match record_version {
        None => json!({ "flag": render("candour-flag", FLAG) }),
        Some(version) => json!({
            "version": version,
            "decide": render("candour-harm", DECIDE),
            "steps": STEPS.iter().map(|(kind, title, fields)| json!({
                "kind": kind,
                "title": title,
                "fields": render(&format!("candour-{kind}"), fields),
            })).collect::<Vec<_>>(),
        }),
    }
}

const NOT_CHANGED: &str = "The Duty of Candour record was not changed";

/// The posted form for `fields` as a body, or the page refusing it.
fn read(
    state: &AppState,
    staff: &Staff,
    bytes: &[u8],
    fields: &[Field],
) -> Result<Map<String, Value>, Box<HttpResponse>> {
    forms::read_posted(state, staff, bytes, fields, NOT_CHANGED).map(|(body, _)| body)
}

fn back(case_id: &str) -> HttpResponse {
    see_other(&format!("/staff/cases/{case_id}?done=candour#candour"))
}

/// `POST /staff/cases/{id}/candour`: flag a possible notifiable safety incident.
pub async fn flag(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
    bytes: web::Bytes,
) -> HttpResponse {
    let id = id.into_inner();
    let body = match read(&state, &staff, &bytes, FLAG) {
        Ok(body) => body,
        Err(res) => return *res,
    };
    match candour::flag(&state, &staff.actor, id.clone(), Value::Object(body)).await {
        Ok(_) => back(&id),
        Err(e) => app_error(&state, &e),
    }
}

/// `POST /staff/cases/{id}/candour/harm`: record the harm decision.
pub async fn decide(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
    bytes: web::Bytes,
) -> HttpResponse {
    let id = id.into_inner();
    let mut body = match read(&state, &staff, &bytes, DECIDE) {
        Ok(body) => body,
        Err(res) => return *res,
    };
    let version = body.remove("version");
    let mut patch = Map::new();
    patch.insert("harm".into(), Value::Object(body));
    if let Some(v) = version {
        patch.insert("version".into(), v);
    }
    match candour::update(&state, &staff.actor, id.clone(), None, Value::Object(patch)).await {
        Ok(_) => back(&id),
        Err(e) => app_error(&state, &e),
    }
}

/// `POST /staff/cases/{id}/candour/steps/{kind}`: record a statutory step or contact attempt.
pub async fn step(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<(String, String)>,
    bytes: web::Bytes,
) -> HttpResponse {
    let (id, kind) = path.into_inner();
    let Some((_, _, fields)) = STEPS.iter().find(|(k, _, _)| *k == kind) else {
        return forms::refusal(&state, NOT_CHANGED, "There is no such step.");
    };
    let mut body = match read(&state, &staff, &bytes, fields) {
        Ok(body) => body,
        Err(res) => return *res,
    };
    body.insert("kind".into(), Value::String(kind));
    match candour::add_step(&state, &staff.actor, id.clone(), None, Value::Object(body)).await {
        Ok(_) => back(&id),
        Err(e) => app_error(&state, &e),
    }
}

//! The Ombudsman referral from the case page (`POST /staff/cases/{id}/ombudsman`): recording
//! that the complainant went to the Parliamentary and Health Service Ombudsman, and later the
//! PHSO's decision. An update keeps the referral's recommendations as they are (they are
//! recorded through the API).

use actix_web::{HttpResponse, web};
use serde_json::{Value, json};

use super::forms::{self, Field, Kind, field};
use super::{Staff, app_error, see_other};
use crate::error::AppError;
use crate::services::ombudsman::{self, OmbudsmanView};
use crate::state::AppState;

const DECISIONS: &[(&str, &str)] = &[
    ("not_investigated", "The PHSO decided not to investigate"),
    ("upheld", "Upheld"),
    ("partly_upheld", "Partly upheld"),
    ("not_upheld", "Not upheld"),
];

/// The referral form's fields.
pub const FIELDS: &[Field] = &[
    field(
        "referred_on",
        "Date referred",
        "When the complainant took it to the Ombudsman.",
        Kind::Date,
    ),
    field("phso_reference", "PHSO reference", "", Kind::Text),
    field(
        "decision",
        "The PHSO's decision",
        "Leave as it is until they decide.",
        Kind::Choice(DECISIONS),
    ),
    field("decision_on", "Date of the decision", "", Kind::Date),
    field("decision_summary", "What they decided", "", Kind::TextArea),
];

/// The form, filled with the referral as it stands (if there is one).
pub fn form(current: Option<&OmbudsmanView>) -> Value {
    let typed: Vec<(String, String)> = current
        .map(|r| {
            let date = |d: Option<chrono::NaiveDate>| {
                d.map(|d| d.format("%-d/%-m/%Y").to_string())
                    .unwrap_or_default()
            };
            vec![
                ("referred_on".into(), date(Some(r.referred_on))),
                (
                    "phso_reference".into(),
                    r.phso_reference.clone().unwrap_or_default(),
                ),
                (
                    "decision".into(),
                    r.decision
                        .map(|d| d.as_str().to_string())
                        .unwrap_or_default(),
                ),
                ("decision_on".into(), date(r.decision_on)),
                (
                    "decision_summary".into(),
                    r.decision_summary.clone().unwrap_or_default(),
                ),
            ]
        })
        .unwrap_or_default();
    json!({
        "fields": forms::render("ombudsman", FIELDS, &typed, &[], &[]),
        "version": current.map(|r| r.version),
        "title": if current.is_some() { "Update the Ombudsman referral" } else { "Record an Ombudsman referral" },
    })
}

/// `POST /staff/cases/{id}/ombudsman`: record the referral, or update it.
pub async fn submit(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
    bytes: web::Bytes,
) -> HttpResponse {
    let id = id.into_inner();
    let title = "The referral was not recorded";
    let mut body = match forms::read_posted(&state, &staff, &bytes, FIELDS, title) {
        Ok((body, _)) => body,
        Err(res) => return *res,
    };
    let route = "GET /staff/cases/{id}";
    let result = match ombudsman::get(&state, &staff.actor, id.clone(), route).await {
        Err(AppError::NotFound(_)) => {
            ombudsman::create(&state, &staff.actor, id.clone(), Value::Object(body)).await
        }
        Err(e) => Err(e),
        Ok(current) => {
            let kept: Vec<Value> = current
                .recommendations
                .iter()
                .map(|r| json!({ "recommendation": r.recommendation, "due_on": r.due_on, "met_on": r.met_on }))
                .collect();
            body.insert("recommendations".into(), Value::Array(kept));
            ombudsman::replace(&state, &staff.actor, id.clone(), None, Value::Object(body)).await
        }
    };
    match result {
        Ok(_) => see_other(&format!("/staff/cases/{id}?done=ombudsman#ombudsman")),
        Err(e) => app_error(&state, &e),
    }
}

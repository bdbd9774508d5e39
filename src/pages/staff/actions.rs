//! `POST /staff/cases/{id}/actions/{action}`: a lifecycle step taken from the case page: the form becomes the API's body and runs through the same
//! command (role, version, state machine, one transaction with its timeline event). A refused
//! form comes back with the error summary and everything typed kept; a stale one (someone
//! changed the case meanwhile) says so, shows the case as it is now and keeps what was typed.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde_json::{Value, json};

use super::case_page::render_case;
use super::forms::{self, value};
use super::steps::{Attempt, spec};
use super::{Staff, app_error, see_other};
use crate::domain::case::Action;
use crate::error::AppError;
use crate::pages::form_pairs;
use crate::services::case_actions;
use crate::state::AppState;

/// The posted form as the API's body for `action` on `case`; errors for dates that cannot be
/// read.
fn body(action: Action, pairs: &[(String, String)]) -> (Value, Vec<Value>) {
    let (_, fields) = spec(action);
    let (mut body, errors) = forms::to_json(action.as_str(), fields, pairs);
    if action == Action::Respond {
        let findings: Vec<Value> = pairs
            .iter()
            .filter_map(|(k, v)| {
                let subject = k.strip_prefix("finding.")?;
                (!v.is_empty()).then(|| json!({ "subject": subject, "outcome": v }))
            })
            .collect();
        body.insert("aspect_outcomes".into(), Value::Array(findings));
    }
    if action == Action::Escalate {
        let c = body.remove("risk_consequence");
        let l = body.remove("risk_likelihood");
        if let (Some(c), Some(l)) = (c, l) {
            body.insert("risk".into(), json!({ "consequence": c, "likelihood": l }));
        }
    }
    if let Some(v) = value(pairs, "version").and_then(|v| v.parse::<i64>().ok()) {
        body.insert("version".into(), Value::from(v));
    }
    (Value::Object(body), errors)
}

/// The error summary's entries for a refused step: each field error linked to its input.
fn field_errors(action: Action, e: &AppError) -> Vec<Value> {
    let AppError::Validation(fields) = e else {
        return Vec::new();
    };
    let prefix = action.as_str();
    fields
        .iter()
        .map(|f| {
            let top = f.field.split(['.', '[']).next().unwrap_or("");
            let (name, label) = match top {
                "aspect_outcomes" => ("signed_by".to_string(), "Findings".to_string()),
                "risk" => ("risk_consequence".to_string(), "Risk".to_string()),
                _ => {
                    let (_, fields) = spec(action);
                    let label = fields
                        .iter()
                        .find(|x| x.name == top)
                        .map_or(top.replace('_', " "), |x| x.label.to_string());
                    (top.to_string(), label)
                }
            };
            forms::error(prefix, &name, &format!("{label}: {}", f.message))
        })
        .collect()
}

pub async fn submit(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<(String, String)>,
    body_bytes: web::Bytes,
) -> HttpResponse {
    let (id, action) = path.into_inner();
    let Ok(action) = action.parse::<Action>() else {
        return super::app_error(&state, &AppError::NotFound("no such step".into()));
    };
    let pairs = form_pairs(&body_bytes).unwrap_or_default();
    if let Some(refused) = staff.csrf_refusal(&state, value(&pairs, "csrf")) {
        return refused;
    }
    let (raw, errors) = body(action, &pairs);
    let attempt = |status: StatusCode, errors: Vec<Value>, notice: Option<String>| Attempt {
        action,
        typed: pairs.clone(),
        errors,
        status,
        notice,
    };
    if !errors.is_empty() {
        let a = attempt(StatusCode::BAD_REQUEST, errors, None);
        return render_case(&state, &staff, id, Some(a)).await;
    }
    match case_actions::perform(&state, &staff.actor, id.clone(), action, raw).await {
        Ok(view) => {
            let to = match (action, &view.linked_case_id) {
                (Action::Escalate, Some(complaint)) => complaint.clone(),
                _ => view.id.clone(),
            };
            see_other(&format!("/staff/cases/{to}?done={}", action.as_str()))
        }
        Err(e @ AppError::Validation(_)) => {
            let a = attempt(StatusCode::BAD_REQUEST, field_errors(action, &e), None);
            render_case(&state, &staff, id, Some(a)).await
        }
        Err(AppError::Conflict { detail, .. }) => {
            let notice = format!(
                "{detail} The case below is as it is now; what you typed is kept in the form."
            );
            let a = attempt(StatusCode::CONFLICT, Vec::new(), Some(notice));
            render_case(&state, &staff, id, Some(a)).await
        }
        Err(e) => app_error(&state, &e),
    }
}

//! `GET /staff/cases/{id}`: one case for the people working on it: its summary, the statutory
//! clock (each due date, how far off it is, overdue in red), who is working on it and its
//! timeline, newest first. Reading it is recorded in the access log, as through the API.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use serde_json::{Value, json};

use super::steps::{self, Attempt};
use super::{Staff, app_error, case_records, records, render, words};
use crate::domain::case::{Action, CaseKind};
use crate::domain::role::Permission;
use crate::services::case_history::{self, TimelineEntry};
use crate::services::case_view::CaseView;
use crate::services::{cases, users};
use crate::state::AppState;

/// One line of the statutory clock. A step not done is `moot` (with why) once nothing more is
/// owed: the case is finished, or the response went out before a six-month letter fell due.
fn deadline(
    label: &str,
    due: Option<NaiveDate>,
    done: Option<NaiveDate>,
    overdue: bool,
    moot: Option<&str>,
    today: NaiveDate,
) -> Option<Value> {
    let due = due?;
    let (state, overdue) = match (done, moot) {
        (Some(d), _) => (format!("Done on {}", words::date(d)), false),
        (None, Some(why)) => (format!("Not needed: {why}"), false),
        (None, None) => (words::due(due, today), overdue),
    };
    Some(json!({
        "label": label,
        "due": words::date(due),
        "state": state,
        "overdue": overdue,
    }))
}

fn clock(case: &CaseView, today: NaiveDate) -> Vec<Value> {
    let finished = case
        .status
        .is_finished()
        .then(|| format!("the case is {}", words::status(case.status).to_lowercase()));
    let finished = finished.as_deref();
    let responded = case
        .responded_on
        .map(|d| format!("the response went out on {}", words::date(d)));
    [
        deadline(
            "Acknowledgement",
            case.acknowledgement_due_on,
            case.acknowledged_on,
            case.overdue.acknowledgement,
            finished,
            today,
        ),
        deadline(
            "Response",
            case.response_due_on,
            case.responded_on,
            case.overdue.response,
            finished,
            today,
        ),
        deadline(
            "Six-month letter",
            case.six_month_letter_due_on,
            case.six_month_letter_sent_on,
            case.overdue.six_month_letter,
            responded.as_deref().or(finished),
            today,
        ),
        deadline(
            "PALS resolution",
            case.pals_due_on,
            case.resolved_on,
            case.overdue.pals_resolution,
            finished,
            today,
        ),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn event(e: &TimelineEntry, names: &std::collections::HashMap<String, String>) -> Value {
    let by = match &e.actor_id {
        Some(id) => names
            .get(id)
            .cloned()
            .unwrap_or_else(|| "A former user".into()),
        None => "Candour".to_string(),
    };
    json!({
        "at": words::time(e.occurred_at),
        "kind": e.kind.replace('_', " "),
        "summary": e.summary,
        "text": (e.kind == "note").then(|| e.details["text"].clone()),
        "by": by,
    })
}

/// Whether the signed-in person may take this case's steps (the API's rule: complaints need
/// the right to run complaints, PALS concerns the right to run concerns).
fn may_run(staff: &Staff, case: &CaseView) -> bool {
    staff.actor.role.can(if case.kind == CaseKind::Complaint {
        Permission::RunComplaint
    } else {
        Permission::RunPalsConcern
    })
}

#[derive(Debug, serde::Deserialize)]
pub struct ShowQuery {
    done: Option<String>,
}

pub async fn show(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
    query: web::Query<ShowQuery>,
) -> HttpResponse {
    let done = query.into_inner().done.and_then(|a| match a.as_str() {
        "logged" => {
            Some("Logged. The statutory clock below runs from the day it was received.".to_string())
        }
        other => other
            .parse::<Action>()
            .ok()
            .map(|a| format!("Done: {}.", steps::spec(a).0.to_lowercase())),
    });
    render_with(&state, &staff, id.into_inner(), None, done).await
}

/// The case page, with a refused step's form shown again.
pub async fn render_case(
    state: &AppState,
    staff: &Staff,
    id: String,
    attempt: Option<Attempt>,
) -> HttpResponse {
    render_with(state, staff, id, attempt, None).await
}

/// The choices of the assign form: keep who it is, or anyone who runs or investigates cases.
async fn staff_options(
    state: &AppState,
    staff: &Staff,
    case: &CaseView,
) -> Result<Vec<Value>, HttpResponse> {
    if !may_run(staff, case) || !case.allowed_actions.contains(&Action::Assign) {
        return Ok(Vec::new());
    }
    let people = users::assignable(state, &staff.actor)
        .await
        .map_err(|e| app_error(state, &e))?;
    let mut options = vec![json!({ "value": "", "label": "Keep as it is" })];
    options.extend(
        people
            .iter()
            .map(|u| json!({ "value": u.id, "label": format!("{} ({})", u.name, u.role.title()) })),
    );
    Ok(options)
}

async fn render_with(
    state: &AppState,
    staff: &Staff,
    id: String,
    attempt: Option<Attempt>,
    done: Option<String>,
) -> HttpResponse {
    let route = "GET /staff/cases/{id}";
    let case = match cases::get(state, &staff.actor, id.clone(), route).await {
        Ok(c) => c,
        Err(e) => return app_error(state, &e),
    };
    let timeline = match case_history::timeline(state, &staff.actor, id, route).await {
        Ok(t) => t,
        Err(e) => return app_error(state, &e),
    };
    let mut ids: Vec<String> = timeline.iter().filter_map(|e| e.actor_id.clone()).collect();
    ids.extend(case.handler_id.iter().cloned());
    ids.extend(case.investigator_id.iter().cloned());
    ids.sort();
    ids.dedup();
    let names = match users::names(state, ids).await {
        Ok(n) => n,
        Err(e) => return app_error(state, &e),
    };
    let options = match staff_options(state, staff, &case).await {
        Ok(o) => o,
        Err(res) => return res,
    };
    let records = match records::for_case_page(state, staff, &case.id).await {
        Ok(r) => r,
        Err(res) => return res,
    };
    let linked = match case_records::sections(state, staff, &case).await {
        Ok(r) => r,
        Err(res) => return res,
    };
    let today = state.clock.today();
    let name_of = |id: &Option<String>| {
        id.as_ref().map(|i| {
            names
                .get(i)
                .cloned()
                .unwrap_or_else(|| "A former user".into())
        })
    };
    let status = attempt.as_ref().map_or(StatusCode::OK, |a| a.status);
    let ctx = json!({
        "title": format!("{} {}", words::kind(case.kind), case.reference),
        "kind": words::kind(case.kind),
        "status": words::status(case.status),
        "received": words::date(case.received_on),
        "clock": clock(&case, today),
        "handler": name_of(&case.handler_id),
        "investigator": name_of(&case.investigator_id),
        "events": timeline.iter().rev().map(|e| event(e, &names)).collect::<Vec<_>>(),
        "actions": if may_run(staff, &case) {
            steps::forms(&case, &options, attempt.as_ref())
        } else {
            Vec::new()
        },
        "errors": attempt.as_ref().map(|a| a.errors.clone()).unwrap_or_default(),
        "notice": attempt.as_ref().and_then(|a| a.notice.clone()).or(done),
        "records": records,
        "linked": linked,
        "case": case,
    });
    render(state, staff, status, "staff_case", "/staff/cases", ctx)
}

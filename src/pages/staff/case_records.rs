//! The case page's records beyond the complaint itself: its face-to-face meetings (each
//! invitation downloadable), the Duty of Candour record with the checklist of what each
//! statutory step still lacks, and the Ombudsman referral. Read through the API's services.

use actix_web::{HttpResponse, web};
use serde_json::{Value, json};

use super::{Staff, app_error, candour_steps, forms, meeting_steps, ombudsman_form, words};
use crate::domain::role::Permission;
use crate::services::case_view::CaseView;
use crate::services::{candour, meetings, ombudsman};
use crate::state::AppState;

/// A value the API writes in snake case, as words.
fn said<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
        .unwrap_or_default()
}

/// The meetings of the case, each with the forms of its allowed steps for those who run
/// meetings, and the offer form when none is open.
async fn meetings_section(
    state: &AppState,
    staff: &Staff,
    case: &CaseView,
) -> crate::error::AppResult<(Vec<Value>, Option<Vec<Value>>)> {
    let route = "GET /staff/cases/{id}";
    let views = meetings::list_for_case(state, &staff.actor, case.id.clone(), route).await?;
    let role = staff.actor.role;
    let may_manage = role.can(Permission::ManageMeetings);
    let steps = if may_manage || role.can(Permission::RecordMeetingNotes) {
        meeting_steps::forms(&views)
    } else {
        Vec::new()
    };
    let meetings: Vec<Value> = views
        .iter()
        .map(|m| {
            json!({
                "status": said(&m.status),
                "offered": words::date(m.offered_on),
                "starts": m.starts_at.map(words::time),
                "where": m.location,
                "held": m.held_on.map(words::date),
                "invite": m.starts_at.map(|_| format!("/staff/meetings/{}/invite.ics", m.id)),
                "steps": steps.iter().find(|s| s["id"] == m.id.as_str()).map(|s| s["steps"].clone()),
            })
        })
        .collect();
    let open = views.iter().any(|m| m.status.is_open());
    let offer = (may_manage && !open && !case.status.is_finished())
        .then(|| forms::render("offer", meeting_steps::OFFER, &[], &[], &[]));
    Ok((meetings, offer))
}

/// The Ombudsman referral's form, filled with the referral as it stands, for those who record
/// referrals.
async fn ombudsman_section(
    state: &AppState,
    staff: &Staff,
    case: &CaseView,
) -> crate::error::AppResult<Value> {
    if !staff.actor.role.can(Permission::ManageOmbudsman) {
        return Ok(Value::Null);
    }
    let current = match &case.ombudsman {
        Some(_) => {
            let route = "GET /staff/cases/{id}";
            Some(ombudsman::get(state, &staff.actor, case.id.clone(), route).await?)
        }
        None => None,
    };
    Ok(ombudsman_form::form(current.as_ref()))
}

/// The meetings, candour and ombudsman sections of the case page (empty for roles that may
/// not read a case's records).
pub async fn sections(
    state: &AppState,
    staff: &Staff,
    case: &CaseView,
) -> Result<Value, HttpResponse> {
    if !staff.actor.role.can(Permission::ReadCaseRecords) {
        return Ok(json!({}));
    }
    let role = staff.actor.role;
    let (meetings, offer) = meetings_section(state, staff, case)
        .await
        .map_err(|e| app_error(state, &e))?;
    let manages = role.can(Permission::ManageCandour) && !case.status.is_finished();
    let mut candour_forms = Value::Null;
    let candour = match &case.candour {
        None => {
            if manages {
                candour_forms = candour_steps::forms(None);
            }
            Value::Null
        }
        Some(_) => {
            let route = "GET /staff/cases/{id}";
            let record = candour::get(state, &staff.actor, case.id.clone(), route)
                .await
                .map_err(|e| app_error(state, &e))?;
            let today = state.clock.today();
            if manages {
                candour_forms = candour_steps::forms(Some(record.version));
            }
            json!({
                "status": said(&record.status),
                "notifiable": record.notifiable,
                "harm": record.harm.as_ref().map(|h| said(&h.level)),
                "requirements": record.requirements.iter().map(|r| json!({
                    "step": said(&r.kind),
                    "due": words::date(r.due_on),
                    "state": match r.completed_on {
                        Some(d) => format!("Done on {}", words::date(d)),
                        None => words::due(r.due_on, today),
                    },
                    "overdue": r.completed_on.is_none() && r.due_on < today,
                    "missing": r.missing.iter().map(|m| m.replace('_', " ")).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
                "steps": record.steps.iter().map(|s| json!({
                    "step": said(&s.kind),
                    "on": words::date(s.done_on),
                    "by": s.performed_by,
                })).collect::<Vec<_>>(),
            })
        }
    };
    let ombudsman = case.ombudsman.as_ref().map(|o| {
        json!({
            "referred": words::date(o.referred_on),
            "decision": o.decision.as_ref().map(said),
            "decided": o.decision_on.map(words::date),
        })
    });
    let ombudsman_form = ombudsman_section(state, staff, case)
        .await
        .map_err(|e| app_error(state, &e))?;
    Ok(json!({
        "ombudsman_form": ombudsman_form,
        "meetings": meetings,
        "offer": offer,
        "candour": candour,
        "candour_forms": candour_forms,
        "ombudsman": ombudsman,
    }))
}

/// `GET /staff/meetings/{id}/invite.ics`: the meeting's calendar invitation.
pub async fn invite(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<String>,
) -> HttpResponse {
    let route = "GET /staff/meetings/{id}/invite.ics";
    match meetings::invite(&state, &staff.actor, id.into_inner(), route).await {
        Ok(invite) => crate::http::download::attachment(
            &format!("text/calendar; charset=utf-8; method={}", invite.method),
            &invite.filename,
            invite.bytes.into(),
        ),
        Err(e) => app_error(&state, &e),
    }
}

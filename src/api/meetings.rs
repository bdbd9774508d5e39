//! Face-to-face meetings: offered on a case, then taken through their steps with
//! `POST /meetings/{id}/{action}` (each versioned, each one transaction with its timeline
//! event), and the invitation as an iCalendar file.

use crate::api::routes::Routes;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};

use super::extract::{ApiJson, AuthUser};
use super::versioned::{Tagged, command_endpoint, tagged};
use crate::domain::meeting::MeetingAction;
use crate::domain::role::Permission;
use crate::error::{AppResult, Problem};
use crate::services::meetings::{self, *};
use crate::state::AppState;

pub fn configure(cfg: &mut impl Routes) {
    cfg.service(offer_meeting)
        .service(list_case_meetings)
        .service(get_meeting)
        .service(meeting_invite)
        .service(accept_meeting)
        .service(decline_meeting)
        .service(schedule_meeting)
        .service(reschedule_meeting)
        .service(hold_meeting)
        .service(cancel_meeting)
        .service(summary_sent_meeting);
}

/// Offer the complainant a face-to-face meeting. One open meeting (offered, accepted or
/// scheduled) per case at a time.
#[utoipa::path(
    tag = "meetings",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Case id")),
    request_body = OfferMeetingRequest,
    responses(
        (status = 201, description = "Offered; `Location` names the meeting, `ETag` its version", body = MeetingView),
        (status = 400, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not manage meetings, or not your case", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A meeting is still open, or the case was withdrawn", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/cases/{id}/meetings")]
pub async fn offer_meeting(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    body: ApiJson<serde_json::Value>,
) -> AppResult<HttpResponse> {
    user.0.require(Permission::ManageMeetings)?;
    let view = meetings::offer(&state, &user.0, id.into_inner(), body.0).await?;
    Ok(tagged(StatusCode::CREATED, view))
}

/// The meetings of a case, oldest first. The read is logged.
#[utoipa::path(
    tag = "meetings",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Case id")),
    responses(
        (status = 200, description = "The case's meetings", body = Vec<MeetingView>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not your case, or the board role", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/cases/{id}/meetings")]
pub async fn list_case_meetings(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> AppResult<web::Json<Vec<MeetingView>>> {
    meetings::list_for_case(
        &state,
        &user.0,
        id.into_inner(),
        "GET /api/v1/cases/{id}/meetings",
    )
    .await
    .map(|views| web::Json(views.into_iter().map(Tagged::linked).collect()))
}

/// One meeting, with its attendees, every time it was set for, and the actions allowed now.
/// The read is logged.
#[utoipa::path(
    tag = "meetings",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Meeting id")),
    responses(
        (status = 200, description = "The meeting; `ETag` carries its version", body = MeetingView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not your case, or the board role", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such meeting", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/meetings/{id}")]
pub async fn get_meeting(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let view = meetings::get(
        &state,
        &user.0,
        id.into_inner(),
        "GET /api/v1/meetings/{id}",
    )
    .await?;
    Ok(tagged(StatusCode::OK, view))
}

/// The invitation as an iCalendar (RFC 5545) file: a stable UID per meeting, SEQUENCE raised
/// on every reschedule, times in UTC, the organiser and attendees (the complainant when they
/// have an email address), `METHOD:CANCEL` once cancelled. The read is logged.
#[utoipa::path(
    tag = "meetings",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Meeting id")),
    responses(
        (status = 200, description = "The invitation", body = String, content_type = "text/calendar"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not your case, or the board role", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such meeting", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The meeting has no time yet, or was declined", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/meetings/{id}/invite.ics")]
pub async fn meeting_invite(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let invite = meetings::invite(
        &state,
        &user.0,
        id.into_inner(),
        "GET /api/v1/meetings/{id}/invite.ics",
    )
    .await?;
    Ok(crate::http::download::attachment(
        &format!("text/calendar; charset=utf-8; method={}", invite.method),
        &invite.filename,
        invite.bytes.into(),
    ))
}

/// One meeting step: `$name`, `$path`, its action, body type and step builder, who may not, and
/// its doc.
macro_rules! meeting_action {
    ($name:ident, $path:literal, $action:expr, $body:ty, $build:path, $forbidden:literal, $doc:literal) => {
        command_endpoint!(
            $name,
            $path,
            "meetings",
            Meeting,
            $action,
            $body,
            $build,
            MeetingView,
            "Meeting id",
            "The meeting's ETag; or send `version` in the body",
            "The meeting after the step",
            $forbidden,
            "No such meeting",
            "Stale version, or not allowed in the meeting's state (names the state and the allowed actions)",
            $doc
        );
    };
}

meeting_action!(
    accept_meeting,
    "/meetings/{id}/accept",
    MeetingAction::Accept,
    AcceptMeetingRequest,
    accept,
    "Only admins and complaints managers manage meetings",
    "Record that the complainant accepted the offer of a meeting."
);
meeting_action!(
    decline_meeting,
    "/meetings/{id}/decline",
    MeetingAction::Decline,
    DeclineMeetingRequest,
    decline,
    "Only admins and complaints managers manage meetings",
    "Record that the complainant declined the offer of a meeting."
);
meeting_action!(
    schedule_meeting,
    "/meetings/{id}/schedule",
    MeetingAction::Schedule,
    ScheduleMeetingRequest,
    schedule,
    "Only admins and complaints managers manage meetings",
    "Set the time and place (or video link), the organiser, staff and other attendees, and any interpreter, advocate or accessibility needs. The invitation goes out at SEQUENCE 0."
);
meeting_action!(
    reschedule_meeting,
    "/meetings/{id}/reschedule",
    MeetingAction::Reschedule,
    RescheduleMeetingRequest,
    reschedule,
    "Only admins and complaints managers manage meetings",
    "Move the meeting, with a reason. The earlier time stays in `schedule_history`; the invitation's SEQUENCE rises by one."
);
meeting_action!(
    hold_meeting,
    "/meetings/{id}/hold",
    MeetingAction::Hold,
    HoldMeetingRequest,
    hold,
    "Role may not record meeting notes, or not your case",
    "Record that the meeting was held: the date, notes, when the summary went to the complainant, and follow-up actions. Investigators may do this on cases they can see."
);
meeting_action!(
    cancel_meeting,
    "/meetings/{id}/cancel",
    MeetingAction::Cancel,
    CancelMeetingRequest,
    cancel,
    "Only admins and complaints managers manage meetings",
    "Cancel the meeting, with a reason. A booked meeting's invitation becomes METHOD:CANCEL with a raised SEQUENCE."
);
meeting_action!(
    summary_sent_meeting,
    "/meetings/{id}/summary-sent",
    MeetingAction::SummarySent,
    SummarySentRequest,
    summary_sent,
    "Role may not record meeting notes, or not your case",
    "Record the day the written summary of a held meeting went to the complainant."
);

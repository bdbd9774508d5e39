//! `POST /cases/{id}/{action}`: every lifecycle step, each one transaction with its timeline
//! event. A stale version or a step the state machine forbids is 409.

use crate::api::routes::Routes;
use actix_web::post;

use super::versioned::command_endpoint;
use crate::domain::case::Action;
use crate::domain::case::Case;
use crate::error::Problem;
use crate::services::case_actions::*;
use crate::services::case_view::CaseView;

/// One lifecycle step: `$name`, `$path`, its action, body type and step builder, and its doc.
macro_rules! action_endpoint {
    ($name:ident, $path:literal, $action:expr, $body:ty, $build:path, $doc:literal) => {
        command_endpoint!(
            $name,
            $path,
            "case actions",
            Case,
            $action,
            $body,
            $build,
            CaseView,
            "Case id",
            "The case's ETag; or send `version` in the body",
            "The case after the step",
            "Role may not take this step",
            "No such case",
            "Stale version, or not allowed in the current state (names the state and the allowed actions)",
            $doc
        );
    };
}

action_endpoint!(
    acknowledge_case,
    "/cases/{id}/acknowledge",
    Action::Acknowledge,
    AcknowledgeRequest,
    acknowledge,
    "Acknowledge a complaint (due 3 working days after receipt): method, offer to discuss, the agreed response date or the default for the risk grade, and whether a meeting was offered."
);
action_endpoint!(
    assign_case,
    "/cases/{id}/assign",
    Action::Assign,
    AssignRequest,
    assign,
    "Assign the case handler and/or investigator."
);
action_endpoint!(
    start_investigation_case,
    "/cases/{id}/start-investigation",
    Action::StartInvestigation,
    StartInvestigationRequest,
    start_investigation,
    "Start the investigation."
);
action_endpoint!(
    extend_case,
    "/cases/{id}/extend",
    Action::Extend,
    ExtendRequest,
    extend,
    "Extend the response date, with the reason and whether the complainant agreed."
);
action_endpoint!(
    pause_case,
    "/cases/{id}/pause",
    Action::Pause,
    PauseRequest,
    pause,
    "Stop the response clock, e.g. while waiting for consent or information."
);
action_endpoint!(
    resume_case,
    "/cases/{id}/resume",
    Action::Resume,
    ResumeRequest,
    resume,
    "Restart the response clock; the paused working days move the response date on."
);
action_endpoint!(
    respond_case,
    "/cases/{id}/respond",
    Action::Respond,
    RespondRequest,
    respond,
    "Record the final response: a finding per subject (the overall outcome is derived the KO41a way), who signed it, and that the Ombudsman rights were given."
);
action_endpoint!(
    close_case,
    "/cases/{id}/close",
    Action::Close,
    CloseRequest,
    close,
    "Close a responded complaint."
);
action_endpoint!(
    reopen_case,
    "/cases/{id}/reopen",
    Action::Reopen,
    ReopenRequest,
    reopen,
    "Reopen a closed complaint: back to investigating, with a reason and a new response date; counted."
);
action_endpoint!(
    withdraw_case,
    "/cases/{id}/withdraw",
    Action::Withdraw,
    WithdrawRequest,
    withdraw,
    "Record that the complainant withdrew the complaint."
);
action_endpoint!(
    resolve_case,
    "/cases/{id}/resolve",
    Action::Resolve,
    ResolveRequest,
    resolve,
    "Resolve a PALS concern."
);
action_endpoint!(
    escalate_case,
    "/cases/{id}/escalate",
    Action::Escalate,
    EscalateRequest,
    escalate,
    "Escalate a PALS concern to a formal complaint, linked both ways; the complaint's statutory clock starts on its received date."
);
action_endpoint!(
    time_limit_decision_case,
    "/cases/{id}/time-limit-decision",
    Action::TimeLimitDecision,
    TimeLimitDecisionRequest,
    time_limit_decision,
    "Record the discretion decision on a complaint made after the 12-month limit (reg 12): accept with both reasons, or decline with a reason (closes the case)."
);
action_endpoint!(
    six_month_letter_case,
    "/cases/{id}/six-month-letter",
    Action::SixMonthLetter,
    SixMonthLetterRequest,
    six_month_letter,
    "Record that the letter explaining why the response is taking more than six months was sent."
);

pub fn configure(cfg: &mut impl Routes) {
    cfg.service(acknowledge_case)
        .service(assign_case)
        .service(start_investigation_case)
        .service(extend_case)
        .service(pause_case)
        .service(resume_case)
        .service(respond_case)
        .service(close_case)
        .service(reopen_case)
        .service(withdraw_case)
        .service(resolve_case)
        .service(escalate_case)
        .service(time_limit_decision_case)
        .service(six_month_letter_case);
}

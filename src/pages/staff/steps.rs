//! The case's lifecycle steps as forms: each step's heading and fields (as data), and the forms
//! the case page shows for the steps the case allows now, with a refused attempt's typed values
//! and errors put back.

use actix_web::http::StatusCode;
use serde_json::{Value, json};

use super::forms::{self, Field, Kind, field, value};
use crate::domain::case::Action;
use crate::services::case_view::CaseView;

/// A step's form that was refused, to show again with what was typed.
pub struct Attempt {
    pub action: Action,
    pub typed: Vec<(String, String)>,
    pub errors: Vec<Value>,
    pub status: StatusCode,
    pub notice: Option<String>,
}

const TODAY: &str = "Leave blank for today.";
const OVERRIDE: &str = "Only when the Duty of Candour record is incomplete: why this goes ahead anyway (complaints managers).";

const METHODS: &[(&str, &str)] = &[
    ("letter", "Letter"),
    ("email", "Email"),
    ("phone", "Phone"),
    ("in_person", "In person"),
];
const DECISIONS: &[(&str, &str)] = &[
    ("accepted", "Accept: investigate although it was made late"),
    ("declined", "Decline: apply the 12-month limit"),
];

/// The button, heading and fields of each step.
const ACKNOWLEDGE: &[Field] = &[
    field("acknowledged_on", "Date acknowledged", TODAY, Kind::Date),
    field(
        "method",
        "How it was acknowledged",
        "",
        Kind::Choice(METHODS),
    ),
    field(
        "handling_discussion_offered",
        "We offered to discuss how the complaint will be handled and how long it will take",
        "Regulation 13(7).",
        Kind::Check,
    ),
    field(
        "response_due_on",
        "Response date agreed with the complainant",
        "Leave blank to use the default for the risk grade (marked as not agreed).",
        Kind::Date,
    ),
    field(
        "meeting_offered",
        "We offered a face-to-face meeting",
        "",
        Kind::Check,
    ),
];

const ASSIGN: &[Field] = &[
    field(
        "handler_id",
        "Case handler",
        "Leave as it is to keep the current one.",
        Kind::Staff,
    ),
    field(
        "investigator_id",
        "Investigator",
        "Leave as it is to keep the current one.",
        Kind::Staff,
    ),
];

const START_INVESTIGATION: &[Field] = &[field("started_on", "Date started", TODAY, Kind::Date)];

const EXTEND: &[Field] = &[
    field("new_due_on", "New response date", "", Kind::Date),
    field("reason", "Why it needs longer", "", Kind::TextArea),
    field(
        "complainant_agreed",
        "The complainant agreed the new date",
        "",
        Kind::Check,
    ),
    field("agreed_on", "Date they agreed", TODAY, Kind::Date),
];

const PAUSE: &[Field] = &[
    field(
        "reason",
        "Why the clock stops",
        "For example, waiting for the patient's consent.",
        Kind::TextArea,
    ),
    field("paused_on", "Date paused", TODAY, Kind::Date),
];

const RESUME: &[Field] = &[field("resumed_on", "Date restarted", TODAY, Kind::Date)];

const RESPOND: &[Field] = &[
    field("sent_on", "Date the response was sent", TODAY, Kind::Date),
    field(
        "signed_by",
        "Signed by",
        "The responsible person, or their delegate.",
        Kind::Text,
    ),
    field(
        "ombudsman_rights_given",
        "The response told the complainant they can go to the Parliamentary and Health Service Ombudsman",
        "Required.",
        Kind::Check,
    ),
    field("summary", "Summary of the response", "", Kind::TextArea),
];

const CLOSE: &[Field] = &[
    field("closed_on", "Date closed", TODAY, Kind::Date),
    field(
        "candour_override_reason",
        "Closing with the Duty of Candour record incomplete",
        OVERRIDE,
        Kind::TextArea,
    ),
];

const REOPEN: &[Field] = &[
    field("reason", "Why it is reopened", "", Kind::TextArea),
    field(
        "response_due_on",
        "New response date",
        "Leave blank for the risk grade's target from today.",
        Kind::Date,
    ),
];

const WITHDRAW: &[Field] = &[
    field("reason", "Why it is withdrawn", "", Kind::TextArea),
    field("withdrawn_on", "Date withdrawn", TODAY, Kind::Date),
    field(
        "candour_override_reason",
        "Withdrawing with the Duty of Candour record incomplete",
        OVERRIDE,
        Kind::TextArea,
    ),
];

const RESOLVE: &[Field] = &[
    field(
        "resolution_note",
        "What was done to resolve it",
        "",
        Kind::TextArea,
    ),
    field("resolved_on", "Date resolved", TODAY, Kind::Date),
];

const ESCALATE: &[Field] = &[
    field(
        "reason",
        "Why it becomes a complaint",
        "For example, the person asked for a formal investigation.",
        Kind::TextArea,
    ),
    field(
        "received_on",
        "Date the formal complaint was made",
        "Leave blank for today. The statutory clock starts here.",
        Kind::Date,
    ),
    field(
        "risk_consequence",
        "Risk: consequence (1 negligible to 5 catastrophic)",
        "Needed when the concern was not risk graded.",
        Kind::Score,
    ),
    field(
        "risk_likelihood",
        "Risk: likelihood (1 rare to 5 almost certain)",
        "",
        Kind::Score,
    ),
];

const TIME_LIMIT_DECISION: &[Field] = &[
    field(
        "decision",
        "Decision",
        "Regulation 12(4).",
        Kind::Choice(DECISIONS),
    ),
    field(
        "good_reason",
        "Accepting: why they had good reason not to complain in time",
        "",
        Kind::TextArea,
    ),
    field(
        "still_investigable",
        "Accepting: why it can still be investigated effectively and fairly",
        "",
        Kind::TextArea,
    ),
    field(
        "decline_reason",
        "Declining: the reason given to the complainant",
        "",
        Kind::TextArea,
    ),
    field(
        "candour_override_reason",
        "Declining with the Duty of Candour record incomplete",
        OVERRIDE,
        Kind::TextArea,
    ),
];

const SIX_MONTH_LETTER: &[Field] = &[
    field(
        "explanation",
        "Why the response is taking longer",
        "Written to the complainant (regulation 14).",
        Kind::TextArea,
    ),
    field(
        "expected_on",
        "When the response is now expected",
        "If known.",
        Kind::Date,
    ),
    field("sent_on", "Date the letter went out", TODAY, Kind::Date),
];

/// The button, heading and fields of each step.
pub fn spec(action: Action) -> (&'static str, &'static [Field]) {
    match action {
        Action::Acknowledge => ("Acknowledge", ACKNOWLEDGE),
        Action::Assign => ("Assign", ASSIGN),
        Action::StartInvestigation => ("Start the investigation", START_INVESTIGATION),
        Action::Extend => ("Extend the response date", EXTEND),
        Action::Pause => ("Pause the response clock", PAUSE),
        Action::Resume => ("Restart the response clock", RESUME),
        Action::Respond => ("Record the response", RESPOND),
        Action::Close => ("Close", CLOSE),
        Action::Reopen => ("Reopen", REOPEN),
        Action::Withdraw => ("Withdraw", WITHDRAW),
        Action::Resolve => ("Mark as resolved", RESOLVE),
        Action::Escalate => ("Escalate to a formal complaint", ESCALATE),
        Action::TimeLimitDecision => ("Record the time-limit decision", TIME_LIMIT_DECISION),
        Action::SixMonthLetter => ("Record the six-month letter", SIX_MONTH_LETTER),
    }
}

const OUTCOMES: &[(&str, &str)] = &[("upheld", "Upheld"), ("not_upheld", "Not upheld")];

/// The forms for the steps the case allows now; `attempt` is a refused one to show again.
pub fn forms(case: &CaseView, staff_options: &[Value], attempt: Option<&Attempt>) -> Vec<Value> {
    case.allowed_actions
        .iter()
        .map(|&action| {
            let (title, fields) = spec(action);
            let mine = attempt.filter(|a| a.action == action);
            let typed = mine.map(|a| a.typed.as_slice()).unwrap_or(&[]);
            let errors = mine.map(|a| a.errors.as_slice()).unwrap_or(&[]);
            let prefix = action.as_str();
            let findings: Vec<Value> = if action == Action::Respond {
                case.subjects
                    .iter()
                    .map(|s| {
                        let name = format!("finding.{}", s.code);
                        json!({
                            "id": format!("respond-finding-{}", s.code),
                            "name": name,
                            "label": format!("Finding on {}", s.code.replace('_', " ")),
                            "options": OUTCOMES.iter().map(|(v, l)| json!({"value": v, "label": l})).collect::<Vec<_>>(),
                            "value": value(typed, &name).unwrap_or(""),
                        })
                    })
                    .collect()
            } else {
                Vec::new()
            };
            json!({
                "action": prefix,
                "title": title,
                "open": mine.is_some(),
                "fields": forms::render(prefix, fields, typed, errors, staff_options),
                "findings": findings,
            })
        })
        .collect()
}

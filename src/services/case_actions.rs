//! The lifecycle: each `POST /cases/{id}/{action}` checks role, version and state machine, then
//! writes its columns, its records and its timeline event (with before/after values) in one
//! transaction.

use chrono::{NaiveDate, NaiveDateTime};
use serde::Deserialize;
use std::cell::RefCell;

use serde_json::{Value, json};
use utoipa::ToSchema;

use super::Actor;
use super::case_input::{self as input, Errors, RiskInput};
use super::case_view::{self, CaseView};
use super::cases::{
    check_version, diff, load_visible, refresh_next_due, required_version, stale, today,
};
use super::notify::{Messenger, long_date};
use crate::db::case_records::{self, Extension, Pause, Response, TimeLimitDecision};
use crate::db::cases::{self, CaseChanges, CaseRecord, NewCase};
use crate::db::{self, DbConnection, calendar, timeline, users};
use crate::domain::calendar::WorkingCalendar;
use crate::domain::candour::CandourRules;
use crate::domain::case::{self as rules, Action, AspectOutcome, CaseKind, CaseStatus};
use crate::domain::clock::{self, ClockRules};
use crate::domain::risk::RiskGrade;
use crate::domain::role::{Permission, Role};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// What an action needs besides the case.
pub struct Ctx {
    pub actor: Actor,
    pub today: NaiveDate,
    pub now: NaiveDateTime,
    pub cal: WorkingCalendar,
    pub rules: ClockRules,
    pub candour: CandourRules,
    /// The base of links sent to complainants.
    pub base_url: String,
    /// Messages the step wants sent once the case row is updated (same transaction).
    outgoing: RefCell<Vec<Outgoing>>,
}

/// A message a step asks for.
enum Outgoing {
    /// To the complainant: email when allowed, else a letter to post.
    Letter {
        template: &'static str,
        extra: Value,
        statutory: bool,
        label: &'static str,
    },
    /// To a member of staff, once per key.
    Alert {
        user_id: String,
        template: &'static str,
        extra: Value,
        dedupe_key: String,
        kind: &'static str,
    },
}

impl Ctx {
    /// Write to the complainant after the change (e.g. `"acknowledgement"`).
    pub fn letter(
        &self,
        template: &'static str,
        extra: Value,
        statutory: bool,
        label: &'static str,
    ) {
        self.outgoing.borrow_mut().push(Outgoing::Letter {
            template,
            extra,
            statutory,
            label,
        });
    }

    /// Alert a member of staff after the change.
    pub fn alert(
        &self,
        user_id: &str,
        template: &'static str,
        extra: Value,
        dedupe_key: String,
        kind: &'static str,
    ) {
        self.outgoing.borrow_mut().push(Outgoing::Alert {
            user_id: user_id.to_string(),
            template,
            extra,
            dedupe_key,
            kind,
        });
    }
}

/// Send what a step asked for, against the case as it now stands.
fn send_outgoing(
    c: &mut DbConnection,
    ctx: &Ctx,
    messenger: &Messenger,
    case: &CaseRecord,
) -> AppResult<()> {
    for out in ctx.outgoing.borrow_mut().drain(..) {
        match out {
            Outgoing::Letter {
                template,
                extra,
                statutory,
                label,
            } => {
                let letter = messenger.to_complainant(
                    c,
                    case,
                    template,
                    extra,
                    statutory,
                    Some(&ctx.actor.user_id),
                    Vec::new(),
                    ctx.now,
                )?;
                let how = if letter.channel == "email" {
                    "emailed"
                } else {
                    "to post"
                };
                timeline::append(
                    c,
                    &case.id,
                    Some(&ctx.actor.user_id),
                    "letter",
                    &format!("{label} {how}"),
                    &json!({ "letter_id": letter.id, "template": template, "channel": letter.channel, "statutory": statutory }),
                    ctx.now,
                )?;
            }
            Outgoing::Alert {
                user_id,
                template,
                extra,
                dedupe_key,
                kind,
            } => {
                if let Some(user) = users::find(c, &user_id)? {
                    let mut extra = extra;
                    extra["case"] = staff_case(messenger, case, &ctx.cal, ctx.today);
                    messenger.to_staff(
                        c,
                        &user,
                        template,
                        extra,
                        &dedupe_key,
                        Some(&case.id),
                        kind,
                        ctx.now,
                    )?;
                }
            }
        }
    }
    Ok(())
}

/// What staff alerts say about a case: no personal data, a link to it.
pub fn staff_case(
    messenger: &Messenger,
    case: &CaseRecord,
    cal: &WorkingCalendar,
    today: NaiveDate,
) -> Value {
    let next = case_view::clock_view(cal, case, today).next_due_on;
    json!({
        "reference": case.reference,
        "kind_label": match case.kind { CaseKind::Complaint => "complaint", CaseKind::PalsConcern => "PALS concern" },
        "received_on": long_date(case.received_on),
        "next_due_on": next.map(long_date),
        "url": format!("{}/api/v1/cases/{}", messenger.base_url, case.id),
    })
}

/// What an action decided: the column changes and its timeline entry.
pub struct Step {
    pub changes: CaseChanges,
    pub summary: String,
    pub details: Value,
}

/// Run `action` on case `id`. `parse` turns the raw body into the body's version and the step;
/// it runs after the role check, so a role that may not act hears 403 before any 400.
pub async fn run<P, F>(
    state: &AppState,
    actor: &Actor,
    id: String,
    action: Action,
    if_match: Option<i32>,
    raw: Value,
    parse: P,
) -> AppResult<CaseView>
where
    P: FnOnce(Value) -> AppResult<(Option<i32>, F)> + Send + 'static,
    F: FnOnce(&mut DbConnection, &Ctx, &CaseRecord) -> AppResult<Step>,
{
    let actor = actor.clone();
    let rules = state.settings.cases.clone();
    let candour = state.settings.candour.clone();
    let messenger = Messenger::from_state(state);
    let view = state
        .db
        .write(move |c| -> AppResult<CaseView> {
            let case = load_visible(c, &actor, &id)?;
            let needed = if case.kind == CaseKind::Complaint {
                Permission::RunComplaint
            } else {
                Permission::RunPalsConcern
            };
            actor.require(needed)?;
            let (body_version, f) = parse(raw)?;
            let version = required_version(if_match, body_version)?;
            check_version(&case, version)?;
            let allowed = case_view::allowed(&case);
            if !allowed.contains(&action) {
                return Err(AppError::Conflict {
                    detail: format!(
                        "'{action}' is not possible while the {} is {}.",
                        case.kind.as_str().replace('_', " "),
                        case.status
                    ),
                    current_state: Some(case.status.as_str().into()),
                    allowed_actions: Some(allowed.iter().map(|a| a.as_str().to_string()).collect()),
                });
            }
            let ctx = Ctx {
                actor: actor.clone(),
                today: today(),
                now: db::now(),
                cal: calendar::current(c)?,
                rules,
                candour,
                base_url: messenger.base_url.clone(),
                outgoing: RefCell::new(Vec::new()),
            };
            let mut step = f(c, &ctx, &case)?;
            let next = rules::next_status(case.status, action);
            if next != case.status {
                step.changes.status = Some(next.as_str().into());
            }
            if !cases::update_versioned(c, &id, version, &step.changes, ctx.now)? {
                return Err(stale(case.version));
            }
            let after = cases::find(c, &id)?.ok_or_else(|| AppError::internal("case vanished"))?;
            let mut details = step.details;
            if let Value::Object(map) = &mut details {
                let before = serde_json::to_value(&case).unwrap_or(Value::Null);
                let now = serde_json::to_value(&after).unwrap_or(Value::Null);
                map.insert("changes".into(), diff(&before, &now));
            }
            timeline::append(
                c,
                &id,
                Some(&ctx.actor.user_id),
                action.as_str(),
                &step.summary,
                &details,
                ctx.now,
            )?;
            send_outgoing(c, &ctx, &messenger, &after)?;
            refresh_next_due(c, &ctx.cal, &after, ctx.today)?;
            let after = cases::find(c, &id)?.ok_or_else(|| AppError::internal("case vanished"))?;
            case_view::load(c, &ctx.cal, &ctx.candour, after, ctx.today)
        })
        .await?;
    state.outbox.wake();
    tracing::info!(case.id = %view.id, case.action = %action, "case action");
    Ok(view)
}

fn on_or_before_today(e: &mut Errors, field: &str, day: NaiveDate, ctx: &Ctx, case: &CaseRecord) {
    input::past_date(e, field, day, ctx.today);
    if day < case.received_on {
        e.add(field, "is before the day the case was received");
    }
}

fn done(e: Errors) -> AppResult<()> {
    if e.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(e.0))
    }
}

/// How an acknowledgement was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AcknowledgementMethod {
    Letter,
    Email,
    Phone,
    InPerson,
}

impl AcknowledgementMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Letter => "letter",
            Self::Email => "email",
            Self::Phone => "phone",
            Self::InPerson => "in_person",
        }
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcknowledgeRequest {
    pub version: Option<i32>,
    /// Defaults to today.
    pub acknowledged_on: Option<NaiveDate>,
    pub method: AcknowledgementMethod,
    /// Whether the offer to discuss handling and the response period was made (reg 13).
    pub handling_discussion_offered: bool,
    /// The response date agreed with the complainant. Leave out to use the default for the
    /// risk grade, marked as not agreed.
    pub response_due_on: Option<NaiveDate>,
    /// Whether a face-to-face meeting was offered.
    pub meeting_offered: bool,
}

pub fn acknowledge(
    req: AcknowledgeRequest,
) -> impl FnOnce(&mut DbConnection, &Ctx, &CaseRecord) -> AppResult<Step> + Send {
    move |c, ctx, case| {
        let mut e = Errors::default();
        let on = req.acknowledged_on.unwrap_or(ctx.today);
        on_or_before_today(&mut e, "acknowledged_on", on, ctx, case);
        if let Some(due) = req.response_due_on
            && due <= on
        {
            e.add("response_due_on", "must be after the acknowledgement");
        }
        done(e)?;
        let grade = case
            .risk_grade
            .as_deref()
            .and_then(|g| g.parse().ok())
            .unwrap_or(RiskGrade::Moderate);
        let (due, agreed) = match req.response_due_on {
            Some(d) => (d, true),
            None => (
                clock::default_response_due(&ctx.cal, &ctx.rules, case.received_on, grade),
                false,
            ),
        };
        let late = case.acknowledgement_due_on.is_some_and(|d| on > d);
        // The complainant's private link to follow the case, sent with the acknowledgement.
        let tracking_url = super::tracking::issue_link(c, &case.id, &ctx.base_url, ctx.now)?;
        ctx.letter(
            "acknowledgement",
            json!({
                "tracking_url": tracking_url,
                "response_due_on": long_date(due),
                "response_due_agreed": agreed,
                "handling_discussion_offered": req.handling_discussion_offered,
                "meeting_offered": req.meeting_offered,
            }),
            true,
            "Acknowledgement",
        );
        Ok(Step {
            changes: CaseChanges {
                acknowledged_on: Some(Some(on)),
                acknowledgement_method: Some(Some(req.method.as_str().into())),
                handling_discussion_offered: Some(Some(req.handling_discussion_offered)),
                meeting_offered: Some(Some(req.meeting_offered)),
                response_due_on: Some(Some(due)),
                response_due_agreed: Some(agreed),
                calendar_version: Some(ctx.cal.version),
                ..Default::default()
            },
            summary: format!(
                "Acknowledged{}; response due {due}{}",
                if late { " late" } else { "" },
                if agreed {
                    " (agreed)"
                } else {
                    " (default, not agreed)"
                }
            ),
            details: json!({ "acknowledged_late": late }),
        })
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    pub version: Option<i32>,
    /// The case handler; `null` clears it; leave out to keep.
    #[serde(default, deserialize_with = "crate::json::present")]
    pub handler_id: Option<Option<String>>,
    /// The investigator; `null` clears it; leave out to keep.
    #[serde(default, deserialize_with = "crate::json::present")]
    pub investigator_id: Option<Option<String>>,
}

fn check_user(
    c: &mut DbConnection,
    e: &mut Errors,
    field: &str,
    id: &str,
    roles: &[Role],
) -> AppResult<()> {
    match users::find(c, id)? {
        None => e.add(field, "is not a known user"),
        Some(u) if !u.active => e.add(field, "is a deactivated user"),
        Some(u) if !roles.contains(&u.role) => e.add(
            field,
            format!(
                "is a {} user; this role needs one of {}",
                u.role,
                roles
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        Some(_) => {}
    }
    Ok(())
}

pub fn assign(
    req: AssignRequest,
) -> impl FnOnce(&mut DbConnection, &Ctx, &CaseRecord) -> AppResult<Step> + Send {
    move |c, ctx, case| {
        let mut e = Errors::default();
        if req.handler_id.is_none() && req.investigator_id.is_none() {
            e.add(
                "handler_id",
                "give a handler_id or an investigator_id to assign",
            );
        }
        if let Some(Some(id)) = &req.handler_id {
            check_user(
                c,
                &mut e,
                "handler_id",
                id,
                &[Role::Admin, Role::ComplaintsManager, Role::PalsOfficer],
            )?;
        }
        if let Some(Some(id)) = &req.investigator_id {
            check_user(
                c,
                &mut e,
                "investigator_id",
                id,
                &[Role::Investigator, Role::ComplaintsManager, Role::Admin],
            )?;
        }
        done(e)?;
        let mut parts = Vec::new();
        if req.handler_id.is_some() {
            parts.push("handler");
        }
        if req.investigator_id.is_some() {
            parts.push("investigator");
        }
        for (who, role) in [
            (&req.handler_id, "handler"),
            (&req.investigator_id, "investigator"),
        ] {
            if let Some(Some(user_id)) = who
                && *user_id != ctx.actor.user_id
            {
                ctx.alert(
                    user_id,
                    "staff_assigned",
                    json!({ "assignment": role }),
                    format!("assigned:{}:{role}:{user_id}:{}", case.id, case.version),
                    "assigned",
                );
            }
        }
        Ok(Step {
            changes: CaseChanges {
                handler_id: req.handler_id,
                investigator_id: req.investigator_id,
                ..Default::default()
            },
            summary: format!("Assigned: {}", parts.join(" and ")),
            details: json!({}),
        })
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartInvestigationRequest {
    pub version: Option<i32>,
    /// Defaults to today.
    pub started_on: Option<NaiveDate>,
}

pub fn start_investigation(
    req: StartInvestigationRequest,
) -> impl FnOnce(&mut DbConnection, &Ctx, &CaseRecord) -> AppResult<Step> + Send {
    move |_, ctx, case| {
        let mut e = Errors::default();
        let on = req.started_on.unwrap_or(ctx.today);
        on_or_before_today(&mut e, "started_on", on, ctx, case);
        done(e)?;
        Ok(Step {
            changes: CaseChanges {
                investigation_started_on: Some(Some(on)),
                ..Default::default()
            },
            summary: "Investigation started".into(),
            details: json!({}),
        })
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtendRequest {
    pub version: Option<i32>,
    pub new_due_on: NaiveDate,
    pub reason: String,
    /// Whether the complainant agreed the new date.
    pub complainant_agreed: bool,
    /// When they agreed; defaults to today when they did.
    pub agreed_on: Option<NaiveDate>,
}

pub fn extend(
    req: ExtendRequest,
) -> impl FnOnce(&mut DbConnection, &Ctx, &CaseRecord) -> AppResult<Step> + Send {
    move |c, ctx, case| {
        let mut e = Errors::default();
        let reason = input::text(&mut e, "reason", &req.reason, input::MAX_TEXT, true);
        if case.response_due_on.is_some_and(|d| req.new_due_on <= d) {
            e.add("new_due_on", "must be later than the current response date");
        }
        if req.new_due_on <= ctx.today {
            e.add("new_due_on", "must be in the future");
        }
        let agreed_on = req
            .complainant_agreed
            .then(|| req.agreed_on.unwrap_or(ctx.today));
        if let Some(d) = agreed_on {
            on_or_before_today(&mut e, "agreed_on", d, ctx, case);
        }
        if !req.complainant_agreed && req.agreed_on.is_some() {
            e.add("agreed_on", "applies only when the complainant agreed");
        }
        done(e)?;
        case_records::insert_extension(
            c,
            &Extension {
                id: uuid::Uuid::new_v4().to_string(),
                case_id: case.id.clone(),
                previous_due_on: case.response_due_on,
                new_due_on: req.new_due_on,
                reason,
                complainant_agreed: req.complainant_agreed,
                agreed_on,
                created_by: ctx.actor.user_id.clone(),
                created_at: ctx.now,
            },
        )?;
        ctx.letter(
            "extension",
            json!({
                "new_due_on": long_date(req.new_due_on),
                "reason": req.reason.trim(),
                "complainant_agreed": req.complainant_agreed,
            }),
            true,
            "Extension letter",
        );
        let six_month = match (case.six_month_letter_due_on, agreed_on) {
            (Some(due), Some(agreed)) => Some(clock::six_month_after_extension(
                due,
                agreed,
                req.new_due_on,
            )),
            (due, _) => due,
        };
        Ok(Step {
            changes: CaseChanges {
                response_due_on: Some(Some(req.new_due_on)),
                response_due_agreed: Some(req.complainant_agreed),
                six_month_letter_due_on: Some(six_month),
                ..Default::default()
            },
            summary: format!(
                "Response date extended to {}{}",
                req.new_due_on,
                if req.complainant_agreed {
                    " (agreed with the complainant)"
                } else {
                    " (not agreed)"
                }
            ),
            details: json!({}),
        })
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PauseRequest {
    pub version: Option<i32>,
    /// Why the clock stops, e.g. waiting for the patient's consent.
    pub reason: String,
    /// Defaults to today.
    pub paused_on: Option<NaiveDate>,
}

pub fn pause(
    req: PauseRequest,
) -> impl FnOnce(&mut DbConnection, &Ctx, &CaseRecord) -> AppResult<Step> + Send {
    move |c, ctx, case| {
        let mut e = Errors::default();
        let reason = input::text(&mut e, "reason", &req.reason, input::MAX_TEXT, true);
        let on = req.paused_on.unwrap_or(ctx.today);
        on_or_before_today(&mut e, "paused_on", on, ctx, case);
        done(e)?;
        case_records::insert_pause(
            c,
            &Pause {
                id: uuid::Uuid::new_v4().to_string(),
                case_id: case.id.clone(),
                paused_on: on,
                resumed_on: None,
                reason,
                working_days: None,
                created_by: ctx.actor.user_id.clone(),
                created_at: ctx.now,
            },
        )?;
        Ok(Step {
            changes: CaseChanges {
                paused_on: Some(Some(on)),
                ..Default::default()
            },
            summary: "Response clock paused".into(),
            details: json!({}),
        })
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResumeRequest {
    pub version: Option<i32>,
    /// Defaults to today.
    pub resumed_on: Option<NaiveDate>,
}

pub fn resume(
    req: ResumeRequest,
) -> impl FnOnce(&mut DbConnection, &Ctx, &CaseRecord) -> AppResult<Step> + Send {
    move |c, ctx, case| {
        let mut e = Errors::default();
        let on = req.resumed_on.unwrap_or(ctx.today);
        let paused_on = case.paused_on.unwrap_or(on);
        on_or_before_today(&mut e, "resumed_on", on, ctx, case);
        if on < paused_on {
            e.add("resumed_on", "is before the pause began");
        }
        done(e)?;
        let days = i32::try_from(ctx.cal.working_days_between(paused_on, on)).unwrap_or(i32::MAX);
        case_records::end_pause(c, &case.id, on, days)?;
        let due = case.response_due_on.map(|d| {
            ctx.cal
                .add_working_days(d, u32::try_from(days).unwrap_or(0))
        });
        Ok(Step {
            changes: CaseChanges {
                paused_on: Some(None),
                paused_working_days: Some(case.paused_working_days + days),
                response_due_on: Some(due),
                ..Default::default()
            },
            summary: format!("Response clock resumed after {days} working days"),
            details: json!({ "paused_working_days": days }),
        })
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AspectFinding {
    /// A subject code of this case.
    pub subject: String,
    pub outcome: AspectOutcome,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RespondRequest {
    pub version: Option<i32>,
    /// Defaults to today.
    pub sent_on: Option<NaiveDate>,
    /// The responsible person, or their delegate, who signed the response.
    pub signed_by: String,
    /// A finding for every subject of the case.
    pub aspect_outcomes: Vec<AspectFinding>,
    /// The response told the complainant of their right to go to the Ombudsman (required).
    pub ombudsman_rights_given: bool,
    pub summary: Option<String>,
}

pub fn respond(
    req: RespondRequest,
) -> impl FnOnce(&mut DbConnection, &Ctx, &CaseRecord) -> AppResult<Step> + Send {
    move |c, ctx, case| {
        let mut e = Errors::default();
        let on = req.sent_on.unwrap_or(ctx.today);
        on_or_before_today(&mut e, "sent_on", on, ctx, case);
        let signed_by = input::text(&mut e, "signed_by", &req.signed_by, 200, true);
        if !req.ombudsman_rights_given {
            e.add(
                "ombudsman_rights_given",
                "must be true: the response must tell the complainant of their right to go to the Parliamentary and Health Service Ombudsman",
            );
        }
        let summary = req
            .summary
            .as_deref()
            .map(|s| input::text(&mut e, "summary", s, input::MAX_TEXT, false))
            .filter(|s| !s.is_empty());
        let coding = cases::coding(c, &case.id)?;
        let codes: Vec<&str> = coding
            .subjects
            .iter()
            .map(|s| s.subject_code.as_str())
            .collect();
        for (i, a) in req.aspect_outcomes.iter().enumerate() {
            if !codes.contains(&a.subject.as_str()) {
                e.add(
                    format!("aspect_outcomes[{i}].subject"),
                    "is not a subject of this case",
                );
            } else if req.aspect_outcomes[..i]
                .iter()
                .any(|b| b.subject == a.subject)
            {
                e.add(format!("aspect_outcomes[{i}].subject"), "is listed twice");
            }
        }
        for code in &codes {
            if !req.aspect_outcomes.iter().any(|a| a.subject == *code) {
                e.add(
                    "aspect_outcomes",
                    format!("give a finding for the subject {code:?}"),
                );
            }
        }
        done(e)?;
        let findings: Vec<AspectOutcome> = req.aspect_outcomes.iter().map(|a| a.outcome).collect();
        let outcome = rules::overall_outcome(&findings).ok_or_else(|| {
            AppError::invalid("aspect_outcomes", "give a finding for each subject")
        })?;
        for a in &req.aspect_outcomes {
            cases::set_subject_outcome(c, &case.id, &a.subject, a.outcome.as_str())?;
        }
        case_records::insert_response(
            c,
            &Response {
                id: uuid::Uuid::new_v4().to_string(),
                case_id: case.id.clone(),
                sent_on: on,
                signed_by,
                outcome: outcome.as_str().into(),
                ombudsman_rights_given: true,
                summary,
                created_by: ctx.actor.user_id.clone(),
                created_at: ctx.now,
            },
        )?;
        let on_time = case.response_due_on.map(|due| on <= due);
        ctx.letter(
            "response_sent",
            json!({ "sent_on": long_date(on), "signed_by": req.signed_by.trim() }),
            true,
            "Response notice",
        );
        Ok(Step {
            changes: CaseChanges {
                responded_on: Some(Some(on)),
                outcome: Some(Some(outcome.as_str().into())),
                ..Default::default()
            },
            summary: format!("Response sent: {}", outcome.as_str().replace('_', " ")),
            details: json!({ "outcome": outcome, "within_response_date": on_time }),
        })
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseRequest {
    pub version: Option<i32>,
    /// Defaults to today.
    pub closed_on: Option<NaiveDate>,
    /// Close although the case's notifiable Duty of Candour record is incomplete: the reason,
    /// recorded on the timeline (complaints managers and admins only). Ignored when the record
    /// is complete or there is none.
    pub candour_override_reason: Option<String>,
}

pub fn close(
    req: CloseRequest,
) -> impl FnOnce(&mut DbConnection, &Ctx, &CaseRecord) -> AppResult<Step> + Send {
    move |c, ctx, case| {
        let mut e = Errors::default();
        let on = req.closed_on.unwrap_or(ctx.today);
        on_or_before_today(&mut e, "closed_on", on, ctx, case);
        if case.responded_on.is_some_and(|r| on < r) {
            e.add("closed_on", "is before the response was sent");
        }
        let reason = req
            .candour_override_reason
            .as_deref()
            .map(|r| input::text(&mut e, "candour_override_reason", r, input::MAX_TEXT, true));
        done(e)?;
        let block = super::candour::closure_block(c, &ctx.cal, &ctx.candour, &case.id, ctx.today)?;
        let (summary, details) = match (block, reason) {
            (None, _) => ("Case closed".to_string(), json!({})),
            (Some((_, detail)), None) => {
                return Err(AppError::Conflict {
                    detail,
                    current_state: Some(case.status.as_str().into()),
                    allowed_actions: None,
                });
            }
            (Some((status, _)), Some(reason)) => {
                ctx.actor.require(Permission::OverrideCandourClosure)?;
                (
                    "Case closed with the Duty of Candour record incomplete (override)".to_string(),
                    json!({
                        "candour_override_reason": reason,
                        "candour_status": status,
                    }),
                )
            }
        };
        Ok(Step {
            changes: CaseChanges {
                closed_on: Some(Some(on)),
                ..Default::default()
            },
            summary,
            details,
        })
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReopenRequest {
    pub version: Option<i32>,
    pub reason: String,
    /// The new response date; defaults to the risk grade's target from today.
    pub response_due_on: Option<NaiveDate>,
}

pub fn reopen(
    req: ReopenRequest,
) -> impl FnOnce(&mut DbConnection, &Ctx, &CaseRecord) -> AppResult<Step> + Send {
    move |_, ctx, case| {
        let mut e = Errors::default();
        let reason = input::text(&mut e, "reason", &req.reason, input::MAX_TEXT, true);
        if req.response_due_on.is_some_and(|d| d <= ctx.today) {
            e.add("response_due_on", "must be in the future");
        }
        done(e)?;
        let grade = case
            .risk_grade
            .as_deref()
            .and_then(|g| g.parse().ok())
            .unwrap_or(RiskGrade::Moderate);
        let due = req.response_due_on.unwrap_or_else(|| {
            ctx.cal
                .add_working_days(ctx.today, ctx.rules.response_working_days(grade))
        });
        Ok(Step {
            changes: CaseChanges {
                closed_on: Some(None),
                responded_on: Some(None),
                outcome: Some(None),
                response_due_on: Some(Some(due)),
                response_due_agreed: Some(req.response_due_on.is_some()),
                reopened_count: Some(case.reopened_count + 1),
                ..Default::default()
            },
            summary: format!("Case reopened; response due {due}"),
            details: json!({ "reason": reason }),
        })
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawRequest {
    pub version: Option<i32>,
    pub reason: String,
    /// Defaults to today.
    pub withdrawn_on: Option<NaiveDate>,
}

pub fn withdraw(
    req: WithdrawRequest,
) -> impl FnOnce(&mut DbConnection, &Ctx, &CaseRecord) -> AppResult<Step> + Send {
    move |c, ctx, case| {
        let mut e = Errors::default();
        let reason = input::text(&mut e, "reason", &req.reason, input::MAX_TEXT, true);
        let on = req.withdrawn_on.unwrap_or(ctx.today);
        on_or_before_today(&mut e, "withdrawn_on", on, ctx, case);
        done(e)?;
        if case.paused_on.is_some() {
            let days = i32::try_from(
                ctx.cal
                    .working_days_between(case.paused_on.unwrap_or(on), on),
            )
            .unwrap_or(0);
            case_records::end_pause(c, &case.id, on, days)?;
        }
        Ok(Step {
            changes: CaseChanges {
                withdrawn_on: Some(Some(on)),
                paused_on: Some(None),
                ..Default::default()
            },
            summary: "Complaint withdrawn".into(),
            details: json!({ "reason": reason }),
        })
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveRequest {
    pub version: Option<i32>,
    /// What was done to resolve the concern.
    pub resolution_note: String,
    /// Defaults to today.
    pub resolved_on: Option<NaiveDate>,
}

pub fn resolve(
    req: ResolveRequest,
) -> impl FnOnce(&mut DbConnection, &Ctx, &CaseRecord) -> AppResult<Step> + Send {
    move |_, ctx, case| {
        let mut e = Errors::default();
        let note = input::text(
            &mut e,
            "resolution_note",
            &req.resolution_note,
            input::MAX_TEXT,
            true,
        );
        let on = req.resolved_on.unwrap_or(ctx.today);
        on_or_before_today(&mut e, "resolved_on", on, ctx, case);
        done(e)?;
        let on_time = case.pals_due_on.map(|d| on <= d);
        ctx.letter(
            "pals_resolution",
            json!({ "resolution_note": note }),
            false,
            "PALS resolution letter",
        );
        Ok(Step {
            changes: CaseChanges {
                resolved_on: Some(Some(on)),
                ..Default::default()
            },
            summary: "PALS concern resolved".into(),
            details: json!({ "resolution_note": note, "within_target": on_time }),
        })
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EscalateRequest {
    pub version: Option<i32>,
    /// Why it became a formal complaint (the person asked, or it needs investigation).
    pub reason: String,
    /// The day the formal complaint was made; defaults to today. The statutory clock starts here.
    pub received_on: Option<NaiveDate>,
    /// Required when the concern was not risk-graded.
    pub risk: Option<RiskInput>,
}

pub fn escalate(
    req: EscalateRequest,
) -> impl FnOnce(&mut DbConnection, &Ctx, &CaseRecord) -> AppResult<Step> + Send {
    move |c, ctx, pals| {
        let mut e = Errors::default();
        let reason = input::text(&mut e, "reason", &req.reason, input::MAX_TEXT, true);
        let received = req.received_on.unwrap_or(ctx.today);
        on_or_before_today(&mut e, "received_on", received, ctx, pals);
        let risk = match (req.risk, pals.risk_consequence, pals.risk_likelihood) {
            (Some(r), _, _) => input::risk(&mut e, Some(r), true),
            (None, Some(consequence), Some(likelihood)) => input::risk(
                &mut e,
                Some(RiskInput {
                    consequence,
                    likelihood,
                }),
                true,
            ),
            _ => input::risk(&mut e, None, true),
        };
        done(e)?;
        let complaint_id = insert_escalated(c, ctx, pals, received, risk)?;
        let complaint = cases::find(c, &complaint_id)?
            .ok_or_else(|| AppError::internal("escalated complaint vanished"))?;
        Ok(Step {
            changes: CaseChanges {
                linked_case_id: Some(Some(complaint_id.clone())),
                resolved_on: Some(Some(received)),
                ..Default::default()
            },
            summary: format!("Escalated to formal complaint {}", complaint.reference),
            details: json!({ "reason": reason, "complaint_id": complaint_id, "complaint_reference": complaint.reference }),
        })
    }
}

/// Create the formal complaint for an escalated PALS concern: same people and coding, a new
/// reference, and the statutory clock from the day the complaint was made.
fn insert_escalated(
    c: &mut DbConnection,
    ctx: &Ctx,
    pals: &CaseRecord,
    received: NaiveDate,
    risk: Option<(RiskInput, RiskGrade)>,
) -> AppResult<String> {
    let year = chrono::Datelike::year(&ctx.today);
    let number = cases::next_reference_number(c, CaseKind::Complaint.reference_prefix(), year)?;
    let reference = rules::reference(CaseKind::Complaint, year, number);
    let id = uuid::Uuid::new_v4().to_string();
    let new = NewCase {
        id: id.clone(),
        reference: reference.clone(),
        kind: CaseKind::Complaint.as_str().into(),
        status: CaseStatus::Received.as_str().into(),
        channel: pals.channel.clone(),
        received_on: received,
        incident_on: pals.incident_on,
        became_aware_on: pals.became_aware_on,
        summary: pals.summary.clone(),
        description: pals.description.clone(),
        desired_outcome: pals.desired_outcome.clone(),
        complainant_id: pals.complainant_id.clone(),
        patient_id: pals.patient_id.clone(),
        patient_is_complainant: pals.patient_is_complainant,
        representative_basis: pals.representative_basis.clone(),
        consent_status: pals.consent_status.clone(),
        consent_requested_on: pals.consent_requested_on,
        consent_received_on: pals.consent_received_on,
        email_consent: pals.email_consent && pals.email_consent_withdrawn_on.is_none(),
        email_consent_on: pals.email_consent_on,
        complainant_status: pals.complainant_status.clone(),
        age_band: pals.age_band.clone(),
        risk_consequence: risk.map(|(r, _)| r.consequence),
        risk_likelihood: risk.map(|(r, _)| r.likelihood),
        risk_grade: risk.map(|(_, g)| g.as_str().into()),
        out_of_time: clock::is_out_of_time(received, pals.incident_on, pals.became_aware_on),
        acknowledgement_due_on: Some(clock::acknowledgement_due(&ctx.cal, received)),
        six_month_letter_due_on: Some(clock::six_month_letter_due(
            received,
            ctx.rules.six_month_rule,
        )),
        pals_due_on: None,
        next_due_key: cases::no_due_date(),
        linked_case_id: Some(pals.id.clone()),
        calendar_version: ctx.cal.version,
        version: 1,
        created_by: ctx.actor.user_id.clone(),
        created_at: ctx.now,
        updated_at: ctx.now,
        ..Default::default()
    };
    cases::insert(c, &new)?;
    let mut coding = cases::coding(c, &pals.id)?;
    for s in &mut coding.subjects {
        s.case_id = id.clone();
        s.outcome = None;
    }
    cases::replace_coding(c, &id, &coding)?;
    timeline::append(
        c,
        &id,
        Some(&ctx.actor.user_id),
        "case_created",
        &format!(
            "Complaint {reference} logged, escalated from PALS concern {}",
            pals.reference
        ),
        &json!({
            "reference": reference,
            "kind": CaseKind::Complaint,
            "channel": new.channel,
            "received_on": received,
            "out_of_time": new.out_of_time,
            "risk_grade": new.risk_grade,
            "escalated_from": pals.id,
            "calendar_version": ctx.cal.version,
        }),
        ctx.now,
    )?;
    let stored = cases::find(c, &id)?.ok_or_else(|| AppError::internal("case vanished"))?;
    refresh_next_due(c, &ctx.cal, &stored, ctx.today)?;
    Ok(id)
}

/// The discretion decision on an out-of-time complaint (reg 12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimeLimitChoice {
    Accepted,
    Declined,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeLimitDecisionRequest {
    pub version: Option<i32>,
    pub decision: TimeLimitChoice,
    /// Accepting: why the complainant had good reason not to complain in time.
    pub good_reason: Option<String>,
    /// Accepting: why it is still possible to investigate effectively and fairly.
    pub still_investigable: Option<String>,
    /// Declining: the reason given to the complainant.
    pub decline_reason: Option<String>,
}

pub fn time_limit_decision(
    req: TimeLimitDecisionRequest,
) -> impl FnOnce(&mut DbConnection, &Ctx, &CaseRecord) -> AppResult<Step> + Send {
    move |c, ctx, case| {
        let mut e = Errors::default();
        let need = |field: &str, value: &Option<String>, e: &mut Errors| {
            let v = value
                .as_deref()
                .map(str::trim)
                .unwrap_or_default()
                .to_string();
            if v.is_empty() {
                e.add(field, "is required for this decision");
            }
            (!v.is_empty()).then_some(v)
        };
        let (good, investigable, decline) = match req.decision {
            TimeLimitChoice::Accepted => (
                need("good_reason", &req.good_reason, &mut e),
                need("still_investigable", &req.still_investigable, &mut e),
                None,
            ),
            TimeLimitChoice::Declined => (
                None,
                None,
                need("decline_reason", &req.decline_reason, &mut e),
            ),
        };
        done(e)?;
        let decision = match req.decision {
            TimeLimitChoice::Accepted => "accepted",
            TimeLimitChoice::Declined => "declined",
        };
        case_records::insert_time_limit_decision(
            c,
            &TimeLimitDecision {
                case_id: case.id.clone(),
                decision: decision.into(),
                good_reason: good,
                still_investigable: investigable,
                decline_reason: decline,
                decided_by: ctx.actor.user_id.clone(),
                decided_on: ctx.today,
                created_at: ctx.now,
            },
        )?;
        let mut changes = CaseChanges {
            time_limit_decision: Some(Some(decision.into())),
            ..Default::default()
        };
        if req.decision == TimeLimitChoice::Declined {
            changes.status = Some(CaseStatus::Closed.as_str().into());
            changes.closed_on = Some(Some(ctx.today));
        }
        Ok(Step {
            changes,
            summary: match req.decision {
                TimeLimitChoice::Accepted => {
                    "Out-of-time complaint accepted under reg 12(4)".into()
                }
                TimeLimitChoice::Declined => "Out-of-time complaint declined; case closed".into(),
            },
            details: json!({ "decision": decision }),
        })
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SixMonthLetterRequest {
    pub version: Option<i32>,
    /// Why the response is taking longer: written to the complainant (reg 14).
    pub explanation: String,
    /// When the response is now expected, if known.
    pub expected_on: Option<NaiveDate>,
    /// The day the letter goes out; defaults to today.
    pub sent_on: Option<NaiveDate>,
}

pub fn six_month_letter(
    req: SixMonthLetterRequest,
) -> impl FnOnce(&mut DbConnection, &Ctx, &CaseRecord) -> AppResult<Step> + Send {
    move |_, ctx, case| {
        let mut e = Errors::default();
        let on = req.sent_on.unwrap_or(ctx.today);
        on_or_before_today(&mut e, "sent_on", on, ctx, case);
        let explanation = input::text(
            &mut e,
            "explanation",
            &req.explanation,
            input::MAX_TEXT,
            true,
        );
        if req.expected_on.is_some_and(|d| d <= ctx.today) {
            e.add("expected_on", "must be in the future");
        }
        done(e)?;
        ctx.letter(
            "six_month_delay",
            json!({
                "explanation": explanation,
                "expected_on": req.expected_on.map(long_date),
            }),
            true,
            "Six-month delay letter",
        );
        Ok(Step {
            changes: CaseChanges {
                six_month_letter_sent_on: Some(Some(on)),
                ..Default::default()
            },
            summary: "Six-month delay letter sent".into(),
            details: json!({ "late": case.six_month_letter_due_on.map(|d| on > d) }),
        })
    }
}

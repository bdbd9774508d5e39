//! Duty of Candour on a case: flag a possible notifiable safety incident, decide the harm (who
//! and when), record each step with its checklist and each attempt to contact the relevant
//! person, record a reg 20(5) exception with those attempts as evidence, and list records
//! across cases by their computed status. Each change is one transaction with its timeline
//! event on the case (a versioned command on the record, [`CandourTarget`]); free text stays on
//! the record, off the hash-chained timeline.

mod list;
mod steps;
mod update;
mod view;

pub use list::*;
pub use steps::*;
pub use update::*;
pub use view::*;

use chrono::{NaiveDate, NaiveDateTime};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::Actor;
use super::access::{load_visible, lock_visible, logged_read};
use super::case_input::{self as input, Errors};
use super::command::{self, Ctx, Target, fields_of};
use crate::db::candour::{self as rows, CandourChanges, CandourRecord, StepRow};
use crate::db::cases;
use crate::db::{DbConnection, timeline};
use crate::domain::candour::HarmLevel;
use crate::domain::case::Case;
use crate::domain::role::Permission;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

const MAX_REFERENCE: usize = 100;

fn no_record() -> AppError {
    AppError::NotFound(
        "This case has no Duty of Candour record; flag it with POST /api/v1/cases/{id}/candour."
            .into(),
    )
}

fn optional_reference(e: &mut Errors, field: &str, raw: Option<&str>) -> Option<String> {
    input::optional_text(e, field, raw, MAX_REFERENCE)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FlagCandourRequest {
    /// The trust's incident system reference.
    pub incident_reference: Option<String>,
    pub incident_on: Option<NaiveDate>,
    /// The day the trust became aware of the incident: the clock starts here.
    pub became_aware_on: NaiveDate,
    /// The harm, if already decided.
    pub harm: Option<HarmDecisionInput>,
}

/// A harm decision; who decided is the signed-in user.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HarmDecisionInput {
    pub level: HarmLevel,
    /// Defaults to today.
    pub decided_on: Option<NaiveDate>,
    pub rationale: Option<String>,
}

fn check_aware(e: &mut Errors, aware: NaiveDate, incident: Option<NaiveDate>, today: NaiveDate) {
    input::past_date(e, "became_aware_on", aware, today);
    if let Some(i) = incident {
        input::past_date(e, "incident_on", i, today);
        if aware < i {
            e.add("became_aware_on", "is before the incident");
        }
    }
}

fn check_harm(
    e: &mut Errors,
    h: &HarmDecisionInput,
    today: NaiveDate,
) -> (HarmLevel, NaiveDate, Option<String>) {
    let on = h.decided_on.unwrap_or(today);
    input::past_date(e, "harm.decided_on", on, today);
    let rationale =
        input::optional_text(e, "harm.rationale", h.rationale.as_deref(), input::MAX_TEXT);
    (h.level, on, rationale)
}

fn harm_summary(level: HarmLevel) -> String {
    format!(
        "Harm decided: {}{}",
        level.as_str().replace('_', " "),
        if level.is_notifiable() {
            " (notifiable safety incident)"
        } else {
            " (not notifiable)"
        }
    )
}

/// Flag case `case_id` as a possible notifiable safety incident (parsed after the role check).
pub async fn flag(
    state: &AppState,
    actor: &Actor,
    case_id: String,
    raw: Value,
) -> AppResult<CandourView> {
    actor.require(Permission::ManageCandour)?;
    let actor = actor.clone();
    let candour = state.settings.candour.clone();
    let (today, now) = (state.clock.today(), state.clock.now());
    state
        .db
        .write(move |c| -> AppResult<CandourView> {
            let case = load_visible(c, &actor, &case_id)?;
            let req: FlagCandourRequest = crate::json::from_value(raw)?;
            let mut e = Errors::default();
            let reference = optional_reference(
                &mut e,
                "incident_reference",
                req.incident_reference.as_deref(),
            );
            check_aware(&mut e, req.became_aware_on, req.incident_on, today);
            let harm = req.harm.as_ref().map(|h| check_harm(&mut e, h, today));
            e.done()?;
            cases::touch(c, &case.id, now)?;
            if rows::for_case(c, &case.id)?.is_some() {
                return Err(AppError::conflict(
                    "This case already has a Duty of Candour record; change it with PATCH.",
                ));
            }
            let r = CandourRecord {
                id: crate::db::ids::new_id(),
                case_id: case.id.clone(),
                incident_reference: reference,
                incident_on: req.incident_on,
                became_aware_on: req.became_aware_on,
                flagged_on: today,
                flagged_by: actor.user_id.clone(),
                harm_level: harm.as_ref().map(|(l, _, _)| l.as_str().to_string()),
                harm_decided_by: harm.as_ref().map(|_| actor.user_id.clone()),
                harm_decided_on: harm.as_ref().map(|(_, on, _)| *on),
                harm_rationale: harm.as_ref().and_then(|(_, _, r)| r.clone()),
                exception_kind: None,
                exception_recorded_on: None,
                exception_recorded_by: None,
                exception_note: None,
                version: 1,
                created_at: now,
                updated_at: now,
            };
            rows::insert(c, &r)?;
            let mut summary = "Flagged as a possible notifiable safety incident".to_string();
            if let Some((level, _, _)) = &harm {
                summary = format!("{summary}; {}", harm_summary(*level).to_lowercase());
            }
            timeline::append(
                c,
                &case.id,
                Some(&actor.user_id),
                "candour_flagged",
                &summary,
                &json!({
                    "candour_id": r.id,
                    "became_aware_on": r.became_aware_on,
                    "incident_reference": r.incident_reference,
                    "harm_level": r.harm_level,
                }),
                now,
            )?;
            load_view(c, &candour, &case, today)
        })
        .await
}

/// The candour record of a case. The read is recorded in the access log.
pub async fn get(
    state: &AppState,
    actor: &Actor,
    case_id: String,
    route: &str,
) -> AppResult<CandourView> {
    actor.require(Permission::ReadCaseRecords)?;
    let candour = state.settings.candour.clone();
    logged_read(state, actor, route, move |c, actor, today| {
        let case = load_visible(c, actor, &case_id)?;
        Ok((case_id, load_view(c, &candour, &case, today)?))
    })
    .await
}

/// The steps and contact attempts of a case's candour record, by date.
pub async fn list_steps(
    state: &AppState,
    actor: &Actor,
    case_id: String,
    route: &str,
) -> AppResult<Vec<StepView>> {
    actor.require(Permission::ReadCaseRecords)?;
    logged_read(state, actor, route, move |c, actor, _| {
        let case = load_visible(c, actor, &case_id)?;
        let r = rows::for_case(c, &case.id)?.ok_or_else(no_record)?;
        let steps = rows::steps_for(c, std::slice::from_ref(&r.id))?;
        Ok((case.id, steps.into_iter().map(step_view).collect()))
    })
    .await
}

/// The versioned commands on a candour record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CandourAction {
    /// `PATCH …/candour`.
    Update,
    /// `POST …/candour/steps`.
    AddStep,
}

impl std::fmt::Display for CandourAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Update => "update",
            Self::AddStep => "add_step",
        })
    }
}

/// A case's candour record: what candour commands act on.
pub struct CandourTarget {
    pub case: Case,
    pub record: CandourRecord,
}

/// What a candour command writes: the record's columns, and a step it adds.
pub struct CandourWrite {
    pub fields: CandourChanges,
    pub step: Option<StepRow>,
}

/// What a candour command answers: the record, or the step it added.
pub enum Answer {
    Record(CandourView),
    Step(StepView),
}

/// What a candour command decided.
pub type Step = command::Step<CandourWrite>;

impl Target for CandourTarget {
    const WHAT: &'static str = "candour record";
    type Action = CandourAction;
    type Changes = CandourWrite;
    type View = Answer;

    fn precheck(actor: &Actor, _: CandourAction) -> AppResult<()> {
        actor.require(Permission::ManageCandour)
    }

    fn load(c: &mut DbConnection, actor: &Actor, key: &str, now: NaiveDateTime) -> AppResult<Self> {
        let case = lock_visible(c, actor, key, now)?;
        let record = rows::for_case(c, &case.id)?.ok_or_else(no_record)?;
        Ok(Self { case, record })
    }

    fn version(&self) -> i32 {
        self.record.version
    }

    /// A step may be sent without a version: it adds to the record, overwriting nothing.
    fn needs_version(action: CandourAction) -> bool {
        action == CandourAction::Update
    }

    fn snapshot(&self, _: &mut DbConnection) -> AppResult<Value> {
        Ok(fields_of(&self.record))
    }

    fn save(
        &self,
        c: &mut DbConnection,
        version: i32,
        changes: &CandourWrite,
        now: NaiveDateTime,
    ) -> AppResult<bool> {
        if let Some(step) = &changes.step {
            rows::insert_step(c, step)?;
        }
        Ok(rows::update_versioned(
            c,
            &self.record.id,
            version,
            &changes.fields,
            now,
        )?)
    }

    fn reload(&self, c: &mut DbConnection) -> AppResult<Self> {
        Ok(Self {
            record: rows::for_case(c, &self.case.id)?.ok_or_else(no_record)?,
            case: self.case.clone(),
        })
    }

    fn case(&self) -> Option<&Case> {
        Some(&self.case)
    }

    fn event_kind(action: CandourAction) -> &'static str {
        match action {
            CandourAction::Update => "candour_updated",
            CandourAction::AddStep => "candour_step",
        }
    }

    fn event_tags(&self) -> Option<(&'static str, String)> {
        Some(("candour_id", self.record.id.clone()))
    }

    fn view(
        c: &mut DbConnection,
        ctx: &Ctx,
        after: Self,
        changes: CandourWrite,
    ) -> AppResult<Answer> {
        Ok(match changes.step {
            Some(step) => Answer::Step(step_view(step)),
            None => Answer::Record(load_view(c, &ctx.settings.candour, &after.case, ctx.today)?),
        })
    }
}

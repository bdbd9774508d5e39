//! Self-assessment against the NHS Improvement patient experience improvement framework (June
//! 2018): the board, complaints managers and admins record a dated assessment scoring
//! characteristics 0–5 with the current position, the planned action and what good will look
//! like. Assessments are history: each is recorded once and never changed, and any two can be
//! compared characteristic by characteristic.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::Actor;
use super::case_input::{self as input, Errors, MAX_TEXT};
use super::service_changes::Named;
use crate::db::framework::{self as rows, Assessment, AssessmentItem, Characteristic};
use crate::db::{DbConnection, service_changes::user_names};
use crate::domain::role::Permission;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// The highest score; the framework scores each characteristic 0 to 5.
pub const MAX_SCORE: i32 = 5;
const MAX_ITEMS: usize = 200;

fn not_found() -> AppError {
    AppError::NotFound("No framework assessment has this id.".into())
}

/// One characteristic of the framework.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CharacteristicView {
    /// `1A` … `23A`.
    pub code: String,
    /// The framework's section, e.g. "Capacity and capability to effectively collect feedback".
    pub section: String,
    /// The numbered characteristic (1 … 23) it belongs to, and its wording.
    pub number: i32,
    pub heading: String,
    /// The suggested requirement to meet the characteristic.
    pub text: String,
}

impl From<Characteristic> for CharacteristicView {
    fn from(c: Characteristic) -> Self {
        Self {
            code: c.code,
            section: c.section,
            number: c.number,
            heading: c.heading,
            text: c.text,
        }
    }
}

/// Every characteristic of the framework, in its order (any signed-in member of staff).
pub async fn characteristics(state: &AppState) -> AppResult<Vec<CharacteristicView>> {
    state
        .db
        .read(|c| -> AppResult<Vec<CharacteristicView>> {
            Ok(rows::characteristics(c)?
                .into_iter()
                .map(CharacteristicView::from)
                .collect())
        })
        .await
}

/// One scored characteristic.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AssessmentItemView {
    pub code: String,
    /// The characteristic's wording.
    pub text: String,
    /// 0 to 5.
    pub score: i32,
    pub current_position: Option<String>,
    pub planned_action: Option<String>,
    /// What will good look like?
    pub good_looks_like: Option<String>,
    /// For 10C, 10D, 10E, 11B, 13A, 15A and 16A: what Candour's own data shows over the
    /// twelve months to the assessment date (on a single assessment; `null` in lists).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<crate::reports::evidence::Evidence>,
}

/// A dated self-assessment.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AssessmentView {
    pub id: String,
    pub assessed_on: NaiveDate,
    /// The scored characteristics, in the framework's order.
    pub items: Vec<AssessmentItemView>,
    pub created_by: Named,
    pub created_at: DateTime<Utc>,
}

/// Attach the evidence for the assessment's date to its items.
fn with_evidence(
    c: &mut DbConnection,
    settings: &crate::config::Settings,
    s: crate::reports::suppress::Suppression,
    mut view: AssessmentView,
    today: NaiveDate,
) -> AppResult<AssessmentView> {
    let mut evidence = super::reports::framework_evidence(c, settings, view.assessed_on, s, today)?;
    for item in &mut view.items {
        item.evidence = evidence.remove(&item.code);
    }
    Ok(view)
}

/// One characteristic as typed in.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentItemInput {
    /// A characteristic code such as `10E` (see `GET /framework-characteristics`).
    pub code: String,
    /// 0 to 5.
    pub score: i32,
    pub current_position: Option<String>,
    pub planned_action: Option<String>,
    /// What will good look like?
    pub good_looks_like: Option<String>,
}

/// A new self-assessment: the day it was made (not in the future) and at least one scored
/// characteristic, each at most once.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAssessmentRequest {
    pub assessed_on: NaiveDate,
    pub items: Vec<AssessmentItemInput>,
}

fn check(
    e: &mut Errors,
    req: &CreateAssessmentRequest,
    known: &HashMap<String, Characteristic>,
    assessment_id: &str,
    today: NaiveDate,
) -> Vec<AssessmentItem> {
    input::past_date(e, "assessed_on", req.assessed_on, today);
    if req.items.is_empty() {
        e.add("items", "score at least one characteristic");
    }
    if req.items.len() > MAX_ITEMS {
        e.add("items", format!("at most {MAX_ITEMS}"));
        return Vec::new();
    }
    let mut seen = BTreeSet::new();
    let mut items = Vec::new();
    for (i, x) in req.items.iter().enumerate() {
        let code = x.code.trim().to_ascii_uppercase();
        let field = |f: &str| format!("items[{i}].{f}");
        if !known.contains_key(&code) {
            e.add(
                field("code"),
                "is not a characteristic of the framework (see GET /api/v1/framework-characteristics)",
            );
        } else if !seen.insert(code.clone()) {
            e.add(field("code"), "is listed twice");
        }
        if !(0..=MAX_SCORE).contains(&x.score) {
            e.add(field("score"), format!("must be 0 to {MAX_SCORE}"));
        }
        let mut text = |name: &str, raw: &Option<String>| {
            input::optional_text(e, &field(name), raw.as_deref(), MAX_TEXT)
        };
        items.push(AssessmentItem {
            assessment_id: assessment_id.to_string(),
            current_position: text("current_position", &x.current_position),
            planned_action: text("planned_action", &x.planned_action),
            good_looks_like: text("good_looks_like", &x.good_looks_like),
            code,
            score: x.score,
        });
    }
    items
}

fn views(c: &mut DbConnection, found: Vec<Assessment>) -> AppResult<Vec<AssessmentView>> {
    let ids: Vec<String> = found.iter().map(|a| a.id.clone()).collect();
    let texts: HashMap<String, String> = rows::characteristics(c)?
        .into_iter()
        .map(|x| (x.code, x.text))
        .collect();
    let mut by_assessment: HashMap<String, Vec<AssessmentItemView>> = HashMap::new();
    for it in rows::items(c, &ids)? {
        by_assessment
            .entry(it.assessment_id)
            .or_default()
            .push(AssessmentItemView {
                text: texts.get(&it.code).cloned().unwrap_or_default(),
                code: it.code,
                score: it.score,
                current_position: it.current_position,
                planned_action: it.planned_action,
                good_looks_like: it.good_looks_like,
                evidence: None,
            });
    }
    let users: Vec<String> = found.iter().map(|a| a.created_by.clone()).collect();
    let names: HashMap<String, String> = user_names(c, &users)?.into_iter().collect();
    Ok(found
        .into_iter()
        .map(|a| AssessmentView {
            items: by_assessment.remove(&a.id).unwrap_or_default(),
            created_by: Named {
                name: names.get(&a.created_by).cloned().unwrap_or_default(),
                id: a.created_by,
            },
            created_at: a.created_at.and_utc(),
            id: a.id,
            assessed_on: a.assessed_on,
        })
        .collect())
}

fn one(c: &mut DbConnection, a: Assessment) -> AppResult<AssessmentView> {
    views(c, vec![a])?
        .pop()
        .ok_or_else(|| AppError::internal("assessment view went missing"))
}

/// Record a new self-assessment (parsed after the role check).
pub async fn create(state: &AppState, actor: &Actor, raw: Value) -> AppResult<AssessmentView> {
    actor.require(Permission::AssessFramework)?;
    let actor_for_evidence = actor.clone();
    let actor = actor.clone();
    let clock = state.clock.clone();
    let view = state
        .db
        .write(move |c| -> AppResult<AssessmentView> {
            let req: CreateAssessmentRequest = crate::json::from_value(raw)?;
            let known: HashMap<String, Characteristic> = rows::characteristics(c)?
                .into_iter()
                .map(|x| (x.code.clone(), x))
                .collect();
            let id = crate::db::ids::new_id();
            let mut e = Errors::default();
            let items = check(&mut e, &req, &known, &id, clock.today());
            if !e.is_empty() {
                return Err(AppError::Validation(e.0));
            }
            let a = Assessment {
                id,
                assessed_on: req.assessed_on,
                created_by: actor.user_id.clone(),
                created_at: clock.now(),
            };
            rows::insert(c, &a, &items)?;
            one(c, a)
        })
        .await?;
    tracing::info!(assessment.id = %view.id, "framework assessment recorded");
    let settings = state.settings.clone();
    let sup = super::reports::suppression_for(state, &actor_for_evidence);
    let today = state.clock.today();
    state
        .db
        .report(move |c| with_evidence(c, &settings, sup, view, today))
        .await
}

/// Evidence for the framework's characteristics over the twelve months ending `on` (default
/// today): what the board sees beside its scores, also before it records an assessment.
pub async fn evidence(
    state: &AppState,
    actor: &Actor,
    on: Option<NaiveDate>,
) -> AppResult<std::collections::BTreeMap<String, crate::reports::evidence::Evidence>> {
    actor.require(Permission::AssessFramework)?;
    let today = state.clock.today();
    let on = crate::reports::period::reportable("on", on.unwrap_or(today))?;
    if on > today {
        return Err(AppError::invalid("on", "must not be in the future"));
    }
    let settings = state.settings.clone();
    let sup = super::reports::suppression_for(state, actor);
    state
        .db
        .report(move |c| super::reports::framework_evidence(c, &settings, on, sup, today))
        .await
}

/// Assessments, newest first (at most `limit`, default 50, up to 200), and how many there are.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    limit: Option<i64>,
) -> AppResult<(Vec<AssessmentView>, i64)> {
    actor.require(Permission::AssessFramework)?;
    let limit = super::users::page_limit(limit)?;
    state
        .db
        .read(move |c| -> AppResult<(Vec<AssessmentView>, i64)> {
            let found = rows::list(c, limit)?;
            Ok((views(c, found)?, rows::count(c)?))
        })
        .await
}

pub async fn get(state: &AppState, actor: &Actor, id: String) -> AppResult<AssessmentView> {
    actor.require(Permission::AssessFramework)?;
    let settings = state.settings.clone();
    let sup = super::reports::suppression_for(state, actor);
    let today = state.clock.today();
    state
        .db
        .read(move |c| -> AppResult<AssessmentView> {
            let a = rows::find(c, &id)?.ok_or_else(not_found)?;
            let view = one(c, a)?;
            with_evidence(c, &settings, sup, view, today)
        })
        .await
}

/// An assessment named in a comparison.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AssessmentRef {
    pub id: String,
    pub assessed_on: NaiveDate,
}

/// One characteristic in both assessments.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ComparedItem {
    pub code: String,
    pub text: String,
    /// `null` when the earlier assessment did not score it.
    pub from_score: Option<i32>,
    /// `null` when the later assessment did not score it.
    pub to_score: Option<i32>,
    /// `to_score − from_score`, when both scored it.
    pub change: Option<i32>,
}

/// Two assessments side by side: every characteristic either scored, in the framework's order.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Comparison {
    pub from: AssessmentRef,
    pub to: AssessmentRef,
    pub items: Vec<ComparedItem>,
    /// Characteristics scored in both whose score rose, fell or stayed.
    pub improved: usize,
    pub worsened: usize,
    pub unchanged: usize,
}

/// Compare assessment `from` with `to`; with neither given, the latest two (older → newer).
pub async fn compare(
    state: &AppState,
    actor: &Actor,
    from: Option<String>,
    to: Option<String>,
) -> AppResult<Comparison> {
    actor.require(Permission::AssessFramework)?;
    state
        .db
        .read(move |c| -> AppResult<Comparison> {
            let (a, b) = match (from, to) {
                (Some(f), Some(t)) => {
                    let a = rows::find(c, &f)?
                        .ok_or_else(|| AppError::invalid("from", "no assessment has this id"))?;
                    let b = rows::find(c, &t)?
                        .ok_or_else(|| AppError::invalid("to", "no assessment has this id"))?;
                    (a, b)
                }
                (None, None) => {
                    let mut latest = rows::list(c, 2)?;
                    match (latest.pop(), latest.pop()) {
                        (Some(older), Some(newer)) => (older, newer),
                        _ => {
                            return Err(AppError::conflict(
                                "A comparison needs two assessments; record another first.",
                            ));
                        }
                    }
                }
                (Some(_), None) => return Err(AppError::invalid("to", "is required with from")),
                (None, Some(_)) => return Err(AppError::invalid("from", "is required with to")),
            };
            let order = rows::characteristics(c)?;
            let scores = |c: &mut DbConnection, id: &str| -> AppResult<HashMap<String, i32>> {
                Ok(rows::items(c, &[id.to_string()])?
                    .into_iter()
                    .map(|i| (i.code, i.score))
                    .collect())
            };
            let before = scores(c, &a.id)?;
            let after = scores(c, &b.id)?;
            Ok(compared(&order, &before, &after, a, b))
        })
        .await
}

fn compared(
    order: &[Characteristic],
    before: &HashMap<String, i32>,
    after: &HashMap<String, i32>,
    a: Assessment,
    b: Assessment,
) -> Comparison {
    let items: Vec<ComparedItem> = order
        .iter()
        .filter(|x| before.contains_key(&x.code) || after.contains_key(&x.code))
        .map(|x| {
            let (f, t) = (before.get(&x.code).copied(), after.get(&x.code).copied());
            ComparedItem {
                code: x.code.clone(),
                text: x.text.clone(),
                from_score: f,
                to_score: t,
                change: f.zip(t).map(|(f, t)| t - f),
            }
        })
        .collect();
    let count = |p: fn(i32) -> bool| items.iter().filter(|i| i.change.is_some_and(p)).count();
    Comparison {
        improved: count(|d| d > 0),
        worsened: count(|d| d < 0),
        unchanged: count(|d| d == 0),
        items,
        from: AssessmentRef {
            id: a.id,
            assessed_on: a.assessed_on,
        },
        to: AssessmentRef {
            id: b.id,
            assessed_on: b.assessed_on,
        },
    }
}

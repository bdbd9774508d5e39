//! Ombudsman referrals: the complainant went to the Parliamentary and Health Service Ombudsman
//! (date, PHSO reference), the PHSO's decision, its recommendations and the days they were met.
//! One referral per complaint; each change is one transaction with its timeline event (a `PUT`
//! is a versioned command, [`ReferralTarget`]), and the annual report counts referrals by date
//! ([`referral_counts`]).

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::Actor;
use super::access::{load_visible, lock_visible, logged_read};
use super::case_input::{self as input, Errors};
use super::command::{self, Ctx, Request, Step, Target, Update, fields_of};
use crate::db::ombudsman::{self as rows, Recommendation, Referral, ReferralFields};
use crate::db::{Db, DbConnection, timeline};
use crate::domain::case::Case;
use crate::domain::case::CaseKind;
use crate::domain::ombudsman::PhsoDecision;
use crate::domain::role::Permission;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

const MAX_REFERENCE: usize = 100;
const MAX_RECOMMENDATIONS: usize = 50;

fn no_referral() -> AppError {
    AppError::NotFound(
        "No ombudsman referral is recorded on this case; record one with POST.".into(),
    )
}

/// One PHSO recommendation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecommendationView {
    pub id: String,
    pub recommendation: String,
    pub due_on: Option<NaiveDate>,
    /// `null` until met.
    pub met_on: Option<NaiveDate>,
}

/// A referral in full.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OmbudsmanView {
    pub id: String,
    pub case_id: String,
    pub referred_on: NaiveDate,
    pub phso_reference: Option<String>,
    pub decision: Option<PhsoDecision>,
    pub decision_on: Option<NaiveDate>,
    pub decision_summary: Option<String>,
    pub recommendations: Vec<RecommendationView>,
    /// Recommendations not yet met.
    pub recommendations_open: usize,
    pub version: i32,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The referral as the case shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OmbudsmanSummary {
    pub referred_on: NaiveDate,
    pub decision: Option<PhsoDecision>,
    pub decision_on: Option<NaiveDate>,
}

pub fn summary(c: &mut DbConnection, case_id: &str) -> AppResult<Option<OmbudsmanSummary>> {
    Ok(rows::for_case(c, case_id)?.map(|r| OmbudsmanSummary {
        referred_on: r.referred_on,
        decision: r.decision.as_deref().and_then(|d| d.parse().ok()),
        decision_on: r.decision_on,
    }))
}

fn view(c: &mut DbConnection, r: Referral) -> AppResult<OmbudsmanView> {
    let recommendations: Vec<RecommendationView> = rows::recommendations(c, &r.id)?
        .into_iter()
        .map(|x| RecommendationView {
            id: x.id,
            recommendation: x.recommendation,
            due_on: x.due_on,
            met_on: x.met_on,
        })
        .collect();
    Ok(OmbudsmanView {
        recommendations_open: recommendations
            .iter()
            .filter(|x| x.met_on.is_none())
            .count(),
        recommendations,
        decision: r.decision.as_deref().and_then(|d| d.parse().ok()),
        id: r.id,
        case_id: r.case_id,
        referred_on: r.referred_on,
        phso_reference: r.phso_reference,
        decision_on: r.decision_on,
        decision_summary: r.decision_summary,
        version: r.version,
        created_by: r.created_by,
        created_at: r.created_at.and_utc(),
        updated_at: r.updated_at.and_utc(),
    })
}

/// One recommendation as sent.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecommendationInput {
    pub recommendation: String,
    pub due_on: Option<NaiveDate>,
    /// The day it was met.
    pub met_on: Option<NaiveDate>,
}

/// A referral and, once known, the PHSO's decision. `PUT` replaces every field.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OmbudsmanRequest {
    /// Needed to change a referral (or `If-Match`); ignored when recording a new one.
    pub version: Option<i32>,
    /// The day the complainant referred the complaint to the PHSO.
    pub referred_on: NaiveDate,
    pub phso_reference: Option<String>,
    pub decision: Option<PhsoDecision>,
    /// Required with a decision.
    pub decision_on: Option<NaiveDate>,
    pub decision_summary: Option<String>,
    /// Only with an upheld or partly upheld decision.
    #[serde(default)]
    pub recommendations: Vec<RecommendationInput>,
}

struct Checked {
    fields: ReferralFields,
    recommendations: Vec<(String, Option<NaiveDate>, Option<NaiveDate>)>,
}

fn check(e: &mut Errors, req: &OmbudsmanRequest, case: &Case, today: NaiveDate) -> Checked {
    input::past_date(e, "referred_on", req.referred_on, today);
    if req.referred_on < case.received_on {
        e.add("referred_on", "is before the complaint was received");
    }
    let phso_reference = input::optional_text(
        e,
        "phso_reference",
        req.phso_reference.as_deref(),
        MAX_REFERENCE,
    );
    match (req.decision, req.decision_on) {
        (Some(_), None) => e.add("decision_on", "is required with a decision"),
        (None, Some(_)) => e.add("decision", "is required with decision_on"),
        (Some(_), Some(on)) => {
            input::past_date(e, "decision_on", on, today);
            if on < req.referred_on {
                e.add("decision_on", "is before the referral");
            }
        }
        (None, None) => {}
    }
    let decision_summary = input::optional_text(
        e,
        "decision_summary",
        req.decision_summary.as_deref(),
        input::MAX_TEXT,
    );
    if !req.recommendations.is_empty() && !req.decision.is_some_and(PhsoDecision::may_recommend) {
        e.add(
            "recommendations",
            "only an upheld or partly upheld decision comes with recommendations",
        );
    }
    if req.recommendations.len() > MAX_RECOMMENDATIONS {
        e.add("recommendations", format!("at most {MAX_RECOMMENDATIONS}"));
    }
    let mut recommendations = Vec::new();
    for (i, x) in req.recommendations.iter().enumerate() {
        let text = input::text(
            e,
            &format!("recommendations[{i}].recommendation"),
            &x.recommendation,
            input::MAX_TEXT,
            true,
        );
        if let Some(met) = x.met_on {
            let field = format!("recommendations[{i}].met_on");
            input::past_date(e, &field, met, today);
            if req.decision_on.is_some_and(|d| met < d) {
                e.add(field, "is before the decision");
            }
        }
        if let (Some(due), Some(on)) = (x.due_on, req.decision_on)
            && due < on
        {
            e.add(
                format!("recommendations[{i}].due_on"),
                "is before the decision",
            );
        }
        recommendations.push((text, x.due_on, x.met_on));
    }
    Checked {
        fields: ReferralFields {
            referred_on: req.referred_on,
            phso_reference,
            decision: req.decision.map(|d| d.as_str().to_string()),
            decision_on: req.decision_on,
            decision_summary,
        },
        recommendations,
    }
}

fn recommendation_rows(
    referral_id: &str,
    items: Vec<(String, Option<NaiveDate>, Option<NaiveDate>)>,
) -> Vec<Recommendation> {
    items
        .into_iter()
        .enumerate()
        .map(|(i, (text, due_on, met_on))| Recommendation {
            id: crate::db::ids::new_id(),
            referral_id: referral_id.to_string(),
            position: i32::try_from(i).unwrap_or(i32::MAX),
            recommendation: text,
            due_on,
            met_on,
        })
        .collect()
}

fn describe(fields: &ReferralFields, met: usize, total: usize) -> String {
    match &fields.decision {
        None => "Referred to the Parliamentary and Health Service Ombudsman".into(),
        Some(d) => format!(
            "PHSO decision: {}{}",
            d.replace('_', " "),
            if total > 0 {
                format!("; {met} of {total} recommendations met")
            } else {
                String::new()
            }
        ),
    }
}

/// Record that the complainant went to the PHSO (parsed after the role check).
pub async fn create(
    state: &AppState,
    actor: &Actor,
    case_id: String,
    raw: Value,
) -> AppResult<OmbudsmanView> {
    actor.require(Permission::ManageOmbudsman)?;
    let actor = actor.clone();
    let (today, now) = (state.clock.today(), state.clock.now());
    let view = state
        .db
        .write(move |c| -> AppResult<OmbudsmanView> {
            let case = load_visible(c, &actor, &case_id)?;
            let req: OmbudsmanRequest = crate::json::from_value(raw)?;
            let mut e = Errors::default();
            let checked = check(&mut e, &req, &case, today);
            e.done()?;
            if case.kind != CaseKind::Complaint {
                return Err(AppError::conflict(
                    "Only a formal complaint can be referred to the Ombudsman; escalate the PALS \
                     concern first.",
                ));
            }
            crate::db::cases::touch(c, &case.id, now)?;
            if rows::for_case(c, &case.id)?.is_some() {
                return Err(AppError::conflict(
                    "An ombudsman referral is already recorded on this case; change it with PUT.",
                ));
            }
            let f = checked.fields;
            let r = Referral {
                id: crate::db::ids::new_id(),
                case_id: case.id.clone(),
                referred_on: f.referred_on,
                phso_reference: f.phso_reference.clone(),
                decision: f.decision.clone(),
                decision_on: f.decision_on,
                decision_summary: f.decision_summary.clone(),
                version: 1,
                created_by: actor.user_id.clone(),
                created_at: now,
                updated_at: now,
            };
            rows::insert(c, &r)?;
            let recs = recommendation_rows(&r.id, checked.recommendations);
            rows::replace_recommendations(c, &r.id, &recs)?;
            let met = recs.iter().filter(|x| x.met_on.is_some()).count();
            timeline::append(
                c,
                &case.id,
                Some(&actor.user_id),
                "ombudsman_referred",
                &describe(&f, met, recs.len()),
                &json!({
                    "referral_id": r.id,
                    "referred_on": r.referred_on,
                    "phso_reference": r.phso_reference,
                    "decision": r.decision,
                    "decision_on": r.decision_on,
                    "recommendations": recs,
                }),
                now,
            )?;
            view(c, r)
        })
        .await?;
    tracing::info!(referral.id = %view.id, "ombudsman referral recorded");
    Ok(view)
}

/// The case's referral. The read is recorded in the access log.
pub async fn get(
    state: &AppState,
    actor: &Actor,
    case_id: String,
    route: &str,
) -> AppResult<OmbudsmanView> {
    actor.require(Permission::ReadCaseRecords)?;
    logged_read(state, actor, route, move |c, actor, _| {
        let case = load_visible(c, actor, &case_id)?;
        let r = rows::for_case(c, &case.id)?.ok_or_else(no_referral)?;
        Ok((case.id, view(c, r)?))
    })
    .await
}

/// A case's referral with its recommendations: what `PUT …/ombudsman` acts on.
pub struct ReferralTarget {
    pub case: Case,
    pub referral: Referral,
    pub recommendations: Vec<Recommendation>,
}

/// What a `PUT` writes: every field and the whole list of recommendations.
pub struct Replacement {
    pub fields: ReferralFields,
    pub recommendations: Vec<Recommendation>,
}

impl Target for ReferralTarget {
    const WHAT: &'static str = "ombudsman referral";
    type Action = Update;
    type Changes = Replacement;
    type View = OmbudsmanView;

    fn precheck(actor: &Actor, _: Update) -> AppResult<()> {
        actor.require(Permission::ManageOmbudsman)
    }

    fn load(c: &mut DbConnection, actor: &Actor, key: &str, now: NaiveDateTime) -> AppResult<Self> {
        let case = lock_visible(c, actor, key, now)?;
        let referral = rows::for_case(c, &case.id)?.ok_or_else(no_referral)?;
        let recommendations = rows::recommendations(c, &referral.id)?;
        Ok(Self {
            case,
            referral,
            recommendations,
        })
    }

    fn version(&self) -> i32 {
        self.referral.version
    }

    /// The referral's fields, and of its recommendations the dates (their text stays off the
    /// hash-chained timeline).
    fn snapshot(&self, _: &mut DbConnection) -> AppResult<Value> {
        let mut fields = fields_of(&self.referral);
        fields["recommendations"] = json!(
            self.recommendations
                .iter()
                .map(|x| json!({"due_on": x.due_on, "met_on": x.met_on}))
                .collect::<Vec<_>>()
        );
        Ok(fields)
    }

    fn save(
        &self,
        c: &mut DbConnection,
        version: i32,
        changes: &Replacement,
        now: NaiveDateTime,
    ) -> AppResult<bool> {
        let id = &self.referral.id;
        if !rows::replace_versioned(c, id, version, &changes.fields, now)? {
            return Ok(false);
        }
        rows::replace_recommendations(c, id, &changes.recommendations)?;
        Ok(true)
    }

    fn reload(&self, c: &mut DbConnection) -> AppResult<Self> {
        let referral = rows::for_case(c, &self.case.id)?.ok_or_else(no_referral)?;
        Ok(Self {
            recommendations: rows::recommendations(c, &referral.id)?,
            referral,
            case: self.case.clone(),
        })
    }

    fn case(&self) -> Option<&Case> {
        Some(&self.case)
    }

    fn event_kind(_: Update) -> &'static str {
        "ombudsman_updated"
    }

    fn event_tags(&self) -> Option<(&'static str, String)> {
        Some(("referral_id", self.referral.id.clone()))
    }

    fn view(
        c: &mut DbConnection,
        _: &Ctx,
        after: Self,
        _: Replacement,
    ) -> AppResult<OmbudsmanView> {
        view(c, after.referral)
    }
}

/// Replace the referral's fields and recommendations (versioned; parsed after the role check).
pub async fn replace(
    state: &AppState,
    actor: &Actor,
    case_id: String,
    if_match: Option<i32>,
    raw: Value,
) -> AppResult<OmbudsmanView> {
    let parse = |raw| -> AppResult<_> {
        let req: OmbudsmanRequest = crate::json::from_value(raw)?;
        let version = req.version;
        let step = move |_: &mut DbConnection, ctx: &Ctx, t: &ReferralTarget| {
            let mut e = Errors::default();
            let checked = check(&mut e, &req, &t.case, ctx.today);
            e.done()?;
            let recommendations = recommendation_rows(&t.referral.id, checked.recommendations);
            let met = recommendations
                .iter()
                .filter(|x| x.met_on.is_some())
                .count();
            Ok(Step {
                summary: describe(&checked.fields, met, recommendations.len()),
                changes: Replacement {
                    fields: checked.fields,
                    recommendations,
                },
                details: json!({}),
            })
        };
        Ok((version, step))
    };
    let request = Request {
        key: case_id,
        action: Update,
        if_match,
        body: raw,
    };
    command::run::<ReferralTarget, _, _>(state, actor, request, parse).await
}

/// Referrals by the day they were made, for the annual report (reg 18: the number referred).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct ReferralCounts {
    /// Referrals made in the period.
    pub referred: i64,
    /// Of those, how the PHSO decided (so far).
    pub not_investigated: i64,
    pub upheld: i64,
    pub partly_upheld: i64,
    pub not_upheld: i64,
    pub awaiting_decision: i64,
}

/// Count referrals made between `from` and `to` inclusive.
pub async fn referral_counts(db: &Db, from: NaiveDate, to: NaiveDate) -> AppResult<ReferralCounts> {
    if to < from {
        return Err(AppError::invalid("to", "is before from"));
    }
    let decisions = db
        .report(move |c| rows::referred_between(c, from, to).map_err(AppError::from))
        .await?;
    let mut n = ReferralCounts::default();
    for d in decisions {
        n.referred += 1;
        match d.as_deref().and_then(|d| d.parse().ok()) {
            Some(PhsoDecision::NotInvestigated) => n.not_investigated += 1,
            Some(PhsoDecision::Upheld) => n.upheld += 1,
            Some(PhsoDecision::PartlyUpheld) => n.partly_upheld += 1,
            Some(PhsoDecision::NotUpheld) => n.not_upheld += 1,
            None => n.awaiting_decision += 1,
        }
    }
    Ok(n)
}

//! The handling-feedback survey's results (characteristic 10D) for a period: by statement,
//! by stage and overall, with the board's view of them (small numbers hidden).

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

use super::suppress::Suppression;
use crate::db::DbConnection;
use crate::db::feedback as rows;
use crate::domain::feedback::{self as rules, Figures, Satisfaction, Tally};
use crate::error::AppResult;

/// Results for one statement.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuestionResult {
    pub code: String,
    pub stage: String,
    pub text: String,
    /// Still asked (retired statements keep their old answers).
    pub active: bool,
    /// The shipped wording awaits checking against *My Expectations* Appendix A.
    pub needs_verification: bool,
    #[serde(flatten)]
    pub figures: Figures,
}

/// Results for one stage: every answer to its statements together.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StageResult {
    pub code: String,
    pub title: String,
    #[serde(flatten)]
    pub figures: Figures,
}

/// A complainant's free-text comment (complaints managers and admins only).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommentView {
    pub responded_at: chrono::DateTime<chrono::Utc>,
    pub text: String,
}

/// The survey's results for invitations created between two dates.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FeedbackSummary {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// `null` when suppressed for the board role (1 to 4), as is every count below.
    pub invitations_sent: Option<i64>,
    pub responses: Option<i64>,
    /// Per cent of invitations answered, to one decimal place.
    pub response_rate: Option<f64>,
    /// The overall rating of how the complaint was handled.
    pub overall_satisfaction: Satisfaction,
    /// Every answer to a stage's statements together, in stage order.
    pub stages: Vec<StageResult>,
    /// Each statement, in stage order.
    pub questions: Vec<QuestionResult>,
    /// Free text: left out for the board role.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comments: Option<Vec<CommentView>>,
}

/// The summary as `s` lets the reader see it: counts from 1 to the threshold hidden (`null`),
/// and the mean and percentages built on a hidden count hidden with it.
pub fn suppressed(f: FeedbackSummary, s: Suppression) -> FeedbackSummary {
    if !s.applies() {
        return f;
    }
    let n = |v: Option<i64>| v.and_then(|v| s.n(v));
    let figures = |g: Figures| {
        let count = n(g.count);
        let shown = |v: Option<f64>| v.filter(|_| count.is_some());
        Figures {
            count,
            not_applicable: n(g.not_applicable),
            mean: shown(g.mean),
            percent_agree: shown(g.percent_agree),
            percent_disagree: shown(g.percent_disagree),
        }
    };
    let o = f.overall_satisfaction;
    let rated = n(o.count);
    let shown = |v: Option<f64>| v.filter(|_| rated.is_some());
    FeedbackSummary {
        invitations_sent: n(f.invitations_sent),
        responses: n(f.responses),
        response_rate: s.pct(f.responses.unwrap_or(0), f.invitations_sent.unwrap_or(0)),
        overall_satisfaction: Satisfaction {
            count: rated,
            mean: shown(o.mean),
            percent_satisfied: shown(o.percent_satisfied),
            percent_dissatisfied: shown(o.percent_dissatisfied),
        },
        stages: f
            .stages
            .into_iter()
            .map(|st| StageResult {
                figures: figures(st.figures),
                ..st
            })
            .collect(),
        questions: f
            .questions
            .into_iter()
            .map(|q| QuestionResult {
                figures: figures(q.figures),
                ..q
            })
            .collect(),
        ..f
    }
}

/// The survey results for invitations created from `from` to `to`, inside a read transaction
/// (also used by the board report).
pub fn compute_summary(
    c: &mut DbConnection,
    from: NaiveDate,
    to: NaiveDate,
    with_comments: bool,
) -> AppResult<FeedbackSummary> {
    let start = from.and_time(chrono::NaiveTime::MIN);
    let end = (to + Duration::days(1)).and_time(chrono::NaiveTime::MIN);
    let (sent, responses) = rows::counts(c, start, end)?;
    let mut overall = Tally::default();
    for s in rows::overall_scores(c, start, end)? {
        overall.add(s);
    }
    let questions = rows::questions(c)?;
    let mut by_question: BTreeMap<String, Tally> = BTreeMap::new();
    for (code, score) in rows::answers(c, start, end)? {
        by_question.entry(code).or_default().add(score);
    }
    let mut by_stage: BTreeMap<String, Tally> = BTreeMap::new();
    for q in &questions {
        if let Some(t) = by_question.get(&q.code) {
            let stage = by_stage.entry(q.stage.clone()).or_default();
            stage.scored += t.scored;
            stage.not_applicable += t.not_applicable;
            stage.sum += t.sum;
            stage.high += t.high;
            stage.low += t.low;
        }
    }
    let stages = rows::stages(c)?
        .into_iter()
        .map(|s| StageResult {
            figures: by_stage.get(&s.code).copied().unwrap_or_default().figures(),
            code: s.code,
            title: s.title,
        })
        .collect();
    let questions = questions
        .into_iter()
        .filter(|q| q.active || by_question.contains_key(&q.code))
        .map(|q| QuestionResult {
            figures: by_question
                .get(&q.code)
                .copied()
                .unwrap_or_default()
                .figures(),
            code: q.code,
            stage: q.stage,
            text: q.text,
            active: q.active,
            needs_verification: q.needs_verification,
        })
        .collect();
    let comments = if with_comments {
        Some(
            rows::comments(c, start, end)?
                .into_iter()
                .map(|(at, text)| CommentView {
                    responded_at: at.and_utc(),
                    text,
                })
                .collect(),
        )
    } else {
        None
    };
    Ok(FeedbackSummary {
        from,
        to,
        invitations_sent: Some(sent),
        responses: Some(responses),
        response_rate: rules::ratio(responses, sent, 100.0),
        overall_satisfaction: overall.satisfaction(),
        stages,
        questions,
        comments,
    })
}

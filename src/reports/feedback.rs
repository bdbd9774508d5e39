//! The handling-feedback survey's results (characteristic 10D) for a period: by statement,
//! by stage and overall, with the board's view of them (small numbers hidden).

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

use super::complement::{CellId, Grid, count_of};
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

/// The cells of one set of answers: scored, "does not apply", and those agreeing and
/// disagreeing (seen through their percentages), with the neutral ones unseen.
struct Answers {
    count: CellId,
    not_applicable: CellId,
    high: CellId,
    low: CellId,
}

fn answers(g: &mut Grid, f: &Figures) -> Answers {
    let n = f.count.unwrap_or(0);
    let (high, low) = (
        count_of(f.percent_agree, f.count),
        count_of(f.percent_disagree, f.count),
    );
    let a = Answers {
        count: g.shown(n),
        not_applicable: g.shown(f.not_applicable.unwrap_or(0)),
        high: g.shown(high),
        low: g.shown(low),
    };
    if n >= high + low {
        let neutral = g.unseen(n - high - low);
        g.sum(a.count, &[a.high, a.low, neutral]);
    }
    a
}

fn shown_answers(g: &Grid, a: &Answers, f: Figures) -> Figures {
    let count = g.get(a.count);
    Figures {
        count,
        not_applicable: g.get(a.not_applicable),
        mean: f.mean.filter(|_| count.is_some()),
        percent_agree: g.pct(a.high, a.count).and(f.percent_agree),
        percent_disagree: g.pct(a.low, a.count).and(f.percent_disagree),
    }
}

/// A stage's answers are its statements' answers added up.
fn bind_stages(g: &mut Grid, f: &FeedbackSummary, stages: &[Answers], questions: &[Answers]) {
    for (st, cells) in f.stages.iter().zip(stages) {
        let of_stage: Vec<&Answers> = f
            .questions
            .iter()
            .zip(questions)
            .filter(|(q, _)| q.stage == st.code)
            .map(|(_, a)| a)
            .collect();
        let picks: [fn(&Answers) -> CellId; 4] =
            [|a| a.count, |a| a.not_applicable, |a| a.high, |a| a.low];
        for pick in picks {
            let parts: Vec<CellId> = of_stage.iter().map(|a| pick(a)).collect();
            g.sum_if_exact(pick(cells), &parts);
        }
    }
}

/// The summary as `s` lets the reader see it: counts from 1 to the threshold hidden (`null`),
/// with enough others that none can be worked out (a stage is its statements added up; a
/// percentage with its count gives the answers agreeing), and the mean and percentages built
/// on a hidden count hidden with it.
pub fn suppressed(f: FeedbackSummary, s: Suppression) -> FeedbackSummary {
    if !s.applies() {
        return f;
    }
    let mut g = Grid::new();
    let (sent, responses) = (f.invitations_sent.unwrap_or(0), f.responses.unwrap_or(0));
    let (sent_cell, responses_cell) = (g.shown(sent), g.shown(responses));
    if sent >= responses {
        let unanswered = g.unseen(sent - responses);
        g.sum(sent_cell, &[responses_cell, unanswered]);
    }
    let o = f.overall_satisfaction;
    let overall = answers(
        &mut g,
        &Figures {
            count: o.count,
            not_applicable: Some(0),
            mean: o.mean,
            percent_agree: o.percent_satisfied,
            percent_disagree: o.percent_dissatisfied,
        },
    );
    let stages: Vec<Answers> = f
        .stages
        .iter()
        .map(|st| answers(&mut g, &st.figures))
        .collect();
    let questions: Vec<Answers> = f
        .questions
        .iter()
        .map(|q| answers(&mut g, &q.figures))
        .collect();
    bind_stages(&mut g, &f, &stages, &questions);
    g.protect(s);
    let rated = g.get(overall.count);
    FeedbackSummary {
        invitations_sent: g.get(sent_cell),
        responses: g.get(responses_cell),
        response_rate: g.pct(responses_cell, sent_cell),
        overall_satisfaction: Satisfaction {
            count: rated,
            mean: o.mean.filter(|_| rated.is_some()),
            percent_satisfied: g.pct(overall.high, overall.count).and(o.percent_satisfied),
            percent_dissatisfied: g
                .pct(overall.low, overall.count)
                .and(o.percent_dissatisfied),
        },
        stages: f
            .stages
            .into_iter()
            .zip(&stages)
            .map(|(st, a)| StageResult {
                figures: shown_answers(&g, a, st.figures),
                ..st
            })
            .collect(),
        questions: f
            .questions
            .into_iter()
            .zip(&questions)
            .map(|(q, a)| QuestionResult {
                figures: shown_answers(&g, a, q.figures),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn figures(count: i64, agree: f64, disagree: f64) -> Figures {
        Figures {
            count: Some(count),
            not_applicable: Some(0),
            mean: Some(3.0),
            percent_agree: Some(agree),
            percent_disagree: Some(disagree),
        }
    }

    fn summary(question: Figures) -> FeedbackSummary {
        let day = NaiveDate::from_ymd_opt(2026, 4, 1).unwrap();
        FeedbackSummary {
            from: day,
            to: day,
            invitations_sent: Some(40),
            responses: Some(10),
            response_rate: Some(25.0),
            overall_satisfaction: Satisfaction {
                count: Some(10),
                mean: Some(3.5),
                percent_satisfied: Some(60.0),
                percent_dissatisfied: Some(20.0),
            },
            stages: vec![StageResult {
                code: "s1".into(),
                title: "Stage".into(),
                figures: question,
            }],
            questions: vec![QuestionResult {
                code: "q1".into(),
                stage: "s1".into(),
                text: "Statement".into(),
                active: true,
                needs_verification: false,
                figures: question,
            }],
            comments: None,
        }
    }

    #[test]
    fn a_percentage_that_with_its_count_gives_a_small_number_is_hidden() {
        let board = Suppression { threshold: 5 };
        // 30 % of 10 answers is 3 agreeing; 50 % is 5, and 20 % disagreeing is 2.
        let f = suppressed(summary(figures(10, 30.0, 50.0)), board);
        let q = f.questions[0].figures;
        assert_eq!(q.percent_agree, None);
        // 5 disagreeing may show: the neutral answers are not shown, so 10 − 5 leaves the
        // 3 agreeing and the 2 neutral together.
        assert_eq!((q.count, q.percent_disagree), (Some(10), Some(50.0)));
        let st = f.stages[0].figures;
        assert_eq!(st.percent_agree, None, "the stage is the same answers");
        // Overall: 60 % of 10 is 6 satisfied, 20 % is 2 dissatisfied, so 2 neutral.
        assert_eq!(f.overall_satisfaction.percent_dissatisfied, None);
        // The 30 not answering are shown, as are both counts.
        assert_eq!((f.invitations_sent, f.responses), (Some(40), Some(10)));
        let kept = suppressed(summary(figures(10, 50.0, 50.0)), board);
        assert_eq!(kept.questions[0].figures.percent_agree, Some(50.0));
        let raw = suppressed(summary(figures(10, 30.0, 50.0)), Suppression::NONE);
        assert_eq!(raw.questions[0].figures.percent_agree, Some(30.0));
    }
}

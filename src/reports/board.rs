//! The board report (`GET /api/v1/reports/board`): volumes, outcomes, timeliness, meetings,
//! candour, ombudsman and themes for a period, with the previous period alongside.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveTime};
use serde::Serialize;
use utoipa::ToSchema;

use super::candour::{self, CandourCounts};
use super::feedback::{FeedbackSummary, compute_summary};
use super::period::Period;
use super::suppress::Suppression;
use crate::config::Settings;
use crate::db::report_queries::{self as q, Scope};
use crate::db::service_changes::{self as changes, ServiceChangeCounts};
use crate::db::{DbConnection, calendar, meetings, ombudsman, services as service_rows, taxonomy};
use crate::domain::calendar::WorkingCalendar;
use crate::domain::case::{CaseKind, Outcome};
use crate::domain::ombudsman::PhsoDecision;
use crate::error::AppResult;

/// Working-day bands for the age of open complaints.
const AGE_BANDS: [(&str, i64, i64); 5] = [
    ("0-25", 0, 25),
    ("26-40", 26, 40),
    ("41-60", 41, 60),
    ("61-130", 61, 130),
    ("over 130", 131, i64::MAX),
];

/// Figures for one period, before suppression.
#[derive(Debug, Clone, Default)]
pub struct Raw {
    pub pals_concerns: i64,
    pub complaints: i64,
    pub escalations: i64,
    pub reopened: i64,
    /// (subject code, aspects).
    pub subjects: BTreeMap<String, i64>,
    /// (clinical sub-category, aspects).
    pub subcategories: BTreeMap<String, i64>,
    pub services: BTreeMap<String, i64>,
    pub professions: BTreeMap<String, i64>,
    pub responded: i64,
    pub upheld: i64,
    pub partially_upheld: i64,
    pub not_upheld: i64,
    pub withdrawn: i64,
    pub acknowledged_on_time: i64,
    pub acknowledged_late: i64,
    pub awaiting_acknowledgement_overdue: i64,
    pub awaiting_acknowledgement: i64,
    /// Responses against a date agreed with the complainant, and of those by that date.
    pub responded_agreed: i64,
    pub responded_on_time: i64,
    /// Responses against a default or unilaterally extended date, and of those by it.
    pub responded_other: i64,
    pub responded_other_on_time: i64,
    pub median_working_days_to_response: Option<f64>,
    pub open_by_age: Vec<(&'static str, i64)>,
    pub six_month_due: i64,
    pub six_month_sent: i64,
    pub six_month_missed: i64,
    pub meetings: meetings::MeetingCounts,
    pub candour: CandourCounts,
    pub ombudsman_referred: i64,
    pub ombudsman_upheld: i64,
    pub ombudsman_partly_upheld: i64,
    pub ombudsman_not_upheld: i64,
    pub ombudsman_not_investigated: i64,
    /// Handling feedback (trust-wide; `None` for a report about some services).
    pub feedback: Option<FeedbackSummary>,
    pub service_changes: ServiceChangeCounts,
}

/// Compute the raw figures for `period` (as seen on `today`).
pub fn raw(
    c: &mut DbConnection,
    cal: &WorkingCalendar,
    settings: &Settings,
    scope: &Scope,
    period: Period,
    today: NaiveDate,
) -> AppResult<Raw> {
    let (from, to) = (period.from, period.to);
    let mut r = Raw {
        pals_concerns: q::received(c, CaseKind::PalsConcern, scope, from, to)?,
        escalations: q::escalated(c, scope, from, to)?,
        reopened: q::reopened(
            c,
            scope,
            from.and_time(NaiveTime::MIN),
            to.succ_opt().unwrap_or(to).and_time(NaiveTime::MIN),
        )?,
        withdrawn: q::withdrawn(c, scope, from, to)?,
        ..Raw::default()
    };
    coding(c, &mut r, scope, from, to)?;
    timeliness(c, cal, &mut r, scope, period, today)?;
    r.open_by_age = open_by_age(c, cal, scope, to.min(today))?;
    six_month_letters(c, &mut r, scope, period, today)?;
    r.meetings = meetings::counts_in(c, scope.service_ids.as_deref(), from, to)?;
    r.candour = candour::period_counts(
        c,
        cal,
        &settings.candour,
        scope.service_ids.as_deref(),
        from,
        to,
        today,
    )?;
    ombudsman_decisions(c, &mut r, scope, period)?;
    if scope.service_ids.is_none() {
        r.feedback = Some(compute_summary(c, from, to, false)?);
    }
    r.service_changes = changes::board_counts(c, scope.service_ids.as_deref(), from, to, today)?;
    Ok(r)
}

/// Cases received in the period by subject, subcategory, service and profession.
fn coding(
    c: &mut DbConnection,
    r: &mut Raw,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<()> {
    for (code, sub, n) in q::subjects(c, scope, from, to)? {
        *r.subjects.entry(code).or_default() += n;
        if let Some(sub) = sub {
            *r.subcategories.entry(sub).or_default() += n;
        }
    }
    r.services = q::services(c, scope, from, to)?.into_iter().collect();
    r.professions = q::professions(c, scope, from, to)?.into_iter().collect();
    Ok(())
}

/// Outcomes of the responses, acknowledgements within 3 working days and responses by the date
/// in force.
fn timeliness(
    c: &mut DbConnection,
    cal: &WorkingCalendar,
    r: &mut Raw,
    scope: &Scope,
    period: Period,
    today: NaiveDate,
) -> AppResult<()> {
    let (from, to) = (period.from, period.to);
    let d = decided(c, scope, period)?;
    r.upheld += d.upheld;
    r.partially_upheld += d.partially_upheld;
    r.not_upheld += d.not_upheld;
    r.responded += d.upheld + d.partially_upheld + d.not_upheld;
    // Every complaint received in the period is in exactly one acknowledgement group.
    for (due, acknowledged, n) in q::acknowledgements(c, scope, from, to)? {
        r.complaints += n;
        match (due, acknowledged) {
            (Some(due), Some(on)) if on <= due => r.acknowledged_on_time += n,
            (_, Some(_)) => r.acknowledged_late += n,
            (Some(due), None) if due < today => r.awaiting_acknowledgement_overdue += n,
            (_, None) => r.awaiting_acknowledgement += n,
        }
    }
    let mut days: Vec<(i64, i64)> = Vec::new();
    for (received, responded, due, agreed, n) in q::responses(c, scope, from, to)? {
        let Some(responded) = responded else { continue };
        let on_time = due.is_some_and(|d| responded <= d);
        // Only a date agreed with the complainant counts as "agreed" (reg 14, domain §7).
        if agreed == Some(true) {
            r.responded_agreed += n;
            r.responded_on_time += i64::from(on_time) * n;
        } else {
            r.responded_other += n;
            r.responded_other_on_time += i64::from(on_time) * n;
        }
        days.push((cal.working_days_between(received, responded), n));
    }
    r.median_working_days_to_response = median(&mut days);
    Ok(())
}

/// Cases open at `on`, by working days since receipt.
fn open_by_age(
    c: &mut DbConnection,
    cal: &WorkingCalendar,
    scope: &Scope,
    on: NaiveDate,
) -> AppResult<Vec<(&'static str, i64)>> {
    let mut bands = [0i64; AGE_BANDS.len()];
    for (received, n) in q::open_on(c, scope, on)? {
        let age = cal.working_days_between(received, on);
        if let Some(i) = AGE_BANDS
            .iter()
            .position(|(_, lo, hi)| age >= *lo && age <= *hi)
        {
            bands[i] += n;
        }
    }
    Ok(AGE_BANDS
        .iter()
        .zip(bands)
        .map(|((label, _, _), n)| (*label, n))
        .collect())
}

/// The complaints decided in the period by outcome, as counted.
fn decided(
    c: &mut DbConnection,
    scope: &Scope,
    period: Period,
) -> AppResult<super::well_founded::Decided> {
    let mut d = super::well_founded::Decided::default();
    for (outcome, n) in q::outcomes(c, scope, period.from, period.to)? {
        match outcome.as_deref().and_then(|o| o.parse().ok()) {
            Some(Outcome::Upheld) => d.upheld += n,
            Some(Outcome::PartiallyUpheld) => d.partially_upheld += n,
            _ => d.not_upheld += n,
        }
    }
    Ok(d)
}

/// Six-month letters owed in the period (reg 14(4)): complaints still open and unanswered at
/// the end of their six months. Those answered, withdrawn, or closed (declined as out of time)
/// by then owed none, and one never acknowledged by then is counted as an overdue
/// acknowledgement instead (the letter cannot be sent before it). Of those owed: sent in
/// time, or missed.
fn six_month_letters(
    c: &mut DbConnection,
    r: &mut Raw,
    scope: &Scope,
    period: Period,
    today: NaiveDate,
) -> AppResult<()> {
    let (from, to) = (period.from, period.to);
    for (due, sent, responded, withdrawn, closed, acknowledged, n) in
        q::six_month_letters(c, scope, from, to)?
    {
        let Some(due) = due else { continue };
        if acknowledged.is_none_or(|a| a > due) {
            continue;
        }
        if [responded, withdrawn, closed]
            .into_iter()
            .flatten()
            .any(|d| d <= due)
        {
            continue;
        }
        r.six_month_due += n;
        match sent {
            Some(s) if s <= due => r.six_month_sent += n,
            _ if due < today => r.six_month_missed += n,
            _ => {}
        }
    }
    Ok(())
}

/// Referrals to the Ombudsman in the period, by its decision.
fn ombudsman_decisions(
    c: &mut DbConnection,
    r: &mut Raw,
    scope: &Scope,
    period: Period,
) -> AppResult<()> {
    let (from, to) = (period.from, period.to);
    for decision in ombudsman::referred_between_in(c, scope.service_ids.as_deref(), from, to)? {
        r.ombudsman_referred += 1;
        match decision.as_deref().and_then(|d| d.parse().ok()) {
            Some(PhsoDecision::Upheld) => r.ombudsman_upheld += 1,
            Some(PhsoDecision::PartlyUpheld) => r.ombudsman_partly_upheld += 1,
            Some(PhsoDecision::NotUpheld) => r.ombudsman_not_upheld += 1,
            Some(PhsoDecision::NotInvestigated) => r.ombudsman_not_investigated += 1,
            None => {}
        }
    }
    Ok(())
}

/// The median of values given with their counts.
fn median(values: &mut [(i64, i64)]) -> Option<f64> {
    let total: i64 = values.iter().map(|(_, n)| n).sum();
    if total == 0 {
        return None;
    }
    values.sort_unstable();
    let at = |k: i64| {
        let mut seen = 0;
        for (v, n) in values.iter() {
            seen += n;
            if seen > k {
                return *v;
            }
        }
        values.last().map_or(0, |(v, _)| *v)
    };
    let mid = total / 2;
    Some(if total % 2 == 1 {
        at(mid) as f64
    } else {
        (at(mid - 1) + at(mid)) as f64 / 2.0
    })
}

/// One coded count as shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Coded {
    pub code: String,
    pub label: String,
    /// `null` when suppressed.
    pub count: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Volumes {
    pub pals_concerns: Option<i64>,
    pub complaints: Option<i64>,
    pub escalations: Option<i64>,
    pub reopened: Option<i64>,
    /// Aspects: a complaint about several subjects counts once per subject.
    pub by_subject: Vec<Coded>,
    pub by_clinical_subcategory: Vec<Coded>,
    pub by_service: Vec<Coded>,
    pub by_profession: Vec<Coded>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Outcomes {
    /// Final responses sent in the period.
    pub responded: Option<i64>,
    pub upheld: Option<i64>,
    pub partially_upheld: Option<i64>,
    pub not_upheld: Option<i64>,
    /// Upheld + partially upheld (reg 18(2)(b) "decided well-founded"), shown whenever it may
    /// be though a part is hidden.
    pub well_founded: Option<i64>,
    /// (upheld + partially upheld) / responded, %.
    pub well_founded_pct: Option<f64>,
    pub withdrawn: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgeBand {
    /// Working days open.
    pub band: String,
    pub count: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Timeliness {
    pub acknowledged_on_time: Option<i64>,
    pub acknowledged_late: Option<i64>,
    pub awaiting_acknowledgement_overdue: Option<i64>,
    /// Of complaints received in the period and due for acknowledgement, % acknowledged
    /// within 3 working days.
    pub acknowledged_on_time_pct: Option<f64>,
    /// Responses against a date agreed with the complainant (at acknowledgement, or an
    /// extension agreed before the date passed).
    pub responded_with_agreed_date: Option<i64>,
    /// Of those, sent by the agreed date.
    pub responded_by_agreed_date: Option<i64>,
    pub responded_by_agreed_date_pct: Option<f64>,
    /// Responses against a date the trust set (the default for the risk grade, or an
    /// extension the complainant did not agree), reported beside the agreed ones.
    pub responded_with_other_date: Option<i64>,
    pub responded_by_other_date: Option<i64>,
    pub median_working_days_to_response: Option<f64>,
    /// Complaints open at the end of the period (or today), by working days open.
    pub open_by_age: Vec<AgeBand>,
    pub six_month_letters_due: Option<i64>,
    pub six_month_letters_sent: Option<i64>,
    pub six_month_letters_missed: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeetingFigures {
    pub offered: Option<i64>,
    pub accepted: Option<i64>,
    pub declined: Option<i64>,
    pub held: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CandourFigures {
    pub notifiable_incidents: Option<i64>,
    pub notified_on_time: Option<i64>,
    /// % of decided notifiable incidents notified within the period set in config.
    pub notified_on_time_pct: Option<f64>,
    pub notified_late: Option<i64>,
    pub exceptions: Option<i64>,
    pub outstanding: Option<i64>,
    pub harm_undecided: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OmbudsmanFigures {
    pub referred: Option<i64>,
    pub upheld: Option<i64>,
    pub partly_upheld: Option<i64>,
    pub not_upheld: Option<i64>,
    pub not_investigated: Option<i64>,
}

/// Handling feedback on one stage of *My Expectations*.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FeedbackStage {
    pub code: String,
    pub title: String,
    /// Scored answers to the stage's statements.
    pub answers: Option<i64>,
    /// Per cent of scored answers agreeing (4–5).
    pub percent_agree: Option<f64>,
}

/// Handling feedback (characteristic 10D): invitations sent in the period and their answers.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FeedbackFigures {
    pub invitations_sent: Option<i64>,
    pub responses: Option<i64>,
    pub response_rate_pct: Option<f64>,
    pub percent_satisfied: Option<f64>,
    pub stages: Vec<FeedbackStage>,
}

fn feedback_figures(f: &FeedbackSummary, s: Suppression) -> FeedbackFigures {
    let shown =
        |count: Option<i64>, pct: Option<f64>| s.n(count.unwrap_or(0)).filter(|n| *n > 0).and(pct);
    let (sent, responses) = (f.invitations_sent.unwrap_or(0), f.responses.unwrap_or(0));
    FeedbackFigures {
        invitations_sent: s.n(sent),
        responses: s.n(responses),
        response_rate_pct: s.pct(responses, sent),
        percent_satisfied: shown(
            f.overall_satisfaction.count,
            f.overall_satisfaction.percent_satisfied,
        ),
        stages: f
            .stages
            .iter()
            .map(|st| FeedbackStage {
                code: st.code.clone(),
                title: st.title.clone(),
                answers: s.n(st.figures.count.unwrap_or(0)),
                percent_agree: shown(st.figures.count, st.figures.percent_agree),
            })
            .collect(),
    }
}

/// Service changes made because of complaints (characteristic 10E).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceChangeFigures {
    /// Planned at the end of the period.
    pub planned: Option<i64>,
    /// In progress at the end of the period.
    pub in_progress: Option<i64>,
    /// Implemented in the period.
    pub implemented: Option<i64>,
    /// Verified as sustained in the period.
    pub sustained: Option<i64>,
    pub abandoned: Option<i64>,
    /// Planned or in progress and past their due date.
    pub overdue: Option<i64>,
}

/// One period's figures as shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Figures {
    pub period: Period,
    pub volumes: Volumes,
    pub outcomes: Outcomes,
    pub timeliness: Timeliness,
    pub meetings: MeetingFigures,
    pub candour: CandourFigures,
    pub ombudsman: OmbudsmanFigures,
    /// `null` when the report is about some services only (feedback is trust-wide).
    pub feedback: Option<FeedbackFigures>,
    pub service_changes: ServiceChangeFigures,
}

/// Labels for codes, services and lists.
pub struct Labels {
    pub taxonomy: BTreeMap<(String, String), String>,
    pub services: BTreeMap<String, String>,
}

impl Labels {
    pub fn load(c: &mut DbConnection) -> AppResult<Self> {
        Ok(Self {
            taxonomy: taxonomy::all(c)?
                .into_iter()
                .map(|i| ((i.list, i.code), i.label))
                .collect(),
            services: service_rows::all(c)?
                .into_iter()
                .map(|s| (s.id, s.name))
                .collect(),
        })
    }

    pub fn of(&self, list: &str, code: &str) -> String {
        self.taxonomy
            .get(&(list.to_string(), code.to_string()))
            .cloned()
            .unwrap_or_else(|| code.replace('_', " "))
    }
}

fn coded(
    map: &BTreeMap<String, i64>,
    label: impl Fn(&str) -> String,
    s: Suppression,
) -> Vec<Coded> {
    let mut rows: Vec<Coded> = map
        .iter()
        .map(|(code, n)| Coded {
            code: code.clone(),
            label: label(code),
            count: s.n(*n),
        })
        .collect();
    rows.sort_by(|a, b| {
        let n = |c: &Coded| map.get(&c.code).copied().unwrap_or(0);
        n(b).cmp(&n(a)).then(a.code.cmp(&b.code))
    });
    rows
}

/// How many cases came, and about what.
fn volumes(r: &Raw, labels: &Labels, s: Suppression) -> Volumes {
    Volumes {
        pals_concerns: s.n(r.pals_concerns),
        complaints: s.n(r.complaints),
        escalations: s.n(r.escalations),
        reopened: s.n(r.reopened),
        by_subject: coded(&r.subjects, |c| labels.of("subject_area", c), s),
        by_clinical_subcategory: coded(
            &r.subcategories,
            |c| labels.of("clinical_subcategory", c),
            s,
        ),
        by_service: coded(
            &r.services,
            |id| {
                labels
                    .services
                    .get(id)
                    .cloned()
                    .unwrap_or_else(|| id.to_string())
            },
            s,
        ),
        by_profession: coded(&r.professions, |c| labels.of("profession", c), s),
    }
}

/// Responses by outcome, with complementary suppression: a small part is hidden with enough
/// other cells that neither it nor the well-founded share can be worked out from the rest.
fn outcome_figures(r: &Raw, s: Suppression) -> Outcomes {
    let o = super::well_founded::publish(
        super::well_founded::Decided {
            upheld: r.upheld,
            partially_upheld: r.partially_upheld,
            not_upheld: r.not_upheld,
        },
        s,
    );
    Outcomes {
        responded: o.responded,
        upheld: o.upheld,
        partially_upheld: o.partially_upheld,
        not_upheld: o.not_upheld,
        well_founded: o.well_founded,
        well_founded_pct: o
            .well_founded
            .zip(o.responded)
            .and_then(|(w, n)| Suppression::NONE.pct(w, n)),
        withdrawn: s.n(r.withdrawn),
    }
}

/// Acknowledgement, response and six-month letter timeliness, and the open cases by age.
fn timeliness_figures(r: &Raw, s: Suppression) -> Timeliness {
    let due_for_ack =
        r.acknowledged_on_time + r.acknowledged_late + r.awaiting_acknowledgement_overdue;
    Timeliness {
        acknowledged_on_time: s.n(r.acknowledged_on_time),
        acknowledged_late: s.n(r.acknowledged_late),
        awaiting_acknowledgement_overdue: s.n(r.awaiting_acknowledgement_overdue),
        acknowledged_on_time_pct: s.pct(r.acknowledged_on_time, due_for_ack),
        responded_with_agreed_date: s.n(r.responded_agreed),
        responded_by_agreed_date: s.n(r.responded_on_time),
        responded_by_agreed_date_pct: s.pct(r.responded_on_time, r.responded_agreed),
        responded_with_other_date: s.n(r.responded_other),
        responded_by_other_date: s.n(r.responded_other_on_time),
        median_working_days_to_response: if s.n(r.responded).is_some() {
            r.median_working_days_to_response
        } else {
            None
        },
        open_by_age: r
            .open_by_age
            .iter()
            .map(|(band, n)| AgeBand {
                band: (*band).to_string(),
                count: s.n(*n),
            })
            .collect(),
        six_month_letters_due: s.n(r.six_month_due),
        six_month_letters_sent: s.n(r.six_month_sent),
        six_month_letters_missed: s.n(r.six_month_missed),
    }
}

/// Show `r` with suppression applied.
pub fn show(r: &Raw, period: Period, labels: &Labels, s: Suppression) -> Figures {
    let decided = r.candour.notified_on_time + r.candour.notified_late;
    Figures {
        period,
        volumes: volumes(r, labels, s),
        outcomes: outcome_figures(r, s),
        timeliness: timeliness_figures(r, s),
        meetings: MeetingFigures {
            offered: s.n(r.meetings.offered),
            accepted: s.n(r.meetings.accepted),
            declined: s.n(r.meetings.declined),
            held: s.n(r.meetings.held),
        },
        candour: CandourFigures {
            notifiable_incidents: s.n(r.candour.notifiable),
            notified_on_time: s.n(r.candour.notified_on_time),
            notified_on_time_pct: s.pct(r.candour.notified_on_time, decided),
            notified_late: s.n(r.candour.notified_late),
            exceptions: s.n(r.candour.exceptions),
            outstanding: s.n(r.candour.outstanding),
            harm_undecided: s.n(r.candour.undecided),
        },
        ombudsman: OmbudsmanFigures {
            referred: s.n(r.ombudsman_referred),
            upheld: s.n(r.ombudsman_upheld),
            partly_upheld: s.n(r.ombudsman_partly_upheld),
            not_upheld: s.n(r.ombudsman_not_upheld),
            not_investigated: s.n(r.ombudsman_not_investigated),
        },
        feedback: r.feedback.as_ref().map(|f| feedback_figures(f, s)),
        service_changes: ServiceChangeFigures {
            planned: s.n(r.service_changes.planned),
            in_progress: s.n(r.service_changes.in_progress),
            implemented: s.n(r.service_changes.implemented),
            sustained: s.n(r.service_changes.sustained),
            abandoned: s.n(r.service_changes.abandoned),
            overdue: s.n(r.service_changes.overdue),
        },
    }
}

/// A theme that moved between the two periods.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Theme {
    pub code: String,
    pub label: String,
    pub current: Option<i64>,
    pub previous: Option<i64>,
    /// `null` when either count is suppressed.
    pub change: Option<i64>,
}

/// Subjects rising and falling most between the previous and this period.
pub fn themes(
    now: &Raw,
    before: &Raw,
    labels: &Labels,
    s: Suppression,
) -> (Vec<Theme>, Vec<Theme>) {
    let mut codes: Vec<&String> = now.subjects.keys().chain(before.subjects.keys()).collect();
    codes.sort();
    codes.dedup();
    let mut moves: Vec<(i64, Theme)> = codes
        .into_iter()
        .map(|code| {
            let a = now.subjects.get(code).copied().unwrap_or(0);
            let b = before.subjects.get(code).copied().unwrap_or(0);
            let (ca, cb) = (s.n(a), s.n(b));
            (
                a - b,
                Theme {
                    code: code.clone(),
                    label: labels.of("subject_area", code),
                    current: ca,
                    previous: cb,
                    change: ca.zip(cb).map(|(x, y)| x - y),
                },
            )
        })
        .filter(|(delta, _)| *delta != 0)
        .collect();
    moves.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.code.cmp(&b.1.code)));
    let rising = moves
        .iter()
        .filter(|(d, _)| *d > 0)
        .take(5)
        .map(|(_, t)| t.clone())
        .collect();
    let falling = moves
        .iter()
        .rev()
        .filter(|(d, _)| *d < 0)
        .take(5)
        .map(|(_, t)| t.clone())
        .collect();
    (rising, falling)
}

/// The whole board report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BoardReport {
    pub current: Figures,
    pub previous: Figures,
    pub themes_rising: Vec<Theme>,
    pub themes_falling: Vec<Theme>,
    pub service_id: Option<String>,
    /// Counts from 1 to `threshold − 1` are shown as `null` (the board role).
    pub suppressed_below: Option<i64>,
    pub generated_on: NaiveDate,
}

/// Compute the board report for `period` within one read transaction.
pub fn build(
    c: &mut DbConnection,
    settings: &Settings,
    scope: &Scope,
    service_id: Option<String>,
    period: Period,
    s: Suppression,
    today: NaiveDate,
) -> AppResult<BoardReport> {
    let cal = calendar::current(c)?;
    let labels = Labels::load(c)?;
    let now = raw(c, &cal, settings, scope, period, today)?;
    let before = raw(c, &cal, settings, scope, period.previous(), today)?;
    Ok(assemble(
        &now, &before, &labels, service_id, period, s, today,
    ))
}

/// The report from the raw figures of the period and of the one before it.
pub fn assemble(
    now: &Raw,
    before: &Raw,
    labels: &Labels,
    service_id: Option<String>,
    period: Period,
    s: Suppression,
    today: NaiveDate,
) -> BoardReport {
    let (rising, falling) = themes(now, before, labels, s);
    BoardReport {
        current: show(now, period, labels, s),
        previous: show(before, period.previous(), labels, s),
        themes_rising: rising,
        themes_falling: falling,
        service_id,
        suppressed_below: s.applies().then_some(s.threshold),
        generated_on: today,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_from_counted_values() {
        assert_eq!(median(&mut [(10, 1), (20, 1), (30, 1)]), Some(20.0));
        assert_eq!(median(&mut [(10, 2), (30, 2)]), Some(20.0));
        assert_eq!(median(&mut [(5, 3), (100, 1)]), Some(5.0));
        assert_eq!(median(&mut []), None);
    }
}

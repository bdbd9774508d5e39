//! The board report's figures as the reader sees them: every count of one period placed in a
//! [`Grid`] with the sums that bind them (the acknowledgement groups add up to the complaints
//! received, the outcomes to the responses, the Ombudsman's decisions to the referrals …), so
//! that for the board role no count from 1 to 4 is shown or can be worked out from the rest.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use super::candour::CandourCounts;
use super::complement::{CellId, Grid, count_of};
use super::feedback::FeedbackSummary;
use super::period::Period;
use super::suppress::Suppression;
use crate::db::service_changes::ServiceChangeCounts;
use crate::db::{DbConnection, meetings, services as service_rows, taxonomy};
use crate::error::AppResult;

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
    /// The subject each sub-category is of.
    pub subcategory_subject: BTreeMap<String, String>,
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

/// A count, and a percentage of it through a count the report does not show otherwise.
struct Share {
    of: CellId,
    part: CellId,
}

impl Share {
    /// `part` of `of`, with the rest unseen.
    fn new(g: &mut Grid, of: i64, part: i64) -> Self {
        let (of_cell, part_cell) = (g.shown(of), g.shown(part));
        let rest = g.unseen(of - part);
        g.sum(of_cell, &[part_cell, rest]);
        Share {
            of: of_cell,
            part: part_cell,
        }
    }

    fn pct(&self, g: &Grid) -> Option<f64> {
        g.pct(self.part, self.of)
    }
}

/// The cells of one period's report, before they are protected.
struct Cells {
    complaints: CellId,
    pals: CellId,
    escalations: CellId,
    reopened: CellId,
    subjects: Vec<(String, CellId)>,
    subcategories: Vec<(String, CellId)>,
    services: Vec<(String, CellId)>,
    professions: Vec<(String, CellId)>,
    responded: CellId,
    well_founded: CellId,
    upheld: CellId,
    partially_upheld: CellId,
    not_upheld: CellId,
    withdrawn: CellId,
    ack_due: CellId,
    ack: [CellId; 3],
    agreed: [CellId; 2],
    other: [CellId; 2],
    open_by_age: Vec<(&'static str, CellId)>,
    six_month: [CellId; 3],
    meetings: [CellId; 4],
    candour: [CellId; 6],
    candour_decided: CellId,
    ombudsman: [CellId; 5],
    feedback: Option<FeedbackCells>,
    changes: [CellId; 6],
}

struct FeedbackCells {
    sent: CellId,
    responses: CellId,
    satisfied: Share,
    stages: Vec<Share>,
}

fn listed(g: &mut Grid, map: &BTreeMap<String, i64>) -> Vec<(String, CellId)> {
    map.iter().map(|(k, n)| (k.clone(), g.shown(*n))).collect()
}

fn ids(list: &[(String, CellId)]) -> Vec<CellId> {
    list.iter().map(|(_, c)| *c).collect()
}

/// Volumes and coding: complaints are split exactly by the acknowledgement groups, and by
/// subject, service or profession whenever each complaint happens to have one.
fn volume_cells(g: &mut Grid, r: &Raw) -> ([CellId; 4], [Vec<(String, CellId)>; 4]) {
    let complaints = g.shown(r.complaints);
    let (pals, escalations, reopened) = (
        g.shown(r.pals_concerns),
        g.shown(r.escalations),
        g.shown(r.reopened),
    );
    let subjects = listed(g, &r.subjects);
    let subcategories = listed(g, &r.subcategories);
    let services = listed(g, &r.services);
    let professions = listed(g, &r.professions);
    for list in [&subjects, &services, &professions] {
        g.sum_if_exact(complaints, &ids(list));
    }
    // A subject's aspects: those with each of its sub-categories, and the rest.
    for (code, cell) in &subjects {
        let subs: Vec<CellId> = subcategories
            .iter()
            .filter(|(sub, _)| r.subcategory_subject.get(sub) == Some(code))
            .map(|(_, c)| *c)
            .collect();
        if !subs.is_empty() {
            let within: i64 = r
                .subcategories
                .iter()
                .filter(|(sub, _)| r.subcategory_subject.get(*sub) == Some(code))
                .map(|(_, n)| n)
                .sum();
            let rest = g.unseen(r.subjects[code] - within);
            let mut parts = subs;
            parts.push(rest);
            g.sum(*cell, &parts);
        }
    }
    (
        [complaints, pals, escalations, reopened],
        [subjects, subcategories, services, professions],
    )
}

/// Place every count of `r` in a grid with its sums.
fn cells(g: &mut Grid, r: &Raw) -> Cells {
    let (
        [complaints, pals, escalations, reopened],
        [subjects, subcategories, services, professions],
    ) = volume_cells(g, r);
    // Outcomes: the well-founded total is kept whenever a part can be hidden instead.
    let responded = g.shown(r.responded);
    let well_founded = g.kept(r.upheld + r.partially_upheld);
    let (upheld, partially_upheld, not_upheld) = (
        g.shown(r.upheld),
        g.shown(r.partially_upheld),
        g.shown(r.not_upheld),
    );
    g.sum(well_founded, &[upheld, partially_upheld]);
    g.sum(responded, &[well_founded, not_upheld]);
    // Acknowledgements: on time, late and overdue make those due (shown through the
    // percentage); with those not yet due they make the complaints received.
    let ack_due =
        g.shown(r.acknowledged_on_time + r.acknowledged_late + r.awaiting_acknowledgement_overdue);
    let ack = [
        g.shown(r.acknowledged_on_time),
        g.shown(r.acknowledged_late),
        g.shown(r.awaiting_acknowledgement_overdue),
    ];
    g.sum(ack_due, &ack);
    let waiting = g.unseen(r.awaiting_acknowledgement);
    g.sum(complaints, &[ack_due, waiting]);
    // Responses by the date in force: agreed or other, each on time or (unseen) late.
    let agreed = Share::new(g, r.responded_agreed, r.responded_on_time);
    let other = Share::new(g, r.responded_other, r.responded_other_on_time);
    g.sum_if_exact(responded, &[agreed.of, other.of]);
    let open_by_age = r
        .open_by_age
        .iter()
        .map(|(b, n)| (*b, g.shown(*n)))
        .collect();
    let six_month = six_month_cells(g, r);
    let m = &r.meetings;
    let meetings = [
        g.shown(m.offered),
        g.shown(m.accepted),
        g.shown(m.declined),
        g.shown(m.held),
    ];
    let (candour, candour_decided) = candour_cells(g, r);
    let ombudsman = ombudsman_cells(g, r);
    let feedback = r.feedback.as_ref().map(|f| feedback_cells(g, f));
    let changes = change_cells(g, r);
    Cells {
        complaints,
        pals,
        escalations,
        reopened,
        subjects,
        subcategories,
        services,
        professions,
        responded,
        well_founded,
        upheld,
        partially_upheld,
        not_upheld,
        withdrawn: g.shown(r.withdrawn),
        ack_due,
        ack,
        agreed: [agreed.of, agreed.part],
        other: [other.of, other.part],
        open_by_age,
        six_month,
        meetings,
        candour,
        candour_decided,
        ombudsman,
        feedback,
        changes,
    }
}

/// Six-month letters owed: sent in time, missed, or (unseen) not yet due.
fn six_month_cells(g: &mut Grid, r: &Raw) -> [CellId; 3] {
    let cells = [
        g.shown(r.six_month_due),
        g.shown(r.six_month_sent),
        g.shown(r.six_month_missed),
    ];
    let pending = g.unseen(r.six_month_due - r.six_month_sent - r.six_month_missed);
    g.sum(cells[0], &[cells[1], cells[2], pending]);
    cells
}

/// Notifiable incidents: on time, late, exceptions and outstanding; decided ones (on time or
/// late) are shown through the percentage on time.
fn candour_cells(g: &mut Grid, r: &Raw) -> ([CellId; 6], CellId) {
    let c = &r.candour;
    let cells = [
        g.shown(c.notifiable),
        g.shown(c.notified_on_time),
        g.shown(c.notified_late),
        g.shown(c.exceptions),
        g.shown(c.outstanding),
        g.shown(c.undecided),
    ];
    g.sum(cells[0], &cells[1..5]);
    let decided = g.shown(c.notified_on_time + c.notified_late);
    g.sum(decided, &cells[1..3]);
    (cells, decided)
}

/// Referrals and the Ombudsman's decisions on them (the rest still awaited).
fn ombudsman_cells(g: &mut Grid, r: &Raw) -> [CellId; 5] {
    let decided = [
        r.ombudsman_upheld,
        r.ombudsman_partly_upheld,
        r.ombudsman_not_upheld,
        r.ombudsman_not_investigated,
    ];
    let cells = [
        g.shown(r.ombudsman_referred),
        g.shown(decided[0]),
        g.shown(decided[1]),
        g.shown(decided[2]),
        g.shown(decided[3]),
    ];
    let awaited = g.unseen(r.ombudsman_referred - decided.iter().sum::<i64>());
    g.sum(cells[0], &[cells[1], cells[2], cells[3], cells[4], awaited]);
    cells
}

/// Invitations and responses; the satisfied and agreeing answers, seen through percentages.
fn feedback_cells(g: &mut Grid, f: &FeedbackSummary) -> FeedbackCells {
    let (sent, responses) = (f.invitations_sent.unwrap_or(0), f.responses.unwrap_or(0));
    let (sent_cell, responses_cell) = (g.shown(sent), g.shown(responses));
    if sent >= responses {
        let unanswered = g.unseen(sent - responses);
        g.sum(sent_cell, &[responses_cell, unanswered]);
    }
    let o = &f.overall_satisfaction;
    let rated = o.count.unwrap_or(0);
    let satisfied = Share::new(g, rated, count_of(o.percent_satisfied, o.count));
    let stages = f
        .stages
        .iter()
        .map(|st| {
            let answers = st.figures.count.unwrap_or(0);
            Share::new(
                g,
                answers,
                count_of(st.figures.percent_agree, st.figures.count),
            )
        })
        .collect();
    FeedbackCells {
        sent: sent_cell,
        responses: responses_cell,
        satisfied,
        stages,
    }
}

/// Service changes; those open at the end are overdue or not.
fn change_cells(g: &mut Grid, r: &Raw) -> [CellId; 6] {
    let c = &r.service_changes;
    let cells = [
        g.shown(c.planned),
        g.shown(c.in_progress),
        g.shown(c.implemented),
        g.shown(c.sustained),
        g.shown(c.abandoned),
        g.shown(c.overdue),
    ];
    let open = g.unseen_total(&cells[0..2]);
    let in_time = g.unseen(c.planned + c.in_progress - c.overdue);
    g.sum(open, &[cells[5], in_time]);
    cells
}

fn coded(
    g: &Grid,
    list: &[(String, CellId)],
    map: &BTreeMap<String, i64>,
    label: impl Fn(&str) -> String,
) -> Vec<Coded> {
    let mut rows: Vec<Coded> = list
        .iter()
        .map(|(code, cell)| Coded {
            code: code.clone(),
            label: label(code),
            count: g.get(*cell),
        })
        .collect();
    rows.sort_by(|a, b| {
        let n = |c: &Coded| map.get(&c.code).copied().unwrap_or(0);
        n(b).cmp(&n(a)).then(a.code.cmp(&b.code))
    });
    rows
}

fn volumes(g: &Grid, c: &Cells, r: &Raw, labels: &Labels) -> Volumes {
    Volumes {
        pals_concerns: g.get(c.pals),
        complaints: g.get(c.complaints),
        escalations: g.get(c.escalations),
        reopened: g.get(c.reopened),
        by_subject: coded(g, &c.subjects, &r.subjects, |k| {
            labels.of("subject_area", k)
        }),
        by_clinical_subcategory: coded(g, &c.subcategories, &r.subcategories, |k| {
            labels.of("clinical_subcategory", k)
        }),
        by_service: coded(g, &c.services, &r.services, |id| {
            labels
                .services
                .get(id)
                .cloned()
                .unwrap_or_else(|| id.to_string())
        }),
        by_profession: coded(g, &c.professions, &r.professions, |k| {
            labels.of("profession", k)
        }),
    }
}

fn timeliness(g: &Grid, c: &Cells, r: &Raw) -> Timeliness {
    Timeliness {
        acknowledged_on_time: g.get(c.ack[0]),
        acknowledged_late: g.get(c.ack[1]),
        awaiting_acknowledgement_overdue: g.get(c.ack[2]),
        acknowledged_on_time_pct: g.pct(c.ack[0], c.ack_due),
        responded_with_agreed_date: g.get(c.agreed[0]),
        responded_by_agreed_date: g.get(c.agreed[1]),
        responded_by_agreed_date_pct: g.pct(c.agreed[1], c.agreed[0]),
        responded_with_other_date: g.get(c.other[0]),
        responded_by_other_date: g.get(c.other[1]),
        median_working_days_to_response: g.get(c.responded).and(r.median_working_days_to_response),
        open_by_age: c
            .open_by_age
            .iter()
            .map(|(band, cell)| AgeBand {
                band: (*band).to_string(),
                count: g.get(*cell),
            })
            .collect(),
        six_month_letters_due: g.get(c.six_month[0]),
        six_month_letters_sent: g.get(c.six_month[1]),
        six_month_letters_missed: g.get(c.six_month[2]),
    }
}

fn feedback(g: &Grid, c: &FeedbackCells, f: &FeedbackSummary) -> FeedbackFigures {
    FeedbackFigures {
        invitations_sent: g.get(c.sent),
        responses: g.get(c.responses),
        response_rate_pct: g.pct(c.responses, c.sent),
        percent_satisfied: c
            .satisfied
            .pct(g)
            .and(f.overall_satisfaction.percent_satisfied),
        stages: f
            .stages
            .iter()
            .zip(&c.stages)
            .map(|(st, share)| FeedbackStage {
                code: st.code.clone(),
                title: st.title.clone(),
                answers: g.get(share.of),
                percent_agree: share.pct(g).and(st.figures.percent_agree),
            })
            .collect(),
    }
}

/// Show `r` to a reader with suppression `s`: small counts hidden, and with them enough others
/// that none can be worked out.
pub fn show(r: &Raw, period: Period, labels: &Labels, s: Suppression) -> Figures {
    let mut g = Grid::new();
    let c = cells(&mut g, r);
    g.protect(s);
    let get = |cells: &[CellId]| -> Vec<Option<i64>> { cells.iter().map(|x| g.get(*x)).collect() };
    let (cand, omb, ch, m) = (
        get(&c.candour),
        get(&c.ombudsman),
        get(&c.changes),
        get(&c.meetings),
    );
    Figures {
        period,
        volumes: volumes(&g, &c, r, labels),
        outcomes: Outcomes {
            responded: g.get(c.responded),
            upheld: g.get(c.upheld),
            partially_upheld: g.get(c.partially_upheld),
            not_upheld: g.get(c.not_upheld),
            well_founded: g.get(c.well_founded),
            well_founded_pct: g.pct(c.well_founded, c.responded),
            withdrawn: g.get(c.withdrawn),
        },
        timeliness: timeliness(&g, &c, r),
        meetings: MeetingFigures {
            offered: m[0],
            accepted: m[1],
            declined: m[2],
            held: m[3],
        },
        candour: CandourFigures {
            notifiable_incidents: cand[0],
            notified_on_time: cand[1],
            notified_on_time_pct: g.pct(c.candour[1], c.candour_decided),
            notified_late: cand[2],
            exceptions: cand[3],
            outstanding: cand[4],
            harm_undecided: cand[5],
        },
        ombudsman: OmbudsmanFigures {
            referred: omb[0],
            upheld: omb[1],
            partly_upheld: omb[2],
            not_upheld: omb[3],
            not_investigated: omb[4],
        },
        feedback: c
            .feedback
            .as_ref()
            .zip(r.feedback.as_ref())
            .map(|(fc, f)| feedback(&g, fc, f)),
        service_changes: ServiceChangeFigures {
            planned: ch[0],
            in_progress: ch[1],
            implemented: ch[2],
            sustained: ch[3],
            abandoned: ch[4],
            overdue: ch[5],
        },
    }
}

/// Subjects rising and falling most between the previous and this period, with each count as
/// the period's figures show it.
pub fn themes(
    now: &Raw,
    before: &Raw,
    shown_now: &Figures,
    shown_before: &Figures,
    labels: &Labels,
) -> (Vec<Theme>, Vec<Theme>) {
    let shown = |f: &Figures, code: &str| {
        f.volumes
            .by_subject
            .iter()
            .find(|c| c.code == code)
            .map_or(Some(0), |c| c.count)
    };
    let mut codes: Vec<&String> = now.subjects.keys().chain(before.subjects.keys()).collect();
    codes.sort();
    codes.dedup();
    let mut moves: Vec<(i64, Theme)> = codes
        .into_iter()
        .map(|code| {
            let a = now.subjects.get(code).copied().unwrap_or(0);
            let b = before.subjects.get(code).copied().unwrap_or(0);
            let (ca, cb) = (shown(shown_now, code), shown(shown_before, code));
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
    let pick = |rising: bool| -> Vec<Theme> {
        let it: Box<dyn Iterator<Item = &(i64, Theme)>> = if rising {
            Box::new(moves.iter().filter(|(d, _)| *d > 0))
        } else {
            Box::new(moves.iter().rev().filter(|(d, _)| *d < 0))
        };
        it.take(5).map(|(_, t)| t.clone()).collect()
    };
    (pick(true), pick(false))
}

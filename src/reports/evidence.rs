//! Evidence for the framework self-assessment: for characteristics 10C, 10D, 10E, 11B, 13A,
//! 15A and 16A, what Candour's own data shows over the twelve months to the assessment date,
//! shown next to the score the board gave.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use super::board::{BoardReport, Figures};
use super::period::Period;
use super::spc::EarlyWarning;
use super::suppress::Suppression;
use super::svg::variation_words;

/// The characteristics Candour has evidence for.
pub const CODES: [&str; 7] = ["10C", "10D", "10E", "11B", "13A", "15A", "16A"];

/// One figure.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvidenceFigure {
    pub label: String,
    /// As shown: a number, a percentage, or `–` when suppressed or not measurable.
    pub value: String,
}

/// What the data shows for one characteristic.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Evidence {
    /// The twelve months the figures cover.
    pub period: Period,
    pub figures: Vec<EvidenceFigure>,
    /// Points to note, in sentences.
    pub notes: Vec<String>,
}

fn n(v: Option<i64>) -> String {
    v.map_or_else(|| "–".to_string(), |v| v.to_string())
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_string(), |v| format!("{v:.1}%"))
}

fn fig(label: &str, value: String) -> EvidenceFigure {
    EvidenceFigure {
        label: label.to_string(),
        value,
    }
}

/// Evidence per characteristic code, from the board report for the twelve months, the
/// early warnings at their end, and the staff alerts sent (kind → count).
pub fn build(
    r: &BoardReport,
    warnings: &EarlyWarning,
    alerts: &[(String, i64)],
    s: Suppression,
) -> BTreeMap<String, Evidence> {
    let a = &r.current;
    [
        ("10C", (meetings(a), Vec::new())),
        ("10D", feedback(a)),
        ("10E", (service_changes(a), Vec::new())),
        ("11B", (candour(a), Vec::new())),
        ("13A", themes(r, s)),
        ("15A", early_warning(warnings)),
        ("16A", (staff_alerts(a, alerts, s), Vec::new())),
    ]
    .into_iter()
    .map(|(code, (figures, notes))| {
        let evidence = Evidence {
            period: a.period,
            figures,
            notes,
        };
        (code.to_string(), evidence)
    })
    .collect()
}

/// Figures and notes for one characteristic.
type Found = (Vec<EvidenceFigure>, Vec<String>);

/// 10C: meetings offered and held, and complainants asked about the handling.
fn meetings(a: &Figures) -> Vec<EvidenceFigure> {
    vec![
        fig("Complaints received", n(a.volumes.complaints)),
        fig("Face-to-face meetings offered", n(a.meetings.offered)),
        fig("Meetings accepted", n(a.meetings.accepted)),
        fig("Meetings held", n(a.meetings.held)),
        fig(
            "Complainants asked for feedback on completion",
            n(a.feedback.as_ref().and_then(|f| f.invitations_sent)),
        ),
    ]
}

/// 10D: the handling-feedback survey, with agreement by stage.
fn feedback(a: &Figures) -> Found {
    let feedback = a.feedback.as_ref();
    let notes = feedback
        .map(|f| {
            f.stages
                .iter()
                .filter_map(|st| {
                    st.percent_agree
                        .map(|p| format!("{}: {p:.1}% agreed.", st.title))
                })
                .collect()
        })
        .unwrap_or_default();
    let figures = vec![
        fig(
            "Handling-feedback invitations sent",
            n(feedback.and_then(|f| f.invitations_sent)),
        ),
        fig("Responses", n(feedback.and_then(|f| f.responses))),
        fig(
            "Response rate",
            pct(feedback.and_then(|f| f.response_rate_pct)),
        ),
        fig(
            "Satisfied with the handling",
            pct(feedback.and_then(|f| f.percent_satisfied)),
        ),
    ];
    (figures, notes)
}

/// 10E: the service changes register.
fn service_changes(a: &Figures) -> Vec<EvidenceFigure> {
    let sc = &a.service_changes;
    vec![
        fig("Service changes implemented", n(sc.implemented)),
        fig("Verified as sustained", n(sc.sustained)),
        fig("Planned", n(sc.planned)),
        fig("In progress", n(sc.in_progress)),
        fig("Overdue", n(sc.overdue)),
    ]
}

/// 11B: the Duty of Candour.
fn candour(a: &Figures) -> Vec<EvidenceFigure> {
    vec![
        fig(
            "Notifiable safety incidents",
            n(a.candour.notifiable_incidents),
        ),
        fig(
            "Notified within the trust's target",
            pct(a.candour.notified_on_time_pct),
        ),
        fig("Notified late", n(a.candour.notified_late)),
        fig("Exceptions recorded", n(a.candour.exceptions)),
        fig("Still outstanding", n(a.candour.outstanding)),
    ]
}

/// 13A: what complaints are about, and the themes rising and falling.
fn themes(r: &BoardReport, s: Suppression) -> Found {
    let a = &r.current;
    let coded: i64 = a.volumes.by_subject.iter().filter_map(|c| c.count).sum();
    let mut notes: Vec<String> = r
        .themes_rising
        .iter()
        .filter_map(|t| {
            t.change
                .map(|c| format!("Rising: {} ({c:+} on the previous period).", t.label))
        })
        .collect();
    notes.extend(
        r.themes_falling
            .iter()
            .filter_map(|t| t.change.map(|c| format!("Falling: {} ({c:+}).", t.label))),
    );
    let figures = vec![
        fig("Complaints received", n(a.volumes.complaints)),
        fig("PALS concerns received", n(a.volumes.pals_concerns)),
        fig("Subject aspects coded", n(s.n(coded))),
        fig(
            "Subjects with complaints",
            a.volumes.by_subject.len().to_string(),
        ),
        fig(
            "Service changes implemented",
            n(a.service_changes.implemented),
        ),
    ];
    (figures, notes)
}

/// 15A: the SPC series watched, and those showing special cause for concern.
fn early_warning(warnings: &EarlyWarning) -> Found {
    let figures = vec![
        fig(
            "SPC series checked each month",
            warnings.series_checked.to_string(),
        ),
        fig(
            "Series with special cause of concern in the latest month",
            warnings.warnings.len().to_string(),
        ),
    ];
    let notes = warnings
        .warnings
        .iter()
        .map(|w| {
            format!(
                "{}: {} in {}.",
                w.label,
                variation_words(w.variation),
                w.month.format("%B %Y")
            )
        })
        .collect();
    (figures, notes)
}

/// 16A: the alerts that tell staff what is due, and acknowledgement on time.
fn staff_alerts(a: &Figures, alerts: &[(String, i64)], s: Suppression) -> Vec<EvidenceFigure> {
    let alert = |kind: &str| {
        s.n(alerts
            .iter()
            .filter(|(k, _)| k == kind)
            .map(|(_, c)| *c)
            .sum())
    };
    vec![
        fig(
            "Daily digests of new cases sent to service leads",
            n(alert("digest")),
        ),
        fig("Handlers told of a new assignment", n(alert("assigned"))),
        fig("Due-soon reminders", n(alert("due_soon"))),
        fig("Overdue alerts", n(alert("overdue"))),
        fig(
            "Acknowledged within 3 working days",
            pct(a.timeliness.acknowledged_on_time_pct),
        ),
    ]
}

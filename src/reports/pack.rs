//! The board pack: one printable A4 page of the board report, with SPC charts and theme bars
//! drawn as inline SVG. This module turns the figures into the page template's context.

use serde_json::{Value, json};

use super::board::{BoardReport, Figures};
use super::spc::{EarlyWarning, Series};
use super::svg;

/// A count as shown in a table: `–` when suppressed.
fn n(v: Option<i64>) -> String {
    v.map_or_else(|| "–".to_string(), |v| v.to_string())
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_string(), |v| format!("{v:.1}%"))
}

fn num(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_string(), |v| format!("{v:.1}"))
}

/// How one row of a table reads its figure from a period's figures.
type Cell = fn(&Figures) -> String;

/// A table of label, this period (`a`), previous period (`b`).
fn table(heading: &str, a: &Figures, b: &Figures, rows: &[(&str, Cell)]) -> Value {
    json!({
        "heading": heading,
        "rows": rows
            .iter()
            .map(|(label, cell)| json!({"label": label, "current": cell(a), "previous": cell(b)}))
            .collect::<Vec<_>>(),
    })
}

/// Two counts added, unless either is suppressed.
fn sum(x: Option<i64>, y: Option<i64>) -> String {
    n(x.zip(y).map(|(x, y)| x + y))
}

const VOLUMES: &[(&str, Cell)] = &[
    ("Complaints received", |f| n(f.volumes.complaints)),
    ("PALS concerns received", |f| n(f.volumes.pals_concerns)),
    ("PALS concerns escalated to complaints", |f| {
        n(f.volumes.escalations)
    }),
    ("Complaints reopened", |f| n(f.volumes.reopened)),
];

const OUTCOMES: &[(&str, Cell)] = &[
    ("Responses sent", |f| n(f.outcomes.responded)),
    ("Upheld", |f| n(f.outcomes.upheld)),
    ("Partially upheld", |f| n(f.outcomes.partially_upheld)),
    ("Not upheld", |f| n(f.outcomes.not_upheld)),
    ("Well-founded (upheld or partially)", |f| {
        pct(f.outcomes.well_founded_pct)
    }),
    ("Withdrawn", |f| n(f.outcomes.withdrawn)),
];

const TIMELINESS: &[(&str, Cell)] = &[
    ("Acknowledged within 3 working days", |f| {
        pct(f.timeliness.acknowledged_on_time_pct)
    }),
    ("Responded to by the agreed date", |f| {
        pct(f.timeliness.responded_by_agreed_date_pct)
    }),
    ("Median working days to response", |f| {
        num(f.timeliness.median_working_days_to_response)
    }),
    ("Six-month letters due", |f| {
        n(f.timeliness.six_month_letters_due)
    }),
    ("Six-month letters missed", |f| {
        n(f.timeliness.six_month_letters_missed)
    }),
];

const MEETINGS: &[(&str, Cell)] = &[
    ("Offered", |f| n(f.meetings.offered)),
    ("Accepted", |f| n(f.meetings.accepted)),
    ("Held", |f| n(f.meetings.held)),
];

const CANDOUR: &[(&str, Cell)] = &[
    ("Notifiable safety incidents", |f| {
        n(f.candour.notifiable_incidents)
    }),
    ("Notified on time", |f| pct(f.candour.notified_on_time_pct)),
    ("Exceptions recorded", |f| n(f.candour.exceptions)),
    ("Still outstanding", |f| n(f.candour.outstanding)),
];

const OMBUDSMAN: &[(&str, Cell)] = &[
    ("Referred", |f| n(f.ombudsman.referred)),
    ("Upheld or partly upheld by the PHSO", |f| {
        sum(f.ombudsman.upheld, f.ombudsman.partly_upheld)
    }),
];

const SERVICE_CHANGES: &[(&str, Cell)] = &[
    ("Implemented", |f| n(f.service_changes.implemented)),
    ("Verified as sustained", |f| n(f.service_changes.sustained)),
    ("Planned or in progress", |f| {
        sum(f.service_changes.planned, f.service_changes.in_progress)
    }),
    ("Overdue", |f| n(f.service_changes.overdue)),
];

const FEEDBACK: &[(&str, Cell)] = &[
    ("Survey invitations sent", |f| {
        n(f.feedback.as_ref().and_then(|x| x.invitations_sent))
    }),
    ("Response rate", |f| {
        pct(f.feedback.as_ref().and_then(|x| x.response_rate_pct))
    }),
    ("Satisfied with the handling", |f| {
        pct(f.feedback.as_ref().and_then(|x| x.percent_satisfied))
    }),
];

/// The pack's tables, this period beside the previous one.
fn tables(a: &Figures, b: &Figures) -> Vec<Value> {
    let mut out: Vec<Value> = [
        ("Volumes", VOLUMES),
        ("Outcomes of responses sent", OUTCOMES),
        ("Timeliness", TIMELINESS),
        ("Face-to-face meetings (10C)", MEETINGS),
        ("Duty of Candour (11B)", CANDOUR),
        ("Ombudsman (PHSO)", OMBUDSMAN),
        ("Changes made because of complaints (10E)", SERVICE_CHANGES),
    ]
    .into_iter()
    .map(|(heading, rows)| table(heading, a, b, rows))
    .collect();
    if a.feedback.is_some() && b.feedback.is_some() {
        let heading = "How complaints were handled: complainants' feedback (10D)";
        out.push(table(heading, a, b, FEEDBACK));
    }
    out
}

/// The page context: figures, themes, SPC charts and early warnings.
pub fn context(
    trust: &str,
    report: &BoardReport,
    charts: &[Series],
    warnings: &EarlyWarning,
) -> Value {
    let a = &report.current;
    let b = &report.previous;
    let subjects: Vec<(String, Option<i64>)> = a
        .volumes
        .by_subject
        .iter()
        .take(10)
        .map(|c| (c.label.clone(), c.count))
        .collect();
    let services: Vec<(String, Option<i64>)> = a
        .volumes
        .by_service
        .iter()
        .take(10)
        .map(|c| (c.label.clone(), c.count))
        .collect();
    let theme = |t: &super::board::Theme| {
        json!({
            "label": t.label,
            "current": n(t.current),
            "previous": n(t.previous),
            "change": t.change.map_or_else(|| "–".to_string(), |c| format!("{c:+}")),
        })
    };
    json!({
        "trust": trust,
        "title": "Complaints and PALS: report to the board",
        "from": a.period.from.format("%-d %B %Y").to_string(),
        "to": a.period.to.format("%-d %B %Y").to_string(),
        "previous_from": b.period.from.format("%-d %B %Y").to_string(),
        "previous_to": b.period.to.format("%-d %B %Y").to_string(),
        "generated_on": report.generated_on.format("%-d %B %Y").to_string(),
        "suppressed_below": report.suppressed_below,
        "tables": tables(a, b),
        "subjects_chart": svg::bar_chart("Complaint aspects by subject, this period", "subjects", &subjects),
        "services_chart": svg::bar_chart("Complaints by service, this period", "services", &services),
        "rising": report.themes_rising.iter().map(theme).collect::<Vec<_>>(),
        "falling": report.themes_falling.iter().map(theme).collect::<Vec<_>>(),
        "charts": charts
            .iter()
            .enumerate()
            .map(|(i, s)| json!({
                "title": s.label,
                "svg": svg::spc_chart(s, &format!("spc{i}")),
                "variation": svg::variation_words(s.variation),
                "assurance": s.assurance,
            }))
            .collect::<Vec<_>>(),
        "warnings": warnings
            .warnings
            .iter()
            .map(|w| json!({
                "label": w.label,
                "month": w.month.format("%B %Y").to_string(),
                "what": svg::variation_words(w.variation),
            }))
            .collect::<Vec<_>>(),
    })
}

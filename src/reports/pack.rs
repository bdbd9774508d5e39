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

/// A table of label, this period, previous period.
fn table(heading: &str, rows: Vec<(&str, String, String)>) -> Value {
    json!({
        "heading": heading,
        "rows": rows
            .into_iter()
            .map(|(label, now, before)| json!({"label": label, "current": now, "previous": before}))
            .collect::<Vec<_>>(),
    })
}

fn tables(a: &Figures, b: &Figures) -> Vec<Value> {
    let mut out = vec![
        table(
            "Volumes",
            vec![
                (
                    "Complaints received",
                    n(a.volumes.complaints),
                    n(b.volumes.complaints),
                ),
                (
                    "PALS concerns received",
                    n(a.volumes.pals_concerns),
                    n(b.volumes.pals_concerns),
                ),
                (
                    "PALS concerns escalated to complaints",
                    n(a.volumes.escalations),
                    n(b.volumes.escalations),
                ),
                (
                    "Complaints reopened",
                    n(a.volumes.reopened),
                    n(b.volumes.reopened),
                ),
            ],
        ),
        table(
            "Outcomes of responses sent",
            vec![
                (
                    "Responses sent",
                    n(a.outcomes.responded),
                    n(b.outcomes.responded),
                ),
                ("Upheld", n(a.outcomes.upheld), n(b.outcomes.upheld)),
                (
                    "Partially upheld",
                    n(a.outcomes.partially_upheld),
                    n(b.outcomes.partially_upheld),
                ),
                (
                    "Not upheld",
                    n(a.outcomes.not_upheld),
                    n(b.outcomes.not_upheld),
                ),
                (
                    "Well-founded (upheld or partially)",
                    pct(a.outcomes.well_founded_pct),
                    pct(b.outcomes.well_founded_pct),
                ),
                (
                    "Withdrawn",
                    n(a.outcomes.withdrawn),
                    n(b.outcomes.withdrawn),
                ),
            ],
        ),
        table(
            "Timeliness",
            vec![
                (
                    "Acknowledged within 3 working days",
                    pct(a.timeliness.acknowledged_on_time_pct),
                    pct(b.timeliness.acknowledged_on_time_pct),
                ),
                (
                    "Responded to by the agreed date",
                    pct(a.timeliness.responded_by_agreed_date_pct),
                    pct(b.timeliness.responded_by_agreed_date_pct),
                ),
                (
                    "Median working days to response",
                    num(a.timeliness.median_working_days_to_response),
                    num(b.timeliness.median_working_days_to_response),
                ),
                (
                    "Six-month letters due",
                    n(a.timeliness.six_month_letters_due),
                    n(b.timeliness.six_month_letters_due),
                ),
                (
                    "Six-month letters missed",
                    n(a.timeliness.six_month_letters_missed),
                    n(b.timeliness.six_month_letters_missed),
                ),
            ],
        ),
        table(
            "Face-to-face meetings (10C)",
            vec![
                ("Offered", n(a.meetings.offered), n(b.meetings.offered)),
                ("Accepted", n(a.meetings.accepted), n(b.meetings.accepted)),
                ("Held", n(a.meetings.held), n(b.meetings.held)),
            ],
        ),
        table(
            "Duty of Candour (11B)",
            vec![
                (
                    "Notifiable safety incidents",
                    n(a.candour.notifiable_incidents),
                    n(b.candour.notifiable_incidents),
                ),
                (
                    "Notified on time",
                    pct(a.candour.notified_on_time_pct),
                    pct(b.candour.notified_on_time_pct),
                ),
                (
                    "Exceptions recorded",
                    n(a.candour.exceptions),
                    n(b.candour.exceptions),
                ),
                (
                    "Still outstanding",
                    n(a.candour.outstanding),
                    n(b.candour.outstanding),
                ),
            ],
        ),
        table(
            "Ombudsman (PHSO)",
            vec![
                ("Referred", n(a.ombudsman.referred), n(b.ombudsman.referred)),
                (
                    "Upheld or partly upheld by the PHSO",
                    n(a.ombudsman
                        .upheld
                        .zip(a.ombudsman.partly_upheld)
                        .map(|(x, y)| x + y)),
                    n(b.ombudsman
                        .upheld
                        .zip(b.ombudsman.partly_upheld)
                        .map(|(x, y)| x + y)),
                ),
            ],
        ),
    ];
    out.push(table(
        "Changes made because of complaints (10E)",
        vec![
            (
                "Implemented",
                n(a.service_changes.implemented),
                n(b.service_changes.implemented),
            ),
            (
                "Verified as sustained",
                n(a.service_changes.sustained),
                n(b.service_changes.sustained),
            ),
            (
                "Planned or in progress",
                n(a.service_changes
                    .planned
                    .zip(a.service_changes.in_progress)
                    .map(|(x, y)| x + y)),
                n(b.service_changes
                    .planned
                    .zip(b.service_changes.in_progress)
                    .map(|(x, y)| x + y)),
            ),
            (
                "Overdue",
                n(a.service_changes.overdue),
                n(b.service_changes.overdue),
            ),
        ],
    ));
    if let (Some(fa), Some(fb)) = (&a.feedback, &b.feedback) {
        out.push(table(
            "How complaints were handled: complainants' feedback (10D)",
            vec![
                (
                    "Survey invitations sent",
                    n(fa.invitations_sent),
                    n(fb.invitations_sent),
                ),
                (
                    "Response rate",
                    pct(fa.response_rate_pct),
                    pct(fb.response_rate_pct),
                ),
                (
                    "Satisfied with the handling",
                    pct(fa.percent_satisfied),
                    pct(fb.percent_satisfied),
                ),
            ],
        ));
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

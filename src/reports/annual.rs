//! The annual complaints report (regulation 18, domain.md §1.8) for a financial year: the
//! number received, the number decided well-founded, the number referred to the ombudsman, a
//! summary of subjects, matters of general importance and the actions taken. It is written to
//! be published, so small numbers are always suppressed, whoever reads it.

use serde::Serialize;
use utoipa::ToSchema;

use super::board::{BoardReport, Coded, Figures};
use super::period::Period;
use super::spc::EarlyWarning;
use super::svg::variation_words;

/// A service change made because of complaints. (Named `ActionTaken` in the OpenAPI
/// document: `Action` there is a case's lifecycle step.)
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ActionTaken)]
pub struct Action {
    pub service: String,
    pub title: String,
    /// The public summary ("you said, we did").
    pub summary: String,
    pub implemented_on: chrono::NaiveDate,
    /// Checked and found to have lasted.
    pub sustained: bool,
}

/// The report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AnnualReport {
    pub trust: String,
    /// `2025-26`.
    pub financial_year: String,
    pub period: Period,
    /// Reg 18(a).
    pub complaints_received: Option<i64>,
    pub pals_concerns_received: Option<i64>,
    pub responses_sent: Option<i64>,
    /// Reg 18(b): upheld or partially upheld.
    pub decided_well_founded: Option<i64>,
    pub upheld: Option<i64>,
    pub partially_upheld: Option<i64>,
    pub not_upheld: Option<i64>,
    pub well_founded_pct: Option<f64>,
    /// Reg 18(c): referrals to the Parliamentary and Health Service Ombudsman the trust was
    /// told of in the year.
    pub referred_to_ombudsman: Option<i64>,
    /// Reg 18(d)(i): complaint aspects by subject, most frequent first.
    pub subjects: Vec<Coded>,
    /// Reg 18(d)(ii): matters of general importance, in sentences drawn from the figures.
    pub matters_of_general_importance: Vec<String>,
    /// Reg 18(d)(iii): service changes implemented in the year because of complaints.
    pub actions_taken: Vec<Action>,
    /// Counts from 1 to this − 1 are shown as `null`.
    pub suppressed_below: Option<i64>,
    /// How the figures are counted, for the reader of a published report.
    pub how_counted: Vec<&'static str>,
}

/// The counting rules a reader needs to read the figures right.
pub const HOW_COUNTED: &[&str] = &[
    "A complaint is counted as answered in the year its first response was sent; reopening it \
     later does not change the year's figures.",
    "Responses \"by the agreed date\" count only dates agreed with the complainant, at \
     acknowledgement or by an extension agreed before the date passed; responses against a date \
     the trust set are reported beside them.",
    "A six-month letter (regulation 14) is counted as owed only for complaints still open and \
     unanswered six months after they were received: not those answered, withdrawn or declined \
     before then.",
    "Counts from 1 to 4 are not shown.",
];

fn pct(v: Option<f64>) -> Option<String> {
    v.map(|v| format!("{v:.1}%"))
}

/// Sentences on what mattered in the year, only from figures that may be shown.
fn matters(r: &BoardReport, warnings: &EarlyWarning) -> Vec<String> {
    let (a, b) = (&r.current, &r.previous);
    let mut out = Vec::new();
    for t in &r.themes_rising {
        if let (Some(now), Some(before)) = (t.current, t.previous) {
            out.push(format!(
                "Complaints about {} rose from {before} to {now} compared with the year before.",
                t.label.to_lowercase()
            ));
        }
    }
    for t in &r.themes_falling {
        if let (Some(now), Some(before)) = (t.current, t.previous) {
            out.push(format!(
                "Complaints about {} fell from {before} to {now}.",
                t.label.to_lowercase()
            ));
        }
    }
    out.extend(timeliness(a, b));
    if let (Some(n), Some(p)) = (
        a.candour.notifiable_incidents,
        a.candour.notified_on_time_pct,
    ) {
        out.push(format!(
            "Duty of Candour: {n} notifiable safety incidents; {p:.1}% of those decided were notified within the trust's target."
        ));
    }
    if let (Some(offered), Some(held)) = (a.meetings.offered, a.meetings.held) {
        out.push(format!(
            "Complainants were offered {offered} face-to-face meetings and {held} were held."
        ));
    }
    if let Some(f) = &a.feedback
        && let Some(rate) = pct(f.response_rate_pct)
    {
        let satisfied = pct(f.percent_satisfied)
            .map(|p| format!(", and {p} of those who answered were satisfied with how their complaint was handled"))
            .unwrap_or_default();
        out.push(format!(
            "{rate} of complainants invited to give feedback on the handling did so{satisfied}."
        ));
    }
    for w in &warnings.warnings {
        out.push(format!(
            "Statistical process control shows {} for {} in {}.",
            variation_words(w.variation),
            w.label.to_lowercase(),
            w.month.format("%B %Y")
        ));
    }
    out
}

/// Sentences on acknowledgement, response and six-month letter timeliness.
fn timeliness(a: &Figures, b: &Figures) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(now) = pct(a.timeliness.acknowledged_on_time_pct) {
        let before = pct(b.timeliness.acknowledged_on_time_pct)
            .map(|p| format!(" ({p} the year before)"))
            .unwrap_or_default();
        out.push(format!(
            "{now} of complaints were acknowledged within 3 working days{before}."
        ));
    }
    if let Some(now) = pct(a.timeliness.responded_by_agreed_date_pct) {
        let median = a
            .timeliness
            .median_working_days_to_response
            .map(|m| format!("; the median time to respond was {m:.0} working days"))
            .unwrap_or_default();
        let other = a
            .timeliness
            .responded_with_other_date
            .filter(|n| *n > 0)
            .map(|n| {
                format!(" ({n} further responses had a date set by the trust, not agreed, and are not counted in that figure)")
            })
            .unwrap_or_default();
        out.push(format!(
            "{now} of responses with a date agreed with the complainant were sent by it{other}{median}."
        ));
    }
    if let Some(due) = a.timeliness.six_month_letters_due.filter(|n| *n > 0) {
        let missed = a
            .timeliness
            .six_month_letters_missed
            .map(|m| format!("; {m} of those letters were not sent in time"))
            .unwrap_or_default();
        out.push(format!(
            "{due} complaints were still open and unanswered six months after they were received, \
             so a letter explaining the delay was owed (complaints answered, withdrawn or declined \
             before then owe none){missed}."
        ));
    }
    out
}

/// Assemble the report from the board report for the year and the year-end early warnings.
pub fn build(
    trust: &str,
    year: i32,
    r: &BoardReport,
    warnings: &EarlyWarning,
    actions: Vec<Action>,
) -> AnnualReport {
    let a = &r.current;
    let o = &a.outcomes;
    AnnualReport {
        trust: trust.to_string(),
        financial_year: Period::financial_year_label(year),
        period: a.period,
        complaints_received: a.volumes.complaints,
        pals_concerns_received: a.volumes.pals_concerns,
        responses_sent: o.responded,
        decided_well_founded: o.well_founded,
        upheld: o.upheld,
        partially_upheld: o.partially_upheld,
        not_upheld: o.not_upheld,
        well_founded_pct: o.well_founded_pct,
        referred_to_ombudsman: a.ombudsman.referred,
        subjects: a.volumes.by_subject.clone(),
        matters_of_general_importance: matters(r, warnings),
        actions_taken: actions,
        suppressed_below: r.suppressed_below,
        how_counted: HOW_COUNTED.to_vec(),
    }
}

/// The HTML page's context: the report with its numbers written out.
pub fn page_context(r: &AnnualReport) -> serde_json::Value {
    let below = r.suppressed_below.unwrap_or(0);
    let n = |v: Option<i64>| v.map_or_else(|| format!("fewer than {below}"), |v| v.to_string());
    let figures = [
        ("Complaints received", n(r.complaints_received)),
        (
            "Complaints decided well-founded (upheld or partially upheld)",
            n(r.decided_well_founded),
        ),
        ("of which upheld", n(r.upheld)),
        ("of which partially upheld", n(r.partially_upheld)),
        ("Complaints not upheld", n(r.not_upheld)),
        (
            "Complaints the trust was told had been referred to the Parliamentary and Health Service Ombudsman",
            n(r.referred_to_ombudsman),
        ),
        (
            "Concerns raised with PALS (not formal complaints)",
            n(r.pals_concerns_received),
        ),
    ];
    serde_json::json!({
        "r": r,
        "from": r.period.from.format("%-d %B %Y").to_string(),
        "to": r.period.to.format("%-d %B %Y").to_string(),
        "figures": figures
            .iter()
            .map(|(label, value)| serde_json::json!({"label": label, "value": value}))
            .collect::<Vec<_>>(),
        "subjects": r
            .subjects
            .iter()
            .map(|s| serde_json::json!({"label": s.label, "value": n(s.count)}))
            .collect::<Vec<_>>(),
    })
}

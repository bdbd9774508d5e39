//! SPC charts of complaints data (characteristics 15A, 15B): monthly series with XmR limits,
//! the Making Data Count rules, variation and assurance icons, and the early-warning list of
//! series whose latest month shows special cause of concern.

use std::collections::BTreeMap;

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::period::month_start;
use super::suppress::Suppression;
use super::tree::Tree;
use crate::config::ReportSettings;
use crate::db::report_queries::{self as q, Scope};
use crate::db::{DbConnection, services as service_rows, taxonomy};
use crate::domain::case::CaseKind;
use crate::domain::spc::{self, Assurance, Direction, Limits, Rule, Side, SpcRules, Variation};
use crate::error::{AppError, AppResult};

/// What a series measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Formal complaints received in the month.
    ComplaintsReceived,
    /// PALS concerns received in the month.
    PalsConcernsReceived,
    /// % of complaints received in the month acknowledged within 3 working days.
    AcknowledgedOnTime,
    /// % of complaints responded to in the month by the agreed date.
    RespondedOnTime,
}

impl Metric {
    pub const ALL: [Metric; 4] = [
        Metric::ComplaintsReceived,
        Metric::PalsConcernsReceived,
        Metric::AcknowledgedOnTime,
        Metric::RespondedOnTime,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Self::ComplaintsReceived => "Complaints received",
            Self::PalsConcernsReceived => "PALS concerns received",
            Self::AcknowledgedOnTime => "Complaints acknowledged within 3 working days (%)",
            Self::RespondedOnTime => "Complaints responded to by the agreed date (%)",
        }
    }

    fn is_percent(self) -> bool {
        matches!(self, Self::AcknowledgedOnTime | Self::RespondedOnTime)
    }
}

/// How a metric is split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum By {
    /// One series for the trust.
    #[default]
    Trust,
    /// One series per KO41a subject area (aspects).
    Subject,
    /// One series per service cases are recorded against.
    Service,
}

/// A rule a point trips.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct Signal {
    pub rule: Rule,
    pub side: Side,
}

/// One month of a series.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Point {
    /// The first day of the month.
    pub month: NaiveDate,
    /// `null` when there is nothing to measure (a percentage of nothing) or the count is
    /// suppressed for the reader.
    pub value: Option<f64>,
    /// For percentages: how many complaints the percentage is of (`null` when suppressed).
    pub denominator: Option<i64>,
    pub signals: Vec<Signal>,
    pub variation: Variation,
}

/// One chart.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Series {
    pub metric: Metric,
    /// The subject code or service id; `null` for the trust.
    pub key: Option<String>,
    pub label: String,
    /// `count` or `percent`.
    pub unit: String,
    pub direction: Direction,
    pub target: Option<f64>,
    /// `null` with fewer than two measured months, or when a month's value is suppressed for
    /// the reader (the centre line over the others would give the hidden value away).
    pub limits: Option<Limits>,
    /// False when fewer months than `min_points` were measured: read the limits with care.
    pub reliable: bool,
    pub points: Vec<Point>,
    /// The icon for the latest month.
    pub variation: Variation,
    pub assurance: Option<Assurance>,
}

/// The answer to `GET /api/v1/reports/spc`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SpcReport {
    pub metric: Metric,
    pub by: By,
    pub from_month: NaiveDate,
    pub to_month: NaiveDate,
    /// The rules in force (run lengths from config).
    pub shift_run: usize,
    pub trend_run: usize,
    pub series: Vec<Series>,
}

/// A series whose latest month shows special cause of concern.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Warning {
    pub metric: Metric,
    pub by: By,
    pub key: Option<String>,
    pub label: String,
    pub month: NaiveDate,
    pub value: Option<f64>,
    pub variation: Variation,
    pub rules: Vec<Rule>,
}

/// The answer to `GET /api/v1/reports/spc/early-warning`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EarlyWarning {
    pub from_month: NaiveDate,
    pub to_month: NaiveDate,
    /// Series checked.
    pub series_checked: usize,
    pub warnings: Vec<Warning>,
}

/// The months of a chart: `months` months ending with the month of `last`.
pub fn window(last: NaiveDate, months: u32) -> (NaiveDate, NaiveDate) {
    let to_month = month_start(last);
    let from_month = to_month
        .checked_sub_months(Months::new(months.saturating_sub(1)))
        .unwrap_or(to_month);
    (from_month, to_month)
}

/// The last day of the month starting `month`.
fn month_end(month: NaiveDate) -> NaiveDate {
    month
        .checked_add_months(Months::new(1))
        .and_then(|d| d.pred_opt())
        .unwrap_or(month)
}

fn month_index(from_month: NaiveDate, day: NaiveDate) -> Option<usize> {
    let m = (day.year() - from_month.year()) * 12 + day.month() as i32 - from_month.month() as i32;
    usize::try_from(m).ok()
}

/// Raw monthly measurements of one series: (numerator, denominator) per month; for counts the
/// denominator is unused.
type Raw = Vec<(i64, i64)>;

/// Fold daily rows into months.
fn fold(from_month: NaiveDate, n: usize, rows: impl Iterator<Item = (NaiveDate, i64, i64)>) -> Raw {
    let mut out = vec![(0i64, 0i64); n];
    for (day, num, den) in rows {
        if let Some(i) = month_index(from_month, day).filter(|i| *i < n) {
            out[i].0 += num;
            out[i].1 += den;
        }
    }
    out
}

/// How a metric's series are drawn: from which month, which way is better, its target, the
/// rules and the suppression of small numbers.
#[derive(Clone, Copy)]
struct Drawing<'a> {
    metric: Metric,
    from_month: NaiveDate,
    direction: Direction,
    target: Option<f64>,
    rules: &'a SpcRules,
    s: Suppression,
}

impl Drawing<'_> {
    /// The series of monthly measurements `raw` (numerator, denominator).
    fn series(&self, key: Option<String>, label: String, raw: &Raw) -> Series {
        let (metric, rules) = (self.metric, self.rules);
        let values: Vec<Option<f64>> = raw
            .iter()
            .map(|(num, den)| {
                if metric.is_percent() {
                    (*den > 0).then(|| (*num as f64) * 100.0 / (*den as f64))
                } else {
                    Some(*num as f64)
                }
            })
            .collect();
        let xs: Vec<f64> = values.iter().flatten().copied().collect();
        let limits = spc::limits(&xs, rules.screen_moving_ranges);
        let points = self.points(raw, &values, limits.as_ref());
        let variation = points
            .last()
            .map_or(Variation::CommonCause, |p| p.variation);
        let hidden = points
            .iter()
            .zip(&values)
            .any(|(p, v)| p.value.is_none() && v.is_some());
        Series {
            metric,
            key,
            label,
            unit: if metric.is_percent() {
                "percent"
            } else {
                "count"
            }
            .into(),
            direction: self.direction,
            target: self.target,
            reliable: xs.len() >= rules.min_points,
            assurance: limits
                .as_ref()
                .and_then(|l| spc::assurance(l, self.target, self.direction)),
            limits: limits.filter(|_| !hidden).map(|l| Limits {
                mean: round2(l.mean),
                mean_moving_range: round2(l.mean_moving_range),
                upper_process_limit: round2(l.upper_process_limit),
                lower_process_limit: round2(l.lower_process_limit),
                upper_two_sigma: round2(l.upper_two_sigma),
                lower_two_sigma: round2(l.lower_two_sigma),
            }),
            points,
            variation,
        }
    }

    /// A point a month: its value as shown (small numbers hidden), its signals and variation.
    fn points(
        &self,
        raw: &Raw,
        values: &[Option<f64>],
        limits: Option<&spc::Limits>,
    ) -> Vec<Point> {
        let (metric, s) = (self.metric, self.s);
        let measured: Vec<usize> = (0..values.len()).filter(|i| values[*i].is_some()).collect();
        let xs: Vec<f64> = values.iter().flatten().copied().collect();
        let mut signals: Vec<Vec<Signal>> = vec![Vec::new(); values.len()];
        if let Some(l) = limits {
            for (i, point) in measured.iter().zip(spc::signals(&xs, l, self.rules)) {
                signals[*i] = point
                    .into_iter()
                    .map(|(rule, side)| Signal { rule, side })
                    .collect();
            }
        }
        values
            .iter()
            .zip(raw)
            .zip(signals)
            .enumerate()
            .map(|(i, ((value, (num, den)), sig))| {
                let pairs: Vec<(Rule, Side)> = sig.iter().map(|x| (x.rule, x.side)).collect();
                let shown = if metric.is_percent() {
                    // A percentage and its denominator give the numerator and the rest: shown
                    // only when neither of those is a small count either.
                    let whole = [*den, *num, den - num].iter().all(|n| s.n(*n).is_some());
                    whole.then_some(*value).flatten().map(round1)
                } else {
                    s.n(*num).and(*value)
                };
                Point {
                    month: self
                        .from_month
                        .checked_add_months(Months::new(u32::try_from(i).unwrap_or(0)))
                        .unwrap_or(self.from_month),
                    value: shown,
                    denominator: metric.is_percent().then(|| s.n(*den)).flatten(),
                    variation: spc::variation(
                        &pairs,
                        self.direction,
                        limits.zip(values[i]).and_then(|(l, v)| spc::side_of(v, l)),
                        self.rules.precedence,
                    ),
                    signals: sig,
                }
            })
            .collect()
    }
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// Every series of `metric` split `by`, for the months [`from_month`, `to_month`].
#[allow(clippy::too_many_arguments)]
pub fn build(
    c: &mut DbConnection,
    settings: &ReportSettings,
    metric: Metric,
    by: By,
    from_month: NaiveDate,
    to_month: NaiveDate,
    today: NaiveDate,
    s: Suppression,
) -> AppResult<SpcReport> {
    if by != By::Trust && metric != Metric::ComplaintsReceived {
        return Err(AppError::invalid(
            "by",
            "only complaints_received can be split by subject or service",
        ));
    }
    let window = Window {
        from_month,
        months: month_index(from_month, to_month).map_or(1, |i| i + 1),
        from: from_month,
        to: month_end(to_month),
    };
    let rules = &settings.spc;
    let (direction, target) = match metric {
        Metric::ComplaintsReceived | Metric::PalsConcernsReceived => {
            (settings.volume_direction, None)
        }
        Metric::AcknowledgedOnTime => (
            Direction::HigherIsBetter,
            settings.acknowledged_on_time_target,
        ),
        Metric::RespondedOnTime => (Direction::HigherIsBetter, settings.responded_on_time_target),
    };
    let drawing = Drawing {
        metric,
        from_month,
        direction,
        target,
        rules,
        s,
    };
    let series_list = match by {
        By::Trust => vec![(
            None,
            metric.title().into(),
            trust_raw(c, metric, &window, today)?,
        )],
        By::Subject => by_subject(c, &window)?,
        By::Service => by_service(c, &window)?,
    }
    .into_iter()
    .map(|(key, label, raw)| drawing.series(key, label, &raw))
    .collect();
    Ok(SpcReport {
        metric,
        by,
        from_month,
        to_month,
        shift_run: rules.shift_run,
        trend_run: rules.trend_run,
        series: series_list,
    })
}

/// The months a report covers: from the first day of `from_month` to `to`, `months` of them.
struct Window {
    from_month: NaiveDate,
    months: usize,
    from: NaiveDate,
    to: NaiveDate,
}

impl Window {
    fn fold(&self, rows: impl Iterator<Item = (NaiveDate, i64, i64)>) -> Raw {
        fold(self.from_month, self.months, rows)
    }
}

/// The trust's monthly measurements of `metric`: counts, or on-time against all (the
/// acknowledgements not yet made count as late once their day has passed).
fn trust_raw(c: &mut DbConnection, metric: Metric, w: &Window, today: NaiveDate) -> AppResult<Raw> {
    let scope = Scope::default();
    Ok(match metric {
        Metric::ComplaintsReceived | Metric::PalsConcernsReceived => {
            let kind = if metric == Metric::ComplaintsReceived {
                CaseKind::Complaint
            } else {
                CaseKind::PalsConcern
            };
            let rows = q::received_per_day(c, kind, &scope, w.from, w.to)?;
            w.fold(rows.into_iter().map(|(d, k)| (d, k, 0)))
        }
        Metric::AcknowledgedOnTime => {
            let rows = q::acknowledgement_per_day(c, &scope, w.from, w.to)?;
            w.fold(
                rows.into_iter()
                    .filter_map(|(day, due, on, k)| match (due, on) {
                        (Some(due), Some(on)) => Some((day, if on <= due { k } else { 0 }, k)),
                        (_, Some(_)) => Some((day, 0, k)),
                        (Some(due), None) if due < today => Some((day, 0, k)),
                        _ => None,
                    }),
            )
        }
        Metric::RespondedOnTime => {
            let rows = q::responses_per_day(c, &scope, w.from, w.to)?;
            w.fold(
                rows.into_iter()
                    .filter_map(|(day, agreed, on_time)| day.map(|d| (d, on_time, agreed))),
            )
        }
    })
}

/// Complaints received a month by subject: (code, label, measurements) per subject.
fn by_subject(c: &mut DbConnection, w: &Window) -> AppResult<Vec<(Option<String>, String, Raw)>> {
    let labels: BTreeMap<String, String> = taxonomy::list(c, "subject_area")?
        .into_iter()
        .map(|i| (i.code, i.label))
        .collect();
    let mut per: BTreeMap<String, Vec<(NaiveDate, i64, i64)>> = BTreeMap::new();
    for (day, code, k) in q::received_per_day_by_subject(c, &Scope::default(), w.from, w.to)? {
        per.entry(code).or_default().push((day, k, 0));
    }
    Ok(per
        .into_iter()
        .map(|(code, rows)| {
            let label = labels
                .get(&code)
                .cloned()
                .unwrap_or_else(|| code.replace('_', " "));
            (Some(code), label, w.fold(rows.into_iter()))
        })
        .collect())
}

/// Complaints received a month by service: (id, name, measurements) per service.
fn by_service(c: &mut DbConnection, w: &Window) -> AppResult<Vec<(Option<String>, String, Raw)>> {
    let tree = Tree::new(service_rows::all(c)?);
    let mut per: BTreeMap<String, Vec<(NaiveDate, i64, i64)>> = BTreeMap::new();
    for (day, id, k) in q::received_per_day_by_service(c, w.from, w.to)? {
        per.entry(id).or_default().push((day, k, 0));
    }
    Ok(per
        .into_iter()
        .map(|(id, rows)| {
            let label = tree.get(&id).map_or_else(|| id.clone(), |r| r.name.clone());
            (Some(id), label, w.fold(rows.into_iter()))
        })
        .collect())
}

/// Check every series (each metric for the trust, complaints by subject and by service) and
/// list those whose latest month shows special cause of concern.
pub fn early_warning(
    c: &mut DbConnection,
    settings: &ReportSettings,
    from_month: NaiveDate,
    to_month: NaiveDate,
    today: NaiveDate,
    s: Suppression,
) -> AppResult<EarlyWarning> {
    let mut reports = Vec::new();
    for metric in Metric::ALL {
        reports.push(build(
            c,
            settings,
            metric,
            By::Trust,
            from_month,
            to_month,
            today,
            s,
        )?);
    }
    for by in [By::Subject, By::Service] {
        reports.push(build(
            c,
            settings,
            Metric::ComplaintsReceived,
            by,
            from_month,
            to_month,
            today,
            s,
        )?);
    }
    let mut checked = 0;
    let mut warnings = Vec::new();
    for r in &reports {
        for series in &r.series {
            checked += 1;
            let Some(last) = series.points.last() else {
                continue;
            };
            if series.variation.is_concerning() {
                warnings.push(Warning {
                    metric: series.metric,
                    by: r.by,
                    key: series.key.clone(),
                    label: series.label.clone(),
                    month: last.month,
                    value: last.value,
                    variation: series.variation,
                    rules: last.signals.iter().map(|x| x.rule).collect(),
                });
            }
        }
    }
    Ok(EarlyWarning {
        from_month,
        to_month,
        series_checked: checked,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn windows_end_with_the_given_month() {
        assert_eq!(
            window(d("2026-10-15"), 24),
            (d("2024-11-01"), d("2026-10-01"))
        );
        assert_eq!(month_end(d("2026-02-01")), d("2026-02-28"));
        assert_eq!(month_index(d("2025-11-01"), d("2026-01-31")), Some(2));
        assert_eq!(month_index(d("2025-11-01"), d("2025-10-31")), None);
    }

    #[test]
    fn a_jump_in_the_latest_month_is_a_concern_when_lower_is_better() {
        let mut raw: Raw = [10, 12, 9, 11, 10, 13, 8, 11, 10, 12, 9, 11]
            .iter()
            .map(|v| (*v, 0))
            .collect();
        raw.push((40, 0));
        let s = Drawing {
            metric: Metric::ComplaintsReceived,
            from_month: d("2025-01-01"),
            direction: Direction::LowerIsBetter,
            target: None,
            rules: &SpcRules::default(),
            s: Suppression::NONE,
        }
        .series(None, "x".into(), &raw);
        assert_eq!(s.variation, Variation::ConcerningHigh);
        assert!(s.reliable);
        assert_eq!(s.points.len(), 13);
        assert_eq!(s.points[12].month, d("2026-01-01"));
    }

    #[test]
    fn percentages_of_nothing_are_gaps_and_small_counts_are_hidden() {
        let raw: Raw = vec![(3, 4), (0, 0), (10, 10)];
        let s = Drawing {
            metric: Metric::AcknowledgedOnTime,
            from_month: d("2025-01-01"),
            direction: Direction::HigherIsBetter,
            target: Some(95.0),
            rules: &SpcRules::default(),
            s: Suppression { threshold: 5 },
        }
        .series(None, "x".into(), &raw);
        assert_eq!(s.points[0].value, None, "a percentage of 4 is hidden");
        assert_eq!(s.points[1].value, None);
        assert_eq!(s.points[2].value, Some(100.0));
        assert!(!s.reliable);
        assert!(
            s.limits.is_none(),
            "the mean would give the hidden month away"
        );
    }

    #[test]
    fn limits_show_when_nothing_is_hidden() {
        let series_for = |raw: Raw, s: Suppression| {
            Drawing {
                metric: Metric::ComplaintsReceived,
                from_month: d("2025-01-01"),
                direction: Direction::LowerIsBetter,
                target: None,
                rules: &SpcRules::default(),
                s,
            }
            .series(None, "x".into(), &raw)
        };
        let board = Suppression { threshold: 5 };
        let shown = series_for(vec![(12, 0), (0, 0), (9, 0), (15, 0)], board);
        assert_eq!(shown.points[1].value, Some(0.0), "zero is not suppressed");
        assert_eq!(shown.limits.map(|l| l.mean), Some(9.0));
        let hidden = series_for(vec![(12, 0), (3, 0), (9, 0)], board);
        assert_eq!(hidden.points[1].value, None);
        assert!(hidden.limits.is_none());
        let manager = series_for(vec![(12, 0), (3, 0), (9, 0)], Suppression::NONE);
        assert!(manager.limits.is_some());
    }

    #[test]
    fn a_percentage_is_hidden_when_its_count_or_the_rest_is_small() {
        let board = Suppression { threshold: 5 };
        // (acknowledged on time, due) per month.
        let raw: Raw = vec![(37, 40), (40, 40), (3, 40), (20, 40)];
        let shown = Drawing {
            metric: Metric::AcknowledgedOnTime,
            from_month: d("2025-01-01"),
            direction: Direction::HigherIsBetter,
            target: None,
            rules: &SpcRules::default(),
            s: board,
        }
        .series(None, "x".into(), &raw);
        let values: Vec<Option<f64>> = shown.points.iter().map(|p| p.value).collect();
        // 92.5 % of 40 gives 3 late; 7.5 % gives 3 on time; 100 % and 50 % give nothing small.
        assert_eq!(values, vec![None, Some(100.0), None, Some(50.0)]);
    }
}

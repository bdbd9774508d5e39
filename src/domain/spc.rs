//! Statistical process control the Making Data Count way (domain.md §9): XmR limits, the four
//! special-cause rules, variation and assurance icons. Pure functions over a series.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Which way is better for a measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    HigherIsBetter,
    LowerIsBetter,
    Neither,
}

/// Rule settings (⚠️ implementations differ: NHSRplotthedots uses 7, the NHS SQL engine 6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SpcRules {
    /// Consecutive points on one side of the mean that make a shift.
    pub shift_run: usize,
    /// Consecutive points each higher (or lower) than the one before that make a trend.
    pub trend_run: usize,
    /// Drop moving ranges above 3.267 × the mean moving range before setting limits.
    pub screen_moving_ranges: bool,
    /// Fewer points than this: limits are shown but flagged as unreliable.
    pub min_points: usize,
    /// How a special-cause point is classified when its rules point both ways.
    pub precedence: Precedence,
}

/// How a special-cause point is classified (domain.md §9.2: the sources disagree).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Precedence {
    /// NHSRplotthedots: by the point's own side of the mean, whichever rule fired, so a month
    /// beyond a limit on the side of concern is concern even at the end of an improving run.
    #[default]
    SideOfMean,
    /// The NHS FDP design system's colouring: the side of the first rule in the order trend,
    /// shift, two-of-three, single point.
    Fdp,
}

impl Default for SpcRules {
    fn default() -> Self {
        Self {
            shift_run: 7,
            trend_run: 7,
            screen_moving_ranges: false,
            min_points: 12,
            precedence: Precedence::SideOfMean,
        }
    }
}

/// Centre line and limits of an XmR chart.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct Limits {
    pub mean: f64,
    pub mean_moving_range: f64,
    pub upper_process_limit: f64,
    pub lower_process_limit: f64,
    /// The "close to the limit" lines (2σ).
    pub upper_two_sigma: f64,
    pub lower_two_sigma: f64,
}

/// XmR limits for `values`; `None` with fewer than two points.
pub fn limits(values: &[f64], screen: bool) -> Option<Limits> {
    if values.len() < 2 {
        return None;
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let ranges: Vec<f64> = values.windows(2).map(|w| (w[1] - w[0]).abs()).collect();
    let mut mr = ranges.iter().sum::<f64>() / ranges.len() as f64;
    if screen {
        let kept: Vec<f64> = ranges
            .iter()
            .copied()
            .filter(|r| *r <= 3.267 * mr)
            .collect();
        if !kept.is_empty() {
            mr = kept.iter().sum::<f64>() / kept.len() as f64;
        }
    }
    Some(Limits {
        mean,
        mean_moving_range: mr,
        upper_process_limit: mean + 2.66 * mr,
        lower_process_limit: mean - 2.66 * mr,
        upper_two_sigma: mean + 2.66 * 2.0 / 3.0 * mr,
        lower_two_sigma: mean - 2.66 * 2.0 / 3.0 * mr,
    })
}

/// The four rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// A point outside the process limits.
    Astronomical,
    /// A run of points on one side of the mean.
    Shift,
    /// A run of points each higher (or lower) than the last.
    Trend,
    /// Two of three points beyond the 2σ line on the same side.
    TwoOfThree,
}

/// Above or below the mean (for a trend: rising or falling).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    High,
    Low,
}

/// The rules a point trips, with the side of each.
pub type PointSignals = Vec<(Rule, Side)>;

/// Which rules each point of `values` trips against `l`.
pub fn signals(values: &[f64], l: &Limits, rules: &SpcRules) -> Vec<PointSignals> {
    let mut marks = Marks(vec![Vec::new(); values.len()]);
    for (i, v) in values.iter().enumerate() {
        if *v > l.upper_process_limit {
            marks.mark(i, Rule::Astronomical, Side::High);
        } else if *v < l.lower_process_limit {
            marks.mark(i, Rule::Astronomical, Side::Low);
        }
    }
    shifts(&mut marks, values, l, rules.shift_run);
    trends(&mut marks, values, rules.trend_run);
    two_of_three(&mut marks, values, l);
    marks.0
}

/// The rules each point trips, as they are found.
struct Marks(Vec<PointSignals>);

impl Marks {
    fn mark(&mut self, i: usize, rule: Rule, side: Side) {
        if !self.0[i].contains(&(rule, side)) {
            self.0[i].push((rule, side));
        }
    }
}

/// Which side of the mean `v` is on (`None` on it).
pub fn side_of(v: f64, l: &Limits) -> Option<Side> {
    if v > l.mean {
        Some(Side::High)
    } else if v < l.mean {
        Some(Side::Low)
    } else {
        None
    }
}

/// Shift: maximal runs of at least `run` points strictly above or strictly below the mean.
fn shifts(marks: &mut Marks, values: &[f64], l: &Limits, run: usize) {
    let n = values.len();
    let mut start = 0;
    while start < n {
        let Some(side) = side_of(values[start], l) else {
            start += 1;
            continue;
        };
        let mut end = start;
        while end + 1 < n && side_of(values[end + 1], l) == Some(side) {
            end += 1;
        }
        if end - start + 1 >= run {
            for i in start..=end {
                marks.mark(i, Rule::Shift, side);
            }
        }
        start = end + 1;
    }
}

/// Trend: maximal runs of at least `run` strictly rising (or falling) points.
fn trends(marks: &mut Marks, values: &[f64], run: usize) {
    let n = values.len();
    for side in [Side::High, Side::Low] {
        let step = |a: f64, b: f64| match side {
            Side::High => b > a,
            Side::Low => b < a,
        };
        let mut s = 0;
        while s < n {
            let mut e = s;
            while e + 1 < n && step(values[e], values[e + 1]) {
                e += 1;
            }
            if e - s + 1 >= run {
                for i in s..=e {
                    marks.mark(i, Rule::Trend, side);
                }
            }
            s = e + 1;
        }
    }
}

/// Two of three beyond 2σ (inside the limits), all three on the same side of the mean.
fn two_of_three(marks: &mut Marks, values: &[f64], l: &Limits) {
    for w in 0..values.len().saturating_sub(2) {
        for side in [Side::High, Side::Low] {
            let window = &values[w..w + 3];
            if !window.iter().all(|v| side_of(*v, l) == Some(side)) {
                continue;
            }
            let close = |v: f64| match side {
                Side::High => v > l.upper_two_sigma && v <= l.upper_process_limit,
                Side::Low => v < l.lower_two_sigma && v >= l.lower_process_limit,
            };
            if window.iter().filter(|v| close(**v)).count() >= 2 {
                for (k, v) in window.iter().enumerate() {
                    if close(*v) {
                        marks.mark(w + k, Rule::TwoOfThree, side);
                    }
                }
            }
        }
    }
}

/// The variation icon for a point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Variation {
    CommonCause,
    ImprovingHigh,
    ImprovingLow,
    ConcerningHigh,
    ConcerningLow,
    NeitherHigh,
    NeitherLow,
}

impl Variation {
    pub fn is_concerning(self) -> bool {
        matches!(self, Self::ConcerningHigh | Self::ConcerningLow)
    }

    /// The MDC colour of the icon.
    pub fn colour(self) -> &'static str {
        match self {
            Self::CommonCause => "#A6A6A6",
            Self::ImprovingHigh | Self::ImprovingLow => "#00B0F0",
            Self::ConcerningHigh | Self::ConcerningLow => "#E46C0A",
            Self::NeitherHigh | Self::NeitherLow => "#490092",
        }
    }
}

/// Classify a point's signals against the improvement direction. `value_side` is the point's
/// own side of the mean (`None` on it). Under [`Precedence::SideOfMean`] a special-cause point
/// is classified by it; under [`Precedence::Fdp`] by the first rule in the order trend, shift,
/// two-of-three, single point.
pub fn variation(
    point: &PointSignals,
    direction: Direction,
    value_side: Option<Side>,
    precedence: Precedence,
) -> Variation {
    let order = [
        Rule::Trend,
        Rule::Shift,
        Rule::TwoOfThree,
        Rule::Astronomical,
    ];
    let Some(by_rule) = order
        .iter()
        .find_map(|rule| point.iter().find(|(r, _)| r == rule).map(|(_, s)| *s))
    else {
        return Variation::CommonCause;
    };
    let side = match precedence {
        Precedence::SideOfMean => value_side.unwrap_or(by_rule),
        Precedence::Fdp => by_rule,
    };
    match (direction, side) {
        (Direction::Neither, Side::High) => Variation::NeitherHigh,
        (Direction::Neither, Side::Low) => Variation::NeitherLow,
        (Direction::HigherIsBetter, Side::High) => Variation::ImprovingHigh,
        (Direction::HigherIsBetter, Side::Low) => Variation::ConcerningLow,
        (Direction::LowerIsBetter, Side::Low) => Variation::ImprovingLow,
        (Direction::LowerIsBetter, Side::High) => Variation::ConcerningHigh,
    }
}

/// Whether a target will be met, judged from the process limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Assurance {
    /// The process consistently meets the target.
    Pass,
    /// Sometimes meets it, sometimes not.
    HitAndMiss,
    /// Consistently fails it.
    Fail,
}

/// Assurance against `target`; `None` without a target or a direction.
pub fn assurance(l: &Limits, target: Option<f64>, direction: Direction) -> Option<Assurance> {
    let target = target?;
    match direction {
        Direction::Neither => None,
        Direction::HigherIsBetter if target < l.lower_process_limit => Some(Assurance::Pass),
        Direction::HigherIsBetter if target > l.upper_process_limit => Some(Assurance::Fail),
        Direction::LowerIsBetter if target > l.upper_process_limit => Some(Assurance::Pass),
        Direction::LowerIsBetter if target < l.lower_process_limit => Some(Assurance::Fail),
        _ => Some(Assurance::HitAndMiss),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> SpcRules {
        SpcRules::default()
    }

    const BASE: [f64; 12] = [
        10.0, 12.0, 9.0, 11.0, 10.0, 13.0, 8.0, 11.0, 10.0, 12.0, 9.0, 11.0,
    ];

    #[test]
    fn limits_are_mean_plus_minus_2_66_mean_moving_range() {
        let l = limits(&[1.0, 3.0, 2.0, 4.0], false).unwrap();
        assert!((l.mean - 2.5).abs() < 1e-9);
        assert!((l.mean_moving_range - 5.0 / 3.0).abs() < 1e-9);
        assert!((l.upper_process_limit - (2.5 + 2.66 * 5.0 / 3.0)).abs() < 1e-9);
        assert!(limits(&[1.0], false).is_none());
        let flat = limits(&[5.0, 5.0, 5.0], false).unwrap();
        assert_eq!(flat.upper_process_limit, flat.lower_process_limit);
    }

    #[test]
    fn common_cause_series_trips_nothing() {
        let l = limits(&BASE, false).unwrap();
        assert!(signals(&BASE, &l, &rules()).iter().all(Vec::is_empty));
    }

    #[test]
    fn an_astronomical_point() {
        let mut v = BASE.to_vec();
        v.push(40.0);
        let l = limits(&BASE, false).unwrap();
        let s = signals(&v, &l, &rules());
        assert_eq!(s[12], vec![(Rule::Astronomical, Side::High)]);
        assert_eq!(
            variation(
                &s[12],
                Direction::LowerIsBetter,
                Some(Side::High),
                Precedence::SideOfMean
            ),
            Variation::ConcerningHigh
        );
        assert_eq!(
            variation(
                &s[12],
                Direction::HigherIsBetter,
                Some(Side::High),
                Precedence::SideOfMean
            ),
            Variation::ImprovingHigh
        );
        assert_eq!(
            variation(
                &s[12],
                Direction::Neither,
                Some(Side::High),
                Precedence::SideOfMean
            ),
            Variation::NeitherHigh
        );
    }

    #[test]
    fn a_month_beyond_the_limit_at_the_end_of_a_falling_run_is_concern_by_default() {
        // Lower is better. Seven months falling, then one far above the upper limit: the
        // spike trips the single-point rule high while the falling run marks the trend low.
        let base: Vec<f64> = BASE.to_vec();
        let l = limits(&base, false).unwrap();
        let mut v = base;
        v.extend([14.0, 13.0, 12.0, 11.0, 10.0, 9.0, 8.0]);
        let spike = l.upper_process_limit + 20.0;
        v.push(spike);
        let s = signals(&v, &l, &rules());
        let last = s.last().unwrap();
        assert!(last.contains(&(Rule::Astronomical, Side::High)), "{last:?}");
        let point = vec![(Rule::Trend, Side::Low), (Rule::Astronomical, Side::High)];
        assert_eq!(
            variation(
                &point,
                Direction::LowerIsBetter,
                Some(Side::High),
                Precedence::SideOfMean
            ),
            Variation::ConcerningHigh,
            "NHSRplotthedots: by the point's side of the mean"
        );
        assert_eq!(
            variation(
                &point,
                Direction::LowerIsBetter,
                Some(Side::High),
                Precedence::Fdp
            ),
            Variation::ImprovingLow,
            "FDP precedence: the trend wins"
        );
        // A point below the mean in a rising run, lower better: improving by its side.
        let point = vec![(Rule::Trend, Side::High)];
        assert_eq!(
            variation(
                &point,
                Direction::LowerIsBetter,
                Some(Side::Low),
                Precedence::SideOfMean
            ),
            Variation::ImprovingLow
        );
        assert_eq!(
            variation(
                &Vec::new(),
                Direction::LowerIsBetter,
                Some(Side::High),
                Precedence::SideOfMean
            ),
            Variation::CommonCause
        );
    }

    #[test]
    fn a_shift_of_seven() {
        let l = limits(&BASE, false).unwrap();
        let mut v = BASE.to_vec();
        v.extend([9.0, 11.0, 10.9, 11.2, 10.8, 11.1, 10.9]);
        assert!(
            signals(&v, &l, &rules())
                .iter()
                .all(|p| !p.iter().any(|(r, _)| *r == Rule::Shift)),
            "six is not enough"
        );
        v.push(11.3);
        let s = signals(&v, &l, &rules());
        assert!(s[v.len() - 1].contains(&(Rule::Shift, Side::High)));
        assert!(s[v.len() - 7].contains(&(Rule::Shift, Side::High)));
        // A point exactly on the mean breaks the run.
        let mut broken = v.clone();
        broken[v.len() - 4] = l.mean;
        assert!(
            !signals(&broken, &l, &rules())[v.len() - 1]
                .iter()
                .any(|(r, _)| *r == Rule::Shift)
        );
    }

    #[test]
    fn a_trend_of_seven() {
        let l = limits(&BASE, false).unwrap();
        let mut v = BASE.to_vec();
        v.extend([8.0, 8.5, 9.0, 9.5, 10.0, 10.5, 11.0]);
        let s = signals(&v, &l, &rules());
        assert!(s[v.len() - 1].contains(&(Rule::Trend, Side::High)));
        let short = SpcRules {
            trend_run: 8,
            ..rules()
        };
        assert!(
            !signals(&v, &l, &short)[v.len() - 1]
                .iter()
                .any(|(r, _)| *r == Rule::Trend)
        );
    }

    #[test]
    fn two_of_three_beyond_two_sigma() {
        let l = limits(&BASE, false).unwrap();
        let close = (l.upper_two_sigma + l.upper_process_limit) / 2.0;
        let mut v = BASE.to_vec();
        v.extend([close, l.mean + 0.1, close]);
        let s = signals(&v, &l, &rules());
        assert!(s[v.len() - 1].contains(&(Rule::TwoOfThree, Side::High)));
        assert!(s[v.len() - 3].contains(&(Rule::TwoOfThree, Side::High)));
        assert!(!s[v.len() - 2].iter().any(|(r, _)| *r == Rule::TwoOfThree));
    }

    #[test]
    fn assurance_against_a_target() {
        let l = limits(&BASE, false).unwrap();
        assert_eq!(
            assurance(&l, Some(0.0), Direction::HigherIsBetter),
            Some(Assurance::Pass)
        );
        assert_eq!(
            assurance(&l, Some(100.0), Direction::HigherIsBetter),
            Some(Assurance::Fail)
        );
        assert_eq!(
            assurance(&l, Some(l.mean), Direction::HigherIsBetter),
            Some(Assurance::HitAndMiss)
        );
        assert_eq!(
            assurance(&l, Some(100.0), Direction::LowerIsBetter),
            Some(Assurance::Pass)
        );
        assert_eq!(assurance(&l, None, Direction::LowerIsBetter), None);
        assert_eq!(assurance(&l, Some(1.0), Direction::Neither), None);
    }

    #[test]
    fn screening_drops_huge_moving_ranges() {
        let mut v = BASE.to_vec();
        v.push(100.0);
        let plain = limits(&v, false).unwrap();
        let screened = limits(&v, true).unwrap();
        assert!(screened.mean_moving_range < plain.mean_moving_range);
    }
}

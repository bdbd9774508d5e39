//! Charts for the board pack, drawn by Candour as inline SVG (no scripts, no external
//! assets): SPC charts in the Making Data Count colours and horizontal bar charts, each with a
//! title and a text description for screen readers.

use std::fmt::Write;

use super::spc::Series;
use crate::domain::spc::Variation;

/// Escape text for XML.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn fmt(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// Plain words for a variation icon.
pub fn variation_words(v: Variation) -> &'static str {
    match v {
        Variation::CommonCause => "common cause variation",
        Variation::ImprovingHigh => "special cause variation, improving (higher)",
        Variation::ImprovingLow => "special cause variation, improving (lower)",
        Variation::ConcerningHigh => "special cause variation of concern (higher)",
        Variation::ConcerningLow => "special cause variation of concern (lower)",
        Variation::NeitherHigh => "special cause variation (higher)",
        Variation::NeitherLow => "special cause variation (lower)",
    }
}

/// The text alternative of an SPC chart.
pub fn spc_description(s: &Series) -> String {
    let first = s
        .points
        .first()
        .map(|p| p.month.format("%B %Y").to_string());
    let last = s.points.last();
    let mut d = format!(
        "{}, {} to {}.",
        s.label,
        first.unwrap_or_default(),
        last.map(|p| p.month.format("%B %Y").to_string())
            .unwrap_or_default()
    );
    if let Some(p) = last {
        match p.value {
            Some(v) => {
                let _ = write!(d, " Latest month: {}.", fmt(v));
            }
            None => d.push_str(" Latest month: not shown."),
        }
    }
    if let Some(l) = &s.limits {
        let _ = write!(
            d,
            " Mean {}, process limits {} to {}.",
            fmt(l.mean),
            fmt(l.lower_process_limit.max(0.0)),
            fmt(l.upper_process_limit)
        );
    }
    if let Some(t) = s.target {
        let _ = write!(d, " Target {}.", fmt(t));
    }
    let _ = write!(
        d,
        " The latest month shows {}.",
        variation_words(s.variation)
    );
    d
}

/// The chart area of an SPC chart: its size, margins and the value range shown.
struct Frame {
    lo: f64,
    hi: f64,
    /// Points across the chart.
    n: usize,
}

impl Frame {
    const W: f64 = 640.0;
    const H: f64 = 220.0;
    const L: f64 = 44.0;
    const R: f64 = 28.0;
    const T: f64 = 12.0;
    const B: f64 = 30.0;

    /// The range of `s`: its values, limits and target; 0–100 for percentages, from 0 for counts.
    fn of(s: &Series) -> Self {
        let values: Vec<f64> = s.points.iter().filter_map(|p| p.value).collect();
        let mut lo = values.iter().copied().fold(f64::INFINITY, f64::min);
        let mut hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if let Some(l) = &s.limits {
            lo = lo.min(l.lower_process_limit.max(0.0));
            hi = hi.max(l.upper_process_limit);
        }
        if let Some(t) = s.target {
            lo = lo.min(t);
            hi = hi.max(t);
        }
        if !lo.is_finite() || !hi.is_finite() {
            lo = 0.0;
            hi = 1.0;
        }
        if s.unit == "percent" {
            // Percentages always on a 0–100 axis: honest, and stable when points are hidden.
            lo = 0.0;
            hi = 100.0;
        }
        if s.unit == "count" {
            lo = lo.min(0.0);
        }
        if (hi - lo).abs() < 1e-9 {
            hi = lo + 1.0;
        }
        Self {
            lo,
            hi,
            n: s.points.len().max(1),
        }
    }

    fn x(&self, i: usize) -> f64 {
        let (l, r, w) = (Self::L, Self::R, Self::W);
        if self.n == 1 {
            l + (w - l - r) / 2.0
        } else {
            l + (w - l - r) * i as f64 / (self.n - 1) as f64
        }
    }

    fn y(&self, v: f64) -> f64 {
        Self::T + (Self::H - Self::T - Self::B) * (1.0 - (v - self.lo) / (self.hi - self.lo))
    }

    fn shows(&self, v: f64) -> bool {
        v >= self.lo && v <= self.hi
    }
}

/// An SPC chart of `s`, `id` making its title and description ids unique on the page.
pub fn spc_chart(s: &Series, id: &str) -> String {
    let (w, h) = (Frame::W, Frame::H);
    let f = Frame::of(s);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-labelledby="{id}-t {id}-d"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        esc(&s.label),
        esc(&spc_description(s))
    );
    axes(&mut svg, &f, s);
    lines(&mut svg, &f, s);
    points(&mut svg, &f, s);
    svg.push_str("</svg>");
    svg
}

/// The axes, the value ticks and the month labels (at most about eight).
fn axes(svg: &mut String, f: &Frame, s: &Series) {
    let (l, t, bottom, right) = (Frame::L, Frame::T, Frame::H - Frame::B, Frame::W - Frame::R);
    let _ = write!(
        svg,
        r##"<line x1="{l}" y1="{t}" x2="{l}" y2="{bottom}" stroke="#768692"/><line x1="{l}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#768692"/>"##,
    );
    for v in [f.lo, (f.lo + f.hi) / 2.0, f.hi] {
        let _ = write!(
            svg,
            r##"<text x="{}" y="{}" font-size="10" text-anchor="end" fill="#425563">{}</text>"##,
            l - 4.0,
            f.y(v) + 3.0,
            fmt(v)
        );
    }
    let step = f.n.div_ceil(8).max(1);
    for (i, p) in s.points.iter().enumerate() {
        if i % step == 0 || i + 1 == f.n {
            let _ = write!(
                svg,
                r##"<text x="{}" y="{}" font-size="10" text-anchor="middle" fill="#425563">{}</text>"##,
                f.x(i),
                bottom + 14.0,
                p.month.format("%b %y")
            );
        }
    }
}

/// The process limits and mean (when shown), and the target.
fn lines(svg: &mut String, f: &Frame, s: &Series) {
    let (l, right) = (Frame::L, Frame::W - Frame::R);
    if let Some(limits) = &s.limits {
        for (v, colour, dash) in [
            (limits.upper_process_limit, "#A6A6A6", "4 3"),
            (limits.lower_process_limit, "#A6A6A6", "4 3"),
            (limits.mean, "#000000", ""),
        ] {
            if f.shows(v) {
                let _ = write!(
                    svg,
                    r#"<line x1="{l}" y1="{y:.1}" x2="{right}" y2="{y:.1}" stroke="{colour}" stroke-dasharray="{dash}"/>"#,
                    y = f.y(v)
                );
            }
        }
    }
    if let Some(target) = s.target {
        let _ = write!(
            svg,
            r##"<line x1="{l}" y1="{y:.1}" x2="{right}" y2="{y:.1}" stroke="#DE1B1B" stroke-dasharray="2 2"/>"##,
            y = f.y(target)
        );
    }
}

/// The data line, broken at gaps, and a point per month coloured by its variation.
fn points(svg: &mut String, f: &Frame, s: &Series) {
    let mut path = String::new();
    let mut pen_down = false;
    for (i, p) in s.points.iter().enumerate() {
        match p.value {
            Some(v) => {
                let pen = if pen_down { "L" } else { "M" };
                let _ = write!(path, "{pen}{:.1},{:.1} ", f.x(i), f.y(v));
                pen_down = true;
            }
            None => pen_down = false,
        }
    }
    if !path.is_empty() {
        let _ = write!(
            svg,
            r##"<path d="{}" fill="none" stroke="#425563" stroke-width="1.5"/>"##,
            path.trim_end()
        );
    }
    for (i, p) in s.points.iter().enumerate() {
        if let Some(v) = p.value {
            let _ = write!(
                svg,
                r#"<circle cx="{:.1}" cy="{:.1}" r="3.5" fill="{}"><title>{}: {}</title></circle>"#,
                f.x(i),
                f.y(v),
                p.variation.colour(),
                p.month.format("%B %Y"),
                fmt(v)
            );
        }
    }
}

/// A horizontal bar chart of labelled counts (`None`: suppressed, drawn as a note).
pub fn bar_chart(title: &str, id: &str, rows: &[(String, Option<i64>)]) -> String {
    const W: f64 = 640.0;
    const ROW: f64 = 22.0;
    const LABEL: f64 = 260.0;
    let h = ROW * rows.len().max(1) as f64 + 8.0;
    let max = rows
        .iter()
        .filter_map(|(_, n)| *n)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let described: Vec<String> = rows
        .iter()
        .map(|(label, n)| match n {
            Some(n) => format!("{label}: {n}"),
            None => format!("{label}: fewer than the suppression threshold"),
        })
        .collect();
    let desc = if rows.is_empty() {
        "No data.".to_string()
    } else {
        format!("{}.", described.join("; "))
    };
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {W} {h}" width="{W}" height="{h}" role="img" aria-labelledby="{id}-t {id}-d"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        esc(title),
        esc(&desc)
    );
    for (i, (label, n)) in rows.iter().enumerate() {
        let top = 4.0 + ROW * i as f64;
        let _ = write!(
            svg,
            r##"<text x="{}" y="{}" font-size="11" text-anchor="end" fill="#212b32">{}</text>"##,
            LABEL - 6.0,
            top + 14.0,
            esc(label)
        );
        match n {
            Some(n) => {
                let w = (W - LABEL - 50.0) * (*n as f64) / max;
                let _ = write!(
                    svg,
                    r##"<rect x="{LABEL}" y="{}" width="{w:.1}" height="{}" fill="#005eb8"/><text x="{}" y="{}" font-size="11" fill="#212b32">{n}</text>"##,
                    top + 3.0,
                    ROW - 8.0,
                    LABEL + w + 4.0,
                    top + 14.0
                );
            }
            None => {
                let _ = write!(
                    svg,
                    r##"<text x="{LABEL}" y="{}" font-size="11" font-style="italic" fill="#425563">suppressed (small number)</text>"##,
                    top + 14.0
                );
            }
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_escape_labels_and_describe_suppression() {
        let svg = bar_chart(
            "Themes",
            "t",
            &[("A & B".into(), Some(3)), ("<C>".into(), None)],
        );
        assert!(svg.contains("A &amp; B"));
        assert!(svg.contains("&lt;C&gt;"));
        assert!(svg.contains(
            "<desc id=\"t-d\">A &amp; B: 3; &lt;C&gt;: fewer than the suppression threshold.</desc>"
        ));
        assert!(!svg.contains("<script"));
    }
}

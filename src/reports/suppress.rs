//! Small-number suppression: for the board role, counts from 1 to `threshold − 1` are hidden
//! (shown as `null`), and percentages built on a hidden count are hidden too.

/// How counts are shown to the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Suppression {
    /// Counts below this (and above zero) are hidden; 0 means no suppression.
    pub threshold: i64,
}

impl Suppression {
    pub const NONE: Suppression = Suppression { threshold: 0 };

    pub fn applies(&self) -> bool {
        self.threshold > 1
    }

    /// A count as shown: `None` when hidden.
    pub fn n(&self, value: i64) -> Option<i64> {
        (!(value > 0 && value < self.threshold)).then_some(value)
    }

    /// `num / den` as a percentage with one decimal: `None` when `den` is 0 or either count
    /// is hidden.
    pub fn pct(&self, num: i64, den: i64) -> Option<f64> {
        if den == 0 || self.n(num).is_none() || self.n(den).is_none() {
            return None;
        }
        Some(((num as f64) * 1000.0 / (den as f64)).round() / 10.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_one_to_four_are_hidden() {
        let s = Suppression { threshold: 5 };
        assert_eq!(s.n(0), Some(0));
        assert_eq!(s.n(1), None);
        assert_eq!(s.n(4), None);
        assert_eq!(s.n(5), Some(5));
        assert_eq!(s.pct(3, 10), None);
        assert_eq!(s.pct(5, 10), Some(50.0));
        assert_eq!(s.pct(5, 0), None);
        assert_eq!(Suppression::NONE.n(1), Some(1));
        assert_eq!(Suppression::NONE.pct(1, 3), Some(33.3));
    }
}

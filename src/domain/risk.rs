//! The NPSA 5×5 risk matrix: consequence × likelihood → grade.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RiskGrade {
    Low,
    Moderate,
    High,
    Extreme,
}

impl RiskGrade {
    pub const ALL: [RiskGrade; 4] = [Self::Low, Self::Moderate, Self::High, Self::Extreme];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Moderate => "moderate",
            Self::High => "high",
            Self::Extreme => "extreme",
        }
    }

    /// Grade a consequence and likelihood, each 1 to 5.
    pub fn from_scores(consequence: i32, likelihood: i32) -> Result<Self, String> {
        if !(1..=5).contains(&consequence) {
            return Err("consequence must be 1 to 5".into());
        }
        if !(1..=5).contains(&likelihood) {
            return Err("likelihood must be 1 to 5".into());
        }
        Ok(match consequence * likelihood {
            1..=3 => Self::Low,
            4..=6 => Self::Moderate,
            8..=12 => Self::High,
            _ => Self::Extreme,
        })
    }

    /// The score range of the grade (`(min, max)`), for the taxonomy.
    pub fn score_range(self) -> (i32, i32) {
        match self {
            Self::Low => (1, 3),
            Self::Moderate => (4, 6),
            Self::High => (8, 12),
            Self::Extreme => (15, 25),
        }
    }
}

impl TryFrom<String> for RiskGrade {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl std::str::FromStr for RiskGrade {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|g| g.as_str() == s)
            .ok_or_else(|| format!("unknown risk grade {s:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_bands() {
        let g = |c, l| RiskGrade::from_scores(c, l).unwrap();
        assert_eq!(g(1, 3), RiskGrade::Low);
        assert_eq!(g(2, 2), RiskGrade::Moderate);
        assert_eq!(g(3, 2), RiskGrade::Moderate);
        assert_eq!(g(2, 4), RiskGrade::High);
        assert_eq!(g(3, 4), RiskGrade::High);
        assert_eq!(g(5, 3), RiskGrade::Extreme);
        assert_eq!(g(5, 5), RiskGrade::Extreme);
        assert!(RiskGrade::from_scores(0, 3).is_err());
        assert!(RiskGrade::from_scores(3, 6).is_err());
        for c in 1..=5 {
            for l in 1..=5 {
                let (lo, hi) = g(c, l).score_range();
                assert!((lo..=hi).contains(&(c * l)));
            }
        }
    }
}

//! Referrals to the Parliamentary and Health Service Ombudsman (PHSO) and its decisions; the
//! number referred is reported each year (reg 18).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::case::string_enum;

/// What the PHSO decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PhsoDecision {
    /// The PHSO decided not to investigate.
    NotInvestigated,
    Upheld,
    PartlyUpheld,
    NotUpheld,
}
string_enum!(PhsoDecision {
    NotInvestigated => "not_investigated",
    Upheld => "upheld",
    PartlyUpheld => "partly_upheld",
    NotUpheld => "not_upheld",
});

impl PhsoDecision {
    /// Only an upheld or partly upheld complaint comes with recommendations to meet.
    pub fn may_recommend(self) -> bool {
        matches!(self, Self::Upheld | Self::PartlyUpheld)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recommendations_follow_upheld_findings() {
        assert!(PhsoDecision::Upheld.may_recommend());
        assert!(PhsoDecision::PartlyUpheld.may_recommend());
        assert!(!PhsoDecision::NotUpheld.may_recommend());
        assert!(!PhsoDecision::NotInvestigated.may_recommend());
        assert_eq!(
            "partly_upheld".parse::<PhsoDecision>().unwrap(),
            PhsoDecision::PartlyUpheld
        );
    }
}

//! Coding lists: the editable KO41a and local lists, their code and label rules, and the
//! labels of the fixed vocabularies that live in code.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::case::{
    AspectOutcome, CaseKind, CaseStatus, ConsentStatus, Outcome, RepresentativeBasis,
};
use super::risk::RiskGrade;

const MAX_CODE_CHARS: usize = 48;
const MAX_LABEL_CHARS: usize = 200;

/// An editable coding list, stored as rows of `taxonomy_items`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaxonomyList {
    SubjectArea,
    ClinicalSubcategory,
    ServiceArea,
    Profession,
    ComplainantStatus,
    AgeBand,
    Channel,
}

impl TaxonomyList {
    pub const ALL: [TaxonomyList; 7] = [
        Self::SubjectArea,
        Self::ClinicalSubcategory,
        Self::ServiceArea,
        Self::Profession,
        Self::ComplainantStatus,
        Self::AgeBand,
        Self::Channel,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::SubjectArea => "subject_area",
            Self::ClinicalSubcategory => "clinical_subcategory",
            Self::ServiceArea => "service_area",
            Self::Profession => "profession",
            Self::ComplainantStatus => "complainant_status",
            Self::AgeBand => "age_band",
            Self::Channel => "channel",
        }
    }
}

impl std::fmt::Display for TaxonomyList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for TaxonomyList {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|l| l.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Self::ALL.iter().map(|l| l.as_str()).collect();
                format!(
                    "there is no coding list {s:?}; the lists are {}",
                    names.join(", ")
                )
            })
    }
}

/// Check an item code: lower snake_case (`a-z`, `0-9`, single `_` between words), at most 48.
pub fn parse_item_code(raw: &str) -> Result<String, String> {
    let code = raw.trim();
    if code.is_empty() {
        return Err("is required".into());
    }
    if code.chars().count() > MAX_CODE_CHARS {
        return Err(format!("must be at most {MAX_CODE_CHARS} characters"));
    }
    let words_ok = code.split('_').all(|w| {
        !w.is_empty()
            && w.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    });
    if !words_ok {
        return Err("must be lower snake_case, e.g. via_social_media".into());
    }
    Ok(code.to_string())
}

/// Trim and check an item label: 1 to 200 characters, no control characters.
pub fn parse_label(raw: &str) -> Result<String, String> {
    let label = raw.trim();
    if label.is_empty() {
        return Err("is required".into());
    }
    if label.chars().count() > MAX_LABEL_CHARS {
        return Err(format!("must be at most {MAX_LABEL_CHARS} characters"));
    }
    if label.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    Ok(label.to_string())
}

/// A code and its label, from a fixed vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term {
    pub code: &'static str,
    pub label: &'static str,
}

fn terms<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<Term> {
    all.iter()
        .map(|v| Term {
            code: code(*v),
            label: label(*v),
        })
        .collect()
}

/// Whole-case outcomes.
pub fn outcomes() -> Vec<Term> {
    terms(Outcome::ALL, Outcome::as_str, |o| match o {
        Outcome::Upheld => "Upheld",
        Outcome::PartiallyUpheld => "Partially upheld",
        Outcome::NotUpheld => "Not upheld",
    })
}

/// Findings on one aspect of a complaint.
pub fn aspect_outcomes() -> Vec<Term> {
    terms(AspectOutcome::ALL, AspectOutcome::as_str, |o| match o {
        AspectOutcome::Upheld => "Upheld",
        AspectOutcome::NotUpheld => "Not upheld",
    })
}

/// Why a representative complains for the patient (reg 5).
pub fn representative_bases() -> Vec<Term> {
    terms(
        RepresentativeBasis::ALL,
        RepresentativeBasis::as_str,
        |b| match b {
            RepresentativeBasis::Deceased => "The patient has died",
            RepresentativeBasis::Child => "The patient is a child",
            RepresentativeBasis::PhysicalIncapacity => {
                "The patient cannot complain because of physical incapacity"
            }
            RepresentativeBasis::LacksCapacity => {
                "The patient lacks capacity (Mental Capacity Act 2005)"
            }
            RepresentativeBasis::PatientRequest => "The patient asked the representative to act",
        },
    )
}

/// The patient's consent to a representative and to sharing information.
pub fn consent_statuses() -> Vec<Term> {
    terms(ConsentStatus::ALL, ConsentStatus::as_str, |c| match c {
        ConsentStatus::NotRequired => "Not required",
        ConsentStatus::Requested => "Requested",
        ConsentStatus::Received => "Received",
        ConsentStatus::Refused => "Refused",
        ConsentStatus::CannotBeObtained => "Cannot be obtained",
    })
}

/// Complaint or PALS concern.
pub fn case_kinds() -> Vec<Term> {
    terms(CaseKind::ALL, CaseKind::as_str, |k| match k {
        CaseKind::Complaint => "Complaint",
        CaseKind::PalsConcern => "PALS concern",
    })
}

/// Every case status.
pub fn case_statuses() -> Vec<Term> {
    terms(CaseStatus::ALL, CaseStatus::as_str, |s| match s {
        CaseStatus::Received => "Received",
        CaseStatus::Acknowledged => "Acknowledged",
        CaseStatus::Investigating => "Investigating",
        CaseStatus::Responded => "Responded",
        CaseStatus::Closed => "Closed",
        CaseStatus::Withdrawn => "Withdrawn",
        CaseStatus::Open => "Open",
        CaseStatus::Resolved => "Resolved",
        CaseStatus::Escalated => "Escalated to a complaint",
    })
}

/// The label of a risk grade (NPSA 5×5 matrix, domain.md §7.1).
pub fn risk_grade_label(grade: RiskGrade) -> &'static str {
    match grade {
        RiskGrade::Low => "Low",
        RiskGrade::Moderate => "Moderate",
        RiskGrade::High => "High",
        RiskGrade::Extreme => "Extreme",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_codes_are_lower_snake_case() {
        for good in ["via_social_media", "26_55", "85_plus", "x"] {
            assert_eq!(parse_item_code(good).unwrap(), good);
        }
        for bad in ["", "Via", "via-mp", "_x", "x_", "a__b", "a b", "é"] {
            assert!(parse_item_code(bad).is_err(), "{bad:?}");
        }
        assert!(parse_item_code(&"a".repeat(48)).is_ok());
        assert!(parse_item_code(&"a".repeat(49)).is_err());
    }

    #[test]
    fn labels() {
        assert_eq!(parse_label(" Social media ").unwrap(), "Social media");
        assert!(parse_label(" ").is_err());
        assert!(parse_label(&"x".repeat(201)).is_err());
    }

    #[test]
    fn lists_round_trip() {
        for list in TaxonomyList::ALL {
            assert_eq!(list.as_str().parse::<TaxonomyList>().unwrap(), list);
        }
        assert!(
            "colours"
                .parse::<TaxonomyList>()
                .unwrap_err()
                .contains("channel")
        );
    }

    #[test]
    fn every_fixed_value_has_a_label() {
        assert_eq!(outcomes().len(), Outcome::ALL.len());
        assert_eq!(case_statuses().len(), CaseStatus::ALL.len());
        for term in outcomes()
            .into_iter()
            .chain(aspect_outcomes())
            .chain(representative_bases())
            .chain(consent_statuses())
            .chain(case_kinds())
            .chain(case_statuses())
        {
            assert!(!term.label.is_empty(), "{}", term.code);
        }
    }
}

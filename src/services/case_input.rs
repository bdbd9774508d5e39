//! Validating what staff type about a case: people, coding, dates, risk. Shared by intake and
//! edits; every problem is reported against the field it concerns.

use std::collections::HashSet;

use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::db::persons::PersonFields;
use crate::db::services::ServiceRow;
use crate::db::taxonomy::TaxonomyItem;
use crate::domain::account;
use crate::domain::case::{ConsentStatus, ContactMethod, RepresentativeBasis};
use crate::domain::nhs_number;
use crate::domain::risk::RiskGrade;
use crate::error::{AppError, AppResult, FieldError};

pub const MAX_SUMMARY: usize = 200;
pub const MAX_TEXT: usize = 20_000;
const MAX_ADDRESS: usize = 500;

/// A person as typed in.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonInput {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub postal_address: Option<String>,
    pub preferred_contact: Option<ContactMethod>,
    /// Ten digits, spaces allowed; checked with modulus 11.
    pub nhs_number: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
}

/// The complainant and their regulation 15 consent to statutory letters by email.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComplainantInput {
    #[serde(flatten)]
    pub person: PersonInput,
    #[serde(default)]
    pub consents_to_email: bool,
    pub email_consent_on: Option<NaiveDate>,
}

/// Why someone else complains for the patient, and the patient's consent.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RepresentativeInput {
    pub basis: RepresentativeBasis,
    pub consent_status: ConsentStatus,
    pub consent_requested_on: Option<NaiveDate>,
    pub consent_received_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubjectInput {
    /// A `subject_area` code from the taxonomy.
    pub code: String,
    /// A `clinical_subcategory` code; required for `clinical_treatment`.
    pub subcategory: Option<String>,
    #[serde(default)]
    pub primary: bool,
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskInput {
    /// 1 (negligible) to 5 (catastrophic).
    pub consequence: i32,
    /// 1 (rare) to 5 (almost certain).
    pub likelihood: i32,
}

/// Collects field errors while checking.
#[derive(Default)]
pub struct Errors(pub Vec<FieldError>);

impl Errors {
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok` when nothing was wrong, else the 400 naming every field.
    pub fn done(self) -> AppResult<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(self.0))
        }
    }
}

/// Trim required text, checking length.
pub fn text(errors: &mut Errors, field: &str, raw: &str, max: usize, required: bool) -> String {
    let value = raw.trim();
    if required && value.is_empty() {
        errors.add(field, "is required");
    } else if value.chars().count() > max {
        errors.add(field, format!("must be at most {max} characters"));
    }
    value.to_string()
}

/// Trim optional text: blank becomes `None`; checks length.
pub fn optional_text(
    errors: &mut Errors,
    field: &str,
    raw: Option<&str>,
    max: usize,
) -> Option<String> {
    let value = raw.map(str::trim).filter(|v| !v.is_empty())?;
    if value.chars().count() > max {
        errors.add(field, format!("must be at most {max} characters"));
    }
    Some(value.to_string())
}

/// A date that must not be in the future nor absurdly old.
pub fn past_date(errors: &mut Errors, field: &str, day: NaiveDate, today: NaiveDate) {
    if day > today {
        errors.add(field, "must not be in the future");
    } else if day.year() < 1900 {
        errors.add(field, "is too far in the past");
    }
}

/// A day that must be `today` or earlier and not before `floor`, which the message names.
pub fn day_between(
    errors: &mut Errors,
    field: &str,
    day: NaiveDate,
    (floor, what): (NaiveDate, &str),
    today: NaiveDate,
) {
    past_date(errors, field, day, today);
    if day < floor {
        errors.add(field, format!("is before {what}"));
    }
}

/// A telephone number: at least six digits, and nothing but digits, spaces, `+`, `-` and
/// brackets.
fn phone(errors: &mut Errors, field: &str, raw: Option<&str>) -> Option<String> {
    let phone = optional_text(errors, field, raw, 32);
    if let Some(ph) = &phone {
        let ok = ph.chars().filter(char::is_ascii_digit).count() >= 6
            && ph
                .chars()
                .all(|c| c.is_ascii_digit() || " +-()".contains(c));
        if !ok {
            errors.add(field, "is not a telephone number");
        }
    }
    phone
}

/// Check a person; `prefix` names the object (`complainant`, `patient`).
pub fn person(
    errors: &mut Errors,
    prefix: &str,
    p: &PersonInput,
    today: NaiveDate,
    needs_contact: bool,
) -> PersonFields {
    let name = text(errors, &format!("{prefix}.name"), &p.name, 200, true);
    let email = optional_text(errors, &format!("{prefix}.email"), p.email.as_deref(), 254);
    if let Some(e) = &email
        && account::parse_email(e).is_err()
    {
        errors.add(format!("{prefix}.email"), "is not a valid email address");
    }
    let phone = phone(errors, &format!("{prefix}.phone"), p.phone.as_deref());
    let address = optional_text(
        errors,
        &format!("{prefix}.postal_address"),
        p.postal_address.as_deref(),
        MAX_ADDRESS,
    );
    if needs_contact && email.is_none() && phone.is_none() && address.is_none() {
        errors.add(
            prefix,
            "give at least one way to reach them: email, phone or postal address",
        );
    }
    if let Some(method) = p.preferred_contact {
        let has = match method {
            ContactMethod::Email => email.is_some(),
            ContactMethod::Phone => phone.is_some(),
            ContactMethod::Letter => address.is_some(),
        };
        if !has {
            errors.add(
                format!("{prefix}.preferred_contact"),
                format!(
                    "is {method} but no {} is given",
                    match method {
                        ContactMethod::Email => "email",
                        ContactMethod::Phone => "phone number",
                        ContactMethod::Letter => "postal address",
                    }
                ),
            );
        }
    }
    let nhs = p
        .nhs_number
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    let nhs_number = nhs.and_then(|n| match nhs_number::parse(n) {
        Ok(digits) => Some(digits),
        Err(m) => {
            errors.add(format!("{prefix}.nhs_number"), m);
            None
        }
    });
    if let Some(dob) = p.date_of_birth {
        past_date(errors, &format!("{prefix}.date_of_birth"), dob, today);
    }
    PersonFields {
        full_name: name,
        email,
        phone,
        postal_address: address,
        preferred_contact: p.preferred_contact.map(|m| m.as_str().to_string()),
        nhs_number,
        date_of_birth: p.date_of_birth,
    }
}

/// Check that `code` is an active item of a taxonomy list.
pub fn code_in(
    errors: &mut Errors,
    field: &str,
    code: &str,
    items: &[TaxonomyItem],
    list: &str,
) -> bool {
    let found = items
        .iter()
        .any(|i| i.list == list && i.code == code && i.active);
    if !found {
        errors.add(
            field,
            format!("{code:?} is not an active {list} code (see GET /api/v1/taxonomy)"),
        );
    }
    found
}

/// Check the subjects: known codes, no repeats, exactly one primary, sub-category rules.
pub fn subjects(
    errors: &mut Errors,
    input: &[SubjectInput],
    taxonomy: &[TaxonomyItem],
) -> Vec<(String, Option<String>, bool)> {
    if input.is_empty() {
        errors.add("subjects", "give at least one subject");
        return Vec::new();
    }
    let mut seen = HashSet::new();
    let primaries = input.iter().filter(|s| s.primary).count();
    if primaries > 1 || (primaries == 0 && input.len() > 1) {
        errors.add("subjects", "mark exactly one subject as primary");
    }
    input
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let field = format!("subjects[{i}]");
            let code = s.code.trim().to_string();
            code_in(
                errors,
                &format!("{field}.code"),
                &code,
                taxonomy,
                "subject_area",
            );
            if !seen.insert(code.clone()) {
                errors.add(format!("{field}.code"), "is listed twice");
            }
            let sub = s
                .subcategory
                .as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty());
            match (code.as_str(), sub) {
                ("clinical_treatment", None) => errors.add(
                    format!("{field}.subcategory"),
                    "is required for clinical treatment",
                ),
                ("clinical_treatment", Some(sc)) => {
                    code_in(
                        errors,
                        &format!("{field}.subcategory"),
                        sc,
                        taxonomy,
                        "clinical_subcategory",
                    );
                }
                (_, Some(_)) => errors.add(
                    format!("{field}.subcategory"),
                    "applies only to clinical treatment",
                ),
                (_, None) => {}
            }
            let primary = s.primary || input.len() == 1;
            (code, sub.map(str::to_string), primary)
        })
        .collect()
}

/// Check service ids: known, active, not repeated.
pub fn services(errors: &mut Errors, ids: &[String], found: &[ServiceRow]) -> Vec<String> {
    if ids.is_empty() {
        errors.add("service_ids", "give at least one service");
    }
    let mut out: Vec<String> = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        match found.iter().find(|s| &s.id == id) {
            None => errors.add(format!("service_ids[{i}]"), "is not a known service"),
            Some(s) if !s.active => errors.add(format!("service_ids[{i}]"), "is not active"),
            Some(_) if out.contains(id) => {
                errors.add(format!("service_ids[{i}]"), "is listed twice")
            }
            Some(_) => out.push(id.clone()),
        }
    }
    out
}

/// Check profession codes, dropping repeats.
pub fn professions(
    errors: &mut Errors,
    codes: &[String],
    taxonomy: &[TaxonomyItem],
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (i, code) in codes.iter().enumerate() {
        let code = code.trim().to_string();
        if code_in(
            errors,
            &format!("professions[{i}]"),
            &code,
            taxonomy,
            "profession",
        ) && !out.contains(&code)
        {
            out.push(code);
        }
    }
    out
}

/// Grade the risk, or report the bad score.
pub fn risk(
    errors: &mut Errors,
    input: Option<RiskInput>,
    required: bool,
) -> Option<(RiskInput, RiskGrade)> {
    match input {
        None => {
            if required {
                errors.add(
                    "risk",
                    "is required for a complaint: give consequence and likelihood (1 to 5)",
                );
            }
            None
        }
        Some(r) => {
            let mut ok = true;
            if !(1..=5).contains(&r.consequence) {
                errors.add("risk.consequence", "must be 1 to 5");
                ok = false;
            }
            if !(1..=5).contains(&r.likelihood) {
                errors.add("risk.likelihood", "must be 1 to 5");
                ok = false;
            }
            if !ok {
                return None;
            }
            RiskGrade::from_scores(r.consequence, r.likelihood)
                .ok()
                .map(|g| (r, g))
        }
    }
}

/// Check representative consent dates against the status.
pub fn representative(errors: &mut Errors, r: &RepresentativeInput, today: NaiveDate) {
    if let Some(d) = r.consent_requested_on {
        past_date(errors, "representative.consent_requested_on", d, today);
    }
    if let Some(d) = r.consent_received_on {
        past_date(errors, "representative.consent_received_on", d, today);
    }
    if r.consent_status == ConsentStatus::Received && r.consent_received_on.is_none() {
        errors.add(
            "representative.consent_received_on",
            "is required when consent was received",
        );
    }
    if r.consent_status == ConsentStatus::Requested && r.consent_requested_on.is_none() {
        errors.add(
            "representative.consent_requested_on",
            "is required when consent was requested",
        );
    }
    if let (Some(a), Some(b)) = (r.consent_requested_on, r.consent_received_on)
        && b < a
    {
        errors.add(
            "representative.consent_received_on",
            "is before the request",
        );
    }
}

/// The KO41a age band for a date of birth on the day received (`unknown` without one).
pub fn age_band(dob: Option<NaiveDate>, on: NaiveDate, taxonomy: &[TaxonomyItem]) -> String {
    let Some(dob) = dob else {
        return "unknown".into();
    };
    let mut age = on.year() - dob.year();
    if (on.month(), on.day()) < (dob.month(), dob.day()) {
        age -= 1;
    }
    taxonomy
        .iter()
        .filter(|i| i.list == "age_band" && i.active)
        .find(|i| {
            i.min_value.is_some_and(|min| age >= min) && i.max_value.is_none_or(|max| age <= max)
        })
        .map_or_else(|| "unknown".into(), |i| i.code.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn band(code: &str, min: Option<i32>, max: Option<i32>) -> TaxonomyItem {
        TaxonomyItem {
            list: "age_band".into(),
            code: code.into(),
            label: code.into(),
            min_value: min,
            max_value: max,
            sort_order: 0,
            active: true,
            national: true,
            confirmed: true,
            updated_at: chrono::NaiveDateTime::default(),
        }
    }

    #[test]
    fn age_bands_use_age_on_the_day_received() {
        let bands = [
            band("18_25", Some(18), Some(25)),
            band("26_55", Some(26), Some(55)),
            band("85_plus", Some(85), None),
        ];
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(
            age_band(Some(d("2000-06-02")), d("2026-06-01"), &bands),
            "18_25"
        );
        assert_eq!(
            age_band(Some(d("2000-06-01")), d("2026-06-01"), &bands),
            "26_55"
        );
        assert_eq!(
            age_band(Some(d("1930-01-01")), d("2026-06-01"), &bands),
            "85_plus"
        );
        assert_eq!(age_band(None, d("2026-06-01"), &bands), "unknown");
        assert_eq!(
            age_band(Some(d("2020-01-01")), d("2026-06-01"), &bands),
            "unknown"
        );
    }
}

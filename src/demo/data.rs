//! The weighted codes and names synthetic cases are drawn from.

use rand::Rng;
use rand::rngs::StdRng;

/// Weighted KO41a subject codes: communications and clinical treatment lead, as nationally.
pub(super) const SUBJECTS: &[(&str, u32)] = &[
    ("communications", 30),
    ("clinical_treatment", 25),
    ("values_behaviours", 12),
    ("patient_care", 10),
    ("appointments", 8),
    ("admissions_discharges", 6),
    ("waiting_times", 5),
    ("access_to_treatment", 4),
    ("prescribing", 3),
    ("trust_administration", 3),
    ("facilities", 2),
    ("privacy_dignity", 2),
    ("other", 2),
];
pub(super) const SUBCATEGORIES: &[&str] = &[
    "medical",
    "surgical",
    "accident_emergency",
    "obstetrics_gynaecology",
    "paediatric",
    "mental_health",
    "radiology",
];
pub(super) const PROFESSIONS: &[(&str, u32)] = &[
    ("medical", 40),
    ("nursing_midwifery", 35),
    ("admin_support", 12),
    ("scientific_therapeutic", 8),
    ("ambulance", 3),
    ("other", 2),
];
pub(super) const CHANNELS: &[(&str, u32)] = &[
    ("email", 35),
    ("phone", 25),
    ("letter", 15),
    ("web_form", 15),
    ("in_person", 6),
    ("via_mp", 2),
    ("via_advocate", 1),
    ("via_commissioner", 1),
];
pub(super) const FIRST: &[&str] = &[
    "Alex", "Sam", "Jo", "Chris", "Pat", "Robin", "Morgan", "Jamie", "Lee", "Kim", "Ash", "Ray",
];
pub(super) const LAST: &[&str] = &[
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel",
    "Khan", "Evans", "Thomas",
];

pub(super) fn pick<'a>(rng: &mut StdRng, items: &[(&'a str, u32)]) -> &'a str {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut roll = rng.gen_range(0..total);
    for (item, weight) in items {
        if roll < *weight {
            return item;
        }
        roll -= weight;
    }
    items.first().map_or("other", |(i, _)| i)
}

/// A valid NHS number with the modulus-11 check digit.
pub(super) fn nhs_number(rng: &mut StdRng) -> String {
    loop {
        let digits: Vec<u32> = std::iter::once(rng.gen_range(4..8))
            .chain((0..8).map(|_| rng.gen_range(0..10)))
            .collect();
        let sum: u32 = digits.iter().zip((2..=10).rev()).map(|(d, w)| d * w).sum();
        let check = match 11 - sum % 11 {
            11 => 0,
            10 => continue,
            c => c,
        };
        return digits
            .iter()
            .chain(std::iter::once(&check))
            .map(|d| char::from_digit(*d, 10).unwrap_or('0'))
            .collect();
    }
}

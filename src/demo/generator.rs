//! One synthetic case at a time: its people, its record, its coding and its first event.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime};
use rand::Rng;
use rand::rngs::StdRng;
use serde_json::json;

use crate::clock::Clock;
use crate::db::Db;
use crate::db::bulk::{
    self, Batch, CaseProfessionRow, CaseServiceRow, CaseSubjectRow, FirstEvent, PersonRow,
};
use crate::db::cases::NewCase;
use crate::domain::calendar::WorkingCalendar;
use crate::domain::case::{self as rules, AspectOutcome, CaseKind, CaseStatus};
use crate::domain::clock::{self, ClockRules};
use crate::domain::risk::RiskGrade;
use crate::error::{AppError, AppResult};

use super::SeedReport;
use super::data::{CHANNELS, FIRST, LAST, PROFESSIONS, SUBCATEGORIES, SUBJECTS, nhs_number, pick};
use super::setting::Setting;

/// The last reference number used, by prefix and year.
pub(super) type Counters = BTreeMap<(String, i32), i32>;

/// Draws cases into a batch from one seeded random source.
pub(super) struct Generator<'a> {
    pub(super) rng: &'a mut StdRng,
    pub(super) cal: &'a WorkingCalendar,
    pub(super) rules: &'a ClockRules,
    pub(super) setting: &'a Setting,
    pub(super) clock: &'a Clock,
    pub(super) today: NaiveDate,
    pub(super) start: NaiveDate,
    pub(super) span: u64,
    pub(super) batch: &'a mut Batch,
}

/// The people and risk scores drawn for one case.
struct Drawn {
    complainant: String,
    patient: String,
    patient_is_complainant: bool,
    date_of_birth: Option<NaiveDate>,
    consequence: i32,
    likelihood: i32,
}

impl Generator<'_> {
    /// One case (or an escalated PALS concern and its complaint); returns how many cases.
    pub(super) async fn case(
        &mut self,
        counters: &mut Counters,
        db: &Db,
        report: &mut SeedReport,
    ) -> AppResult<u64> {
        // More recent days get slightly more cases: a gentle upward trend.
        let offset = {
            let a: f64 = self.rng.r#gen();
            let b: f64 = self.rng.r#gen();
            let t = a.max(b * 0.6);
            (t * self.span as f64) as u64
        };
        let received = self
            .start
            .checked_add_days(Days::new(offset))
            .unwrap_or(self.today)
            .min(self.today);
        let complaint = self.rng.gen_bool(0.3);
        let kind = if complaint {
            CaseKind::Complaint
        } else {
            CaseKind::PalsConcern
        };
        let id = self.push(kind, received, counters, db).await?;
        if !complaint {
            report.pals_concerns += 1;
            return Ok(1);
        }
        report.complaints += 1;
        if !self.rng.gen_bool(0.08) {
            return Ok(1);
        }
        // It began as a PALS concern that was escalated.
        let earlier = self.cal.add_working_days(
            received.checked_sub_days(Days::new(10)).unwrap_or(received),
            0,
        );
        let pals = self
            .push(CaseKind::PalsConcern, earlier.max(self.start), counters, db)
            .await?;
        report.pals_concerns += 1;
        if let Some(p) = self.batch.cases.iter_mut().find(|c| c.id == pals) {
            p.status = CaseStatus::Escalated.as_str().into();
            p.next_due_key = crate::db::cases::no_due_date();
            p.resolved_on = Some(received);
            p.linked_case_id = Some(id.clone());
        }
        if let Some(c) = self.batch.cases.iter_mut().find(|c| c.id == id) {
            c.linked_case_id = Some(pals);
        }
        Ok(2)
    }

    /// Draw one case received on `received` and add it, its people, coding and first event
    /// to the batch; returns its id.
    async fn push(
        &mut self,
        kind: CaseKind,
        received: NaiveDate,
        counters: &mut Counters,
        db: &Db,
    ) -> AppResult<String> {
        let now = self.clock.now();
        let number = next_number(counters, db, kind, received.year()).await?;
        let id = crate::db::ids::new_id();
        let drawn = self.people(now);
        let mut c = self.new_case(kind, received, number, &id, &drawn, now);
        let findings = self.coding(&c);
        if kind == CaseKind::Complaint {
            let grade = RiskGrade::from_scores(drawn.consequence, drawn.likelihood)
                .unwrap_or(RiskGrade::Moderate);
            self.progress_complaint(&mut c, grade, &findings);
        } else {
            self.progress_concern(&mut c);
        }
        let first = self.batch.subjects.len() - findings.len();
        if c.outcome.is_some() {
            for (s, f) in self.batch.subjects[first..].iter_mut().zip(&findings) {
                s.outcome = Some(f.as_str().into());
            }
        }
        c.next_due_key = self.next_due(&c, kind);
        self.event(&c, now);
        self.batch.cases.push(c);
        Ok(id)
    }

    /// The complainant and, when someone else, the patient; then the risk scores.
    fn people(&mut self, now: NaiveDateTime) -> Drawn {
        let rng = &mut *self.rng;
        let complainant = crate::db::ids::new_id();
        let name = format!(
            "{} {}",
            FIRST[rng.gen_range(0..FIRST.len())],
            LAST[rng.gen_range(0..LAST.len())]
        );
        let patient_is_complainant = rng.gen_bool(0.6);
        let dob = NaiveDate::from_ymd_opt(
            rng.gen_range(1930..2020),
            rng.gen_range(1..13),
            rng.gen_range(1..29),
        );
        self.batch.persons.push(PersonRow {
            id: complainant.clone(),
            full_name: name.clone(),
            email: rng.gen_bool(0.7).then(|| {
                format!(
                    "{}.{}@example.invalid",
                    name.to_lowercase().replace(' ', "."),
                    rng.gen_range(1..9999)
                )
            }),
            phone: Some(format!("01632 {:06}", rng.gen_range(0..1_000_000))),
            postal_address: None,
            preferred_contact: Some("phone".into()),
            nhs_number: patient_is_complainant.then(|| nhs_number(rng)),
            date_of_birth: if patient_is_complainant { dob } else { None },
            created_at: now,
            updated_at: now,
        });
        let patient = if patient_is_complainant {
            complainant.clone()
        } else {
            let pid = crate::db::ids::new_id();
            self.batch.persons.push(PersonRow {
                id: pid.clone(),
                full_name: format!(
                    "{} {}",
                    FIRST[rng.gen_range(0..FIRST.len())],
                    LAST[rng.gen_range(0..LAST.len())]
                ),
                email: None,
                phone: None,
                postal_address: None,
                preferred_contact: None,
                nhs_number: Some(nhs_number(rng)),
                date_of_birth: dob,
                created_at: now,
                updated_at: now,
            });
            pid
        };
        Drawn {
            complainant,
            patient,
            patient_is_complainant,
            date_of_birth: dob,
            consequence: rng.gen_range(1..=4),
            likelihood: rng.gen_range(1..=4),
        }
    }

    /// The case record as received, with its statutory deadlines.
    fn new_case(
        &mut self,
        kind: CaseKind,
        received: NaiveDate,
        number: i32,
        id: &str,
        drawn: &Drawn,
        now: NaiveDateTime,
    ) -> NewCase {
        let rng = &mut *self.rng;
        let grade = RiskGrade::from_scores(drawn.consequence, drawn.likelihood)
            .unwrap_or(RiskGrade::Moderate);
        // Synthetic cases are never out of time: the incident is not recorded.
        let receipt = clock::Receipt {
            kind,
            received_on: received,
            incident_on: None,
            became_aware_on: None,
            risk_grade: Some(grade),
        };
        let due = clock::receipt_deadlines(self.cal, self.rules, receipt);
        let pic = drawn.patient_is_complainant;
        NewCase {
            id: id.to_string(),
            reference: rules::reference(kind, received.year(), number),
            kind: kind.as_str().into(),
            status: kind.initial_status().as_str().into(),
            channel: pick(rng, CHANNELS).into(),
            received_on: received,
            incident_on: received.checked_sub_days(Days::new(rng.gen_range(0..120))),
            became_aware_on: None,
            summary: format!(
                "Demo {} about {}",
                if kind == CaseKind::Complaint {
                    "complaint"
                } else {
                    "concern"
                },
                pick(rng, SUBJECTS).replace('_', " ")
            ),
            description: "Synthetic case created by candour demo seed.".into(),
            desired_outcome: "An explanation".into(),
            complainant_id: drawn.complainant.clone(),
            patient_id: Some(drawn.patient.clone()),
            patient_is_complainant: pic,
            representative_basis: (!pic).then(|| "patient_request".into()),
            consent_status: if pic { "not_required" } else { "received" }.into(),
            consent_requested_on: None,
            consent_received_on: (!pic).then_some(received),
            email_consent: rng.gen_bool(0.5),
            email_consent_on: Some(received),
            complainant_status: if pic { "patient" } else { "on_behalf" }.into(),
            age_band: drawn
                .date_of_birth
                .map_or("unknown", |d| age_band(d, received))
                .into(),
            risk_consequence: Some(drawn.consequence),
            risk_likelihood: Some(drawn.likelihood),
            risk_grade: Some(grade.as_str().into()),
            out_of_time: false,
            acknowledgement_due_on: due.acknowledgement_due_on,
            six_month_letter_due_on: due.six_month_letter_due_on,
            pals_due_on: due.pals_due_on,
            next_due_key: crate::db::cases::no_due_date(),
            linked_case_id: None,
            calendar_version: self.cal.version,
            version: 1,
            created_by: self.setting.managers.first().cloned().unwrap_or_default(),
            created_at: now,
            updated_at: now,
            ..Default::default()
        }
    }

    /// Subjects (one to three aspects for complaints, one for concerns), services and
    /// professions; returns the finding drawn for each subject, in order.
    fn coding(&mut self, c: &NewCase) -> Vec<AspectOutcome> {
        let rng = &mut *self.rng;
        let complaint = c.kind == CaseKind::Complaint.as_str();
        let row = |c: &NewCase| (c.id.clone(), c.kind.clone(), c.received_on);
        let aspects = if complaint { rng.gen_range(1..=3) } else { 1 };
        let mut codes: Vec<&str> = Vec::new();
        while codes.len() < aspects {
            let code = pick(rng, SUBJECTS);
            if !codes.contains(&code) {
                codes.push(code);
            }
        }
        let wards = &self.setting.wards;
        let ward = wards[rng.gen_range(0..wards.len().max(1)) % wards.len().max(1)].clone();
        let mut services = vec![ward.clone()];
        if rng.gen_bool(0.1) {
            let other = wards[rng.gen_range(0..wards.len())].clone();
            if other != ward {
                services.push(other);
            }
        }
        for (i, service_id) in services.into_iter().enumerate() {
            let (case_id, kind, received_on) = row(c);
            self.batch.services.push(CaseServiceRow {
                case_id,
                kind,
                received_on,
                service_id,
                is_primary: i == 0,
            });
        }
        let profession = pick(rng, PROFESSIONS);
        let mut professions = vec![profession];
        if complaint && rng.gen_bool(0.3) {
            let second = pick(rng, PROFESSIONS);
            if second != profession {
                professions.push(second);
            }
        }
        for code in professions {
            let (case_id, kind, received_on) = row(c);
            self.batch.professions.push(CaseProfessionRow {
                case_id,
                kind,
                received_on,
                profession_code: code.into(),
            });
        }
        let mut findings = Vec::new();
        for (i, code) in codes.iter().enumerate() {
            findings.push(if rng.gen_bool(0.45) {
                AspectOutcome::Upheld
            } else {
                AspectOutcome::NotUpheld
            });
            let (case_id, kind, received_on) = row(c);
            self.batch.subjects.push(CaseSubjectRow {
                case_id,
                kind,
                received_on,
                subject_code: (*code).into(),
                subcategory_code: (*code == "clinical_treatment")
                    .then(|| SUBCATEGORIES[rng.gen_range(0..SUBCATEGORIES.len())].into()),
                is_primary: i == 0,
                outcome: None,
            });
        }
        findings
    }

    /// The key the work queue sorts by: the case's next deadline today.
    fn next_due(&self, c: &NewCase, kind: CaseKind) -> NaiveDate {
        let status: CaseStatus = c.status.parse().unwrap_or(CaseStatus::Closed);
        let clock_input = clock::ClockInput {
            kind,
            status,
            received_on: c.received_on,
            acknowledgement_due_on: c.acknowledgement_due_on,
            response_due_on: c.response_due_on,
            six_month_letter_due_on: c.six_month_letter_due_on,
            six_month_letter_sent_on: c.six_month_letter_sent_on,
            pals_due_on: c.pals_due_on,
            finished_on: None,
            first_responded_on: c.first_responded_on,
            paused_on: None,
            paused_working_days: 0,
        };
        clock::view(self.cal, &clock_input, self.today)
            .next_due_on
            .unwrap_or_else(crate::db::cases::no_due_date)
    }

    /// The case's first timeline event (sealed as the batch is written).
    fn event(&mut self, c: &NewCase, now: NaiveDateTime) {
        self.batch.events.push(FirstEvent {
            case_id: c.id.clone(),
            occurred_at: now,
            kind: "case_created",
            summary: format!("Demo case {} seeded", c.reference),
            details: json!({"reference": c.reference, "kind": c.kind, "demo": true}).to_string(),
        });
    }
}

/// The next reference number for `kind` in `year`, continuing from the database.
async fn next_number(
    counters: &mut Counters,
    db: &Db,
    kind: CaseKind,
    year: i32,
) -> AppResult<i32> {
    let key = (kind.reference_prefix().to_string(), year);
    if !counters.contains_key(&key) {
        let (p, y) = key.clone();
        let last = db
            .read(move |c| bulk::reference_counter(c, &p, y).map_err(AppError::from))
            .await?;
        counters.insert(key.clone(), last);
    }
    let number = counters.get(&key).copied().unwrap_or(0) + 1;
    counters.insert(key, number);
    Ok(number)
}

/// The KO41a age band of someone born on `dob` when the case was received.
fn age_band(dob: NaiveDate, received: NaiveDate) -> &'static str {
    let mut age = received.year() - dob.year();
    if (received.month(), received.day()) < (dob.month(), dob.day()) {
        age -= 1;
    }
    match age {
        ..=15 => "0_15",
        16..=17 => "16_17",
        18..=25 => "18_25",
        26..=55 => "26_55",
        56..=64 => "56_64",
        65..=74 => "65_74",
        75..=84 => "75_84",
        _ => "85_plus",
    }
}

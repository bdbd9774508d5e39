//! `candour demo seed`: realistic synthetic concerns and complaints for demonstrations and
//! benchmarks. Reproducible: the same seed and count give the same data. Nothing here is real.

use std::io::Write;

use chrono::{Datelike, Days, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;

use crate::clock::Clock;
use crate::db::bulk::{
    self, Batch, CaseProfessionRow, CaseServiceRow, CaseSubjectRow, PersonRow, TimelineRow,
};
use crate::db::case_records::Response;
use crate::db::cases::NewCase;
use crate::db::services::NewService;
use crate::db::{self, Db, calendar, services as service_rows, users as user_rows};
use crate::domain::calendar::WorkingCalendar;
use crate::domain::case::{self as rules, AspectOutcome, CaseKind, CaseStatus};
use crate::domain::clock::{self, ClockRules};
use crate::domain::risk::RiskGrade;
use crate::domain::role::Role;
use crate::domain::service::ServiceKind;
use crate::domain::timeline::{self, EventContent, GENESIS};
use crate::error::{AppError, AppResult};
use crate::services::users::{NewAccount, create_account};

/// The password of every demo account (they are created only by this command).
pub const DEMO_PASSWORD: &str = "demo-password-not-for-real-use";

/// What to seed.
#[derive(Debug, Clone)]
pub struct SeedOptions {
    pub cases: u64,
    pub seed: u64,
    /// Cases are received over this many days up to today on `clock`.
    pub span_days: u64,
    /// The application's clock: "today" for receipt dates and progress, and every timestamp.
    pub clock: Clock,
    /// Print a progress bar on stderr.
    pub progress: bool,
}

/// What was seeded.
#[derive(Debug, Clone, Default)]
pub struct SeedReport {
    pub complaints: u64,
    pub pals_concerns: u64,
    pub staff_created: usize,
    pub services_created: usize,
}

/// Weighted KO41a subject codes: communications and clinical treatment lead, as nationally.
const SUBJECTS: &[(&str, u32)] = &[
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
const SUBCATEGORIES: &[&str] = &[
    "medical",
    "surgical",
    "accident_emergency",
    "obstetrics_gynaecology",
    "paediatric",
    "mental_health",
    "radiology",
];
const PROFESSIONS: &[(&str, u32)] = &[
    ("medical", 40),
    ("nursing_midwifery", 35),
    ("admin_support", 12),
    ("scientific_therapeutic", 8),
    ("ambulance", 3),
    ("other", 2),
];
const CHANNELS: &[(&str, u32)] = &[
    ("email", 35),
    ("phone", 25),
    ("letter", 15),
    ("web_form", 15),
    ("in_person", 6),
    ("via_mp", 2),
    ("via_advocate", 1),
    ("via_commissioner", 1),
];
const FIRST: &[&str] = &[
    "Alex", "Sam", "Jo", "Chris", "Pat", "Robin", "Morgan", "Jamie", "Lee", "Kim", "Ash", "Ray",
];
const LAST: &[&str] = &[
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel",
    "Khan", "Evans", "Thomas",
];

fn pick<'a>(rng: &mut StdRng, items: &[(&'a str, u32)]) -> &'a str {
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
fn nhs_number(rng: &mut StdRng) -> String {
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

/// Demo staff and the service tree; reuses them when present.
struct Setting {
    managers: Vec<String>,
    investigators: Vec<String>,
    wards: Vec<String>,
}

async fn ensure_setting(db: &Db, clock: &Clock, report: &mut SeedReport) -> AppResult<Setting> {
    let wanted = [
        (Role::ComplaintsManager, 4),
        (Role::PalsOfficer, 6),
        (Role::Investigator, 12),
        (Role::Board, 2),
    ];
    let mut managers = Vec::new();
    let mut investigators = Vec::new();
    for (role, n) in wanted {
        for i in 1..=n {
            let email = format!(
                "demo.{}.{i}@candour.invalid",
                role.as_str().replace('_', "-")
            );
            let existing = {
                let e = email.clone();
                db.read(move |c| user_rows::find_by_email_with_hash(c, &e).map_err(AppError::from))
                    .await?
            };
            let id = match existing {
                Some((u, _)) => u.id,
                None => {
                    let (u, _) = create_account(
                        db,
                        clock,
                        NewAccount {
                            email,
                            name: format!("Demo {} {i}", role.as_str().replace('_', " ")),
                            role,
                            password: Some(DEMO_PASSWORD.into()),
                        },
                    )
                    .await?;
                    report.staff_created += 1;
                    u.id
                }
            };
            match role {
                Role::ComplaintsManager => managers.push(id),
                Role::Investigator => investigators.push(id),
                _ => {}
            }
        }
    }
    let leads = investigators.clone();
    let clock = clock.clone();
    let (wards, created) = db
        .write(move |c| -> AppResult<(Vec<String>, usize)> {
            let existing = service_rows::all(c)?;
            let demo_wards: Vec<String> = existing
                .iter()
                .filter(|s| s.code.starts_with("DEMO-W") && s.active)
                .map(|s| s.id.clone())
                .collect();
            if !demo_wards.is_empty() {
                return Ok((demo_wards, 0));
            }
            let now = clock.now();
            let mut created = 0;
            let mut wards = Vec::new();
            let areas = [
                "acute_inpatient",
                "acute_outpatient",
                "accident_emergency",
                "maternity",
                "community_health",
            ];
            for site in 1..=2 {
                let site_id = uuid::Uuid::new_v4().to_string();
                let code = format!("DEMO-S{site}");
                let name = format!("Demo Site {site}");
                service_rows::insert(
                    c,
                    &NewService {
                        id: &site_id,
                        parent_id: None,
                        kind: ServiceKind::Site,
                        code: &code,
                        name: &name,
                        service_area: None,
                        lead_user_id: None,
                        active: true,
                        now,
                    },
                )?;
                created += 1;
                for dir in 1..=3 {
                    let dir_id = uuid::Uuid::new_v4().to_string();
                    let code = format!("DEMO-D{site}{dir}");
                    let name = format!("Demo Directorate {site}.{dir}");
                    service_rows::insert(
                        c,
                        &NewService {
                            id: &dir_id,
                            parent_id: Some(&site_id),
                            kind: ServiceKind::Directorate,
                            code: &code,
                            name: &name,
                            service_area: None,
                            lead_user_id: None,
                            active: true,
                            now,
                        },
                    )?;
                    created += 1;
                    for ward in 1..=4 {
                        let ward_id = uuid::Uuid::new_v4().to_string();
                        let code = format!("DEMO-W{site}{dir}{ward}");
                        let name = format!("Demo Ward {site}.{dir}.{ward}");
                        let lead = leads.get((wards.len()) % leads.len().max(1)).cloned();
                        let area = areas[(dir + ward) % areas.len()];
                        service_rows::insert(
                            c,
                            &NewService {
                                id: &ward_id,
                                parent_id: Some(&dir_id),
                                kind: ServiceKind::WardTeam,
                                code: &code,
                                name: &name,
                                service_area: Some(area),
                                lead_user_id: lead.as_deref(),
                                active: true,
                                now,
                            },
                        )?;
                        created += 1;
                        wards.push(ward_id);
                    }
                }
            }
            Ok((wards, created))
        })
        .await?;
    report.services_created = created;
    Ok(Setting {
        managers,
        investigators,
        wards,
    })
}

/// Seed `opts.cases` cases in batches, each batch one transaction.
pub async fn seed(db: &Db, rules: &ClockRules, opts: &SeedOptions) -> AppResult<SeedReport> {
    let mut report = SeedReport::default();
    let setting = ensure_setting(db, &opts.clock, &mut report).await?;
    let cal = db
        .read(|c| calendar::current(c).map_err(AppError::from))
        .await?;
    let mut rng = StdRng::seed_from_u64(opts.seed);
    let today = opts.clock.today();
    let start = today
        .checked_sub_days(Days::new(opts.span_days))
        .unwrap_or(today);
    let mut counters: std::collections::BTreeMap<(String, i32), i32> =
        std::collections::BTreeMap::new();
    let batch_size: u64 = 2_000;
    let mut done: u64 = 0;
    while done < opts.cases {
        let n = batch_size.min(opts.cases - done);
        let mut batch = Batch::default();
        let mut generator = Generator {
            rng: &mut rng,
            cal: &cal,
            rules,
            setting: &setting,
            clock: &opts.clock,
            today,
            start,
            span: opts.span_days,
            batch: &mut batch,
        };
        let mut made = 0;
        while made < n {
            made += generator.case(&mut counters, db, &mut report).await?;
        }
        // Reference numbers continue from what the database already holds.
        let counter_rows: Vec<((String, i32), i32)> =
            counters.iter().map(|(k, v)| (k.clone(), *v)).collect();
        db.write(move |c| -> AppResult<()> {
            bulk::insert(c, &batch)?;
            for ((prefix, year), value) in &counter_rows {
                bulk::set_reference_counter(c, prefix, *year, *value)?;
            }
            Ok(())
        })
        .await?;
        done += made;
        if opts.progress {
            progress(done, opts.cases);
        }
    }
    if opts.progress {
        eprintln!();
    }
    refresh_statistics(db).await?;
    Ok(report)
}

/// After a bulk load, give the query planner fresh statistics (and PostgreSQL its visibility
/// map, so that reports can answer from indexes alone), as autovacuum would in time.
pub async fn refresh_statistics(db: &Db) -> AppResult<()> {
    use diesel::connection::SimpleConnection;
    // One statement per call: PostgreSQL runs a multi-statement string as one transaction,
    // and VACUUM refuses to run inside a transaction.
    let statements: &[&str] = match db.backend() {
        db::Backend::Postgres => &[
            "VACUUM ANALYZE cases",
            "VACUUM ANALYZE case_subjects",
            "VACUUM ANALYZE case_services",
            "VACUUM ANALYZE case_professions",
            "VACUUM ANALYZE timeline_events",
        ],
        db::Backend::Sqlite => &["ANALYZE"],
    };
    let db = db.clone();
    tokio::task::spawn_blocking(move || {
        db.maintenance(|c| {
            for sql in statements {
                c.batch_execute(sql).map_err(crate::db::DbError::from)?;
            }
            Ok(())
        })
    })
    .await
    .map_err(|e| AppError::internal(e.to_string()))??;
    Ok(())
}

fn progress(done: u64, total: u64) {
    let width = 40;
    let filled = (done * width as u64)
        .checked_div(total)
        .map_or(width, |f| usize::try_from(f).unwrap_or(width));
    let mut err = std::io::stderr().lock();
    let _ = write!(
        err,
        "\r[{}{}] {done}/{total} cases",
        "#".repeat(filled),
        " ".repeat(width - filled.min(width))
    );
    let _ = err.flush();
}

struct Generator<'a> {
    rng: &'a mut StdRng,
    cal: &'a WorkingCalendar,
    rules: &'a ClockRules,
    setting: &'a Setting,
    clock: &'a Clock,
    today: NaiveDate,
    start: NaiveDate,
    span: u64,
    batch: &'a mut Batch,
}

impl Generator<'_> {
    /// One case (or an escalated PALS concern and its complaint); returns how many cases.
    async fn case(
        &mut self,
        counters: &mut std::collections::BTreeMap<(String, i32), i32>,
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
        if complaint {
            report.complaints += 1;
            if self.rng.gen_bool(0.08) {
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
                return Ok(2);
            }
        } else {
            report.pals_concerns += 1;
        }
        Ok(1)
    }

    async fn push(
        &mut self,
        kind: CaseKind,
        received: NaiveDate,
        counters: &mut std::collections::BTreeMap<(String, i32), i32>,
        db: &Db,
    ) -> AppResult<String> {
        let rng = &mut *self.rng;
        let now = self.clock.now();
        let year = received.year();
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
        let id = uuid::Uuid::new_v4().to_string();
        let person = uuid::Uuid::new_v4().to_string();
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
            id: person.clone(),
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
        let patient_id = if patient_is_complainant {
            person.clone()
        } else {
            let pid = uuid::Uuid::new_v4().to_string();
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
        let consequence = rng.gen_range(1..=4);
        let likelihood = rng.gen_range(1..=4);
        let grade = RiskGrade::from_scores(consequence, likelihood).unwrap_or(RiskGrade::Moderate);
        let complaint = kind == CaseKind::Complaint;
        // Synthetic cases are never out of time: the incident is not recorded.
        let receipt = clock::Receipt {
            kind,
            received_on: received,
            incident_on: None,
            became_aware_on: None,
            risk_grade: Some(grade),
        };
        let due = clock::receipt_deadlines(self.cal, self.rules, receipt);
        let mut c = NewCase {
            id: id.clone(),
            reference: rules::reference(kind, year, number),
            kind: kind.as_str().into(),
            status: kind.initial_status().as_str().into(),
            channel: pick(rng, CHANNELS).into(),
            received_on: received,
            incident_on: received.checked_sub_days(Days::new(rng.gen_range(0..120))),
            became_aware_on: None,
            summary: format!(
                "Demo {} about {}",
                if complaint { "complaint" } else { "concern" },
                pick(rng, SUBJECTS).replace('_', " ")
            ),
            description: "Synthetic case created by candour demo seed.".into(),
            desired_outcome: "An explanation".into(),
            complainant_id: person,
            patient_id: Some(patient_id),
            patient_is_complainant,
            representative_basis: (!patient_is_complainant).then(|| "patient_request".into()),
            consent_status: if patient_is_complainant {
                "not_required"
            } else {
                "received"
            }
            .into(),
            consent_requested_on: None,
            consent_received_on: (!patient_is_complainant).then_some(received),
            email_consent: rng.gen_bool(0.5),
            email_consent_on: Some(received),
            complainant_status: if patient_is_complainant {
                "patient"
            } else {
                "on_behalf"
            }
            .into(),
            age_band: "unknown".into(),
            risk_consequence: Some(consequence),
            risk_likelihood: Some(likelihood),
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
        };
        if let Some(d) = dob {
            let mut age = received.year() - d.year();
            if (received.month(), received.day()) < (d.month(), d.day()) {
                age -= 1;
            }
            c.age_band = match age {
                ..=15 => "0_15",
                16..=17 => "16_17",
                18..=25 => "18_25",
                26..=55 => "26_55",
                56..=64 => "56_64",
                65..=74 => "65_74",
                75..=84 => "75_84",
                _ => "85_plus",
            }
            .into();
        }
        // Coding: one to three aspects for complaints, one for concerns.
        let aspects = if complaint { rng.gen_range(1..=3) } else { 1 };
        let mut codes: Vec<&str> = Vec::new();
        while codes.len() < aspects {
            let code = pick(rng, SUBJECTS);
            if !codes.contains(&code) {
                codes.push(code);
            }
        }
        let ward = self.setting.wards
            [rng.gen_range(0..self.setting.wards.len().max(1)) % self.setting.wards.len().max(1)]
        .clone();
        self.batch.services.push(CaseServiceRow {
            case_id: id.clone(),
            kind: c.kind.clone(),
            received_on: c.received_on,
            service_id: ward.clone(),
        });
        if rng.gen_bool(0.1) {
            let other = self.setting.wards[rng.gen_range(0..self.setting.wards.len())].clone();
            if other != ward {
                self.batch.services.push(CaseServiceRow {
                    case_id: id.clone(),
                    kind: c.kind.clone(),
                    received_on: c.received_on,
                    service_id: other,
                });
            }
        }
        let profession = pick(rng, PROFESSIONS);
        self.batch.professions.push(CaseProfessionRow {
            case_id: id.clone(),
            kind: c.kind.clone(),
            received_on: c.received_on,
            profession_code: profession.into(),
        });
        if complaint && rng.gen_bool(0.3) {
            let second = pick(rng, PROFESSIONS);
            if second != profession {
                self.batch.professions.push(CaseProfessionRow {
                    case_id: id.clone(),
                    kind: c.kind.clone(),
                    received_on: c.received_on,
                    profession_code: second.into(),
                });
            }
        }
        let mut findings = Vec::new();
        for (i, code) in codes.iter().enumerate() {
            let finding = if rng.gen_bool(0.45) {
                AspectOutcome::Upheld
            } else {
                AspectOutcome::NotUpheld
            };
            findings.push(finding);
            self.batch.subjects.push(CaseSubjectRow {
                case_id: id.clone(),
                kind: c.kind.clone(),
                received_on: c.received_on,
                subject_code: (*code).into(),
                subcategory_code: (*code == "clinical_treatment")
                    .then(|| SUBCATEGORIES[rng.gen_range(0..SUBCATEGORIES.len())].into()),
                is_primary: i == 0,
                outcome: None,
            });
        }
        if complaint {
            self.progress_complaint(&mut c, grade, &findings);
        } else {
            self.progress_concern(&mut c);
        }
        let first = self.batch.subjects.len() - codes.len();
        if c.outcome.is_some() {
            for (s, f) in self.batch.subjects[first..].iter_mut().zip(&findings) {
                s.outcome = Some(f.as_str().into());
            }
        }
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
            paused_on: None,
            paused_working_days: 0,
        };
        c.next_due_key = clock::view(self.cal, &clock_input, self.today)
            .next_due_on
            .unwrap_or_else(crate::db::cases::no_due_date);
        self.event(&c, now);
        self.batch.cases.push(c);
        Ok(id)
    }

    fn progress_complaint(
        &mut self,
        c: &mut NewCase,
        grade: RiskGrade,
        findings: &[AspectOutcome],
    ) {
        let rng = &mut *self.rng;
        let cal = self.cal;
        let received = c.received_on;
        let Some(ack_due) = c.acknowledgement_due_on else {
            return;
        };
        let ack_on = if rng.gen_bool(0.88) {
            cal.add_working_days(received, rng.gen_range(0..=3))
        } else {
            cal.add_working_days(received, rng.gen_range(4..=9))
        };
        if ack_on > self.today {
            return;
        }
        let _ = ack_due;
        c.status = CaseStatus::Acknowledged.as_str().into();
        c.handler_id = self
            .setting
            .managers
            .get(rng.gen_range(0..self.setting.managers.len().max(1)))
            .cloned();
        let agreed = rng.gen_bool(0.4);
        let due = if agreed {
            cal.add_working_days(received, rng.gen_range(25..=60))
        } else {
            clock::default_response_due(cal, self.rules, received, grade)
        };
        c.acknowledged_on = Some(ack_on);
        c.acknowledgement_method = Some("letter".into());
        c.handling_discussion_offered = Some(true);
        c.meeting_offered = Some(rng.gen_bool(0.6));
        c.response_due_on = Some(due);
        c.response_due_agreed = agreed;
        if rng.gen_bool(0.03) {
            let on = cal.add_working_days(ack_on, rng.gen_range(1..=10));
            if on <= self.today {
                c.status = CaseStatus::Withdrawn.as_str().into();
                c.withdrawn_on = Some(on);
            }
            return;
        }
        let started = cal.add_working_days(ack_on, rng.gen_range(1..=5));
        if started > self.today {
            return;
        }
        c.status = CaseStatus::Investigating.as_str().into();
        c.investigation_started_on = Some(started);
        c.investigator_id = self
            .setting
            .investigators
            .get(rng.gen_range(0..self.setting.investigators.len().max(1)))
            .cloned();
        let responded = if rng.gen_bool(0.68) {
            cal.add_working_days(started, rng.gen_range(5..=20))
                .min(due)
        } else {
            cal.add_working_days(due, rng.gen_range(1..=40))
        };
        if responded > self.today {
            return;
        }
        let outcome = rules::overall_outcome(findings).unwrap_or(rules::Outcome::NotUpheld);
        c.status = CaseStatus::Responded.as_str().into();
        c.responded_on = Some(responded);
        c.outcome = Some(outcome.as_str().into());
        if c.six_month_letter_due_on.is_some_and(|d| responded > d) {
            c.six_month_letter_sent_on = c.six_month_letter_due_on.filter(|_| rng.gen_bool(0.7));
        }
        self.batch.responses.push(Response {
            id: uuid::Uuid::new_v4().to_string(),
            case_id: c.id.clone(),
            sent_on: responded,
            signed_by: "Chief Executive".into(),
            outcome: outcome.as_str().into(),
            ombudsman_rights_given: true,
            summary: None,
            created_by: c.handler_id.clone().unwrap_or_default(),
            created_at: self.clock.now(),
        });
        let closed = cal.add_working_days(responded, rng.gen_range(0..=10));
        if closed <= self.today {
            c.status = CaseStatus::Closed.as_str().into();
            c.closed_on = Some(closed);
        }
    }

    fn progress_concern(&mut self, c: &mut NewCase) {
        let rng = &mut *self.rng;
        let target = c.pals_due_on.unwrap_or(c.received_on);
        let on = if rng.gen_bool(0.8) {
            self.cal
                .add_working_days(c.received_on, rng.gen_range(0..=8))
        } else {
            self.cal.add_working_days(target, rng.gen_range(1..=15))
        };
        if on <= self.today {
            c.status = CaseStatus::Resolved.as_str().into();
            c.resolved_on = Some(on);
        }
    }

    /// The case's first timeline event, correctly hash-chained.
    fn event(&mut self, c: &NewCase, now: chrono::NaiveDateTime) {
        let details = json!({"reference": c.reference, "kind": c.kind, "demo": true}).to_string();
        let summary = format!("Demo case {} seeded", c.reference);
        let occurred = now
            .and_utc()
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let hash = timeline::hash(&EventContent {
            case_id: &c.id,
            seq: 1,
            occurred_at: &occurred,
            actor_id: None,
            kind: "case_created",
            summary: &summary,
            details: &details,
            prev_hash: GENESIS,
        });
        self.batch.events.push(TimelineRow {
            id: uuid::Uuid::new_v4().to_string(),
            case_id: c.id.clone(),
            seq: 1,
            occurred_at: now,
            actor_id: None,
            kind: "case_created".into(),
            summary,
            details,
            prev_hash: GENESIS.into(),
            hash,
        });
    }
}

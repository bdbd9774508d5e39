//! The KO41a return (domain.md §3.2): for an NHS financial year, sections 2–8 per site and in
//! total, with the section 2 arithmetic and the published validation rules. Validation
//! failures are listed in the return, never hidden or "corrected".

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::period::Period;
use super::tree::Tree;
use crate::db::report_queries::{self as q, Ko41aCase};
use crate::db::{DbConnection, services as service_rows, taxonomy};
use crate::domain::case::Outcome;
use crate::error::AppResult;

/// Section 2: overall numbers. For the board role, counts from 1 to 4 and those that would
/// give them away are `null`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Summary {
    /// Unresolved at the end of the previous year.
    #[schema(value_type = Option<i64>)]
    pub brought_forward: i64,
    /// New written complaints received in the year.
    #[schema(value_type = Option<i64>)]
    pub new: i64,
    #[schema(value_type = Option<i64>)]
    pub upheld: i64,
    #[schema(value_type = Option<i64>)]
    pub partially_upheld: i64,
    #[schema(value_type = Option<i64>)]
    pub not_upheld: i64,
    /// Upheld + partially upheld + not upheld (including brought-forward complaints).
    #[schema(value_type = Option<i64>)]
    pub resolved: i64,
    /// Unresolved at the end of the year: brought forward + new − resolved − withdrawn, and
    /// next year's brought forward by construction.
    #[schema(value_type = Option<i64>)]
    pub carried_forward: i64,
    /// Ended in the year without a response (withdrawn, or declined as out of time): not a
    /// KO41a outcome, so not resolved, but no longer carried.
    #[schema(value_type = Option<i64>)]
    pub withdrawn: i64,
    /// Complaints actually open at the end of the year (Candour's caseload).
    #[schema(value_type = Option<i64>)]
    pub open_at_end: i64,
}

/// One box of a breakdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Item {
    pub code: String,
    pub label: String,
    /// `null` where hidden from the board role.
    #[schema(value_type = Option<i64>)]
    pub count: i64,
}

/// Sections 2–8 for the trust or one site.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Sections {
    /// Section 2.
    pub summary: Summary,
    /// Section 3: age of patient (new complaints).
    pub age: Vec<Item>,
    /// Section 4: status of complainant (new complaints).
    pub complainant_status: Vec<Item>,
    /// Section 5: service area (each area once per complaint).
    pub service_area: Vec<Item>,
    /// Section 6: clinical treatment sub-categories.
    pub clinical_treatment: Vec<Item>,
    /// Section 7: subject area (each aspect counted).
    pub subject_area: Vec<Item>,
    /// Section 8: profession (each profession once per complaint).
    pub profession: Vec<Item>,
    /// Validation failures, each a sentence; empty when the return passes.
    pub validation: Vec<String>,
}

/// A site's part of the return.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Site {
    /// `null` for complaints with no service recorded.
    pub service_id: Option<String>,
    pub code: String,
    pub name: String,
    #[serde(flatten)]
    pub sections: Sections,
}

/// The whole return.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Ko41a {
    /// `2025-26`.
    pub financial_year: String,
    pub period: Period,
    pub total: Sections,
    pub sites: Vec<Site>,
    /// Whether the total and every site pass validation.
    pub valid: bool,
    /// How the return was counted.
    pub notes: Vec<String>,
    /// Against the return last submitted for the year (`null` before the first submission):
    /// every figure that has changed since.
    pub since_submission: Option<super::restatement::SinceSubmission>,
}

/// Ordered codes and labels of a taxonomy list.
type List = Vec<(String, String)>;

struct Lists {
    age: List,
    status: List,
    area: List,
    subcategory: List,
    subject: List,
    profession: List,
}

impl Lists {
    fn load(c: &mut DbConnection) -> AppResult<Self> {
        let mut get = |name: &str| -> AppResult<List> {
            Ok(taxonomy::list(c, name)?
                .into_iter()
                .map(|i| (i.code, i.label))
                .collect())
        };
        Ok(Self {
            age: get("age_band")?,
            status: get("complainant_status")?,
            area: get("service_area")?,
            subcategory: get("clinical_subcategory")?,
            subject: get("subject_area")?,
            profession: get("profession")?,
        })
    }
}

/// One site's (or the trust's) counts as they accumulate, keyed by borrowed codes so that a
/// year of complaints is counted without copying a string per complaint.
#[derive(Default)]
struct Tally<'a> {
    summary: Summary,
    responded_without_outcome: i64,
    age: HashMap<&'a str, i64>,
    status: HashMap<&'a str, i64>,
    area: HashMap<&'a str, i64>,
    subcategory: HashMap<&'a str, i64>,
    subject: HashMap<&'a str, i64>,
    profession: HashMap<&'a str, i64>,
}

fn bump<'a>(counts: &mut HashMap<&'a str, i64>, code: &'a str) {
    *counts.entry(code).or_insert(0) += 1;
}

fn owned(counts: HashMap<&str, i64>) -> BTreeMap<String, i64> {
    counts
        .into_iter()
        .map(|(k, n)| (k.to_string(), n))
        .collect()
}

impl<'a> Tally<'a> {
    /// Count one complaint on the caseload (section 2 and, if new, sections 3 and 4).
    fn case(&mut self, case: &'a Ko41aCase, period: Period, new: bool) {
        let (from, to) = (period.from, period.to);
        let s = &mut self.summary;
        let left = [case.responded_on, case.withdrawn_on, case.closed_on]
            .into_iter()
            .flatten()
            .min();
        if case.received_on < from && left.is_none_or(|d| d >= from) {
            s.brought_forward += 1;
        }
        if left.is_none_or(|d| d > to) {
            s.open_at_end += 1;
        }
        if case.responded_on.is_some_and(|d| d >= from && d <= to) {
            match case.outcome.as_deref().and_then(|o| o.parse().ok()) {
                Some(Outcome::Upheld) => s.upheld += 1,
                Some(Outcome::PartiallyUpheld) => s.partially_upheld += 1,
                Some(Outcome::NotUpheld) => s.not_upheld += 1,
                None => self.responded_without_outcome += 1,
            }
        } else if left.is_some_and(|d| d >= from && d <= to) {
            // Ended without a response: withdrawn, or closed as out of time.
            s.withdrawn += 1;
        }
        if new {
            s.new += 1;
            bump(&mut self.age, &case.age_band);
            bump(&mut self.status, &case.complainant_status);
        }
    }

    /// Sections 2–8 with their arithmetic and validation.
    fn finish(self, lists: &Lists) -> Sections {
        let mut s = self.summary;
        s.resolved = s.upheld + s.partially_upheld + s.not_upheld;
        // The same test as next year's brought forward: still on the caseload at the end.
        s.carried_forward = s.open_at_end;
        let out = Sections {
            age: items(&lists.age, owned(self.age)),
            complainant_status: items(&lists.status, owned(self.status)),
            service_area: items(&lists.area, owned(self.area)),
            clinical_treatment: items(&lists.subcategory, owned(self.subcategory)),
            subject_area: items(&lists.subject, owned(self.subject)),
            profession: items(&lists.profession, owned(self.profession)),
            validation: Vec::new(),
            summary: s,
        };
        let validation = validate(&out, self.responded_without_outcome);
        Sections { validation, ..out }
    }
}

/// Every box of `list` (explicit zeros), then any code found but not on the list.
fn items(list: &List, counts: BTreeMap<String, i64>) -> Vec<Item> {
    let mut counts = counts;
    let mut out: Vec<Item> = list
        .iter()
        .map(|(code, label)| Item {
            code: code.clone(),
            label: label.clone(),
            count: counts.remove(code).unwrap_or(0),
        })
        .collect();
    for (code, count) in counts {
        out.push(Item {
            label: if code.is_empty() {
                "Not recorded".into()
            } else {
                code.replace('_', " ")
            },
            code,
            count,
        });
    }
    out
}

fn sum(items: &[Item]) -> i64 {
    items.iter().map(|i| i.count).sum()
}

/// The published validation rules (domain.md §3.2), each failure as a sentence.
pub fn validate(s: &Sections, responded_without_outcome: i64) -> Vec<String> {
    let m = &s.summary;
    let mut v = Vec::new();
    if m.carried_forward < 0 {
        v.push(format!(
            "Carried forward is negative ({}): brought forward + new − resolved must not be below 0.",
            m.carried_forward
        ));
    }
    let expected = m.brought_forward + m.new - m.resolved - m.withdrawn;
    if m.carried_forward != expected {
        v.push(format!(
            "Carried forward ({}) is not brought forward + new − resolved − withdrawn ({expected}).",
            m.carried_forward
        ));
    }
    if m.resolved > m.brought_forward + m.new {
        v.push(format!(
            "Resolved ({}) exceeds brought forward + new ({}).",
            m.resolved,
            m.brought_forward + m.new
        ));
    }
    for (name, items) in [
        ("Age of patient", &s.age),
        ("Status of complainant", &s.complainant_status),
    ] {
        let total = sum(items);
        if total != m.new {
            v.push(format!(
                "{name} counts sum to {total}, not to the {} new complaints.",
                m.new
            ));
        }
    }
    for (name, items) in [
        ("Subject area", &s.subject_area),
        ("Profession", &s.profession),
        ("Service area", &s.service_area),
    ] {
        let total = sum(items);
        if total < m.new {
            v.push(format!(
                "{name} counts total {total}, fewer than the {} new complaints (each complaint needs at least one).",
                m.new
            ));
        }
    }
    for (name, items) in [
        ("Age of patient", &s.age),
        ("Status of complainant", &s.complainant_status),
        ("Service area", &s.service_area),
        ("Clinical treatment", &s.clinical_treatment),
        ("Subject area", &s.subject_area),
        ("Profession", &s.profession),
    ] {
        if let Some(i) = items.iter().find(|i| i.code.is_empty() && i.count > 0) {
            v.push(format!("{name}: {} new complaints have no code.", i.count));
        }
    }
    let clinical: i64 = s
        .subject_area
        .iter()
        .filter(|i| i.code == "clinical_treatment")
        .map(|i| i.count)
        .sum();
    if sum(&s.clinical_treatment) != clinical {
        v.push(format!(
            "Clinical treatment sub-categories total {}, not the {clinical} clinical treatment aspects.",
            sum(&s.clinical_treatment)
        ));
    }
    if responded_without_outcome > 0 {
        v.push(format!(
            "{responded_without_outcome} complaints were responded to without an outcome and are not counted as resolved."
        ));
    }
    v
}

/// The complaints on the caseload in the year, with the lists and the service tree.
pub struct Caseload {
    lists: Lists,
    tree: Tree,
    cases: Vec<Ko41aCase>,
    services: Vec<(String, String, bool)>,
}

/// The coding of the year's new complaints: (case id, subject, sub-category) and (case id,
/// profession).
pub struct Coding {
    subjects: Vec<(String, String, Option<String>)>,
    professions: Vec<(String, String)>,
}

/// Read the caseload of the financial year starting 1 April `year`.
pub fn load_caseload(c: &mut DbConnection, year: i32) -> AppResult<Caseload> {
    let period = Period::financial_year(year)?;
    let (from, to) = (period.from, period.to);
    Ok(Caseload {
        lists: Lists::load(c)?,
        tree: Tree::new(service_rows::all(c)?),
        cases: q::ko41a_cases(c, from, to)?,
        services: q::ko41a_services(c, from, to)?,
    })
}

/// Read the coding of the year's new complaints (independent of [`load_caseload`], so the two
/// can run on two connections at once).
pub fn load_coding(c: &mut DbConnection, year: i32) -> AppResult<Coding> {
    let period = Period::financial_year(year)?;
    let (from, to) = (period.from, period.to);
    Ok(Coding {
        subjects: q::ko41a_subjects(c, from, to)?,
        professions: q::ko41a_professions(c, from, to)?,
    })
}

/// The return from what was read: one pass over the complaints and one over each kind of
/// coding, counting into a tally per site and one for the trust.
pub fn assemble(year: i32, caseload: Caseload, coding: Coding) -> AppResult<Ko41a> {
    let period = Period::financial_year(year)?;
    let Caseload {
        lists,
        tree,
        cases,
        services,
    } = caseload;
    let index: HashMap<&str, usize> = cases
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let placed = Placement::of(&tree, &index, &services, cases.len());
    let new: Vec<bool> = cases
        .iter()
        .map(|c| c.received_on >= period.from && c.received_on <= period.to)
        .collect();
    let mut tallies: Vec<Tally> = (0..=placed.sites.len()).map(|_| Tally::default()).collect();
    let total_slot = placed.sites.len();
    // Count complaint `i` at its site and in the trust total.
    fn count<'a>(tallies: &mut [Tally<'a>], at: [usize; 2], f: impl Fn(&mut Tally<'a>)) {
        at.into_iter().for_each(|slot| f(&mut tallies[slot]));
    }
    let at = |i: usize| [placed.site_of[i], total_slot];
    for (i, case) in cases.iter().enumerate() {
        count(&mut tallies, at(i), |t| t.case(case, period, new[i]));
    }
    let mut has_area = vec![false; cases.len()];
    for &(i, area) in &placed.areas {
        has_area[i] = true;
        if new[i] {
            count(&mut tallies, at(i), |t| bump(&mut t.area, area));
        }
    }
    for i in (0..cases.len()).filter(|&i| new[i] && !has_area[i]) {
        count(&mut tallies, at(i), |t| bump(&mut t.area, ""));
    }
    for (case_id, code, sub) in &coding.subjects {
        let Some(&i) = index.get(case_id.as_str()).filter(|&&i| new[i]) else {
            continue;
        };
        count(&mut tallies, at(i), |t| {
            bump(&mut t.subject, code);
            if let Some(sub) = sub {
                bump(&mut t.subcategory, sub);
            }
        });
    }
    for (case_id, code) in &coding.professions {
        if let Some(&i) = index.get(case_id.as_str()).filter(|&&i| new[i]) {
            count(&mut tallies, at(i), |t| bump(&mut t.profession, code));
        }
    }
    Ok(finish(year, period, &lists, &tree, &placed.sites, tallies))
}

/// Where each complaint is counted: a site per complaint and the areas it touches.
struct Placement<'a> {
    /// Every site with complaints, in code order (`None`: no service recorded).
    sites: Vec<Option<&'a str>>,
    /// Each complaint's slot in `sites`.
    site_of: Vec<usize>,
    /// (complaint, service area), each once.
    areas: Vec<(usize, &'a str)>,
}

impl<'a> Placement<'a> {
    /// A complaint about several sites is recorded once: at the site of its primary service
    /// (chosen at intake; the lowest id only for a record without one).
    fn of(
        tree: &'a Tree,
        index: &HashMap<&str, usize>,
        services: &'a [(String, String, bool)],
        cases: usize,
    ) -> Self {
        // Each service's site and area, worked out once per service rather than once per row.
        let mut placed: HashMap<&str, (Option<&str>, Option<&str>)> = HashMap::new();
        let mut first: Vec<Option<(bool, &str)>> = vec![None; cases];
        let mut areas: Vec<(usize, &str)> = Vec::new();
        for (case_id, service_id, primary) in services {
            let Some(&i) = index.get(case_id.as_str()) else {
                continue;
            };
            let service_id = service_id.as_str();
            // The primary service wins; between equals, the lower id (a stable choice).
            let better = |(p, f): (bool, &str)| {
                (*primary, std::cmp::Reverse(service_id)) > (p, std::cmp::Reverse(f))
            };
            if first[i].is_none_or(better) {
                first[i] = Some((*primary, service_id));
            }
            let (_, area) = *placed.entry(service_id).or_insert_with(|| {
                (
                    tree.site_of(service_id).map(|s| s.id.as_str()),
                    tree.area_of(service_id),
                )
            });
            if let Some(a) = area {
                areas.push((i, a));
            }
        }
        areas.sort_unstable();
        areas.dedup();
        let case_site: Vec<Option<&str>> = first
            .iter()
            .map(|f| f.and_then(|(_, s)| placed.get(s).and_then(|p| p.0)))
            .collect();
        let mut sites: Vec<Option<&str>> = case_site
            .iter()
            .copied()
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        sites.sort_by_key(|id| {
            id.and_then(|i| tree.get(i))
                .map_or_else(|| "~".to_string(), |r| r.code.clone())
        });
        let slot: HashMap<Option<&str>, usize> =
            sites.iter().enumerate().map(|(i, s)| (*s, i)).collect();
        let site_of = case_site.iter().map(|s| slot[s]).collect();
        Self {
            sites,
            site_of,
            areas,
        }
    }
}

/// The return from the tallies (one per site, then the trust's), checked for consistency.
fn finish(
    year: i32,
    period: Period,
    lists: &Lists,
    tree: &Tree,
    site_ids: &[Option<&str>],
    mut tallies: Vec<Tally<'_>>,
) -> Ko41a {
    let mut total = tallies.pop().unwrap_or_default().finish(lists);
    let sites: Vec<Site> = site_ids
        .iter()
        .zip(tallies)
        .map(|(site, tally)| {
            let row = site.and_then(|i| tree.get(i));
            Site {
                code: row.map_or_else(|| "NONE".into(), |r| r.code.clone()),
                name: row.map_or_else(|| "No service recorded".into(), |r| r.name.clone()),
                sections: tally.finish(lists),
                service_id: site.map(str::to_string),
            }
        })
        .collect();
    let new_at_sites: i64 = sites.iter().map(|s| s.sections.summary.new).sum();
    if new_at_sites != total.summary.new {
        total.validation.push(format!(
            "Site totals of new complaints ({new_at_sites}) differ from the trust total ({}).",
            total.summary.new
        ));
    }
    let valid =
        total.validation.is_empty() && sites.iter().all(|s| s.sections.validation.is_empty());
    Ko41a {
        financial_year: Period::financial_year_label(year),
        period,
        total,
        sites,
        valid,
        notes: vec![
            "Formal complaints only; PALS concerns are not written complaints for KO41a.".into(),
            "A complaint about several sites is counted once, at the site of its primary service.".into(),
            "Breakdowns count new complaints only; subject areas count each aspect, so their total may exceed new complaints.".into(),
            "Complaints withdrawn, or declined as out of time, without a response are not a KO41a outcome: they are not resolved, they are shown as withdrawn and leave the caseload, so carried forward = brought forward + new − resolved − withdrawn and equals next year's brought forward.".into(),
        ],
        since_submission: None,
    }
}

/// The return as CSV: one row per box, for the trust and each site.
pub fn to_csv(r: &Value) -> String {
    let mut out = String::from("financial_year,site_code,site_name,section,code,label,count\n");
    let year = r["financial_year"].as_str().unwrap_or_default();
    // A count hidden from the reader (`null`) is left empty.
    let shown = |v: &Value| v.as_i64().map(|n| n.to_string()).unwrap_or_default();
    let mut rows = |site_code: &str, site_name: &str, s: &Value| {
        for (code, label) in [
            ("brought_forward", "Total brought forward"),
            ("new", "Total new"),
            ("upheld", "Upheld"),
            ("partially_upheld", "Partially upheld"),
            ("not_upheld", "Not upheld"),
            ("resolved", "Total resolved"),
            ("carried_forward", "Total carried forward"),
        ] {
            let n = shown(&s["summary"][code]);
            out.push_str(&csv_row(&[
                year,
                site_code,
                site_name,
                "2 Summary",
                code,
                label,
                &n,
            ]));
        }
        for (section, list) in [
            ("3 Age of patient", "age"),
            ("4 Status of complainant", "complainant_status"),
            ("5 Service area", "service_area"),
            ("6 Clinical treatment", "clinical_treatment"),
            ("7 Subject area", "subject_area"),
            ("8 Profession", "profession"),
        ] {
            for i in s[list].as_array().into_iter().flatten() {
                let text = |k: &str| i[k].as_str().unwrap_or_default().to_string();
                out.push_str(&csv_row(&[
                    year,
                    site_code,
                    site_name,
                    section,
                    &text("code"),
                    &text("label"),
                    &shown(&i["count"]),
                ]));
            }
        }
    };
    rows("TOTAL", "All sites", &r["total"]);
    for site in r["sites"].as_array().into_iter().flatten() {
        let text = |k: &str| site[k].as_str().unwrap_or_default().to_string();
        rows(&text("code"), &text("name"), site);
    }
    out
}

/// One CSV line; fields quoted when they need it, and a leading `=`, `+`, `-`, `@`, tab or CR
/// defused so that a spreadsheet does not run it as a formula.
fn csv_row(fields: &[&str]) -> String {
    let cells: Vec<String> = fields
        .iter()
        .map(|f| {
            let f = if f.starts_with(['=', '+', '-', '@', '\t', '\r']) && f.parse::<i64>().is_err()
            {
                format!("'{f}")
            } else {
                (*f).to_string()
            };
            if f.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", f.replace('"', "\"\""))
            } else {
                f
            }
        })
        .collect();
    format!("{}\n", cells.join(","))
}

/// The first day of the financial year containing `day`.
pub fn financial_year_of(day: NaiveDate) -> i32 {
    use chrono::Datelike;
    if day.month() >= 4 {
        day.year()
    } else {
        day.year() - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reports::tree::tests::row as service;

    #[test]
    fn csv_cells_are_quoted_and_formulas_defused() {
        assert_eq!(
            csv_row(&["a", "b,c", "=SUM(A1)", "-3"]),
            "a,\"b,c\",'=SUM(A1),-3\n"
        );
        // A leading tab or carriage return is defused too (and a CR is quoted).
        assert_eq!(csv_row(&["\t=1+2", "\rx"]), "'\t=1+2,\"'\rx\"\n");
    }

    fn case(id: &str, received: &str) -> Ko41aCase {
        Ko41aCase {
            id: id.into(),
            received_on: received.parse().unwrap(),
            responded_on: None,
            outcome: None,
            withdrawn_on: None,
            closed_on: None,
            age_band: "age_65_plus".into(),
            complainant_status: "patient".into(),
        }
    }

    fn no_lists() -> Lists {
        Lists {
            age: Vec::new(),
            status: Vec::new(),
            area: Vec::new(),
            subcategory: Vec::new(),
            subject: Vec::new(),
            profession: Vec::new(),
        }
    }

    #[test]
    fn each_complaint_counts_once_at_its_first_services_site_and_once_per_area() {
        let tree = Tree::new(vec![
            service("a", None, "site", None),
            service("a1", Some("a"), "ward_team", Some("inpatient")),
            service("a2", Some("a"), "ward_team", Some("inpatient")),
            service("b", None, "site", Some("outpatient")),
        ]);
        let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
            v.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        };
        let caseload = Caseload {
            lists: no_lists(),
            tree,
            // c1: two wards of one area; c2: both sites (first by id is a2); c3: no service;
            // c4: received before the year, so in no breakdown.
            cases: vec![
                case("c1", "2025-05-01"),
                case("c2", "2025-06-01"),
                case("c3", "2025-07-01"),
                case("c4", "2025-01-01"),
            ],
            // No primary recorded: the lowest id stands in (records from before primaries).
            services: pairs(&[
                ("c1", "a1"),
                ("c1", "a2"),
                ("c2", "b"),
                ("c2", "a2"),
                ("c4", "b"),
            ])
            .into_iter()
            .map(|(c, s)| (c, s, false))
            .collect(),
        };
        let coding = Coding {
            subjects: vec![
                ("c1".into(), "communications".into(), None),
                ("c2".into(), "communications".into(), None),
                ("c4".into(), "communications".into(), None),
            ],
            professions: pairs(&[("c3", "medical"), ("c4", "medical")]),
        };
        let r = assemble(2025, caseload, coding).unwrap();
        let n = |items: &[Item], code: &str| {
            items.iter().find(|i| i.code == code).map_or(0, |i| i.count)
        };
        assert_eq!(r.total.summary.new, 3);
        assert_eq!(r.total.summary.brought_forward, 1);
        assert_eq!(n(&r.total.service_area, "inpatient"), 2, "c1 once, c2 once");
        assert_eq!(n(&r.total.service_area, "outpatient"), 1, "c2");
        assert_eq!(n(&r.total.service_area, ""), 1, "c3 has no service");
        assert_eq!(n(&r.total.subject_area, "communications"), 2);
        assert_eq!(n(&r.total.profession, "medical"), 1);
        let sites: Vec<(&str, i64)> = r
            .sites
            .iter()
            .map(|s| (s.code.as_str(), s.sections.summary.new))
            .collect();
        assert_eq!(sites, vec![("A", 2), ("B", 0), ("NONE", 1)]);
        assert_eq!(
            r.sites[1].sections.summary.brought_forward, 1,
            "c4 at site B"
        );
        assert!(
            r.total
                .validation
                .iter()
                .all(|v| !v.contains("Site totals"))
        );
    }

    #[test]
    fn financial_years_start_in_april() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(financial_year_of(d("2026-03-31")), 2025);
        assert_eq!(financial_year_of(d("2026-04-01")), 2026);
    }
}

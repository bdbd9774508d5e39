//! Case lists: the filters, orders and cursors of `GET /cases`, and the capped count.

use chrono::NaiveDate;
use diesel::dsl::exists;
use diesel::prelude::*;

use super::cases::{CaseRow, typed};
use super::connection::{DbConnection, MultiBackend};
use super::error::{DbError, DbResult};
use super::one_of::{OneOf, one_of};
use super::planned_per_run::planned_per_run;
use super::schema::{case_services, cases};
use super::users::lower;
use crate::domain::case::{Case, CaseKind, CaseStatus};

/// Which cases a list shows.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub kind: Option<CaseKind>,
    pub statuses: Vec<CaseStatus>,
    pub service_ids: Option<Vec<String>>,
    pub subject: Option<String>,
    pub handler_id: Option<String>,
    pub risk_grade: Option<String>,
    pub due_before: Option<NaiveDate>,
    pub received_from: Option<NaiveDate>,
    pub received_to: Option<NaiveDate>,
    /// Lower-case text to find in the reference or summary.
    pub text: Option<String>,
    /// Only overdue cases, judged at this date.
    pub overdue_at: Option<NaiveDate>,
    /// Investigators: only cases assigned to this user or in `visible_services`.
    pub visible_to: Option<(String, Vec<String>)>,
    /// Only cases this user handles or investigates ("my work").
    pub assigned_to: Option<String>,
    /// Cases naming one of these people (complainant or patient); with `text`, cases matching
    /// either.
    pub people: Option<Vec<String>>,
}

/// List orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseSort {
    /// Newest received first.
    Received,
    /// Oldest received first.
    Oldest,
    /// Soonest next due date first; cases with none last.
    NextDue,
    Reference,
}

/// Where the previous page ended: the sort key and id of its last row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseCursor {
    pub key: String,
    pub id: String,
}

type Boxed<'a> = cases::BoxedQuery<'a, MultiBackend>;

/// How a filter on services is put to the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ByService {
    /// Probe each case's coding as the case is read: for a page, which walks an index in the
    /// page's order and stops at its limit.
    PerCase,
    /// When the filter names a kind and statuses (which the service rows carry), read the
    /// matching service rows first, then the cases they name, to test what else the filter
    /// asks: for a count, which must see every match. Probing instead read every open
    /// complaint in the trust to count one ward's (at a million cases: 11,894 probes, 60 ms,
    /// for 572 matches). A count that asks nothing more does not read the cases at all
    /// (`count`); otherwise this is the same as `PerCase`.
    Coded,
}

fn filtered(f: &CaseFilter, by: ByService) -> Boxed<'_> {
    use super::schema::{case_services as cs, case_subjects as subj};
    // Which statuses, services and people are rare is what makes a plan good here, and a
    // generic plan cannot know it (see `planned_per_run`).
    let mut q = cases::table.filter(planned_per_run()).into_boxed();
    if let Some(kind) = f.kind {
        q = q.filter(cases::kind.eq(kind.as_str()));
    }
    if !f.statuses.is_empty() {
        q = q.filter(one_of(cases::status, f.statuses.iter().map(|s| s.as_str())));
    }
    // Correlated EXISTS rather than IN (…): the planner can walk the sort index and probe
    // each case, instead of materialising every matching id and sorting them.
    if let Some(ids) = &f.service_ids {
        q = match (by, coded(f)) {
            (ByService::Coded, Some((c, _))) => {
                q.filter(cases::id.eq_any(c.rows().select(cs::case_id)))
            }
            _ => q.filter(exists(
                cs::table
                    .filter(cs::case_id.eq(cases::id))
                    .filter(one_of(cs::service_id, ids)),
            )),
        };
    }
    if let Some(code) = &f.subject {
        q = q.filter(exists(
            subj::table
                .filter(subj::case_id.eq(cases::id))
                .filter(subj::subject_code.eq(code)),
        ));
    }
    if let Some(handler) = &f.handler_id {
        q = q.filter(cases::handler_id.eq(handler));
    }
    if let Some(grade) = &f.risk_grade {
        q = q.filter(cases::risk_grade.eq(grade));
    }
    if let Some(day) = f.due_before {
        q = q.filter(cases::next_due_key.lt(day));
    }
    if let Some(day) = f.received_from {
        q = q.filter(cases::received_on.ge(day));
    }
    if let Some(day) = f.received_to {
        q = q.filter(cases::received_on.le(day));
    }
    q = found_by(q, f);
    if let Some(today) = f.overdue_at {
        // Every deadline that can be missed feeds the next due date (clock::view), so a case
        // is overdue exactly when that date has passed.
        q = q.filter(cases::next_due_key.lt(today));
    }
    if let Some(user) = &f.assigned_to {
        q = q.filter(
            cases::handler_id
                .eq(user.clone())
                .or(cases::investigator_id.eq(user.clone())),
        );
    }
    if let Some((user, services)) = &f.visible_to {
        q = q.filter(
            cases::handler_id
                .eq(user.clone())
                .or(cases::investigator_id.eq(user.clone()))
                .or(exists(
                    cs::table
                        .filter(cs::case_id.eq(cases::id))
                        .filter(one_of(cs::service_id, services)),
                )),
        );
    }
    q
}

/// The part of the filter a person typed: a whole reference, words, or the people named.
fn found_by<'a>(mut q: Boxed<'a>, f: &'a CaseFilter) -> Boxed<'a> {
    if let Some(text) = f.text.as_deref().filter(|t| looks_like_reference(t)) {
        // A whole reference is unique: an index lookup, not a scan.
        q = q.filter(cases::reference.eq(text.to_uppercase()));
    } else if let Some(text) = &f.text {
        let pattern = format!("%{}%", escape_like(text));
        let words = lower(cases::reference)
            .like(pattern.clone())
            .escape('\\')
            .or(lower(cases::summary).like(pattern).escape('\\'));
        // The words, or a person named in them (complainant or patient).
        let people = f.people.clone().unwrap_or_default();
        q = q.filter(
            words
                .or(one_of(cases::complainant_id, &people))
                .or(one_of(cases::patient_id, &people)),
        );
    } else if let Some(people) = &f.people {
        q = q.filter(one_of(cases::complainant_id, people).or(one_of(cases::patient_id, people)));
    }
    q
}

/// `c-2026-00042` or `P-2026-00042`.
fn looks_like_reference(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    matches!(parts.as_slice(), [k, y, n]
        if matches!(*k, "c" | "p" | "C" | "P")
            && y.len() == 4
            && y.bytes().all(|b| b.is_ascii_digit())
            && n.len() >= 5
            && n.bytes().all(|b| b.is_ascii_digit()))
}

pub(super) fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// How many cases match `filter`, counting no further than `cap` (so that a count over a
/// million rows costs no more than reading `cap` of them).
pub fn count(conn: &mut DbConnection, filter: &CaseFilter, cap: i64) -> DbResult<i64> {
    use super::schema::case_services as cs;
    let n = match coded(filter) {
        // The service rows alone: one index range for each service, no case read.
        Some((c, false)) => c
            .rows()
            .select(cs::case_id)
            .distinct()
            .limit(cap)
            .load::<String>(conn)?
            .len(),
        _ => filtered(filter, ByService::Coded)
            .select(cases::version)
            .limit(cap)
            .load::<i32>(conn)?
            .len(),
    };
    Ok(i64::try_from(n).unwrap_or(cap))
}

/// What a filter asks that each service row carries: a kind, statuses and services.
struct Coded<'a> {
    kind: &'static str,
    statuses: Vec<&'static str>,
    services: &'a [String],
}

type CodedRows = diesel::dsl::Filter<
    diesel::dsl::Filter<
        diesel::dsl::Filter<case_services::table, OneOf<case_services::service_id>>,
        diesel::dsl::Eq<case_services::kind, &'static str>,
    >,
    OneOf<case_services::status>,
>;

impl Coded<'_> {
    /// The service rows that match: one range of `case_services_status_idx` for each service
    /// and status.
    fn rows(&self) -> CodedRows {
        use super::schema::case_services as cs;
        cs::table
            .filter(one_of(cs::service_id, self.services))
            .filter(cs::kind.eq(self.kind))
            .filter(one_of(cs::status, &self.statuses))
    }
}

/// The kind, statuses and services of `f` when it names all three, and whether it asks
/// anything more (when it does not, a ward's open complaints say, the service rows alone
/// answer it).
fn coded(f: &CaseFilter) -> Option<(Coded<'_>, bool)> {
    // Every field is named, so that a new one must be thought about here.
    let CaseFilter {
        kind,
        statuses,
        service_ids,
        subject,
        handler_id,
        risk_grade,
        due_before,
        received_from,
        received_to,
        text,
        overdue_at,
        visible_to,
        assigned_to,
        people,
    } = f;
    let asks_more = subject.is_some()
        || handler_id.is_some()
        || risk_grade.is_some()
        || due_before.is_some()
        || received_from.is_some()
        || received_to.is_some()
        || text.is_some()
        || overdue_at.is_some()
        || visible_to.is_some()
        || assigned_to.is_some()
        || people.is_some();
    match (kind, service_ids) {
        (Some(kind), Some(services)) if !statuses.is_empty() => {
            let coded = Coded {
                kind: kind.as_str(),
                statuses: statuses.iter().map(|s| s.as_str()).collect(),
                services,
            };
            Some((coded, asks_more))
        }
        _ => None,
    }
}

/// The ids of a page in received order, read from one service's rows in the index order of
/// `case_services_status_idx` (at a million cases, walking the cases of a status and probing
/// each one's services read about a thousand cases for fifty). `None` when the filter asks
/// more than the service rows carry, names several services (their rows are not in one
/// order) or the order is not by day received.
fn page_from_coding<'a>(
    f: &'a CaseFilter,
    sort: CaseSort,
    cursor: Option<&CaseCursor>,
    limit: i64,
) -> Option<DbResult<Boxed<'a>>> {
    use super::schema::case_services as cs;
    let (c, false) = coded(f)? else {
        return None;
    };
    if c.services.len() != 1 || c.statuses.len() != 1 {
        return None;
    }
    // No cursor is one before the first row: every day received is after 0001-01-01 and
    // before 9999-12-31.
    let (day, id) = match cursor {
        None if sort == CaseSort::Received => (super::cases::no_due_date(), String::new()),
        None => (first_day(), String::new()),
        Some(c) => match c.key.parse::<NaiveDate>() {
            Ok(day) => (day, c.id.clone()),
            Err(_) => return Some(Err(bad_cursor())),
        },
    };
    let rows = c.rows();
    // Planned once and kept (unlike `filtered`): whatever the values, the best plan is this
    // index's range in order and a primary-key read for each id.
    let q = cases::table.into_boxed();
    Some(Ok(match sort {
        CaseSort::Received => q.filter(
            cases::id.eq_any(
                rows.filter(BoolExpressionMethods::or(
                    cs::received_on.lt(day),
                    BoolExpressionMethods::and(cs::received_on.eq(day), cs::case_id.lt(id)),
                ))
                .order((cs::received_on.desc(), cs::case_id.desc()))
                .limit(limit)
                .select(cs::case_id),
            ),
        ),
        CaseSort::Oldest => q.filter(
            cases::id.eq_any(
                rows.filter(BoolExpressionMethods::or(
                    cs::received_on.gt(day),
                    BoolExpressionMethods::and(cs::received_on.eq(day), cs::case_id.gt(id)),
                ))
                .order((cs::received_on.asc(), cs::case_id.asc()))
                .limit(limit)
                .select(cs::case_id),
            ),
        ),
        CaseSort::NextDue | CaseSort::Reference => return None,
    }))
}

/// 0001-01-01: before every day received (and, written as text, before every other date).
fn first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or(NaiveDate::MIN)
}

fn bad_cursor() -> DbError {
    DbError::Task("cursor does not fit this order".into())
}

/// A page of cases in `sort` order after `cursor`.
///
/// A filter on several statuses is run as one query per status, merged here. Given
/// `status IN (…)`, neither engine can read an index in the page's order: SQLite read every
/// matching case in full and sorted them all to keep the first page (27 ms for 3,000 matches,
/// found with `perf`), PostgreSQL the same (91 ms for 12,900, `EXPLAIN ANALYZE`). One status at
/// a time, each query walks `cases_kind_status_idx` in order and stops at `limit`.
pub fn list(
    conn: &mut DbConnection,
    filter: &CaseFilter,
    sort: CaseSort,
    cursor: Option<&CaseCursor>,
    limit: i64,
) -> DbResult<Vec<Case>> {
    if filter.statuses.len() < 2 {
        return list_one(conn, filter, sort, cursor, limit);
    }
    let mut merged = Vec::new();
    for status in &filter.statuses {
        let one = CaseFilter {
            statuses: vec![*status],
            ..filter.clone()
        };
        merged.extend(list_one(conn, &one, sort, cursor, limit)?);
    }
    merged.sort_by(|a, b| match sort {
        CaseSort::Received => (b.received_on, &b.id).cmp(&(a.received_on, &a.id)),
        CaseSort::Oldest => (a.received_on, &a.id).cmp(&(b.received_on, &b.id)),
        CaseSort::NextDue => (a.next_due_key, &a.id).cmp(&(b.next_due_key, &b.id)),
        CaseSort::Reference => a.reference.cmp(&b.reference),
    });
    merged.truncate(usize::try_from(limit).unwrap_or(0));
    Ok(merged)
}

fn list_one(
    conn: &mut DbConnection,
    filter: &CaseFilter,
    sort: CaseSort,
    cursor: Option<&CaseCursor>,
    limit: i64,
) -> DbResult<Vec<Case>> {
    // From one service's rows when they answer the filter; the cursor and order below then
    // only put those rows in order.
    let q = match page_from_coding(filter, sort, cursor, limit) {
        Some(q) => q?,
        None => filtered(filter, ByService::PerCase),
    };
    let q = q.select(CaseRow::as_select()).limit(limit);
    let q = match sort {
        CaseSort::Received | CaseSort::Oldest => {
            let q = match cursor {
                None => q,
                Some(c) => {
                    let day: NaiveDate = c.key.parse().map_err(|_| bad_cursor())?;
                    let id = c.id.clone();
                    if sort == CaseSort::Received {
                        q.filter(
                            cases::received_on
                                .lt(day)
                                .or(cases::received_on.eq(day).and(cases::id.lt(id))),
                        )
                    } else {
                        q.filter(
                            cases::received_on
                                .gt(day)
                                .or(cases::received_on.eq(day).and(cases::id.gt(id))),
                        )
                    }
                }
            };
            if sort == CaseSort::Received {
                q.order((cases::received_on.desc(), cases::id.desc()))
            } else {
                q.order((cases::received_on.asc(), cases::id.asc()))
            }
        }
        CaseSort::NextDue => {
            let q = match cursor {
                None => q,
                Some(c) => {
                    let day: NaiveDate = c.key.parse().map_err(|_| bad_cursor())?;
                    let id = c.id.clone();
                    q.filter(
                        cases::next_due_key
                            .gt(day)
                            .or(cases::next_due_key.eq(day).and(cases::id.gt(id))),
                    )
                }
            };
            q.order((cases::next_due_key.asc(), cases::id.asc()))
        }
        CaseSort::Reference => {
            let q = match cursor {
                None => q,
                Some(c) => q.filter(cases::reference.gt(c.key.clone())),
            };
            q.order(cases::reference.asc())
        }
    };
    typed(q.load(conn)?)
}

/// The sort key of `case` for `sort`, for building the next cursor.
pub fn sort_key(case: &Case, sort: CaseSort) -> String {
    match sort {
        CaseSort::Received | CaseSort::Oldest => case.received_on.to_string(),
        CaseSort::NextDue => case.next_due_key.to_string(),
        CaseSort::Reference => case.reference.clone(),
    }
}

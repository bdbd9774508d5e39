//! Aggregations for board reporting, KO41a and SPC, done in SQL (GROUP BY) so that reports over
//! a million cases read indexes, not rows. Each returns small grouped results; the arithmetic
//! that needs the working-day calendar happens in `reports/`.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::{count_star, exists};
use diesel::prelude::*;
use diesel::sql_types::Bool;

use super::connection::{DbConnection, MultiBackend};
use super::error::DbResult;
use super::schema::{case_professions, case_services, case_subjects, cases, timeline_events};
use crate::domain::case::{CaseKind, CaseStatus};

/// Which cases a report covers: a kind, optionally only those about some services.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// Only cases about any of these services (a service and everything beneath it).
    pub service_ids: Option<Vec<String>>,
}

diesel::allow_columns_to_appear_in_same_group_by_clause!(
    case_subjects::received_on,
    case_subjects::subject_code,
);
diesel::allow_columns_to_appear_in_same_group_by_clause!(
    case_services::received_on,
    case_services::service_id,
);

type Boxed<'a> = cases::BoxedQuery<'a, MultiBackend>;
type Filter<T> = Box<dyn BoxableExpression<T, MultiBackend, SqlType = Bool>>;

/// The ids of the cases of `kind` about the scope's services, received by `to` (and from
/// `from`): a non-correlated subquery on `case_services_scope_idx`, so a report about one ward
/// reads that ward's cases, not the whole trust's. (A boxed subquery does not compile against
/// the MultiConnection, so "no lower bound" is an early date.)
macro_rules! scope_case_ids {
    ($ids:expr, $kind:expr, $from:expr, $to:expr) => {{
        let earliest = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN);
        case_services::table
            .filter(case_services::service_id.eq_any($ids.to_vec()))
            .filter(case_services::kind.eq($kind.as_str()))
            .filter(case_services::received_on.between($from.unwrap_or(earliest), $to))
            .select(case_services::case_id)
    }};
}

/// Cases of `kind` in the scope, received by `to` (and from `from`) as a condition on `cases`.
/// (Grouped queries cannot be boxed, so the optional scope is a boxed expression.)
fn case_filter(
    kind: CaseKind,
    scope: &Scope,
    from: Option<NaiveDate>,
    to: NaiveDate,
) -> Filter<cases::table> {
    let is_kind = cases::kind.eq(kind.as_str());
    match &scope.service_ids {
        None => Box::new(is_kind),
        Some(ids) => Box::new(is_kind.and(cases::id.eq_any(scope_case_ids!(ids, kind, from, to)))),
    }
}

/// Aspect rows (subjects, services or professions) of complaints received in [`from`, `to`]
/// and in the scope, read from the aspect table's own copy of the kind and day received.
macro_rules! aspect_filter {
    ($table:ident, $scope:expr, $from:expr, $to:expr) => {{
        let (from, to) = ($from, $to);
        let kind = CaseKind::Complaint;
        let period = $table::kind
            .eq(kind.as_str())
            .and($table::received_on.between(from, to));
        let f: Filter<$table::table> = match &$scope.service_ids {
            None => Box::new(period),
            Some(ids) => Box::new(period.and($table::case_id.eq_any(scope_case_ids!(
                ids,
                kind,
                Some(from),
                to
            )))),
        };
        f
    }};
}

fn scoped<'a>(kind: CaseKind, scope: &'a Scope, to: NaiveDate) -> Boxed<'a> {
    cases::table
        .filter(case_filter(kind, scope, None, to))
        .into_boxed()
}

/// Cases of `kind` received in [`from`, `to`].
pub fn received(
    conn: &mut DbConnection,
    kind: CaseKind,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<i64> {
    // About some services: the distinct cases of their service rows, which carry the case's
    // kind and day received (a ward's year of PALS concerns at a million cases: 2 ms, where
    // testing each of the trust's concerns against the ward's took 120 to 340 ms).
    if let Some(ids) = &scope.service_ids {
        return Ok(case_services::table
            .filter(case_services::service_id.eq_any(ids.to_vec()))
            .filter(case_services::kind.eq(kind.as_str()))
            .filter(case_services::received_on.between(from, to))
            .select(diesel::dsl::count(case_services::case_id).aggregate_distinct())
            .get_result(conn)?);
    }
    Ok(cases::table
        .filter(case_filter(kind, scope, Some(from), to))
        .filter(cases::received_on.between(from, to))
        .count()
        .get_result(conn)?)
}

/// PALS concerns escalated to complaints in [`from`, `to`] (dated by the escalation).
pub fn escalated(
    conn: &mut DbConnection,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<i64> {
    Ok(scoped(CaseKind::PalsConcern, scope, to)
        .filter(cases::status.eq(CaseStatus::Escalated.as_str()))
        .filter(cases::resolved_on.between(from, to))
        .count()
        .get_result(conn)?)
}

/// Complaints reopened in [`from`, `to`) (timestamps).
pub fn reopened(
    conn: &mut DbConnection,
    scope: &Scope,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> DbResult<i64> {
    let mut q = timeline_events::table
        .filter(timeline_events::kind.eq("reopen"))
        .filter(timeline_events::occurred_at.ge(from))
        .filter(timeline_events::occurred_at.lt(to))
        .into_boxed();
    if let Some(ids) = &scope.service_ids {
        q = q.filter(exists(
            case_services::table
                .filter(case_services::case_id.eq(timeline_events::case_id))
                .filter(case_services::service_id.eq_any(ids)),
        ));
    }
    Ok(q.count().get_result(conn)?)
}

/// Aspects of complaints received in [`from`, `to`], by subject code (and clinical
/// sub-category): one complaint counts once per aspect.
pub fn subjects(
    conn: &mut DbConnection,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<Vec<(SubjectKey, i64)>> {
    let per_day: Vec<(NaiveDate, String, Option<String>, i64)> = case_subjects::table
        .filter(aspect_filter!(case_subjects, scope, from, to))
        .group_by((
            case_subjects::received_on,
            case_subjects::subject_code,
            case_subjects::subcategory_code,
        ))
        .select((
            case_subjects::received_on,
            case_subjects::subject_code,
            case_subjects::subcategory_code,
            count_star(),
        ))
        .load(conn)?;
    Ok(over_days(
        per_day.into_iter().map(|(_, s, sub, n)| ((s, sub), n)),
    ))
}

/// A subject code and, when recorded, its subcategory.
pub type SubjectKey = (String, Option<String>);

/// Counts per day and key summed over the days. A breakdown is grouped by day first, in the
/// order of its `*_period_idx` (kind, day received, code), so that SQLite counts as it reads the
/// index; grouped by code alone it sorted every row of the period first (at a million cases a
/// year of subjects took twice as long).
fn over_days<K: Ord>(rows: impl Iterator<Item = (K, i64)>) -> Vec<(K, i64)> {
    let mut sums = std::collections::BTreeMap::new();
    for (key, n) in rows {
        *sums.entry(key).or_insert(0) += n;
    }
    sums.into_iter().collect()
}

/// Complaints received in [`from`, `to`] by service id (a complaint about two services counts
/// once for each); for a scoped report, only the scope's services.
pub fn services(
    conn: &mut DbConnection,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<Vec<(String, i64)>> {
    let f: Filter<case_services::table> = match &scope.service_ids {
        None => Box::new(case_services::kind.eq(CaseKind::Complaint.as_str())),
        Some(ids) => Box::new(
            case_services::kind
                .eq(CaseKind::Complaint.as_str())
                .and(case_services::service_id.eq_any(ids.clone())),
        ),
    };
    Ok(case_services::table
        .filter(f)
        .filter(case_services::received_on.between(from, to))
        .group_by(case_services::service_id)
        .select((case_services::service_id, count_star()))
        .load(conn)?)
}

/// Complaints received in [`from`, `to`] by profession code.
pub fn professions(
    conn: &mut DbConnection,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<Vec<(String, i64)>> {
    let per_day: Vec<(NaiveDate, String, i64)> = case_professions::table
        .filter(aspect_filter!(case_professions, scope, from, to))
        .group_by((
            case_professions::received_on,
            case_professions::profession_code,
        ))
        .select((
            case_professions::received_on,
            case_professions::profession_code,
            count_star(),
        ))
        .load(conn)?;
    Ok(over_days(per_day.into_iter().map(|(_, p, n)| (p, n))))
}

/// Complaints withdrawn in [`from`, `to`].
pub fn withdrawn(
    conn: &mut DbConnection,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<i64> {
    Ok(scoped(CaseKind::Complaint, scope, to)
        .filter(cases::withdrawn_on.between(from, to))
        .count()
        .get_result(conn)?)
}

/// (acknowledgement due, acknowledged on, count).
pub type AckRow = (Option<NaiveDate>, Option<NaiveDate>, i64);
/// (responded, received, response due, whether that date was agreed, outcome, count).
pub type ResponseRow = (
    Option<NaiveDate>,
    NaiveDate,
    Option<NaiveDate>,
    Option<bool>,
    Option<String>,
    i64,
);
/// (received, acknowledgement due, acknowledged on, count).
pub type AckDayRow = (NaiveDate, Option<NaiveDate>, Option<NaiveDate>, i64);
/// Six-month letters owed in a period, and of those the letters sent in time and missed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SixMonthCounts {
    pub owed: i64,
    pub sent: i64,
    pub missed: i64,
}

/// Acknowledgement facts of complaints received in [`from`, `to`]: (due, acknowledged on, count).
pub fn acknowledgements(
    conn: &mut DbConnection,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<Vec<AckRow>> {
    Ok(cases::table
        .filter(case_filter(CaseKind::Complaint, scope, Some(from), to))
        .filter(cases::received_on.between(from, to))
        .group_by((cases::acknowledgement_due_on, cases::acknowledged_on))
        .select((
            cases::acknowledgement_due_on,
            cases::acknowledged_on,
            count_star(),
        ))
        .load(conn)?)
}

/// Response facts of complaints first responded in [`from`, `to`]: (responded, received, due,
/// agreed, outcome, count), grouped in the order of `cases_report_responded_idx` so that SQLite
/// counts as it reads the index (no sort of the period's rows).
pub fn responses(
    conn: &mut DbConnection,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<Vec<ResponseRow>> {
    Ok(cases::table
        .filter(case_filter(CaseKind::Complaint, scope, None, to))
        .filter(cases::first_responded_on.between(from, to))
        .group_by((
            cases::first_responded_on,
            cases::received_on,
            cases::first_response_due_on,
            cases::first_response_due_agreed,
            cases::first_outcome,
        ))
        .select((
            cases::first_responded_on,
            cases::received_on,
            cases::first_response_due_on,
            cases::first_response_due_agreed,
            cases::first_outcome,
            count_star(),
        ))
        .load(conn)?)
}

/// Not yet answered, withdrawn or closed as of `$day`: each of those dates missing, or `$op`
/// it. `gt` asks about the end of the day (a case closed that day is no longer open), `ge`
/// about its start (a case closed that day was still open when it began).
macro_rules! unresolved {
    ($op:ident, $day:expr) => {
        cases::first_responded_on
            .is_null()
            .or(cases::first_responded_on.$op($day))
            .and(
                cases::withdrawn_on
                    .is_null()
                    .or(cases::withdrawn_on.$op($day)),
            )
            .and(cases::closed_on.is_null().or(cases::closed_on.$op($day)))
    };
}

/// Complaints still open at the end of `on` (received by then, not responded, withdrawn or
/// closed by then), by day received.
pub fn open_on(
    conn: &mut DbConnection,
    scope: &Scope,
    on: NaiveDate,
) -> DbResult<Vec<(NaiveDate, i64)>> {
    Ok(cases::table
        .filter(case_filter(CaseKind::Complaint, scope, None, on))
        .filter(cases::received_on.le(on))
        .filter(unresolved!(gt, on))
        .group_by(cases::received_on)
        .select((cases::received_on, count_star()))
        .load(conn)?)
}

/// Six-month letters (reg 14(4)) falling due in [`from`, `to`] and owed: complaints still open
/// and unanswered at the end of their six months. One answered, withdrawn, or closed (declined
/// as out of time) by then owed none, and one not acknowledged by then is counted as an overdue
/// acknowledgement instead (the letter cannot be sent before it). Of those owed: sent by the
/// due date, or missed (due before `today` and not sent by then).
///
/// Counted in SQL from `cases_report_six_month_idx`, which carries every date compared here.
pub fn six_month_letters(
    conn: &mut DbConnection,
    scope: &Scope,
    (from, to): (NaiveDate, NaiveDate),
    today: NaiveDate,
) -> DbResult<SixMonthCounts> {
    use diesel::dsl::sql;
    use diesel::sql_types::{BigInt, Date};
    let due = cases::six_month_letter_due_on;
    let (owed, sent, missed): (i64, i64, i64) = cases::table
        .filter(case_filter(CaseKind::Complaint, scope, None, to))
        .filter(due.between(from, to))
        .filter(cases::acknowledged_on.le(due))
        .filter(unresolved!(gt, due))
        // One pass over the index range: the letters sent by the due date, and those not
        // sent by then whose due date has passed.
        .select((
            count_star(),
            sql::<BigInt>(
                "COALESCE(SUM(CASE WHEN cases.six_month_letter_sent_on \
                 <= cases.six_month_letter_due_on THEN 1 ELSE 0 END), 0)",
            ),
            sql::<BigInt>(
                "COALESCE(SUM(CASE WHEN (cases.six_month_letter_sent_on IS NULL \
                 OR cases.six_month_letter_sent_on > cases.six_month_letter_due_on) \
                 AND cases.six_month_letter_due_on < ",
            )
            .bind::<Date, _>(today)
            .sql(" THEN 1 ELSE 0 END), 0)"),
        ))
        .get_result(conn)?;
    Ok(SixMonthCounts { owed, sent, missed })
}

/// Cases of `kind` received per day in [`from`, `to`].
pub fn received_per_day(
    conn: &mut DbConnection,
    kind: CaseKind,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<Vec<(NaiveDate, i64)>> {
    Ok(cases::table
        .filter(case_filter(kind, scope, Some(from), to))
        .filter(cases::received_on.between(from, to))
        .group_by(cases::received_on)
        .select((cases::received_on, count_star()))
        .load(conn)?)
}

/// Complaints received per day and subject in [`from`, `to`].
pub fn received_per_day_by_subject(
    conn: &mut DbConnection,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<Vec<(NaiveDate, String, i64)>> {
    Ok(case_subjects::table
        .filter(aspect_filter!(case_subjects, scope, from, to))
        .group_by((case_subjects::received_on, case_subjects::subject_code))
        .select((
            case_subjects::received_on,
            case_subjects::subject_code,
            count_star(),
        ))
        .load(conn)?)
}

/// Complaints received per day and service in [`from`, `to`].
pub fn received_per_day_by_service(
    conn: &mut DbConnection,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<Vec<(NaiveDate, String, i64)>> {
    Ok(case_services::table
        .filter(case_services::kind.eq(CaseKind::Complaint.as_str()))
        .filter(case_services::received_on.between(from, to))
        .group_by((case_services::received_on, case_services::service_id))
        .select((
            case_services::received_on,
            case_services::service_id,
            count_star(),
        ))
        .load(conn)?)
}

/// Complaints open at the start of `day` (received before it, not resolved before it): the
/// KO41a "brought forward". Withdrawn complaints leave the caseload when withdrawn.
pub fn open_before(conn: &mut DbConnection, scope: &Scope, day: NaiveDate) -> DbResult<i64> {
    Ok(scoped(CaseKind::Complaint, scope, day)
        .filter(cases::received_on.lt(day))
        .filter(unresolved!(ge, day))
        .count()
        .get_result(conn)?)
}

/// What KO41a needs of one complaint.
#[derive(Debug, Clone, Queryable)]
pub struct Ko41aCase {
    pub id: String,
    pub received_on: NaiveDate,
    pub responded_on: Option<NaiveDate>,
    pub outcome: Option<String>,
    pub withdrawn_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub age_band: String,
    pub complainant_status: String,
}

/// Complaints on the caseload at some time in [`from`, `to`]: received by `to` and not
/// responded to, withdrawn or closed before `from`.
macro_rules! on_caseload {
    ($from:expr, $to:expr) => {
        cases::kind
            .eq(CaseKind::Complaint.as_str())
            .and(cases::received_on.le($to))
            .and(unresolved!(ge, $from))
    };
}

/// The complaints on the caseload at some time in [`from`, `to`] (KO41a section 2 and the
/// breakdowns of new complaints).
pub fn ko41a_cases(
    conn: &mut DbConnection,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<Vec<Ko41aCase>> {
    Ok(cases::table
        .filter(on_caseload!(from, to))
        .select((
            cases::id,
            cases::received_on,
            cases::first_responded_on,
            cases::first_outcome,
            cases::withdrawn_on,
            cases::closed_on,
            cases::age_band,
            cases::complainant_status,
        ))
        .load(conn)?)
}

/// (case id, service id, primary) of the complaints [`ko41a_cases`] returns: those received
/// in the year from the aspect table, those brought forward (few) through their cases.
pub fn ko41a_services(
    conn: &mut DbConnection,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<Vec<(String, String, bool)>> {
    let mut rows: Vec<(String, String, bool)> = case_services::table
        .filter(case_services::kind.eq(CaseKind::Complaint.as_str()))
        .filter(case_services::received_on.between(from, to))
        .select((
            case_services::case_id,
            case_services::service_id,
            case_services::is_primary,
        ))
        .load(conn)?;
    rows.extend(
        case_services::table
            .inner_join(cases::table)
            .filter(on_caseload!(from, to))
            .filter(cases::received_on.lt(from))
            .select((
                case_services::case_id,
                case_services::service_id,
                case_services::is_primary,
            ))
            .load::<(String, String, bool)>(conn)?,
    );
    Ok(rows)
}

/// (case id, subject, clinical sub-category) of complaints received in [`from`, `to`].
pub fn ko41a_subjects(
    conn: &mut DbConnection,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<Vec<(String, String, Option<String>)>> {
    Ok(case_subjects::table
        .filter(aspect_filter!(case_subjects, Scope::default(), from, to))
        .select((
            case_subjects::case_id,
            case_subjects::subject_code,
            case_subjects::subcategory_code,
        ))
        .load(conn)?)
}

/// (case id, profession) of complaints received in [`from`, `to`].
pub fn ko41a_professions(
    conn: &mut DbConnection,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<Vec<(String, String)>> {
    Ok(case_professions::table
        .filter(aspect_filter!(case_professions, Scope::default(), from, to))
        .select((case_professions::case_id, case_professions::profession_code))
        .load(conn)?)
}

/// Complaints received in [`from`, `to`] by day received: (day, acknowledged on time, due for
/// acknowledgement by `today`). A complaint counts as due once its acknowledgement date has
/// passed or it has been acknowledged.
pub fn acknowledgement_per_day(
    conn: &mut DbConnection,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<Vec<AckDayRow>> {
    Ok(cases::table
        .filter(case_filter(CaseKind::Complaint, scope, Some(from), to))
        .filter(cases::received_on.between(from, to))
        .group_by((
            cases::received_on,
            cases::acknowledgement_due_on,
            cases::acknowledged_on,
        ))
        .select((
            cases::received_on,
            cases::acknowledgement_due_on,
            cases::acknowledged_on,
            count_star(),
        ))
        .load(conn)?)
}

/// Complaints responded to in [`from`, `to`] by day: (day, responded to against a date
/// agreed with the complainant, of those by that date). Default and unilateral dates are not
/// "agreed" and are counted in neither.
pub fn responses_per_day(
    conn: &mut DbConnection,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<Vec<(Option<NaiveDate>, i64, i64)>> {
    Ok(cases::table
        .filter(case_filter(CaseKind::Complaint, scope, None, to))
        .filter(cases::first_responded_on.between(from, to))
        .group_by(cases::first_responded_on)
        .select((
            cases::first_responded_on,
            diesel::dsl::sql::<diesel::sql_types::BigInt>(
                "SUM(CASE WHEN cases.first_response_due_agreed THEN 1 ELSE 0 END)",
            ),
            diesel::dsl::sql::<diesel::sql_types::BigInt>(
                "SUM(CASE WHEN cases.first_response_due_agreed \
                 AND cases.first_responded_on <= cases.first_response_due_on THEN 1 ELSE 0 END)",
            ),
        ))
        .load(conn)?)
}

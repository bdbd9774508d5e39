//! Aggregations for board reporting, KO41a and SPC, done in SQL (GROUP BY) so that reports over
//! a million cases read indexes, not rows. Each returns small grouped results; the arithmetic
//! that needs the working-day calendar happens in `reports/`.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::{count_star, exists};
use diesel::prelude::*;

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
    cases::received_on,
    case_subjects::subject_code,
    case_services::service_id,
);

type Boxed<'a> = cases::BoxedQuery<'a, MultiBackend>;

/// The scope as a SQL condition on a case id: every case, or only cases about the scope's
/// services. (Grouped queries cannot be boxed, so the optional filter is an expression.)
macro_rules! in_scope {
    ($scope:expr, $case_id:expr) => {{
        let (all, ids): (bool, Vec<String>) = match &$scope.service_ids {
            None => (true, Vec::new()),
            Some(v) => (false, v.clone()),
        };
        diesel::dsl::sql::<diesel::sql_types::Bool>(if all { "1 = 1" } else { "1 = 0" }).or(exists(
            case_services::table
                .filter(case_services::case_id.eq($case_id))
                .filter(case_services::service_id.eq_any(ids)),
        ))
    }};
}

/// The scope as a SQL condition on a `case_services` row's service.
macro_rules! service_in_scope {
    ($scope:expr) => {{
        let (all, ids): (bool, Vec<String>) = match &$scope.service_ids {
            None => (true, Vec::new()),
            Some(v) => (false, v.clone()),
        };
        diesel::dsl::sql::<diesel::sql_types::Bool>(if all { "1 = 1" } else { "1 = 0" })
            .or(case_services::service_id.eq_any(ids))
    }};
}

fn scoped<'a>(kind: CaseKind, scope: &'a Scope) -> Boxed<'a> {
    let mut q = cases::table
        .filter(cases::kind.eq(kind.as_str()))
        .into_boxed();
    if let Some(ids) = &scope.service_ids {
        q = q.filter(exists(
            case_services::table
                .filter(case_services::case_id.eq(cases::id))
                .filter(case_services::service_id.eq_any(ids)),
        ));
    }
    q
}

/// Cases of `kind` received in [`from`, `to`].
pub fn received(
    conn: &mut DbConnection,
    kind: CaseKind,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<i64> {
    Ok(scoped(kind, scope)
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
    Ok(scoped(CaseKind::PalsConcern, scope)
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
) -> DbResult<Vec<(String, Option<String>, i64)>> {
    Ok(case_subjects::table
        .inner_join(cases::table)
        .filter(cases::kind.eq(CaseKind::Complaint.as_str()))
        .filter(cases::received_on.between(from, to))
        .filter(in_scope!(scope, cases::id))
        .group_by((case_subjects::subject_code, case_subjects::subcategory_code))
        .select((
            case_subjects::subject_code,
            case_subjects::subcategory_code,
            count_star(),
        ))
        .load(conn)?)
}

/// Complaints received in [`from`, `to`] by service id (a complaint about two services counts
/// once for each).
pub fn services(
    conn: &mut DbConnection,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<Vec<(String, i64)>> {
    let q = case_services::table
        .inner_join(cases::table)
        .filter(cases::kind.eq(CaseKind::Complaint.as_str()))
        .filter(cases::received_on.between(from, to))
        .filter(service_in_scope!(scope));
    Ok(q.group_by(case_services::service_id)
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
    Ok(case_professions::table
        .inner_join(cases::table)
        .filter(cases::kind.eq(CaseKind::Complaint.as_str()))
        .filter(cases::received_on.between(from, to))
        .filter(in_scope!(scope, cases::id))
        .group_by(case_professions::profession_code)
        .select((case_professions::profession_code, count_star()))
        .load(conn)?)
}

/// Complaints received in [`from`, `to`] grouped by a text column of the case (age band,
/// complainant status).
pub fn new_by_age_band(
    conn: &mut DbConnection,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<Vec<(String, i64)>> {
    Ok(cases::table
        .filter(cases::kind.eq(CaseKind::Complaint.as_str()))
        .filter(in_scope!(scope, cases::id))
        .filter(cases::received_on.between(from, to))
        .group_by(cases::age_band)
        .select((cases::age_band, count_star()))
        .load(conn)?)
}

pub fn new_by_complainant_status(
    conn: &mut DbConnection,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<Vec<(String, i64)>> {
    Ok(cases::table
        .filter(cases::kind.eq(CaseKind::Complaint.as_str()))
        .filter(in_scope!(scope, cases::id))
        .filter(cases::received_on.between(from, to))
        .group_by(cases::complainant_status)
        .select((cases::complainant_status, count_star()))
        .load(conn)?)
}

/// Complaints whose response went in [`from`, `to`], by outcome.
pub fn outcomes(
    conn: &mut DbConnection,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<Vec<(Option<String>, i64)>> {
    Ok(cases::table
        .filter(cases::kind.eq(CaseKind::Complaint.as_str()))
        .filter(in_scope!(scope, cases::id))
        .filter(cases::responded_on.between(from, to))
        .group_by(cases::outcome)
        .select((cases::outcome, count_star()))
        .load(conn)?)
}

/// Complaints withdrawn in [`from`, `to`].
pub fn withdrawn(
    conn: &mut DbConnection,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<i64> {
    Ok(scoped(CaseKind::Complaint, scope)
        .filter(cases::withdrawn_on.between(from, to))
        .count()
        .get_result(conn)?)
}

/// (acknowledgement due, acknowledged on, count).
pub type AckRow = (Option<NaiveDate>, Option<NaiveDate>, i64);
/// (received, responded, response due, count).
pub type ResponseRow = (NaiveDate, Option<NaiveDate>, Option<NaiveDate>, i64);
/// (received, acknowledgement due, acknowledged on, count).
pub type AckDayRow = (NaiveDate, Option<NaiveDate>, Option<NaiveDate>, i64);
/// (six-month letter due, sent on, responded on, count).
pub type SixMonthRow = (Option<NaiveDate>, Option<NaiveDate>, Option<NaiveDate>, i64);

/// Acknowledgement facts of complaints received in [`from`, `to`]: (due, acknowledged on, count).
pub fn acknowledgements(
    conn: &mut DbConnection,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<Vec<AckRow>> {
    Ok(cases::table
        .filter(cases::kind.eq(CaseKind::Complaint.as_str()))
        .filter(in_scope!(scope, cases::id))
        .filter(cases::received_on.between(from, to))
        .group_by((cases::acknowledgement_due_on, cases::acknowledged_on))
        .select((
            cases::acknowledgement_due_on,
            cases::acknowledged_on,
            count_star(),
        ))
        .load(conn)?)
}

/// Response facts of complaints responded in [`from`, `to`]: (received, responded, due, count).
pub fn responses(
    conn: &mut DbConnection,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<Vec<ResponseRow>> {
    Ok(cases::table
        .filter(cases::kind.eq(CaseKind::Complaint.as_str()))
        .filter(in_scope!(scope, cases::id))
        .filter(cases::responded_on.between(from, to))
        .group_by((
            cases::received_on,
            cases::responded_on,
            cases::response_due_on,
        ))
        .select((
            cases::received_on,
            cases::responded_on,
            cases::response_due_on,
            count_star(),
        ))
        .load(conn)?)
}

/// Complaints still open at the end of `on` (received by then, not responded, withdrawn or
/// closed by then), by day received.
pub fn open_on(
    conn: &mut DbConnection,
    scope: &Scope,
    on: NaiveDate,
) -> DbResult<Vec<(NaiveDate, i64)>> {
    Ok(cases::table
        .filter(cases::kind.eq(CaseKind::Complaint.as_str()))
        .filter(in_scope!(scope, cases::id))
        .filter(cases::received_on.le(on))
        .filter(cases::responded_on.is_null().or(cases::responded_on.gt(on)))
        .filter(cases::withdrawn_on.is_null().or(cases::withdrawn_on.gt(on)))
        .filter(cases::closed_on.is_null().or(cases::closed_on.gt(on)))
        .group_by(cases::received_on)
        .select((cases::received_on, count_star()))
        .load(conn)?)
}

/// Six-month letters falling due in [`from`, `to`]: (due, sent on, responded on, count).
pub fn six_month_letters(
    conn: &mut DbConnection,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<Vec<SixMonthRow>> {
    Ok(cases::table
        .filter(cases::kind.eq(CaseKind::Complaint.as_str()))
        .filter(in_scope!(scope, cases::id))
        .filter(cases::six_month_letter_due_on.between(from, to))
        .group_by((
            cases::six_month_letter_due_on,
            cases::six_month_letter_sent_on,
            cases::responded_on,
        ))
        .select((
            cases::six_month_letter_due_on,
            cases::six_month_letter_sent_on,
            cases::responded_on,
            count_star(),
        ))
        .load(conn)?)
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
        .filter(cases::kind.eq(kind.as_str()))
        .filter(in_scope!(scope, cases::id))
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
        .inner_join(cases::table)
        .filter(cases::kind.eq(CaseKind::Complaint.as_str()))
        .filter(cases::received_on.between(from, to))
        .filter(in_scope!(scope, cases::id))
        .group_by((cases::received_on, case_subjects::subject_code))
        .select((
            cases::received_on,
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
        .inner_join(cases::table)
        .filter(cases::kind.eq(CaseKind::Complaint.as_str()))
        .filter(cases::received_on.between(from, to))
        .group_by((cases::received_on, case_services::service_id))
        .select((cases::received_on, case_services::service_id, count_star()))
        .load(conn)?)
}

/// Complaints open at the start of `day` (received before it, not resolved before it): the
/// KO41a "brought forward". Withdrawn complaints leave the caseload when withdrawn.
pub fn open_before(conn: &mut DbConnection, scope: &Scope, day: NaiveDate) -> DbResult<i64> {
    Ok(scoped(CaseKind::Complaint, scope)
        .filter(cases::received_on.lt(day))
        .filter(
            cases::responded_on
                .is_null()
                .or(cases::responded_on.ge(day)),
        )
        .filter(
            cases::withdrawn_on
                .is_null()
                .or(cases::withdrawn_on.ge(day)),
        )
        .filter(cases::closed_on.is_null().or(cases::closed_on.ge(day)))
        .count()
        .get_result(conn)?)
}

/// Complaints received in [`from`, `to`] with the id of one of their services (the first by
/// id), to place each complaint at one site.
pub fn new_with_first_service(
    conn: &mut DbConnection,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<Vec<(String, String)>> {
    let q = case_services::table
        .inner_join(cases::table)
        .filter(cases::kind.eq(CaseKind::Complaint.as_str()))
        .filter(cases::received_on.between(from, to))
        .filter(service_in_scope!(scope));
    let rows: Vec<(String, Option<String>)> = q
        .group_by(case_services::case_id)
        .select((
            case_services::case_id,
            diesel::dsl::min(case_services::service_id),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(c, s)| s.map(|s| (c, s)))
        .collect())
}

/// The ids of the cases about any of `service_ids`.
pub fn case_ids_in_services(
    conn: &mut DbConnection,
    service_ids: &[String],
) -> DbResult<Vec<String>> {
    Ok(case_services::table
        .filter(case_services::service_id.eq_any(service_ids))
        .select(case_services::case_id)
        .distinct()
        .load(conn)?)
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
            .and(
                cases::responded_on
                    .is_null()
                    .or(cases::responded_on.ge($from)),
            )
            .and(
                cases::withdrawn_on
                    .is_null()
                    .or(cases::withdrawn_on.ge($from)),
            )
            .and(cases::closed_on.is_null().or(cases::closed_on.ge($from)))
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
            cases::responded_on,
            cases::outcome,
            cases::withdrawn_on,
            cases::closed_on,
            cases::age_band,
            cases::complainant_status,
        ))
        .load(conn)?)
}

/// (case id, service id) of the complaints [`ko41a_cases`] returns.
pub fn ko41a_services(
    conn: &mut DbConnection,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<Vec<(String, String)>> {
    Ok(case_services::table
        .inner_join(cases::table)
        .filter(on_caseload!(from, to))
        .select((case_services::case_id, case_services::service_id))
        .load(conn)?)
}

/// (case id, subject, clinical sub-category) of complaints received in [`from`, `to`].
pub fn ko41a_subjects(
    conn: &mut DbConnection,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<Vec<(String, String, Option<String>)>> {
    Ok(case_subjects::table
        .inner_join(cases::table)
        .filter(cases::kind.eq(CaseKind::Complaint.as_str()))
        .filter(cases::received_on.between(from, to))
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
        .inner_join(cases::table)
        .filter(cases::kind.eq(CaseKind::Complaint.as_str()))
        .filter(cases::received_on.between(from, to))
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
        .filter(cases::kind.eq(CaseKind::Complaint.as_str()))
        .filter(in_scope!(scope, cases::id))
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

/// Complaints responded to in [`from`, `to`] by day: (day, responded, by the agreed date).
pub fn responses_per_day(
    conn: &mut DbConnection,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<Vec<(Option<NaiveDate>, i64, i64)>> {
    Ok(cases::table
        .filter(cases::kind.eq(CaseKind::Complaint.as_str()))
        .filter(in_scope!(scope, cases::id))
        .filter(cases::responded_on.between(from, to))
        .group_by(cases::responded_on)
        .select((
            cases::responded_on,
            count_star(),
            diesel::dsl::sql::<diesel::sql_types::BigInt>(
                "SUM(CASE WHEN cases.responded_on <= cases.response_due_on THEN 1 ELSE 0 END)",
            ),
        ))
        .load(conn)?)
}

//! Erasing the free text of a case's rows while its coded facts (dates, codes, outcomes) stay
//! as they were: one field for a redaction; every person and text of the case for retention.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::connection::DbConnection;
use super::error::DbResult;
use super::schema::cases;
use crate::domain::redaction::CaseText;

/// Replace one free-text field of a case by `mark` (a new version of the case).
pub fn redact_case_text(
    conn: &mut DbConnection,
    case_id: &str,
    field: CaseText,
    mark: &str,
    now: NaiveDateTime,
) -> DbResult<()> {
    let target = cases::table.find(case_id);
    let bump = (
        cases::version.eq(cases::version + 1),
        cases::updated_at.eq(now),
    );
    match field {
        CaseText::Summary => diesel::update(target)
            .set((cases::summary.eq(mark), bump))
            .execute(conn)?,
        CaseText::Description => diesel::update(target)
            .set((cases::description.eq(mark), bump))
            .execute(conn)?,
        CaseText::DesiredOutcome => diesel::update(target)
            .set((cases::desired_outcome.eq(mark), bump))
            .execute(conn)?,
    };
    Ok(())
}

/// Set each listed nullable text column of the rows `$rows` to `$mark`, where it holds a text;
/// the number of values replaced.
macro_rules! mark_texts {
    ($conn:expr, $rows:expr, $mark:expr, $($col:path),+ $(,)?) => {{
        let mut n = 0;
        $(
            n += diesel::update($rows.filter($col.is_not_null()))
                .set($col.eq($mark))
                .execute($conn)?;
        )+
        n
    }};
}

/// Replace every free text of case `case_id` and the records hanging off it by `mark`, and
/// drop contact details (addresses, video links), keeping every date, code and outcome. The
/// case's people are left to [`anonymise_person`]; its timeline to `timeline::erase`.
/// Returns how many values were replaced.
pub fn anonymise_case_texts(
    conn: &mut DbConnection,
    case_id: &str,
    mark: &str,
    now: NaiveDateTime,
) -> DbResult<usize> {
    use super::schema::{
        case_extensions as ext, case_pauses as pause, case_responses as resp, letters,
        outbox_messages as out, time_limit_decisions as tld,
    };
    let mut n = diesel::update(cases::table.find(case_id))
        .set((
            cases::summary.eq(mark),
            cases::description.eq(mark),
            cases::desired_outcome.eq(mark),
            cases::version.eq(cases::version + 1),
            cases::updated_at.eq(now),
        ))
        .execute(conn)?;
    n += diesel::update(ext::table.filter(ext::case_id.eq(case_id)))
        .set(ext::reason.eq(mark))
        .execute(conn)?;
    n += diesel::update(pause::table.filter(pause::case_id.eq(case_id)))
        .set(pause::reason.eq(mark))
        .execute(conn)?;
    n += mark_texts!(
        conn,
        resp::table.filter(resp::case_id.eq(case_id)),
        mark,
        resp::summary
    );
    n += mark_texts!(
        conn,
        tld::table.filter(tld::case_id.eq(case_id)),
        mark,
        tld::good_reason,
        tld::still_investigable,
        tld::decline_reason,
    );
    n += diesel::update(letters::table.filter(letters::case_id.eq(case_id)))
        .set((letters::subject.eq(mark), letters::html.eq(mark)))
        .execute(conn)?;
    n += diesel::update(out::table.filter(out::case_id.eq(case_id)))
        .set((
            out::recipient.eq(mark),
            out::subject.eq(mark),
            out::text_body.eq(mark),
            out::html_body.eq(None::<String>),
            out::attachments.eq("[]"),
        ))
        .execute(conn)?;
    n += anonymise_records(conn, case_id, mark)?;
    n += anonymise_meetings(conn, case_id, mark)?;
    Ok(n)
}

/// The free text of a case's candour record and steps, ombudsman referral and
/// recommendations, and feedback comments.
fn anonymise_records(conn: &mut DbConnection, case_id: &str, mark: &str) -> DbResult<usize> {
    use super::schema::{
        candour_records as cr, candour_steps as cs, feedback_invitations as fi,
        ombudsman_recommendations as rec, ombudsman_referrals as refr,
    };
    let mut n = mark_texts!(
        conn,
        cr::table.filter(cr::case_id.eq(case_id)),
        mark,
        cr::harm_rationale,
        cr::exception_note,
    );
    let records = cr::table.filter(cr::case_id.eq(case_id)).select(cr::id);
    n += mark_texts!(
        conn,
        cs::table.filter(cs::record_id.eq_any(records)),
        mark,
        cs::notes,
    );
    n += mark_texts!(
        conn,
        refr::table.filter(refr::case_id.eq(case_id)),
        mark,
        refr::decision_summary,
    );
    let referrals = refr::table
        .filter(refr::case_id.eq(case_id))
        .select(refr::id);
    n += diesel::update(rec::table.filter(rec::referral_id.eq_any(referrals)))
        .set(rec::recommendation.eq(mark))
        .execute(conn)?;
    n += mark_texts!(
        conn,
        fi::table.filter(fi::case_id.eq(case_id)),
        mark,
        fi::comments
    );
    Ok(n)
}

/// The free text and contact details of a case's meetings: notes, reasons, places, links,
/// the people attending who are not staff, and follow-up actions.
fn anonymise_meetings(conn: &mut DbConnection, case_id: &str, mark: &str) -> DbResult<usize> {
    use super::schema::{
        meeting_actions as act, meeting_attendees as att, meeting_schedules as sch, meetings as m,
    };
    let of_case = || m::table.filter(m::case_id.eq(case_id)).select(m::id);
    let mut n = mark_texts!(
        conn,
        m::table.filter(m::case_id.eq(case_id)),
        mark,
        m::offer_note,
        m::decline_reason,
        m::location,
        m::interpreter_language,
        m::advocate,
        m::accessibility_needs,
        m::notes,
        m::cancel_reason,
    );
    n += diesel::update(m::table.filter(m::case_id.eq(case_id)))
        .set(m::video_link.eq(None::<String>))
        .execute(conn)?;
    n += mark_texts!(
        conn,
        sch::table.filter(sch::meeting_id.eq_any(of_case())),
        mark,
        sch::location,
        sch::reason,
    );
    n += diesel::update(sch::table.filter(sch::meeting_id.eq_any(of_case())))
        .set(sch::video_link.eq(None::<String>))
        .execute(conn)?;
    let visitors = || {
        att::table
            .filter(att::meeting_id.eq_any(of_case()))
            .filter(att::user_id.is_null())
    };
    n += mark_texts!(conn, visitors(), mark, att::name, att::role_label);
    n += diesel::update(visitors())
        .set(att::email.eq(None::<String>))
        .execute(conn)?;
    n += diesel::update(act::table.filter(act::meeting_id.eq_any(of_case())))
        .set(act::description.eq(mark))
        .execute(conn)?;
    Ok(n)
}

/// Replace a person's name by `mark` and drop every detail that identifies or reaches them.
pub fn anonymise_person(
    conn: &mut DbConnection,
    person_id: &str,
    mark: &str,
    now: NaiveDateTime,
) -> DbResult<usize> {
    use super::schema::persons as p;
    Ok(diesel::update(p::table.find(person_id))
        .set((
            p::full_name.eq(mark),
            p::email.eq(None::<String>),
            p::phone.eq(None::<String>),
            p::postal_address.eq(None::<String>),
            p::nhs_number.eq(None::<String>),
            p::date_of_birth.eq(None::<chrono::NaiveDate>),
            p::redacted_at.eq(Some(now)),
            p::updated_at.eq(now),
        ))
        .execute(conn)?)
}

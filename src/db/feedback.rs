//! Rows and queries for the handling-feedback survey: stages and statements (data), invitations
//! (only the token's hash is stored), responses and answers.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::{exists, not};
use diesel::prelude::*;

use super::connection::DbConnection;
use super::error::DbResult;
use super::schema::{
    cases, feedback_answers, feedback_invitations, feedback_questions, feedback_stages,
};

/// A stage of *My Expectations*.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = feedback_stages)]
pub struct Stage {
    pub code: String,
    pub title: String,
    pub sort_order: i32,
}

/// A statement rated on the agreement scale.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = feedback_questions)]
pub struct Question {
    pub code: String,
    pub stage: String,
    pub text: String,
    pub sort_order: i32,
    pub active: bool,
    pub needs_verification: bool,
}

/// The stages in order.
pub fn stages(conn: &mut DbConnection) -> DbResult<Vec<Stage>> {
    Ok(feedback_stages::table
        .order(feedback_stages::sort_order)
        .select(Stage::as_select())
        .load(conn)?)
}

/// Every statement (retired ones too: old answers still count), in stage order.
pub fn questions(conn: &mut DbConnection) -> DbResult<Vec<Question>> {
    Ok(feedback_questions::table
        .inner_join(feedback_stages::table)
        .order((
            feedback_stages::sort_order,
            feedback_questions::sort_order,
            feedback_questions::code,
        ))
        .select(Question::as_select())
        .load(conn)?)
}

/// A stored invitation.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = feedback_invitations, treat_none_as_default_value = false)]
pub struct Invitation {
    pub id: String,
    pub case_id: String,
    pub token_hash: String,
    pub created_at: NaiveDateTime,
    /// `None`: sent automatically after the response.
    pub created_by: Option<String>,
    /// `email` or `letter`.
    pub delivery: String,
    pub sent_at: Option<NaiveDateTime>,
    pub expires_at: NaiveDateTime,
    pub responded_at: Option<NaiveDateTime>,
    pub overall_satisfaction: Option<i32>,
    pub comments: Option<String>,
}

/// Insert an invitation. A second automatic one for a case is a unique violation.
pub fn insert_invitation(conn: &mut DbConnection, inv: &Invitation) -> DbResult<()> {
    diesel::insert_into(feedback_invitations::table)
        .values(inv)
        .execute(conn)?;
    Ok(())
}

pub fn find_invitation(conn: &mut DbConnection, id: &str) -> DbResult<Option<Invitation>> {
    Ok(feedback_invitations::table
        .find(id)
        .select(Invitation::as_select())
        .first(conn)
        .optional()?)
}

/// The invitation whose token hashes to `token_hash`.
pub fn find_by_hash(conn: &mut DbConnection, token_hash: &str) -> DbResult<Option<Invitation>> {
    Ok(feedback_invitations::table
        .filter(feedback_invitations::token_hash.eq(token_hash))
        .select(Invitation::as_select())
        .first(conn)
        .optional()?)
}

/// A case's invitations, oldest first.
pub fn for_case(conn: &mut DbConnection, case_id: &str) -> DbResult<Vec<Invitation>> {
    Ok(feedback_invitations::table
        .filter(feedback_invitations::case_id.eq(case_id))
        .order((feedback_invitations::created_at, feedback_invitations::id))
        .select(Invitation::as_select())
        .load(conn)?)
}

/// Give an invitation a new token (for a printed letter) and mark it sent.
pub fn set_token(
    conn: &mut DbConnection,
    id: &str,
    token_hash: &str,
    sent_at: NaiveDateTime,
) -> DbResult<()> {
    diesel::update(feedback_invitations::table.find(id))
        .set((
            feedback_invitations::token_hash.eq(token_hash),
            feedback_invitations::sent_at.eq(Some(sent_at)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Store the response on an invitation not yet answered; `false` when it already was.
pub fn record_response(
    conn: &mut DbConnection,
    id: &str,
    overall: i32,
    comments: Option<&str>,
    now: NaiveDateTime,
) -> DbResult<bool> {
    let n = diesel::update(
        feedback_invitations::table
            .filter(feedback_invitations::id.eq(id))
            .filter(feedback_invitations::responded_at.is_null()),
    )
    .set((
        feedback_invitations::responded_at.eq(Some(now)),
        feedback_invitations::overall_satisfaction.eq(Some(overall)),
        feedback_invitations::comments.eq(comments),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Store one answer; `score` `None` is "does not apply".
pub fn insert_answer(
    conn: &mut DbConnection,
    invitation_id: &str,
    question_code: &str,
    score: Option<i32>,
) -> DbResult<()> {
    diesel::insert_into(feedback_answers::table)
        .values((
            feedback_answers::invitation_id.eq(invitation_id),
            feedback_answers::question_code.eq(question_code),
            feedback_answers::score.eq(score),
        ))
        .execute(conn)?;
    Ok(())
}

/// Complaints answered between `responded_from` and `responded_to` (inclusive), responded or
/// closed, without an automatic invitation yet: (case id, response date).
pub fn awaiting_automatic_invitation(
    conn: &mut DbConnection,
    responded_from: NaiveDate,
    responded_to: NaiveDate,
) -> DbResult<Vec<(String, NaiveDate)>> {
    let rows: Vec<(String, Option<NaiveDate>)> = cases::table
        .filter(cases::kind.eq("complaint"))
        .filter(cases::status.eq_any(["responded", "closed"]))
        .filter(cases::responded_on.ge(responded_from))
        .filter(cases::responded_on.le(responded_to))
        .filter(not(exists(
            feedback_invitations::table
                .filter(feedback_invitations::case_id.eq(cases::id))
                .filter(feedback_invitations::created_by.is_null()),
        )))
        .order((cases::responded_on, cases::id))
        .select((cases::id, cases::responded_on))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, on)| on.map(|on| (id, on)))
        .collect())
}

/// Invitations created in [`from`, `to`): (sent, answered).
pub fn counts(
    conn: &mut DbConnection,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> DbResult<(i64, i64)> {
    let in_range = || {
        feedback_invitations::table
            .filter(feedback_invitations::created_at.ge(from))
            .filter(feedback_invitations::created_at.lt(to))
    };
    let sent = in_range().count().get_result(conn)?;
    let answered = in_range()
        .filter(feedback_invitations::responded_at.is_not_null())
        .count()
        .get_result(conn)?;
    Ok((sent, answered))
}

/// Overall satisfaction of the answered invitations created in [`from`, `to`).
pub fn overall_scores(
    conn: &mut DbConnection,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> DbResult<Vec<Option<i32>>> {
    Ok(feedback_invitations::table
        .filter(feedback_invitations::created_at.ge(from))
        .filter(feedback_invitations::created_at.lt(to))
        .filter(feedback_invitations::responded_at.is_not_null())
        .select(feedback_invitations::overall_satisfaction)
        .load(conn)?)
}

/// Every answer to invitations created in [`from`, `to`): (statement, score).
pub fn answers(
    conn: &mut DbConnection,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> DbResult<Vec<(String, Option<i32>)>> {
    Ok(feedback_answers::table
        .inner_join(feedback_invitations::table)
        .filter(feedback_invitations::created_at.ge(from))
        .filter(feedback_invitations::created_at.lt(to))
        .select((feedback_answers::question_code, feedback_answers::score))
        .load(conn)?)
}

/// Free-text comments of invitations created in [`from`, `to`): (answered at, text), oldest
/// first.
pub fn comments(
    conn: &mut DbConnection,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> DbResult<Vec<(NaiveDateTime, String)>> {
    let rows: Vec<(Option<NaiveDateTime>, Option<String>)> = feedback_invitations::table
        .filter(feedback_invitations::created_at.ge(from))
        .filter(feedback_invitations::created_at.lt(to))
        .filter(feedback_invitations::comments.is_not_null())
        .order(feedback_invitations::responded_at)
        .select((
            feedback_invitations::responded_at,
            feedback_invitations::comments,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(at, text)| Some((at?, text?)))
        .collect())
}

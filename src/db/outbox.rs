//! Rows and queries for the email outbox: enqueueing inside a use-case's transaction, leases
//! that let exactly one Candour instance send each message, attempt outcomes, and admin views.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::connection::DbConnection;
use super::error::{DbError, DbResult};
use super::schema::outbox_messages;
use crate::domain::outbox::{AfterFailure, Attachment, OutboxStatus, RetryPolicy};

/// The longest `last_error` kept, in characters.
const MAX_ERROR_CHARS: usize = 2000;

impl TryFrom<String> for OutboxStatus {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

/// A whole outbox row: what the worker sends.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = outbox_messages)]
pub struct OutboxMessage {
    pub id: String,
    pub case_id: Option<String>,
    pub template: String,
    pub recipient: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: Option<String>,
    /// JSON array of [`Attachment`]; see [`OutboxMessage::attachments`].
    #[diesel(column_name = attachments)]
    pub attachments_json: String,
    pub message_id: String,
    #[diesel(deserialize_as = String)]
    pub status: OutboxStatus,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub last_error: Option<String>,
    pub claimed_by: Option<String>,
    pub claimed_until: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

impl OutboxMessage {
    /// The stored attachments.
    pub fn attachments(&self) -> Result<Vec<Attachment>, String> {
        serde_json::from_str(&self.attachments_json)
            .map_err(|e| format!("the stored attachments are not valid: {e}"))
    }
}

/// An outbox row without its bodies and attachments: what admins list.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = outbox_messages)]
pub struct OutboxSummary {
    pub id: String,
    pub case_id: Option<String>,
    pub template: String,
    pub recipient: String,
    pub subject: String,
    pub message_id: String,
    #[diesel(deserialize_as = String)]
    pub status: OutboxStatus,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

/// A message to queue. Build it with [`crate::email::Outbox::compose`], which renders the
/// template and gives it its Message-ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOutboxMessage {
    pub case_id: Option<String>,
    pub template: String,
    /// One email address.
    pub recipient: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: Option<String>,
    pub attachments: Vec<Attachment>,
    /// RFC 5322 Message-ID with angle brackets, e.g. `<uuid@trust.nhs.uk>`.
    pub message_id: String,
}

impl NewOutboxMessage {
    /// The same message, about case `case_id`.
    pub fn for_case(mut self, case_id: impl Into<String>) -> Self {
        self.case_id = Some(case_id.into());
        self
    }

    /// The same message with one more attachment.
    pub fn with_attachment(mut self, attachment: Attachment) -> Self {
        self.attachments.push(attachment);
        self
    }
}

/// Queue `new` for sending at `now` (created and first due then); returns the outbox row's id.
///
/// Call this inside the write transaction of the change that causes the message, so that the
/// message exists if and only if the change commits. Wake the worker after the commit
/// ([`crate::email::Outbox::wake`]) to send it without waiting for the next poll.
pub fn enqueue(
    conn: &mut DbConnection,
    new: &NewOutboxMessage,
    now: NaiveDateTime,
) -> DbResult<String> {
    let id = super::ids::new_id();
    let attachments = serde_json::to_string(&new.attachments)
        .map_err(|e| DbError::Task(format!("outbox attachments: {e}")))?;
    diesel::insert_into(outbox_messages::table)
        .values((
            outbox_messages::id.eq(&id),
            outbox_messages::case_id.eq(&new.case_id),
            outbox_messages::template.eq(&new.template),
            outbox_messages::recipient.eq(&new.recipient),
            outbox_messages::subject.eq(&new.subject),
            outbox_messages::text_body.eq(&new.text_body),
            outbox_messages::html_body.eq(&new.html_body),
            outbox_messages::attachments.eq(&attachments),
            outbox_messages::message_id.eq(&new.message_id),
            outbox_messages::status.eq(OutboxStatus::Pending.as_str()),
            outbox_messages::attempts.eq(0),
            outbox_messages::next_attempt_at.eq(now),
            outbox_messages::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

/// The rows a worker may claim at `now`: pending and due, or sending with a lease that ran out.
macro_rules! due {
    ($now:expr) => {
        outbox_messages::status
            .eq(OutboxStatus::Pending.as_str())
            .and(outbox_messages::next_attempt_at.le($now))
            .or(outbox_messages::status
                .eq(OutboxStatus::Sending.as_str())
                .and(outbox_messages::claimed_until.lt($now).assume_not_null()))
    };
}

/// Whether any message is due at `now`: pending and due, or sending with an expired lease.
/// A cheap read the worker makes before taking the write lock to claim.
pub fn any_due(conn: &mut DbConnection, now: NaiveDateTime) -> DbResult<bool> {
    use outbox_messages::dsl as o;
    Ok(
        diesel::select(diesel::dsl::exists(o::outbox_messages.filter(due!(now))))
            .get_result(conn)?,
    )
}

/// Claim up to `limit` due messages for `instance` until `lease_until`, oldest due first, and
/// count the attempt. Due means pending with `next_attempt_at <= now`, or sending with a lease
/// that ran out (its instance stopped mid-send).
///
/// Run inside a write transaction. On PostgreSQL the candidate rows are locked with
/// `FOR UPDATE SKIP LOCKED`, so instances claiming at the same moment get disjoint batches;
/// SQLite has a single writer (`BEGIN IMMEDIATE`), which serialises claims.
pub fn claim(
    conn: &mut DbConnection,
    instance: &str,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
) -> DbResult<Vec<OutboxMessage>> {
    use outbox_messages::dsl as o;
    let candidates = o::outbox_messages
        .filter(due!(now))
        .order((o::next_attempt_at.asc(), o::created_at.asc(), o::id.asc()))
        .limit(limit)
        .select(o::id);
    let ids: Vec<String> = match conn {
        DbConnection::Postgresql(c) => candidates.for_update().skip_locked().load(c)?,
        DbConnection::Sqlite(c) => candidates.load(c)?,
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // Due is checked again: a row that another instance claimed meanwhile is left alone.
    diesel::update(
        o::outbox_messages
            .filter(o::id.eq_any(&ids))
            .filter(due!(now)),
    )
    .set((
        o::status.eq(OutboxStatus::Sending.as_str()),
        o::claimed_by.eq(instance),
        o::claimed_until.eq(lease_until),
        o::attempts.eq(o::attempts + 1),
    ))
    .execute(conn)?;
    Ok(o::outbox_messages
        .filter(o::id.eq_any(&ids))
        .filter(o::status.eq(OutboxStatus::Sending.as_str()))
        .filter(o::claimed_by.eq(instance))
        .filter(o::claimed_until.eq(lease_until))
        .order((o::next_attempt_at.asc(), o::created_at.asc(), o::id.asc()))
        .select(OutboxMessage::as_select())
        .load(conn)?)
}

/// The message was accepted. `false` when `instance` no longer holds its lease.
pub fn mark_sent(
    conn: &mut DbConnection,
    id: &str,
    instance: &str,
    now: NaiveDateTime,
) -> DbResult<bool> {
    use outbox_messages::dsl as o;
    let n = diesel::update(held(id, instance))
        .set((
            o::status.eq(OutboxStatus::Sent.as_str()),
            o::sent_at.eq(now),
            o::claimed_until.eq(None::<NaiveDateTime>),
            o::last_error.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// The attempt failed: back off (`pending` again, due after [`RetryPolicy::delay`]) or, after
/// the last attempt, `dead`. Returns the new status, or `None` when `instance` no longer holds
/// the lease.
pub fn mark_failed(
    conn: &mut DbConnection,
    id: &str,
    instance: &str,
    error: &str,
    now: NaiveDateTime,
    policy: &RetryPolicy,
) -> DbResult<Option<OutboxStatus>> {
    use outbox_messages::dsl as o;
    let attempts: Option<i32> = held(id, instance)
        .select(o::attempts)
        .first(conn)
        .optional()?;
    let Some(attempts) = attempts else {
        return Ok(None);
    };
    let (status, next) = match policy.after_failure(attempts) {
        AfterFailure::RetryIn(wait) => (OutboxStatus::Pending, now + wait),
        AfterFailure::Dead => (OutboxStatus::Dead, now),
    };
    finish_failed(conn, id, instance, status, next, error)?;
    Ok(Some(status))
}

/// The message can never be sent as stored (say, an unparsable recipient): dead at once.
pub fn mark_dead(
    conn: &mut DbConnection,
    id: &str,
    instance: &str,
    error: &str,
    now: NaiveDateTime,
) -> DbResult<bool> {
    finish_failed(conn, id, instance, OutboxStatus::Dead, now, error)
}

fn finish_failed(
    conn: &mut DbConnection,
    id: &str,
    instance: &str,
    status: OutboxStatus,
    next_attempt_at: NaiveDateTime,
    error: &str,
) -> DbResult<bool> {
    use outbox_messages::dsl as o;
    let error: String = error.chars().take(MAX_ERROR_CHARS).collect();
    let n = diesel::update(held(id, instance))
        .set((
            o::status.eq(status.as_str()),
            o::next_attempt_at.eq(next_attempt_at),
            o::last_error.eq(Some(error)),
            o::claimed_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Give claimed, unattempted messages back (the worker is stopping): pending and due at once,
/// the claim's attempt uncounted.
pub fn release(conn: &mut DbConnection, ids: &[String], instance: &str) -> DbResult<usize> {
    use outbox_messages::dsl as o;
    Ok(diesel::update(
        o::outbox_messages
            .filter(o::id.eq_any(ids))
            .filter(o::status.eq(OutboxStatus::Sending.as_str()))
            .filter(o::claimed_by.eq(instance)),
    )
    .set((
        o::status.eq(OutboxStatus::Pending.as_str()),
        o::attempts.eq(o::attempts - 1),
        o::claimed_by.eq(None::<String>),
        o::claimed_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?)
}

/// `outbox_messages` filtered to one row while one instance holds its lease.
type Held = diesel::dsl::Filter<
    diesel::dsl::Filter<
        diesel::dsl::Filter<outbox_messages::table, diesel::dsl::Eq<outbox_messages::id, String>>,
        diesel::dsl::Eq<outbox_messages::status, &'static str>,
    >,
    diesel::dsl::Eq<outbox_messages::claimed_by, String>,
>;

/// The row `id` while `instance` holds its lease.
fn held(id: &str, instance: &str) -> Held {
    outbox_messages::table
        .filter(outbox_messages::id.eq(id.to_string()))
        .filter(outbox_messages::status.eq(OutboxStatus::Sending.as_str()))
        .filter(outbox_messages::claimed_by.eq(instance.to_string()))
}

/// Put a dead message back in the queue, due now, with its attempts starting again from zero.
/// `false` when the message is not dead (or does not exist).
pub fn requeue_dead(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> DbResult<bool> {
    use outbox_messages::dsl as o;
    let n = diesel::update(
        o::outbox_messages
            .filter(o::id.eq(id))
            .filter(o::status.eq(OutboxStatus::Dead.as_str())),
    )
    .set((
        o::status.eq(OutboxStatus::Pending.as_str()),
        o::attempts.eq(0),
        o::next_attempt_at.eq(now),
        o::claimed_by.eq(None::<String>),
        o::claimed_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// One whole message.
pub fn find(conn: &mut DbConnection, id: &str) -> DbResult<Option<OutboxMessage>> {
    Ok(outbox_messages::table
        .find(id)
        .select(OutboxMessage::as_select())
        .first(conn)
        .optional()?)
}

/// One message's metadata.
pub fn find_summary(conn: &mut DbConnection, id: &str) -> DbResult<Option<OutboxSummary>> {
    Ok(outbox_messages::table
        .find(id)
        .select(OutboxSummary::as_select())
        .first(conn)
        .optional()?)
}

/// Filters for the admin list.
#[derive(Debug, Clone, Default)]
pub struct OutboxFilter {
    pub status: Option<OutboxStatus>,
    pub case_id: Option<String>,
    /// Only messages that sort after this `(created_at, id)` (the cursor), newest first.
    pub before: Option<(NaiveDateTime, String)>,
}

/// Messages newest first, at most `limit`.
pub fn list(
    conn: &mut DbConnection,
    filter: &OutboxFilter,
    limit: i64,
) -> DbResult<Vec<OutboxSummary>> {
    use outbox_messages::dsl as o;
    let mut query = o::outbox_messages
        .select(OutboxSummary::as_select())
        .into_boxed();
    if let Some(status) = filter.status {
        query = query.filter(o::status.eq(status.as_str()));
    }
    if let Some(case_id) = &filter.case_id {
        query = query.filter(o::case_id.eq(case_id.clone()));
    }
    if let Some((at, id)) = &filter.before {
        query = query.filter(
            o::created_at
                .lt(*at)
                .or(o::created_at.eq(*at).and(o::id.lt(id.clone()))),
        );
    }
    Ok(query
        .order((o::created_at.desc(), o::id.desc()))
        .limit(limit)
        .load(conn)?)
}

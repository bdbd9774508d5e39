//! The complainant's private tracking link: issuing it (with the acknowledgement, or again by
//! staff), revoking it, what the page at `/track/{token}` shows, and the message a complainant
//! sends from it (onto the timeline, with an alert to the handler that leaves the text out).
//!
//! One link lives per case: issuing a new link revokes the older ones, so a link that leaked
//! or was re-sent stops working the moment its replacement exists. The acknowledgement's link
//! is issued as the email leaves or the letter is printed ([`crate::email::secret_links`]).

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::Actor;
use super::access::load_visible;
use crate::auth::{form_token, tokens};
use crate::clock::{Clock, date_in_england};
use crate::config::Settings;
use crate::db::cases;
use crate::db::tracking::{self, TrackingLink};
use crate::db::users::{self, UserFilter};
use crate::db::{self, DbConnection, meetings, timeline};
use crate::domain::case::Case;
use crate::domain::case::{CaseKind, CaseStatus};
use crate::domain::role::{Permission, Role};
use crate::domain::tracking::{self as rules, LinkState};
use crate::email::Outbox;
use crate::error::AppResult;
use crate::state::AppState;

mod uploads;
pub use uploads::{UploadOutcome, upload_document};

/// The longest message a complainant may send, in characters.
pub const MAX_MESSAGE_CHARS: usize = 5000;
/// How long a rendered message form stays valid.
const FORM_MAX_AGE_SECONDS: i64 = 24 * 3600;
const FORM_PURPOSE: &str = "tracking-message";
/// Timeline kind of a complainant's message.
pub const MESSAGE_EVENT: &str = "complainant_message";

/// A new link for `case_id`: its token (never stored) and how many older links it replaced.
fn issue(
    conn: &mut DbConnection,
    case_id: &str,
    created_by: Option<&str>,
    now: NaiveDateTime,
) -> AppResult<(String, usize)> {
    let replaced = tracking::revoke_live(conn, case_id, created_by, now)?;
    let token = tokens::random_token();
    tracking::insert_new(conn, case_id, tokens::hash_token(&token), created_by, now)?;
    Ok((token, replaced))
}

/// A link issued by staff: its token, shown once, and how many older links it replaced.
pub struct Issued {
    pub token: String,
    pub replaced: usize,
}

/// A link issued by staff: its address, shown once.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IssuedLink {
    /// The tracking page's address. It is not stored and cannot be shown again.
    #[schema(example = "https://complaints.trust.nhs.uk/track/3q2-Xl…")]
    pub url: String,
    /// How many older links this one replaced (they no longer work).
    pub replaced: usize,
}

/// Links revoked.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RevokedLinks {
    /// How many live links were revoked (0 when there were none).
    pub revoked: usize,
}

/// Issue the complainant's link again (complaints managers and admins); older links stop.
pub async fn reissue(state: &AppState, actor: &Actor, case_id: String) -> AppResult<Issued> {
    actor.require(Permission::ManageTrackingLinks)?;
    let actor = actor.clone();
    let clock = state.clock.clone();
    state
        .db
        .write(move |c| -> AppResult<Issued> {
            load_visible(c, &actor, &case_id)?;
            let now = clock.now();
            cases::touch(c, &case_id, now)?;
            let (token, replaced) = issue(c, &case_id, Some(&actor.user_id), now)?;
            timeline::append(
                c,
                &case_id,
                Some(&actor.user_id),
                "tracking_link_issued",
                "Tracking link issued to the complainant",
                &json!({ "replaced": replaced }),
                now,
            )?;
            Ok(Issued { token, replaced })
        })
        .await
}

/// Revoke every live link of a case (complaints managers and admins).
pub async fn revoke(state: &AppState, actor: &Actor, case_id: String) -> AppResult<RevokedLinks> {
    actor.require(Permission::ManageTrackingLinks)?;
    let actor = actor.clone();
    let clock = state.clock.clone();
    state
        .db
        .write(move |c| -> AppResult<RevokedLinks> {
            load_visible(c, &actor, &case_id)?;
            let now = clock.now();
            cases::touch(c, &case_id, now)?;
            let revoked = tracking::revoke_live(c, &case_id, Some(&actor.user_id), now)?;
            if revoked > 0 {
                timeline::append(
                    c,
                    &case_id,
                    Some(&actor.user_id),
                    "tracking_link_revoked",
                    "Tracking link revoked",
                    &json!({ "revoked": revoked }),
                    now,
                )?;
            }
            Ok(RevokedLinks { revoked })
        })
        .await
}

/// What a token leads to.
#[derive(Debug, Clone)]
pub enum Lookup<T> {
    Found(T),
    /// No such link: the page says nothing more.
    Unknown,
    /// Revoked or expired.
    Gone,
}

/// The handler as the complainant sees them: name and role, never contact details.
#[derive(Debug, Clone, Serialize)]
pub struct HandlerView {
    pub name: String,
    pub role: &'static str,
}

/// A meeting as the complainant sees it.
#[derive(Debug, Clone, Serialize)]
pub struct MeetingLine {
    pub status: &'static str,
    /// "Tuesday 1 December 2026, 10:00am to 11:00am (GMT)".
    pub when: Option<String>,
    pub location: Option<String>,
    pub video_link: Option<String>,
}

/// A letter sent to the complainant.
#[derive(Debug, Clone, Serialize)]
pub struct LetterLine {
    /// 1 for the first letter sent: `/track/{token}/letters/{number}` shows it.
    pub number: usize,
    pub title: String,
    pub sent_on: String,
}

/// Everything the tracking page shows. Dates are already in words ("1 December 2026").
#[derive(Debug, Clone, Serialize)]
pub struct TrackView {
    pub title: String,
    pub kind_title: &'static str,
    pub kind_word: &'static str,
    pub reference: String,
    pub status: CaseStatus,
    pub stage: &'static str,
    pub handler: Option<HandlerView>,
    /// "Alex Smith" or "the complaints team", for sentences.
    pub handler_phrase: String,
    pub handler_phrase_lower: String,
    pub received_on: String,
    pub acknowledged_on: Option<String>,
    pub response_expected_by: Option<String>,
    pub responded_on: Option<String>,
    pub finished_label: &'static str,
    pub finished_on: Option<String>,
    pub meetings: Vec<MeetingLine>,
    pub letters: Vec<LetterLine>,
    pub can_message: bool,
    pub csrf: String,
    pub max_chars: usize,
}

/// "1 December 2026".
pub fn long_date(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

fn clock(t: NaiveDateTime) -> String {
    let s = t.format("%-I:%M%P").to_string();
    s.replace(":00", "")
}

fn meeting_time(start: NaiveDateTime, end: Option<NaiveDateTime>) -> String {
    let (start, zone) = rules::uk_time(start);
    let day = start.format("%A %-d %B %Y");
    match end.map(rules::uk_time) {
        Some((end, _)) => format!("{day}, {} to {} ({zone})", clock(start), clock(end)),
        None => format!("{day}, {} ({zone})", clock(start)),
    }
}

fn meeting_status(status: crate::domain::meeting::MeetingStatus) -> &'static str {
    use crate::domain::meeting::MeetingStatus as S;
    match status {
        S::Offered => "Meeting offered",
        S::Accepted => "Meeting accepted, time to be arranged",
        S::Declined => "Meeting declined",
        S::Scheduled => "Meeting arranged",
        S::Held => "Meeting held",
        S::Cancelled => "Meeting cancelled",
    }
}

/// The letters sent to the complainant, oldest first: emailed ones once their email was sent
/// (one still waiting, or that never arrived, has not been sent), and printed ones once posted.
/// The letters that reached the complainant (emailed and sent, or posted), oldest first: their
/// ids, when they went and their subjects.
fn letters_out(
    conn: &mut DbConnection,
    case_id: &str,
) -> AppResult<Vec<(String, NaiveDateTime, String)>> {
    let all = crate::db::letters::for_case(conn, case_id)?;
    let emails: Vec<String> = all
        .iter()
        .filter(|l| l.status == "emailed")
        .filter_map(|l| l.outbox_message_id.clone())
        .collect();
    let sent: std::collections::HashMap<String, NaiveDateTime> =
        crate::db::letters::sent_at(conn, &emails)?
            .into_iter()
            .collect();
    let mut out: Vec<(String, NaiveDateTime, String)> = all
        .into_iter()
        .filter_map(|l| {
            let on = match l.status.as_str() {
                "emailed" => l
                    .outbox_message_id
                    .as_ref()
                    .and_then(|m| sent.get(m))
                    .copied(),
                "posted" => l.posted_at,
                _ => None,
            }?;
            Some((l.id, on, l.subject))
        })
        .collect();
    out.sort_by_key(|(_, on, _)| *on);
    Ok(out)
}

fn letters_sent(conn: &mut DbConnection, case_id: &str) -> AppResult<Vec<LetterLine>> {
    Ok(letters_out(conn, case_id)?
        .into_iter()
        .enumerate()
        .map(|(i, (_, on, title))| LetterLine {
            number: i + 1,
            title,
            sent_on: crate::services::notify::long_date(crate::clock::date_in_england(
                on.and_utc(),
            )),
        })
        .collect())
}

/// Letter `number` (1: the first sent) of the case behind link `token`, as it was sent (the
/// private links in it shown as placeholders): for the complainant to read again.
pub async fn letter(state: &AppState, token: String, number: usize) -> AppResult<Lookup<String>> {
    let (settings, clock) = (state.settings.clone(), state.clock.clone());
    state
        .db
        .read(move |c| -> AppResult<Lookup<String>> {
            let (_, case) = match open(c, &settings, &token, clock.today())? {
                Lookup::Found(found) => found,
                Lookup::Unknown => return Ok(Lookup::Unknown),
                Lookup::Gone => return Ok(Lookup::Gone),
            };
            let Some((id, _, _)) = number
                .checked_sub(1)
                .and_then(|i| letters_out(c, &case.id).ok()?.into_iter().nth(i))
            else {
                return Ok(Lookup::Unknown);
            };
            Ok(match crate::db::letters::find(c, &case.id, &id)? {
                Some(l) => Lookup::Found(crate::email::secret_links::redact(&l.html)),
                None => Lookup::Unknown,
            })
        })
        .await
}

/// The case's meetings; times and places only once a meeting is arranged (never notes).
fn meeting_lines(conn: &mut DbConnection, case_id: &str) -> AppResult<Vec<MeetingLine>> {
    use crate::domain::meeting::MeetingStatus;
    Ok(meetings::for_case(conn, case_id)?
        .into_iter()
        .map(|m| {
            let arranged = matches!(m.status, MeetingStatus::Scheduled | MeetingStatus::Held);
            MeetingLine {
                status: meeting_status(m.status),
                when: m
                    .starts_at
                    .filter(|_| arranged)
                    .map(|s| meeting_time(s, m.ends_at)),
                location: m.location.filter(|_| arranged),
                video_link: m.video_link.filter(|_| arranged),
            }
        })
        .collect())
}

fn handler(conn: &mut DbConnection, case: &Case) -> AppResult<Option<HandlerView>> {
    let Some(id) = case.handler_id.as_deref() else {
        return Ok(None);
    };
    Ok(users::find(conn, id)?
        .filter(|u| u.active)
        .map(|u| HandlerView {
            name: u.name,
            role: u.role.title(),
        }))
}

fn view(
    conn: &mut DbConnection,
    case: &Case,
    link: &TrackingLink,
    live: bool,
    form_secret: &[u8],
    now: NaiveDateTime,
) -> AppResult<TrackView> {
    let complaint = case.kind == CaseKind::Complaint;
    let handler = handler(conn, case)?;
    let handler_phrase = handler
        .as_ref()
        .map_or_else(|| "The complaints team".to_string(), |h| h.name.clone());
    let handler_phrase_lower = handler
        .as_ref()
        .map_or_else(|| "the complaints team".to_string(), |h| h.name.clone());
    let finished = finished(case.status);
    let (finished_label, finished_on) = match case.status {
        CaseStatus::Closed => ("Closed", case.closed_on),
        CaseStatus::Withdrawn => ("Withdrawn", case.withdrawn_on),
        CaseStatus::Resolved => ("Resolved", case.resolved_on),
        _ => ("", None),
    };
    let expected = if complaint {
        case.response_due_on
    } else {
        case.pals_due_on
    };
    let meetings = meeting_lines(conn, &case.id)?;
    Ok(TrackView {
        title: format!(
            "Your {} {}",
            if complaint { "complaint" } else { "concern" },
            case.reference
        ),
        kind_title: if complaint { "Complaint" } else { "Concern" },
        kind_word: if complaint { "complaint" } else { "concern" },
        reference: case.reference.clone(),
        status: case.status,
        stage: case.status.plain_english(),
        handler,
        handler_phrase,
        handler_phrase_lower,
        received_on: long_date(case.received_on),
        acknowledged_on: case.acknowledged_on.map(long_date),
        response_expected_by: expected
            .filter(|_| case.responded_on.is_none() && !finished)
            .map(long_date),
        responded_on: case.responded_on.map(long_date),
        finished_label,
        finished_on: finished_on.map(long_date),
        meetings,
        letters: letters_sent(conn, &case.id)?,
        can_message: live && !finished,
        csrf: form_token::issue(form_secret, FORM_PURPOSE, &link.id, now),
        max_chars: MAX_MESSAGE_CHARS,
    })
}

/// A link and its case, if the link works `today`.
fn open(
    conn: &mut DbConnection,
    settings: &Settings,
    token: &str,
    today: NaiveDate,
) -> AppResult<Lookup<(TrackingLink, Case)>> {
    if token.is_empty() || token.len() > 100 {
        return Ok(Lookup::Unknown);
    }
    let Some(link) = tracking::find_by_hash(conn, &tokens::hash_token(token))? else {
        return Ok(Lookup::Unknown);
    };
    let Some(case) = cases::find(conn, &link.case_id)? else {
        return Ok(Lookup::Unknown);
    };
    let expires = rules::expires_on(
        case.status,
        case.closed_on,
        case.withdrawn_on,
        case.resolved_on,
        settings.tracking.link_days_after_closure,
    );
    match rules::state(link.revoked_at.is_some(), expires, today) {
        LinkState::Live => Ok(Lookup::Found((link, case))),
        LinkState::Revoked | LinkState::Expired => Ok(Lookup::Gone),
    }
}

fn form_secret(settings: &Settings) -> Vec<u8> {
    crate::auth::keys::form_key(settings.auth.jwt_secret.expose()).to_vec()
}

/// The tracking page for `token`.
pub async fn page(state: &AppState, token: String) -> AppResult<Lookup<TrackView>> {
    let settings = state.settings.clone();
    let clock = state.clock.clone();
    state
        .db
        .read(move |c| -> AppResult<Lookup<TrackView>> {
            Ok(match open(c, &settings, &token, clock.today())? {
                Lookup::Found((link, case)) => Lookup::Found(view(
                    c,
                    &case,
                    &link,
                    true,
                    &form_secret(&settings),
                    clock.now(),
                )?),
                Lookup::Unknown => Lookup::Unknown,
                Lookup::Gone => Lookup::Gone,
            })
        })
        .await
}

/// What became of a message.
#[derive(Debug, Clone)]
pub enum MessageOutcome {
    Sent,
    /// The form is redisplayed with this error on the message field.
    Invalid {
        page: Box<TrackView>,
        error: String,
    },
    /// The link sent its messages for today.
    Limited(Box<TrackView>),
    /// The form did not come from this page (or is too old): nothing was stored.
    StaleForm(Box<TrackView>),
}

/// Why a message from this page cannot be sent, as the page to show instead (a stale form, an
/// unacceptable message), or `None` when it may be sent. Reads only.
fn refusal(
    c: &mut DbConnection,
    (link, case): (&TrackingLink, &Case),
    form: &str,
    text: &str,
    secret: &[u8],
    now: NaiveDateTime,
) -> AppResult<Option<MessageOutcome>> {
    let page = |c: &mut DbConnection| view(c, case, link, true, secret, now).map(Box::new);
    if !form_token::verify(
        secret,
        FORM_PURPOSE,
        &link.id,
        form,
        now,
        FORM_MAX_AGE_SECONDS,
    ) {
        return Ok(Some(MessageOutcome::StaleForm(page(c)?)));
    }
    if let Some(error) = message_error(case, text) {
        let mut page = page(c)?;
        page.can_message = true;
        return Ok(Some(MessageOutcome::Invalid { page, error }));
    }
    Ok(None)
}

/// What a message post is: the link's token, the form token and the text (trimmed, with
/// plain line ends).
struct Post {
    token: String,
    form: String,
    text: String,
}

/// The link behind the post and, when the message cannot be sent, the answer instead.
fn check(
    c: &mut DbConnection,
    settings: &Settings,
    clock: &Clock,
    post: &Post,
) -> AppResult<Result<(TrackingLink, Case), Lookup<MessageOutcome>>> {
    let (link, case) = match open(c, settings, &post.token, clock.today())? {
        Lookup::Found(found) => found,
        Lookup::Unknown => return Ok(Err(Lookup::Unknown)),
        Lookup::Gone => return Ok(Err(Lookup::Gone)),
    };
    let secret = form_secret(settings);
    match refusal(
        c,
        (&link, &case),
        &post.form,
        &post.text,
        &secret,
        clock.now(),
    )? {
        Some(outcome) => Ok(Err(Lookup::Found(outcome))),
        None => Ok(Ok((link, case))),
    }
}

/// Send `text` to the case's handler from the tracking page.
///
/// The link, the form and the message are checked on a reading connection first, so an
/// unknown or dead link, a stale form or an empty message never waits for the database
/// writer; the writer checks them again, with the daily limit, before it stores the message.
pub async fn send_message(
    state: &AppState,
    token: String,
    form: String,
    text: String,
) -> AppResult<Lookup<MessageOutcome>> {
    let post = Post {
        token,
        form,
        text: text.trim().replace("\r\n", "\n"),
    };
    let (settings, clock) = (state.settings.clone(), state.clock.clone());
    let (token, form, text) = (post.token.clone(), post.form.clone(), post.text.clone());
    let answered = state
        .db
        .read(move |c| check(c, &settings, &clock, &Post { token, form, text }))
        .await?;
    if let Err(answer) = answered {
        return Ok(answer);
    }
    let (settings, clock) = (state.settings.clone(), state.clock.clone());
    let outbox = state.outbox.clone();
    let outcome = state
        .db
        .write(move |c| -> AppResult<Lookup<MessageOutcome>> {
            let (link, case) = match check(c, &settings, &clock, &post)? {
                Ok(found) => found,
                Err(answer) => return Ok(answer),
            };
            let now = clock.now();
            // The case row lock serialises messages (and the daily count) per case.
            cases::touch(c, &case.id, now)?;
            let fresh = tracking::find_by_hash(c, &link.token_hash)?;
            let counted = fresh.as_ref().unwrap_or(&link);
            let day = date_in_england(now.and_utc());
            let sent_today = if counted.message_day == Some(day) {
                counted.messages_on_day
            } else {
                0
            };
            if sent_today >= settings.tracking.max_messages_per_day {
                let secret = form_secret(&settings);
                let page = view(c, &case, &link, true, &secret, now)?;
                return Ok(Lookup::Found(MessageOutcome::Limited(Box::new(page))));
            }
            tracking::set_message_count(c, &link.id, day, sent_today + 1)?;
            timeline::append(
                c,
                &case.id,
                None,
                MESSAGE_EVENT,
                "Message from the complainant (tracking page)",
                &json!({ "channel": "tracking_page", "text": post.text, "tracking_link_id": link.id }),
                now,
            )?;
            queue_alerts(c, &outbox, &case, now)?;
            Ok(Lookup::Found(MessageOutcome::Sent))
        })
        .await?;
    if matches!(outcome, Lookup::Found(MessageOutcome::Sent)) {
        state.outbox.wake();
        tracing::info!("complainant message received");
    }
    Ok(outcome)
}

/// What is wrong with a message, in words for the complainant.
fn message_error(case: &Case, text: &str) -> Option<String> {
    if text.is_empty() {
        Some("Enter your message".to_string())
    } else if text.chars().count() > MAX_MESSAGE_CHARS {
        Some(format!(
            "Your message must be {MAX_MESSAGE_CHARS} characters or fewer"
        ))
    } else if finished(case.status) {
        Some("This case has finished, so messages can no longer be sent from this page".to_string())
    } else {
        None
    }
}

/// Closed, withdrawn, resolved or escalated: no more messages from the page.
fn finished(status: CaseStatus) -> bool {
    matches!(
        status,
        CaseStatus::Closed | CaseStatus::Withdrawn | CaseStatus::Resolved | CaseStatus::Escalated
    )
}

/// Alert the handler (or, with none, every active complaints manager) that a message waits.
/// The alert never carries the message: staff read it in Candour.
fn queue_alerts(
    conn: &mut DbConnection,
    outbox: &Outbox,
    case: &Case,
    now: NaiveDateTime,
) -> AppResult<()> {
    let handler = match case.handler_id.as_deref() {
        Some(id) => users::find(conn, id)?.filter(|u| u.active),
        None => None,
    };
    let assigned = handler.is_some();
    let recipients = match handler {
        Some(u) => vec![u],
        None => users::list(
            conn,
            &UserFilter {
                role: Some(Role::ComplaintsManager),
                active: Some(true),
                after_email: None,
            },
            500,
        )?,
    };
    let (local, zone) = rules::uk_time(now);
    let received_at = format!("{} at {} ({zone})", long_date(local.date()), clock(local));
    for user in recipients {
        let msg = outbox
            .compose(
                "complainant_message_alert",
                &user.email,
                &json!({
                    "recipient_name": user.name,
                    "reference": case.reference,
                    "received_at": received_at,
                    "assigned": assigned,
                }),
            )?
            .for_case(&case.id);
        db::outbox::enqueue(conn, &msg, now)?;
    }
    Ok(())
}

/// When a case's link stops working, for staff views: `None` while the case is open.
pub fn link_expires_on(settings: &Settings, case: &Case) -> Option<NaiveDate> {
    rules::expires_on(
        case.status,
        case.closed_on,
        case.withdrawn_on,
        case.resolved_on,
        settings.tracking.link_days_after_closure,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meeting_times_are_on_the_uk_clock() {
        let t = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        assert_eq!(
            meeting_time(t("2026-12-01 10:00"), Some(t("2026-12-01 11:30"))),
            "Tuesday 1 December 2026, 10am to 11:30am (GMT)"
        );
        assert_eq!(
            meeting_time(t("2026-07-01 13:00"), None),
            "Wednesday 1 July 2026, 2pm (BST)"
        );
        assert_eq!(long_date(t("2026-07-01 13:00").date()), "1 July 2026");
    }
}

//! Letters to complainants: the list on a case, the printable copy, the print queue, and the
//! handler's progress updates.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::Actor;
use super::access::{load_visible, logged_read};
use super::case_input::{self as input, Errors};
use super::notify::Messenger;
use crate::db::access_log::Read;
use crate::db::letters::{self, Letter};
use crate::db::{cases, timeline};
use crate::domain::case::CaseKind;
use crate::domain::role::Permission;
use crate::email::secret_links;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// A letter, without its body.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LetterSummary {
    pub id: String,
    pub case_id: String,
    /// The template it was written from, e.g. `acknowledgement`.
    pub template: String,
    /// Required by the Complaints Regulations (acknowledgement, delay, response notice).
    pub statutory: bool,
    /// `email` or `post`.
    pub channel: String,
    /// `emailed`, `to_post` or `posted`.
    pub status: String,
    pub subject: String,
    pub created_at: DateTime<Utc>,
    pub posted_at: Option<DateTime<Utc>>,
    /// When the letter's email died (every attempt failed): it then waits to be printed and
    /// posted instead, and the case's handler is alerted.
    pub undelivered_at: Option<DateTime<Utc>>,
    /// The printable copy (HTML).
    pub print_url: String,
}

impl From<Letter> for LetterSummary {
    fn from(l: Letter) -> Self {
        Self {
            print_url: String::new(),
            id: l.id,
            case_id: l.case_id,
            template: l.template,
            statutory: l.statutory,
            channel: l.channel,
            status: l.status,
            subject: l.subject,
            created_at: l.created_at.and_utc(),
            posted_at: l.posted_at.map(|t| t.and_utc()),
            undelivered_at: l.undelivered_at.map(|t| t.and_utc()),
        }
    }
}

/// The letters of a case, oldest first (the read is in the case's access log).
pub async fn for_case(
    state: &AppState,
    actor: &Actor,
    id: String,
) -> AppResult<Vec<LetterSummary>> {
    logged_read(
        state,
        actor,
        "GET /api/v1/cases/{id}/letters",
        move |c, actor, _| {
            load_visible(c, actor, &id)?;
            let all = letters::for_case(c, &id)?
                .into_iter()
                .map(Into::into)
                .collect();
            Ok((id, all))
        },
    )
    .await
}

/// A letter's printable HTML, without the complainant's private links (the read is in the
/// case's access log).
pub async fn printable(
    state: &AppState,
    actor: &Actor,
    case_id: String,
    letter_id: String,
) -> AppResult<String> {
    let route = "GET /api/v1/cases/{id}/letters/{letter_id}";
    logged_read(state, actor, route, move |c, actor, _| {
        load_visible(c, actor, &case_id)?;
        let html = letters::find(c, &case_id, &letter_id)?
            .map(|l| secret_links::redact(&l.html))
            .ok_or_else(|| AppError::NotFound("This case has no letter with this id.".into()))?;
        Ok((case_id, html))
    })
    .await
}

/// A letter to post, printed with the complainant's private links made live (complaints
/// managers and admins): each print issues new links (older ones stop working) and is on the
/// timeline. A letter that was emailed carried its links with the email, so it is refused.
pub async fn print_for_posting(
    state: &AppState,
    actor: &Actor,
    case_id: String,
    letter_id: String,
) -> AppResult<String> {
    actor.require(Permission::ManageTrackingLinks)?;
    let actor = actor.clone();
    let (outbox, clock) = (state.outbox.clone(), state.clock.clone());
    state
        .db
        .write(move |c| -> AppResult<String> {
            load_visible(c, &actor, &case_id)?;
            let letter = letters::find(c, &case_id, &letter_id)?.ok_or_else(|| {
                AppError::NotFound("This case has no letter with this id.".into())
            })?;
            if letter.channel != "post" {
                return Err(AppError::Conflict {
                    detail: "This letter was emailed, with its links; to give the complainant a new tracking link, issue one from the case.".into(),
                    current_state: Some(letter.status),
                    allowed_actions: None,
                });
            }
            let now = clock.now();
            let mut html = letter.html;
            let issued =
                outbox.fill_private_links(c, &case_id, &mut [&mut html], Some(&actor.user_id), now)?;
            let route = "POST /api/v1/cases/{id}/letters/{letter_id}/print";
            let read = Read {
                case_id: case_id.clone(),
                user_id: actor.user_id.clone(),
                route: route.to_string(),
                at: now,
            };
            crate::db::access_log::insert(c, &read)?;
            cases::touch(c, &case_id, now)?;
            timeline::append(
                c,
                &case_id,
                Some(&actor.user_id),
                "letter_printed",
                "Letter printed for posting, with new private links",
                &json!({ "letter_id": letter_id, "links_issued": issued }),
                now,
            )?;
            Ok(html)
        })
        .await
}

/// Letters waiting to be printed and posted, across cases (complaints managers, PALS, admins).
pub async fn print_queue(state: &AppState, actor: &Actor) -> AppResult<Vec<LetterSummary>> {
    actor.require(Permission::ReadAllCases)?;
    state
        .db
        .read(|c| -> AppResult<Vec<LetterSummary>> {
            Ok(letters::to_post(c, 500)?
                .into_iter()
                .map(Into::into)
                .collect())
        })
        .await
}

/// Record that a printed letter was posted.
pub async fn mark_posted(
    state: &AppState,
    actor: &Actor,
    case_id: String,
    letter_id: String,
) -> AppResult<LetterSummary> {
    let actor = actor.clone();
    let clock = state.clock.clone();
    state
        .db
        .write(move |c| -> AppResult<LetterSummary> {
            let case = load_visible(c, &actor, &case_id)?;
            actor.require(if case.kind == CaseKind::Complaint {
                Permission::RunComplaint
            } else {
                Permission::RunPalsConcern
            })?;
            let letter = letters::find(c, &case_id, &letter_id)?.ok_or_else(|| {
                AppError::NotFound("This case has no letter with this id.".into())
            })?;
            let now = clock.now();
            if !letters::mark_posted(c, &letter_id, &actor.user_id, now)? {
                return Err(AppError::Conflict {
                    detail: format!(
                        "This letter is {}, not waiting to be posted.",
                        letter.status.replace('_', " ")
                    ),
                    current_state: Some(letter.status),
                    allowed_actions: None,
                });
            }
            cases::touch(c, &case_id, now)?;
            timeline::append(
                c,
                &case_id,
                Some(&actor.user_id),
                "letter_posted",
                "Printed letter posted",
                &json!({ "letter_id": letter_id }),
                now,
            )?;
            letters::find(c, &case_id, &letter_id)?
                .map(Into::into)
                .ok_or_else(|| AppError::internal("letter vanished"))
        })
        .await
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgressUpdateRequest {
    /// What to tell the complainant, in plain words. It is sent as written.
    pub message: String,
}

/// Send the complainant a progress update written by the handler (reg 14: keep them informed).
pub async fn progress_update(
    state: &AppState,
    actor: &Actor,
    case_id: String,
    req: ProgressUpdateRequest,
) -> AppResult<LetterSummary> {
    let mut e = Errors::default();
    let message = input::text(&mut e, "message", &req.message, 5_000, true);
    if !e.is_empty() {
        return Err(AppError::Validation(e.0));
    }
    let actor = actor.clone();
    let messenger = Messenger::from_state(state);
    let clock = state.clock.clone();
    let letter = state
        .db
        .write(move |c| -> AppResult<LetterSummary> {
            let case = load_visible(c, &actor, &case_id)?;
            actor.require(if case.kind == CaseKind::Complaint {
                Permission::RunComplaint
            } else {
                Permission::RunPalsConcern
            })?;
            if case.status.is_finished() {
                return Err(AppError::Conflict {
                    detail: "The case is finished; write to the complainant outside Candour."
                        .into(),
                    current_state: Some(case.status.as_str().into()),
                    allowed_actions: None,
                });
            }
            let now = clock.now();
            cases::touch(c, &case_id, now)?;
            let letter = messenger.to_complainant(
                c,
                &case,
                "progress_update",
                json!({ "message": message }),
                false,
                Some(&actor.user_id),
                Vec::new(),
                now,
            )?;
            let how = if letter.channel == "email" {
                "emailed"
            } else {
                "to post"
            };
            timeline::append(
                c,
                &case_id,
                Some(&actor.user_id),
                "progress_update",
                &format!("Progress update {how}"),
                &json!({ "letter_id": letter.id, "message": message, "channel": letter.channel }),
                now,
            )?;
            Ok(letter.into())
        })
        .await?;
    state.outbox.wake();
    Ok(letter)
}

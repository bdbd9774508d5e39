//! The handling-feedback survey (characteristic 10D): inviting complainants (on demand, or
//! automatically a number of working days after the response), the survey page at
//! `/feedback/{token}` answered once, and the summary by statement and stage.
//!
//! An invitation goes by email when the complainant has an email address. Otherwise it is
//! recorded with `delivery = letter` and no token anyone knows: [`letter_token`] gives it a
//! fresh token for the address to print on the letter.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::Actor;
use super::access::load_visible;
use super::notify::Messenger;
use super::tracking::{Lookup, long_date};
use crate::auth::{form_token, tokens};
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::cases;
use crate::db::feedback::{self as rows, Invitation, Question};
use crate::db::{self, Db, DbConnection, calendar, persons, timeline};
use crate::domain::case::Case;
use crate::domain::case::{CaseKind, CaseStatus};
use crate::domain::feedback::{self as rules, AGREEMENT, SATISFACTION};
use crate::domain::role::Permission;
use crate::email::Outbox;
use crate::email::links::Link;
use crate::error::{AppError, AppResult};
use crate::reports::feedback::{FeedbackSummary, compute_summary, suppressed};
use crate::reports::period::reportable;
use crate::state::AppState;

/// The longest free-text comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 5000;
const FORM_PURPOSE: &str = "feedback-survey";
/// A survey form may be filled in slowly; it stays valid this long after it was shown.
const FORM_MAX_AGE_SECONDS: i64 = 7 * 24 * 3600;
/// The value of the "does not apply" radio.
pub const NOT_APPLICABLE: &str = "na";

/// An invitation as staff see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InvitationView {
    pub id: String,
    pub case_id: String,
    /// `email`: sent to the complainant; `letter`: print `letter_url` and post it.
    #[schema(example = "email")]
    pub delivery: String,
    /// Sent automatically after the response (`false`: by a member of staff).
    pub automatic: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    pub responded: bool,
    /// For `letter` invitations only, and only in this answer: the survey's address to print.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub letter_url: Option<String>,
}

fn invitation_view(inv: &Invitation) -> InvitationView {
    InvitationView {
        id: inv.id.clone(),
        case_id: inv.case_id.clone(),
        delivery: inv.delivery.clone(),
        automatic: inv.created_by.is_none(),
        created_at: inv.created_at.and_utc(),
        expires_at: inv.expires_at.and_utc(),
        responded: inv.responded_at.is_some(),
        letter_url: None,
    }
}

/// Whether a case may be asked for feedback: a complaint that has had its response.
fn eligible(case: &Case) -> bool {
    case.kind == CaseKind::Complaint
        && matches!(case.status, CaseStatus::Responded | CaseStatus::Closed)
}

/// Create an invitation in the caller's transaction, queue its email (or record it for a
/// letter) and note it on the timeline. Returns the invitation and, for a letter, its token.
fn create(
    conn: &mut DbConnection,
    outbox: &Outbox,
    settings: &Settings,
    case: &Case,
    created_by: Option<&str>,
    now: NaiveDateTime,
) -> AppResult<(Invitation, Option<String>)> {
    let complainant = persons::find(conn, &case.complainant_id)?;
    let email = complainant
        .as_ref()
        .and_then(|p| p.email.as_deref())
        .map(str::trim)
        .filter(|e| e.parse::<lettre::Address>().is_ok())
        .map(str::to_string);
    let token = tokens::random_token();
    let expires_at = now + Duration::days(settings.feedback.invitation_valid_days);
    let inv = Invitation {
        id: crate::db::ids::new_id(),
        case_id: case.id.clone(),
        token_hash: tokens::hash_token(&token),
        created_at: now,
        created_by: created_by.map(str::to_string),
        delivery: if email.is_some() { "email" } else { "letter" }.to_string(),
        sent_at: email.as_ref().map(|_| now),
        expires_at,
        responded_at: None,
        overall_satisfaction: None,
        comments: None,
    };
    cases::touch(conn, &case.id, now)?;
    rows::insert_invitation(conn, &inv)?;
    if let Some(email) = &email {
        let name = complainant.as_ref().map_or("", |p| p.full_name.as_str());
        let msg = outbox
            .compose(
                "feedback_invitation",
                email,
                &json!({
                    "name": name,
                    "reference": case.reference,
                    "url": Link::Survey(inv.id.clone()).value(),
                    "expires_on": long_date(expires_at.date()),
                }),
            )?
            .for_case(&case.id);
        db::outbox::enqueue(conn, &msg, now)?;
    }
    let letter_id = match email {
        Some(_) => None,
        None => Some(survey_letter(
            conn, outbox, settings, case, &inv, created_by, now,
        )?),
    };
    let summary = match (email.is_some(), created_by.is_none()) {
        (true, true) => "Handling-feedback survey sent by email (automatic)",
        (true, false) => "Handling-feedback survey sent by email",
        (false, true) => "Handling-feedback survey to be sent by letter (automatic)",
        (false, false) => "Handling-feedback survey to be sent by letter",
    };
    timeline::append(
        conn,
        &case.id,
        created_by,
        "feedback_invited",
        summary,
        &json!({
            "invitation_id": inv.id,
            "delivery": inv.delivery,
            "automatic": created_by.is_none(),
            "letter_id": letter_id,
        }),
        now,
    )?;
    let letter_token = email.is_none().then_some(token);
    Ok((inv, letter_token))
}

/// The survey as a letter to post, for a complainant with no usable email: it waits in the
/// print queue, and printing it makes its link live. Returns the letter's id.
fn survey_letter(
    conn: &mut DbConnection,
    outbox: &Outbox,
    settings: &Settings,
    case: &Case,
    inv: &Invitation,
    created_by: Option<&str>,
    now: NaiveDateTime,
) -> AppResult<String> {
    let messenger = Messenger {
        outbox: outbox.clone(),
        trust: settings.trust.clone(),
    };
    let name = persons::find(conn, &case.complainant_id)?.map(|p| p.full_name);
    let extra = json!({
        "name": name.unwrap_or_default(),
        "reference": case.reference,
        "url": Link::Survey(inv.id.clone()).value(),
        "expires_on": long_date(inv.expires_at.date()),
    });
    let letter = messenger.by_post(conn, case, "feedback_invitation", extra, created_by, now)?;
    Ok(letter.id)
}

/// Invite the complainant now (complaints managers and admins): 409 unless the complaint has
/// had its response.
/// For a letter invitation, the token of the survey's address (the API makes the address).
pub async fn invite(
    state: &AppState,
    actor: &Actor,
    case_id: String,
) -> AppResult<(InvitationView, Option<String>)> {
    actor.require(Permission::InviteFeedback)?;
    let actor = actor.clone();
    let settings = state.settings.clone();
    let outbox = state.outbox.clone();
    let clock = state.clock.clone();
    let view = state
        .db
        .write(move |c| -> AppResult<(InvitationView, Option<String>)> {
            let case = load_visible(c, &actor, &case_id)?;
            if !eligible(&case) {
                return Err(AppError::in_state(
                    format!(
                        "Feedback on complaint handling is asked for once the response has been sent; this {} is {}.",
                        case.kind.as_str().replace('_', " "),
                        case.status
                    ),
                    case.status.as_str(),
                    None,
                ));
            }
            let (inv, letter_token) = create(c, &outbox, &settings, &case, Some(&actor.user_id), clock.now())?;
            Ok((invitation_view(&inv), letter_token))
        })
        .await?;
    state.outbox.wake();
    Ok(view)
}

/// Give a letter invitation a new token and return it, for the survey address to print on the
/// letter (the old address, if any, stops working). For the printable-letters code: call it in the
/// transaction that produces the letter.
pub fn letter_token(
    conn: &mut DbConnection,
    invitation_id: &str,
    now: NaiveDateTime,
) -> AppResult<String> {
    let inv = rows::find_invitation(conn, invitation_id)?
        .ok_or_else(|| AppError::NotFound("No feedback invitation has this id.".into()))?;
    if inv.responded_at.is_some() {
        return Err(AppError::conflict(
            "The complainant has already answered this survey.",
        ));
    }
    let token = tokens::random_token();
    rows::set_token(conn, &inv.id, &tokens::hash_token(&token), now)?;
    Ok(token)
}

/// Invite every complainant whose response went `feedback.invite_after_working_days` working
/// days ago (and whose invitation would still be valid), once per case, today on `clock`. Safe
/// to run often and from several instances at once: a unique index allows one automatic
/// invitation per case, and a case another instance got to first is skipped. Returns how many
/// were created.
pub async fn invite_due(
    db: &Db,
    outbox: &Outbox,
    settings: &Settings,
    clock: &Clock,
) -> AppResult<usize> {
    let today = clock.today();
    let after = settings.feedback.invite_after_working_days;
    let valid = settings.feedback.invitation_valid_days;
    let earliest = today - Duration::days(valid + i64::from(after) * 2 + 30);
    let (cal, candidates) = db
        .read(move |c| -> AppResult<_> {
            Ok((
                calendar::current(c)?,
                rows::awaiting_automatic_invitation(c, earliest, today)?,
            ))
        })
        .await?;
    let mut created = 0;
    for (case_id, responded_on) in candidates {
        let due = rules::invitation_due_on(&cal, responded_on, after);
        if due > today || today >= due + Duration::days(valid) {
            continue;
        }
        let outbox = outbox.clone();
        let settings = settings.clone();
        let clock = clock.clone();
        let made = db
            .write(move |c| -> AppResult<bool> {
                let Some(case) = cases::find(c, &case_id)? else {
                    return Ok(false);
                };
                if !eligible(&case) {
                    return Ok(false);
                }
                create(c, &outbox, &settings, &case, None, clock.now())?;
                Ok(true)
            })
            .await;
        match made {
            Ok(true) => created += 1,
            Ok(false) => {}
            // Another instance invited this case first (the unique index said so).
            Err(AppError::Conflict { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    if created > 0 {
        outbox.wake();
        tracing::info!(count = created, "feedback invitations sent");
    }
    Ok(created)
}

/// Run [`invite_due`] now and every `feedback.job_interval_minutes` until the task is dropped.
pub async fn run_job(state: AppState) {
    let minutes = state.settings.feedback.job_interval_minutes;
    if minutes == 0 {
        return;
    }
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(minutes * 60));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = invite_due(&state.db, &state.outbox, &state.settings, &state.clock).await {
            tracing::error!(error.cause = %e, "feedback invitation job failed");
        }
    }
}

/// One radio choice.
#[derive(Debug, Clone, Serialize)]
pub struct Choice {
    pub value: String,
    pub label: &'static str,
}

/// A statement on the survey page, with what was chosen.
#[derive(Debug, Clone, Serialize)]
pub struct QuestionField {
    pub code: String,
    pub text: String,
    pub value: Option<String>,
    pub error: Option<String>,
}

/// A stage of the survey.
#[derive(Debug, Clone, Serialize)]
pub struct StageFields {
    pub code: String,
    pub title: String,
    pub questions: Vec<QuestionField>,
}

/// A link in the error summary.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorLink {
    pub href: String,
    pub text: String,
}

/// Everything the survey page shows.
#[derive(Debug, Clone, Serialize)]
pub struct SurveyView {
    pub title: &'static str,
    pub reference: String,
    pub stages: Vec<StageFields>,
    pub agreement: Vec<Choice>,
    pub satisfaction: Vec<Choice>,
    pub overall: Option<String>,
    pub overall_error: Option<String>,
    pub comments: String,
    pub comments_error: Option<String>,
    pub errors: Vec<ErrorLink>,
    pub csrf: String,
    pub max_chars: usize,
}

/// The state of a survey link.
#[derive(Debug, Clone)]
pub enum Survey {
    Open(Box<SurveyView>),
    /// Answered already.
    Answered,
}

fn open_invitation(conn: &mut DbConnection, token: &str) -> AppResult<Option<Invitation>> {
    if token.is_empty() || token.len() > 100 {
        return Ok(None);
    }
    Ok(rows::find_by_hash(conn, &tokens::hash_token(token))?)
}

fn survey_view(
    conn: &mut DbConnection,
    inv: &Invitation,
    secret: &[u8],
    now: NaiveDateTime,
) -> AppResult<SurveyView> {
    let reference = cases::find(conn, &inv.case_id)?
        .map(|c| c.reference)
        .unwrap_or_default();
    let questions: Vec<Question> = rows::questions(conn)?
        .into_iter()
        .filter(|q| q.active)
        .collect();
    let stages = rows::stages(conn)?
        .into_iter()
        .map(|s| StageFields {
            questions: questions
                .iter()
                .filter(|q| q.stage == s.code)
                .map(|q| QuestionField {
                    code: q.code.clone(),
                    text: q.text.clone(),
                    value: None,
                    error: None,
                })
                .collect(),
            code: s.code,
            title: s.title,
        })
        .filter(|s| !s.questions.is_empty())
        .collect();
    let mut agreement: Vec<Choice> = AGREEMENT
        .iter()
        .map(|(v, l)| Choice {
            value: v.to_string(),
            label: l,
        })
        .collect();
    agreement.push(Choice {
        value: NOT_APPLICABLE.into(),
        label: "Does not apply to me",
    });
    Ok(SurveyView {
        title: "Tell us how we handled your complaint",
        reference,
        stages,
        agreement,
        satisfaction: SATISFACTION
            .iter()
            .map(|(v, l)| Choice {
                value: v.to_string(),
                label: l,
            })
            .collect(),
        overall: None,
        overall_error: None,
        comments: String::new(),
        comments_error: None,
        errors: Vec::new(),
        csrf: form_token::issue(secret, FORM_PURPOSE, &inv.id, now),
        max_chars: MAX_COMMENT_CHARS,
    })
}

fn secret(settings: &Settings) -> Vec<u8> {
    crate::auth::keys::form_key(settings.auth.jwt_secret.expose()).to_vec()
}

/// The survey behind `token`.
pub async fn survey(state: &AppState, token: String) -> AppResult<Lookup<Survey>> {
    let settings = state.settings.clone();
    let clock = state.clock.clone();
    state
        .db
        .read(move |c| -> AppResult<Lookup<Survey>> {
            let Some(inv) = open_invitation(c, &token)? else {
                return Ok(Lookup::Unknown);
            };
            let now = clock.now();
            if inv.responded_at.is_some() {
                return Ok(Lookup::Found(Survey::Answered));
            }
            if now >= inv.expires_at {
                return Ok(Lookup::Gone);
            }
            Ok(Lookup::Found(Survey::Open(Box::new(survey_view(
                c,
                &inv,
                &secret(&settings),
                now,
            )?))))
        })
        .await
}

fn field(form: &[(String, String)], name: &str) -> Option<String> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim().to_string())
}

/// Ratings given: (statement code, score; `None` for "does not apply").
type Answers = Vec<(String, Option<i32>)>;

/// Read the answers, overall rating and comments from a submitted form into `view` (so the form
/// can be shown again with them), adding an error for each field that is not acceptable.
fn read_answers(
    view: &mut SurveyView,
    form: &[(String, String)],
) -> (Answers, Option<i32>, String) {
    let mut answers: Answers = Vec::new();
    for stage in &mut view.stages {
        for q in &mut stage.questions {
            let Some(raw) = field(form, &format!("q_{}", q.code)).filter(|v| !v.is_empty()) else {
                continue;
            };
            let score = if raw == NOT_APPLICABLE {
                Some(None)
            } else {
                raw.parse::<i32>()
                    .ok()
                    .filter(|s| rules::valid_score(*s))
                    .map(Some)
            };
            q.value = Some(raw);
            match score {
                Some(s) => answers.push((q.code.clone(), s)),
                None => {
                    q.value = None;
                    let message = "Choose one of the answers given".to_string();
                    view.errors.push(ErrorLink {
                        href: format!("#q-{}", q.code),
                        text: format!("{}: {message}", q.text),
                    });
                    q.error = Some(message);
                }
            }
        }
    }
    let overall = field(form, "overall")
        .and_then(|v| v.parse::<i32>().ok())
        .filter(|s| rules::valid_score(*s));
    view.overall = overall.map(|s| s.to_string());
    if overall.is_none() {
        let message = "Select how satisfied you are overall".to_string();
        view.errors.push(ErrorLink {
            href: "#overall".into(),
            text: message.clone(),
        });
        view.overall_error = Some(message);
    }
    let comments = field(form, "comments")
        .unwrap_or_default()
        .replace("\r\n", "\n");
    if comments.chars().count() > MAX_COMMENT_CHARS {
        let message = format!("Your comments must be {MAX_COMMENT_CHARS} characters or fewer");
        view.errors.push(ErrorLink {
            href: "#comments".into(),
            text: message.clone(),
        });
        view.comments_error = Some(message);
    }
    view.comments = comments.clone();
    (answers, overall, comments)
}

/// What became of a submission.
#[derive(Debug, Clone)]
pub enum Submitted {
    Thanks,
    /// A second submission: nothing was changed.
    AlreadyAnswered,
    /// Redisplay the form with its errors.
    Invalid(Box<SurveyView>),
}

/// The invitation behind `token` if it still takes answers at `now`; else the answer to give.
fn answerable(
    c: &mut DbConnection,
    token: &str,
    now: NaiveDateTime,
) -> AppResult<Result<Invitation, Lookup<Submitted>>> {
    let Some(inv) = open_invitation(c, token)? else {
        return Ok(Err(Lookup::Unknown));
    };
    if inv.responded_at.is_some() {
        return Ok(Err(Lookup::Found(Submitted::AlreadyAnswered)));
    }
    if now >= inv.expires_at {
        return Ok(Err(Lookup::Gone));
    }
    Ok(Ok(inv))
}

/// Acceptable answers, ready to store.
struct Accepted {
    invitation_id: String,
    answers: Answers,
    overall: i32,
    comments: Option<String>,
}

/// Read and check a submission (reads only): the answers to store, or the answer to give.
fn check_submission(
    c: &mut DbConnection,
    token: &str,
    form: &[(String, String)],
    settings: &Settings,
    now: NaiveDateTime,
) -> AppResult<Result<Accepted, Lookup<Submitted>>> {
    let inv = match answerable(c, token, now)? {
        Ok(inv) => inv,
        Err(answer) => return Ok(Err(answer)),
    };
    let key = secret(settings);
    let mut view = survey_view(c, &inv, &key, now)?;
    let (answers, overall, comments) = read_answers(&mut view, form);
    let form_ok = field(form, "csrf").is_some_and(|t| {
        form_token::verify(&key, FORM_PURPOSE, &inv.id, &t, now, FORM_MAX_AGE_SECONDS)
    });
    if !form_ok {
        view.errors.insert(
            0,
            ErrorLink {
                href: "#overall".into(),
                text: "This form has expired. Check your answers and send them again".into(),
            },
        );
    }
    let Some(overall) = overall.filter(|_| view.errors.is_empty()) else {
        return Ok(Err(Lookup::Found(Submitted::Invalid(Box::new(view)))));
    };
    Ok(Ok(Accepted {
        invitation_id: inv.id,
        answers,
        overall,
        comments: Some(comments).filter(|t| !t.is_empty()),
    }))
}

/// Parse and store the survey answers in `form` (name, value pairs) for `token`, once.
///
/// The link and the answers are checked on a reading connection first, so an unknown, dead or
/// answered link and an incomplete form never wait for the database writer; the writer checks
/// the link again before it stores the answers.
pub async fn submit(
    state: &AppState,
    token: String,
    form: Vec<(String, String)>,
) -> AppResult<Lookup<Submitted>> {
    let settings = state.settings.clone();
    let clock = state.clock.clone();
    let link = token.clone();
    let checked = state
        .db
        .read(move |c| check_submission(c, &link, &form, &settings, clock.now()))
        .await?;
    let accepted = match checked {
        Ok(accepted) => accepted,
        Err(answer) => return Ok(answer),
    };
    let clock = state.clock.clone();
    state
        .db
        .write(move |c| -> AppResult<Lookup<Submitted>> {
            let now = clock.now();
            if let Err(answer) = answerable(c, &token, now)? {
                return Ok(answer);
            }
            let Accepted {
                invitation_id: id,
                answers,
                overall,
                comments,
            } = accepted;
            if !rows::record_response(c, &id, overall, comments.as_deref(), now)? {
                // Answered meanwhile: the first answers stand.
                return Ok(Lookup::Found(Submitted::AlreadyAnswered));
            }
            for (code, score) in &answers {
                rows::insert_answer(c, &id, code, *score)?;
            }
            Ok(Lookup::Found(Submitted::Thanks))
        })
        .await
}

/// The survey results for invitations created from `from` to `to` (inclusive; default the last
/// 12 months). The board sees aggregates only.
pub async fn summary(
    state: &AppState,
    actor: &Actor,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> AppResult<FeedbackSummary> {
    actor.require(Permission::ReadFeedbackSummary)?;
    let to = reportable("to", to.unwrap_or_else(|| state.clock.today()))?;
    let from = reportable("from", from.unwrap_or_else(|| to - Duration::days(365)))?;
    if from > to {
        return Err(AppError::invalid("from", "must not be after to"));
    }
    let with_comments = actor.role.can(Permission::ReadFeedbackComments);
    let s = crate::services::reports::suppression_for(state, actor);
    let summary = state
        .db
        .report(move |c| compute_summary(c, from, to, with_comments))
        .await?;
    Ok(suppressed(summary, s))
}

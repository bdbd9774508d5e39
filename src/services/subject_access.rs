//! Subject access (UK GDPR article 15): find a person across cases by name, NHS number or
//! email, and export everything Candour holds about them — each case naming them, its
//! timeline, letters, meetings, candour record, ombudsman referral, feedback and who read it.
//! Searches and exports go on the system audit log, and each case read on its access log.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::candour::CandourView;
use super::case_history::{self, AccessLogEntry, TimelineEntry};
use super::case_view::{CaseView, PersonView};
use super::documents::{self, DocumentView};
use super::meetings::MeetingView;
use super::ombudsman::OmbudsmanView;
use super::{Actor, audit, candour, cases, letters, meetings, ombudsman};
use crate::db::persons::{self, Lookup, NamedIn};
use crate::db::{DbConnection, feedback};
use crate::domain::nhs_number;
use crate::domain::role::Permission;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// The route each read of an export is logged under.
const ROUTE: &str = "GET /api/v1/persons/{id}/export";
/// The most people one search returns.
const MAX_MATCHES: i64 = 50;

/// A case naming a person, and as whom.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonCase {
    pub case_id: String,
    pub reference: String,
    /// `complainant`, `patient`, or `complainant and patient`.
    pub named_as: String,
}

/// A person found.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonMatch {
    pub person: PersonView,
    pub cases: Vec<PersonCase>,
}

/// How `q` is read: ten digits (spaces allowed) are an NHS number, text with `@` an email,
/// anything else part of a name (at least three characters).
fn lookup(q: &str) -> AppResult<Lookup> {
    let q = q.trim();
    if let Ok(digits) = nhs_number::parse(q) {
        return Ok(Lookup::NhsNumber(digits));
    }
    if q.contains('@') {
        return Ok(Lookup::Email(q.to_string()));
    }
    if q.chars().count() < 3 {
        return Err(AppError::invalid(
            "q",
            "give at least three characters of a name, an email address or an NHS number",
        ));
    }
    Ok(Lookup::Name(q.to_string()))
}

fn named_as(person_id: &str, n: &NamedIn) -> &'static str {
    let complainant = n.complainant_id == person_id;
    let patient = n.patient_id.as_deref() == Some(person_id);
    match (complainant, patient) {
        (true, true) => "complainant and patient",
        (true, false) => "complainant",
        _ => "patient",
    }
}

fn person_cases(c: &mut DbConnection, person_id: &str) -> AppResult<Vec<PersonCase>> {
    Ok(persons::cases_naming(c, person_id)?
        .into_iter()
        .map(|n| PersonCase {
            named_as: named_as(person_id, &n).to_string(),
            case_id: n.case_id,
            reference: n.reference,
        })
        .collect())
}

/// Find people by name, NHS number or email (admins and complaints managers). The search is
/// on the audit log, without the words searched for.
pub async fn search(state: &AppState, actor: &Actor, q: String) -> AppResult<Vec<PersonMatch>> {
    actor.require(Permission::SubjectAccess)?;
    let lookup = lookup(&q)?;
    let (by, now) = (actor.user_id.clone(), state.clock.now());
    state
        .db
        .write(move |c| -> AppResult<Vec<PersonMatch>> {
            let found = persons::search(c, &lookup, MAX_MATCHES)?;
            let mut out = Vec::new();
            for p in found {
                let cases = person_cases(c, &p.id)?;
                out.push(PersonMatch {
                    person: p.into(),
                    cases,
                });
            }
            let how = match lookup {
                Lookup::NhsNumber(_) => "nhs_number",
                Lookup::Email(_) => "email",
                Lookup::Name(_) => "name",
            };
            let event = audit::Event {
                actor_id: Some(&by),
                action: "person.searched",
                target: None,
                client: None,
                summary: "People searched for a subject access request",
                details: json!({ "by": how, "found": out.len() }),
            };
            audit::record(c, event, now)?;
            Ok(out)
        })
        .await
}

/// A letter as sent, with its words (the private links left out).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LetterCopy {
    pub template: String,
    pub channel: String,
    pub status: String,
    pub subject: String,
    pub created_at: DateTime<Utc>,
    /// The letter as printed (HTML).
    pub html: String,
}

/// A handling-feedback invitation and what the person answered.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FeedbackGiven {
    pub delivery: String,
    pub sent_at: Option<DateTime<Utc>>,
    pub responded_at: Option<DateTime<Utc>>,
    pub overall_satisfaction: Option<i32>,
    pub comments: Option<String>,
}

/// One case naming the person, whole.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseFile {
    pub named_as: String,
    pub case: CaseView,
    pub timeline: Vec<TimelineEntry>,
    pub letters: Vec<LetterCopy>,
    pub meetings: Vec<MeetingView>,
    /// The Duty of Candour record, if there is one.
    pub candour: Option<CandourView>,
    /// The ombudsman referral, if there is one.
    pub ombudsman: Option<OmbudsmanView>,
    pub feedback: Vec<FeedbackGiven>,
    /// The documents on the case (their content: `GET /api/v1/documents/{id}/content`).
    pub documents: Vec<DocumentView>,
    /// Every read of the case by staff, newest first.
    pub access_log: Vec<AccessLogEntry>,
}

/// Everything held about one person.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubjectAccessExport {
    pub generated_at: DateTime<Utc>,
    pub generated_on: NaiveDate,
    pub person: PersonView,
    pub cases: Vec<CaseFile>,
}

/// Export everything held about person `id` (admins and complaints managers). Every case read
/// is on that case's access log; the export is on the audit log.
pub async fn export(state: &AppState, actor: &Actor, id: String) -> AppResult<SubjectAccessExport> {
    actor.require(Permission::SubjectAccess)?;
    let pid = id.clone();
    let (person, named) = state
        .db
        .read(move |c| -> AppResult<_> {
            let p = persons::find(c, &pid)?
                .ok_or_else(|| AppError::NotFound("No person has this id.".into()))?;
            let named = person_cases(c, &pid)?;
            Ok((p, named))
        })
        .await?;
    let mut files = Vec::new();
    for n in named {
        files.push(case_file(state, actor, n).await?);
    }
    let (by, now) = (actor.user_id.clone(), state.clock.now());
    let count = files.len();
    state
        .db
        .write(move |c| {
            let event = audit::Event {
                actor_id: Some(&by),
                action: "person.exported",
                target: Some(audit::Target {
                    kind: "person",
                    id: &id,
                }),
                client: None,
                summary: "Everything held about a person exported (subject access)",
                details: json!({ "cases": count }),
            };
            audit::record(c, event, now)
        })
        .await?;
    Ok(SubjectAccessExport {
        generated_at: state.clock.now_utc(),
        generated_on: state.clock.today(),
        person: person.into(),
        cases: files,
    })
}

/// One case's file, each part read (and logged) as its own endpoint reads it.
async fn case_file(state: &AppState, actor: &Actor, n: PersonCase) -> AppResult<CaseFile> {
    let id = n.case_id.clone();
    let case = cases::get(state, actor, id.clone(), ROUTE).await?;
    let timeline = case_history::timeline(state, actor, id.clone(), ROUTE).await?;
    let mut copies = Vec::new();
    for l in letters::for_case(state, actor, id.clone()).await? {
        let html = letters::printable(state, actor, id.clone(), l.id.clone()).await?;
        copies.push(LetterCopy {
            template: l.template,
            channel: l.channel,
            status: l.status,
            subject: l.subject,
            created_at: l.created_at,
            html,
        });
    }
    let meetings = meetings::list_for_case(state, actor, id.clone(), ROUTE).await?;
    let candour = absent_is_none(candour::get(state, actor, id.clone(), ROUTE).await)?;
    let ombudsman = absent_is_none(ombudsman::get(state, actor, id.clone(), ROUTE).await)?;
    let fid = id.clone();
    let feedback = state
        .db
        .read(move |c| -> AppResult<Vec<FeedbackGiven>> {
            Ok(feedback::for_case(c, &fid)?
                .into_iter()
                .map(|i| FeedbackGiven {
                    delivery: i.delivery,
                    sent_at: i.sent_at.map(|t| t.and_utc()),
                    responded_at: i.responded_at.map(|t| t.and_utc()),
                    overall_satisfaction: i.overall_satisfaction,
                    comments: i.comments,
                })
                .collect())
        })
        .await?;
    let documents = documents::list(state, actor, id.clone(), ROUTE).await?;
    let access_log = case_history::access_log(state, actor, id).await?;
    Ok(CaseFile {
        named_as: n.named_as,
        case,
        timeline,
        letters: copies,
        meetings,
        candour,
        ombudsman,
        feedback,
        documents,
        access_log,
    })
}

/// A record the case does not have is `None`; anything else is as it was.
fn absent_is_none<T>(r: AppResult<T>) -> AppResult<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(AppError::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

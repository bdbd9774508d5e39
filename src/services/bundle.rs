//! The case bundle: everything on one case gathered for a CQC request, an Ombudsman referral
//! or a subject-access request (complaints managers and admins). Each part is read as its own
//! endpoint reads it (so each is on the case's access log) and the export is on the audit log.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;

use super::case_history::{self, TimelineEntry};
use super::case_view::CaseView;
use super::documents::{self, DocumentView};
use super::{Actor, audit, cases, letters};
use crate::domain::role::Permission;
use crate::error::AppResult;
use crate::state::AppState;

/// The route a bundle's reads are logged under.
pub const ROUTE: &str = "GET /api/v1/cases/{id}/bundle";

/// A letter as sent, with its printable copy (private links left out).
#[derive(Debug, Clone, Serialize)]
pub struct BundleLetter {
    pub subject: String,
    pub template: String,
    pub channel: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
    #[serde(skip)]
    pub html: String,
}

/// Everything on one case.
#[derive(Debug, Clone, Serialize)]
pub struct CaseBundle {
    pub generated_at: DateTime<Utc>,
    pub generated_on: NaiveDate,
    pub case: CaseView,
    pub timeline: Vec<TimelineEntry>,
    pub letters: Vec<BundleLetter>,
    /// Each document's current version with the earlier ones.
    pub documents: Vec<DocumentView>,
}

/// Gather case `id`'s bundle for a complaints manager or admin.
pub async fn gather(state: &AppState, actor: &Actor, id: String) -> AppResult<CaseBundle> {
    actor.require(Permission::SubjectAccess)?;
    let case = cases::get(state, actor, id.clone(), ROUTE).await?;
    let timeline = case_history::timeline(state, actor, id.clone(), ROUTE).await?;
    let mut copies = Vec::new();
    for l in letters::for_case(state, actor, id.clone()).await? {
        let html = letters::printable(state, actor, id.clone(), l.id.clone()).await?;
        copies.push(BundleLetter {
            subject: l.subject,
            template: l.template,
            channel: l.channel,
            status: l.status,
            created_at: l.created_at,
            html,
        });
    }
    let documents = documents::list(state, actor, id.clone(), ROUTE).await?;
    let (by, now) = (actor.user_id.clone(), state.clock.now());
    let count = documents.len();
    state
        .db
        .write(move |c| {
            let event = audit::Event {
                actor_id: Some(&by),
                action: "case.bundle_exported",
                target: Some(audit::Target {
                    kind: "case",
                    id: &id,
                }),
                client: None,
                summary: "A case's whole file exported as a bundle",
                details: json!({ "documents": count }),
            };
            audit::record(c, event, now)
        })
        .await?;
    Ok(CaseBundle {
        generated_at: state.clock.now_utc(),
        generated_on: state.clock.today(),
        case,
        timeline,
        letters: copies,
        documents,
    })
}

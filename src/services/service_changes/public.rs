//! 'You said, we did': the public register of implemented and sustained changes.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::MAX_PUBLISHED;
use crate::db::service_changes::{self as rows, PublicChange};
use crate::db::{Db, services as service_rows};
use crate::error::{AppError, AppResult};

/// One service's published changes, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublishedService {
    pub service_id: String,
    pub service_name: String,
    pub changes: Vec<PublishedChange>,
}

/// A change as the public reads it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublishedChange {
    /// What changed, in plain words.
    pub summary: String,
    pub implemented_on: NaiveDate,
    /// Verified, with evidence, to have stuck.
    pub sustained: bool,
}

/// 'You said, we did': implemented and sustained changes grouped by service; the service with
/// the newest change first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct YouSaidWeDid {
    pub services: Vec<PublishedService>,
    /// How many changes are listed (at most 500, the newest).
    pub count: usize,
}

/// The public register (no sign-in). An unknown `service_id` is a 400 naming it.
pub async fn published(db: &Db, service_id: Option<String>) -> AppResult<YouSaidWeDid> {
    let changes = db
        .read(move |c| -> AppResult<Vec<PublicChange>> {
            if let Some(id) = &service_id
                && service_rows::find_many(c, std::slice::from_ref(id))?.is_empty()
            {
                return Err(AppError::invalid("service_id", "no service has this id"));
            }
            Ok(rows::published(c, service_id.as_deref(), MAX_PUBLISHED)?)
        })
        .await?;
    Ok(group(changes))
}

fn group(changes: Vec<PublicChange>) -> YouSaidWeDid {
    let count = changes.len();
    let mut services: Vec<PublishedService> = Vec::new();
    // `changes` is newest first, so services come out ordered by their newest change.
    for ch in changes {
        let item = PublishedChange {
            summary: ch.public_summary,
            implemented_on: ch.implemented_on,
            sustained: ch.sustained,
        };
        match services.iter_mut().find(|s| s.service_id == ch.service_id) {
            Some(s) => s.changes.push(item),
            None => services.push(PublishedService {
                service_id: ch.service_id,
                service_name: ch.service_name,
                changes: vec![item],
            }),
        }
    }
    YouSaidWeDid { services, count }
}

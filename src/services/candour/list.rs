//! Candour records across cases by their computed status, and the figures for a period.

use chrono::NaiveDate;

use super::CandourListItem;
use crate::db::DbConnection;
use crate::db::calendar;
use crate::db::candour as rows;
use crate::db::cases;
use crate::domain::candour::{CandourRules, CandourStatus};
use crate::domain::role::Permission;
use crate::error::{AppError, AppResult};
use crate::services::Actor;
use crate::services::access::{Visibility, sees, visibility};
use crate::services::cursor;
use crate::state::AppState;

/// A page of candour records.
pub struct CandourPage {
    pub items: Vec<CandourListItem>,
    pub next: Option<String>,
    pub total: i64,
}

/// Candour records across cases with one of `statuses` (all when empty), soonest due first.
/// Investigators see only the records of cases they can read.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    statuses: Vec<CandourStatus>,
    limit: Option<i64>,
    after: Option<String>,
) -> AppResult<CandourPage> {
    actor.require(Permission::ReadCaseRecords)?;
    let limit = cursor::page_limit(limit)?;
    let after = after
        .as_deref()
        .map(cursor::decode::<1>)
        .transpose()?
        .map(|[id]| id);
    let today = state.clock.today();
    let actor = actor.clone();
    let candour = state.settings.candour.clone();
    state
        .db
        .read(move |c| -> AppResult<CandourPage> {
            let mut items = visible_items(c, &actor, &candour, today)?;
            items.retain(|i| statuses.is_empty() || statuses.contains(&i.status));
            items.sort_by(|a, b| {
                let key = |i: &CandourListItem| {
                    (
                        i.next_due_on.is_none(),
                        i.next_due_on,
                        i.became_aware_on,
                        i.id.clone(),
                    )
                };
                key(a).cmp(&key(b))
            });
            let total = i64::try_from(items.len()).unwrap_or(i64::MAX);
            let start = match &after {
                None => 0,
                Some(id) => {
                    items.iter().position(|i| &i.id == id).ok_or_else(|| {
                        AppError::invalid("cursor", "is not a cursor from this list")
                    })? + 1
                }
            };
            let rest: Vec<CandourListItem> = items.into_iter().skip(start).collect();
            let (page, next) = cursor::page(rest, limit, |last| cursor::encode(&[&last.id]));
            Ok(CandourPage {
                items: page,
                next,
                total,
            })
        })
        .await
}

/// Every candour record on a case the actor may read, assessed today.
fn visible_items(
    c: &mut DbConnection,
    actor: &Actor,
    candour: &CandourRules,
    today: NaiveDate,
) -> AppResult<Vec<CandourListItem>> {
    let vis = visibility(c, actor)?;
    let cal = calendar::current(c)?;
    let mut records = Vec::new();
    for (r, reference) in rows::all_with_reference(c)? {
        if let Visibility::Assigned(_) = &vis {
            let Some(case) = cases::find(c, &r.case_id)? else {
                continue;
            };
            if !sees(c, actor, &vis, &case)? {
                continue;
            }
        }
        records.push((r, reference));
    }
    let ids: Vec<String> = records.iter().map(|(r, _)| r.id.clone()).collect();
    let steps = rows::steps_for(c, &ids)?;
    Ok(records
        .into_iter()
        .map(|(r, reference)| {
            let a = r.assess(&cal, candour, &steps, today);
            CandourListItem {
                harm_level: r.harm(),
                exception: r.exception_kind.as_deref().and_then(|k| k.parse().ok()),
                id: r.id,
                case_id: r.case_id,
                case_reference: reference,
                incident_reference: r.incident_reference,
                became_aware_on: r.became_aware_on,
                notifiable: a.notifiable,
                status: a.status,
                requirements: a.requirements,
                next_due_on: a.next_due_on,
                working_days_to_due: a.working_days_to_due,
            }
        })
        .collect())
}

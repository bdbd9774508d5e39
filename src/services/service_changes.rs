//! The service changes register ("you said, we did", characteristic 10E): record what will
//! change because of complaints, edit it, take it through planned → in progress → implemented
//! → sustained (or abandoned), and publish what was done. Every command is one transaction
//! with its history entry and, for each linked case, an event on that case's timeline.

mod edit;
mod public;
mod steps;
mod view;

pub use edit::*;
pub use public::*;
pub use steps::*;
pub use view::*;

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::case_input::{self as input, Errors, MAX_SUMMARY, MAX_TEXT};
use super::cursor;
use super::{Actor, access};
use crate::db::service_changes::{self as rows, ChangeCursor, ChangeEvent, ServiceChangeRow};
use crate::db::{DbConnection, cases, services as service_rows, taxonomy, timeline};
use crate::domain::role::Permission;
use crate::domain::service_change::{self as rules, ChangeStatus};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub use crate::db::service_changes::ChangeFilter;

const MAX_PUBLIC_SUMMARY: usize = 1_000;
const MAX_CASES: usize = 100;
/// The public page lists at most this many changes (the newest).
pub const MAX_PUBLISHED: i64 = 500;

fn not_found() -> AppError {
    AppError::NotFound("No service change has this id.".into())
}

/// The theme as sent.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ThemeInput {
    /// A `subject_area` code from the taxonomy.
    pub subject: String,
    /// Narrows the theme to one service.
    pub service_id: Option<String>,
}

/// A new service change. Link it to at least one case, or give a theme (or both).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateServiceChangeRequest {
    /// What will change, in a line (at most 200 characters).
    pub title: String,
    /// What will change, in full.
    pub description: String,
    /// Why.
    pub reason: String,
    /// Plain words for the public page (at most 1,000 characters): no names, no case
    /// references, no contact details.
    pub public_summary: String,
    /// The service that changes.
    pub service_id: String,
    /// The member of staff who sees it through.
    pub owner_id: String,
    pub due_on: NaiveDate,
    /// The cases the change answers.
    #[serde(default)]
    pub case_ids: Vec<String>,
    pub theme: Option<ThemeInput>,
}

fn check_service(c: &mut DbConnection, e: &mut Errors, field: &str, id: &str) -> AppResult<()> {
    match service_rows::find_many(c, &[id.to_string()])?.first() {
        None => e.add(field, "no service has this id"),
        Some(s) if !s.active => e.add(field, "this service is no longer active"),
        Some(_) => {}
    }
    Ok(())
}

fn check_owner(c: &mut DbConnection, e: &mut Errors, id: &str) -> AppResult<()> {
    match rows::user_active(c, id)? {
        None => e.add("owner_id", "no user has this id"),
        Some(false) => e.add("owner_id", "this account is deactivated"),
        Some(true) => {}
    }
    Ok(())
}

fn check_theme(c: &mut DbConnection, e: &mut Errors, theme: &ThemeInput) -> AppResult<()> {
    match taxonomy::find(c, "subject_area", theme.subject.trim())? {
        None => e.add(
            "theme.subject",
            "is not a subject_area code in the taxonomy",
        ),
        Some(t) if !t.active => e.add("theme.subject", "this subject_area code is retired"),
        Some(_) => {}
    }
    if let Some(s) = &theme.service_id {
        check_service(c, e, "theme.service_id", s)?;
    }
    Ok(())
}

fn check_cases(c: &mut DbConnection, e: &mut Errors, ids: &[String]) -> AppResult<Vec<String>> {
    if ids.len() > MAX_CASES {
        e.add("case_ids", format!("at most {MAX_CASES} cases"));
        return Ok(Vec::new());
    }
    let found: HashMap<String, String> = rows::case_references(c, ids)?.into_iter().collect();
    let mut seen = BTreeSet::new();
    for (i, id) in ids.iter().enumerate() {
        if !found.contains_key(id) {
            e.add(format!("case_ids[{i}]"), "no case has this id");
        } else if !seen.insert(id.clone()) {
            e.add(format!("case_ids[{i}]"), "is listed twice");
        }
    }
    Ok(seen.into_iter().collect())
}

fn check_public_summary(e: &mut Errors, raw: &str) -> String {
    let text = input::text(e, "public_summary", raw, MAX_PUBLIC_SUMMARY, true);
    if let Some(problem) = rules::public_summary_problem(&text) {
        e.add("public_summary", problem);
    }
    text
}

/// Append `kind` to the timeline of each case in `case_ids` (taking each case's row lock first,
/// as every timeline append does).
fn tell_cases(
    c: &mut DbConnection,
    case_ids: &[String],
    actor: &Actor,
    kind: &str,
    summary: &str,
    details: &Value,
    now: chrono::NaiveDateTime,
) -> AppResult<()> {
    for case_id in case_ids {
        cases::touch(c, case_id, now)?;
        timeline::append(
            c,
            case_id,
            Some(&actor.user_id),
            kind,
            summary,
            details,
            now,
        )?;
    }
    Ok(())
}

struct History<'a> {
    change_id: &'a str,
    seq: i32,
    kind: &'a str,
    from: Option<ChangeStatus>,
    to: ChangeStatus,
    details: Value,
}

fn record(
    c: &mut DbConnection,
    actor: &Actor,
    h: History<'_>,
    now: chrono::NaiveDateTime,
) -> AppResult<()> {
    rows::insert_event(
        c,
        &ChangeEvent {
            id: crate::db::ids::new_id(),
            service_change_id: h.change_id.to_string(),
            seq: h.seq,
            occurred_at: now,
            actor_id: actor.user_id.clone(),
            kind: h.kind.to_string(),
            from_status: h.from.map(|s| s.as_str().to_string()),
            to_status: h.to.as_str().to_string(),
            details: h.details.to_string(),
        },
    )?;
    Ok(())
}

/// Record a new service change (parsed after the role check).
pub async fn create(state: &AppState, actor: &Actor, raw: Value) -> AppResult<ServiceChangeView> {
    actor.require(Permission::ManageServiceChanges)?;
    let actor = actor.clone();
    let months = state.settings.learning.sustain_review_months;
    let (today, now) = (state.clock.today(), state.clock.now());
    let view = state
        .db
        .write(move |c| -> AppResult<ServiceChangeView> {
            let req: CreateServiceChangeRequest = crate::json::from_value(raw)?;
            let (row, case_ids) = new_change(c, &actor, req, now)?;
            rows::insert(c, &row)?;
            for case_id in &case_ids {
                rows::link_case(c, &row.id, case_id)?;
            }
            record(
                c,
                &actor,
                History {
                    change_id: &row.id,
                    seq: 1,
                    kind: "created",
                    from: None,
                    to: ChangeStatus::Planned,
                    details: json!({ "cases_linked": case_ids, "record": row }),
                },
                now,
            )?;
            tell_cases(
                c,
                &case_ids,
                &actor,
                "service_change_linked",
                &format!("Linked to a planned service change: {}", row.title),
                &json!({ "service_change_id": row.id, "status": row.status }),
                now,
            )?;
            full_view(c, row, Detail::WithCases, months, today)
        })
        .await?;
    tracing::info!(service_change.id = %view.id, "service change recorded");
    Ok(view)
}

/// Check a new change (400 naming every invalid field): its row and the cases it answers.
fn new_change(
    c: &mut DbConnection,
    actor: &Actor,
    req: CreateServiceChangeRequest,
    now: chrono::NaiveDateTime,
) -> AppResult<(ServiceChangeRow, Vec<String>)> {
    let mut e = Errors::default();
    let title = input::text(&mut e, "title", &req.title, MAX_SUMMARY, true);
    let description = input::text(&mut e, "description", &req.description, MAX_TEXT, true);
    let reason = input::text(&mut e, "reason", &req.reason, MAX_TEXT, true);
    let public_summary = check_public_summary(&mut e, &req.public_summary);
    check_service(c, &mut e, "service_id", &req.service_id)?;
    check_owner(c, &mut e, &req.owner_id)?;
    let case_ids = check_cases(c, &mut e, &req.case_ids)?;
    if let Some(theme) = &req.theme {
        check_theme(c, &mut e, theme)?;
    }
    if req.case_ids.is_empty() && req.theme.is_none() {
        e.add(
            "case_ids",
            "link at least one case, or give a theme, that the change answers",
        );
    }
    e.done()?;
    let row = ServiceChangeRow {
        id: crate::db::ids::new_id(),
        title,
        description,
        reason,
        public_summary,
        service_id: req.service_id,
        owner_id: req.owner_id,
        due_on: req.due_on,
        theme_subject: req.theme.as_ref().map(|t| t.subject.trim().to_string()),
        theme_service_id: req.theme.and_then(|t| t.service_id),
        status: ChangeStatus::Planned.as_str().to_string(),
        started_at: None,
        implemented_on: None,
        evidence: None,
        verified_by: None,
        verified_at: None,
        abandoned_reason: None,
        abandoned_at: None,
        version: 1,
        created_by: actor.user_id.clone(),
        created_at: now,
        updated_at: now,
    };
    Ok((row, case_ids))
}

/// One change: in full for staff, without cases and history for the board.
pub async fn get(state: &AppState, actor: &Actor, id: String) -> AppResult<ServiceChangeView> {
    actor.require(Permission::ReadServiceChanges)?;
    let detail = detail_for(actor);
    let actor = actor.clone();
    let months = state.settings.learning.sustain_review_months;
    let today = state.clock.today();
    state
        .db
        .read(move |c| -> AppResult<ServiceChangeView> {
            let r = rows::find(c, &id)?.ok_or_else(not_found)?;
            let mut view = full_view(c, r, detail, months, today)?;
            hide_unseen(c, &actor, &mut view)?;
            Ok(view)
        })
        .await
}

/// The parsed `GET /service-changes` query.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub filter: ChangeFilter,
    pub overdue: bool,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// A page of changes.
pub struct ChangePage {
    pub items: Vec<ServiceChangeView>,
    pub next: Option<String>,
    pub total: i64,
}

/// List the register, newest first.
pub async fn list(state: &AppState, actor: &Actor, q: ListQuery) -> AppResult<ChangePage> {
    actor.require(Permission::ReadServiceChanges)?;
    let detail = detail_for(actor);
    if detail == Detail::Register && q.filter.case_id.is_some() {
        return Err(AppError::Forbidden(
            "The board role may not look up service changes by case.".into(),
        ));
    }
    let limit = cursor::page_limit(q.limit)?;
    let after = q.cursor.as_deref().map(decode_cursor).transpose()?;
    let months = state.settings.learning.sustain_review_months;
    let today = state.clock.today();
    let actor = actor.clone();
    state
        .db
        .read(move |c| -> AppResult<ChangePage> {
            if let Some(case) = &q.filter.case_id {
                // Which changes answer a case is itself a fact about the case.
                access::load_visible(c, &actor, case)?;
            }
            let mut filter = q.filter;
            if q.overdue {
                filter.overdue_at = Some(today);
            }
            let total = rows::count(c, &filter)?;
            let found = rows::list(c, &filter, after.as_ref(), limit + 1)?;
            let (found, next) = cursor::page(found, limit, |last| {
                cursor::encode(&[&cursor::stamp(last.created_at), &last.id])
            });
            let names = Names::load(c, &found, &[])?;
            let ids: Vec<String> = found.iter().map(|r| r.id.clone()).collect();
            let mut links: HashMap<String, Vec<String>> = HashMap::new();
            for (change, case) in rows::case_links(c, &ids)? {
                links.entry(change).or_default().push(case);
            }
            let all_cases: Vec<String> = links.values().flatten().cloned().collect();
            let refs: HashMap<String, String> =
                rows::case_references(c, &all_cases)?.into_iter().collect();
            let items = found
                .into_iter()
                .map(|r| {
                    let cases = links
                        .remove(&r.id)
                        .unwrap_or_default()
                        .into_iter()
                        .map(|id| LinkedCase {
                            reference: refs.get(&id).cloned().unwrap_or_default(),
                            id,
                        })
                        .collect();
                    let mut view = view_of(r, &names, cases, detail, months, today)?;
                    hide_unseen(c, &actor, &mut view)?;
                    Ok(view)
                })
                .collect::<AppResult<Vec<_>>>()?;
            Ok(ChangePage { items, next, total })
        })
        .await
}

fn decode_cursor(raw: &str) -> AppResult<ChangeCursor> {
    let [stamp, id] = cursor::decode::<2>(raw)?;
    Ok(ChangeCursor {
        created_at: cursor::unstamp(&stamp)?,
        id,
    })
}

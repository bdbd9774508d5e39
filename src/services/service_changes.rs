//! The service changes register ("you said, we did", characteristic 10E): record what will
//! change because of complaints, edit it, take it through planned → in progress → implemented
//! → sustained (or abandoned), and publish what was done. Every command is one transaction
//! with its history entry and, for each linked case, an event on that case's timeline.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::Actor;
use super::case_input::{self as input, Errors, MAX_SUMMARY, MAX_TEXT};
use super::cases::{diff, required_version_of, stale_of, today};
use crate::db::service_changes::{
    self as rows, ChangeCursor, ChangeEvent, ChangeFields, ChangeFilter, PublicChange,
    ServiceChangeRow, StatusChanges,
};
use crate::db::{self, Db, DbConnection, cases, services as service_rows, taxonomy, timeline};
use crate::domain::role::Permission;
use crate::domain::service_change::{self as rules, ChangeAction, ChangeStatus};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

const MAX_PUBLIC_SUMMARY: usize = 1_000;
const MAX_CASES: usize = 100;
/// The public page lists at most this many changes (the newest).
pub const MAX_PUBLISHED: i64 = 500;

fn not_found() -> AppError {
    AppError::NotFound("No service change has this id.".into())
}

/// A record named by id and name.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Named {
    pub id: String,
    pub name: String,
}

/// A case the change answers.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LinkedCase {
    pub id: String,
    pub reference: String,
}

/// The theme a change answers: a subject area, perhaps in one service.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ThemeView {
    /// A `subject_area` code from the taxonomy.
    pub subject: String,
    pub subject_label: Option<String>,
    pub service: Option<Named>,
}

/// One entry of a change's history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChangeEventView {
    /// The change's version after this entry.
    pub seq: i32,
    pub occurred_at: DateTime<Utc>,
    pub actor: Named,
    /// `created`, `edited`, `started`, `implemented`, `sustained` or `abandoned`.
    pub kind: String,
    pub from_status: Option<ChangeStatus>,
    pub to_status: ChangeStatus,
    /// What changed: before/after values, cases linked and unlinked, evidence, reasons.
    #[schema(value_type = Object)]
    pub details: Value,
}

/// A service change. The board sees it without `cases` and `history`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceChangeView {
    pub id: String,
    /// What will change, in a line.
    pub title: String,
    /// What will change, in full (staff only text; not published).
    pub description: String,
    /// Why it changes.
    pub reason: String,
    /// Plain words for the public 'you said, we did' page: no personal data, no case references.
    pub public_summary: String,
    /// The service that changes.
    pub service: Named,
    pub owner: Named,
    pub due_on: NaiveDate,
    pub theme: Option<ThemeView>,
    pub status: ChangeStatus,
    /// Planned or in progress after its due date.
    pub overdue: bool,
    pub started_at: Option<DateTime<Utc>>,
    pub implemented_on: Option<NaiveDate>,
    /// For an implemented change: the first day it may be verified as sustained.
    pub sustain_from: Option<NaiveDate>,
    /// What shows the change has stuck (once sustained).
    pub evidence: Option<String>,
    pub verified_by: Option<Named>,
    pub verified_at: Option<DateTime<Utc>>,
    pub abandoned_reason: Option<String>,
    pub abandoned_at: Option<DateTime<Utc>>,
    /// How many cases the change answers.
    pub linked_case_count: usize,
    /// The cases the change answers (not shown to the board).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cases: Option<Vec<LinkedCase>>,
    /// The steps allowed now.
    pub allowed_actions: Vec<ChangeAction>,
    pub version: i32,
    pub created_by: Named,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Every change to the record, oldest first (`GET /service-changes/{id}` only; not for the
    /// board).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<ChangeEventView>>,
}

/// Names of users and services, loaded once for a page of changes.
#[derive(Default)]
struct Names {
    users: HashMap<String, String>,
    services: HashMap<String, String>,
    subjects: HashMap<String, String>,
}

impl Names {
    fn load(
        c: &mut DbConnection,
        changes: &[ServiceChangeRow],
        extra_users: &[String],
    ) -> AppResult<Self> {
        let mut user_ids: BTreeSet<String> = extra_users.iter().cloned().collect();
        let mut service_ids = BTreeSet::new();
        for r in changes {
            user_ids.insert(r.owner_id.clone());
            user_ids.insert(r.created_by.clone());
            user_ids.extend(r.verified_by.clone());
            service_ids.insert(r.service_id.clone());
            service_ids.extend(r.theme_service_id.clone());
        }
        let user_ids: Vec<String> = user_ids.into_iter().collect();
        let service_ids: Vec<String> = service_ids.into_iter().collect();
        let users = rows::user_names(c, &user_ids)?.into_iter().collect();
        let services = service_rows::find_many(c, &service_ids)?
            .into_iter()
            .map(|s| (s.id, s.name))
            .collect();
        let subjects = if changes.iter().any(|r| r.theme_subject.is_some()) {
            taxonomy::list(c, "subject_area")?
                .into_iter()
                .map(|t| (t.code, t.label))
                .collect()
        } else {
            HashMap::new()
        };
        Ok(Self {
            users,
            services,
            subjects,
        })
    }

    fn user(&self, id: &str) -> Named {
        Named {
            id: id.to_string(),
            name: self.users.get(id).cloned().unwrap_or_default(),
        }
    }

    fn service(&self, id: &str) -> Named {
        Named {
            id: id.to_string(),
            name: self.services.get(id).cloned().unwrap_or_default(),
        }
    }
}

/// What the actor may see beyond the register's own text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Detail {
    /// The board: no cases, no history.
    Register,
    /// Staff: the cases too.
    WithCases,
}

fn detail_for(actor: &Actor) -> Detail {
    if actor.role.can(Permission::ReadServiceChangeLinks) {
        Detail::WithCases
    } else {
        Detail::Register
    }
}

fn view_of(
    r: ServiceChangeRow,
    names: &Names,
    cases: Vec<LinkedCase>,
    detail: Detail,
    review_months: u32,
    today: NaiveDate,
) -> AppResult<ServiceChangeView> {
    let status = r.status()?;
    let sustain_from = (status == ChangeStatus::Implemented)
        .then(|| {
            r.implemented_on
                .and_then(|d| rules::earliest_sustain(d, review_months))
        })
        .flatten();
    Ok(ServiceChangeView {
        service: names.service(&r.service_id),
        owner: names.user(&r.owner_id),
        theme: r.theme_subject.clone().map(|subject| ThemeView {
            subject_label: names.subjects.get(&subject).cloned(),
            subject,
            service: r.theme_service_id.as_deref().map(|s| names.service(s)),
        }),
        overdue: rules::is_overdue(status, r.due_on, today),
        status,
        started_at: r.started_at.map(|t| t.and_utc()),
        sustain_from,
        verified_by: r.verified_by.as_deref().map(|u| names.user(u)),
        verified_at: r.verified_at.map(|t| t.and_utc()),
        abandoned_at: r.abandoned_at.map(|t| t.and_utc()),
        linked_case_count: cases.len(),
        cases: (detail == Detail::WithCases).then_some(cases),
        allowed_actions: rules::allowed_actions(status),
        created_by: names.user(&r.created_by),
        created_at: r.created_at.and_utc(),
        updated_at: r.updated_at.and_utc(),
        history: None,
        id: r.id,
        title: r.title,
        description: r.description,
        reason: r.reason,
        public_summary: r.public_summary,
        due_on: r.due_on,
        implemented_on: r.implemented_on,
        evidence: r.evidence,
        abandoned_reason: r.abandoned_reason,
        version: r.version,
    })
}

fn linked_cases(c: &mut DbConnection, case_ids: &[String]) -> AppResult<Vec<LinkedCase>> {
    let refs: HashMap<String, String> = rows::case_references(c, case_ids)?.into_iter().collect();
    Ok(case_ids
        .iter()
        .map(|id| LinkedCase {
            id: id.clone(),
            reference: refs.get(id).cloned().unwrap_or_default(),
        })
        .collect())
}

/// One change in full: with its cases and history for staff.
fn full_view(
    c: &mut DbConnection,
    r: ServiceChangeRow,
    detail: Detail,
    review_months: u32,
) -> AppResult<ServiceChangeView> {
    let events = if detail == Detail::WithCases {
        Some(rows::events(c, &r.id)?)
    } else {
        None
    };
    let actors: Vec<String> = events
        .iter()
        .flatten()
        .map(|e| e.actor_id.clone())
        .collect();
    let names = Names::load(c, std::slice::from_ref(&r), &actors)?;
    let case_ids = rows::case_ids(c, &r.id)?;
    let cases = linked_cases(c, &case_ids)?;
    let mut view = view_of(r, &names, cases, detail, review_months, today())?;
    view.history = events
        .map(|events| {
            events
                .into_iter()
                .map(|e| event_view(e, &names))
                .collect::<AppResult<Vec<_>>>()
        })
        .transpose()?;
    Ok(view)
}

fn event_view(e: ChangeEvent, names: &Names) -> AppResult<ChangeEventView> {
    let status = |s: &str| {
        s.parse::<ChangeStatus>()
            .map_err(|m| AppError::internal(format!("service_change_events: {m}")))
    };
    Ok(ChangeEventView {
        seq: e.seq,
        occurred_at: e.occurred_at.and_utc(),
        actor: names.user(&e.actor_id),
        from_status: e.from_status.as_deref().map(status).transpose()?,
        to_status: status(&e.to_status)?,
        details: serde_json::from_str(&e.details).unwrap_or(Value::Null),
        kind: e.kind,
    })
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

/// An edit of the descriptive fields; absent fields are left alone. `case_ids` replaces the
/// linked cases. Needs the change's version (`If-Match` or `version`).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchServiceChangeRequest {
    pub version: Option<i32>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub reason: Option<String>,
    pub public_summary: Option<String>,
    pub service_id: Option<String>,
    pub owner_id: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub case_ids: Option<Vec<String>>,
    /// `null` removes the theme.
    #[serde(default, deserialize_with = "crate::json::present")]
    #[schema(value_type = Option<ThemeInput>)]
    pub theme: Option<Option<ThemeInput>>,
}

fn done(e: Errors) -> AppResult<()> {
    if e.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(e.0))
    }
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
            id: uuid::Uuid::new_v4().to_string(),
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
    let view = state
        .db
        .write(move |c| -> AppResult<ServiceChangeView> {
            let req: CreateServiceChangeRequest = crate::json::from_value(raw)?;
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
            done(e)?;
            let now = db::now();
            let row = ServiceChangeRow {
                id: uuid::Uuid::new_v4().to_string(),
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
            full_view(c, row, Detail::WithCases, months)
        })
        .await?;
    tracing::info!(service_change.id = %view.id, "service change recorded");
    Ok(view)
}

/// One change: in full for staff, without cases and history for the board.
pub async fn get(state: &AppState, actor: &Actor, id: String) -> AppResult<ServiceChangeView> {
    actor.require(Permission::ReadServiceChanges)?;
    let detail = detail_for(actor);
    let months = state.settings.learning.sustain_review_months;
    state
        .db
        .read(move |c| -> AppResult<ServiceChangeView> {
            let r = rows::find(c, &id)?.ok_or_else(not_found)?;
            full_view(c, r, detail, months)
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
    let limit = super::users::page_limit(q.limit)?;
    let cursor = q.cursor.as_deref().map(decode_cursor).transpose()?;
    let months = state.settings.learning.sustain_review_months;
    state
        .db
        .read(move |c| -> AppResult<ChangePage> {
            let today = today();
            let mut filter = q.filter;
            if q.overdue {
                filter.overdue_at = Some(today);
            }
            let total = rows::count(c, &filter)?;
            let mut found = rows::list(c, &filter, cursor.as_ref(), limit + 1)?;
            let page = usize::try_from(limit).unwrap_or(usize::MAX);
            let more = found.len() > page;
            found.truncate(page);
            let next = more.then(|| found.last()).flatten().map(encode_cursor);
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
                    view_of(r, &names, cases, detail, months, today)
                })
                .collect::<AppResult<Vec<_>>>()?;
            Ok(ChangePage { items, next, total })
        })
        .await
}

fn encode_cursor(last: &ServiceChangeRow) -> String {
    use base64::Engine;
    let stamp = last.created_at.format("%Y-%m-%dT%H:%M:%S%.6f");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{stamp}\n{}", last.id))
}

fn decode_cursor(raw: &str) -> AppResult<ChangeCursor> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(raw.as_bytes())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| {
            let (stamp, id) = s.split_once('\n')?;
            Some(ChangeCursor {
                created_at: chrono::NaiveDateTime::parse_from_str(stamp, "%Y-%m-%dT%H:%M:%S%.f")
                    .ok()?,
                id: id.to_string(),
            })
        })
        .ok_or_else(|| AppError::invalid("cursor", "is not a cursor from this list"))
}

fn load_versioned(
    c: &mut DbConnection,
    id: &str,
    if_match: Option<i32>,
    body: Option<i32>,
) -> AppResult<ServiceChangeRow> {
    let r = rows::find(c, id)?.ok_or_else(not_found)?;
    let version = required_version_of("service change", if_match, body)?;
    if r.version != version {
        return Err(stale_of("service change", r.version));
    }
    Ok(r)
}

/// Edit the descriptive fields and the linked cases (versioned; parsed after the role check).
pub async fn edit(
    state: &AppState,
    actor: &Actor,
    id: String,
    if_match: Option<i32>,
    raw: Value,
) -> AppResult<ServiceChangeView> {
    actor.require(Permission::ManageServiceChanges)?;
    let actor = actor.clone();
    let months = state.settings.learning.sustain_review_months;
    state
        .db
        .write(move |c| -> AppResult<ServiceChangeView> {
            let req: PatchServiceChangeRequest = crate::json::from_value(raw)?;
            let r = load_versioned(c, &id, if_match, req.version)?;
            let mut e = Errors::default();
            let mut f = ChangeFields {
                title: r.title.clone(),
                description: r.description.clone(),
                reason: r.reason.clone(),
                public_summary: r.public_summary.clone(),
                service_id: r.service_id.clone(),
                owner_id: r.owner_id.clone(),
                due_on: req.due_on.unwrap_or(r.due_on),
                theme_subject: r.theme_subject.clone(),
                theme_service_id: r.theme_service_id.clone(),
            };
            if let Some(t) = &req.title {
                f.title = input::text(&mut e, "title", t, MAX_SUMMARY, true);
            }
            if let Some(t) = &req.description {
                f.description = input::text(&mut e, "description", t, MAX_TEXT, true);
            }
            if let Some(t) = &req.reason {
                f.reason = input::text(&mut e, "reason", t, MAX_TEXT, true);
            }
            if let Some(t) = &req.public_summary {
                f.public_summary = check_public_summary(&mut e, t);
            }
            if let Some(s) = &req.service_id
                && *s != r.service_id
            {
                check_service(c, &mut e, "service_id", s)?;
                f.service_id = s.clone();
            }
            if let Some(o) = &req.owner_id
                && *o != r.owner_id
            {
                check_owner(c, &mut e, o)?;
                f.owner_id = o.clone();
            }
            match &req.theme {
                None => {}
                Some(None) => {
                    f.theme_subject = None;
                    f.theme_service_id = None;
                }
                Some(Some(t)) => {
                    check_theme(c, &mut e, t)?;
                    f.theme_subject = Some(t.subject.trim().to_string());
                    f.theme_service_id = t.service_id.clone();
                }
            }
            let before_cases = rows::case_ids(c, &r.id)?;
            let after_cases = match &req.case_ids {
                Some(ids) => check_cases(c, &mut e, ids)?,
                None => before_cases.clone(),
            };
            if after_cases.is_empty() && f.theme_subject.is_none() {
                e.add(
                    "case_ids",
                    "link at least one case, or give a theme, that the change answers",
                );
            }
            done(e)?;
            let added: Vec<String> = after_cases
                .iter()
                .filter(|x| !before_cases.contains(x))
                .cloned()
                .collect();
            let removed: Vec<String> = before_cases
                .iter()
                .filter(|x| !after_cases.contains(x))
                .cloned()
                .collect();
            let mut after = r.clone();
            after.title = f.title.clone();
            after.description = f.description.clone();
            after.reason = f.reason.clone();
            after.public_summary = f.public_summary.clone();
            after.service_id = f.service_id.clone();
            after.owner_id = f.owner_id.clone();
            after.due_on = f.due_on;
            after.theme_subject = f.theme_subject.clone();
            after.theme_service_id = f.theme_service_id.clone();
            let changes = diff(
                &serde_json::to_value(&r).unwrap_or(Value::Null),
                &serde_json::to_value(&after).unwrap_or(Value::Null),
            );
            let unchanged = changes.as_object().is_none_or(|m| m.is_empty());
            if unchanged && added.is_empty() && removed.is_empty() {
                return full_view(c, r, Detail::WithCases, months);
            }
            let now = db::now();
            if !rows::update_fields_versioned(c, &r.id, r.version, &f, now)? {
                return Err(stale_of("service change", r.version));
            }
            for case_id in &added {
                rows::link_case(c, &r.id, case_id)?;
            }
            for case_id in &removed {
                rows::unlink_case(c, &r.id, case_id)?;
            }
            let status = r.status()?;
            record(
                c,
                &actor,
                History {
                    change_id: &r.id,
                    seq: r.version + 1,
                    kind: "edited",
                    from: Some(status),
                    to: status,
                    details: json!({
                        "changes": changes,
                        "cases_linked": added,
                        "cases_unlinked": removed,
                    }),
                },
                now,
            )?;
            let case_details = json!({ "service_change_id": r.id, "status": status });
            tell_cases(
                c,
                &added,
                &actor,
                "service_change_linked",
                &format!("Linked to a service change: {}", f.title),
                &case_details,
                now,
            )?;
            tell_cases(
                c,
                &removed,
                &actor,
                "service_change_unlinked",
                &format!("No longer linked to the service change: {}", f.title),
                &case_details,
                now,
            )?;
            let fresh = rows::find(c, &r.id)?.ok_or_else(not_found)?;
            full_view(c, fresh, Detail::WithCases, months)
        })
        .await
}

/// `POST /service-changes/{id}/start`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartRequest {
    /// Or `If-Match`.
    pub version: Option<i32>,
}

/// `POST /service-changes/{id}/implement`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImplementRequest {
    pub version: Option<i32>,
    /// The day the change took effect; not in the future.
    pub implemented_on: NaiveDate,
}

/// `POST /service-changes/{id}/sustain`: verify that the change has stuck, no sooner than
/// `learning.sustain_review_months` after it was implemented.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SustainRequest {
    pub version: Option<i32>,
    /// What shows the change has stuck: an audit, a re-survey, fewer complaints on the theme.
    pub evidence: String,
}

/// `POST /service-changes/{id}/abandon`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AbandonRequest {
    pub version: Option<i32>,
    pub reason: String,
}

/// A step's body, parsed.
#[derive(Debug, Clone)]
pub enum Step {
    Start(StartRequest),
    Implement(ImplementRequest),
    Sustain(SustainRequest),
    Abandon(AbandonRequest),
}

impl Step {
    fn action(&self) -> ChangeAction {
        match self {
            Self::Start(_) => ChangeAction::Start,
            Self::Implement(_) => ChangeAction::Implement,
            Self::Sustain(_) => ChangeAction::Sustain,
            Self::Abandon(_) => ChangeAction::Abandon,
        }
    }

    fn version(&self) -> Option<i32> {
        match self {
            Self::Start(b) => b.version,
            Self::Implement(b) => b.version,
            Self::Sustain(b) => b.version,
            Self::Abandon(b) => b.version,
        }
    }

    /// Parse the body for `action` (after the role check).
    pub fn parse(action: ChangeAction, raw: Value) -> AppResult<Self> {
        Ok(match action {
            ChangeAction::Start => Self::Start(crate::json::from_value(raw)?),
            ChangeAction::Implement => Self::Implement(crate::json::from_value(raw)?),
            ChangeAction::Sustain => Self::Sustain(crate::json::from_value(raw)?),
            ChangeAction::Abandon => Self::Abandon(crate::json::from_value(raw)?),
        })
    }
}

/// Check a step against the change and the rules; the columns it sets and its history details.
fn plan(
    step: &Step,
    r: &ServiceChangeRow,
    actor: &Actor,
    months: u32,
    today: NaiveDate,
    now: chrono::NaiveDateTime,
) -> AppResult<(StatusChanges, Value)> {
    let mut e = Errors::default();
    let mut ch = StatusChanges {
        status: Some(rules::next_status(step.action()).as_str().to_string()),
        ..StatusChanges::default()
    };
    let details = match step {
        Step::Start(_) => {
            ch.started_at = Some(now);
            json!({})
        }
        Step::Implement(b) => {
            input::past_date(&mut e, "implemented_on", b.implemented_on, today);
            ch.implemented_on = Some(b.implemented_on);
            json!({ "implemented_on": b.implemented_on })
        }
        Step::Sustain(b) => {
            let evidence = input::text(&mut e, "evidence", &b.evidence, MAX_TEXT, true);
            done(e)?;
            let implemented_on = r
                .implemented_on
                .ok_or_else(|| AppError::internal("implemented change without implemented_on"))?;
            let earliest =
                rules::earliest_sustain(implemented_on, months).unwrap_or(NaiveDate::MAX);
            if today < earliest {
                return Err(AppError::Conflict {
                    detail: format!(
                        "A change can be verified as sustained only {months} months after it was \
                         implemented (the review period, setting learning.sustain_review_months): \
                         this one was implemented on {implemented_on}, so not before {earliest}."
                    ),
                    current_state: Some(ChangeStatus::Implemented.as_str().into()),
                    allowed_actions: Some(vec![ChangeAction::Abandon.as_str().into()]),
                });
            }
            ch.evidence = Some(evidence.clone());
            ch.verified_by = Some(actor.user_id.clone());
            ch.verified_at = Some(now);
            return Ok((ch, json!({ "evidence": evidence })));
        }
        Step::Abandon(b) => {
            let reason = input::text(&mut e, "reason", &b.reason, MAX_TEXT, true);
            ch.abandoned_reason = Some(reason.clone());
            ch.abandoned_at = Some(now);
            json!({ "reason": reason })
        }
    };
    done(e)?;
    Ok((ch, details))
}

fn case_summary(action: ChangeAction, title: &str) -> String {
    match action {
        ChangeAction::Start => format!("Service change started: {title}"),
        ChangeAction::Implement => format!("Service change implemented: {title}"),
        ChangeAction::Sustain => format!("Service change verified as sustained: {title}"),
        ChangeAction::Abandon => format!("Service change abandoned: {title}"),
    }
}

/// Take a change one step on (versioned; the body was parsed after the role check).
pub async fn act(
    state: &AppState,
    actor: &Actor,
    id: String,
    if_match: Option<i32>,
    action: ChangeAction,
    raw: Value,
) -> AppResult<ServiceChangeView> {
    actor.require(Permission::ManageServiceChanges)?;
    let actor = actor.clone();
    let months = state.settings.learning.sustain_review_months;
    let view = state
        .db
        .write(move |c| -> AppResult<ServiceChangeView> {
            let step = Step::parse(action, raw)?;
            let r = load_versioned(c, &id, if_match, step.version())?;
            let status = r.status()?;
            let allowed = rules::allowed_actions(status);
            if !allowed.contains(&action) {
                return Err(AppError::Conflict {
                    detail: format!(
                        "'{action}' is not possible while the service change is {status}."
                    ),
                    current_state: Some(status.as_str().into()),
                    allowed_actions: Some(allowed.iter().map(|a| a.as_str().to_string()).collect()),
                });
            }
            let now = db::now();
            let (changes, details) = plan(&step, &r, &actor, months, today(), now)?;
            if !rows::update_status_versioned(c, &r.id, r.version, &changes, now)? {
                return Err(stale_of("service change", r.version));
            }
            let to = rules::next_status(action);
            record(
                c,
                &actor,
                History {
                    change_id: &r.id,
                    seq: r.version + 1,
                    kind: to_kind(action),
                    from: Some(status),
                    to,
                    details: details.clone(),
                },
                now,
            )?;
            let case_ids = rows::case_ids(c, &r.id)?;
            tell_cases(
                c,
                &case_ids,
                &actor,
                &format!("service_change_{}", to_kind(action)),
                &case_summary(action, &r.title),
                &json!({
                    "service_change_id": r.id,
                    "from_status": status,
                    "to_status": to,
                }),
                now,
            )?;
            let fresh = rows::find(c, &r.id)?.ok_or_else(not_found)?;
            full_view(c, fresh, Detail::WithCases, months)
        })
        .await?;
    tracing::info!(service_change.id = %view.id, service_change.action = %action, "service change step");
    Ok(view)
}

fn to_kind(action: ChangeAction) -> &'static str {
    match action {
        ChangeAction::Start => "started",
        ChangeAction::Implement => "implemented",
        ChangeAction::Sustain => "sustained",
        ChangeAction::Abandon => "abandoned",
    }
}

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

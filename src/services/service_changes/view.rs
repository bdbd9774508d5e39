//! How a service change is shown: in full for staff (its cases and history), the register's
//! own text for the board.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::db::service_changes::{self as rows, ChangeEvent, ServiceChangeRow};
use crate::db::{DbConnection, services as service_rows, taxonomy};
use crate::domain::role::Permission;
use crate::domain::service_change::{self as rules, ChangeAction, ChangeStatus};
use crate::error::{AppError, AppResult};
use crate::services::{Actor, access};

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
pub(super) struct Names {
    users: HashMap<String, String>,
    services: HashMap<String, String>,
    subjects: HashMap<String, String>,
}

impl Names {
    pub(super) fn load(
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
pub(super) enum Detail {
    /// The board: no cases, no history.
    Register,
    /// Staff: the cases too.
    WithCases,
}

pub(super) fn detail_for(actor: &Actor) -> Detail {
    if actor.role.can(Permission::ReadServiceChangeLinks) {
        Detail::WithCases
    } else {
        Detail::Register
    }
}

pub(super) fn view_of(
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

pub(super) fn linked_cases(
    c: &mut DbConnection,
    case_ids: &[String],
) -> AppResult<Vec<LinkedCase>> {
    let refs: HashMap<String, String> = rows::case_references(c, case_ids)?.into_iter().collect();
    Ok(case_ids
        .iter()
        .map(|id| LinkedCase {
            id: id.clone(),
            reference: refs.get(id).cloned().unwrap_or_default(),
        })
        .collect())
}

/// Leave out of `view` the linked cases the actor may not see (an investigator sees only the
/// cases assigned to them or in services they lead), in its list and in its history; the
/// count of linked cases stays whole.
pub(super) fn hide_unseen(
    c: &mut DbConnection,
    actor: &Actor,
    view: &mut ServiceChangeView,
) -> AppResult<()> {
    let Some(cases) = view.cases.as_mut() else {
        return Ok(());
    };
    let mut ids: Vec<String> = cases.iter().map(|l| l.id.clone()).collect();
    let lists = ["cases_linked", "cases_unlinked"];
    for e in view.history.iter().flatten() {
        for list in lists {
            if let Some(a) = e.details.get(list).and_then(Value::as_array) {
                ids.extend(a.iter().filter_map(Value::as_str).map(str::to_string));
            }
        }
    }
    let seen = access::visible_case_ids(c, actor, &ids)?;
    cases.retain(|l| seen.contains(&l.id));
    for e in view.history.iter_mut().flatten() {
        for list in lists {
            if let Some(a) = e.details.get_mut(list).and_then(Value::as_array_mut) {
                a.retain(|id| id.as_str().is_some_and(|id| seen.contains(id)));
            }
        }
    }
    Ok(())
}

/// One change in full: with its cases and history for staff.
pub(super) fn full_view(
    c: &mut DbConnection,
    r: ServiceChangeRow,
    detail: Detail,
    review_months: u32,
    today: NaiveDate,
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
    let mut view = view_of(r, &names, cases, detail, review_months, today)?;
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

pub(super) fn event_view(e: ChangeEvent, names: &Names) -> AppResult<ChangeEventView> {
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

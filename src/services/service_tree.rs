//! The trust's service tree: every signed-in role reads it; admins and complaints managers
//! add and change services, one transaction per change.

use std::collections::HashMap;

use serde_json::json;

use super::{Actor, audit};
use crate::db::{DbConnection, services, taxonomy, users};
use crate::domain::role::Permission;
use crate::domain::service::{self, Service, ServiceKind};
use crate::domain::taxonomy::TaxonomyList;
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;

pub use crate::db::services::{ServiceChanges, ServiceFilter};

/// A new service as asked for.
#[derive(Debug, Clone)]
pub struct NewServiceInput {
    pub parent_id: Option<String>,
    pub kind: ServiceKind,
    pub code: String,
    pub name: String,
    pub service_area: Option<String>,
    pub lead_user_id: Option<String>,
    /// Default `true`.
    pub active: Option<bool>,
}

/// Services matching `filter`, ordered by code.
pub async fn list(state: &AppState, filter: services::ServiceFilter) -> AppResult<Vec<Service>> {
    state
        .db
        .read(move |c| services::list(c, &filter).map_err(AppError::from))
        .await
}

/// One service.
pub async fn get(state: &AppState, id: String) -> AppResult<Service> {
    state
        .db
        .read(move |c| services::find(c, &id).map_err(AppError::from))
        .await?
        .ok_or_else(service_not_found)
}

fn service_not_found() -> AppError {
    AppError::NotFound("No service has this id.".into())
}

fn code_conflict(code: &str) -> AppError {
    AppError::conflict(format!("A service with code {code} already exists."))
}

/// Add a service to the tree.
pub async fn create(state: &AppState, actor: &Actor, input: NewServiceInput) -> AppResult<Service> {
    actor.require(Permission::ManageServices)?;
    let mut errors = Vec::new();
    let code = service::parse_code(&input.code)
        .map_err(|m| errors.push(FieldError::new("code", m)))
        .unwrap_or_default();
    let name = service::parse_name(&input.name)
        .map_err(|m| errors.push(FieldError::new("name", m)))
        .unwrap_or_default();
    let parent_shape_ok = service::check_parent_presence(input.kind, input.parent_id.is_some())
        .map_err(|m| errors.push(FieldError::new("parent_id", m)))
        .is_ok();
    let active = input.active.unwrap_or(true);
    let id = crate::db::ids::new_id();
    let by = actor.user_id.clone();
    let clock = state.clock.clone();
    let created = state
        .db
        .write(move |c| -> AppResult<Service> {
            services::lock_tree(c)?;
            if let Some(parent) = input.parent_id.as_deref().filter(|_| parent_shape_ok)
                && let Some(m) = parent_problem(c, parent, active)?
            {
                errors.push(FieldError::new("parent_id", m));
            }
            check_references(
                c,
                input.lead_user_id.as_deref(),
                input.service_area.as_deref(),
                &mut errors,
            )?;
            if !errors.is_empty() {
                return Err(AppError::Validation(errors));
            }
            if services::code_taken(c, &code)? {
                return Err(code_conflict(&code));
            }
            let new = services::NewService {
                id: &id,
                parent_id: input.parent_id.as_deref(),
                kind: input.kind,
                code: &code,
                name: &name,
                service_area: input.service_area.as_deref(),
                lead_user_id: input.lead_user_id.as_deref(),
                active,
                now: clock.now(),
            };
            let created = services::insert(c, &new).map_err(|e| {
                if e.is_unique_violation() {
                    code_conflict(&code)
                } else {
                    e.into()
                }
            })?;
            let event = audit::Event {
                actor_id: Some(&by),
                action: "service.created",
                target: Some(audit::Target {
                    kind: "service",
                    id: &created.id,
                }),
                client: None,
                summary: "Service added",
                details: json!({ "code": created.code, "lead_user_id": created.lead_user_id }),
            };
            audit::record(c, event, new.now)?;
            Ok(created)
        })
        .await?;
    tracing::info!(service.id = %created.id, service.kind = %created.kind, actor.id = %actor.user_id, "service created");
    Ok(created)
}

/// Change a service's name, place in the tree, lead, service area or active flag.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: String,
    mut changes: services::ServiceChanges,
) -> AppResult<Service> {
    actor.require(Permission::ManageServices)?;
    if changes.is_empty() {
        return Err(AppError::BadRequest(
            "Nothing to change: send at least one of name, parent_id, lead_user_id, \
             service_area or active."
                .into(),
        ));
    }
    let mut errors = Vec::new();
    if let Some(name) = &changes.name {
        changes.name = service::parse_name(name)
            .map_err(|m| errors.push(FieldError::new("name", m)))
            .ok();
    }
    let by = actor.user_id.clone();
    let clock = state.clock.clone();
    let updated = state
        .db
        .write(move |c| -> AppResult<Service> {
            services::lock_tree(c)?;
            let current = services::find(c, &id)?.ok_or_else(service_not_found)?;
            let active = changes.active.unwrap_or(current.active);
            if let Some(parent) = &changes.parent_id {
                match service::check_parent_presence(current.kind, parent.is_some()) {
                    Err(m) => errors.push(FieldError::new("parent_id", m)),
                    Ok(()) => {
                        if let Some(p) = parent
                            && let Some(m) = parent_problem(c, p, active)?
                        {
                            errors.push(FieldError::new("parent_id", m));
                        }
                    }
                }
            }
            check_references(
                c,
                changes.lead_user_id.as_ref().and_then(Option::as_deref),
                changes.service_area.as_ref().and_then(Option::as_deref),
                &mut errors,
            )?;
            if !errors.is_empty() {
                return Err(AppError::Validation(errors));
            }
            check_tree_moves(c, &current, &changes)?;
            let now = clock.now();
            services::update(c, &id, &changes, now)?;
            let after = services::find(c, &id)?.ok_or_else(service_not_found)?;
            record_update(c, &by, &current, &after, now)?;
            Ok(after)
        })
        .await?;
    tracing::info!(service.id = %updated.id, actor.id = %actor.user_id, "service updated");
    Ok(updated)
}

/// Put a service change on the system audit log; a new lead (who may then read the service's
/// cases) is named as such.
fn record_update(
    c: &mut DbConnection,
    by: &str,
    before: &Service,
    after: &Service,
    now: chrono::NaiveDateTime,
) -> AppResult<()> {
    let lead_changed = after.lead_user_id != before.lead_user_id;
    let (action, summary) = if lead_changed {
        (
            "service.lead_changed",
            "Service lead changed (who may read the service's cases)",
        )
    } else {
        ("service.updated", "Service changed")
    };
    let event = audit::Event {
        actor_id: Some(by),
        action,
        target: Some(audit::Target {
            kind: "service",
            id: &after.id,
        }),
        client: None,
        summary,
        details: json!({
            "lead_user_id": { "before": before.lead_user_id, "after": after.lead_user_id },
            "parent_id": { "before": before.parent_id, "after": after.parent_id },
            "active": { "before": before.active, "after": after.active },
        }),
    };
    audit::record(c, event, now)
}

/// The 409 rules: no cycles, no inactive service with active children, no active service
/// under an inactive parent.
fn check_tree_moves(
    c: &mut DbConnection,
    current: &Service,
    changes: &services::ServiceChanges,
) -> AppResult<()> {
    if let Some(Some(parent)) = &changes.parent_id {
        let parents: HashMap<String, Option<String>> = services::all(c)?
            .into_iter()
            .map(|s| (s.id, s.parent_id))
            .collect();
        if service::would_create_cycle(&current.id, parent, &parents) {
            return Err(AppError::conflict(format!(
                "Service {} cannot move there: the new parent is the service itself or sits \
                 beneath it, which would make a loop in the tree.",
                current.code
            )));
        }
    }
    if changes.active == Some(false) && current.active {
        let children = services::active_child_codes(c, &current.id)?;
        if !children.is_empty() {
            return Err(AppError::conflict(format!(
                "Service {} still has active services beneath it ({}); deactivate or move \
                 them first.",
                current.code,
                children.join(", ")
            )));
        }
    }
    if changes.active == Some(true)
        && changes.parent_id.is_none()
        && let Some(parent_id) = &current.parent_id
        && let Some(parent) = services::find(c, parent_id)?
        && !parent.active
    {
        return Err(AppError::conflict(format!(
            "Service {} sits under inactive service {}; reactivate that first or move this one.",
            current.code, parent.code
        )));
    }
    Ok(())
}

/// What is wrong with `parent_id` as the parent of a service that will be `active`, if anything.
fn parent_problem(
    c: &mut DbConnection,
    parent_id: &str,
    active: bool,
) -> AppResult<Option<String>> {
    Ok(match services::find(c, parent_id)? {
        None => Some("no service has this id".into()),
        Some(parent) if active && !parent.active => {
            Some("is an inactive service; an active service cannot sit under it".into())
        }
        Some(_) => None,
    })
}

/// Check that the lead is an active user and the service area an active list code.
fn check_references(
    c: &mut DbConnection,
    lead_user_id: Option<&str>,
    service_area: Option<&str>,
    errors: &mut Vec<FieldError>,
) -> AppResult<()> {
    if let Some(user_id) = lead_user_id {
        match users::find(c, user_id)? {
            None => errors.push(FieldError::new("lead_user_id", "no user has this id")),
            Some(u) if !u.active => {
                errors.push(FieldError::new("lead_user_id", "is not an active user"));
            }
            Some(_) => {}
        }
    }
    if let Some(code) = service_area {
        let list = TaxonomyList::ServiceArea.as_str();
        match taxonomy::find(c, list, code)? {
            Some(item) if item.active => {}
            Some(_) => errors.push(FieldError::new(
                "service_area",
                format!("{code:?} is retired from the {list} list"),
            )),
            None => errors.push(FieldError::new(
                "service_area",
                format!("{code:?} is not a code of the {list} list"),
            )),
        }
    }
    Ok(())
}

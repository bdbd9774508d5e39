//! The coding lists: every signed-in role reads them; admins add local items, relabel,
//! reorder and retire them. Codes never change and items are never deleted.

use serde_json::json;

use super::{Actor, audit};
use crate::db::{DbConnection, taxonomy};
use crate::domain::role::Permission;
use crate::domain::taxonomy::{self as rules, TaxonomyList};
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;

pub use crate::db::taxonomy::{ItemChanges, TaxonomyItem};

/// Gap left between sort orders, so that items can later be slotted in between.
const SORT_STEP: i32 = 10;

/// A local item as asked for.
#[derive(Debug, Clone)]
pub struct NewItemInput {
    pub code: String,
    pub label: String,
    /// Default: after the last item of the list.
    pub sort_order: Option<i32>,
    pub min_value: Option<i32>,
    pub max_value: Option<i32>,
}

/// Every item of every list; retired items only when `include_inactive`.
pub async fn catalogue(state: &AppState, include_inactive: bool) -> AppResult<Vec<TaxonomyItem>> {
    let mut items = state
        .db
        .read(|c| taxonomy::all(c).map_err(AppError::from))
        .await?;
    if !include_inactive {
        items.retain(|i| i.active);
    }
    Ok(items)
}

fn parse_list(list: &str) -> AppResult<TaxonomyList> {
    list.parse().map_err(AppError::NotFound)
}

fn item_not_found(list: TaxonomyList) -> AppError {
    AppError::NotFound(format!("The {list} list has no item with this code."))
}

/// Add a local (non-national) item to `list`.
pub async fn add_item(
    state: &AppState,
    actor: &Actor,
    list: String,
    input: NewItemInput,
) -> AppResult<TaxonomyItem> {
    actor.require(Permission::ManageTaxonomy)?;
    let list = parse_list(&list)?;
    let mut errors = Vec::new();
    let code = rules::parse_item_code(&input.code)
        .map_err(|m| errors.push(FieldError::new("code", m)))
        .unwrap_or_default();
    let label = rules::parse_label(&input.label)
        .map_err(|m| errors.push(FieldError::new("label", m)))
        .unwrap_or_default();
    if let (Some(min), Some(max)) = (input.min_value, input.max_value)
        && min > max
    {
        errors.push(FieldError::new(
            "max_value",
            "must not be less than min_value",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let conflict = move |code: &str| {
        AppError::conflict(format!(
            "The {list} list already has an item with code {code}; codes are never reused, \
             so change or reactivate that item instead."
        ))
    };
    let by = actor.user_id.clone();
    let clock = state.clock.clone();
    let item = state
        .db
        .write(move |c| -> AppResult<TaxonomyItem> {
            if taxonomy::find(c, list.as_str(), &code)?.is_some() {
                return Err(conflict(&code));
            }
            let sort_order = match input.sort_order {
                Some(n) => n,
                None => taxonomy::max_sort_order(c, list.as_str())?.unwrap_or(0) + SORT_STEP,
            };
            let item = TaxonomyItem {
                list: list.as_str().to_string(),
                code,
                label,
                min_value: input.min_value,
                max_value: input.max_value,
                sort_order,
                active: true,
                national: false,
                confirmed: true,
                updated_at: clock.now(),
            };
            taxonomy::insert(c, &item).map_err(|e| {
                if e.is_unique_violation() {
                    conflict(&item.code)
                } else {
                    e.into()
                }
            })?;
            record(c, &by, "taxonomy.item_added", &item, json!({}))?;
            Ok(item)
        })
        .await?;
    tracing::info!(taxonomy.list = %list, taxonomy.code = %item.code, actor.id = %actor.user_id, "coding list item added");
    Ok(item)
}

/// Put a coding-list change on the system audit log (the list and code as its target).
fn record(
    c: &mut DbConnection,
    by: &str,
    action: &str,
    item: &TaxonomyItem,
    details: serde_json::Value,
) -> AppResult<()> {
    let target = format!("{}/{}", item.list, item.code);
    let event = audit::Event {
        actor_id: Some(by),
        action,
        target: Some(audit::Target {
            kind: "taxonomy",
            id: &target,
        }),
        client: None,
        summary: "Coding list changed (reports group by these codes)",
        details,
    };
    audit::record(c, event, item.updated_at)
}

/// Relabel, reorder, retire or reactivate item `code` of `list`.
pub async fn update_item(
    state: &AppState,
    actor: &Actor,
    list: String,
    code: String,
    mut changes: ItemChanges,
) -> AppResult<TaxonomyItem> {
    actor.require(Permission::ManageTaxonomy)?;
    let list = parse_list(&list)?;
    if changes.label.is_none() && changes.active.is_none() && changes.sort_order.is_none() {
        return Err(AppError::BadRequest(
            "Nothing to change: send at least one of label, active or sort_order.".into(),
        ));
    }
    if let Some(label) = &changes.label {
        changes.label = Some(rules::parse_label(label).map_err(|m| AppError::invalid("label", m))?);
    }
    let by = actor.user_id.clone();
    let clock = state.clock.clone();
    let item = state
        .db
        .write(move |c| -> AppResult<TaxonomyItem> {
            let before =
                taxonomy::find(c, list.as_str(), &code)?.ok_or_else(|| item_not_found(list))?;
            taxonomy::update(c, list.as_str(), &code, &changes, clock.now())?;
            let after =
                taxonomy::find(c, list.as_str(), &code)?.ok_or_else(|| item_not_found(list))?;
            let changed = json!({
                "label": { "before": before.label, "after": after.label },
                "active": { "before": before.active, "after": after.active },
                "sort_order": { "before": before.sort_order, "after": after.sort_order },
            });
            record(c, &by, "taxonomy.item_changed", &after, changed)?;
            Ok(after)
        })
        .await?;
    tracing::info!(taxonomy.list = %list, taxonomy.code = %item.code, actor.id = %actor.user_id, "coding list item updated");
    Ok(item)
}

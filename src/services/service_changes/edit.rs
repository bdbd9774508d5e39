//! Editing a service change: its descriptive fields and the cases it is linked to.

use chrono::{NaiveDate, NaiveDateTime};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::{
    Detail, History, ServiceChangeView, ThemeInput, check_cases, check_owner, check_public_summary,
    check_service, check_theme, full_view, not_found, record, tell_cases,
};
use crate::db::DbConnection;
use crate::db::service_changes::{self as rows, ChangeFields, ServiceChangeRow};
use crate::domain::role::Permission;
use crate::error::AppResult;
use crate::services::Actor;
use crate::services::case_input::{self as input, Errors, MAX_SUMMARY, MAX_TEXT};
use crate::services::command::{diff, fields_of, required_version, stale};
use crate::state::AppState;

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
    let (today, now) = (state.clock.today(), state.clock.now());
    state
        .db
        .write(move |c| -> AppResult<ServiceChangeView> {
            let req: PatchServiceChangeRequest = crate::json::from_value(raw)?;
            let r = rows::find(c, &id)?.ok_or_else(not_found)?;
            let version = required_version("service change", if_match, req.version)?;
            if r.version != version {
                return Err(stale("service change", r.version));
            }
            let edit = plan(c, &r, &req)?;
            let changes = diff(&fields_of(&r), &fields_of(&edit.applied_to(&r)));
            let unchanged = changes.as_object().is_none_or(|m| m.is_empty());
            if unchanged && edit.added.is_empty() && edit.removed.is_empty() {
                return full_view(c, r, Detail::WithCases, months, today);
            }
            write(c, &actor, &r, &edit, changes, now)?;
            let fresh = rows::find(c, &r.id)?.ok_or_else(not_found)?;
            full_view(c, fresh, Detail::WithCases, months, today)
        })
        .await
}

/// An edit, checked: the fields as they will be, and the cases linked and unlinked.
struct Edit {
    fields: ChangeFields,
    added: Vec<String>,
    removed: Vec<String>,
}

impl Edit {
    /// The change as it stands after the edit.
    fn applied_to(&self, r: &ServiceChangeRow) -> ServiceChangeRow {
        let f = &self.fields;
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
        after
    }
}

/// Check `req` against the change: 400 naming every invalid field.
fn plan(
    c: &mut DbConnection,
    r: &ServiceChangeRow,
    req: &PatchServiceChangeRequest,
) -> AppResult<Edit> {
    let mut e = Errors::default();
    let fields = merge(c, &mut e, r, req)?;
    let before_cases = rows::case_ids(c, &r.id)?;
    let after_cases = match &req.case_ids {
        Some(ids) => check_cases(c, &mut e, ids)?,
        None => before_cases.clone(),
    };
    if after_cases.is_empty() && fields.theme_subject.is_none() {
        e.add(
            "case_ids",
            "link at least one case, or give a theme, that the change answers",
        );
    }
    e.done()?;
    let not_in = |ids: &[String], other: &[String]| -> Vec<String> {
        ids.iter().filter(|x| !other.contains(x)).cloned().collect()
    };
    Ok(Edit {
        added: not_in(&after_cases, &before_cases),
        removed: not_in(&before_cases, &after_cases),
        fields,
    })
}

/// The descriptive fields after `req`, each checked as it is given.
fn merge(
    c: &mut DbConnection,
    e: &mut Errors,
    r: &ServiceChangeRow,
    req: &PatchServiceChangeRequest,
) -> AppResult<ChangeFields> {
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
        f.title = input::text(e, "title", t, MAX_SUMMARY, true);
    }
    if let Some(t) = &req.description {
        f.description = input::text(e, "description", t, MAX_TEXT, true);
    }
    if let Some(t) = &req.reason {
        f.reason = input::text(e, "reason", t, MAX_TEXT, true);
    }
    if let Some(t) = &req.public_summary {
        f.public_summary = check_public_summary(e, t);
    }
    if let Some(s) = &req.service_id
        && *s != r.service_id
    {
        check_service(c, e, "service_id", s)?;
        f.service_id = s.clone();
    }
    if let Some(o) = &req.owner_id
        && *o != r.owner_id
    {
        check_owner(c, e, o)?;
        f.owner_id = o.clone();
    }
    match &req.theme {
        None => {}
        Some(None) => {
            f.theme_subject = None;
            f.theme_service_id = None;
        }
        Some(Some(t)) => {
            check_theme(c, e, t)?;
            f.theme_subject = Some(t.subject.trim().to_string());
            f.theme_service_id = t.service_id.clone();
        }
    }
    Ok(f)
}

/// Save the edit, its history entry, and an event on each case linked or unlinked.
fn write(
    c: &mut DbConnection,
    actor: &Actor,
    r: &ServiceChangeRow,
    edit: &Edit,
    changes: Value,
    now: NaiveDateTime,
) -> AppResult<()> {
    if !rows::update_fields_versioned(c, &r.id, r.version, &edit.fields, now)? {
        return Err(stale("service change", r.version));
    }
    for case_id in &edit.added {
        rows::link_case(c, &r.id, case_id)?;
    }
    for case_id in &edit.removed {
        rows::unlink_case(c, &r.id, case_id)?;
    }
    let status = r.status()?;
    record(
        c,
        actor,
        History {
            change_id: &r.id,
            seq: r.version + 1,
            kind: "edited",
            from: Some(status),
            to: status,
            details: json!({
                "changes": changes,
                "cases_linked": edit.added,
                "cases_unlinked": edit.removed,
            }),
        },
        now,
    )?;
    let case_details = json!({ "service_change_id": r.id, "status": status });
    let title = &edit.fields.title;
    tell_cases(
        c,
        &edit.added,
        actor,
        "service_change_linked",
        &format!("Linked to a service change: {title}"),
        &case_details,
        now,
    )?;
    tell_cases(
        c,
        &edit.removed,
        actor,
        "service_change_unlinked",
        &format!("No longer linked to the service change: {title}"),
        &case_details,
        now,
    )
}

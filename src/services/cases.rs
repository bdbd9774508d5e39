//! Reading cases: who may see which, the case view, the work-queue list, and the helpers every
//! case command shares (version checks, timeline events with before/after values).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDate;
use serde_json::{Map, Value, json};

use super::Actor;
use super::case_view::{self, CaseSummary, CaseView};
use crate::db::cases::{self, CaseCursor, CaseFilter, CaseRecord, CaseSort};
use crate::db::{self, DbConnection, calendar, services as service_rows, timeline};
use crate::domain::calendar::WorkingCalendar;
use crate::domain::role::Permission;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Today's date in England on the system clock, for the case commands not yet moved to the
/// application clock (everything else reads `state.clock`).
pub fn today() -> NaiveDate {
    crate::clock::Clock::system().today()
}

fn case_not_found() -> AppError {
    AppError::NotFound("No case has this id.".into())
}

/// What an actor may see of the case list.
pub enum Visibility {
    All,
    /// Investigators: cases assigned to them or in these services (those they lead).
    Assigned(Vec<String>),
}

pub fn visibility(conn: &mut DbConnection, actor: &Actor) -> AppResult<Visibility> {
    if actor.role.can(Permission::ReadAllCases) {
        return Ok(Visibility::All);
    }
    if actor.role.can(Permission::ReadAssignedCases) {
        return Ok(Visibility::Assigned(service_rows::led_by(
            conn,
            &actor.user_id,
        )?));
    }
    Err(AppError::Forbidden(format!(
        "The {} role may not see cases.",
        actor.role.as_str()
    )))
}

/// Load case `id` if the actor may see it: 404 when absent, 403 when not theirs.
pub fn load_visible(conn: &mut DbConnection, actor: &Actor, id: &str) -> AppResult<CaseRecord> {
    let vis = visibility(conn, actor)?;
    let case = cases::find(conn, id)?.ok_or_else(case_not_found)?;
    if let Visibility::Assigned(services) = vis {
        let mine = case.handler_id.as_deref() == Some(actor.user_id.as_str())
            || case.investigator_id.as_deref() == Some(actor.user_id.as_str());
        let coding = cases::coding(conn, id)?;
        let in_my_service = coding.service_ids.iter().any(|s| services.contains(s));
        if !mine && !in_my_service {
            return Err(AppError::Forbidden(
                "This case is not assigned to you or to a service you lead.".into(),
            ));
        }
    }
    Ok(case)
}

/// Read a case in full; the read is recorded in the access log.
pub async fn get(state: &AppState, actor: &Actor, id: String, route: &str) -> AppResult<CaseView> {
    let actor = actor.clone();
    let candour = state.settings.candour.clone();
    let route = route.to_string();
    state
        .db
        .write(move |c| -> AppResult<CaseView> {
            let case = load_visible(c, &actor, &id)?;
            timeline::record_access(c, &id, &actor.user_id, &route, db::now())?;
            let cal = calendar::current(c)?;
            case_view::load(c, &cal, &candour, case, today())
        })
        .await
}

/// The parsed `GET /cases` query.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub filter: CaseFilter,
    pub handler_is_me: bool,
    pub overdue: bool,
    pub sort: Option<CaseSort>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// A page of cases.
pub struct CasePage {
    pub items: Vec<CaseSummary>,
    pub next: Option<String>,
    pub total: i64,
    /// `false` when more than [`TOTAL_CAP`] cases match and `total` stops there.
    pub total_exact: bool,
}

/// Lists count matching cases up to this many; beyond it the count says "1,000 or more".
pub const TOTAL_CAP: i64 = 1_000;

pub async fn list(state: &AppState, actor: &Actor, q: ListQuery) -> AppResult<CasePage> {
    let limit = super::users::page_limit(q.limit)?;
    let sort = q.sort.unwrap_or(CaseSort::Received);
    let cursor = q.cursor.as_deref().map(decode_cursor).transpose()?;
    let actor = actor.clone();
    state
        .db
        .read(move |c| -> AppResult<CasePage> {
            let mut filter = q.filter;
            if let Visibility::Assigned(services) = visibility(c, &actor)? {
                filter.visible_to = Some((actor.user_id.clone(), services));
            }
            if q.handler_is_me {
                filter.handler_id = Some(actor.user_id.clone());
            }
            let today = today();
            if q.overdue {
                filter.overdue_at = Some(today);
            }
            let total = cases::count(c, &filter, TOTAL_CAP + 1)?;
            let total_exact = total <= TOTAL_CAP;
            let total = total.min(TOTAL_CAP);
            let mut rows = cases::list(c, &filter, sort, cursor.as_ref(), limit + 1)
                .map_err(|_| AppError::invalid("cursor", "does not belong to this sort order"))?;
            let more = rows.len() > usize::try_from(limit).unwrap_or(usize::MAX);
            rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
            let next = more
                .then(|| rows.last())
                .flatten()
                .map(|last| encode_cursor(&cases::sort_key(last, sort), &last.id));
            let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
            let codings = cases::coding_for(c, &ids)?;
            let cal = calendar::current(c)?;
            let items = rows
                .into_iter()
                .zip(codings)
                .map(|(row, (_, coding))| case_view::summary(&cal, row, &coding, today))
                .collect();
            Ok(CasePage {
                items,
                next,
                total,
                total_exact,
            })
        })
        .await
}

fn encode_cursor(key: &str, id: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{key}\n{id}"))
}

fn decode_cursor(raw: &str) -> AppResult<CaseCursor> {
    URL_SAFE_NO_PAD
        .decode(raw.as_bytes())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| {
            let (key, id) = s.split_once('\n')?;
            Some(CaseCursor {
                key: key.to_string(),
                id: id.to_string(),
            })
        })
        .ok_or_else(|| AppError::invalid("cursor", "is not a cursor from this list"))
}

/// The version a change must be based on: from `If-Match` or the body; required.
pub fn required_version(if_match: Option<i32>, body: Option<i32>) -> AppResult<i32> {
    required_version_of("case", if_match, body)
}

/// [`required_version`] for another versioned record (`what`: "meeting", "candour record", …).
pub fn required_version_of(what: &str, if_match: Option<i32>, body: Option<i32>) -> AppResult<i32> {
    match (if_match, body) {
        (Some(a), Some(b)) if a != b => Err(AppError::invalid(
            "version",
            "differs from the If-Match header",
        )),
        (Some(v), _) | (None, Some(v)) => Ok(v),
        (None, None) => Err(AppError::PreconditionRequired(format!(
            "Send the {what}'s current version, as If-Match: \"<version>\" or \"version\" in the body, \
             so that a change made by someone else in the meantime is not overwritten."
        ))),
    }
}

/// Refuse a change based on an old version.
pub fn check_version(case: &CaseRecord, expected: i32) -> AppResult<()> {
    if case.version == expected {
        Ok(())
    } else {
        Err(stale(case.version))
    }
}

pub fn stale(current: i32) -> AppError {
    stale_of("case", current)
}

/// The 409 for a change based on an old version of a `what`.
pub fn stale_of(what: &str, current: i32) -> AppError {
    AppError::Conflict {
        detail: format!(
            "The {what} has changed since you read it (it is now at version {current}). \
             Reload it and try again."
        ),
        current_state: None,
        allowed_actions: None,
    }
}

/// Top-level fields whose values differ between two serialised case states.
pub fn diff(before: &Value, after: &Value) -> Value {
    let empty = Map::new();
    let b = before.as_object().unwrap_or(&empty);
    let a = after.as_object().unwrap_or(&empty);
    let mut changes = Map::new();
    for (key, new) in a {
        let old = b.get(key).unwrap_or(&Value::Null);
        if old != new {
            changes.insert(key.clone(), json!({ "before": old, "after": new }));
        }
    }
    Value::Object(changes)
}

/// Recompute and store the next due date of a case after a change, as of `today`.
pub fn refresh_next_due(
    conn: &mut DbConnection,
    cal: &WorkingCalendar,
    case: &CaseRecord,
    today: NaiveDate,
) -> AppResult<()> {
    let next = case_view::clock_view(cal, case, today).next_due_on;
    if next.unwrap_or_else(cases::no_due_date) != case.next_due_key {
        cases::set_next_due(conn, &case.id, next)?;
    }
    Ok(())
}

//! Who may see which case: every role's view of the case list, loading one case under it, and
//! reading a case's records with the read recorded in its access log.

use chrono::NaiveDate;

use super::Actor;
use crate::db::access_log::Read;
use crate::db::case_read::{self, CaseForView};
use crate::db::cases;
use crate::db::{DbConnection, services as service_rows};
use crate::domain::case::Case;
use crate::domain::role::Permission;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub fn case_not_found() -> AppError {
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
pub fn load_visible(conn: &mut DbConnection, actor: &Actor, id: &str) -> AppResult<Case> {
    let vis = visibility(conn, actor)?;
    let case = cases::find(conn, id)?.ok_or_else(case_not_found)?;
    may_see(conn, actor, &vis, &case)?;
    Ok(case)
}

/// [`load_visible`] with what the case's view asks first (the calendar version, which records
/// it has), read in the same statement.
pub fn load_visible_for_view(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
) -> AppResult<CaseForView> {
    let vis = visibility(conn, actor)?;
    let found = case_read::find_for_view(conn, id)?.ok_or_else(case_not_found)?;
    may_see(conn, actor, &vis, &found.case)?;
    Ok(found)
}

/// 403 unless [`sees`].
fn may_see(conn: &mut DbConnection, actor: &Actor, vis: &Visibility, case: &Case) -> AppResult<()> {
    if sees(conn, actor, vis, case)? {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "This case is not assigned to you or to a service you lead.".into(),
        ))
    }
}

/// Whether an actor with visibility `vis` may see `case`: everything, or the cases assigned to
/// them and those in a service they lead.
pub fn sees(
    conn: &mut DbConnection,
    actor: &Actor,
    vis: &Visibility,
    case: &Case,
) -> AppResult<bool> {
    let Visibility::Assigned(services) = vis else {
        return Ok(true);
    };
    let mine = case.handler_id.as_deref() == Some(actor.user_id.as_str())
        || case.investigator_id.as_deref() == Some(actor.user_id.as_str());
    if mine {
        return Ok(true);
    }
    let coding = cases::coding(conn, &case.id)?;
    Ok(coding.service_ids.iter().any(|s| services.contains(s)))
}

/// Which of `ids` the actor may see: all of them for roles that read every case, else those
/// assigned to them or in a service they lead (ids of no case are left out).
pub fn visible_case_ids(
    conn: &mut DbConnection,
    actor: &Actor,
    ids: &[String],
) -> AppResult<std::collections::HashSet<String>> {
    let vis = visibility(conn, actor)?;
    if let Visibility::All = vis {
        return Ok(ids.iter().cloned().collect());
    }
    let mut seen = std::collections::HashSet::new();
    for id in ids {
        if let Some(case) = cases::find(conn, id)?
            && sees(conn, actor, &vis, &case)?
        {
            seen.insert(id.clone());
        }
    }
    Ok(seen)
}

/// Load case `id` as [`load_visible`] does, then lock its row until the transaction ends, so
/// that records hanging on the case write their timeline events one at a time.
pub fn lock_visible(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    now: chrono::NaiveDateTime,
) -> AppResult<Case> {
    let case = load_visible(conn, actor, id)?;
    cases::touch(conn, &case.id, now)?;
    Ok(case)
}

/// Read something of a case and record the read in the case's access log (`route`, e.g.
/// `"GET /api/v1/cases/{id}"`), through its buffered writer: the read never waits for the
/// database writer. `read` finds what is asked for under the actor's
/// visibility, given today's date, and says which case it belongs to; it reads one case's
/// records, so it runs as a short read ([`crate::db::Db::read_short`]).
pub async fn logged_read<T, F>(
    state: &AppState,
    actor: &Actor,
    route: &str,
    read: F,
) -> AppResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConnection, &Actor, NaiveDate) -> AppResult<(String, T)> + Send + 'static,
{
    let user_id = actor.user_id.clone();
    let actor = actor.clone();
    let (today, now) = (state.clock.today(), state.clock.now());
    let (case_id, found) = state
        .db
        .read_short(move |c| -> AppResult<(String, T)> { read(c, &actor, today) })
        .await?;
    state
        .access_log
        .record(Read {
            case_id,
            user_id,
            route: route.to_string(),
            at: now,
        })
        .await;
    Ok(found)
}

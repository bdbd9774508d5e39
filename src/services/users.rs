//! Staff account administration, the first admin, and the command-line account tools.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use serde_json::json;

use super::{Actor, audit, cpu};
use crate::auth::{password, tokens};
use crate::clock::Clock;
use crate::db::{Db, sessions, users};
use crate::domain::account::{self, User};
use crate::domain::role::{Permission, Role};
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;

pub use crate::db::users::{UserChanges, UserFilter};

/// Largest page of a list.
pub const MAX_PAGE: i64 = 200;
const DEFAULT_PAGE: i64 = 50;

/// A new account as asked for.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub email: String,
    pub name: String,
    pub role: Role,
    /// `None`: generate one and hand it back once.
    pub password: Option<String>,
}

/// Check, hash and insert a new account, created now on `clock` from the command line (or by
/// Candour itself). Returns the user and the generated password, if any.
pub async fn create_account(
    db: &Db,
    clock: &Clock,
    input: NewAccount,
) -> AppResult<(User, Option<String>)> {
    create_account_by(db, clock, input, None).await
}

/// [`create_account`] by the admin `by` (`None`: the command line or Candour itself).
async fn create_account_by(
    db: &Db,
    clock: &Clock,
    input: NewAccount,
    by: Option<String>,
) -> AppResult<(User, Option<String>)> {
    let mut errors = Vec::new();
    let email = account::parse_email(&input.email)
        .map_err(|m| errors.push(FieldError::new("email", m)))
        .unwrap_or_default();
    let name = account::parse_name(&input.name)
        .map_err(|m| errors.push(FieldError::new("name", m)))
        .unwrap_or_default();
    let generated = input.password.is_none().then(tokens::random_password);
    let password = input
        .password
        .or_else(|| generated.clone())
        .unwrap_or_default();
    if let Err(m) = account::check_new_password(&password, &email) {
        errors.push(FieldError::new("password", m));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let hash = cpu(move || password::hash(&password))
        .await?
        .map_err(AppError::internal)?;
    let id = crate::db::ids::new_id();
    let role = input.role;
    let clock = clock.clone();
    let user = db
        .write(move |c| -> AppResult<User> {
            let now = clock.now();
            let new = users::NewUser {
                id: &id,
                email: &email,
                name: &name,
                role,
                password_hash: &hash,
                now,
            };
            let user = users::insert(c, &new).map_err(|e| {
                if e.is_unique_violation() {
                    AppError::conflict("An account with this email already exists.")
                } else {
                    e.into()
                }
            })?;
            let event = audit::Event {
                actor_id: by.as_deref(),
                action: "user.created",
                target: Some(audit::Target {
                    kind: "user",
                    id: &id,
                }),
                client: None,
                summary: "Account created",
                details: json!({ "role": role }),
            };
            audit::record(c, event, now)?;
            Ok(user)
        })
        .await?;
    tracing::info!(user.id = %user.id, user.role = %user.role, "account created");
    Ok((user, generated))
}

/// An admin creates an account.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    input: NewAccount,
) -> AppResult<(User, Option<String>)> {
    actor.require(Permission::ManageUsers)?;
    create_account_by(&state.db, &state.clock, input, Some(actor.user_id.clone())).await
}

/// A page of users and the cursor for the next one.
pub struct UserPage {
    pub items: Vec<User>,
    pub next: Option<String>,
}

/// List accounts by email; `cursor` is the `next` of the previous page.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    mut filter: users::UserFilter,
    limit: Option<i64>,
    cursor: Option<String>,
) -> AppResult<UserPage> {
    actor.require(Permission::ManageUsers)?;
    let limit = page_limit(limit)?;
    if let Some(cursor) = cursor {
        let decoded = URL_SAFE_NO_PAD
            .decode(cursor.as_bytes())
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(|| AppError::invalid("cursor", "is not a cursor from this list"))?;
        filter.after_email = Some(decoded);
    }
    let mut items = state
        .db
        .read(move |c| users::list(c, &filter, limit + 1).map_err(AppError::from))
        .await?;
    let more = items.len() > usize::try_from(limit).unwrap_or(usize::MAX);
    items.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let next = more
        .then(|| items.last())
        .flatten()
        .map(|u| URL_SAFE_NO_PAD.encode(u.email.to_lowercase()));
    Ok(UserPage { items, next })
}

/// Check `?limit=`: 1 to [`MAX_PAGE`], default 50.
pub fn page_limit(limit: Option<i64>) -> AppResult<i64> {
    match limit {
        None => Ok(DEFAULT_PAGE),
        Some(n) if (1..=MAX_PAGE).contains(&n) => Ok(n),
        Some(_) => Err(AppError::invalid(
            "limit",
            format!("must be between 1 and {MAX_PAGE}"),
        )),
    }
}

/// One account.
pub async fn get(state: &AppState, actor: &Actor, id: String) -> AppResult<User> {
    actor.require(Permission::ManageUsers)?;
    state
        .db
        .read(move |c| users::find(c, &id).map_err(AppError::from))
        .await?
        .ok_or_else(user_not_found)
}

/// The actor's own account.
pub async fn profile(state: &AppState, actor: &Actor) -> AppResult<User> {
    let id = actor.user_id.clone();
    state
        .db
        .read(move |c| users::find(c, &id).map_err(AppError::from))
        .await?
        .ok_or_else(|| AppError::Unauthorized("The session has ended. Sign in again.".into()))
}

/// The names of staff with these ids (for timelines and queues), by id.
pub async fn names(
    state: &AppState,
    ids: Vec<String>,
) -> AppResult<std::collections::HashMap<String, String>> {
    state
        .db
        .read(move |c| users::names(c, &ids).map_err(AppError::from))
        .await
}

/// The active staff a case can be assigned to (for the assign form): anyone who runs cases may
/// see their names and roles.
pub async fn assignable(state: &AppState, actor: &Actor) -> AppResult<Vec<User>> {
    if !(actor.role.can(Permission::RunComplaint) || actor.role.can(Permission::RunPalsConcern)) {
        return Err(AppError::Forbidden(
            "Only those who run cases can assign them.".into(),
        ));
    }
    let filter = users::UserFilter {
        active: Some(true),
        ..users::UserFilter::default()
    };
    let mut found = state
        .db
        .read(move |c| users::list(c, &filter, 10_000).map_err(AppError::from))
        .await?;
    found.retain(|u| u.role != crate::domain::role::Role::Board);
    found.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(found)
}

fn user_not_found() -> AppError {
    AppError::NotFound("No user has this id.".into())
}

/// Change an account's name, role or active flag. Deactivation ends its sessions at once.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: String,
    mut changes: users::UserChanges,
) -> AppResult<User> {
    actor.require(Permission::ManageUsers)?;
    if let Some(name) = &changes.name {
        changes.name = Some(account::parse_name(name).map_err(|m| AppError::invalid("name", m))?);
    }
    let self_edit = actor.user_id == id;
    let by = actor.user_id.clone();
    let clock = state.clock.clone();
    let user = state
        .db
        .write(move |c| -> AppResult<User> {
            let current = users::find(c, &id)?.ok_or_else(user_not_found)?;
            let demoted = changes.role.is_some_and(|r| r != Role::Admin);
            let deactivated = changes.active == Some(false);
            if self_edit && (demoted || deactivated) {
                return Err(AppError::conflict(
                    "You cannot deactivate or demote your own account; ask another administrator.",
                ));
            }
            if current.role == Role::Admin
                && current.active
                && (demoted || deactivated)
                && users::count_active_with_role(c, Role::Admin)? <= 1
            {
                return Err(AppError::conflict(
                    "This is the last active administrator; make another admin first.",
                ));
            }
            let now = clock.now();
            users::update(c, &id, &changes, now)?;
            if deactivated {
                sessions::revoke_all_for_user(c, &id, "account deactivated", now)?;
            }
            let after = users::find(c, &id)?.ok_or_else(user_not_found)?;
            record_changes(c, &by, &current, &after, now)?;
            Ok(after)
        })
        .await?;
    tracing::info!(user.id = %user.id, actor.id = %actor.user_id, "account updated");
    Ok(user)
}

/// Put an account's changes on the system audit log: a role change, a deactivation or
/// reactivation, a new name (not the name itself).
fn record_changes(
    c: &mut crate::db::DbConnection,
    by: &str,
    before: &User,
    after: &User,
    now: chrono::NaiveDateTime,
) -> AppResult<()> {
    let mut events = Vec::new();
    if before.role != after.role {
        events.push((
            "user.role_changed",
            "Role changed",
            json!({ "before": before.role, "after": after.role }),
        ));
    }
    if before.active != after.active {
        let (action, summary) = if after.active {
            ("user.reactivated", "Account reactivated")
        } else {
            (
                "user.deactivated",
                "Account deactivated; its sessions ended",
            )
        };
        events.push((action, summary, json!({})));
    }
    if before.name != after.name {
        events.push(("user.renamed", "Name changed", json!({})));
    }
    for (action, summary, details) in events {
        let event = audit::Event {
            actor_id: Some(by),
            action,
            target: Some(audit::Target {
                kind: "user",
                id: &after.id,
            }),
            client: None,
            summary,
            details,
        };
        audit::record(c, event, now)?;
    }
    Ok(())
}

/// Lift a lockout after repeated failed sign-ins.
pub async fn unlock(state: &AppState, actor: &Actor, id: String) -> AppResult<User> {
    actor.require(Permission::ManageUsers)?;
    let by = actor.user_id.clone();
    let clock = state.clock.clone();
    let user = state
        .db
        .write(move |c| -> AppResult<User> {
            users::find(c, &id)?.ok_or_else(user_not_found)?;
            let now = clock.now();
            users::unlock(c, &id, now)?;
            crate::db::sign_in_failures::clear_all(c, &id)?;
            let event = audit::Event {
                actor_id: Some(&by),
                action: "user.unlocked",
                target: Some(audit::Target {
                    kind: "user",
                    id: &id,
                }),
                client: None,
                summary: "Sign-in lockout lifted",
                details: json!({}),
            };
            audit::record(c, event, now)?;
            users::find(c, &id)?.ok_or_else(user_not_found)
        })
        .await?;
    tracing::info!(user.id = %user.id, actor.id = %actor.user_id, "account unlocked");
    Ok(user)
}

/// Set a password from the command line (at the time on `clock`); the account's sessions end.
pub async fn set_password(
    db: &Db,
    clock: &Clock,
    email: String,
    password: String,
) -> AppResult<User> {
    let lookup = email.clone();
    let (user, _) = db
        .read(move |c| users::find_by_email_with_hash(c, &lookup).map_err(AppError::from))
        .await?
        .ok_or_else(|| AppError::NotFound("No user has this email.".into()))?;
    account::check_new_password(&password, &user.email)
        .map_err(|m| AppError::invalid("password", m))?;
    let hash = cpu(move || password::hash(&password))
        .await?
        .map_err(AppError::internal)?;
    let id = user.id.clone();
    let clock = clock.clone();
    db.write(move |c| -> AppResult<()> {
        let now = clock.now();
        users::set_password(c, &id, &hash, now)?;
        sessions::revoke_all_for_user(c, &id, "password reset", now)?;
        let event = audit::Event {
            actor_id: None,
            action: "user.password_reset",
            target: Some(audit::Target {
                kind: "user",
                id: &id,
            }),
            client: None,
            summary: "Password set from the command line; sessions ended, lockouts lifted",
            details: json!({}),
        };
        audit::record(c, event, now)?;
        Ok(())
    })
    .await?;
    tracing::info!(user.id = %user.id, "password set from the command line");
    Ok(user)
}

/// Every account, for `candour user list`.
pub async fn list_all(db: &Db) -> AppResult<Vec<User>> {
    db.read(|c| users::list(c, &users::UserFilter::default(), i64::MAX).map_err(AppError::from))
        .await
}

/// The first admin: created only when there are no users at all.
pub struct FirstAdmin {
    pub email: String,
    pub password: String,
}

/// On a fresh database create an `admin` with a random password and write the password alone
/// to `<data_dir>/initial-admin-password` (mode 0600). Does nothing when any user exists.
pub async fn bootstrap_admin(
    db: &Db,
    clock: &Clock,
    email: &str,
    data_dir: &Path,
) -> AppResult<Option<FirstAdmin>> {
    if db.read(|c| users::count(c).map_err(AppError::from)).await? > 0 {
        return Ok(None);
    }
    let input = NewAccount {
        email: email.to_string(),
        name: "Administrator".into(),
        role: Role::Admin,
        password: None,
    };
    let (user, password) = match create_account(db, clock, input).await {
        Ok(created) => created,
        // Another instance bootstrapped the same admin at the same moment.
        Err(AppError::Conflict { .. }) => return Ok(None),
        Err(e) => return Err(e),
    };
    let password = password.ok_or_else(|| AppError::internal("no password generated"))?;
    write_private_file(&data_dir.join("initial-admin-password"), &password)
        .map_err(|e| AppError::internal(format!("writing the first admin's password: {e}")))?;
    Ok(Some(FirstAdmin {
        email: user.email,
        password,
    }))
}

fn write_private_file(path: &Path, content: &str) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    writeln!(file, "{content}")
}

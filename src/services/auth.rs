//! Sign-in, token rotation, sign-out and the check behind every bearer token. A session ends
//! `auth.session_absolute_hours` after sign-in however often it is refreshed: refreshes and
//! its access tokens are refused from then on.

pub mod pages;

use chrono::{Duration, NaiveDateTime};
use serde::Serialize;
use utoipa::ToSchema;

use serde_json::json;

use super::{Actor, audit, password_work};
use crate::auth::{password, tokens};
use crate::db::{sessions, sign_in_failures as failures, users};
use crate::domain::account;
use crate::domain::role::Role;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// What a successful sign-in or refresh returns.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenPair {
    /// A JWT to send as `Authorization: Bearer …`.
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Single use: exchange it at `/api/v1/auth/refresh` for a new pair.
    pub refresh_token: String,
}

fn bad_credentials() -> AppError {
    AppError::Unauthorized(
        "The email or password is not correct, or the account is locked after repeated \
         failed attempts. Try again later or ask an administrator."
            .into(),
    )
}

/// Check an email and password from `client` (the caller's address) and open a session.
///
/// Failures are counted per account *and* client address, so repeated wrong passwords lock
/// only that address out of the account: a stranger elsewhere cannot keep its owner out. The
/// lock is checked before the password check (a locked address gets only a dummy hash, taking
/// the same time) and again, after it, in the transaction that opens the session, so a right
/// password racing wrong ones does not slip past a lock.
pub async fn login(
    state: &AppState,
    email: String,
    password: String,
    client: String,
) -> AppResult<TokenPair> {
    let user = check_credentials(state, email, password, &client).await?;
    open_session(state, user, client).await
}

/// The account whose password this is, unless it is unknown, deactivated, locked out for
/// `client`, or the password is wrong (each refusal recorded on the audit log).
pub(super) async fn check_credentials(
    state: &AppState,
    email: String,
    password: String,
    client: &str,
) -> AppResult<crate::domain::account::User> {
    let found = state
        .db
        .read(move |c| users::find_by_email_with_hash(c, &email).map_err(AppError::from))
        .await?;
    let now = state.clock.now();
    let locked_out = match &found {
        Some((user, _)) => {
            let (id, cl) = (user.id.clone(), client.to_string());
            state
                .db
                .read(move |c| failures::locked(c, &id, &cl, now).map_err(AppError::from))
                .await?
        }
        None => false,
    };
    // Hash even for unknown emails and locked-out addresses, so the answer takes the same time
    // either way (a quick refusal would tell a guesser that the account exists).
    let (user, matches) = match found {
        Some((user, _)) if locked_out => {
            password_work(state, move || password::verify_dummy(&password)).await?;
            (Some(user), false)
        }
        Some((user, hash)) => {
            let ok = password_work(state, move || password::verify(&password, &hash)).await?;
            (Some(user), ok)
        }
        None => (
            None,
            password_work(state, move || password::verify_dummy(&password)).await?,
        ),
    };
    let Some(user) = user else {
        refused(state, None, client, "no such account").await?;
        return Err(bad_credentials());
    };
    if !user.active || locked_out {
        let why = if locked_out {
            "locked out"
        } else {
            "account deactivated"
        };
        refused(state, Some(&user.id), client, why).await?;
        return Err(bad_credentials());
    }
    if !matches {
        wrong_password(state, &user.id, client).await?;
        return Err(bad_credentials());
    }
    Ok(user)
}

/// Count a wrong password for the account and `client` (locking them out after too many) and
/// record it.
async fn wrong_password(state: &AppState, user_id: &str, client: &str) -> AppResult<()> {
    let now = state.clock.now();
    let max = state.settings.auth.max_failed_logins;
    let until = now + Duration::minutes(state.settings.auth.lockout_minutes);
    let (id, cl) = (user_id.to_string(), client.to_string());
    let locked = state
        .db
        .write(move |c| -> AppResult<bool> {
            let locked = failures::record(c, &id, &cl, max, until, now)?;
            let event = audit::Event {
                actor_id: None,
                action: "sign_in.failed",
                target: Some(audit::Target {
                    kind: "user",
                    id: &id,
                }),
                client: Some(&cl),
                summary: if locked {
                    "Wrong password; sign-ins from this address now locked"
                } else {
                    "Wrong password"
                },
                details: json!({ "locked": locked }),
            };
            audit::record(c, event, now)?;
            Ok(locked)
        })
        .await?;
    if locked {
        tracing::warn!(user.id = %user_id, "sign-ins from one address locked after repeated failures");
    }
    Ok(())
}

/// Open a session for `user` signing in from `client` and issue its tokens.
async fn open_session(
    state: &AppState,
    user: crate::domain::account::User,
    client: String,
) -> AppResult<TokenPair> {
    let now = state.clock.now();
    let session_id = uuid::Uuid::new_v4().to_string();
    let refresh = tokens::random_token();
    let refresh_hash = tokens::hash_token(&refresh);
    let expires = refresh_expiry(state, now, now);
    let (uid, sid) = (user.id.clone(), session_id.clone());
    state
        .db
        .write(move |c| -> AppResult<()> {
            record_sign_in(c, &uid, &sid, &client, None, now)?;
            let token_id = uuid::Uuid::new_v4().to_string();
            sessions::add_refresh_token(c, &token_id, &sid, &refresh_hash, now, expires)?;
            Ok(())
        })
        .await?;
    tracing::info!(user.id = %user.id, session.id = %session_id, "signed in");
    token_pair(state, &user.id, user.role, &session_id, refresh)
}

/// In the transaction that opens session `sid` for `uid` from `client`: refuse if a lock
/// engaged while the password was being checked, clear the address's failures, and record the
/// sign-in. A staff-pages session keeps its cookie's hash (`cookie_hash`).
pub(super) fn record_sign_in(
    c: &mut crate::db::DbConnection,
    uid: &str,
    sid: &str,
    client: &str,
    cookie_hash: Option<&str>,
    now: NaiveDateTime,
) -> AppResult<()> {
    if failures::locked(c, uid, client, now)? {
        return Err(bad_credentials());
    }
    failures::clear(c, uid, client)?;
    users::record_login(c, uid, now)?;
    sessions::create(c, sid, uid, cookie_hash, now)?;
    let event = audit::Event {
        actor_id: Some(uid),
        action: "sign_in",
        target: Some(audit::Target {
            kind: "user",
            id: uid,
        }),
        client: Some(client),
        summary: if cookie_hash.is_some() {
            "Signed in to the staff pages"
        } else {
            "Signed in"
        },
        details: match cookie_hash {
            Some(_) => json!({ "session_id": sid, "pages": true }),
            None => json!({ "session_id": sid }),
        },
    };
    audit::record(c, event, now)
}

/// Record a sign-in refused before any password check counted: an unknown account, a
/// deactivated one, or an address locked out.
async fn refused(
    state: &AppState,
    user_id: Option<&str>,
    client: &str,
    why: &'static str,
) -> AppResult<()> {
    let (uid, client, now) = (
        user_id.map(str::to_string),
        client.to_string(),
        state.clock.now(),
    );
    state
        .db
        .write(move |c| {
            let event = audit::Event {
                actor_id: None,
                action: "sign_in.refused",
                target: uid.as_deref().map(|id| audit::Target { kind: "user", id }),
                client: Some(&client),
                summary: why,
                details: json!({ "reason": why }),
            };
            audit::record(c, event, now)
        })
        .await
}

/// When a refresh token issued at `now` for a session opened at `opened` expires: after
/// `auth.refresh_token_hours`, but never past the session's absolute lifetime.
fn refresh_expiry(state: &AppState, opened: NaiveDateTime, now: NaiveDateTime) -> NaiveDateTime {
    let auth = &state.settings.auth;
    (now + Duration::hours(auth.refresh_token_hours))
        .min(opened + Duration::hours(auth.session_absolute_hours))
}

/// Sessions opened at or before this instant have reached their absolute lifetime
/// (`auth.session_absolute_hours`) at `now`.
pub fn opened_after(state: &AppState, now: NaiveDateTime) -> NaiveDateTime {
    now - Duration::hours(state.settings.auth.session_absolute_hours)
}

fn token_pair(
    state: &AppState,
    user_id: &str,
    role: Role,
    session_id: &str,
    refresh_token: String,
) -> AppResult<TokenPair> {
    let access_token = state
        .jwt
        .issue(user_id, role, session_id, state.clock.now_utc())
        .map_err(AppError::internal)?;
    Ok(TokenPair {
        access_token,
        token_type: "Bearer",
        expires_in: state.jwt.lifetime().num_seconds(),
        refresh_token,
    })
}

enum Refresh {
    Invalid,
    /// The session reached its absolute lifetime; it is now revoked.
    Ended,
    Reused {
        session_id: String,
    },
    Rotated {
        user_id: String,
        role: Role,
        session_id: String,
    },
}

/// Exchange a refresh token for a new pair. A token that was already spent ends its session.
pub async fn refresh(state: &AppState, refresh_token: String) -> AppResult<TokenPair> {
    let hash = tokens::hash_token(&refresh_token);
    let next = tokens::random_token();
    let next_hash = tokens::hash_token(&next);
    let st = state.clone();
    let outcome = state
        .db
        .write(move |c| -> AppResult<Refresh> {
            let now = st.clock.now();
            let Some(row) = sessions::find_refresh_token(c, &hash)? else {
                return Ok(Refresh::Invalid);
            };
            let Some(session) = sessions::find(c, &row.session_id)? else {
                return Ok(Refresh::Invalid);
            };
            if session.revoked {
                return Ok(Refresh::Invalid);
            }
            if session.created_at <= opened_after(&st, now) {
                sessions::revoke(c, &session.session_id, "absolute lifetime reached", now)?;
                return Ok(Refresh::Ended);
            }
            if row.used_at.is_some() || !sessions::spend_refresh_token(c, &row.id, now)? {
                sessions::revoke(c, &session.session_id, "refresh token reused", now)?;
                return Ok(Refresh::Reused {
                    session_id: session.session_id,
                });
            }
            if row.expires_at <= now {
                return Ok(Refresh::Invalid);
            }
            let Some(user) = users::find(c, &session.user_id)?.filter(|u| u.active) else {
                return Ok(Refresh::Invalid);
            };
            let token_id = uuid::Uuid::new_v4().to_string();
            sessions::add_refresh_token(
                c,
                &token_id,
                &session.session_id,
                &next_hash,
                now,
                refresh_expiry(&st, session.created_at, now),
            )?;
            Ok(Refresh::Rotated {
                user_id: user.id,
                role: user.role,
                session_id: session.session_id,
            })
        })
        .await?;
    match outcome {
        Refresh::Invalid => Err(AppError::Unauthorized(
            "The refresh token is not valid or has expired. Sign in again.".into(),
        )),
        Refresh::Ended => Err(AppError::Unauthorized(format!(
            "Sessions last at most {} hours from sign-in. Sign in again.",
            state.settings.auth.session_absolute_hours
        ))),
        Refresh::Reused { session_id } => {
            tracing::warn!(session.id = %session_id, "refresh token reused; session revoked");
            Err(AppError::Unauthorized(
                "The refresh token was already used, so the session has been ended for safety. \
                 Sign in again."
                    .into(),
            ))
        }
        Refresh::Rotated {
            user_id,
            role,
            session_id,
        } => token_pair(state, &user_id, role, &session_id, next),
    }
}

/// End the actor's session: its access and refresh tokens stop working at once.
pub async fn logout(state: &AppState, actor: &Actor) -> AppResult<()> {
    let sid = actor.session_id.clone();
    let clock = state.clock.clone();
    state
        .db
        .write(move |c| {
            sessions::revoke(c, &sid, "signed out", clock.now()).map_err(AppError::from)
        })
        .await?;
    tracing::info!(user.id = %actor.user_id, session.id = %actor.session_id, "signed out");
    Ok(())
}

/// Check a bearer token and its session; the role comes from the database, not the token.
pub async fn authenticate(state: &AppState, token: &str) -> AppResult<Actor> {
    let claims = state
        .jwt
        .verify(token, state.clock.now_utc())
        .map_err(|m| AppError::Unauthorized(m.into()))?;
    let (sid, sub) = (claims.sid.clone(), claims.sub.clone());
    let after = opened_after(state, state.clock.now());
    let role = state
        .db
        .read_short(move |c| sessions::live_role(c, &sid, &sub, after).map_err(AppError::from))
        .await?
        .ok_or_else(|| AppError::Unauthorized("The session has ended. Sign in again.".into()))?;
    Ok(Actor {
        user_id: claims.sub,
        role,
        session_id: claims.sid,
    })
}

/// Change the actor's own password; every other session of theirs is ended.
pub async fn change_password(
    state: &AppState,
    actor: &Actor,
    current: String,
    new: String,
) -> AppResult<()> {
    let uid = actor.user_id.clone();
    let (user, hash) = state
        .db
        .read(move |c| users::find_by_id_with_hash(c, &uid).map_err(AppError::from))
        .await?
        .ok_or_else(|| AppError::Unauthorized("The session has ended. Sign in again.".into()))?;
    account::check_new_password(&new, &user.email)
        .map_err(|m| AppError::invalid("new_password", m))?;
    if !password_work(state, move || password::verify(&current, &hash)).await? {
        return Err(AppError::invalid("current_password", "is not correct"));
    }
    let new_hash = password_work(state, move || password::hash(&new))
        .await?
        .map_err(AppError::internal)?;
    let (uid, keep) = (actor.user_id.clone(), actor.session_id.clone());
    let clock = state.clock.clone();
    state
        .db
        .write(move |c| -> AppResult<()> {
            let now = clock.now();
            users::set_password(c, &uid, &new_hash, now)?;
            sessions::revoke_others_for_user(c, &uid, &keep, "password changed", now)?;
            let event = audit::Event {
                actor_id: Some(&uid),
                action: "user.password_changed",
                target: Some(audit::Target {
                    kind: "user",
                    id: &uid,
                }),
                client: None,
                summary: "Own password changed; other sessions ended",
                details: json!({}),
            };
            audit::record(c, event, now)
        })
        .await?;
    tracing::info!(user.id = %actor.user_id, "password changed");
    Ok(())
}

//! Sessions of the staff pages: sign-in with the API's checks (the same lockout per account and
//! address, the same audit record), a random secret kept by the browser in a cookie and only its
//! hash in the session, an idle timeout (`auth.page_idle_minutes`) and the absolute lifetime
//! every session has (`auth.session_absolute_hours`). Sign-out and password changes are the
//! API's own.

use chrono::{Duration, NaiveDateTime};

use super::{check_credentials, opened_after, record_sign_in};
use crate::auth::tokens;
use crate::db::sessions;
use crate::error::{AppError, AppResult};
use crate::services::Actor;
use crate::state::AppState;

/// A page session is touched (its idle clock restarted) at most this often.
const TOUCH_EVERY_SECONDS: i64 = 60;

/// A session just opened: the secret to set as the cookie, and who signed in.
pub struct Opened {
    pub cookie: String,
    pub actor: Actor,
}

/// Check an email and password from `client` and open a staff-pages session.
pub async fn sign_in(
    state: &AppState,
    email: String,
    password: String,
    client: String,
) -> AppResult<Opened> {
    let user = check_credentials(state, email, password, &client).await?;
    let now = state.clock.now();
    let cookie = tokens::random_token();
    let hash = tokens::hash_token(&cookie);
    let sid = uuid::Uuid::new_v4().to_string();
    let (uid, session) = (user.id.clone(), sid.clone());
    state
        .db
        .write(move |c| record_sign_in(c, &uid, &session, &client, Some(&hash), now))
        .await?;
    tracing::info!(user.id = %user.id, session.id = %sid, "signed in to the staff pages");
    Ok(Opened {
        cookie,
        actor: Actor {
            user_id: user.id,
            role: user.role,
            session_id: sid,
        },
    })
}

/// A live page session: who is signed in, and their name for the page header.
pub struct Live {
    pub actor: Actor,
    pub name: String,
}

/// Why a cookie did not lead to a live session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// No session has this cookie, it was signed out or revoked, or the account is inactive.
    Unknown,
    /// Unused for longer than `auth.page_idle_minutes`.
    Idle,
    /// Opened longer ago than `auth.session_absolute_hours`.
    Expired,
}

/// The actor of a live page session with this cookie secret. A session found idle or past its
/// lifetime is revoked (so it cannot come back); a live one's idle clock is restarted.
pub async fn resume(state: &AppState, cookie: &str) -> AppResult<Result<Live, Ended>> {
    let hash = tokens::hash_token(cookie);
    let found = state
        .db
        .read(move |c| sessions::find_by_cookie(c, &hash).map_err(AppError::from))
        .await?;
    let now = state.clock.now();
    let Some(s) = found.filter(|s| !s.revoked && s.user_active) else {
        return Ok(Err(Ended::Unknown));
    };
    let idle = Duration::minutes(state.settings.auth.page_idle_minutes);
    let ended = if s.created_at <= opened_after(state, now) {
        Some((Ended::Expired, "absolute lifetime reached"))
    } else if s.last_seen_at + idle <= now {
        Some((Ended::Idle, "idle timeout"))
    } else {
        None
    };
    if let Some((why, reason)) = ended {
        let sid = s.session_id.clone();
        state
            .db
            .write(move |c| sessions::revoke(c, &sid, reason, now).map_err(AppError::from))
            .await?;
        return Ok(Err(why));
    }
    if due_a_touch(s.last_seen_at, now) {
        let sid = s.session_id.clone();
        state
            .db
            .write(move |c| sessions::touch(c, &sid, now).map_err(AppError::from))
            .await?;
    }
    Ok(Ok(Live {
        actor: Actor {
            user_id: s.user_id,
            role: s.role,
            session_id: s.session_id,
        },
        name: s.name,
    }))
}

fn due_a_touch(last_seen: NaiveDateTime, now: NaiveDateTime) -> bool {
    now - last_seen >= Duration::seconds(TOUCH_EVERY_SECONDS)
}

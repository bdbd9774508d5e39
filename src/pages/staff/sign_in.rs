//! Signing in to and out of the staff pages, and changing your own password: the API's checks
//! (throttling per address and account, lockout, the password rules), answered as pages with
//! the NHS error-summary pattern. The sign-in form carries a short-lived token of its own, so a
//! form on another site cannot sign someone in to an account of its choosing.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

use super::session::cookie;
use super::{Staff, app_error, render, render_bare, see_other};
use crate::auth::{form_token, keys};
use crate::error::AppError;
use crate::pages::form_pairs;
use crate::services::auth::{self, pages};
use crate::state::AppState;

/// A sign-in form is good for this long after it was shown.
const SIGN_IN_FORM_SECONDS: i64 = 3600;

#[derive(Debug, Deserialize)]
pub struct SignInQuery {
    next: Option<String>,
    ended: Option<String>,
    signed_out: Option<String>,
}

/// Where to go after signing in: a staff page, never another site.
fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n) if n.starts_with("/staff") && !n.contains("//") && !n.contains('\\') => n,
        _ => "/staff",
    }
}

fn sign_in_token(state: &AppState) -> String {
    let key = keys::form_key(state.settings.auth.jwt_secret.expose());
    form_token::issue(&key, "staff-sign-in", "", state.clock.now())
}

fn sign_in_page(
    state: &AppState,
    status: StatusCode,
    email: &str,
    next: &str,
    notice: Option<String>,
    errors: Vec<Value>,
) -> HttpResponse {
    render_bare(
        state,
        status,
        "staff_sign_in",
        &json!({
            "title": "Sign in",
            "email": email,
            "next": next,
            "form_token": sign_in_token(state),
            "notice": notice,
            "errors": errors,
        }),
    )
}

/// `GET /staff/sign-in`.
pub async fn form(state: web::Data<AppState>, query: web::Query<SignInQuery>) -> HttpResponse {
    let q = query.into_inner();
    let minutes = state.settings.auth.page_idle_minutes;
    let notice = match (q.ended.as_deref(), q.signed_out.is_some()) {
        (Some("idle"), _) => Some(format!(
            "You were signed out because Candour was not used for {minutes} minutes. Sign in again to carry on."
        )),
        (Some("expired"), _) => Some(format!(
            "You were signed out because you signed in more than {} hours ago. Sign in again to carry on.",
            state.settings.auth.session_absolute_hours
        )),
        (_, true) => Some("You have signed out.".to_string()),
        _ => None,
    };
    let next = safe_next(q.next.as_deref()).to_string();
    sign_in_page(&state, StatusCode::OK, "", &next, notice, vec![])
}

fn field<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn error(href: &str, text: &str) -> Value {
    json!({ "href": href, "text": text })
}

/// `POST /staff/sign-in`: open a session and set its cookie.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> HttpResponse {
    let Some(pairs) = form_pairs(&body) else {
        return super::message(
            &state,
            StatusCode::BAD_REQUEST,
            "The form could not be read",
            &["Go back and try again."],
        );
    };
    let email = field(&pairs, "email").unwrap_or("").trim().to_string();
    let password = field(&pairs, "password").unwrap_or("").to_string();
    let next = safe_next(field(&pairs, "next")).to_string();
    let key = keys::form_key(state.settings.auth.jwt_secret.expose());
    let token_ok = field(&pairs, "form_token").is_some_and(|t| {
        form_token::verify(
            &key,
            "staff-sign-in",
            "",
            t,
            state.clock.now(),
            SIGN_IN_FORM_SECONDS,
        )
    });
    let mut errors = Vec::new();
    if !token_ok {
        errors.push(error(
            "#email",
            "The sign-in form had expired: enter your email and password again",
        ));
    }
    if email.is_empty() {
        errors.push(error("#email", "Enter your email address"));
    }
    if password.is_empty() {
        errors.push(error("#password", "Enter your password"));
    }
    if !errors.is_empty() {
        return sign_in_page(&state, StatusCode::BAD_REQUEST, &email, &next, None, errors);
    }
    let client = crate::http::client::address(&req, &state.settings.server.trusted_proxy_addrs());
    if let Err(refused) = state.throttle.login(&client, &email) {
        return app_error(&state, &refused.into());
    }
    match pages::sign_in(&state, email.clone(), password, client).await {
        Ok(opened) => {
            let mut res = see_other(&next);
            let _ = res.add_cookie(&cookie(&state, &opened.cookie));
            res
        }
        Err(AppError::Unauthorized(detail)) => sign_in_page(
            &state,
            StatusCode::UNAUTHORIZED,
            &email,
            &next,
            None,
            vec![error("#email", &detail)],
        ),
        Err(e) => app_error(&state, &e),
    }
}

/// `POST /staff/sign-out`: end the session at once and clear the cookie.
pub async fn sign_out(state: web::Data<AppState>, staff: Staff, body: web::Bytes) -> HttpResponse {
    let pairs = form_pairs(&body).unwrap_or_default();
    if let Some(refused) = staff.csrf_refusal(&state, field(&pairs, "csrf")) {
        return refused;
    }
    if let Err(e) = auth::logout(&state, &staff.actor).await {
        return app_error(&state, &e);
    }
    let mut res = see_other("/staff/sign-in?signed_out=1");
    let _ = res.add_cookie(&cookie(&state, ""));
    res
}

fn password_page(state: &AppState, staff: &Staff, status: StatusCode, ctx: Value) -> HttpResponse {
    render(
        state,
        staff,
        status,
        "staff_password",
        "/staff/password",
        ctx,
    )
}

/// `GET /staff/password`.
pub async fn password_form(state: web::Data<AppState>, staff: Staff) -> HttpResponse {
    password_page(
        &state,
        &staff,
        StatusCode::OK,
        json!({ "title": "Change your password" }),
    )
}

/// `POST /staff/password`: change your own password; your other sessions end.
pub async fn change_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: Staff,
    body: web::Bytes,
) -> HttpResponse {
    let pairs = form_pairs(&body).unwrap_or_default();
    if let Some(refused) = staff.csrf_refusal(&state, field(&pairs, "csrf")) {
        return refused;
    }
    let current = field(&pairs, "current_password").unwrap_or("").to_string();
    let new = field(&pairs, "new_password").unwrap_or("").to_string();
    let again = field(&pairs, "confirm_password").unwrap_or("");
    let mut errors = Vec::new();
    if current.is_empty() {
        errors.push(error("#current_password", "Enter your current password"));
    }
    if new.is_empty() {
        errors.push(error("#new_password", "Enter a new password"));
    } else if new != again {
        errors.push(error(
            "#confirm_password",
            "The new password and its confirmation do not match",
        ));
    }
    let failed = |errors: Vec<Value>| {
        password_page(
            &state,
            &staff,
            StatusCode::BAD_REQUEST,
            json!({ "title": "Change your password", "errors": errors }),
        )
    };
    if !errors.is_empty() {
        return failed(errors);
    }
    let client = crate::http::client::address(&req, &state.settings.server.trusted_proxy_addrs());
    if let Err(refused) = state
        .throttle
        .password_change(&client, &staff.actor.user_id)
    {
        return app_error(&state, &refused.into());
    }
    match auth::change_password(&state, &staff.actor, current, new).await {
        Ok(()) => password_page(
            &state,
            &staff,
            StatusCode::OK,
            json!({
                "title": "Change your password",
                "notice": "Your password has been changed. Your other sessions have been signed out.",
            }),
        ),
        Err(AppError::Validation(fields)) => failed(
            fields
                .iter()
                .map(|f| {
                    let label = if f.field == "current_password" {
                        "Current password"
                    } else {
                        "New password"
                    };
                    error(&format!("#{}", f.field), &format!("{label} {}", f.message))
                })
                .collect(),
        ),
        Err(e) => app_error(&state, &e),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn after_sign_in_only_staff_pages_are_followed() {
        assert_eq!(
            safe_next(Some("/staff/cases/abc?x=1")),
            "/staff/cases/abc?x=1"
        );
        assert_eq!(safe_next(Some("https://evil.example/staff")), "/staff");
        assert_eq!(safe_next(Some("//evil.example/staff")), "/staff");
        assert_eq!(safe_next(Some("/staff//evil.example")), "/staff");
        assert_eq!(safe_next(Some("/staff\\evil")), "/staff");
        assert_eq!(safe_next(Some("/api/v1/cases")), "/staff");
        assert_eq!(safe_next(None), "/staff");
    }
}

//! Sign-in, token refresh, sign-out and the signed-in user's own account. Sign-in, refresh and
//! password change are throttled per client address and account (429 with `Retry-After`).

use crate::api::routes::Routes;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::Deserialize;
use utoipa::ToSchema;

use super::extract::{ApiJson, AuthUser};
use super::users::UserResponse;
use crate::domain::role::Permission;
use crate::error::{AppError, AppResult, Problem};
use crate::services::auth::{self, TokenPair};
use crate::services::users as user_service;
use crate::state::AppState;

pub fn configure(cfg: &mut impl Routes) {
    cfg.service(login)
        .service(refresh)
        .service(logout)
        .service(me)
        .service(change_password);
}

/// The client's address (`X-Forwarded-For` believed only from `server.trusted_proxies`).
fn client_address(state: &AppState, req: &HttpRequest) -> String {
    crate::http::client::address(req, &state.settings.server.trusted_proxy_addrs())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(example = "admin@localhost")]
    pub email: String,
    pub password: String,
}

/// Sign in with email and password.
///
/// The same answer is given for an unknown email, a wrong password and a locked account.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenPair),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong email or password, or sign-ins from this address locked", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many sign-ins from this address or for this account; retry after the `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Too many password checks at once; retry after the `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ApiJson<LoginRequest>,
) -> AppResult<web::Json<TokenPair>> {
    let LoginRequest { email, password } = body.0;
    if email.trim().is_empty() {
        return Err(AppError::invalid("email", "is required"));
    }
    if password.is_empty() {
        return Err(AppError::invalid("password", "is required"));
    }
    let client = client_address(&state, &req);
    state.throttle.login(&client, &email)?;
    auth::login(&state, email, password, client)
        .await
        .map(web::Json)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// Exchange a refresh token for a new access and refresh token.
///
/// Each refresh token works once. Presenting a spent one ends the whole session.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "New tokens", body = TokenPair),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Invalid, expired or reused refresh token", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many refreshes from this address; retry after the `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ApiJson<RefreshRequest>,
) -> AppResult<web::Json<TokenPair>> {
    state.throttle.refresh(&client_address(&state, &req))?;
    auth::refresh(&state, body.0.refresh_token)
        .await
        .map(web::Json)
}

/// Sign out: the session's access and refresh tokens stop working at once.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/logout")]
pub async fn logout(state: web::Data<AppState>, user: AuthUser) -> AppResult<HttpResponse> {
    auth::logout(&state, &user.0).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The signed-in user, with the permissions of their role.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The signed-in user", body = MeResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me")]
pub async fn me(state: web::Data<AppState>, user: AuthUser) -> AppResult<web::Json<MeResponse>> {
    let found = user_service::profile(&state, &user.0).await?;
    Ok(web::Json(MeResponse {
        permissions: found.role.permissions(),
        user: UserResponse::at(found, state.clock.now()),
    }))
}

#[derive(Debug, serde::Serialize, ToSchema)]
pub struct MeResponse {
    #[serde(flatten)]
    pub user: UserResponse,
    /// What this user's role allows.
    pub permissions: Vec<Permission>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    /// At least 12 characters.
    pub new_password: String,
}

/// Change your own password. Your other sessions are signed out.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    request_body = ChangePasswordRequest,
    responses(
        (status = 204, description = "Password changed"),
        (status = 400, description = "Wrong current password or weak new one", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many password changes from this address or for this account; retry after the `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Too many password checks at once; retry after the `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/me/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: AuthUser,
    body: ApiJson<ChangePasswordRequest>,
) -> AppResult<HttpResponse> {
    state
        .throttle
        .password_change(&client_address(&state, &req), &user.0.user_id)?;
    let ChangePasswordRequest {
        current_password,
        new_password,
    } = body.0;
    auth::change_password(&state, &user.0, current_password, new_password).await?;
    Ok(HttpResponse::NoContent().finish())
}

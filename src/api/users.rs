//! Staff account administration (admins only).

use crate::api::routes::Routes;
use actix_web::http::header;
use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{ApiJson, AuthUser};
use crate::domain::account::User;
use crate::domain::role::{Permission, Role};
use crate::error::{AppError, AppResult, Problem};
use crate::services::users::{self, NewAccount};
use crate::services::users::{UserChanges, UserFilter};
use crate::state::AppState;

pub fn configure(cfg: &mut impl Routes) {
    cfg.service(list_users)
        .service(create_user)
        .service(get_user)
        .service(update_user)
        .service(unlock_user);
}

/// A staff account.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserResponse {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub active: bool,
    /// Whether sign-in is refused for now, from at least one client address, after repeated
    /// failures from it (sign-ins from elsewhere still work).
    pub locked: bool,
    pub locked_until: Option<DateTime<Utc>>,
    pub last_login_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl UserResponse {
    /// The account as it stands at `now` (the application clock's instant): `locked` and
    /// `locked_until` depend on it.
    pub fn at(u: User, now: NaiveDateTime) -> Self {
        Self {
            locked: u.is_locked(now),
            locked_until: u.locked_until.filter(|t| *t > now).map(|t| t.and_utc()),
            id: u.id,
            email: u.email,
            name: u.name,
            role: u.role,
            active: u.active,
            last_login_at: u.last_login_at.map(|t| t.and_utc()),
            created_at: u.created_at.and_utc(),
            updated_at: u.updated_at.and_utc(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserListQuery {
    /// Page size, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// The `next` value of the previous page.
    pub cursor: Option<String>,
    pub role: Option<Role>,
    pub active: Option<bool>,
}

/// A page of accounts, ordered by email.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserList {
    pub items: Vec<UserResponse>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next: Option<String>,
}

/// List staff accounts.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(UserListQuery),
    responses(
        (status = 200, description = "A page of accounts", body = UserList),
        (status = 400, description = "Bad filter or cursor", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<UserListQuery>,
) -> AppResult<web::Json<UserList>> {
    let q = query.into_inner();
    let filter = UserFilter {
        role: q.role,
        active: q.active,
        after_email: None,
    };
    let page = users::list(&state, &user.0, filter, q.limit, q.cursor).await?;
    let now = state.clock.now();
    Ok(web::Json(UserList {
        items: page
            .items
            .into_iter()
            .map(|u| UserResponse::at(u, now))
            .collect(),
        next: page.next,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    #[schema(example = "jo.bloggs@trust.nhs.uk")]
    pub email: String,
    pub name: String,
    pub role: Role,
    /// At least 12 characters. Leave out to have Candour generate one, returned once.
    pub password: Option<String>,
}

/// A new account, with its generated password when none was given.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedUser {
    #[serde(flatten)]
    pub user: UserResponse,
    /// Shown only in this response; present when Candour generated the password.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_password: Option<String>,
}

/// Create a staff account.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    request_body = CreateUserRequest,
    responses(
        (status = 201, description = "Created", body = CreatedUser),
        (status = 400, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Email already in use", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    user: AuthUser,
    body: ApiJson<serde_json::Value>,
) -> AppResult<HttpResponse> {
    user.0.require(Permission::ManageUsers)?;
    let b: CreateUserRequest = crate::json::from_value(body.0)?;
    let input = NewAccount {
        email: b.email,
        name: b.name,
        role: b.role,
        password: b.password,
    };
    let (created, initial_password) = users::create(&state, &user.0, input).await?;
    let location = format!("/api/v1/users/{}", created.id);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .json(CreatedUser {
            user: UserResponse::at(created, state.clock.now()),
            initial_password,
        }))
}

/// One staff account.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "User id")),
    responses(
        (status = 200, description = "The account", body = UserResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/users/{id}")]
pub async fn get_user(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> AppResult<web::Json<UserResponse>> {
    let found = users::get(&state, &user.0, id.into_inner()).await?;
    Ok(web::Json(UserResponse::at(found, state.clock.now())))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    pub name: Option<String>,
    pub role: Option<Role>,
    /// `false` deactivates the account and ends its sessions at once.
    pub active: Option<bool>,
}

/// Change an account's name, role or active flag.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "User id")),
    request_body = UpdateUserRequest,
    responses(
        (status = 200, description = "The changed account", body = UserResponse),
        (status = 400, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Would leave no active admin, or changes your own access", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/users/{id}")]
pub async fn update_user(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    body: ApiJson<serde_json::Value>,
) -> AppResult<web::Json<UserResponse>> {
    user.0.require(Permission::ManageUsers)?;
    let b: UpdateUserRequest = crate::json::from_value(body.0)?;
    if b.name.is_none() && b.role.is_none() && b.active.is_none() {
        return Err(AppError::BadRequest(
            "Nothing to change: send at least one of name, role or active.".into(),
        ));
    }
    let changes = UserChanges {
        name: b.name,
        role: b.role,
        active: b.active,
    };
    let updated = users::update(&state, &user.0, id.into_inner(), changes).await?;
    Ok(web::Json(UserResponse::at(updated, state.clock.now())))
}

/// Lift the lockout that follows repeated failed sign-ins.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "User id")),
    responses(
        (status = 200, description = "The unlocked account", body = UserResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users/{id}/unlock")]
pub async fn unlock_user(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> AppResult<web::Json<UserResponse>> {
    let updated = users::unlock(&state, &user.0, id.into_inner()).await?;
    Ok(web::Json(UserResponse::at(updated, state.clock.now())))
}

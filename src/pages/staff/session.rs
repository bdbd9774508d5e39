//! Who is signed in to the staff pages: the [`Staff`] extractor reads the session cookie and
//! sends anyone without a live session to the sign-in page (saying why when it ended); the CSRF
//! token every staff form carries, bound to the session.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::error::InternalError;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use futures_util::future::LocalBoxFuture;

use super::{message, see_other};
use crate::auth::{form_token, keys};
use crate::config::Environment;
use crate::services::Actor;
use crate::services::auth::pages::{self, Ended};
use crate::state::AppState;

/// The session cookie's name.
pub const COOKIE: &str = "candour_staff";

/// The signed-in member of staff, with the CSRF token for the forms of the page they see.
pub struct Staff {
    pub actor: Actor,
    /// Their name, for the header.
    pub name: String,
    pub csrf: String,
}

/// The session cookie holding `secret` (an empty one, expired, to clear it).
pub fn cookie(state: &AppState, secret: &str) -> Cookie<'static> {
    let mut c = Cookie::build(COOKIE, secret.to_string())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.environment != Environment::Development)
        .finish();
    if secret.is_empty() {
        c.make_removal();
    }
    c
}

fn csrf_key(state: &AppState) -> [u8; 32] {
    keys::form_key(state.settings.auth.jwt_secret.expose())
}

/// The CSRF token for forms shown in session `session_id` now.
pub fn csrf_token(state: &AppState, session_id: &str) -> String {
    form_token::issue(&csrf_key(state), "staff", session_id, state.clock.now())
}

impl Staff {
    /// The refusal of a form post whose CSRF token is missing, forged or from another session;
    /// `None` lets it through.
    pub fn csrf_refusal(&self, state: &AppState, sent: Option<&str>) -> Option<HttpResponse> {
        let max_age = state.settings.auth.session_absolute_hours * 3600;
        let ok = sent.is_some_and(|t| {
            form_token::verify(
                &csrf_key(state),
                "staff",
                &self.actor.session_id,
                t,
                state.clock.now(),
                max_age,
            )
        });
        (!ok).then(|| {
            message(
                state,
                StatusCode::FORBIDDEN,
                "This form could not be accepted",
                &[
                    "It did not come from a page Candour showed you in this session, so nothing was changed.",
                    "Go back, reload the page and try again.",
                ],
            )
        })
    }
}

/// Where to send someone who needs to sign in: back to this page afterwards (for a page they
/// were reading), saying why their session ended.
fn to_sign_in(state: &AppState, req: &HttpRequest, ended: Option<Ended>) -> HttpResponse {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    if req.method() == actix_web::http::Method::GET {
        let here = match req.query_string() {
            "" => req.path().to_string(),
            q => format!("{}?{q}", req.path()),
        };
        pairs.push(("next", here));
    }
    match ended {
        Some(Ended::Idle) => pairs.push(("ended", "idle".into())),
        Some(Ended::Expired) => pairs.push(("ended", "expired".into())),
        Some(Ended::Unknown) | None => {}
    }
    let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    let location = if query.is_empty() {
        "/staff/sign-in".to_string()
    } else {
        format!("/staff/sign-in?{query}")
    };
    let mut res = see_other(&location);
    if ended.is_some() {
        let _ = res.add_cookie(&cookie(state, ""));
    }
    res
}

impl FromRequest for Staff {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
                return Err(actix_web::error::ErrorInternalServerError("no state"));
            };
            let refuse = |res: HttpResponse| InternalError::from_response("", res).into();
            let Some(secret) = req.cookie(COOKIE).map(|c| c.value().to_string()) else {
                return Err(refuse(to_sign_in(&state, &req, None)));
            };
            let (actor, name) = match pages::resume(&state, &secret).await {
                Ok(Ok(live)) => (live.actor, live.name),
                Ok(Err(ended)) => return Err(refuse(to_sign_in(&state, &req, Some(ended)))),
                Err(e) => return Err(refuse(super::app_error(&state, &e))),
            };
            Ok(Staff {
                csrf: csrf_token(&state, &actor.session_id),
                name,
                actor,
            })
        })
    }
}

//! Answers for requests no handler took (404, 405) and problem documents for every error
//! response that was not already one (extractor failures, actix's own errors). Under the
//! pages for the public (`/track/`, `/feedback/`, `/assets/`) errors are HTML pages instead.

use std::collections::BTreeMap;

use actix_web::body::EitherBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::de::IgnoredAny;

use crate::error::{PROBLEM_JSON, Problem, internal_problem};
use crate::pages;
use crate::state::AppState;

/// The documented paths and their methods, to tell 405 from 404.
#[derive(Debug, Default, Clone)]
pub struct RouteTable {
    routes: Vec<(Vec<String>, Vec<Method>)>,
}

impl RouteTable {
    /// Read from an OpenAPI document (JSON): its paths and the methods under each.
    pub fn from_openapi_json(doc: &[u8]) -> Result<Self, serde_json::Error> {
        #[derive(serde::Deserialize)]
        struct Document {
            paths: BTreeMap<String, BTreeMap<String, IgnoredAny>>,
        }
        let doc: Document = serde_json::from_slice(doc)?;
        let routes = doc
            .paths
            .iter()
            .map(|(path, item)| {
                let segments = split(path).map(str::to_string).collect();
                let methods = item
                    .keys()
                    .filter_map(|key| match key.as_str() {
                        "get" => Some(Method::GET),
                        "post" => Some(Method::POST),
                        "put" => Some(Method::PUT),
                        "patch" => Some(Method::PATCH),
                        "delete" => Some(Method::DELETE),
                        // Path-level keys ("parameters", "summary") and methods not served.
                        _ => None,
                    })
                    .collect();
                (segments, methods)
            })
            .collect();
        Ok(Self { routes })
    }

    /// The methods allowed on `path`, if it is a known path.
    pub fn allowed(&self, path: &str) -> Option<Vec<Method>> {
        let wanted: Vec<&str> = split(path).collect();
        let mut found: Option<Vec<Method>> = None;
        for (segments, methods) in &self.routes {
            let matches = segments.len() == wanted.len()
                && segments
                    .iter()
                    .zip(&wanted)
                    .all(|(t, w)| t == w || (t.starts_with('{') && t.ends_with('}')));
            if matches {
                found
                    .get_or_insert_with(Vec::new)
                    .extend(methods.iter().cloned());
            }
        }
        found
    }
}

fn split(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|s| !s.is_empty())
}

/// The default service: 405 with `Allow` for a known path, else 404 (an HTML page under the
/// pages' paths).
pub async fn unmatched(req: HttpRequest, routes: web::Data<RouteTable>) -> HttpResponse {
    if pages::is_page_path(req.path())
        && let Some(state) = req.app_data::<web::Data<AppState>>()
    {
        return pages::error_status(state, StatusCode::NOT_FOUND);
    }
    match routes.allowed(req.path()) {
        Some(methods) => {
            let allow: Vec<&str> = methods.iter().map(Method::as_str).collect();
            let mut res = Problem::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                format!(
                    "{} is not allowed here; use {}.",
                    req.method(),
                    allow.join(", ")
                ),
            )
            .response();
            if let Ok(v) = HeaderValue::from_str(&allow.join(", ")) {
                res.headers_mut().insert(header::ALLOW, v);
            }
            res
        }
        None => Problem::new(
            StatusCode::NOT_FOUND,
            "not-found",
            format!("There is nothing at {}.", req.path()),
        )
        .response(),
    }
}

/// `ErrorHandlers` default: turn any error response that is not yet a problem into one.
pub fn into_problem<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let already = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    let html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if already || html {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let page_state = pages::is_page_path(res.request().path())
        .then(|| res.request().app_data::<web::Data<AppState>>().cloned())
        .flatten();
    if let Some(state) = page_state {
        let cause = res.response().error().map(ToString::to_string);
        let allow = res.headers().get(header::ALLOW).cloned();
        let (req, _) = res.into_parts();
        let mut response = if status.is_server_error() {
            pages::server_error(
                Some(&state),
                cause.as_deref().unwrap_or("error response without a cause"),
            )
        } else {
            pages::error_status(&state, status)
        };
        if let Some(allow) = allow {
            response.headers_mut().insert(header::ALLOW, allow);
        }
        let res: ServiceResponse<EitherBody<B>> =
            ServiceResponse::new(req, response).map_into_right_body();
        return Ok(ErrorHandlerResponse::Response(res));
    }
    let cause = res.response().error().map(ToString::to_string);
    let problem = if status.is_server_error() {
        internal_problem(cause.as_deref().unwrap_or("error response without a cause"))
    } else {
        let detail = cause.unwrap_or_else(|| {
            status
                .canonical_reason()
                .unwrap_or("The request failed.")
                .to_string()
        });
        Problem::new(status, "http", detail)
    };
    let allow = res.headers().get(header::ALLOW).cloned();
    let (req, _) = res.into_parts();
    let mut response = problem.response();
    if let Some(allow) = allow {
        response.headers_mut().insert(header::ALLOW, allow);
    }
    let res: ServiceResponse<EitherBody<B>> =
        ServiceResponse::new(req, response).map_into_right_body();
    Ok(ErrorHandlerResponse::Response(res))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_segments() {
        let table = RouteTable {
            routes: vec![
                (
                    vec!["api".into(), "v1".into(), "users".into()],
                    vec![Method::GET, Method::POST],
                ),
                (
                    vec!["api".into(), "v1".into(), "users".into(), "{id}".into()],
                    vec![Method::PATCH],
                ),
            ],
        };
        assert_eq!(
            table.allowed("/api/v1/users").unwrap(),
            vec![Method::GET, Method::POST]
        );
        assert_eq!(
            table.allowed("/api/v1/users/abc").unwrap(),
            vec![Method::PATCH]
        );
        assert!(table.allowed("/api/v1/nothing").is_none());
    }

    #[test]
    fn the_table_is_read_from_the_documents_paths_and_methods_only() {
        let doc = br#"{"openapi": "3.1.0", "paths": {
            "/api/v1/cases/{id}": {
                "parameters": [{"name": "id", "in": "path"}],
                "summary": "One case",
                "get": {"responses": {}},
                "patch": {"responses": {}}
            },
            "/api/v1/cases": {"post": {"responses": {}}}
        }}"#;
        let table = RouteTable::from_openapi_json(doc).unwrap();
        assert_eq!(
            table.allowed("/api/v1/cases/7").unwrap(),
            vec![Method::GET, Method::PATCH]
        );
        assert_eq!(table.allowed("/api/v1/cases").unwrap(), vec![Method::POST]);
        assert!(table.allowed("/api/v1/users").is_none());
        assert!(RouteTable::from_openapi_json(b"{}").is_err());
    }
}

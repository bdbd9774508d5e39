//! Registering the API's handlers: with their OpenAPI descriptions (once per process, to build
//! the document) or without (in each server worker, which only needs the routes).

use actix_web::dev::HttpServiceFactory;
use utoipa_actix_web::OpenApiFactory;

/// Somewhere the API's handlers can be registered. Each `configure` function in `api` is
/// written against this, so the same list of handlers serves both purposes.
pub trait Routes {
    fn service<F>(&mut self, factory: F) -> &mut Self
    where
        F: HttpServiceFactory + OpenApiFactory + 'static;
}

/// Routes and their descriptions: builds the OpenAPI document.
impl Routes for utoipa_actix_web::service_config::ServiceConfig<'_> {
    fn service<F>(&mut self, factory: F) -> &mut Self
    where
        F: HttpServiceFactory + OpenApiFactory + 'static,
    {
        utoipa_actix_web::service_config::ServiceConfig::service(self, factory)
    }
}

/// Routes only. utoipa composes each handler's schemas again at every registration (several
/// MiB per worker, kept by the allocator afterwards), so the workers skip it.
impl Routes for actix_web::web::ServiceConfig {
    fn service<F>(&mut self, factory: F) -> &mut Self
    where
        F: HttpServiceFactory + OpenApiFactory + 'static,
    {
        actix_web::web::ServiceConfig::service(self, factory)
    }
}

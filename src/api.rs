//! The JSON API under `/api/v1`: extract, authorise, call a service, render.

pub mod audit_log;
pub mod auth;
pub mod bundle;
pub mod calendar;
pub mod candour;
pub mod case_actions;
pub mod case_history;
pub mod cases;
pub mod documents;
pub mod extract;
pub mod feedback;
pub mod framework;
pub mod health;
pub mod letters;
pub mod meetings;
pub mod ombudsman;
pub mod openapi;
pub mod outbox;
pub mod persons;
pub mod reports;
pub mod routes;
pub mod service_changes;
pub mod services;
pub mod taxonomy;
pub mod tracking;
pub mod users;
pub mod versioned;

use routes::Routes;

/// Register every `/api/v1` route.
pub fn configure(cfg: &mut impl Routes) {
    auth::configure(cfg);
    users::configure(cfg);
    cases::configure(cfg);
    case_actions::configure(cfg);
    case_history::configure(cfg);
    letters::configure(cfg);
    documents::configure(cfg);
    bundle::configure(cfg);
    meetings::configure(cfg);
    candour::configure(cfg);
    ombudsman::configure(cfg);
    services::configure(cfg);
    taxonomy::configure(cfg);
    calendar::configure(cfg);
    outbox::configure(cfg);
    tracking::configure(cfg);
    feedback::configure(cfg);
    reports::configure(cfg);
    service_changes::configure(cfg);
    framework::configure(cfg);
    audit_log::configure(cfg);
    persons::configure(cfg);
}

//! Black-box API tests: each test starts Candour on a random port with its own database
//! (SQLite by default, PostgreSQL when `CANDOUR_TEST_DATABASE_URL` is a postgres:// URL).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod architecture;
mod audit;
mod auth;
mod browser;
mod candour;
mod case_access;
mod case_edit;
mod case_lifecycle;
mod cases;
mod cli;
mod clock;
mod communications;
mod demo;
mod errors;
mod feedback;
mod framework;
mod health;
mod helpers;
mod mail_sink;
mod meetings;
mod migrations;
mod ombudsman;
mod openapi;
mod outbox;
mod reference;
mod report_coding;
mod reported_figures;
mod reports;
mod service_changes;
mod spc_rules;
mod statutory;
mod tokens;
mod tracking;
mod users;

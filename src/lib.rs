//! Candour: complaints case management for NHS providers in England.

pub mod api;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod email;
pub mod error;
pub mod files;
pub mod http;
pub mod json;
pub mod links;
pub mod pages;
pub mod progress;
pub mod reports;
pub mod services;
pub mod startup;
pub mod state;
pub mod telemetry;

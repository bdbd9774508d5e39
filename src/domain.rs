//! Pure rules: no actix, no diesel, no clock (the current time is always a parameter).

pub mod account;
pub mod bank_holidays;
pub mod calendar;
pub mod candour;
pub mod case;
pub mod clock;
pub mod document;
pub mod feedback;
pub mod ical;
pub mod meeting;
pub mod nhs_number;
pub mod ombudsman;
pub mod outbox;
pub mod redaction;
pub mod retention;
pub mod risk;
pub mod role;
pub mod seal;
pub mod service;
pub mod service_change;
pub mod spc;
pub mod taxonomy;
pub mod timeline;
pub mod tracking;

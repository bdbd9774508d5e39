//! Cross-cutting HTTP plumbing: request ids, access logs, metrics, problem documents for
//! errors that never reached a handler, and the headers of HTML answers.

pub mod fallback;
pub mod metrics;
pub mod observe;
pub mod page;

//! Cross-cutting HTTP plumbing: request ids, access logs, metrics and problem documents for
//! errors that never reached a handler.

pub mod fallback;
pub mod metrics;
pub mod observe;

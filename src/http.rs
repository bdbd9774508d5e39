//! Cross-cutting HTTP plumbing: request ids, access logs, metrics, problem documents for
//! errors that never reached a handler, the headers of HTML answers, input refused before
//! any handler (a NUL character), and the throttling of sign-ins and public forms.

pub mod client;
pub mod download;
pub mod fallback;
pub mod hygiene;
pub mod metrics;
pub mod multipart;
pub mod observe;
pub mod page;
pub mod throttle;

//! Credentials: password hashing, access tokens (JWT), opaque random tokens, the tokens that
//! guard forms without a sign-in, and the per-purpose keys both kinds of token are signed with.

pub mod form_token;
pub mod hashers;
pub mod jwt;
pub mod keys;
pub mod password;
pub mod tokens;

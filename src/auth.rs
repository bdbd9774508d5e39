//! Credentials: password hashing, access tokens (JWT), opaque random tokens and the tokens that
//! guard forms without a sign-in.

pub mod form_token;
pub mod jwt;
pub mod password;
pub mod tokens;

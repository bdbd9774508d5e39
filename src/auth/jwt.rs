//! Short-lived access tokens: HS256 only, with `exp`, `iat`, `sub`, `role`, `sid` and `jti`.

use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};

use crate::domain::role::Role;

const ISSUER: &str = "candour";

/// The claims Candour signs.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// The user id.
    pub sub: String,
    /// The user's role when the token was issued (the live role is read from the database).
    pub role: Role,
    /// The session the token belongs to; revoking it ends the token at once.
    pub sid: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    pub iss: String,
}

/// Signs and checks access tokens with one shared secret.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    lifetime: Duration,
}

impl JwtKeys {
    pub fn new(secret: &str, lifetime: Duration) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
            lifetime,
        }
    }

    pub fn lifetime(&self) -> Duration {
        self.lifetime
    }

    /// Issue a token for `user_id` in session `session_id`, valid from `now`.
    pub fn issue(
        &self,
        user_id: &str,
        role: Role,
        session_id: &str,
        now: DateTime<Utc>,
    ) -> Result<String, String> {
        let claims = Claims {
            sub: user_id.to_string(),
            role,
            sid: session_id.to_string(),
            iat: now.timestamp(),
            exp: (now + self.lifetime).timestamp(),
            jti: uuid::Uuid::new_v4().to_string(),
            iss: ISSUER.to_string(),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| format!("token signing failed: {e}"))
    }

    /// Check signature (HS256 only), issuer and expiry. The message is safe to show.
    pub fn verify(&self, token: &str) -> Result<Claims, &'static str> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iat", "sub", "iss"]);
        decode::<Claims>(token, &self.decoding, &validation)
            .map(|data| data.claims)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
                    "The access token has expired."
                }
                _ => "The access token is not valid.",
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> JwtKeys {
        JwtKeys::new("a-test-secret-of-thirty-two-bytes!!", Duration::minutes(15))
    }

    #[test]
    fn round_trip() {
        let t = keys().issue("u1", Role::Board, "s1", Utc::now()).unwrap();
        let c = keys().verify(&t).unwrap();
        assert_eq!(
            (c.sub.as_str(), c.role, c.sid.as_str()),
            ("u1", Role::Board, "s1")
        );
    }

    #[test]
    fn expired_and_foreign_tokens_fail() {
        let old = Utc::now() - Duration::minutes(16);
        let t = keys().issue("u1", Role::Admin, "s1", old).unwrap();
        assert_eq!(
            keys().verify(&t).unwrap_err(),
            "The access token has expired."
        );
        let other = JwtKeys::new("another-secret-entirely-32-bytes!!", Duration::minutes(15));
        let t = other.issue("u1", Role::Admin, "s1", Utc::now()).unwrap();
        assert!(keys().verify(&t).is_err());
        assert!(keys().verify("not.a.token").is_err());
    }
}

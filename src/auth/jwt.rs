//! Short-lived access tokens: HS256 only, with `exp`, `iat`, `sub`, `role`, `sid` and `jti`.

use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};

use super::keys;
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

/// Signs and checks access tokens with the access-token key derived from the shared secret
/// ([`crate::auth::keys`]), never the secret itself.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    lifetime: Duration,
}

impl JwtKeys {
    pub fn new(secret: &str, lifetime: Duration) -> Self {
        let key = keys::derive(secret, keys::Purpose::AccessToken);
        Self {
            encoding: EncodingKey::from_secret(&key),
            decoding: DecodingKey::from_secret(&key),
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

    /// Check signature (HS256 only), issuer and expiry at `now` (the application clock's
    /// instant, with no leeway). The message is safe to show.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Claims, &'static str> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        // Expiry is checked below against the application clock, not the system clock.
        validation.validate_exp = false;
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iat", "sub", "iss"]);
        let claims = decode::<Claims>(token, &self.decoding, &validation)
            .map(|data| data.claims)
            .map_err(|_| "The access token is not valid.")?;
        if claims.exp < now.timestamp() {
            return Err("The access token has expired.");
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> JwtKeys {
        JwtKeys::new("a-test-secret-of-thirty-two-bytes!!", Duration::minutes(15))
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn round_trip() {
        let now = at("2026-07-01T23:30:00Z");
        let t = keys().issue("u1", Role::Board, "s1", now).unwrap();
        let c = keys().verify(&t, now).unwrap();
        assert_eq!(
            (c.sub.as_str(), c.role, c.sid.as_str()),
            ("u1", Role::Board, "s1")
        );
    }

    #[test]
    fn expiry_is_checked_against_the_given_instant_without_leeway() {
        // Issued long ago by the system clock's reckoning: only the instant passed in counts.
        let issued = at("2001-02-03T10:00:00Z");
        let t = keys().issue("u1", Role::Admin, "s1", issued).unwrap();
        assert!(keys().verify(&t, issued + Duration::minutes(15)).is_ok());
        assert_eq!(
            keys()
                .verify(&t, issued + Duration::minutes(15) + Duration::seconds(1))
                .unwrap_err(),
            "The access token has expired."
        );
    }

    #[test]
    fn expired_and_foreign_tokens_fail() {
        let now = at("2026-07-01T23:30:00Z");
        let old = now - Duration::minutes(16);
        let t = keys().issue("u1", Role::Admin, "s1", old).unwrap();
        assert_eq!(
            keys().verify(&t, now).unwrap_err(),
            "The access token has expired."
        );
        let other = JwtKeys::new("another-secret-entirely-32-bytes!!", Duration::minutes(15));
        let t = other.issue("u1", Role::Admin, "s1", now).unwrap();
        assert_eq!(
            keys().verify(&t, now).unwrap_err(),
            "The access token is not valid."
        );
        assert_eq!(
            keys().verify("not.a.token", now).unwrap_err(),
            "The access token is not valid."
        );
    }

    #[test]
    fn a_token_signed_with_the_form_key_or_the_bare_secret_is_not_valid() {
        let secret = "a-test-secret-of-thirty-two-bytes!!";
        let now = at("2026-07-01T23:30:00Z");
        let claims = Claims {
            sub: "u1".into(),
            role: Role::Admin,
            sid: "s1".into(),
            iat: now.timestamp(),
            exp: now.timestamp() + 600,
            jti: "j1".into(),
            iss: ISSUER.into(),
        };
        let sign = |key: &[u8]| {
            encode(
                &Header::new(Algorithm::HS256),
                &claims,
                &EncodingKey::from_secret(key),
            )
            .unwrap()
        };
        let access = keys::derive(secret, keys::Purpose::AccessToken);
        assert!(keys().verify(&sign(&access), now).is_ok());
        for key in [&keys::form_key(secret)[..], secret.as_bytes()] {
            assert_eq!(
                keys().verify(&sign(key), now).unwrap_err(),
                "The access token is not valid."
            );
        }
    }

    #[test]
    fn a_token_without_exp_is_not_valid() {
        let now = at("2026-07-01T23:30:00Z");
        let claims = serde_json::json!({
            "sub": "u1", "role": "admin", "sid": "s1", "iat": now.timestamp(),
            "jti": "j1", "iss": ISSUER,
        });
        let key = keys::derive(
            "a-test-secret-of-thirty-two-bytes!!",
            keys::Purpose::AccessToken,
        );
        let t = encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(&key),
        )
        .unwrap();
        assert_eq!(
            keys().verify(&t, now).unwrap_err(),
            "The access token is not valid."
        );
    }
}

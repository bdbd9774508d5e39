//! One key per purpose, derived from the one configured secret (`auth.jwt_secret`) with
//! HKDF-SHA256 and a distinct `info` string each, so a token signed for one purpose (an access
//! token, a form or board-pack link) never verifies for another.

use hkdf::Hkdf;
use sha2::Sha256;

/// What a derived key signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Access tokens (HS256 JWTs).
    AccessToken,
    /// Form tokens and board-pack links ([`crate::auth::form_token`]).
    Form,
}

impl Purpose {
    fn info(self) -> &'static [u8] {
        match self {
            Self::AccessToken => b"candour/v1/access-token",
            Self::Form => b"candour/v1/form-token",
        }
    }
}

/// The 256-bit key for `purpose` derived from `secret`.
pub fn derive(secret: &str, purpose: Purpose) -> [u8; 32] {
    let mut key = [0u8; 32];
    // 32 bytes is far below HKDF-SHA256's limit of 255 × 32, so expand cannot fail.
    let _ = Hkdf::<Sha256>::new(None, secret.as_bytes()).expand(purpose.info(), &mut key);
    key
}

/// The key for form tokens and board-pack links.
pub fn form_key(secret: &str) -> [u8; 32] {
    derive(secret, Purpose::Form)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_purpose_has_its_own_key_and_none_is_the_secret() {
        let secret = "a-test-secret-that-is-longer-than-32-bytes";
        let access = derive(secret, Purpose::AccessToken);
        let form = derive(secret, Purpose::Form);
        assert_ne!(access, form);
        assert_ne!(&access[..], &secret.as_bytes()[..32]);
        assert_eq!(access, derive(secret, Purpose::AccessToken), "stable");
        assert_ne!(access, derive("another-secret", Purpose::AccessToken));
        assert_eq!(form, form_key(secret));
    }
}

//! Seals for the audit chains: an HMAC-SHA256, keyed by a secret that comes from the
//! environment and never from the database, over length-prefixed fields; the SHA-256 digest
//! that stands for a text inside a seal; and the seal of a chain's head.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The seal before the first event of a chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The key every seal is made with. Never printed.
#[derive(Clone)]
pub struct SealKey(Vec<u8>);

impl std::fmt::Debug for SealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealKey(***)")
    }
}

impl SealKey {
    pub fn new(secret: &[u8]) -> Self {
        Self(secret.to_vec())
    }

    /// A short public name for the key (an HMAC of a fixed label), so that an anchor file
    /// says which key signed it without giving the key away.
    pub fn id(&self) -> String {
        seal(self, &["candour key id"])[..16].to_string()
    }

    fn mac(&self) -> Hmac<Sha256> {
        // HMAC takes a key of any length, so this cannot fail.
        <Hmac<Sha256> as Mac>::new_from_slice(&self.0).unwrap_or_else(|_| unreachable!())
    }
}

/// The SHA-256 of a text, in hex: what a seal covers in place of the text itself, so that
/// the text can later be erased without breaking the chain.
pub fn digest(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}

/// The HMAC of `fields`, each prefixed by its length so that no two field lists seal alike.
pub fn seal(key: &SealKey, fields: &[&str]) -> String {
    let mut mac = key.mac();
    for field in fields {
        mac.update(&(field.len() as u64).to_be_bytes());
        mac.update(field.as_bytes());
    }
    hex(&mac.finalize().into_bytes())
}

/// Whether `claimed` is the seal of `fields`, compared in constant time.
pub fn holds(key: &SealKey, fields: &[&str], claimed: &str) -> bool {
    let mut mac = key.mac();
    for field in fields {
        mac.update(&(field.len() as u64).to_be_bytes());
        mac.update(field.as_bytes());
    }
    unhex(claimed).is_some_and(|bytes| mac.verify_slice(&bytes).is_ok())
}

/// The seal of a chain's head: which chain, how many events and the last event's seal. A
/// chain cut short cannot be given a head that holds without the key.
pub fn head_fields<'a>(chain: &'a str, seq: &'a str, last: &'a str) -> [&'a str; 4] {
    ["head", chain, seq, last]
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seal_depends_on_the_key_and_on_field_boundaries() {
        let a = SealKey::new(b"first key");
        let b = SealKey::new(b"second key");
        assert_ne!(seal(&a, &["x", "y"]), seal(&b, &["x", "y"]));
        assert_ne!(seal(&a, &["ab", "c"]), seal(&a, &["a", "bc"]));
        let s = seal(&a, &["x", "y"]);
        assert!(holds(&a, &["x", "y"], &s));
        assert!(!holds(&b, &["x", "y"], &s));
        assert!(!holds(&a, &["x", "z"], &s));
        assert!(!holds(&a, &["x", "y"], "not hex"));
    }

    #[test]
    fn the_digest_is_sha256() {
        // The SHA-256 of "abc" (FIPS 180-2, appendix B.1).
        assert_eq!(
            digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn the_key_id_names_the_key_without_showing_it() {
        let k = SealKey::new(b"a secret of some length");
        assert_eq!(k.id().len(), 16);
        assert_ne!(k.id(), SealKey::new(b"another").id());
        assert!(!format!("{k:?}").contains("secret"));
    }
}

//! Argon2id password hashing. Always called off the async threads (see `services::auth`).

use std::sync::OnceLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

/// Hash `password` with Argon2id (m = 19 MiB, t = 2, p = 1: the OWASP baseline), as a PHC
/// string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`).
pub fn hash(password: &str) -> Result<String, String> {
    let failed = |e: String| format!("password hashing failed: {e}");
    let salt = SaltString::generate(&mut OsRng);
    let params = Params::default();
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let output = compute(&argon, &params, password, salt.as_salt()).map_err(failed)?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| failed(e.to_string()))?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches `stored`, hashed with the algorithm, version and costs that
/// `stored` records. A malformed hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let recorded = (
        Algorithm::try_from(parsed.algorithm),
        parsed
            .version
            .map_or(Ok(Version::default()), Version::try_from),
        Params::try_from(&parsed),
    );
    let (Ok(algorithm), Ok(version), Ok(params)) = recorded else {
        return false;
    };
    let argon = Argon2::new(algorithm, version, params.clone());
    // `Output`'s equality is constant-time.
    compute(&argon, &params, password, salt).is_ok_and(|computed| computed == expected)
}

/// One hash, in a work area from [`work_area`].
fn compute(
    argon: &Argon2<'_>,
    params: &Params,
    password: &str,
    salt: argon2::password_hash::Salt<'_>,
) -> Result<Output, String> {
    let mut salt_bytes = [0u8; 64];
    let salt = salt
        .decode_b64(&mut salt_bytes)
        .map_err(|e| e.to_string())?;
    let len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    Output::init_with(len, |out| {
        argon
            .hash_password_into_with_memory(
                password.as_bytes(),
                salt,
                out,
                work_area(params.block_count()),
            )
            .map_err(|_| argon2::password_hash::Error::Crypto)
    })
    .map_err(|e| e.to_string())
}

/// glibc's allocator raises its threshold for handing large allocations to the system after
/// one is freed, up to 32 MiB, so after the first hash the 19 MiB work area came from the
/// hashing thread's arena and stayed resident there (20 MiB more for each hashing thread).
/// Asking for just over 32 MiB of room keeps it a mapping of its own, returned when freed;
/// only the blocks used are ever touched.
const ALWAYS_MAPPED_BLOCKS: usize = 32 * 1024 + 1;

/// Argon2's work area of `blocks` 1 KiB blocks, in an allocation the system gets back.
fn work_area(blocks: usize) -> Vec<Block> {
    let mut area = Vec::with_capacity(blocks.max(ALWAYS_MAPPED_BLOCKS));
    area.resize(blocks, Block::new());
    area
}

/// Verify against a hash that matches nothing, so that an unknown email costs the same
/// time as a wrong password.
pub fn verify_dummy(password: &str) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let stored = DUMMY.get_or_init(|| hash(&super::tokens::random_token()).unwrap_or_default());
    verify(password, stored);
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ() {
        let a = hash("correct horse battery").unwrap();
        let b = hash("correct horse battery").unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &a));
        assert!(!verify("wrong horse battery", &a));
        assert!(!verify("anything", "not a hash"));
        assert!(!verify_dummy("anything"));
    }

    /// Stored hashes come from the argon2 crate's own hasher (earlier versions of Candour, and
    /// any cost a trust chose): each side verifies the other's.
    #[test]
    fn hashes_made_by_the_argon2_crate_verify_and_ours_verify_there() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let salt = SaltString::generate(&mut OsRng);
        let theirs = Argon2::default()
            .hash_password(b"correct horse battery", &salt)
            .unwrap()
            .to_string();
        assert!(verify("correct horse battery", &theirs));
        assert!(!verify("correct horse batter", &theirs));
        let ours = hash("correct horse battery").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"correct horse battery", &parsed)
                .is_ok()
        );
        assert_eq!(parsed.params.to_string(), "m=19456,t=2,p=1");
        // Other costs and variants are read from the string, not assumed.
        let cheap = Argon2::new(
            Algorithm::Argon2i,
            Version::V0x10,
            Params::new(64, 1, 1, Some(16)).unwrap(),
        )
        .hash_password(b"pw", &salt)
        .unwrap()
        .to_string();
        assert!(cheap.starts_with("$argon2i$v=16$m=64,t=1,p=1$"));
        assert!(verify("pw", &cheap));
        assert!(!verify("pX", &cheap));
        // A hash with its value cut off, or with an unknown parameter, matches nothing.
        let cut = &ours[..ours.rfind('$').unwrap()];
        assert!(!verify("correct horse battery", cut));
        assert!(!verify(
            "correct horse battery",
            &ours.replace("p=1", "p=1,x=2")
        ));
    }
}

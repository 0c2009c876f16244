//! Password hashing: Argon2id with a random salt, stored as a PHC string
//! (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`), so the parameters travel with
//! each hash and can be raised later without breaking old ones.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};

use crate::error::RepositoryError;

/// Hashes `password` with Argon2id (the crate's default, OWASP-recommended
/// parameters) and a fresh random salt.
pub(crate) fn hash(password: &str) -> Result<String, RepositoryError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| RepositoryError::PasswordHash {
            reason: error.to_string(),
        })
}

/// Whether `password` matches the PHC string `stored`. A stored string that
/// cannot be parsed is an error, not a mismatch.
pub(crate) fn verify(password: &str, stored: &str) -> Result<bool, RepositoryError> {
    let parsed = PasswordHash::new(stored).map_err(|error| RepositoryError::Corrupt {
        reason: format!("stored password hash cannot be read: {error}"),
    })?;
    match Argon2::default().verify_password(password.as_bytes(), &parsed) {
        Ok(()) => Ok(true),
        Err(argon2::password_hash::Error::Password) => Ok(false),
        Err(error) => Err(RepositoryError::PasswordHash {
            reason: error.to_string(),
        }),
    }
}

/// Spends the time of one verification, for unknown users, so response
/// times do not tell which user names exist.
pub(crate) fn verify_nobody(password: &str) {
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    if let Some(dummy) = DUMMY.get_or_init(|| hash("no user has this password").ok()) {
        // The outcome does not matter, only the time spent.
        let _ = verify(password, dummy);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_are_salted() {
        let first = hash("correct horse").expect("hash");
        let second = hash("correct horse").expect("hash");
        assert!(first.starts_with("$argon2id$v=19$"), "{first}");
        assert_ne!(first, second, "salted");
        assert!(verify("correct horse", &first).expect("verify"));
        assert!(verify("correct horse", &second).expect("verify"));
        assert!(!verify("correct horse ", &first).expect("verify"));
        assert!(!verify("", &first).expect("verify"));
    }

    #[test]
    fn unreadable_hash_is_an_error() {
        let error = verify("x", "plaintext").expect_err("not a PHC string");
        assert!(matches!(error, RepositoryError::Corrupt { .. }), "{error}");
    }
}

//! Password hashing: Argon2id with a random salt, stored as a PHC string
//! (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`), so the parameters travel with
//! each hash and can be raised later without breaking old ones.

use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::rand_core::{OsRng, RngCore as _};
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

/// How long a verified password is remembered.
const REMEMBER_FOR: Duration = Duration::from_secs(300);

/// Most passwords remembered at once; the cache is emptied when full.
const REMEMBER_AT_MOST: usize = 4096;

/// Passwords recently verified, so a client sending basic credentials with
/// every request pays for Argon2 once every few minutes rather than on
/// every request (the original Conary kept a similar authentication
/// cache).
///
/// Entries are keyed by user and a keyed BLAKE3 hash of the password under
/// a random per-process key (no password is kept), and remember the stored
/// PHC string they were verified against: a changed password hash in the
/// database no longer matches, so it is verified afresh. Only successes are
/// remembered.
#[derive(Debug)]
pub(crate) struct VerifiedCache {
    key: [u8; 32],
    entries: Mutex<BTreeMap<EntryKey, Remembered>>,
}

/// A user and the keyed hash of a password.
type EntryKey = (String, [u8; 32]);

/// The PHC string a password was verified against, and when.
type Remembered = (String, Instant);

impl VerifiedCache {
    /// An empty cache with a fresh random key.
    pub(crate) fn new() -> Self {
        let mut key = [0u8; 32];
        OsRng.fill_bytes(&mut key);
        Self {
            key,
            entries: Mutex::new(BTreeMap::new()),
        }
    }

    fn entry_key(&self, user: &str, password: &str) -> EntryKey {
        let mut hasher = blake3::Hasher::new_keyed(&self.key);
        hasher.update(user.as_bytes());
        hasher.update(&[0]);
        hasher.update(password.as_bytes());
        (user.to_owned(), *hasher.finalize().as_bytes())
    }

    /// Whether `password` of `user` matches the PHC string `stored`:
    /// remembered, or verified with Argon2 (and then remembered).
    pub(crate) fn verify(
        &self,
        user: &str,
        password: &str,
        stored: &str,
    ) -> Result<bool, RepositoryError> {
        let entry_key = self.entry_key(user, password);
        {
            let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some((phc, when)) = entries.get(&entry_key)
                && phc == stored
                && when.elapsed() < REMEMBER_FOR
            {
                return Ok(true);
            }
        }
        // Verified without holding the lock: it is slow on purpose.
        if !verify(password, stored)? {
            return Ok(false);
        }
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= REMEMBER_AT_MOST {
            entries.clear();
        }
        entries.insert(entry_key, (stored.to_owned(), Instant::now()));
        Ok(true)
    }

    /// How many passwords are remembered.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_remembers_successes_against_the_same_hash() {
        let cache = VerifiedCache::new();
        let first = hash("pw").expect("hash");
        assert!(!cache.verify("alice", "wrong", &first).expect("verify"));
        assert_eq!(cache.len(), 0, "failures are not remembered");
        assert!(cache.verify("alice", "pw", &first).expect("verify"));
        assert_eq!(cache.len(), 1);
        assert!(cache.verify("alice", "pw", &first).expect("remembered"));
        assert!(!cache.verify("alice", "wrong", &first).expect("verify"));
        // A new hash in the database (a changed password) is checked afresh.
        let second = hash("new").expect("hash");
        assert!(!cache.verify("alice", "pw", &second).expect("verify"));
        assert!(cache.verify("alice", "new", &second).expect("verify"));
        // Same password, other user: its own entry.
        assert!(cache.verify("bob", "pw", &first).expect("verify"));
        assert_eq!(cache.len(), 3);
    }

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

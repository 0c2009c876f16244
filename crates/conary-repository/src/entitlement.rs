//! [`EntitlementKey`]: the secret that grants a holder its class's access.

use std::fmt;
use std::str::FromStr;

use argon2::password_hash::rand_core::{OsRng, RngCore as _};

use crate::error::RepositoryError;

/// Length of a key in bytes (shown as twice as many hex digits).
const KEY_LEN: usize = 32;

/// A random 32-byte entitlement key, shown as 64 lowercase hex digits.
///
/// Keys are sent as `Authorization: Bearer KEY`. The repository stores only
/// a BLAKE3 hash of each key: keys are random, so a fast hash cannot be
/// reversed, and a leaked database does not leak keys. `Debug` hides the
/// key; `Display` shows it (to hand it out once).
///
/// ```rust
/// use conary_repository::EntitlementKey;
/// let key = EntitlementKey::generate()?;
/// assert_eq!(key.to_string().len(), 64);
/// assert_eq!(key.to_string().parse::<EntitlementKey>()?, key);
/// assert_eq!(format!("{key:?}"), "EntitlementKey(<hidden>)");
/// # Ok::<(), conary_repository::RepositoryError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct EntitlementKey(String);

impl EntitlementKey {
    /// A new key from the operating system's random number generator.
    pub fn generate() -> Result<Self, RepositoryError> {
        let mut bytes = [0u8; KEY_LEN];
        OsRng
            .try_fill_bytes(&mut bytes)
            .map_err(|error| RepositoryError::Random {
                reason: error.to_string(),
            })?;
        let mut text = String::with_capacity(KEY_LEN * 2);
        for byte in bytes {
            text.push_str(&format!("{byte:02x}"));
        }
        Ok(Self(text))
    }

    /// The hash stored in the database for this key.
    pub(crate) fn stored_hash(&self) -> String {
        blake3::hash(self.0.as_bytes()).to_hex().to_string()
    }
}

impl FromStr for EntitlementKey {
    type Err = RepositoryError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let is_hex = text
            .bytes()
            .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte));
        if text.len() != KEY_LEN * 2 || !is_hex {
            return Err(RepositoryError::InvalidKey);
        }
        Ok(Self(text.to_owned()))
    }
}

impl fmt::Display for EntitlementKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for EntitlementKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EntitlementKey(<hidden>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_distinct_and_parse() {
        let first = EntitlementKey::generate().expect("key");
        let second = EntitlementKey::generate().expect("key");
        assert_ne!(first, second);
        assert_ne!(first.stored_hash(), second.stored_hash());
        assert_eq!(first.stored_hash().len(), 64);
    }

    #[test]
    fn bad_keys() {
        for text in ["", "abc", &"A".repeat(64), &"g".repeat(64), &"a".repeat(65)] {
            assert!(
                matches!(
                    text.parse::<EntitlementKey>(),
                    Err(RepositoryError::InvalidKey)
                ),
                "{text}"
            );
        }
    }
}

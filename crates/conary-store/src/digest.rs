//! [`Digest`]: the BLAKE3-256 name of a blob.

use std::fmt;
use std::str::FromStr;

use crate::error::StoreError;

/// Length of a digest in bytes.
pub const DIGEST_LEN: usize = 32;

/// The BLAKE3-256 hash of a blob's contents, which is also its name in a
/// store. Shown as 64 lowercase hex digits; ordered by its bytes, which is
/// also the order of its hex form.
///
/// This type is local to `conary-store` for now; it will be unified with the
/// content digest of `conary-core`'s file streams, which hashes the same way.
///
/// ```rust
/// use conary_store::Digest;
/// let digest = Digest::of(b"");
/// let text = "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262";
/// assert_eq!(digest.to_string(), text);
/// assert_eq!(text.parse::<Digest>()?, digest);
/// # Ok::<(), conary_store::StoreError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Digest([u8; DIGEST_LEN]);

impl Digest {
    /// The digest with these raw bytes.
    pub const fn from_bytes(bytes: [u8; DIGEST_LEN]) -> Self {
        Self(bytes)
    }

    /// The raw bytes.
    pub const fn as_bytes(&self) -> &[u8; DIGEST_LEN] {
        &self.0
    }

    /// Hashes `data` in one go; stores hash while streaming instead.
    pub fn of(data: &[u8]) -> Self {
        Self::from(blake3::hash(data))
    }
}

impl From<blake3::Hash> for Digest {
    fn from(hash: blake3::Hash) -> Self {
        Self(*hash.as_bytes())
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = [0u8; DIGEST_LEN * 2];
        for (pair, byte) in text.chunks_exact_mut(2).zip(self.0) {
            pair[0] = HEX[usize::from(byte >> 4)];
            pair[1] = HEX[usize::from(byte & 0x0f)];
        }
        // Only ASCII hex digits were written.
        f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({self})")
    }
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        _ => None,
    }
}

impl FromStr for Digest {
    type Err = StoreError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = |reason| StoreError::InvalidDigest {
            text: text.to_owned(),
            reason,
        };
        if text.len() != DIGEST_LEN * 2 {
            return Err(invalid("expected 64 hex digits"));
        }
        let mut bytes = [0u8; DIGEST_LEN];
        for (byte, pair) in bytes.iter_mut().zip(text.as_bytes().chunks_exact(2)) {
            let (Some(high), Some(low)) = (hex_value(pair[0]), hex_value(pair[1])) else {
                return Err(invalid("expected only lowercase hex digits"));
            };
            *byte = (high << 4) | low;
        }
        Ok(Self(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digests() {
        assert_eq!(
            Digest::of(b"abc").to_string(),
            "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85"
        );
        let digest = Digest::from_bytes([0xab; DIGEST_LEN]);
        assert_eq!(digest.to_string(), "ab".repeat(DIGEST_LEN));
        assert_eq!(
            format!("{digest:?}"),
            format!("Digest({})", "ab".repeat(DIGEST_LEN))
        );
    }

    #[test]
    fn parse_errors() {
        let good = "ab".repeat(DIGEST_LEN);
        let cases = [
            (String::new(), "expected 64 hex digits"),
            (good[1..].to_owned(), "expected 64 hex digits"),
            (format!("{good}0"), "expected 64 hex digits"),
            (good.to_uppercase(), "expected only lowercase hex digits"),
            (
                format!("{}g", &good[1..]),
                "expected only lowercase hex digits",
            ),
            (
                format!("é{}", &good[2..]),
                "expected only lowercase hex digits",
            ),
        ];
        for (text, reason) in cases {
            let error = text.parse::<Digest>().expect_err(&text);
            assert_eq!(
                error.to_string(),
                format!("invalid digest '{text}': {reason}")
            );
        }
    }

    #[test]
    fn order_of_bytes_is_order_of_text() {
        let low = Digest::from_bytes([0x0f; DIGEST_LEN]);
        let high = Digest::from_bytes([0xf0; DIGEST_LEN]);
        assert!(low < high);
        assert!(low.to_string() < high.to_string());
    }
}

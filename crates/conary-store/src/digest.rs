//! [`Digest`]: the BLAKE3-256 name of a blob — the content digest of
//! `conary-core`, re-exported so that a file stream's digest names its blob
//! in a store as it is.

pub use conary_core::digest::{Digest, DigestError};

/// Length of a digest in bytes.
///
/// ```rust
/// assert_eq!(conary_store::DIGEST_LEN, conary_store::Digest::LEN);
/// ```
pub const DIGEST_LEN: usize = Digest::LEN;

/// The digest of a finished BLAKE3 hash (stores hash while streaming, with
/// `blake3::Hasher` as an `io::Write`).
pub(crate) fn from_hash(hash: blake3::Hash) -> Digest {
    Digest::from_bytes(*hash.as_bytes())
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
        assert_eq!(from_hash(blake3::hash(b"abc")), Digest::of(b"abc"));
        let digest = Digest::from_bytes([0xab; DIGEST_LEN]);
        assert_eq!(digest.to_string(), "ab".repeat(DIGEST_LEN));
        assert_eq!(
            format!("{digest:?}"),
            format!("Digest({})", "ab".repeat(DIGEST_LEN))
        );
    }

    #[test]
    fn parse_errors_name_the_text() {
        let good = "ab".repeat(DIGEST_LEN);
        let cases = [
            (String::new(), "expected 64 hex digits, found 0"),
            (good[1..].to_owned(), "expected 64 hex digits, found 63"),
            (good.to_uppercase(), "'A' is not a lowercase hex digit"),
            (
                format!("{}g", &good[1..]),
                "'g' is not a lowercase hex digit",
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

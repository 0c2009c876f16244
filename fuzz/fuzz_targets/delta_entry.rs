//! Offers arbitrary bytes to the repository's own entry parsers: a delta
//! store entry (`conary_repository::deltas::parse`) and a changeset cache
//! entry (`conary_repository::cache::parse`). A delta entry ends with a
//! BLAKE3 of the rest, which random bytes never match, so the input is
//! also tried as an entry body with its check appended and its key taken
//! from where the key sits: then the parser's fields are reached. Whatever
//! parses must encode back to the same bytes; never a panic.
#![no_main]

use conary_changeset::DeltaKey;
use conary_core::digest::Digest;
use libfuzzer_sys::fuzz_target;

/// The digest at `at` in `data`, zeros past its end.
fn digest_at(data: &[u8], at: usize) -> Digest {
    let mut bytes = [0u8; 32];
    for (index, byte) in bytes.iter_mut().enumerate() {
        *byte = data.get(at + index).copied().unwrap_or(0);
    }
    Digest::from_bytes(bytes)
}

fuzz_target!(|data: &[u8]| {
    let _ = conary_repository::cache::parse(data);
    // The key follows the magic (4 bytes) and the format (2).
    let key = DeltaKey {
        encoding: digest_at(data, 6),
        target: digest_at(data, 38),
        base: digest_at(data, 70),
    };
    let _ = conary_repository::deltas::parse(data, &key);
    let mut entry = data.to_vec();
    entry.extend_from_slice(Digest::of(data).as_bytes());
    if let Some(delta) = conary_repository::deltas::parse(&entry, &key) {
        assert_eq!(conary_repository::deltas::encode(&key, &delta), entry);
    }
});

//! Decodes arbitrary bytes as a trove manifest and as a file stream (the
//! canonical encoding of `docs/FORMATS.md`); what decodes must encode back
//! to exactly the same bytes.
#![no_main]

use conary_core::{files, trove};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(decoded) = trove::decode_untrusted(data) {
        assert_eq!(decoded.encode(), data, "trove re-encodes differently");
    }
    if let Ok(stream) = files::decode_untrusted(data) {
        assert_eq!(stream.encode(), data, "file stream re-encodes differently");
    }
});

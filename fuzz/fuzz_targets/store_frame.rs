//! Offers arbitrary bytes to the blob store as a compressed blob (the
//! check every full payload of a commit passes before it is kept as a
//! zstd frame, `conary_store::frame::check`). Any input must give a clean
//! refusal or the digest and size of what it decodes to, matching a plain
//! decode; never a panic, and never more memory than the window limit.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok((digest, size)) = conary_store::frame::check(data) {
        let decoded = conary_store::frame::decode(data).expect("a checked frame decodes");
        assert_eq!(decoded.len() as u64, size);
        assert_eq!(conary_store::Digest::of(&decoded), digest);
    }
});

//! Parses a `Version` from any UTF-8 input; what parses must print and
//! parse back to the same version.
#![no_main]

use conary_core::version::Version;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(version) = text.parse::<Version>() {
        let printed = version.to_string();
        let reparsed = printed.parse::<Version>().unwrap_or_else(|error| {
            panic!("{printed:?} (from {text:?}) does not reparse: {error}")
        });
        assert_eq!(reparsed, version, "{text:?} printed as {printed:?}");
    }
});

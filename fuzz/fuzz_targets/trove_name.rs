//! Parses a `TroveName` from any UTF-8 input; what parses must print as the
//! input and parse back to the same name.
#![no_main]

use conary_core::name::TroveName;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(name) = text.parse::<TroveName>() {
        let printed = name.to_string();
        assert_eq!(printed, text);
        let reparsed = printed
            .parse::<TroveName>()
            .unwrap_or_else(|error| panic!("{printed:?} does not reparse: {error}"));
        assert_eq!(reparsed, name);
        let _ = (name.kind(), name.package(), name.source());
    }
});

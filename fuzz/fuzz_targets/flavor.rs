//! Parses a `Flavor` from any UTF-8 input; what parses must print and
//! parse back to the same flavor.
#![no_main]

use conary_core::flavor::Flavor;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(flavor) = text.parse::<Flavor>() {
        let printed = flavor.to_string();
        let reparsed = printed.parse::<Flavor>().unwrap_or_else(|error| {
            panic!("{printed:?} (from {text:?}) does not reparse: {error}")
        });
        assert_eq!(reparsed, flavor, "{text:?} printed as {printed:?}");
    }
});

//! Parses a `DependencySet` from any UTF-8 input, as text and as the frozen
//! form; what parses must print (or freeze) and read back to the same set.
#![no_main]

use conary_core::deps::DependencySet;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(set) = text.parse::<DependencySet>() {
        let printed = set.to_string();
        let reparsed = printed.parse::<DependencySet>().unwrap_or_else(|error| {
            panic!("{printed:?} (from {text:?}) does not reparse: {error}")
        });
        assert_eq!(reparsed, set, "{text:?} printed as {printed:?}");
        let frozen = set.freeze();
        let thawed = DependencySet::thaw(&frozen)
            .unwrap_or_else(|error| panic!("{frozen:?} (from {text:?}) does not thaw: {error}"));
        assert_eq!(thawed, set, "{text:?} frozen as {frozen:?}");
    }
    if let Ok(set) = DependencySet::thaw(text) {
        let frozen = set.freeze();
        let thawed = DependencySet::thaw(&frozen)
            .unwrap_or_else(|error| panic!("{frozen:?} (from {text:?}) does not thaw: {error}"));
        assert_eq!(thawed, set, "{text:?} refrozen as {frozen:?}");
    }
});

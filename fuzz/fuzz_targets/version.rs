//! Parses the version types from any UTF-8 input: `Version` (text and
//! frozen forms), `Branch`, `Label` and `VersionSpec`. What parses must print
//! (or freeze) and read back to the same value, and print the same again.
#![no_main]

use conary_core::version::{Branch, Label, Version, VersionSpec};
use libfuzzer_sys::fuzz_target;
use std::fmt::Display;
use std::str::FromStr;

/// Prints `value`, parses the text back, and checks both agree.
fn round_trip<T>(text: &str, value: &T)
where
    T: FromStr + Display + PartialEq + std::fmt::Debug,
    T::Err: Display,
{
    let printed = value.to_string();
    let reparsed = printed
        .parse::<T>()
        .unwrap_or_else(|error| panic!("{printed:?} (from {text:?}) does not reparse: {error}"));
    assert_eq!(&reparsed, value, "{text:?} printed as {printed:?}");
    assert_eq!(
        reparsed.to_string(),
        printed,
        "{text:?}: printing is not stable"
    );
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(version) = text.parse::<Version>() {
        round_trip(text, &version);
    }
    if let Ok(version) = Version::thaw(text) {
        // Eq ignores timestamps, so compare the frozen texts, which hold them.
        let frozen = version.freeze();
        let thawed = Version::thaw(&frozen)
            .unwrap_or_else(|error| panic!("{frozen:?} (from {text:?}) does not thaw: {error}"));
        assert_eq!(thawed.freeze(), frozen, "{text:?} refrozen");
        round_trip(text, &version);
    }
    if let Ok(branch) = text.parse::<Branch>() {
        round_trip(text, &branch);
    }
    if let Ok(label) = text.parse::<Label>() {
        round_trip(text, &label);
    }
    if let Ok(spec) = text.parse::<VersionSpec>() {
        round_trip(text, &spec);
    }
});

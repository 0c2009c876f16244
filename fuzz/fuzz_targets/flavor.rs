//! Parses a `Flavor` from any UTF-8 input, as text and as the frozen form;
//! what parses must print (or freeze) and read back to the same flavor.
//!
//! Explicitly empty classes (`is:` alone) print as nothing, so the text
//! round trip compares with the flavor stripped of them.
#![no_main]

use conary_core::flavor::{Flavor, MergeMode};
use libfuzzer_sys::fuzz_target;

/// The flavor without its explicitly empty classes: merging onto the empty
/// flavor drops them, as printing does.
fn without_empty_classes(flavor: &Flavor) -> Flavor {
    let mut copy = Flavor::new();
    copy.union(flavor, MergeMode::Normal)
        .expect("merging onto the empty flavor never conflicts");
    copy
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(flavor) = text.parse::<Flavor>() {
        let printed = flavor.to_string();
        let reparsed = printed.parse::<Flavor>().unwrap_or_else(|error| {
            panic!("{printed:?} (from {text:?}) does not reparse: {error}")
        });
        assert_eq!(
            reparsed,
            without_empty_classes(&flavor),
            "{text:?} printed as {printed:?}"
        );
        assert_eq!(
            reparsed.to_string(),
            printed,
            "{text:?}: printing is not stable"
        );
        let frozen = flavor.freeze();
        let thawed = Flavor::thaw(&frozen)
            .unwrap_or_else(|error| panic!("{frozen:?} (from {text:?}) does not thaw: {error}"));
        assert_eq!(
            thawed,
            without_empty_classes(&flavor),
            "{text:?} frozen as {frozen:?}"
        );
    }
    if let Ok(flavor) = Flavor::thaw(text) {
        let frozen = flavor.freeze();
        let thawed = Flavor::thaw(&frozen)
            .unwrap_or_else(|error| panic!("{frozen:?} (from {text:?}) does not thaw: {error}"));
        assert_eq!(thawed.freeze(), frozen, "{text:?} refrozen");
    }
});

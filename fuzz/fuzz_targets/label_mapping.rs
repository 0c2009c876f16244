//! Parses `FROM--TO` label mappings (`cvc promote`) from any UTF-8 input,
//! with and without a default label. What parses must print as two full
//! labels that parse back, without a default, to the same mapping.
#![no_main]

use conary_build::clone::LabelMapping;
use conary_core::version::Label;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let default: Label = "conary.example.com@rpl:devel"
        .parse()
        .expect("a valid default label");
    for parsed in [
        LabelMapping::parse(text, Some(&default)),
        LabelMapping::parse(text, None),
    ] {
        let Ok(mapping) = parsed else {
            continue;
        };
        assert_ne!(mapping.from, mapping.to, "{text:?}");
        let printed = format!("{}--{}", mapping.from, mapping.to);
        let reparsed = LabelMapping::parse(&printed, None).unwrap_or_else(|error| {
            panic!("{printed:?} (from {text:?}) does not reparse: {error}")
        });
        assert_eq!(reparsed, mapping, "{text:?} printed as {printed:?}");
    }
});

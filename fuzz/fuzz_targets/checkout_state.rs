//! Parses arbitrary text as a checkout's `CONARY` state file: whatever
//! parses formats and parses back to the same state, never a panic.
#![no_main]

use conary_build::source::CheckoutState;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(state) = CheckoutState::parse(text, std::path::Path::new("CONARY"))
    {
        let again = CheckoutState::parse(&state.format(), std::path::Path::new("CONARY"))
            .expect("a formatted state parses");
        assert_eq!(state, again);
    }
});

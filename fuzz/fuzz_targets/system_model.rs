//! Parses arbitrary text as a system model (`/etc/conary/system-model`,
//! or a model an `include` line reads from a trove): a clean error or a
//! model whose text is exactly what was read, and which parses again to
//! the same model; never a panic.
#![no_main]

use conary_system::model::SystemModel;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(model) = SystemModel::parse(text)
    {
        let formatted = model.format();
        assert_eq!(formatted, text, "an unchanged model keeps its text");
        let again = SystemModel::parse(&formatted).expect("a formatted model parses");
        assert_eq!(model, again);
    }
});

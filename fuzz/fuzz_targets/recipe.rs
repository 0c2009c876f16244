//! Evaluates arbitrary text as a recipe (metadata only, then the whole
//! recipe for the empty flavor): a clean error or a recipe, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = conary_build::recipe::evaluate_metadata("fuzz.recipe", text);
        let context = conary_build::recipe::RecipeContext::default();
        let _ = conary_build::recipe::evaluate("fuzz.recipe", text, &context);
    }
});

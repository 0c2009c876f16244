//! `cvc merge`: bring the parent branch's newer source version into the
//! checkout of a shadow (`conary_build::source::merge_checkout`).

use std::path::Path;

use conary_api::TroveSource;
use conary_build::source::{Checkout, describe_merge, merge_checkout};

/// Runs `cvc merge` in the checkout `dir`; returns the lines to print:
/// `merged NAME:source=VERSION`, then `M FILE` (merged) or `C FILE`
/// (conflict) per file, and which files to resolve before committing.
pub fn run(source: &dyn TroveSource, dir: &Path) -> anyhow::Result<String> {
    let mut checkout = Checkout::open(dir)?;
    let outcome = merge_checkout(&mut checkout, source)?;
    Ok(describe_merge(&outcome))
}

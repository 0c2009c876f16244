//! `conary pin` and `conary unpin`: a pinned trove is never replaced nor
//! erased; its updates are installed beside it.

use std::fmt::Write as _;
use std::path::Path;

use clap::Args;

use crate::system;

/// Arguments of `conary pin` and `conary unpin`.
#[derive(Debug, Clone, Args)]
pub struct PinArgs {
    /// Installed troves, NAME[=VERSION][[FLAVOR]]
    #[arg(value_name = "NAME", required = true)]
    pub names: Vec<String>,
}

/// Pins (or unpins) the named troves; one line per trove changed.
pub fn run(args: &PinArgs, root: &Path, pinned: bool) -> anyhow::Result<String> {
    let mut db = system::open(root)?;
    let tuples = system::installed_for_specs(&db, &args.names)?;
    let verb = if pinned { "pinned" } else { "unpinned" };
    let mut out = String::new();
    for tuple in tuples {
        db.set_pinned(&tuple, pinned).map_err(system::error)?;
        let _ = writeln!(out, "{verb} {tuple}");
    }
    Ok(out)
}

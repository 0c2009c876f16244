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

/// Pins (or unpins) the named troves and their installed members (a
/// package's components), as the original does; one line per trove.
pub fn run(args: &PinArgs, root: &Path, pinned: bool) -> anyhow::Result<String> {
    let mut db = system::open(root)?;
    let mut tuples = Vec::new();
    for tuple in system::installed_for_specs(&db, &args.names)? {
        for member in system::with_members(&db, &tuple)? {
            if !tuples.contains(&member) {
                tuples.push(member);
            }
        }
    }
    let verb = if pinned { "pinned" } else { "unpinned" };
    let mut out = String::new();
    for tuple in tuples {
        db.set_pinned(&tuple, pinned).map_err(system::error)?;
        let _ = writeln!(out, "{verb} {tuple}");
    }
    Ok(out)
}

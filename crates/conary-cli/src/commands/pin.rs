//! `conary pin` and `conary unpin`: a pinned trove is never replaced nor
//! erased; its updates are installed beside it.

use std::fmt::Write as _;
use std::path::Path;

use clap::Args;
use conary_core::trove::TroveTuple;
use conary_system::db::Database;

use super::update::DryRunArgs;
use crate::system;

/// Arguments of `conary pin` and `conary unpin`.
#[derive(Debug, Clone, Default, Args)]
pub struct PinArgs {
    /// Installed troves, NAME[=VERSION][[FLAVOR]]
    #[arg(value_name = "NAME", required = true)]
    pub names: Vec<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub dry_run: DryRunArgs,
}

/// The troves `names` select and their installed members (a package's
/// components: pinning a package pins them too, as in the original).
fn selected(db: &Database, names: &[String]) -> anyhow::Result<Vec<TroveTuple>> {
    let mut tuples = Vec::new();
    for tuple in system::installed_for_specs(db, names)? {
        for member in system::with_members(db, &tuple)? {
            if !tuples.contains(&member) {
                tuples.push(member);
            }
        }
    }
    Ok(tuples)
}

/// Pins (or unpins) the named troves; one line per trove. With `--test`
/// or `--info`, says what it would do.
pub fn run(args: &PinArgs, root: &Path, pinned: bool) -> anyhow::Result<String> {
    let verb = if pinned { "pin" } else { "unpin" };
    // Select first on a read-only handle: a root without those troves
    // (or without a database) is left as it is.
    let tuples = selected(&system::open_readonly(root)?, &args.names)?;
    let mut out = String::new();
    if args.dry_run.test || args.dry_run.info {
        for tuple in &tuples {
            let _ = writeln!(out, "would {verb} {tuple}");
        }
        return Ok(out);
    }
    let mut db = system::open(root)?;
    for tuple in tuples {
        if !db.set_pinned(&tuple, pinned).map_err(system::error)? {
            anyhow::bail!("{tuple} is no longer installed");
        }
        let _ = writeln!(out, "{verb}ned {tuple}");
    }
    Ok(out)
}

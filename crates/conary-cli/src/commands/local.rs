//! Local changes of installed troves: `conary localcs` (them as a
//! changeset), `conary restore` (files removed from disk written back) and
//! `conary remove` (a file no longer managed). `conary verify --diff`
//! shows them (see [`super::verify`]).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::Args;
use conary_api::TroveSource;
use conary_core::trove::TroveTuple;
use conary_system::merge::local::{forget, restore, write_local_changeset};

use crate::system;

/// Arguments of `conary localcs`.
#[derive(Debug, Clone, Default, Args)]
pub struct LocalcsArgs {
    /// The installed trove, NAME[=VERSION][[FLAVOR]] (a package: all its
    /// components)
    #[arg(value_name = "NAME")]
    pub name: String,
    /// Where to write the changeset
    #[arg(value_name = "OUT.ccs")]
    pub out: PathBuf,
}

/// Arguments of `conary restore`.
#[derive(Debug, Clone, Default, Args)]
pub struct RestoreArgs {
    /// Installed troves, NAME[=VERSION][[FLAVOR]] (with their components)
    #[arg(value_name = "NAME", required = true)]
    pub names: Vec<String>,
}

/// Arguments of `conary remove`.
#[derive(Debug, Clone, Default, Args)]
pub struct RemoveArgs {
    /// Installed files to stop managing (they stay on disk)
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<String>,
}

/// The troves `names` select, with their installed members.
fn selected(db: &conary_system::db::Database, names: &[String]) -> anyhow::Result<Vec<TroveTuple>> {
    let mut tuples = Vec::new();
    for tuple in system::installed_for_specs(db, names)? {
        for member in system::with_members(db, &tuple)? {
            if !tuples.contains(&member) {
                tuples.push(member);
            }
        }
    }
    if tuples.is_empty() {
        anyhow::bail!("no installed trove matches {}", names.join(" "));
    }
    Ok(tuples)
}

/// Writes the local changes of installed troves (a package: each of its
/// components with files) as one changeset.
pub fn localcs(args: &LocalcsArgs, root: &Path) -> anyhow::Result<String> {
    let db = system::open_readonly(root)?;
    let mut tuples = Vec::new();
    for tuple in selected(&db, std::slice::from_ref(&args.name))? {
        let has_files = db
            .trove(&tuple)
            .map_err(system::error)?
            .is_some_and(|trove| !trove.files.is_empty());
        if has_files {
            tuples.push(tuple);
        }
    }
    if tuples.is_empty() {
        anyhow::bail!("{} has no files", args.name);
    }
    let owners = conary_system::apply::is_privileged();
    let size = write_local_changeset(&db, &tuples, owners, &args.out).map_err(system::error)?;
    let names: Vec<String> = tuples.iter().map(|t| t.name.to_string()).collect();
    Ok(format!(
        "wrote {} ({size} bytes): local changes of {}\n",
        args.out.display(),
        names.join(" ")
    ))
}

/// Re-creates the files of the named troves removed from disk.
pub fn restore_files(
    args: &RestoreArgs,
    root: &Path,
    source: Option<&dyn TroveSource>,
) -> anyhow::Result<String> {
    let db = system::open(root)?;
    let tuples = selected(&db, &args.names)?;
    let restored = restore(&db, &tuples, false, source).map_err(system::error)?;
    let mut out = String::new();
    for path in &restored.paths {
        let _ = writeln!(out, "restored {path}");
    }
    if restored.paths.is_empty() {
        out.push_str("Nothing to restore\n");
    }
    Ok(out)
}

/// Stops managing the named files.
pub fn remove(args: &RemoveArgs, root: &Path) -> anyhow::Result<String> {
    let mut db = system::open(root)?;
    let mut out = String::new();
    for path in &args.paths {
        let owners = forget(&mut db, path).map_err(system::error)?;
        for owner in owners {
            let _ = writeln!(
                out,
                "{path} is no longer managed by {owner} (the file stays)"
            );
        }
    }
    Ok(out)
}

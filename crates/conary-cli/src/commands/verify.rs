//! `conary verify`: what on disk differs from what was installed.

use std::fmt::Write as _;

use anyhow::Context as _;
use clap::Args;
use conary_api::TroveSource;
use conary_core::trove::TroveTuple;
use conary_system::db::Database;
use conary_system::verify::{Problem, VerifyEntry, VerifyOptions, verify};

use crate::system;

/// Arguments of `conary verify`.
#[derive(Debug, Clone, Default, Args)]
pub struct VerifyArgs {
    /// Installed troves to verify, NAME[=VERSION][[FLAVOR]] (with their
    /// components)
    #[arg(value_name = "NAME", required_unless_present = "all")]
    pub names: Vec<String>,
    /// Verify every installed trove
    #[arg(long, conflicts_with = "names")]
    pub all: bool,
    /// Show a unified diff of each changed text file against its installed
    /// contents (fetched from the repository unless it is a config file)
    #[arg(long)]
    pub diff: bool,
}

/// One line per file that differs (`PATH: what differs`), each followed
/// by its diff with `--diff`; nothing when nothing differs. `source` gives
/// the installed contents of files that are not config files.
pub fn run(
    args: &VerifyArgs,
    db: &Database,
    source: Option<&dyn TroveSource>,
) -> anyhow::Result<String> {
    let options = VerifyOptions {
        owners: conary_system::apply::is_privileged(),
    };
    let entries = if args.all {
        verify(db, None, options).map_err(system::error)?
    } else {
        let mut troves: Vec<TroveTuple> = Vec::new();
        for tuple in system::installed_for_specs(db, &args.names)? {
            for member in system::with_members(db, &tuple)? {
                if !troves.contains(&member) {
                    troves.push(member);
                }
            }
        }
        verify(db, Some(&troves), options).map_err(system::error)?
    };
    let mut out = String::new();
    for entry in &entries {
        let _ = writeln!(out, "{entry}");
        if args.diff && entry.problems.contains(&Problem::Contents) {
            out.push_str(&diff(db, source, entry)?);
        }
    }
    Ok(out)
}

/// The diff of a changed file against its installed contents, when both
/// are text; empty otherwise.
fn diff(
    db: &Database,
    source: Option<&dyn TroveSource>,
    entry: &VerifyEntry,
) -> anyhow::Result<String> {
    let Some(file) = db
        .owners(&entry.path)
        .map_err(system::error)?
        .into_iter()
        .find(|file| file.trove == entry.trove)
    else {
        return Ok(String::new());
    };
    let Some(digest) = file.stream.content_digest() else {
        return Ok(String::new());
    };
    let pristine = match db.config_contents(&digest).map_err(system::error)? {
        Some(bytes) => bytes,
        None => {
            let Some(source) = source else {
                return Ok(String::new());
            };
            let mut bytes = Vec::new();
            source.contents(&digest, &mut bytes).with_context(|| {
                format!("cannot fetch the installed contents of {}", entry.path)
            })?;
            bytes
        }
    };
    let relative = entry.path.trim_start_matches('/');
    let full = db.root().join(relative);
    let current =
        std::fs::read(&full).with_context(|| format!("cannot read {}", full.display()))?;
    let (Some(old), Some(new)) = (text(&pristine), text(&current)) else {
        return Ok("  (binary contents: no diff)\n".to_owned());
    };
    let patch = diffy::DiffOptions::new()
        .set_original_filename(format!("a/{relative}"))
        .set_modified_filename(format!("b/{relative}"))
        .create_patch(old, new)
        .to_string();
    Ok(patch)
}

/// The bytes as text, if they are text (UTF-8 without NUL).
fn text(bytes: &[u8]) -> Option<&str> {
    std::str::from_utf8(bytes)
        .ok()
        .filter(|text| !text.contains('\0'))
}

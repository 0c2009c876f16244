//! `conary changeset SPEC… OUT.ccs`: fetch a changeset from the
//! repositories into a file.

use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;
use conary_api::find::Finder;
use conary_api::{Job, TroveSource};
use conary_core::config::Config;
use conary_core::spec::{ChangeSpec, TroveSpec, parse_change_list};
use conary_core::trove::TroveTuple;
use conary_util::AtomicFile;

use super::rq::finder;

/// Arguments of `conary changeset`.
#[derive(Debug, Clone, Args)]
pub struct ChangesetArgs {
    /// NAME=OLD--NEW (relative), NAME=VERSION (absolute) or -NAME[=VERSION]
    /// (erase; after `--`), then the file to write
    #[arg(value_name = "SPEC… OUT.ccs", required = true, num_args = 2..)]
    pub args: Vec<String>,
    /// Leave out the troves the named troves include (a package's components)
    #[arg(long)]
    pub no_recurse: bool,
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The file.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// The jobs it holds.
    pub jobs: Vec<Job>,
}

/// Resolves the specs, fetches the changeset and writes it (atomically).
pub fn run(
    args: &ChangesetArgs,
    config: &Config,
    source: &dyn TroveSource,
) -> anyhow::Result<Written> {
    let Some((out, specs)) = args.args.split_last() else {
        anyhow::bail!("give SPEC… OUT.ccs");
    };
    if specs.is_empty() {
        anyhow::bail!("give at least one trove spec before {out}");
    }
    let finder = finder(config, source);
    let changes = parse_change_list(specs).context("invalid change spec")?;
    let jobs = changes
        .iter()
        .map(|change| job(&finder, change))
        .collect::<anyhow::Result<Vec<Job>>>()?;
    let path = PathBuf::from(out);
    let bytes = write(source, &jobs, !args.no_recurse, &path)?;
    Ok(Written { path, bytes, jobs })
}

/// The job one change spec asks for.
fn job(finder: &Finder<'_>, change: &ChangeSpec) -> anyhow::Result<Job> {
    let one = |spec: &TroveSpec| -> anyhow::Result<TroveTuple> { Ok(finder.find_one(spec)?) };
    Ok(match change {
        ChangeSpec::Unmarked(spec) | ChangeSpec::Install(spec) => {
            let new = one(spec)?;
            Job::install(new.name, new.version, new.flavor)
        }
        ChangeSpec::Erase(spec) => {
            let old = one(spec)?;
            Job::erase(old.name, old.version, old.flavor)
        }
        ChangeSpec::Transition(transition) => {
            let old = transition.old().map(one).transpose()?;
            let new = transition.new_side().map(one).transpose()?;
            match (old, new) {
                (Some(old), Some(new)) => Job::update(
                    new.name.clone(),
                    (old.version, old.flavor),
                    (new.version, new.flavor),
                ),
                (None, Some(new)) => Job::install(new.name, new.version, new.flavor),
                (Some(old), None) => Job::erase(old.name, old.version, old.flavor),
                (None, None) => anyhow::bail!("'{change}' names no version"),
            }
        }
    })
}

/// Writes the changeset of `jobs` to `path` through a temporary file in
/// the same directory, renamed into place once whole.
fn write(
    source: &dyn TroveSource,
    jobs: &[Job],
    recurse: bool,
    path: &Path,
) -> anyhow::Result<u64> {
    let file =
        AtomicFile::create(path).with_context(|| format!("cannot write {}", path.display()))?;
    let mut out = BufWriter::new(file.as_file());
    let bytes = source.changeset(jobs, recurse, &mut out)?;
    out.flush()
        .with_context(|| format!("cannot write {}", path.display()))?;
    drop(out);
    file.commit()
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(bytes)
}

//! `cvc import-deb FILE.deb… --label L`: Debian packages into a repository.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;
use conary_api::{TroveQuery, TroveSource};
use conary_build::import::batch::{ImportProgress, ImportTarget, TargetError, import_batch};
use conary_core::flavor::Flavor;
use conary_core::name::TroveName;
use conary_core::version::{Branch, Label, Version};

/// Arguments of `cvc import-deb`.
#[derive(Debug, Clone, Args)]
pub struct ImportDebArgs {
    /// The .deb files, in any order (they are imported oldest first)
    #[arg(value_name = "FILE.deb", required = true)]
    pub files: Vec<PathBuf>,
    /// The label to import onto, HOST@NAMESPACE:TAG
    #[arg(long, value_name = "LABEL")]
    pub label: String,
    /// Import a package even when its branch has a newer version
    #[arg(long)]
    pub force: bool,
}

/// A repository as the import's target: versions through a trove source,
/// commits through `commit`.
pub struct SourceTarget<'a> {
    /// Where versions are looked up.
    pub source: &'a dyn TroveSource,
    /// Commits a changeset file; `true` when anything was new.
    pub commit: &'a dyn Fn(&Path) -> Result<bool, TargetError>,
}

impl ImportTarget for SourceTarget<'_> {
    fn versions_on_branch(
        &self,
        name: &TroveName,
        branch: &Branch,
    ) -> Result<Vec<(Version, Flavor)>, TargetError> {
        let query = TroveQuery::on_branch(branch.clone())
            .named([name.clone()])
            .all_versions();
        Ok(self
            .source
            .trove_versions(&query)?
            .into_iter()
            .filter(|tuple| &tuple.name == name)
            .map(|tuple| (tuple.version, tuple.flavor))
            .collect())
    }

    fn commit(&self, changeset: &Path) -> Result<bool, TargetError> {
        (self.commit)(changeset)
    }
}

/// Imports the files; returns one line per package, `imported
/// NAME=VERSION` or `already present NAME=VERSION`.
pub fn run(
    args: &ImportDebArgs,
    target: &dyn ImportTarget,
    progress: &dyn ImportProgress,
) -> anyhow::Result<String> {
    let label: Label = args
        .label
        .parse()
        .with_context(|| format!("invalid --label '{}'", args.label))?;
    let spool = tempfile::Builder::new()
        .prefix("cvc-import-")
        .tempdir()
        .context("cannot create a spool directory")?;
    let outcomes = import_batch(
        &args.files,
        &label,
        args.force,
        target,
        spool.path(),
        progress,
    )?;
    let mut out = String::new();
    for outcome in &outcomes {
        let _ = writeln!(
            out,
            "{} {}={}",
            outcome.status.word(),
            outcome.tuple.name,
            outcome.tuple.version
        );
    }
    Ok(out)
}

//! `cvc import-deb FILE.deb… --label L` as one operation: plan the batch
//! (read each control file, order oldest first), then for each package
//! check it against what its branch already holds, import it into an
//! absolute changeset in a spool directory, and commit it.
//!
//! Where versions are looked up and changesets committed is the caller's
//! [`ImportTarget`] (the CLI's network source, or a local repository in
//! tests); what is reported while it runs is the caller's
//! [`ImportProgress`]. Nothing here prints or touches the network.
//!
//! ```rust
//! use conary_build::import::batch::{ImportStatus, NoImportProgress, import_batch};
//! # use conary_build::import::batch::{ImportTarget, TargetError};
//! # struct Nowhere;
//! # impl ImportTarget for Nowhere {
//! #     fn versions_on_branch(&self, _: &conary_core::name::TroveName, _: &conary_core::version::Branch)
//! #         -> Result<Vec<(conary_core::version::Version, conary_core::flavor::Flavor)>, TargetError> { Ok(Vec::new()) }
//! #     fn commit(&self, _: &std::path::Path) -> Result<bool, TargetError> { Ok(true) }
//! # }
//! let spool = tempfile::tempdir()?;
//! let none: [&str; 0] = [];
//! let outcomes = import_batch(&none, &"deb.example.com@debian:12".parse()?, false, &Nowhere, spool.path(), &NoImportProgress)?;
//! assert!(outcomes.is_empty());
//! # let _ = ImportStatus::Imported;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fs::File;
use std::io::{BufReader, BufWriter, Write as _};
use std::path::Path;

use conary_core::flavor::Flavor;
use conary_core::name::TroveName;
use conary_core::trove::TroveTuple;
use conary_core::version::{Branch, Label, Version};
use conary_store::FsStore;

use super::error::ImportError;
use super::order::{ImportCandidate, ImportCheck, check_import, order_for_import};
use super::package::{ImportOptions, import_deb, import_version};
use super::relations::flavor_for_architecture;
use super::sink::StoreSink;

/// Why the target could not answer or commit, in its own words (one line).
pub type TargetError = Box<dyn std::error::Error + Send + Sync>;

/// Where a batch is imported to: the repository holding the label.
pub trait ImportTarget {
    /// The versions and flavors of trove `name` already on `branch`.
    fn versions_on_branch(
        &self,
        name: &TroveName,
        branch: &Branch,
    ) -> Result<Vec<(Version, Flavor)>, TargetError>;

    /// Commits the changeset file at `changeset`; `true` when its troves
    /// were new, `false` when the repository already had them all.
    fn commit(&self, changeset: &Path) -> Result<bool, TargetError>;
}

/// What a batch reports while it runs (the CLI draws a bar or prints
/// lines). Every method has an empty default.
pub trait ImportProgress {
    /// The batch holds `total` packages, in the order they will be imported.
    fn on_plan(&self, total: usize) {
        let _ = total;
    }

    /// Work on `candidate` starts.
    fn on_start(&self, candidate: &ImportCandidate) {
        let _ = candidate;
    }

    /// `candidate` is done.
    fn on_done(&self, outcome: &ImportOutcome) {
        let _ = outcome;
    }
}

/// Reports nothing.
///
/// ```rust
/// conary_build::import::batch::ImportProgress::on_plan(&conary_build::import::batch::NoImportProgress, 3);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct NoImportProgress;

impl ImportProgress for NoImportProgress {}

/// What happened to one package.
///
/// ```rust
/// assert_eq!(conary_build::import::batch::ImportStatus::AlreadyPresent.word(), "already present");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportStatus {
    /// Committed: it is on the branch now.
    Imported,
    /// Committed although older than the newest on the branch (forced).
    ImportedOlder,
    /// The branch had it already; nothing was committed.
    AlreadyPresent,
}

impl ImportStatus {
    /// `imported` or `already present`, as `cvc import-deb` prints it.
    pub fn word(self) -> &'static str {
        match self {
            ImportStatus::Imported | ImportStatus::ImportedOlder => "imported",
            ImportStatus::AlreadyPresent => "already present",
        }
    }
}

/// One package of a batch and what became of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportOutcome {
    /// The `.deb` it came from.
    pub candidate: ImportCandidate,
    /// The package trove (for [`ImportStatus::AlreadyPresent`], the one on
    /// the branch).
    pub tuple: TroveTuple,
    /// What happened.
    pub status: ImportStatus,
}

/// Why a batch stopped. Packages before the one named were done.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// A `.deb` could not be read, mapped or checked.
    #[error("{0}")]
    Import(#[from] ImportError),
    /// The target could not list the versions of a package.
    #[error("cannot list the versions of {package} on {branch}: {reason}")]
    Versions {
        /// The trove name.
        package: String,
        /// The branch.
        branch: String,
        /// The target's message.
        reason: String,
    },
    /// The target refused or failed the commit.
    #[error("cannot commit {package}: {reason}")]
    Commit {
        /// The package, `NAME=VERSION`.
        package: String,
        /// The target's message.
        reason: String,
    },
    /// The changeset could not be written to the spool.
    #[error("cannot write the changeset of {package} in {spool}: {reason}")]
    Spool {
        /// The package, `NAME=VERSION`.
        package: String,
        /// The spool directory.
        spool: String,
        /// What failed.
        reason: String,
    },
}

/// Imports `paths` onto `label`: oldest first, each checked against the
/// versions on the branch (older ones refused unless `force`, ones already
/// there skipped), imported into an absolute changeset in `spool` (a
/// directory the caller removes) and committed to `target`. Stops at the
/// first failure; packages before it stay committed.
pub fn import_batch<P: AsRef<Path>>(
    paths: &[P],
    label: &Label,
    force: bool,
    target: &dyn ImportTarget,
    spool: &Path,
    progress: &dyn ImportProgress,
) -> Result<Vec<ImportOutcome>, BatchError> {
    let candidates = order_for_import(paths)?;
    progress.on_plan(candidates.len());
    let branch = Branch::new(label.clone());
    let spool_error = |package: String, reason: String| BatchError::Spool {
        package,
        spool: spool.display().to_string(),
        reason,
    };
    let store = FsStore::open(spool.join("contents"))
        .map_err(|error| spool_error("the batch".to_owned(), error.to_string()))?;
    let mut outcomes = Vec::with_capacity(candidates.len());
    for candidate in candidates {
        progress.on_start(&candidate);
        let outcome = import_one(candidate, label, &branch, force, target, spool, &store)?;
        progress.on_done(&outcome);
        outcomes.push(outcome);
    }
    Ok(outcomes)
}

/// Checks, imports and commits one package.
fn import_one(
    candidate: ImportCandidate,
    label: &Label,
    branch: &Branch,
    force: bool,
    target: &dyn ImportTarget,
    spool: &Path,
    store: &FsStore,
) -> Result<ImportOutcome, BatchError> {
    let name: TroveName = candidate.package.parse().map_err(ImportError::from)?;
    let flavor = flavor_for_architecture(&candidate.architecture)?;
    let on_branch =
        target
            .versions_on_branch(&name, branch)
            .map_err(|error| BatchError::Versions {
                package: name.to_string(),
                branch: branch.to_string(),
                reason: error.to_string(),
            })?;
    let check = check_import(
        &candidate.package,
        &candidate.version,
        &flavor,
        &on_branch,
        force,
    )?;
    if let ImportCheck::AlreadyImported { version } = check {
        let tuple = TroveTuple::new(name, version, flavor);
        return Ok(ImportOutcome {
            candidate,
            tuple,
            status: ImportStatus::AlreadyPresent,
        });
    }
    let shown = format!("{name}={}", import_version(label, &candidate.version)?);
    let file = File::open(&candidate.path).map_err(|source| ImportError::Open {
        path: candidate.path.display().to_string(),
        source,
    })?;
    let mut sink = StoreSink::new(store);
    let imported = import_deb(
        BufReader::new(file),
        label,
        &ImportOptions::default(),
        &mut sink,
    )?;
    let changeset = imported
        .to_changeset(&sink)
        .map_err(|error| BatchError::Spool {
            package: shown.clone(),
            spool: spool.display().to_string(),
            reason: error.to_string(),
        })?;
    let ccs = spool.join("import.ccs");
    let write = || -> Result<(), Box<dyn std::error::Error>> {
        let mut out = BufWriter::new(File::create(&ccs)?);
        conary_changeset::write_changeset(&mut out, &changeset, &sink)?;
        out.flush()?;
        Ok(())
    };
    write().map_err(|error| BatchError::Spool {
        package: shown.clone(),
        spool: spool.display().to_string(),
        reason: error.to_string(),
    })?;
    let new = target.commit(&ccs).map_err(|error| BatchError::Commit {
        package: shown,
        reason: error.to_string(),
    })?;
    let status = match (new, check) {
        (false, _) => ImportStatus::AlreadyPresent,
        (true, ImportCheck::ForcedOlder { .. }) => ImportStatus::ImportedOlder,
        (true, _) => ImportStatus::Imported,
    };
    Ok(ImportOutcome {
        candidate,
        tuple: imported.tuple(),
        status,
    })
}

#[cfg(test)]
mod tests;

//! The seam between where troves come from and who uses them.
//!
//! - [`TroveSource`]: the trait the update planner (`conary-system`) and the
//!   build tools (`conary-build`) take, so they never depend on the network.
//!   `conary-client` implements it over HTTP; `conary-repository` implements
//!   it over a local repository directory (tests, the server itself); a
//!   changeset file can implement it too (`conary update --from-file`).
//! - [`wire`]: the JSON bodies of the HTTP API under `/api/v1/` (DESIGN §3).
//!   Versions travel in their frozen form so timestamps survive; flavors and
//!   dependency sets in their canonical text forms.
//! - [`find`]: troves for trove specs on an install label path, through any
//!   [`TroveSource`] (latest matching version, best flavor).
//!
//! ```rust
//! use conary_api::{Job, TroveQuery, Location};
//! let query = TroveQuery::on_label("conary.example.com@plat:1".parse().expect("label"))
//!     .named(["sudo".parse().expect("name")]);
//! assert!(!query.all_versions);
//! let job = Job::erase("sudo".parse().expect("name"),
//!     "/conary.example.com@plat:1/1.9-1-1".parse().expect("version"), Default::default());
//! assert!(job.new.is_none());
//! # let _ = Location::Label("a@b:c".parse().expect("label"));
//! ```

pub mod find;
pub mod wire;

use std::collections::BTreeMap;
use std::io::Write;

use conary_core::deps::{Dependency, DependencySet};
use conary_core::digest::Digest;
use conary_core::flavor::Flavor;
use conary_core::name::TroveName;
use conary_core::trove::{Trove, TroveTuple};
use conary_core::version::{Branch, Label, Version};

/// Where to look for troves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// Every branch whose trailing label is this label.
    Label(Label),
    /// Exactly this branch.
    Branch(Branch),
}

/// A question for a [`TroveSource`]: which versions of which troves exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TroveQuery {
    /// Names asked for; `None` asks for every trove at the location.
    pub names: Option<Vec<TroveName>>,
    /// Where to look.
    pub location: Location,
    /// Every version, not only the latest of each branch and flavor.
    pub all_versions: bool,
}

impl TroveQuery {
    /// The latest troves on a label.
    pub fn on_label(label: Label) -> TroveQuery {
        TroveQuery {
            names: None,
            location: Location::Label(label),
            all_versions: false,
        }
    }

    /// The latest troves on a branch.
    pub fn on_branch(branch: Branch) -> TroveQuery {
        TroveQuery {
            names: None,
            location: Location::Branch(branch),
            all_versions: false,
        }
    }

    /// Restricts the query to these names.
    pub fn named(mut self, names: impl IntoIterator<Item = TroveName>) -> TroveQuery {
        self.names = Some(names.into_iter().collect());
        self
    }

    /// Asks for every version instead of the latest.
    pub fn all_versions(mut self) -> TroveQuery {
        self.all_versions = true;
        self
    }
}

/// One trove's change in a job: install (`old` is `None`), update, or erase
/// (`new` is `None`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Job {
    /// The trove's name.
    pub name: TroveName,
    /// What is installed now.
    pub old: Option<(Version, Flavor)>,
    /// What should be installed.
    pub new: Option<(Version, Flavor)>,
}

impl Job {
    /// A fresh install (an absolute changeset).
    pub fn install(name: TroveName, version: Version, flavor: Flavor) -> Job {
        Job {
            name,
            old: None,
            new: Some((version, flavor)),
        }
    }

    /// An update from one version to another (a relative changeset).
    pub fn update(name: TroveName, old: (Version, Flavor), new: (Version, Flavor)) -> Job {
        Job {
            name,
            old: Some(old),
            new: Some(new),
        }
    }

    /// An erasure.
    pub fn erase(name: TroveName, version: Version, flavor: Flavor) -> Job {
        Job {
            name,
            old: Some((version, flavor)),
            new: None,
        }
    }

    /// The new trove, when the job installs or updates one.
    pub fn new_tuple(&self) -> Option<TroveTuple> {
        self.new.as_ref().map(|(version, flavor)| {
            TroveTuple::new(self.name.clone(), version.clone(), flavor.clone())
        })
    }

    /// The old trove, when the job updates or erases one.
    pub fn old_tuple(&self) -> Option<TroveTuple> {
        self.old.as_ref().map(|(version, flavor)| {
            TroveTuple::new(self.name.clone(), version.clone(), flavor.clone())
        })
    }
}

/// Why a [`TroveSource`] could not answer.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The trove, version, or blob does not exist there.
    #[error("not found: {0}")]
    NotFound(String),
    /// Credentials are missing or wrong.
    #[error("authentication failed: {0}")]
    Unauthorized(String),
    /// The identity may not do this.
    #[error("permission denied: {0}")]
    Denied(String),
    /// The source could not be reached or failed.
    #[error("repository unavailable: {0}")]
    Unavailable(String),
    /// The source sent something that is not valid.
    #[error("invalid data from repository: {0}")]
    Invalid(String),
    /// A local read or write failed.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
}

/// Where troves, changesets and contents come from.
///
/// Implementations: a repository over HTTP (`conary-client`), a local
/// repository (`conary-repository`), a changeset file.
pub trait TroveSource {
    /// The troves (name, version, flavor) that answer a query.
    fn trove_versions(&self, query: &TroveQuery) -> Result<Vec<TroveTuple>, SourceError>;

    /// The manifests of these troves, in the same order.
    fn troves(&self, tuples: &[TroveTuple]) -> Result<Vec<Trove>, SourceError>;

    /// Writes one changeset (`.ccs`) for these jobs to `out`; with `recurse`,
    /// the jobs of the troves they include come along. Returns bytes written.
    fn changeset(
        &self,
        jobs: &[Job],
        recurse: bool,
        out: &mut dyn Write,
    ) -> Result<u64, SourceError>;

    /// Writes a changeset for these jobs whose file contents may be left
    /// out (each as a reference), for callers that read only its troves
    /// and file streams: shadowing, cloning and promoting need
    /// the streams of the troves they relabel, never their contents. The
    /// default writes the whole changeset ([`TroveSource::changeset`]).
    fn streams_changeset(
        &self,
        jobs: &[Job],
        recurse: bool,
        out: &mut dyn Write,
    ) -> Result<u64, SourceError> {
        self.changeset(jobs, recurse, out)
    }

    /// Writes the contents with this digest to `out`, verified.
    fn contents(&self, digest: &Digest, out: &mut dyn Write) -> Result<u64, SourceError>;

    /// For each requirement, the troves on these labels that provide it.
    fn dep_suggestions(
        &self,
        labels: &[Label],
        requires: &DependencySet,
    ) -> Result<BTreeMap<Dependency, Vec<TroveTuple>>, SourceError>;
}

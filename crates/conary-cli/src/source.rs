//! The repositories a configuration names, as the commands use them: a
//! [`TroveSource`] for queries and changesets, and commits.

use std::path::Path;

use conary_api::TroveSource;
use conary_build::import::batch::TargetError;
use conary_core::config::Config;
use conary_core::version::Label;

/// What the commands need of the configured repositories.
pub trait Repositories {
    /// Queries, manifests and changesets, routed by label host.
    fn source(&self) -> &dyn TroveSource;

    /// Commits the changeset file at `changeset` to the repository holding
    /// `label`; `true` when any of its troves was new.
    fn commit(&self, label: &Label, changeset: &Path) -> Result<bool, TargetError>;
}

/// The repositories of `config` (`repositoryMap`, `user`, `entitlement`).
pub fn open(config: &Config) -> anyhow::Result<Box<dyn Repositories>> {
    Ok(Box::new(crate::network::Network::from_config(config)?))
}

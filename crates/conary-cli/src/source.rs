//! The repositories a configuration names, as the commands use them:
//! `conary-client`'s [`NetworkSource`], a [`TroveSource`] routed by label
//! host (queries, manifests, changesets with contents fetched from the
//! hosts that hold them) that also commits.
//!
//! [`TroveSource`]: conary_api::TroveSource

use std::path::Path;
use std::sync::Arc;

use conary_build::import::batch::TargetError;
use conary_client::{NetworkSource, Options};
use conary_core::config::Config;

use crate::progress::DownloadReporter;

/// The repositories of `config` (`repositoryMap`, `user`, `entitlement`),
/// reporting content downloads on standard error when it is a terminal.
pub fn open(config: &Config) -> anyhow::Result<NetworkSource> {
    let source = NetworkSource::from_config(config, Options::default())?
        .with_progress(Arc::new(DownloadReporter::stderr()));
    Ok(source)
}

/// Commits the changeset file at `path` to the repository of its troves,
/// as an import's target does: `true` when any trove was new.
pub fn commit_for_import(source: &NetworkSource, path: &Path) -> Result<bool, TargetError> {
    Ok(!source.commit_file(path)?.committed.is_empty())
}

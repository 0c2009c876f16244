//! [`LocalSource`]: a repository directory as a
//! [`conary_api::TroveSource`], seen as one caller sees it.

use std::collections::BTreeMap;
use std::io::{self, Write};

use conary_api::{Job, SourceError, TroveQuery, TroveSource};
use conary_core::deps::{Dependency, DependencySet};
use conary_core::digest::Digest;
use conary_core::trove::{Trove, TroveTuple};
use conary_core::version::Label;

use crate::access::Identity;
use crate::error::RepositoryError;
use crate::query::Query;
use crate::repo::Repository;

/// A local repository as a trove source for `identity`: what the update
/// planner and the build tools take, without a server in between (tests,
/// tools run on the repository host).
///
/// ```rust
/// use conary_api::{TroveQuery, TroveSource};
/// use conary_repository::{Credentials, LocalSource, Repository};
/// let dir = tempfile::tempdir()?;
/// let repository = Repository::init(dir.path(), "conary.example.com")?;
/// repository.set_anonymous(true)?;
/// let source = LocalSource::new(&repository, repository.authenticate(&Credentials::None)?);
/// let query = TroveQuery::on_label("conary.example.com@rpl:2".parse()?);
/// assert!(source.trove_versions(&query)?.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct LocalSource<'r> {
    repository: &'r Repository,
    identity: Identity,
}

impl<'r> LocalSource<'r> {
    /// `repository` as `identity` sees it.
    pub fn new(repository: &'r Repository, identity: Identity) -> Self {
        Self {
            repository,
            identity,
        }
    }

    /// The caller this source answers for.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }
}

impl From<RepositoryError> for SourceError {
    fn from(error: RepositoryError) -> Self {
        if error.is_not_found() {
            SourceError::NotFound(error.to_string())
        } else if error.is_authentication() {
            SourceError::Unauthorized(error.to_string())
        } else if error.is_denied() {
            SourceError::Denied(error.to_string())
        } else if error.is_invalid_request() || error.is_conflict() {
            SourceError::Invalid(error.to_string())
        } else {
            SourceError::Unavailable(crate::error::chain(&error))
        }
    }
}

impl TroveSource for LocalSource<'_> {
    fn trove_versions(&self, query: &TroveQuery) -> Result<Vec<TroveTuple>, SourceError> {
        Ok(self
            .repository
            .trove_versions(&Query::from(query), &self.identity)?)
    }

    fn troves(&self, tuples: &[TroveTuple]) -> Result<Vec<Trove>, SourceError> {
        Ok(self.repository.manifests(tuples, &self.identity)?)
    }

    fn changeset(
        &self,
        jobs: &[Job],
        recurse: bool,
        out: &mut dyn Write,
    ) -> Result<u64, SourceError> {
        Ok(self
            .repository
            .changeset(jobs, recurse, &self.identity, out)?)
    }

    fn streams_changeset(
        &self,
        jobs: &[Job],
        recurse: bool,
        out: &mut dyn Write,
    ) -> Result<u64, SourceError> {
        Ok(self
            .repository
            .streams_changeset(jobs, recurse, &self.identity, out)?)
    }

    fn contents(&self, digest: &Digest, out: &mut dyn Write) -> Result<u64, SourceError> {
        self.repository
            .check_contents_access(digest, &self.identity)?;
        let mut reader = self
            .repository
            .store()
            .get(digest)
            .map_err(RepositoryError::from)?;
        Ok(io::copy(&mut reader, out)?)
    }

    fn dep_suggestions(
        &self,
        labels: &[Label],
        requires: &DependencySet,
    ) -> Result<BTreeMap<Dependency, Vec<TroveTuple>>, SourceError> {
        Ok(self
            .repository
            .dep_suggestions(labels, requires, &self.identity)?)
    }
}

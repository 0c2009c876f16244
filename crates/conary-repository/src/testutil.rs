//! Fixtures for the unit tests: repositories, identities and troves.

use std::collections::{BTreeMap, BTreeSet};

use conary_core::digest::{Digest, FileId, PathId};
use conary_core::files::{FileKind, FileStream, Mode};
use conary_core::trove::Trove;
use conary_core::version::Version;

use crate::access::{Acl, Identity, Subject};
use crate::commit::Parts;
use crate::error::RepositoryError;
use crate::record::CommitResult;
use crate::repo::Repository;

pub(crate) const HOST: &str = "conary.example.com";
pub(crate) const LABEL: &str = "conary.example.com@rpl:2";

/// A repository in a temporary directory.
pub(crate) fn repository() -> (tempfile::TempDir, Repository) {
    let dir = tempfile::tempdir().expect("temp dir");
    let repository = Repository::init(dir.path(), HOST).expect("init");
    (dir, repository)
}

/// An admin user.
pub(crate) fn admin() -> Identity {
    Identity::new(
        Subject::User("root".into()),
        true,
        BTreeSet::new(),
        Vec::new(),
    )
}

/// A user with these ACLs.
pub(crate) fn user(name: &str, acls: Vec<Acl>) -> Identity {
    Identity::new(Subject::User(name.into()), false, BTreeSet::new(), acls)
}

/// An ACL from text patterns.
pub(crate) fn acl(label: &str, troves: &str) -> Acl {
    Acl::new(
        label.parse().expect("label pattern"),
        troves.parse().expect("trove pattern"),
    )
}

/// A plain version (no timestamps).
pub(crate) fn version(text: &str) -> Version {
    text.parse().expect("version")
}

/// What a commit brings.
#[derive(Default)]
pub(crate) struct Bundle {
    pub(crate) troves: Vec<Trove>,
    pub(crate) streams: BTreeMap<FileId, FileStream>,
    pub(crate) contents: BTreeMap<Digest, Vec<u8>>,
}

impl Bundle {
    /// Adds a component `name` at `version` with regular files (path,
    /// contents); file versions are the trove's version.
    pub(crate) fn component(
        &mut self,
        name: &str,
        version: &Version,
        files: &[(&str, &[u8])],
    ) -> &mut Trove {
        let mut trove = Trove::new(
            name.parse().expect("name"),
            version.clone(),
            Default::default(),
        );
        for (path, contents) in files {
            let stream = regular(contents);
            trove.add_file(
                PathId::derive(path.as_bytes()),
                path,
                stream.file_id(),
                version.clone(),
            );
            self.contents
                .insert(Digest::of(contents), contents.to_vec());
            self.streams.insert(stream.file_id(), stream);
        }
        self.troves.push(trove);
        self.troves.last_mut().expect("just pushed")
    }

    /// Commits everything as `identity`.
    pub(crate) fn commit(
        &self,
        repository: &Repository,
        identity: &Identity,
    ) -> Result<CommitResult, RepositoryError> {
        let parts = Parts {
            troves: self.troves.clone(),
            carried: self.contents.keys().copied().collect(),
            deltas: BTreeMap::new(),
        };
        repository.commit_parts(
            &parts,
            &self.streams,
            |_, batch, plan| {
                for (digest, contents) in &self.contents {
                    if !plan.skip.contains(digest) {
                        batch.put_bytes(contents)?;
                    }
                }
                Ok(())
            },
            identity,
        )
    }
}

/// The stream of a regular file with `contents`.
pub(crate) fn regular(contents: &[u8]) -> FileStream {
    let kind = FileKind::Regular {
        size: contents.len() as u64,
        digest: Digest::of(contents),
        link_group: None,
    };
    FileStream::new(kind, Mode::new(0o644).expect("mode"), "root", "root")
}

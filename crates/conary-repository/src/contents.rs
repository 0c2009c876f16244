//! Who may read which contents.
//!
//! Contents are served to a caller who may read some trove holding them
//! that is not marked removed. Contents no trove holds (uploaded ahead of
//! a commit) are served only to callers who may read everything. Contents
//! that only removed troves, or only troves hidden from the caller, hold
//! are not found.
//!
//! The same rule limits what a commit may reference without carrying (see
//! [`crate::Repository::commit`]): only contents the committer could
//! already read, so that committing a trove is never a way to read
//! contents one knows only the digest of.

use std::io::{self, Read};

use conary_changeset::ContentSource;
use conary_core::digest::Digest;
use conary_store::{BlobStore, StoreError};

use crate::access::{Action, Identity};
use crate::error::RepositoryError;
use crate::repo::Repository;

/// The blob store as a [`ContentSource`] for building, writing and
/// reading changesets (bases of deltas, contents of new files).
pub(crate) struct StoreContents<'s>(pub(crate) &'s dyn BlobStore);

impl ContentSource for StoreContents<'_> {
    fn open(&self, digest: &Digest) -> io::Result<Option<Box<dyn Read + '_>>> {
        match self.0.get(digest) {
            Ok(reader) => Ok(Some(reader)),
            Err(StoreError::NotFound { .. }) => Ok(None),
            Err(error) => Err(io::Error::other(error)),
        }
    }

    fn open_frame(&self, digest: &Digest) -> io::Result<Option<Vec<u8>>> {
        match self.0.get_frame(digest) {
            Ok(frame) => Ok(frame),
            Err(StoreError::NotFound { .. }) => Ok(None),
            Err(error) => Err(io::Error::other(error)),
        }
    }
}

/// What a caller may do with some contents, by the troves that hold them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ContentsAccess {
    /// A trove the caller may read, not marked removed, holds them. Being
    /// held by a committed trove, they are durable in the store.
    Held,
    /// No trove holds them, and the caller may read everything.
    Unheld,
    /// Troves hold them, but none the caller may read that is not removed.
    Hidden,
    /// No trove holds them, and the caller may not read everything.
    Denied,
}

impl ContentsAccess {
    /// Whether the caller may read the contents.
    pub(crate) fn readable(self) -> bool {
        matches!(self, Self::Held | Self::Unheld)
    }
}

impl Repository {
    /// Checks that `identity` may read the contents `digest` (whether they
    /// are stored is not checked): `Ok(())`,
    /// [`RepositoryError::ContentsNotFound`] or [`RepositoryError::Denied`].
    pub fn check_contents_access(
        &self,
        digest: &Digest,
        identity: &Identity,
    ) -> Result<(), RepositoryError> {
        match self.contents_access(digest, identity)? {
            ContentsAccess::Held | ContentsAccess::Unheld => Ok(()),
            ContentsAccess::Hidden => Err(RepositoryError::ContentsNotFound {
                digest: digest.to_string(),
            }),
            ContentsAccess::Denied => Err(RepositoryError::Denied {
                subject: identity.subject().to_string(),
                action: "read",
                trove: format!("contents {digest} that no trove holds"),
            }),
        }
    }

    /// What `identity` may do with the contents `digest` (whether they are
    /// stored is not checked).
    pub(crate) fn contents_access(
        &self,
        digest: &Digest,
        identity: &Identity,
    ) -> Result<ContentsAccess, RepositoryError> {
        let action = "finding the troves that hold contents";
        let connection = self.connection();
        let mut statement = connection
            .prepare_cached(
                "SELECT t.name, l.label, i.removed FROM file_streams s
                 JOIN trove_files tf ON tf.stream_id = s.id
                 JOIN instances i ON i.id = tf.instance_id
                 JOIN items t ON t.id = i.item_id
                 JOIN branches b ON b.id = i.branch_id
                 JOIN labels l ON l.id = b.label_id
                 WHERE s.content_digest = ?1",
            )
            .map_err(RepositoryError::database(action))?;
        let mut rows = statement
            .query([digest.as_bytes().as_slice()])
            .map_err(RepositoryError::database(action))?;
        let mut held = false;
        while let Some(row) = rows.next().map_err(RepositoryError::database(action))? {
            held = true;
            let name: String = row.get(0).map_err(RepositoryError::database(action))?;
            let label: String = row.get(1).map_err(RepositoryError::database(action))?;
            let removed: bool = row.get(2).map_err(RepositoryError::database(action))?;
            if !removed && identity.can(Action::Read, &label, &name) {
                return Ok(ContentsAccess::Held);
            }
        }
        Ok(if held {
            ContentsAccess::Hidden
        } else if identity.can_everywhere(Action::Read) {
            ContentsAccess::Unheld
        } else {
            ContentsAccess::Denied
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{Bundle, LABEL, acl, admin, repository, user, version};

    #[test]
    fn contents_follow_the_troves_that_hold_them() {
        let (_dir, repository) = repository();
        let mut bundle = Bundle::default();
        let v = version("/conary.example.com@rpl:2/1.0-1-1");
        bundle.component("foo:runtime", &v, &[("/usr/bin/foo", b"foo\n")]);
        let tuples = bundle
            .commit(&repository, &admin())
            .expect("commit")
            .committed;
        let digest = Digest::of(b"foo\n");
        let unheld = Digest::of(b"nobody holds this");
        let everything = user("everything", vec![acl("ALL", "ALL")]);
        let foo_only = user("foo", vec![acl(LABEL, "foo.*")]);
        let bar_only = user("bar", vec![acl(LABEL, "bar.*")]);
        repository
            .check_contents_access(&digest, &foo_only)
            .expect("foo reader");
        let hidden = repository
            .check_contents_access(&digest, &bar_only)
            .expect_err("hidden");
        assert!(hidden.is_not_found(), "{hidden}");
        repository
            .check_contents_access(&unheld, &everything)
            .expect("unheld, reads everything");
        let denied = repository
            .check_contents_access(&unheld, &foo_only)
            .expect_err("unheld");
        assert!(denied.is_denied(), "{denied}");
        repository.mark_removed(&tuples, &admin()).expect("remove");
        let gone = repository
            .check_contents_access(&digest, &admin())
            .expect_err("removed");
        assert!(gone.is_not_found(), "{gone}");
    }
}

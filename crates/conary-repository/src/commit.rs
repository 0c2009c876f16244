//! Committing a changeset: check everything, store the contents, then
//! record the troves in one transaction.
//!
//! The order matters. Write permission and the troves themselves are
//! checked before anything is stored, so a refused commit leaves the
//! repository as it was. Contents go to the blob store next: it is
//! content-addressed, so contents of a commit that fails later are
//! harmless (and a retry finds them). The metadata is written last, in one
//! SQLite transaction, so a commit is all there or not there at all.
//!
//! What a commit may bring: new troves (absolute or relative changes;
//! erasures are refused, troves are never deleted), on labels of this
//! repository's host. Every file needs a stream, carried or already
//! stored. Every regular file needs its contents: carried (whole, or as a
//! delta against contents already stored), already stored, or held by
//! another repository, the host of the file's version (a shadow or branch
//! by reference; see [`crate::contents_host`]). Text diffs are not needed
//! and are skipped.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;

use conary_changeset::{
    ChangeSet, ChangeSetError, ChangeSetReader, ContentKind, ContentSource, PayloadId,
};
use conary_core::digest::{Digest, FileId};
use conary_core::files::FileStream;
use conary_core::trove::Trove;

use crate::access::Identity;
use crate::contents::StoreContents;
use crate::error::RepositoryError;
use crate::record::CommitResult;
use crate::repo::Repository;

/// A changeset error caused by what the committer sent.
fn bad_changeset(error: ChangeSetError) -> RepositoryError {
    match error {
        ChangeSetError::Unavailable { what, digest } => RepositoryError::invalid_commit(format!(
            "{what} {digest} are neither in the changeset nor in the repository"
        )),
        other => RepositoryError::Changeset {
            reason: other.to_string(),
            from_caller: true,
        },
    }
}

/// The troves, the digests of carried contents, and the delta bases a
/// changeset brings; refuses erasures and deltas against contents that
/// are not stored.
fn parts(
    repository: &Repository,
    changeset: &ChangeSet,
) -> Result<(Vec<Trove>, BTreeSet<Digest>), RepositoryError> {
    if let Some(erased) = changeset.erased.iter().next() {
        return Err(RepositoryError::invalid_commit(format!(
            "the changeset erases {erased}: commits only add troves (an admin may mark troves removed)"
        )));
    }
    let troves = changeset
        .troves
        .values()
        .map(|change| change.new.clone())
        .collect();
    let mut carried = BTreeSet::new();
    for (digest, contents) in &changeset.contents {
        if let ContentKind::Delta { base } = contents.kind
            && !repository.store().contains(&base)?
        {
            return Err(RepositoryError::invalid_commit(format!(
                "contents {digest} come as a delta against {base}, which is not in the repository"
            )));
        }
        if contents.kind.is_carried() {
            carried.insert(*digest);
        }
    }
    Ok((troves, carried))
}

/// Stores one payload, checking that it hashes to `digest`.
fn store_payload(
    repository: &Repository,
    digest: &Digest,
    payload: &mut dyn Read,
) -> Result<(), RepositoryError> {
    let (stored, _) = repository
        .store()
        .put(payload)
        .map_err(|error| match error {
            conary_store::StoreError::ReadInput { source } => RepositoryError::Changeset {
                reason: format!("contents {digest}: {source}"),
                from_caller: true,
            },
            other => RepositoryError::Store(other),
        })?;
    if stored != *digest {
        return Err(RepositoryError::invalid_commit(format!(
            "contents announced as {digest} hash to {stored}"
        )));
    }
    Ok(())
}

impl Repository {
    /// Commits the changeset `reader` is reading, as `identity`: checks it
    /// (write permission per trove first), streams its contents into the
    /// store (resolving deltas against stored contents), then records its
    /// troves in one transaction. Troves already stored with the same
    /// manifest are reported as already present; a different trove under
    /// the same name, version and flavor is refused
    /// ([`RepositoryError::Conflict`]).
    ///
    /// ```rust
    /// use conary_changeset::{ChangeSet, ChangeSetReader, MemContents, write_changeset};
    /// let dir = tempfile::tempdir()?;
    /// let repository = conary_repository::Repository::init(dir.path(), "conary.example.com")?;
    /// repository.add_user("root", "secret", true)?;
    /// let root = repository.authenticate(&conary_repository::Credentials::Basic {
    ///     user: "root".into(), password: "secret".into() })?;
    /// let bytes = write_changeset(Vec::new(), &ChangeSet::default(), &MemContents::new())?;
    /// let result = repository.commit(ChangeSetReader::new(&bytes[..])?, &root)?;
    /// assert!(result.committed.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn commit<R: Read>(
        &self,
        mut reader: ChangeSetReader<R>,
        identity: &Identity,
    ) -> Result<CommitResult, RepositoryError> {
        let (troves, carried) = parts(self, reader.changeset())?;
        let streams = reader.changeset().files.clone();
        self.commit_parts(
            &troves,
            &streams,
            &carried,
            |repository| {
                let store = StoreContents(repository.store());
                while let Some(id) = reader.peek_payload() {
                    let PayloadId::Contents(digest) = id else {
                        reader.skip_payload().map_err(bad_changeset)?;
                        continue;
                    };
                    // Contents already stored need not be carried (see
                    // `check_files`): skip them undecoded, as
                    // `commit_changeset` does, instead of writing them to
                    // a temporary file only to drop it.
                    if repository.store().contains(&digest)? {
                        reader.skip_payload().map_err(bad_changeset)?;
                        continue;
                    }
                    let Some(mut payload) = reader.next_payload(&store).map_err(bad_changeset)?
                    else {
                        break;
                    };
                    store_payload(repository, &digest, &mut payload)?;
                }
                reader.finish().map_err(bad_changeset)?;
                Ok(())
            },
            identity,
        )
    }

    /// Commits a changeset held in memory, its carried contents read
    /// whole from `contents` (a delta's contents included), as `identity`;
    /// otherwise as [`Repository::commit`].
    pub fn commit_changeset(
        &self,
        changeset: &ChangeSet,
        contents: &dyn ContentSource,
        identity: &Identity,
    ) -> Result<CommitResult, RepositoryError> {
        let (troves, carried) = parts(self, changeset)?;
        self.commit_parts(
            &troves,
            &changeset.files,
            &carried,
            |repository| {
                for digest in &carried {
                    if repository.store().contains(digest)? {
                        continue;
                    }
                    let mut reader = contents
                        .open(digest)
                        .map_err(|error| RepositoryError::Changeset {
                            reason: format!("cannot read contents {digest}: {error}"),
                            from_caller: true,
                        })?
                        .ok_or_else(|| {
                            RepositoryError::invalid_commit(format!(
                                "contents {digest} are listed but not available"
                            ))
                        })?;
                    store_payload(repository, digest, &mut reader)?;
                }
                Ok(())
            },
            identity,
        )
    }

    /// Commits `troves` with the new file `streams` they use. `carried`
    /// are the digests of the contents the commit brings, which
    /// `store_contents` puts into the blob store once every check passed.
    pub(crate) fn commit_parts(
        &self,
        troves: &[Trove],
        streams: &BTreeMap<FileId, FileStream>,
        carried: &BTreeSet<Digest>,
        store_contents: impl FnOnce(&Self) -> Result<(), RepositoryError>,
        identity: &Identity,
    ) -> Result<CommitResult, RepositoryError> {
        let refs: Vec<&Trove> = troves.iter().collect();
        self.check_troves(&refs, identity)?;
        self.check_files(&refs, streams, &|digest| carried.contains(digest))?;
        store_contents(self)?;
        self.record(troves, streams, &identity.subject().to_string())
    }
}

#[cfg(test)]
mod tests {
    use conary_core::trove::TroveTuple;
    use conary_core::version::Version;

    use super::*;
    use crate::query::Query;
    use crate::testutil::{Bundle, HOST, LABEL, acl, admin, repository, user, version};

    fn count(repository: &Repository, table: &str) -> i64 {
        repository
            .connection()
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |row| {
                row.get(0)
            })
            .expect("count")
    }

    fn label_query() -> Query {
        Query::on_label(LABEL.parse().expect("label")).all_versions()
    }

    #[test]
    fn commit_stamps_versions_and_is_idempotent() {
        let (_dir, repository) = repository();
        let v1 = version("/conary.example.com@rpl:2/1.0-1-1");
        let mut bundle = Bundle::default();
        bundle.component("foo:runtime", &v1, &[("/usr/bin/foo", b"foo 1\n")]);
        let mut package = Trove::new("foo".parse().expect("name"), v1.clone(), Default::default());
        package.add_strong_ref(
            TroveTuple::new(
                "foo:runtime".parse().expect("name"),
                v1.clone(),
                Default::default(),
            ),
            true,
        );
        bundle.troves.push(package);
        let result = bundle.commit(&repository, &admin()).expect("commit");
        assert_eq!(result.committed.len(), 2);
        assert!(result.already_present.is_empty());
        let stamp = result.committed[0].version.timestamp().expect("stamped");
        assert!(
            result
                .committed
                .iter()
                .all(|t| t.version.timestamp() == Some(stamp))
        );

        let manifests = repository
            .manifests(&result.committed, &admin())
            .expect("manifests");
        let package = manifests
            .iter()
            .find(|t| t.name.as_str() == "foo")
            .expect("foo");
        let (component, _) = package.strong_refs.iter().next().expect("one ref");
        assert_eq!(component.version.timestamp(), Some(stamp));
        let runtime = manifests
            .iter()
            .find(|t| t.name.as_str() == "foo:runtime")
            .expect("rt");
        let file = runtime.files.values().next().expect("one file");
        assert_eq!(file.file_version.timestamp(), Some(stamp));

        let again = bundle.commit(&repository, &admin()).expect("recommit");
        assert!(again.committed.is_empty());
        assert_eq!(again.already_present, result.committed);
        assert_eq!(count(&repository, "instances"), 2);
        assert_eq!(count(&repository, "commits"), 1);
    }

    #[test]
    fn a_different_trove_under_the_same_name_is_refused() {
        let (_dir, repository) = repository();
        let v1 = version("/conary.example.com@rpl:2/1.0-1-1");
        let mut first = Bundle::default();
        first.component("foo:runtime", &v1, &[("/usr/bin/foo", b"one\n")]);
        first.commit(&repository, &admin()).expect("commit");
        let blobs = repository.store().iter().count();
        let mut second = Bundle::default();
        second.component("foo:runtime", &v1, &[("/usr/bin/foo", b"two\n")]);
        let error = second.commit(&repository, &admin()).expect_err("conflict");
        assert!(error.is_conflict(), "{error}");
        assert_eq!(repository.store().iter().count(), blobs, "nothing stored");
        assert_eq!(count(&repository, "instances"), 1);
    }

    #[test]
    fn timestamps_increase_strictly_on_a_branch() {
        let (_dir, repository) = repository();
        let mut stamps = Vec::new();
        for build in 1..=5 {
            let mut bundle = Bundle::default();
            let v = version(&format!("/conary.example.com@rpl:2/1.0-1-{build}"));
            bundle.component("foo:runtime", &v, &[("/usr/bin/foo", b"same\n")]);
            let result = bundle.commit(&repository, &admin()).expect("commit");
            stamps.push(result.committed[0].version.timestamp().expect("stamped"));
        }
        assert!(
            stamps.windows(2).all(|pair| pair[0] < pair[1]),
            "{stamps:?}"
        );
        let latest = repository
            .trove_versions(&Query::on_label(LABEL.parse().expect("label")), &admin())
            .expect("latest");
        assert_eq!(latest.len(), 1);
        assert_eq!(
            latest[0].version.to_string(),
            "/conary.example.com@rpl:2/1.0-1-5"
        );
        let all = repository
            .trove_versions(&label_query(), &admin())
            .expect("all");
        assert_eq!(all.len(), 5);
        assert_eq!(
            count(&repository, "file_streams"),
            1,
            "one stream for the same file"
        );
        assert_eq!(repository.store().iter().count(), 1, "contents stored once");
    }

    #[test]
    fn refusals_leave_database_and_store_unchanged() {
        let (_dir, repository) = repository();
        let v1 = version("/conary.example.com@rpl:2/1.0-1-1");
        let reader = user("reader", vec![acl("ALL", "ALL")]);
        let narrow = user("narrow", vec![acl(LABEL, "bar.*").with_write()]);
        let mut bundle = Bundle::default();
        bundle.component("foo:runtime", &v1, &[("/usr/bin/foo", b"foo\n")]);
        for identity in [&reader, &narrow] {
            let error = bundle.commit(&repository, identity).expect_err("denied");
            assert!(error.is_denied(), "{error}");
        }
        let mut foreign = Bundle::default();
        foreign.component(
            "foo:runtime",
            &version("/other.example.com@rpl:2/1.0-1-1"),
            &[("/usr/bin/foo", b"foo\n")],
        );
        let error = foreign
            .commit(&repository, &admin())
            .expect_err("other host");
        assert!(error.to_string().contains("does not serve"), "{error}");
        assert_eq!(repository.store().iter().count(), 0);
        assert_eq!(count(&repository, "instances"), 0);
        assert_eq!(count(&repository, "file_streams"), 0);
    }

    #[test]
    fn missing_contents_and_references_are_refused() {
        let (_dir, repository) = repository();
        let v1 = version("/conary.example.com@rpl:2/1.0-1-1");
        let mut bundle = Bundle::default();
        bundle.component("foo:runtime", &v1, &[("/usr/bin/foo", b"foo\n")]);
        bundle.contents.clear();
        let error = bundle
            .commit(&repository, &admin())
            .expect_err("no contents");
        assert!(
            error.to_string().contains("neither in the changeset"),
            "{error}"
        );

        let mut package = Bundle::default();
        let mut trove = Trove::new("foo".parse().expect("name"), v1.clone(), Default::default());
        trove.add_strong_ref(
            TroveTuple::new("foo:runtime".parse().expect("name"), v1, Default::default()),
            true,
        );
        package.troves.push(trove);
        let error = package
            .commit(&repository, &admin())
            .expect_err("no component");
        assert!(error.is_invalid_request(), "{error}");
        assert_eq!(count(&repository, "instances"), 0);
    }

    #[test]
    fn shadows_by_reference_keep_the_parents_file_versions() {
        let (_dir, repository) = repository();
        let parent =
            Version::thaw("/other.example.com@rpl:1/1700000000.000:1.0-1-1").expect("parent");
        let shadow = parent
            .create_shadow(LABEL.parse().expect("label"))
            .expect("shadow");
        let mut bundle = Bundle::default();
        let trove = bundle.component("foo:runtime", &shadow, &[("/usr/bin/foo", b"foo\n")]);
        for file in trove.files.values_mut() {
            file.file_version = parent.clone();
        }
        bundle.contents.clear();
        let result = bundle.commit(&repository, &admin()).expect("commit");
        let committed = &result.committed[0];
        assert!(committed.version.timestamp().expect("stamped").as_millis() > 1_700_000_000_000);
        let files = repository.files(committed, &admin()).expect("files");
        assert_eq!(files[0].contents_host, "other.example.com");
        assert_eq!(files[0].file_version.freeze(), parent.freeze());
        assert_eq!(
            repository.store().iter().count(),
            0,
            "contents stay on the parent's host"
        );

        let mut unstamped = Bundle::default();
        let trove = unstamped.component(
            "bar:runtime",
            &version("/other.example.com@rpl:1//conary.example.com@rpl:2/1.0-1-1"),
            &[("/usr/bin/bar", b"bar\n")],
        );
        for file in trove.files.values_mut() {
            file.file_version = version("/other.example.com@rpl:1/1.0-1-1");
        }
        let error = unstamped
            .commit(&repository, &admin())
            .expect_err("no timestamps");
        assert!(
            error.to_string().contains("carries no timestamps"),
            "{error}"
        );
        let _ = HOST;
    }

    #[test]
    fn branch_points_take_stored_timestamps() {
        let (_dir, repository) = repository();
        let source = version("/conary.example.com@rpl:2/1.0-1");
        let mut bundle = Bundle::default();
        bundle.component("foo:source", &source, &[("/foo.recipe", b"recipe\n")]);
        let stored = bundle
            .commit(&repository, &admin())
            .expect("commit")
            .committed;
        let source_stamp = stored[0].version.timestamp().expect("stamped");

        let branched = version("/conary.example.com@rpl:2/1.0-1/conary.example.com@rpl:fix/1.0-2");
        let mut bundle = Bundle::default();
        bundle.component("foo:source", &branched, &[("/foo.recipe", b"fixed\n")]);
        let result = bundle.commit(&repository, &admin()).expect("commit");
        let stamps = result.committed[0].version.timestamps();
        assert_eq!(stamps[0], Some(source_stamp));
        assert!(stamps[1].expect("trailing") > source_stamp);

        let orphan = version("/conary.example.com@rpl:2/2.0-1/conary.example.com@rpl:fix/2.0-2");
        let mut bundle = Bundle::default();
        bundle.component("foo:source", &orphan, &[("/foo.recipe", b"x\n")]);
        let error = bundle
            .commit(&repository, &admin())
            .expect_err("unknown branch point");
        assert!(error.to_string().contains("branches from"), "{error}");
    }
}

//! Committing a changeset: check everything, store the contents, make
//! them durable, then record the troves in one transaction.
//!
//! The order matters. Write permission and the troves themselves are
//! checked before anything is stored, so a refused commit leaves the
//! repository as it was. Contents go to the blob store next, through one
//! [`Batch`]: written without syncing, then made durable together by one
//! [`Batch::sync`] (two `syncfs` calls on Linux instead of a few fsyncs per
//! blob) *before* the metadata is written, in one SQLite transaction. So
//! the database never references contents a crash could lose, and a commit
//! is all there or not there at all. A commit that fails after storing
//! contents leaves blobs nothing references (harmless: the store is
//! content-addressed, and a retry finds them) or temporary files (removed
//! when the store is next opened).
//!
//! What a commit may bring: new troves (absolute or relative changes;
//! erasures are refused, troves are never deleted), on labels of this
//! repository's host. Every file needs a stream, carried or already
//! stored. Every regular file needs its contents: carried (whole, or as a
//! delta against stored contents the committer may read), held by another
//! repository, the host of the file's version (a shadow or branch by
//! reference; see [`crate::contents_host`]), or already stored and
//! readable by the committer through a trove they may read (see
//! [`crate::contents`]). The last rule keeps a writer who knows only a
//! digest from committing a trove that holds those contents in order to
//! read them: such a commit is refused ([`RepositoryError::Denied`],
//! naming the digest), while carrying the contents is always allowed.
//! Carried contents that are already stored are skipped undecoded when the
//! committer may read them, and otherwise decoded and hashed like new ones.
//! Text diffs are not needed and are skipped. Contents carried whole are
//! stored as the zstd frames they arrived in ([`Batch::put_frame`], which
//! decodes and hashes them), so that changesets made later copy them
//! instead of compressing again; contents carried as deltas are stored
//! plain.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;

use conary_changeset::{
    ChangeSet, ChangeSetError, ChangeSetReader, ContentKind, ContentSource, PayloadId, RawFrame,
};
use conary_core::digest::{Digest, FileId};
use conary_core::files::FileStream;
use conary_core::trove::Trove;
use conary_store::Batch;

use crate::access::Identity;
use crate::check::ContentsPlan;
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

/// What a changeset brings, as a commit sees it.
pub(crate) struct Parts {
    /// The new troves.
    pub(crate) troves: Vec<Trove>,
    /// The digests of the contents it carries (whole or as deltas).
    pub(crate) carried: BTreeSet<Digest>,
    /// The base of each contents carried as a delta.
    pub(crate) deltas: BTreeMap<Digest, Digest>,
}

/// The parts of `changeset`; refuses erasures.
fn parts(changeset: &ChangeSet) -> Result<Parts, RepositoryError> {
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
    let mut deltas = BTreeMap::new();
    for (digest, contents) in &changeset.contents {
        if let ContentKind::Delta { base } = contents.kind {
            deltas.insert(*digest, base);
        }
        if contents.kind.is_carried() {
            carried.insert(*digest);
        }
    }
    Ok(Parts {
        troves,
        carried,
        deltas,
    })
}

/// Puts one payload into `batch`, checking that it hashes to `digest`.
fn store_payload(
    batch: &mut dyn Batch,
    digest: &Digest,
    payload: &mut dyn Read,
) -> Result<(), RepositoryError> {
    let (stored, _) = batch.put(payload).map_err(|error| match error {
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

/// Full payloads of at most this many bytes of contents are stored as the
/// zstd frames they arrived in (held in memory while checked); larger ones
/// are decoded as they stream and stored plain.
const MAX_FRAME_CONTENTS: u64 = 64 << 20;

/// Puts a full payload into `batch` as the frame it arrived in, checking
/// that it decodes to `frame.digest` (a frame the store cannot keep, e.g.
/// one that does not declare its size, is decoded and stored plain).
fn store_frame(batch: &mut dyn Batch, frame: &RawFrame) -> Result<(), RepositoryError> {
    let digest = &frame.digest;
    let (stored, size) = match batch.put_frame(&frame.bytes) {
        Ok(stored) => stored,
        Err(conary_store::StoreError::BadFrame { .. }) => {
            let contents = frame.decode().map_err(bad_changeset)?;
            return store_payload(batch, digest, &mut &contents[..]);
        }
        Err(other) => return Err(RepositoryError::Store(other)),
    };
    if stored != *digest || size != frame.size {
        return Err(RepositoryError::invalid_commit(format!(
            "contents announced as {digest} ({} bytes) hash to {stored} ({size} bytes)",
            frame.size
        )));
    }
    Ok(())
}

impl Repository {
    /// Commits the changeset `reader` is reading, as `identity`: checks it
    /// (write permission per trove first, then what its files reference),
    /// streams its contents into the store (resolving deltas against
    /// stored contents) and makes them durable, then records its troves in
    /// one transaction. Troves already stored with the same manifest are
    /// reported as already present; a different trove under the same name,
    /// version and flavor is refused ([`RepositoryError::Conflict`]).
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
        let parts = parts(reader.changeset())?;
        let streams = reader.changeset().files.clone();
        self.commit_parts(
            &parts,
            &streams,
            |repository, batch, plan| {
                let store = StoreContents(repository.store());
                while let Some(id) = reader.peek_payload() {
                    let PayloadId::Contents(digest) = id else {
                        reader.skip_payload().map_err(bad_changeset)?;
                        continue;
                    };
                    // Stored contents the committer may read need not be
                    // carried (see `check_files`): skip them undecoded, as
                    // `commit_changeset` does.
                    if plan.skip.contains(&digest) {
                        reader.skip_payload().map_err(bad_changeset)?;
                        continue;
                    }
                    // Full contents are kept as they came, compressed.
                    if let Some(frame) = reader
                        .next_full_frame(MAX_FRAME_CONTENTS)
                        .map_err(bad_changeset)?
                    {
                        store_frame(batch, &frame)?;
                        continue;
                    }
                    let Some(mut payload) = reader.next_payload(&store).map_err(bad_changeset)?
                    else {
                        break;
                    };
                    store_payload(batch, &digest, &mut payload)?;
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
        let parts = parts(changeset)?;
        self.commit_parts(
            &parts,
            &changeset.files,
            |_, batch, plan| {
                for digest in parts.carried.difference(&plan.skip) {
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
                    store_payload(batch, digest, &mut reader)?;
                }
                Ok(())
            },
            identity,
        )
    }

    /// Commits the troves of `parts` with the new file `streams` they use:
    /// checks everything, then `store_contents` puts the carried contents
    /// into a batch (skipping those the plan says to), the batch is synced
    /// (with the stored contents the commit relies on), and only then are
    /// the troves recorded.
    pub(crate) fn commit_parts(
        &self,
        parts: &Parts,
        streams: &BTreeMap<FileId, FileStream>,
        store_contents: impl FnOnce(&Self, &mut dyn Batch, &ContentsPlan) -> Result<(), RepositoryError>,
        identity: &Identity,
    ) -> Result<CommitResult, RepositoryError> {
        let refs: Vec<&Trove> = parts.troves.iter().collect();
        self.check_troves(&refs, identity)?;
        self.check_bases(&parts.deltas, identity)?;
        let plan = self.check_files(&refs, streams, &parts.carried, identity)?;
        let mut batch = self.store().batch();
        for digest in &plan.rely {
            if !batch.rely_on(digest)? {
                return Err(RepositoryError::corrupt(format!(
                    "contents {digest} were in the store a moment ago and are gone"
                )));
            }
        }
        store_contents(self, batch.as_mut(), &plan)?;
        batch.sync()?;
        self.record(&parts.troves, streams, &identity.subject().to_string())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use conary_core::trove::TroveTuple;
    use conary_core::version::Version;
    use conary_store::{BlobStore as _, MemStore};

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

    /// What a sync saw: the digests made durable, and how many troves a
    /// separate connection to the database saw at that moment.
    type Syncs = Arc<Mutex<Vec<(Vec<Digest>, i64)>>>;

    /// A repository whose contents live in a [`MemStore`] that logs every
    /// sync, and fails it when `fail` says so.
    fn watched(fail: bool) -> (tempfile::TempDir, Repository, MemStore, Syncs) {
        let (dir, repository) = repository();
        let store = MemStore::new();
        let syncs: Syncs = Arc::default();
        let log = Arc::clone(&syncs);
        let database = repository.dir().join(crate::repo::DATABASE_FILE);
        store.on_sync(move |digests| {
            let troves: i64 = rusqlite::Connection::open(&database)
                .and_then(|db| db.query_row("SELECT count(*) FROM instances", [], |row| row.get(0)))
                .map_err(|error| error.to_string())?;
            log.lock().expect("log").push((digests.to_vec(), troves));
            if fail {
                Err("the disk is full".into())
            } else {
                Ok(())
            }
        });
        let repository = repository.with_store(Box::new(store.clone()));
        (dir, repository, store, syncs)
    }

    #[test]
    fn contents_are_durable_before_the_troves_are_recorded() {
        let (_dir, repository, _store, syncs) = watched(false);
        let v1 = version("/conary.example.com@rpl:2/1.0-1-1");
        let mut bundle = Bundle::default();
        bundle.component(
            "foo:runtime",
            &v1,
            &[("/usr/bin/foo", b"foo\n"), ("/usr/bin/bar", b"bar\n")],
        );
        bundle.commit(&repository, &admin()).expect("commit");
        let mut digests = vec![Digest::of(b"foo\n"), Digest::of(b"bar\n")];
        digests.sort_unstable();
        assert_eq!(
            *syncs.lock().expect("log"),
            [(digests, 0)],
            "one sync, before any trove was recorded"
        );
        assert_eq!(count(&repository, "instances"), 1);
    }

    #[test]
    fn a_failed_sync_records_nothing() {
        let (_dir, repository, store, syncs) = watched(true);
        let v1 = version("/conary.example.com@rpl:2/1.0-1-1");
        let mut bundle = Bundle::default();
        bundle.component("foo:runtime", &v1, &[("/usr/bin/foo", b"foo\n")]);
        let error = bundle
            .commit(&repository, &admin())
            .expect_err("sync fails");
        assert!(matches!(error, RepositoryError::Store(_)), "{error}");
        assert_eq!(syncs.lock().expect("log").len(), 1);
        assert_eq!(count(&repository, "instances"), 0);
        assert_eq!(count(&repository, "file_streams"), 0);
        assert_eq!(store.iter().count(), 0, "nothing published");
    }

    #[test]
    fn referenced_contents_no_trove_holds_are_made_durable() {
        let (_dir, repository, store, syncs) = watched(false);
        // Uploaded ahead of the commit (as `POST /blobs` does).
        let (uploaded, _) = store.put_bytes(b"uploaded\n").expect("upload");
        let v1 = version("/conary.example.com@rpl:2/1.0-1-1");
        let mut bundle = Bundle::default();
        bundle.component("foo:runtime", &v1, &[("/usr/bin/foo", b"uploaded\n")]);
        bundle.contents.clear();
        bundle.commit(&repository, &admin()).expect("commit");
        assert_eq!(*syncs.lock().expect("log"), [(vec![uploaded], 0)]);

        // Once a trove holds them they are durable: nothing to sync.
        let v2 = version("/conary.example.com@rpl:2/1.0-1-2");
        let mut again = Bundle::default();
        again.component("foo:runtime", &v2, &[("/usr/bin/foo", b"uploaded\n")]);
        again.contents.clear();
        again.commit(&repository, &admin()).expect("commit");
        assert_eq!(syncs.lock().expect("log").len(), 1);
        assert_eq!(count(&repository, "instances"), 2);
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

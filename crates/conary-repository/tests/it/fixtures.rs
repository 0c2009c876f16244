//! Repositories, callers and troves for the tests.

use std::collections::BTreeMap;
use std::path::Path;

use conary_changeset::{
    ChangeSet, ChangeSetBuilder, ChangeSetReader, MemContents, NoContents, write_changeset,
};
use conary_core::digest::{Digest, FileId, PathId};
use conary_core::files::{FileFlags, FileKind, FileStream, Mode};
use conary_core::trove::{Trove, TroveTuple};
use conary_core::version::Version;
use conary_repository::{Acl, CommitResult, Credentials, Identity, Repository, RepositoryError};

/// The host of the main test repository.
pub const HOST: &str = "conary.example.com";
/// Its main label.
pub const LABEL: &str = "conary.example.com@rpl:2";

/// A repository in a temporary directory, with users:
/// `root` (admin), `reader` (reads everything), `writer` (reads and
/// writes everything), `narrow` (reads and writes `foo*` troves on
/// [`LABEL`] only).
pub struct Fixture {
    /// Keeps the directory alive.
    _dir: tempfile::TempDir,
    /// The repository.
    pub repository: Repository,
}

impl Fixture {
    /// A new repository named `host`.
    pub fn new(host: &str) -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        let repository = Repository::init(dir.path().join("repo"), host).expect("init");
        for (user, admin) in [
            ("root", true),
            ("reader", false),
            ("writer", false),
            ("narrow", false),
        ] {
            repository.add_user(user, "pw", admin).expect("user");
        }
        for role in ["readers", "writers", "narrow"] {
            repository.add_role(role).expect("role");
        }
        repository.grant_role("readers", "reader").expect("grant");
        repository.grant_role("writers", "writer").expect("grant");
        repository.grant_role("narrow", "narrow").expect("grant");
        let all = || Acl::new("ALL".parse().expect("all"), "ALL".parse().expect("all"));
        repository.add_acl("readers", &all()).expect("acl");
        repository
            .add_acl("writers", &all().with_write())
            .expect("acl");
        let narrow = Acl::new(
            format!("{host}@rpl:2").parse().expect("label"),
            "foo.*".parse().expect("pattern"),
        )
        .with_write();
        repository.add_acl("narrow", &narrow).expect("acl");
        Fixture {
            _dir: dir,
            repository,
        }
    }

    /// The repository's directory.
    pub fn path(&self) -> &Path {
        self.repository.dir()
    }

    /// The identity of `user` (password `pw`).
    pub fn user(&self, user: &str) -> Identity {
        self.repository
            .authenticate(&Credentials::Basic {
                user: user.into(),
                password: "pw".into(),
            })
            .expect("authenticate")
    }

    /// The admin.
    pub fn root(&self) -> Identity {
        self.user("root")
    }

    /// Commits `bundle` (absolute changes) through a written and re-read
    /// changeset.
    pub fn commit(
        &self,
        bundle: &Bundle,
        identity: &Identity,
    ) -> Result<CommitResult, RepositoryError> {
        commit_changeset(
            &self.repository,
            &bundle.absolute(),
            &bundle.contents,
            identity,
        )
    }

    /// Number of blobs in the store.
    pub fn blobs(&self) -> usize {
        self.repository.store().iter().count()
    }
}

/// Writes `changeset` with `contents` and commits it through a reader.
pub fn commit_changeset(
    repository: &Repository,
    changeset: &ChangeSet,
    contents: &MemContents,
    identity: &Identity,
) -> Result<CommitResult, RepositoryError> {
    let bytes = write_changeset(Vec::new(), changeset, contents).expect("write changeset");
    let reader = ChangeSetReader::new(&bytes[..]).expect("read changeset");
    repository.commit(reader, identity)
}

/// A plain version.
pub fn version(text: &str) -> Version {
    text.parse().expect("version")
}

/// A tuple with the empty flavor.
pub fn tuple(name: &str, version: &Version) -> TroveTuple {
    TroveTuple::new(
        name.parse().expect("name"),
        version.clone(),
        Default::default(),
    )
}

/// The stream of a regular file.
pub fn regular(contents: &[u8], config: bool) -> FileStream {
    let kind = FileKind::Regular {
        size: contents.len() as u64,
        digest: Digest::of(contents),
        link_group: None,
    };
    let mut stream = FileStream::new(kind, Mode::new(0o644).expect("mode"), "root", "root");
    if config {
        stream.flags.set(FileFlags::CONFIG, true);
    }
    stream
}

/// Troves with their streams and contents.
#[derive(Default)]
pub struct Bundle {
    /// The troves.
    pub troves: Vec<Trove>,
    /// The streams of their files.
    pub streams: BTreeMap<FileId, FileStream>,
    /// The contents of their files.
    pub contents: MemContents,
}

impl Bundle {
    /// An empty bundle.
    pub fn new() -> Bundle {
        Bundle::default()
    }

    /// Adds component `name` at `version` with regular files (path,
    /// contents), each file version being `version`.
    pub fn component(
        &mut self,
        name: &str,
        version: &Version,
        files: &[(&str, &str)],
    ) -> &mut Bundle {
        let mut trove = Trove::new(
            name.parse().expect("name"),
            version.clone(),
            Default::default(),
        );
        for (path, contents) in files {
            let stream = regular(contents.as_bytes(), path.starts_with("/etc/"));
            trove.add_file(
                PathId::derive(path.as_bytes()),
                path,
                stream.file_id(),
                version.clone(),
            );
            self.contents.insert(contents.as_bytes().to_vec());
            self.streams.insert(stream.file_id(), stream);
        }
        self.troves.push(trove);
        self
    }

    /// Adds collection `name` at `version` including `members` strongly,
    /// by default.
    pub fn collection(
        &mut self,
        name: &str,
        version: &Version,
        members: &[TroveTuple],
    ) -> &mut Bundle {
        let mut trove = Trove::new(
            name.parse().expect("name"),
            version.clone(),
            Default::default(),
        );
        for member in members {
            trove.add_strong_ref(member.clone(), true);
        }
        self.troves.push(trove);
        self
    }

    /// The trove named `name`.
    pub fn trove(&self, name: &str) -> &Trove {
        self.troves
            .iter()
            .find(|trove| trove.name.as_str() == name)
            .expect("trove in bundle")
    }

    /// An absolute changeset of every trove.
    pub fn absolute(&self) -> ChangeSet {
        let mut builder = ChangeSetBuilder::new();
        for trove in &self.troves {
            builder.add_primary(trove.tuple());
            builder
                .add_absolute(trove.clone(), &self.streams)
                .expect("absolute");
        }
        builder.build(&NoContents, &self.contents).expect("build")
    }
}

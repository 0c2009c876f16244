//! Real repositories served by real servers on loopback ports, troves to
//! commit to them, and changesets read back.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Cursor;
use std::sync::Arc;
use std::time::Duration;

use conary_changeset::{
    ChangeSet, ChangeSetBuilder, ChangeSetReader, ContentSource, MemContents, NoContents,
    write_changeset,
};
use conary_client::{CommitResult, NetworkSource, Options, RetryPolicy};
use conary_core::config::Config;
use conary_core::digest::{Digest, FileId, PathId};
use conary_core::files::{FileFlags, FileKind, FileStream, Mode};
use conary_core::trove::{Trove, TroveTuple};
use conary_core::version::Version;
use conary_repository::{Acl, Repository};
use conary_server::{Server, ServerOptions};

/// A repository in a temporary directory, served on `127.0.0.1:0`, with
/// users `root` (admin), `reader` (reads everything), `writer` (reads
/// everything, writes the repository's `rpl:2` label) and `nobody` (no
/// roles), each with password `<name>pw`, and an entitlement key of the
/// readers (`key`).
pub struct Served {
    /// The host its labels start with.
    pub host: String,
    /// The repository, shared with the server.
    pub repository: Arc<Repository>,
    /// Where the server answers.
    pub url: String,
    /// The readers' entitlement key.
    pub key: String,
    runtime: Option<tokio::runtime::Runtime>,
    _dir: tempfile::TempDir,
}

impl Served {
    /// Creates and serves repository `host`.
    pub fn start(host: &str) -> Served {
        let dir = tempfile::tempdir().expect("temp dir");
        let repository = Repository::init(dir.path().join("repo"), host).expect("init");
        for (user, admin) in [
            ("root", true),
            ("reader", false),
            ("writer", false),
            ("nobody", false),
        ] {
            repository
                .add_user(user, &format!("{user}pw"), admin)
                .expect("user");
        }
        let all = || Acl::new("ALL".parse().expect("all"), "ALL".parse().expect("all"));
        for (role, user) in [("readers", "reader"), ("writers", "writer")] {
            repository.add_role(role).expect("role");
            repository.grant_role(role, user).expect("grant");
            repository.add_acl(role, &all()).expect("acl");
        }
        let label = format!("{host}@rpl:2").parse().expect("label");
        let write = Acl::new(label, "ALL".parse().expect("all")).with_write();
        repository.add_acl("writers", &write).expect("acl");
        let key = repository
            .add_entitlement("customers", "readers")
            .expect("entitlement")
            .to_string();
        let repository = Arc::new(repository);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let options = ServerOptions::new("127.0.0.1:0".parse().expect("address"));
        let server = runtime
            .block_on(Server::bind(Arc::clone(&repository), options))
            .expect("bind");
        let url = format!("http://{}/", server.local_addr());
        runtime.spawn(server.run(std::future::pending()));
        Served {
            host: host.to_string(),
            repository,
            url,
            key,
            runtime: Some(runtime),
            _dir: dir,
        }
    }

    /// The number of blobs stored.
    pub fn blobs(&self) -> usize {
        self.repository.store().iter().count()
    }

    /// Whether the blob `digest` is stored.
    pub fn holds(&self, digest: &Digest) -> bool {
        self.repository.store().contains(digest).expect("store")
    }

    /// The repository's main label.
    pub fn label(&self) -> String {
        format!("{}@rpl:2", self.host)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// Retries that do not slow the tests down.
pub fn fast_options() -> Options {
    Options {
        retry: RetryPolicy {
            attempts: 2,
            first_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(20),
        },
        timeout: Duration::from_secs(30),
        ..Options::default()
    }
}

/// A source over `servers` (a `repositoryMap` line each), with the
/// configuration `lines` after them (credentials).
pub fn source(servers: &[&Served], lines: &str) -> NetworkSource {
    let mut text = String::new();
    for served in servers {
        text.push_str(&format!("repositoryMap {} {}\n", served.host, served.url));
    }
    text.push_str(lines);
    let mut config = Config::default();
    config.apply_text(&text, "test").expect("config");
    NetworkSource::from_config(&config, fast_options()).expect("source")
}

/// `user` lines for `user` (password `<user>pw`) on every host.
pub fn as_user(user: &str) -> String {
    format!("user * {user} {user}pw\n")
}

/// A plain version.
pub fn version(text: &str) -> Version {
    text.parse().expect("version")
}

/// The stream of a regular file with `contents`.
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

/// Troves with the streams and contents of their files.
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
    /// Adds component `name` at `version` with regular files (path and
    /// contents; files under `/etc` are config files), each file version
    /// being `version`.
    pub fn component(
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
            let stream = regular(contents, path.starts_with("/etc/"));
            trove.add_file(
                PathId::derive(path.as_bytes()),
                path,
                stream.file_id(),
                version.clone(),
            );
            self.contents.insert(contents.to_vec());
            self.streams.insert(stream.file_id(), stream);
        }
        self.troves.push(trove);
        self.troves.last_mut().expect("just pushed")
    }

    /// Adds collection `name` at `version` including `members` strongly.
    pub fn collection(
        &mut self,
        name: &str,
        version: &Version,
        members: &[TroveTuple],
    ) -> &mut Trove {
        let mut trove = Trove::new(
            name.parse().expect("name"),
            version.clone(),
            Default::default(),
        );
        for member in members {
            trove.add_strong_ref(member.clone(), true);
        }
        self.troves.push(trove);
        self.troves.last_mut().expect("just pushed")
    }

    /// The `.ccs` bytes of an absolute changeset of every trove, with
    /// `elsewhere` contents left as references.
    pub fn changeset(&self, elsewhere: &[Digest]) -> Vec<u8> {
        let mut builder = ChangeSetBuilder::new();
        for digest in elsewhere {
            builder.assume_available(*digest);
        }
        for trove in &self.troves {
            builder.add_primary(trove.tuple());
            builder
                .add_absolute(trove.clone(), &self.streams)
                .expect("absolute");
        }
        let changeset = builder.build(&NoContents, &self.contents).expect("build");
        write_changeset(Vec::new(), &changeset, &self.contents).expect("write")
    }

    /// Commits the bundle through `source`.
    pub fn commit(&self, source: &NetworkSource) -> CommitResult {
        let bytes = self.changeset(&[]);
        let size = bytes.len() as u64;
        source
            .commit(Cursor::new(bytes), Some(size))
            .expect("commit")
    }
}

/// The committed tuple named `name`.
pub fn named<'t>(tuples: &'t [TroveTuple], name: &str) -> &'t TroveTuple {
    tuples
        .iter()
        .find(|tuple| tuple.name.as_str() == name)
        .expect("trove committed")
}

/// A changeset read back: its index and every payload, verified (deltas
/// against `bases`).
pub struct ReadBack {
    /// The index.
    pub changeset: ChangeSet,
    /// Contents by digest.
    pub contents: BTreeMap<Digest, Vec<u8>>,
    /// The number of text diffs carried.
    pub text_diffs: usize,
}

impl ReadBack {
    /// Reads `bytes` whole, checking every payload.
    pub fn of(bytes: &[u8], bases: &dyn ContentSource) -> ReadBack {
        let mut reader = ChangeSetReader::new(bytes).expect("changeset index");
        let mut contents = BTreeMap::new();
        let mut text_diffs = 0;
        while let Some(mut payload) = reader.next_payload(bases).expect("payload") {
            let bytes = payload.read_to_vec().expect("verified payload");
            match payload.id() {
                conary_changeset::PayloadId::Contents(digest) => {
                    contents.insert(digest, bytes);
                }
                conary_changeset::PayloadId::TextDiff(_) => text_diffs += 1,
            }
        }
        ReadBack {
            changeset: reader.finish().expect("finished"),
            contents,
            text_diffs,
        }
    }

    /// The names of the troves changed.
    pub fn names(&self) -> BTreeSet<String> {
        self.changeset
            .troves
            .keys()
            .map(|tuple| tuple.name.to_string())
            .collect()
    }
}

//! Repositories of imported corpus packages, changesets from them, roots
//! and snapshots of roots.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::BufReader;
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use conary_api::{Job, TroveSource};
use conary_build::import::{ImportOptions, MemorySink, import_deb};
use conary_changeset::{ChangeSet, ChangeSetReader, MemContents};
use conary_core::digest::Digest;
use conary_core::trove::TroveTuple;
use conary_repository::{Credentials, Identity, LocalSource, Repository};
use conary_system::SystemError;
use conary_system::apply::{ApplyOptions, ApplyReport, NoProgress, apply_changeset};
use conary_system::db::Database;

/// The label packages are imported on.
pub const LABEL: &str = "deb.example.com@debian:bookworm";

/// The Debian corpus directory (as conary-build's tests find it).
pub fn corpus_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CONARY_DEBIAN_CORPUS") {
        return PathBuf::from(dir);
    }
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let repository = manifest_dir
        .ancestors()
        .nth(2)
        .expect("crates/conary-system sits two levels below the repository root");
    repository
        .ancestors()
        .skip(1)
        .map(|dir| dir.join("shared/corpus/debian"))
        .find(|dir| dir.join("MANIFEST").is_file())
        .expect("the Debian corpus (shared/corpus/debian) is beside the repository")
}

/// A repository in a temporary directory, with an admin `root`.
pub struct Repo {
    _dir: tempfile::TempDir,
    pub repository: Repository,
    pub identity: Identity,
}

impl Repo {
    pub fn new() -> Repo {
        let dir = tempfile::tempdir().expect("temp dir");
        let repository =
            Repository::init(dir.path().join("repo"), "deb.example.com").expect("init");
        repository.add_user("root", "pw", true).expect("user");
        let identity = login(&repository);
        Repo {
            _dir: dir,
            repository,
            identity,
        }
    }

    /// The repository's directory (for a child process to open).
    pub fn path(&self) -> &Path {
        self.repository.dir()
    }

    /// Imports corpus packages (oldest first) and commits them; returns the
    /// committed package tuples, in order.
    pub fn import(&self, debs: &[&str]) -> Vec<TroveTuple> {
        let label = LABEL.parse().expect("label");
        let mut tuples = Vec::new();
        for name in debs {
            let file = BufReader::new(File::open(corpus_dir().join(name)).expect("open deb"));
            let mut sink = MemorySink::new();
            let imported = import_deb(file, &label, &ImportOptions::default(), &mut sink)
                .unwrap_or_else(|error| panic!("{name}: {error}"));
            let changeset = imported.to_changeset(&sink).expect("changeset");
            let result = self
                .repository
                .commit_changeset(&changeset, &sink, &self.identity)
                .unwrap_or_else(|error| panic!("commit {name}: {error}"));
            let package = result
                .committed
                .into_iter()
                .find(|tuple| tuple.name == imported.package().name)
                .expect("package committed");
            tuples.push(package);
        }
        tuples
    }

    /// Commits a hand-made changeset.
    pub fn commit(&self, changeset: &ChangeSet, contents: &MemContents) -> Vec<TroveTuple> {
        self.repository
            .commit_changeset(changeset, contents, &self.identity)
            .expect("commit")
            .committed
    }

    pub fn source(&self) -> LocalSource<'_> {
        LocalSource::new(&self.repository, self.identity.clone())
    }

    /// The changeset the repository makes for `jobs` (recursing).
    pub fn changeset(&self, jobs: &[Job]) -> Vec<u8> {
        let mut bytes = Vec::new();
        self.source()
            .changeset(jobs, true, &mut bytes)
            .expect("changeset");
        bytes
    }
}

/// The admin identity of a repository made by [`Repo::new`].
pub fn login(repository: &Repository) -> Identity {
    repository
        .authenticate(&Credentials::Basic {
            user: "root".into(),
            password: "pw".into(),
        })
        .expect("authenticate")
}

pub fn install_job(tuple: &TroveTuple) -> Job {
    Job::install(
        tuple.name.clone(),
        tuple.version.clone(),
        tuple.flavor.clone(),
    )
}

pub fn update_job(old: &TroveTuple, new: &TroveTuple) -> Job {
    Job::update(
        new.name.clone(),
        (old.version.clone(), old.flavor.clone()),
        (new.version.clone(), new.flavor.clone()),
    )
}

pub fn erase_job(tuple: &TroveTuple) -> Job {
    Job::erase(
        tuple.name.clone(),
        tuple.version.clone(),
        tuple.flavor.clone(),
    )
}

/// Applies `bytes` (a changeset for `jobs`) to `db`.
pub fn apply(
    db: &mut Database,
    repo: &Repo,
    jobs: &[Job],
    bytes: &[u8],
    options: &ApplyOptions,
) -> Result<ApplyReport, SystemError> {
    let reader = ChangeSetReader::new(bytes).expect("changeset reads");
    let source = repo.source();
    apply_changeset(db, jobs, reader, Some(&source), options, &NoProgress)
}

/// Asks the repository for the changeset of `jobs` and applies it.
pub fn run_jobs(db: &mut Database, repo: &Repo, jobs: &[Job]) -> ApplyReport {
    let bytes = repo.changeset(jobs);
    apply(db, repo, jobs, &bytes, &ApplyOptions::default()).expect("applies")
}

/// What a path holds, for comparing trees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Dir { mode: u32 },
    File { mode: u32, digest: Digest },
    Link { target: String },
    Other { mode: u32 },
}

/// Every path under `root` (relative, without the database directory),
/// with what it holds.
pub fn snapshot(root: &Path) -> BTreeMap<String, Entry> {
    let mut entries = BTreeMap::new();
    walk(root, root, &mut entries);
    entries
}

fn walk(root: &Path, dir: &Path, entries: &mut BTreeMap<String, Entry>) {
    let mut children: Vec<_> = fs::read_dir(dir)
        .expect("read dir")
        .map(|entry| entry.expect("entry").path())
        .collect();
    children.sort();
    for path in children {
        let relative = path
            .strip_prefix(root)
            .expect("under root")
            .to_string_lossy()
            .into_owned();
        if relative == "var/lib/conarydb" {
            continue;
        }
        let metadata = fs::symlink_metadata(&path).expect("metadata");
        let mode = metadata.mode() & 0o7777;
        let entry = if metadata.is_dir() {
            walk(root, &path, entries);
            Entry::Dir { mode }
        } else if metadata.is_file() {
            Entry::File {
                mode,
                digest: Digest::of(&fs::read(&path).expect("read")),
            }
        } else if metadata.file_type().is_symlink() {
            Entry::Link {
                target: fs::read_link(&path)
                    .expect("link")
                    .to_string_lossy()
                    .into_owned(),
            }
        } else {
            Entry::Other { mode }
        };
        entries.insert(relative, entry);
    }
}

/// `dpkg-deb -x` of a corpus package into a new directory.
pub fn dpkg_extract(deb: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let status = Command::new("dpkg-deb")
        .arg("-x")
        .arg(corpus_dir().join(deb))
        .arg(dir.path())
        .status()
        .expect("dpkg-deb runs");
    assert!(status.success(), "dpkg-deb -x {deb}");
    dir
}

/// Checks that every entry of the `dpkg-deb -x` output of `deb` is in
/// `root` with the same contents, mode (directories: existence only) and
/// symlink target.
pub fn assert_matches_dpkg(root: &Path, deb: &str) {
    let extracted = dpkg_extract(deb);
    let expected = snapshot(extracted.path());
    let found = snapshot(root);
    assert!(!expected.is_empty(), "{deb} has files");
    for (path, entry) in &expected {
        let found = found
            .get(path)
            .unwrap_or_else(|| panic!("{deb}: {path} is missing from the root"));
        match (entry, found) {
            (Entry::Dir { .. }, Entry::Dir { .. }) => {}
            _ => assert_eq!(entry, found, "{deb}: {path}"),
        }
    }
}

/// `cp -a` of a root to a new temporary directory.
pub fn copy_root(from: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let status = Command::new("cp")
        .arg("-a")
        .arg(format!("{}/.", from.display()))
        .arg(dir.path())
        .status()
        .expect("cp runs");
    assert!(status.success(), "cp -a");
    dir
}

/// Every file or directory under `root` whose name starts with `.conary-`
/// (temporary or backup names left behind).
pub fn leftovers(root: &Path) -> Vec<String> {
    snapshot(root)
        .into_keys()
        .filter(|path| {
            Path::new(path)
                .file_name()
                .is_some_and(|name| name.to_string_lossy().starts_with(".conary-"))
        })
        .collect()
}

/// Checks that `root` holds exactly the files of the `dpkg-deb -x` output
/// of `debs` (directories: those, plus `var` and `var/lib` for the
/// database).
pub fn assert_root_is(root: &Path, debs: &[&str]) {
    let mut expected = BTreeMap::new();
    for deb in debs {
        expected.extend(snapshot(dpkg_extract(deb).path()));
    }
    let found = snapshot(root);
    for (path, entry) in &found {
        match expected.get(path) {
            Some(Entry::Dir { .. }) if matches!(entry, Entry::Dir { .. }) => {}
            Some(wanted) => assert_eq!(wanted, entry, "{path} (root should be {debs:?})"),
            None if matches!(entry, Entry::Dir { .. }) && (path == "var" || path == "var/lib") => {}
            None => panic!("{path} should not be in the root (root should be {debs:?})"),
        }
    }
    for path in expected.keys() {
        assert!(
            found.contains_key(path),
            "{path} is missing (root should be {debs:?})"
        );
    }
}

/// A trove `name` (a component) at `revision` on [`LABEL`] with regular
/// files `(path, contents, config)`, committed; returns its tuple.
pub fn synthetic(
    repo: &Repo,
    name: &str,
    revision: &str,
    files: &[(&str, &[u8], bool)],
) -> TroveTuple {
    use conary_changeset::{ChangeSetBuilder, NoContents};
    use conary_core::digest::PathId;
    use conary_core::files::{FileFlags, FileKind, FileStream, Mode};
    use conary_core::trove::Trove;
    let version: conary_core::version::Version =
        format!("/{LABEL}/{revision}").parse().expect("version");
    let mut trove = Trove::new(
        name.parse().expect("name"),
        version.clone(),
        Default::default(),
    );
    let mut contents = MemContents::new();
    let mut streams = BTreeMap::new();
    for (path, data, config) in files {
        let digest = contents.insert(data.to_vec());
        let kind = FileKind::Regular {
            size: data.len() as u64,
            digest,
            link_group: None,
        };
        let mut stream = FileStream::new(kind, Mode::new(0o644).expect("mode"), "root", "root");
        stream.flags.set(FileFlags::CONFIG, *config);
        trove.add_file(
            PathId::derive(path.as_bytes()),
            path,
            stream.file_id(),
            version.clone(),
        );
        streams.insert(stream.file_id(), stream);
    }
    let mut builder = ChangeSetBuilder::new();
    builder.add_primary(trove.tuple());
    builder.add_absolute(trove, &streams).expect("absolute");
    let changeset = builder.build(&NoContents, &contents).expect("build");
    repo.commit(&changeset, &contents)
        .into_iter()
        .next()
        .expect("committed")
}

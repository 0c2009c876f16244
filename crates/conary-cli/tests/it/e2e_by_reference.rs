//! Two servers: troves on server B whose file contents live on server A
//! (a shadow by reference). B stores only what the shadow changed; its
//! changesets name the rest as references, and the client fetches them
//! from A.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use conary_changeset::{
    ChangeSet, ChangeSetBuilder, ChangeSetReader, ContentKind, MemContents, NoContents, PayloadId,
    write_changeset,
};
use conary_core::digest::{Digest, FileId};
use conary_core::files::{FileKind, FileStream};
use conary_core::trove::Trove;
use conary_core::version::{Label, Version};
use conary_test::{ADMIN_PASSWORD, ADMIN_USER, ConaryRc, TestRepository, corpus};

use crate::cli::{CONARY, CVC, REPOS, fails, ok};

const A: &str = "a.example.com";
const B: &str = "b.example.com";
const LABEL_A: &str = "a.example.com@deb:12";
const LABEL_B: &str = "b.example.com@deb:12";
/// The config file the shadow changes.
const CHANGED: &str = "/etc/sudo.conf";
const ADDED_LINE: &[u8] = b"Set disable_coredump false\n";

#[test]
fn a_shadow_on_b_is_fetched_whole_with_contents_from_a() {
    let a = TestRepository::new(REPOS, A);
    let b = TestRepository::new(REPOS, B);
    let (server_a, server_b) = (a.serve(), b.serve());
    let home = a.scratch();
    let rc = ConaryRc::new()
        .repository_map(A, &server_a.url())
        .repository_map(B, &server_b.url())
        .user(A, ADMIN_USER, ADMIN_PASSWORD)
        .user(B, ADMIN_USER, ADMIN_PASSWORD)
        .write_in(home);
    let rc = rc.to_str().expect("UTF-8 path");
    let deb = corpus::by_package()
        .remove("sudo")
        .expect("sudo in the corpus")
        .remove(0)
        .path;
    let deb_text = deb.display().to_string();
    ok(
        CVC,
        &[
            "import-deb",
            "--label",
            LABEL_A,
            "--config-file",
            rc,
            &deb_text,
        ],
        home,
    );

    // The package and its components, from A; then their shadow on B,
    // committed by reference.
    let from_a = home.join("sudo-a.ccs");
    let from_a_text = from_a.display().to_string();
    ok(
        CONARY,
        &[
            "changeset",
            "sudo",
            &from_a_text,
            "--install-label",
            LABEL_A,
            "--config-file",
            rc,
        ],
        home,
    );
    let extracted = home.join("extracted");
    dpkg_extract(&deb, &extracted);
    let original = std::fs::read(extracted.join(&CHANGED[1..])).expect("the config file");
    let changed = [original.as_slice(), ADDED_LINE].concat();
    let shadow_ccs = home.join("sudo-shadow.ccs");
    let shadow = write_shadow(&from_a, &changed, false, &shadow_ccs);
    assert_eq!(
        shadow.full_contents, 1,
        "the shadow carries the changed file alone"
    );
    let committed = ok(
        CONARY,
        &[
            "commit",
            shadow_ccs.to_str().expect("UTF-8 path"),
            "--config-file",
            rc,
        ],
        home,
    );
    let expected: String = shadow
        .tuples
        .iter()
        .map(|tuple| format!("committed {tuple}\n"))
        .collect();
    assert_eq!(committed, expected);
    assert_eq!(
        b.blob_count(),
        1,
        "B stores the changed file's contents only"
    );
    let again = ok(
        CONARY,
        &[
            "commit",
            &shadow_ccs.display().to_string(),
            "--config-file",
            rc,
        ],
        home,
    );
    assert_eq!(again, expected.replace("committed ", "already present "));

    // A changeset whose troves belong to both repositories is refused.
    let mixed = home.join("mixed.ccs");
    write_shadow(&from_a, &changed, true, &mixed);
    let line = fails(
        CONARY,
        &["commit", &mixed.display().to_string(), "--config-file", rc],
        home,
    );
    assert!(
        line.contains("spans several repositories (a.example.com, b.example.com)"),
        "{line}"
    );
    assert_eq!(b.blob_count(), 1, "nothing more stored");

    // B lists the shadow.
    let listed = ok(
        CONARY,
        &[
            "rq",
            &format!("sudo={LABEL_B}"),
            "--full-versions",
            "--config-file",
            rc,
        ],
        home,
    );
    assert_eq!(listed, format!("sudo={}\n", shadow.version));

    // Its changeset comes back whole, verified, with A's contents.
    let out = home.join("out.ccs");
    let out_text = out.display().to_string();
    ok(
        CONARY,
        &[
            "changeset",
            &format!("sudo={}", shadow.version),
            &out_text,
            "--config-file",
            rc,
        ],
        home,
    );
    let shown = ok(CONARY, &["showcs", &out_text], home);
    assert!(shown.starts_with("absolute changeset: "), "{shown}");
    assert!(
        shown.lines().any(|line| line.starts_with("verified: ")),
        "{shown}"
    );
    let (index, contents) = read_whole(&out);
    let troves: BTreeSet<_> = index.troves.keys().cloned().collect();
    assert_eq!(troves, shadow.tuples);
    let mut compared = BTreeSet::new();
    for change in index.troves.values() {
        for file in change.new.files.values() {
            let stream = &index.files[&file.file_id];
            let FileKind::Regular { digest, .. } = stream.kind else {
                continue;
            };
            let carried = contents
                .get(&digest)
                .unwrap_or_else(|| panic!("{} travels in the changeset", file.path));
            let on_disk = if file.path == CHANGED {
                assert_eq!(file.file_version, shadow.version, "changed on the shadow");
                changed.clone()
            } else {
                assert_eq!(file.file_version.host(), A, "{} kept on A", file.path);
                std::fs::read(extracted.join(&file.path[1..]))
                    .unwrap_or_else(|error| panic!("{}: {error}", file.path))
            };
            assert!(*carried == on_disk, "{} byte for byte", file.path);
            compared.insert(file.path.clone());
        }
    }
    assert_eq!(
        compared,
        regular_files(&extracted, ""),
        "every file of the .deb"
    );
}

/// The paths of the regular files under `dir` (as installed, under `/`).
fn regular_files(dir: &Path, prefix: &str) -> BTreeSet<String> {
    let mut paths = BTreeSet::new();
    for entry in std::fs::read_dir(dir).expect("extracted directory") {
        let entry = entry.expect("directory entry");
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = format!("{prefix}/{name}");
        let kind = entry.file_type().expect("file type");
        if kind.is_dir() {
            paths.extend(regular_files(&entry.path(), &path));
        } else if kind.is_file() {
            paths.insert(path);
        }
    }
    paths
}

/// `dpkg-deb -x DEB DIR`: the reference unpacking of a `.deb`.
fn dpkg_extract(deb: &Path, dir: &Path) {
    let status = std::process::Command::new("dpkg-deb")
        .arg("-x")
        .arg(deb)
        .arg(dir)
        .status()
        .expect("dpkg-deb is installed (the by-reference test compares with it)");
    assert!(status.success(), "dpkg-deb -x {}", deb.display());
}

/// The index of a changeset file and every contents it carries, each
/// payload checked.
fn read_whole(path: &Path) -> (ChangeSet, BTreeMap<Digest, Vec<u8>>) {
    let file = BufReader::new(File::open(path).expect("changeset"));
    let mut reader = ChangeSetReader::new(file).expect("changeset index");
    let mut contents = BTreeMap::new();
    while let Some(mut payload) = reader.next_payload(&NoContents).expect("payload") {
        let bytes = payload.read_to_vec().expect("verified payload");
        if let PayloadId::Contents(digest) = payload.id() {
            contents.insert(digest, bytes);
        }
    }
    (reader.finish().expect("whole changeset"), contents)
}

/// What [`write_shadow`] made.
struct Shadow {
    /// The shadow version of the package and its components.
    version: Version,
    /// The troves of the shadow.
    tuples: BTreeSet<conary_core::trove::TroveTuple>,
    /// How many contents travel whole (the rest are references to A).
    full_contents: usize,
}

/// Writes to `out` the shadow on [`LABEL_B`] of the troves of the
/// changeset `from_a`, as `cvc shadow` and a commit changing [`CHANGED`]
/// to `changed` would make it: every file keeps its stream and its file
/// version on A except [`CHANGED`], whose new contents alone travel. With
/// `with_parent`, A's package trove goes along too.
fn write_shadow(from_a: &Path, changed: &[u8], with_parent: bool, out: &Path) -> Shadow {
    let file = BufReader::new(File::open(from_a).expect("changeset from A"));
    let index = ChangeSetReader::new(file)
        .expect("changeset from A")
        .changeset()
        .clone();
    let label_b: Label = LABEL_B.parse().expect("label");
    let parent = index
        .troves
        .keys()
        .find(|tuple| tuple.name.as_str() == "sudo")
        .expect("the package")
        .version
        .clone();
    let version = parent
        .create_shadow(label_b.clone())
        .expect("shadow")
        .increment_source_count()
        .expect("a changed shadow");
    let shadowed = |old: &Version| {
        assert_eq!(old, &parent, "package and components share a version");
        version.clone()
    };

    let mut streams: BTreeMap<FileId, FileStream> = index.files.clone();
    let mut contents = MemContents::new();
    let mut builder = ChangeSetBuilder::new();
    for digest in index.contents.keys() {
        builder.assume_available(*digest);
    }
    let mut tuples = BTreeSet::new();
    if with_parent {
        let package = index
            .troves
            .values()
            .find(|change| change.new.name.as_str() == "sudo")
            .expect("the package");
        builder
            .add_absolute(package.new.clone(), &streams)
            .expect("absolute");
    }
    for change in index.troves.values() {
        let mut trove: Trove = change.new.clone();
        trove.version = shadowed(&trove.version);
        trove.info.source_version = trove.info.source_version.as_ref().map(|source| {
            source
                .create_shadow(label_b.clone())
                .expect("source shadow")
        });
        trove.strong_refs = std::mem::take(&mut trove.strong_refs)
            .into_iter()
            .map(|(mut tuple, reference)| {
                tuple.version = shadowed(&tuple.version);
                (tuple, reference)
            })
            .collect();
        for file in trove.files.values_mut() {
            if file.path != CHANGED {
                continue;
            }
            let mut stream = streams[&file.file_id].clone();
            let FileKind::Regular { size, digest, .. } = &mut stream.kind else {
                panic!("{CHANGED} is a regular file");
            };
            *digest = contents.insert(changed.to_vec());
            *size = changed.len() as u64;
            file.file_id = stream.file_id();
            file.file_version = version.clone();
            streams.insert(file.file_id, stream);
        }
        if trove.name.as_str() == "sudo" {
            builder.add_primary(trove.tuple());
        }
        tuples.insert(trove.tuple());
        builder.add_absolute(trove, &streams).expect("absolute");
    }
    let changeset = builder.build(&NoContents, &contents).expect("build");
    let full_contents = changeset
        .contents
        .values()
        .filter(|contents| contents.kind == ContentKind::Full)
        .count();
    let bytes = write_changeset(Vec::new(), &changeset, &contents).expect("write");
    std::fs::write(out, bytes).expect("write the shadow changeset");
    Shadow {
        version,
        tuples,
        full_contents,
    }
}

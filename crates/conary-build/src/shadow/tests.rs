//! Shadow plans and changesets against a local repository: what a
//! request names, the versions on the target, shadowing twice, and the
//! refusals.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufReader;

use conary_changeset::{ChangeSetBuilder, ChangeSetReader, MemContents, NoContents};
use conary_core::digest::PathId;
use conary_core::files::{FileKind, FileStream, Mode};
use conary_core::trove::{Trove, TroveRef};
use conary_repository::{Credentials, Identity, LocalSource, Repository};

use super::*;

const TRUNK: &str = "conary.example.com@rpl:1";
const SHADOW: &str = "conary.example.com@rpl:s";

struct Fixture {
    dir: tempfile::TempDir,
    repository: Repository,
    identity: Identity,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        let repository =
            Repository::init(dir.path().join("repo"), "conary.example.com").expect("init");
        repository.add_user("root", "secret", true).expect("user");
        let identity = repository
            .authenticate(&Credentials::Basic {
                user: "root".into(),
                password: "secret".into(),
            })
            .expect("login");
        Fixture {
            dir,
            repository,
            identity,
        }
    }

    fn source(&self) -> LocalSource<'_> {
        LocalSource::new(&self.repository, self.identity.clone())
    }

    fn commit_file(&self, path: &Path) {
        let reader = ChangeSetReader::new(BufReader::new(File::open(path).expect("open")))
            .expect("changeset");
        self.repository
            .commit(reader, &self.identity)
            .expect("commit");
    }

    /// Commits `hello:source` at 1.0-1 and `hello` (with `hello:runtime`,
    /// one file) built from it at 1.0-1-1.
    fn commit_hello(&self) {
        self.commit_package(true);
    }

    /// [`Fixture::commit_hello`], with or without the source trove.
    fn commit_package(&self, with_source: bool) {
        let source_version: Version = format!("/{TRUNK}/1.0-1").parse().expect("v");
        let binary: Version = format!("/{TRUNK}/1.0-1-1").parse().expect("v");
        let mut contents = MemContents::new();
        let mut streams = BTreeMap::new();
        let mut builder = ChangeSetBuilder::new();
        let mut file = |text: &str| {
            let digest = contents.insert(text.as_bytes().to_vec());
            let stream = FileStream::new(
                FileKind::Regular {
                    size: text.len() as u64,
                    digest,
                    link_group: None,
                },
                Mode::new(0o644).expect("mode"),
                "root",
                "root",
            );
            let id = stream.file_id();
            streams.insert(id, stream);
            id
        };
        let recipe = file("name = 'hello'\n");
        let readme = file("hello\n");
        let mut source = Trove::new(
            "hello:source".parse().expect("name"),
            source_version.clone(),
            Flavor::default(),
        );
        source.add_file(
            PathId::derive(b"recipe"),
            "/hello.recipe",
            recipe,
            source_version.clone(),
        );
        let mut runtime = Trove::new(
            "hello:runtime".parse().expect("name"),
            binary.clone(),
            Flavor::default(),
        );
        runtime.add_file(
            PathId::derive(b"readme"),
            "/usr/share/hello/README",
            readme,
            binary.clone(),
        );
        runtime.info.source_version = Some(source_version.clone());
        let mut package = Trove::new("hello".parse().expect("name"), binary, Flavor::default());
        package
            .strong_refs
            .insert(runtime.tuple(), TroveRef::new(true));
        package.info.source_version = Some(source_version);
        let troves = if with_source {
            vec![source, runtime, package]
        } else {
            vec![runtime, package]
        };
        for trove in troves {
            builder.add_primary(trove.tuple());
            builder.add_absolute(trove, &streams).expect("absolute");
        }
        let changeset = builder.build(&NoContents, &contents).expect("build");
        let path = self.dir.path().join("hello.ccs");
        let bytes =
            conary_changeset::write_changeset(Vec::new(), &changeset, &contents).expect("write");
        std::fs::write(&path, bytes).expect("write");
        self.commit_file(&path);
    }
}

fn specs(texts: &[&str]) -> Vec<TroveSpec> {
    texts
        .iter()
        .map(|text| text.parse().expect("spec"))
        .collect()
}

fn label(text: &str) -> Label {
    text.parse().expect("label")
}

/// (name, new version) of each item.
fn names_and_versions(plan: &ShadowPlan) -> Vec<(String, String)> {
    plan.items
        .iter()
        .map(|item| (item.new.name.to_string(), item.new.version.to_string()))
        .collect()
}

#[test]
fn a_package_shadows_with_its_components_and_source_and_twice_is_a_noop() {
    let fixture = Fixture::new();
    fixture.commit_hello();
    let source = fixture.source();
    let target = Target::Shadow(label(SHADOW));
    let path = [label(TRUNK)];
    let planned = plan(
        &source,
        &target,
        &specs(&["hello"]),
        &path,
        ShadowOptions::default(),
    )
    .expect("plan");
    let shadow = "/conary.example.com@rpl:1//s";
    assert_eq!(
        names_and_versions(&planned),
        [
            ("hello".to_owned(), format!("{shadow}/1.0-1-1")),
            ("hello:runtime".to_owned(), format!("{shadow}/1.0-1-1")),
            ("hello:source".to_owned(), format!("{shadow}/1.0-1")),
        ]
    );
    assert!(!planned.is_noop());

    let out = fixture.dir.path().join("shadow.ccs");
    let written = planned.write_changeset(&source, &out).expect("written");
    assert_eq!(written.len(), 3);
    let index = ChangeSetReader::new(BufReader::new(File::open(&out).expect("open")))
        .expect("changeset")
        .changeset()
        .clone();
    assert!(
        index
            .contents
            .values()
            .all(|c| c.kind != conary_changeset::ContentKind::Full)
    );
    for change in index.troves.values() {
        for file in change.new.files.values() {
            assert_eq!(
                file.file_version.branch().to_string(),
                format!("/{TRUNK}"),
                "{} references the parent's file",
                file.path
            );
        }
        if change.new.name.as_str() == "hello" {
            let child = change.new.strong_refs.keys().next().expect("component");
            assert_eq!(child.version.to_string(), format!("{shadow}/1.0-1-1"));
            let source_version = change.new.info.source_version.as_ref().expect("source");
            assert_eq!(source_version.to_string(), format!("{shadow}/1.0-1"));
        }
    }
    fixture.commit_file(&out);

    let again = plan(
        &source,
        &target,
        &specs(&["hello"]),
        &path,
        ShadowOptions::default(),
    )
    .expect("plan");
    assert!(again.is_noop());
    assert!(
        again
            .describe()
            .starts_with(&format!("already shadowed hello={shadow}/1.0-1-1[]\n")),
        "{}",
        again.describe()
    );
    assert!(
        again
            .write_changeset(&source, &out)
            .expect("noop")
            .is_empty()
    );
}

#[test]
fn source_only_and_binary_only_split_the_request() {
    let fixture = Fixture::new();
    fixture.commit_hello();
    let source = fixture.source();
    let target = Target::Shadow(label(SHADOW));
    let path = [label(TRUNK)];
    let only = |options| {
        let planned = plan(&source, &target, &specs(&["hello"]), &path, options).expect("plan");
        names_and_versions(&planned)
            .into_iter()
            .map(|(name, _)| name)
            .collect::<Vec<_>>()
    };
    let source_only = ShadowOptions {
        source_only: true,
        binary_only: false,
    };
    let binary_only = ShadowOptions {
        source_only: false,
        binary_only: true,
    };
    let versioned = |text: &str| {
        let planned = plan(
            &source,
            &target,
            &specs(&[text]),
            &path,
            ShadowOptions::default(),
        )
        .expect("plan");
        planned.items.len()
    };
    assert_eq!(
        versioned("hello=1.0-1"),
        3,
        "a source revision names its build"
    );
    assert_eq!(versioned("hello=1.0-1-1"), 3);
    assert_eq!(versioned(&format!("hello={TRUNK}")), 3);
    assert_eq!(only(source_only), ["hello:source"]);
    assert_eq!(only(binary_only), ["hello", "hello:runtime"]);
    let planned = plan(
        &source,
        &target,
        &specs(&["hello:source=1.0-1"]),
        &path,
        ShadowOptions::default(),
    )
    .expect("plan");
    assert_eq!(names_and_versions(&planned).len(), 1);
}

#[test]
fn components_the_same_label_and_branched_binaries_are_refused() {
    let fixture = Fixture::new();
    fixture.commit_hello();
    let source = fixture.source();
    let path = [label(TRUNK)];
    let shadow = Target::Shadow(label(SHADOW));
    let error = plan(
        &source,
        &shadow,
        &specs(&["hello:runtime"]),
        &path,
        ShadowOptions::default(),
    )
    .expect_err("component");
    assert_eq!(
        error.to_string(),
        "hello:runtime names a component: shadow the package (hello)"
    );
    let error = plan(
        &source,
        &Target::Shadow(label(TRUNK)),
        &specs(&["hello"]),
        &path,
        ShadowOptions::default(),
    )
    .expect_err("same label");
    assert!(error.to_string().starts_with("cannot put hello"), "{error}");
    let error = plan(
        &source,
        &Target::Branch(label(SHADOW)),
        &specs(&["hello"]),
        &path,
        ShadowOptions::default(),
    )
    .expect_err("binary branch");
    assert!(
        error
            .to_string()
            .contains("a branch is made from a source version")
    );
    let error = plan(
        &source,
        &shadow,
        &specs(&["nothere"]),
        &path,
        ShadowOptions::default(),
    )
    .expect_err("missing");
    assert!(
        error.to_string().starts_with("cannot find nothere"),
        "{error}"
    );
}

#[test]
fn a_branch_starts_from_the_source_revision() {
    let fixture = Fixture::new();
    fixture.commit_hello();
    let source = fixture.source();
    let planned = plan(
        &source,
        &Target::Branch(label("conary.example.com@rpl:stable")),
        &specs(&["hello:source=1.0-1"]),
        &[label(TRUNK)],
        ShadowOptions::default(),
    )
    .expect("plan");
    assert_eq!(
        names_and_versions(&planned),
        [(
            "hello:source".to_owned(),
            "/conary.example.com@rpl:1/1.0-1/stable/1".to_owned()
        )]
    );
}

#[test]
fn a_package_without_its_source_is_shadowed_alone() {
    let fixture = Fixture::new();
    fixture.commit_package(false);
    let source = fixture.source();
    let planned = plan(
        &source,
        &Target::Shadow(label(SHADOW)),
        &specs(&["hello"]),
        &[label(TRUNK)],
        ShadowOptions::default(),
    )
    .expect("plan");
    let names: Vec<String> = names_and_versions(&planned)
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(names, ["hello", "hello:runtime"]);
    let out = fixture.dir.path().join("alone.ccs");
    assert_eq!(
        planned
            .write_changeset(&source, &out)
            .expect("written")
            .len(),
        2
    );
}

//! Library tests of source control against a local repository: newpkg,
//! add, commit (source counts, change logs), checkout, diff, log, rdiff
//! and the refusals.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use conary_changeset::ChangeSetReader;
use conary_core::trove::TroveTuple;
use conary_core::version::{Branch, Label};
use conary_repository::{Credentials, Identity, LocalSource, Repository};

use super::*;

const LABEL: &str = "conary.example.com@rpl:2";

struct Fixture {
    _dir: tempfile::TempDir,
    repository: Repository,
    identity: Identity,
    work: std::path::PathBuf,
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
        let work = dir.path().join("work");
        std::fs::create_dir(&work).expect("work dir");
        Fixture {
            _dir: dir,
            repository,
            identity,
            work,
        }
    }

    fn source(&self) -> LocalSource<'_> {
        LocalSource::new(&self.repository, self.identity.clone())
    }

    fn commit(&self, checkout: &mut Checkout, message: &str) -> Result<TroveTuple, SourceError> {
        let commit = |path: &Path| -> Result<(), crate::import::batch::TargetError> {
            let reader = ChangeSetReader::new(BufReader::new(File::open(path)?))?;
            self.repository.commit(reader, &self.identity)?;
            Ok(())
        };
        let request = CommitRequest {
            message,
            committer: "Jane Doe",
            contact: "jane@example.com",
            time: 1_700_000_000,
        };
        commit_checkout(checkout, &self.source(), &request, &commit, &self.work)
    }
}

fn label() -> Label {
    LABEL.parse().expect("label")
}

fn set_recipe(checkout: &Checkout, version: &str) {
    let text =
        recipe_skeleton("hello").replace("version = \"\"", &format!("version = \"{version}\""));
    std::fs::write(checkout.dir().join("hello.recipe"), text).expect("write recipe");
}

#[test]
fn newpkg_commit_checkout_diff_log_rdiff() {
    let fixture = Fixture::new();
    let source = fixture.source();
    let dir = fixture.work.join("hello");
    let branch = Branch::new(label());
    let mut checkout = new_package(&dir, "hello", &branch).expect("newpkg");
    assert!(checkout.state.files.contains_key("hello.recipe"));
    assert_eq!(
        fixture
            .commit(&mut checkout, "too early")
            .expect_err("no version")
            .to_string(),
        "hello.recipe:2:1: top-level `version`: invalid revision '': empty upstream version"
    );

    set_recipe(&checkout, "1.0");
    std::fs::write(dir.join("fix.patch"), "one\ntwo\n").expect("write");
    checkout.add(&["fix.patch".to_owned()]).expect("add");
    checkout.save().expect("save");
    let first = fixture
        .commit(&mut checkout, "first import")
        .expect("commit");
    assert_eq!(first.version.trailing_revision().to_string(), "1.0-1");
    assert!(
        first.version.timestamp().is_some(),
        "stamped by the repository"
    );
    let reopened = Checkout::open(&dir).expect("open");
    assert_eq!(reopened.state.version, Some(first.version.clone()));
    assert!(reopened.state.files.values().all(|f| f.committed.is_some()));

    let error = fixture
        .commit(&mut checkout, "again")
        .expect_err("nothing changed");
    assert!(matches!(error, SourceError::NoChanges), "{error}");

    std::fs::write(dir.join("fix.patch"), "one\nthree\n").expect("write");
    let second = fixture
        .commit(&mut checkout, "second change")
        .expect("commit");
    assert_eq!(second.version.trailing_revision().to_string(), "1.0-2");

    // The recipe was unchanged: it keeps its fileId and version.
    let fetched = fetch_source(&source, &second).expect("fetch");
    assert_eq!(
        fetched.files["hello.recipe"].version.without_timestamps(),
        first.version.without_timestamps()
    );
    assert_eq!(fetched.files["fix.patch"].contents, b"one\nthree\n");
    let changelog = fetched.trove.info.changelog.clone().expect("change log");
    assert_eq!(
        (
            changelog.name.as_str(),
            changelog.contact.as_str(),
            changelog.message.as_str()
        ),
        ("Jane Doe", "jane@example.com", "second change")
    );
    assert_eq!(
        fetched.trove.info.source_name.as_ref().map(|n| n.as_str()),
        Some("hello:source")
    );

    // A second checkout holds the same bytes.
    let name = source_name("hello").expect("name");
    let latest = resolve_source(&source, &name, None, Some(&label())).expect("latest");
    assert_eq!(latest.version, second.version);
    let other_dir = fixture.work.join("other");
    let other = super::checkout(&source, &latest, &other_dir).expect("checkout");
    for file in ["hello.recipe", "fix.patch"] {
        assert_eq!(
            std::fs::read(dir.join(file)).expect("read"),
            std::fs::read(other_dir.join(file)).expect("read"),
            "{file}"
        );
    }
    assert_eq!(
        other.state.files,
        Checkout::open(&dir).expect("open").state.files
    );
    assert_eq!(diff_checkout(&other, &source).expect("diff"), "");

    std::fs::write(other_dir.join("fix.patch"), "one\nfour\n").expect("write");
    let diff = diff_checkout(&other, &source).expect("diff");
    assert!(
        diff.contains("--- a/fix.patch\n+++ b/fix.patch\n"),
        "{diff}"
    );
    assert!(diff.contains("-three\n+four\n"), "{diff}");

    // Older spec forms.
    let by_revision = resolve_source(&source, &name, Some("1.0-1"), Some(&label())).expect("1.0-1");
    assert_eq!(by_revision.version, first.version);
    let by_upstream = resolve_source(&source, &name, Some("1.0"), Some(&label())).expect("1.0");
    assert_eq!(by_upstream.version, second.version);
    let rdiff = diff_versions(&source, &by_revision, &latest).expect("rdiff");
    assert!(
        rdiff.contains("-two\n+three\n") && !rdiff.contains("hello.recipe"),
        "{rdiff}"
    );

    let log = source_log(&source, &name, &label()).expect("log");
    let messages: Vec<&str> = log
        .iter()
        .filter_map(|entry| entry.changelog.as_ref().map(|c| c.message.as_str()))
        .collect();
    assert_eq!(messages, ["second change", "first import"]);

    // The first checkout is now behind nothing; a new upstream starts at 1.
    set_recipe(&checkout, "2.0");
    let third = fixture
        .commit(&mut checkout, "new upstream")
        .expect("commit");
    assert_eq!(third.version.trailing_revision().to_string(), "2.0-1");

    // A second newpkg of the same package is refused at commit.
    let again_dir = fixture.work.join("again");
    let mut again = new_package(&again_dir, "hello", &branch).expect("newpkg");
    set_recipe(&again, "3.0");
    let error = fixture.commit(&mut again, "again").expect_err("exists");
    assert_eq!(
        error.to_string(),
        "hello:source exists on /conary.example.com@rpl:2 already; cvc checkout it instead"
    );

    // The second checkout is behind its branch now.
    let mut other = Checkout::open(&other_dir).expect("open");
    let error = fixture.commit(&mut other, "stale").expect_err("behind");
    assert!(matches!(error, SourceError::Stale { .. }), "{error}");
}

#[test]
fn remove_and_name_checks() {
    let fixture = Fixture::new();
    let dir = fixture.work.join("hello");
    let mut checkout = new_package(&dir, "hello", &Branch::new(label())).expect("newpkg");
    std::fs::write(dir.join("a.txt"), "a\n").expect("write");
    assert!(checkout.add(&["../a.txt".to_owned()]).is_err());
    assert!(matches!(
        checkout.add(&["missing".to_owned()]),
        Err(SourceError::Io { .. })
    ));
    checkout.add(&["a.txt".to_owned()]).expect("add");
    assert!(matches!(
        checkout.add(&["a.txt".to_owned()]),
        Err(SourceError::AlreadyTracked { .. })
    ));
    checkout.remove(&["a.txt".to_owned()]).expect("remove");
    assert!(!dir.join("a.txt").exists());
    assert!(matches!(
        checkout.remove(&["a.txt".to_owned()]),
        Err(SourceError::NotTracked { .. })
    ));

    std::fs::write(
        dir.join("hello.recipe"),
        "name = \"goodbye\"\nversion = \"1.0\"\n",
    )
    .expect("write");
    let error = fixture.commit(&mut checkout, "wrong").expect_err("name");
    assert_eq!(
        error.to_string(),
        "hello.recipe: recipe name 'goodbye' differs from the checkout's 'hello'"
    );
    assert!(matches!(
        new_package(&dir, "hello", &Branch::new(label())),
        Err(SourceError::DirectoryExists { .. })
    ));
}

#[test]
fn unknown_trove_is_not_found() {
    let fixture = Fixture::new();
    let name = source_name("nothing").expect("name");
    let error = resolve_source(&fixture.source(), &name, None, Some(&label())).expect_err("absent");
    assert_eq!(
        error.to_string(),
        "nothing:source on conary.example.com@rpl:2 not found"
    );
}

#[test]
fn a_commit_on_a_shadow_gets_a_dotted_source_count() {
    use conary_changeset::{ChangeSetBuilder, MemContents, NoContents};

    let fixture = Fixture::new();
    let source = fixture.source();
    let dir = fixture.work.join("hello");
    let mut checkout = new_package(&dir, "hello", &Branch::new(label())).expect("newpkg");
    set_recipe(&checkout, "1.2.3");
    fixture.commit(&mut checkout, "one").expect("commit");
    std::fs::write(dir.join("hello.recipe"), {
        let mut text = std::fs::read_to_string(dir.join("hello.recipe")).expect("read");
        text.push_str("# two\n");
        text
    })
    .expect("write");
    let parent = fixture.commit(&mut checkout, "two").expect("commit");
    assert_eq!(parent.version.trailing_revision().to_string(), "1.2.3-2");

    // Shadow it by hand (cvc shadow comes later): the same files, their
    // versions kept, the trove on /rpl:2//shadow.
    let fetched = fetch_source(&source, &parent).expect("fetch");
    let shadow_label: Label = "conary.example.com@rpl:shadow".parse().expect("label");
    let shadow_version = parent
        .version
        .create_shadow(shadow_label.clone())
        .expect("shadow");
    let mut trove = fetched.trove.clone();
    trove.version = shadow_version.clone();
    let mut contents = MemContents::new();
    let mut streams = std::collections::BTreeMap::new();
    for file in fetched.files.values() {
        contents.insert(file.contents.clone());
        streams.insert(file.file_id, file.stream.clone());
    }
    let mut builder = ChangeSetBuilder::new();
    builder.add_absolute(trove, &streams).expect("add");
    let changeset = builder.build(&NoContents, &contents).expect("build");
    fixture
        .repository
        .commit_changeset(&changeset, &contents, &fixture.identity)
        .expect("commit shadow");

    let name = source_name("hello").expect("name");
    let shadowed = resolve_source(&source, &name, None, Some(&shadow_label)).expect("on shadow");
    assert!(shadowed.version.is_shadow());
    let shadow_dir = fixture.work.join("shadow");
    let mut on_shadow = super::checkout(&source, &shadowed, &shadow_dir).expect("checkout");
    assert_eq!(&on_shadow.state.branch, shadowed.version.branch());
    std::fs::write(shadow_dir.join("local.patch"), "local\n").expect("write");
    on_shadow.add(&["local.patch".to_owned()]).expect("add");
    let first = fixture
        .commit(&mut on_shadow, "local change")
        .expect("commit");
    assert_eq!(first.version.trailing_revision().to_string(), "1.2.3-2.1");
    assert_eq!(first.version.branch(), shadowed.version.branch());
    std::fs::write(shadow_dir.join("local.patch"), "local 2\n").expect("write");
    let second = fixture.commit(&mut on_shadow, "again").expect("commit");
    assert_eq!(second.version.trailing_revision().to_string(), "1.2.3-2.2");
    set_recipe(&on_shadow, "1.2.4");
    let upstream = fixture
        .commit(&mut on_shadow, "new upstream")
        .expect("commit");
    assert_eq!(
        upstream.version.trailing_revision().to_string(),
        "1.2.4-0.1"
    );
}

#[test]
fn merge_on_a_shadow_takes_added_and_removed_files_and_numbers_the_commit() {
    let fixture = Fixture::new();
    let source = fixture.source();
    let trunk_dir = fixture.work.join("trunk");
    let mut trunk = new_package(&trunk_dir, "hello", &Branch::new(label())).expect("newpkg");
    set_recipe(&trunk, "1.0");
    std::fs::write(trunk_dir.join("old.txt"), "old\n").expect("write");
    trunk.add(&["old.txt".to_owned()]).expect("add");
    let first = fixture.commit(&mut trunk, "first").expect("commit");

    // The shadow, made and committed as cvc shadow does.
    let shadow_label: Label = "conary.example.com@rpl:s".parse().expect("label");
    let planned = crate::shadow::plan(
        &source,
        &crate::shadow::Target::Shadow(shadow_label.clone()),
        &["hello:source".parse().expect("spec")],
        &[label()],
        crate::shadow::ShadowOptions::default(),
    )
    .expect("plan");
    let ccs = fixture.work.join("shadow.ccs");
    planned.write_changeset(&source, &ccs).expect("written");
    let reader =
        ChangeSetReader::new(BufReader::new(File::open(&ccs).expect("open"))).expect("changeset");
    fixture
        .repository
        .commit(reader, &fixture.identity)
        .expect("commit the shadow");

    let shadow_tuple = resolve_source(&source, &first.name, None, Some(&shadow_label))
        .expect("the shadow's source");
    let shadow_dir = fixture.work.join("shadow");
    let mut shadow = checkout(&source, &shadow_tuple, &shadow_dir).expect("checkout");
    let nothing = merge_checkout(&mut shadow, &source).expect("merge");
    assert!(
        matches!(nothing, MergeOutcome::NothingToMerge { .. }),
        "{nothing:?}"
    );
    std::fs::write(shadow_dir.join("local.txt"), "mine\n").expect("write");
    shadow.add(&["local.txt".to_owned()]).expect("add");
    let local = fixture.commit(&mut shadow, "local").expect("commit");
    assert_eq!(local.version.trailing_revision().to_string(), "1.0-1.1");

    // The trunk adds new.txt and removes old.txt.
    std::fs::write(trunk_dir.join("new.txt"), "new\n").expect("write");
    trunk.add(&["new.txt".to_owned()]).expect("add");
    trunk.remove(&["old.txt".to_owned()]).expect("remove");
    let second = fixture.commit(&mut trunk, "second").expect("commit");
    assert_eq!(second.version.trailing_revision().to_string(), "1.0-2");

    let MergeOutcome::Merged(report) = merge_checkout(&mut shadow, &source).expect("merge") else {
        panic!("a merge");
    };
    let changed: Vec<&str> = report.changed.iter().map(String::as_str).collect();
    assert_eq!(changed, ["new.txt", "old.txt"]);
    assert!(report.conflicts.is_empty());
    assert!(!shadow_dir.join("old.txt").exists());
    assert_eq!(
        std::fs::read_to_string(shadow_dir.join("new.txt")).expect("merged"),
        "new\n"
    );
    let reopened = Checkout::open(&shadow_dir).expect("open");
    assert_eq!(reopened.state.last_merged, Some(second.version.clone()));
    assert!(reopened.state.files.contains_key("new.txt"));
    assert!(!reopened.state.files.contains_key("old.txt"));

    let merged = fixture.commit(&mut shadow, "merged").expect("commit");
    assert_eq!(merged.version.trailing_revision().to_string(), "1.0-2.1");
    assert!(
        Checkout::open(&shadow_dir)
            .expect("open")
            .state
            .last_merged
            .is_none()
    );
    // The file taken from the parent keeps the parent's version.
    let fetched = fetch_source(&source, &merged).expect("fetch");
    assert_eq!(
        fetched.files["new.txt"].version.without_timestamps(),
        second.version.without_timestamps()
    );
    assert_eq!(fetched.files["local.txt"].contents, b"mine\n");

    // A trunk checkout has nothing to merge from.
    let error = merge_checkout(&mut trunk, &source).expect_err("not a shadow");
    assert!(
        error.to_string().contains("which is not a shadow"),
        "{error}"
    );
}

#[test]
fn a_directory_without_a_state_file_is_not_a_checkout() {
    let dir = tempfile::tempdir().expect("temp dir");
    let Err(error) = Checkout::open(dir.path()) else {
        panic!("a directory without CONARY opened as a checkout");
    };
    assert!(matches!(error, SourceError::NotACheckout { .. }), "{error}");
    assert!(error.to_string().contains("is not a checkout"), "{error}");
}

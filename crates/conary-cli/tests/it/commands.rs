//! The commands' operations in process, over a local repository (a
//! `LocalSource`) instead of a server: the layer below the end-to-end
//! tests, quick to run and to debug.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use conary_api::TroveSource;
use conary_build::import::batch::{NoImportProgress, TargetError};
use conary_changeset::ChangeSetReader;
use conary_cli::commands::changeset::{self, ChangesetArgs};
use conary_cli::commands::import_deb::{self, ImportDebArgs, SourceTarget};
use conary_cli::commands::rq::{self, RqArgs};
use conary_cli::commands::showcs::{self, ShowcsArgs};
use conary_core::config::Config;
use conary_repository::{Credentials, Identity, LocalSource, Repository};

const HOST: &str = "local.example.com";
const LABEL: &str = "local.example.com@deb:12";

/// A repository in a temporary directory, and its admin.
struct Local {
    temp: tempfile::TempDir,
    repository: Repository,
    admin: Identity,
}

impl Local {
    fn new() -> Local {
        let temp = tempfile::tempdir().expect("temp dir");
        let repository = Repository::init(temp.path().join("repository"), HOST).expect("init");
        repository.add_user("admin", "pw", true).expect("admin");
        let admin = repository
            .authenticate(&Credentials::Basic {
                user: "admin".into(),
                password: "pw".into(),
            })
            .expect("admin identity");
        Local {
            temp,
            repository,
            admin,
        }
    }

    fn source(&self) -> LocalSource<'_> {
        LocalSource::new(&self.repository, self.admin.clone())
    }

    fn commit(&self, path: &Path) -> Result<bool, TargetError> {
        let reader = ChangeSetReader::new(BufReader::new(File::open(path)?))?;
        let result = self.repository.commit(reader, &self.admin)?;
        Ok(!result.committed.is_empty())
    }

    fn import(&self, files: &[std::path::PathBuf]) -> String {
        let source = self.source();
        let commit = |path: &Path| self.commit(path);
        let target = SourceTarget {
            source: &source,
            commit: &commit,
        };
        let args = ImportDebArgs {
            files: files.to_vec(),
            label: LABEL.to_owned(),
            force: false,
        };
        import_deb::run(&args, &target, &NoImportProgress).expect("imports")
    }
}

fn config() -> Config {
    let mut config = Config::default();
    config
        .apply_line(&format!("installLabelPath {LABEL}"), "test")
        .expect("config");
    config
}

fn rq(source: &dyn TroveSource, args: RqArgs) -> String {
    rq::run(&args, &config(), source).expect("rq")
}

fn sudo_debs() -> Vec<std::path::PathBuf> {
    conary_test::corpus::by_package()
        .remove("sudo")
        .expect("sudo in the corpus")
        .into_iter()
        .map(|candidate| candidate.path)
        .collect()
}

#[test]
fn import_query_changeset_and_show() {
    let local = Local::new();
    let imported = local.import(&sudo_debs());
    assert_eq!(
        imported,
        "imported sudo=/local.example.com@deb:12/1.9.13p3_1+deb12u2-1-1\n\
         imported sudo=/local.example.com@deb:12/1.9.13p3_1+deb12u4-1-1\n"
    );
    assert_eq!(
        local.import(&sudo_debs()),
        "already present sudo=/local.example.com@deb:12/1.9.13p3_1+deb12u2-1-1\n\
         already present sudo=/local.example.com@deb:12/1.9.13p3_1+deb12u4-1-1\n"
    );
    let source = local.source();
    assert_eq!(
        rq(&source, RqArgs::default()),
        "sudo=1.9.13p3_1+deb12u4-1-1\n"
    );
    let all = RqArgs {
        all_versions: true,
        flavors: true,
        ..RqArgs::default()
    };
    assert_eq!(
        rq(&source, all),
        "sudo=1.9.13p3_1+deb12u2-1-1[is: x86_64]\nsudo=1.9.13p3_1+deb12u4-1-1[is: x86_64]\n"
    );
    let files = RqArgs {
        specs: vec!["sudo".into()],
        files: true,
        ..RqArgs::default()
    };
    assert!(
        rq(&source, files)
            .lines()
            .any(|line| line == "/usr/bin/sudo")
    );
    let lsl = RqArgs {
        specs: vec!["sudo".into()],
        lsl: true,
        ..RqArgs::default()
    };
    let listing = rq(&source, lsl);
    let sudo_line = listing
        .lines()
        .find(|line| line.ends_with(" /usr/bin/sudo"))
        .unwrap_or_else(|| panic!("no /usr/bin/sudo in\n{listing}"));
    assert!(sudo_line.starts_with("-rwsr-xr-x root"), "{sudo_line}");
    let info = RqArgs {
        specs: vec!["sudo=1.9.13p3_1+deb12u2-1-1".into()],
        info: true,
        deps: true,
        ..RqArgs::default()
    };
    let shown = rq(&source, info);
    for expected in [
        "Name         : sudo",
        "Version      : 1.9.13p3_1+deb12u2-1-1",
        "Source       : sudo:source",
        "Capsule      : deb",
        "  Requires:",
    ] {
        assert!(
            shown.lines().any(|line| line == expected),
            "{expected:?} in\n{shown}"
        );
    }

    let out = local.temp.path().join("sudo.ccs");
    let args = ChangesetArgs {
        args: vec![
            "sudo=1.9.13p3_1+deb12u2-1-1--1.9.13p3_1+deb12u4-1-1".into(),
            out.display().to_string(),
        ],
        no_recurse: false,
    };
    let written = changeset::run(&args, &config(), &source).expect("changeset");
    assert_eq!(written.jobs.len(), 1);
    assert_eq!(
        written.bytes,
        std::fs::metadata(&out).expect("written").len()
    );
    let shown = showcs::run(&ShowcsArgs { file: out }).expect("showcs");
    assert!(shown.starts_with("relative changeset: "), "{shown}");
    assert!(shown.contains(" delta"), "{shown}");
    assert!(
        shown.lines().any(|line| line.starts_with("verified: ")),
        "{shown}"
    );
}

#[test]
fn bad_specs_and_unknown_troves_are_one_clear_error() {
    let local = Local::new();
    local.import(&sudo_debs()[..1]);
    let source = local.source();
    let cases: &[(&str, &str)] = &[
        ("bash", "bash was not found on local.example.com@deb:12"),
        (
            "sudo=9.9",
            "sudo=9.9 was not found on local.example.com@deb:12",
        ),
        ("=sudo", "invalid trove spec '=sudo'"),
    ];
    for (spec, expected) in cases {
        let args = RqArgs {
            specs: vec![(*spec).to_owned()],
            ..RqArgs::default()
        };
        let error = rq::run(&args, &config(), &source).expect_err(spec);
        let line = conary_cli::exit::error_line(&error);
        assert!(line.starts_with(expected), "{spec}: {line}");
        assert_eq!(line.lines().count(), 1);
    }
    let corrupt = local.temp.path().join("corrupt.ccs");
    std::fs::write(&corrupt, b"CNYC\x00\x01garbage").expect("write");
    let error = showcs::run(&ShowcsArgs { file: corrupt }).expect_err("corrupt");
    let line = conary_cli::exit::error_line(&error);
    assert!(line.contains("is not a valid changeset"), "{line}");
}

//! The system commands' operations in process, over a local repository (a
//! `LocalSource`) and a temporary root: the layer below `e2e_system`,
//! quick to run and to debug.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use conary_api::{Job, TroveSource};
use conary_build::import::batch::{NoImportProgress, TargetError};
use conary_changeset::ChangeSetReader;
use conary_cli::commands::import_deb::{self, ImportDebArgs, SourceTarget};
use conary_cli::commands::pin::{self, PinArgs};
use conary_cli::commands::query::{self, QueryArgs};
use conary_cli::commands::rollback::{self, RmRollbackArgs};
use conary_cli::commands::update::{self, UpdateArgs, Verb};
use conary_cli::commands::verify::{self, VerifyArgs};
use conary_core::config::Config;
use conary_repository::{Credentials, Identity, LocalSource, Repository};
use conary_test::corpus;

const HOST: &str = "local.example.com";
const LABEL: &str = "local.example.com@deb:12";
const OLD: &str = "2.5.0_1+deb12u2-1-1";
const NEW: &str = "2.5.0_1+deb12u5-1-1";

/// A repository holding both corpus versions of libexpat1, and a root.
struct Local {
    temp: tempfile::TempDir,
    repository: Repository,
    admin: Identity,
    config: Config,
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
        let mut config = Config::default();
        config
            .apply_text(
                &format!("installLabelPath {LABEL}\nflavor is: x86_64\n"),
                "test",
            )
            .expect("config");
        let local = Local {
            temp,
            repository,
            admin,
            config,
        };
        let debs = corpus::by_package()
            .remove("libexpat1")
            .expect("libexpat1 in the corpus")
            .into_iter()
            .map(|candidate| candidate.path)
            .collect();
        local.import(debs);
        local
    }

    fn source(&self) -> LocalSource<'_> {
        LocalSource::new(&self.repository, self.admin.clone())
    }

    fn commit(&self, path: &Path) -> Result<bool, TargetError> {
        let reader = ChangeSetReader::new(BufReader::new(File::open(path)?))?;
        let result = self.repository.commit(reader, &self.admin)?;
        Ok(!result.committed.is_empty())
    }

    fn import(&self, files: Vec<std::path::PathBuf>) {
        let source = self.source();
        let commit = |path: &Path| self.commit(path);
        let target = SourceTarget {
            source: &source,
            commit: &commit,
        };
        let args = ImportDebArgs {
            files,
            label: LABEL.to_owned(),
            force: false,
        };
        import_deb::run(&args, &target, &NoImportProgress).expect("imports");
    }

    fn root(&self) -> std::path::PathBuf {
        self.temp.path().join("root")
    }

    /// Runs `verb` with `specs` (and `--no-deps`: the corpus has no
    /// libc6); the plan printed, then the summary.
    fn update(
        &self,
        verb: Verb,
        specs: &[&str],
        tweak: impl FnOnce(&mut UpdateArgs),
    ) -> anyhow::Result<String> {
        let mut args = UpdateArgs {
            specs: specs.iter().map(|spec| (*spec).to_owned()).collect(),
            no_deps: true,
            ..UpdateArgs::default()
        };
        tweak(&mut args);
        let mut out = Vec::new();
        let summary = update::run(
            verb,
            &args,
            &self.root(),
            &self.config,
            &self.source(),
            &mut out,
        )?;
        Ok(String::from_utf8(out).expect("UTF-8") + &summary)
    }

    fn query(&self, args: QueryArgs) -> String {
        let db = conary_cli::system::open_readonly(&self.root()).expect("open");
        query::run(&args, &self.config, &db).expect("query")
    }
}

#[test]
fn pinned_troves_stay_until_unpinned() {
    let local = Local::new();
    let installed = local
        .update(Verb::Update, &[&format!("libexpat1={OLD}")], |_| {})
        .expect("install");
    assert!(
        installed.starts_with(&format!("Install libexpat1(:doc :lib)={OLD}\n")),
        "{installed}"
    );
    assert!(
        installed.contains("\nApplied: 3 installed, 0 updated, 0 erased; "),
        "{installed}"
    );

    let names = PinArgs {
        names: vec!["libexpat1".to_owned()],
        ..PinArgs::default()
    };
    let mut dry = names.clone();
    dry.dry_run.test = true;
    let would = pin::run(&dry, &local.root(), true).expect("pin --test");
    assert_eq!(would.lines().count(), 3, "{would}");
    assert!(
        would
            .lines()
            .all(|line| line.starts_with("would pin libexpat1")),
        "{would}"
    );
    let pinned = pin::run(&names, &local.root(), true).expect("pin");
    assert_eq!(
        pinned.lines().count(),
        3,
        "the package and its components: {pinned}"
    );
    assert!(
        pinned
            .lines()
            .all(|line| line.starts_with("pinned libexpat1")),
        "{pinned}"
    );

    // A pinned trove is neither replaced nor erased; its update would go
    // beside it, where the same paths clash.
    let error = local
        .update(Verb::Update, &["libexpat1"], |_| {})
        .expect_err("pinned");
    let message = format!("{error:#}");
    assert!(
        message.contains("beside") && message.contains("both have /"),
        "{message}"
    );
    let error = local
        .update(Verb::Erase, &["libexpat1"], |_| {})
        .expect_err("pinned");
    assert!(
        format!("{error:#}").contains("is pinned (unpin it first)"),
        "{error:#}"
    );

    pin::run(&names, &local.root(), false).expect("unpin");
    let updated = local
        .update(Verb::Update, &["libexpat1"], |_| {})
        .expect("update");
    assert!(
        updated.starts_with(&format!("Update libexpat1(:doc :lib) ({OLD} -> {NEW})\n")),
        "{updated}"
    );
}

#[test]
fn queries_select_by_name_path_and_dependency() {
    let local = Local::new();
    local
        .update(Verb::Update, &["libexpat1"], |_| {})
        .expect("install");
    assert_eq!(
        local.query(QueryArgs::default()),
        format!("libexpat1={NEW}\n")
    );
    let components = local.query(QueryArgs {
        components: true,
        ..QueryArgs::default()
    });
    assert_eq!(
        components,
        format!("libexpat1={NEW}\nlibexpat1:doc={NEW}\nlibexpat1:lib={NEW}\n")
    );
    let owner = local.query(QueryArgs {
        path: vec!["/lib/x86_64-linux-gnu/libexpat.so.1.8.10".to_owned()],
        ..QueryArgs::default()
    });
    assert_eq!(owner, format!("libexpat1:lib={NEW}\n"));
    let provider = local.query(QueryArgs {
        what_provides: vec!["deb: libexpat1".to_owned()],
        ..QueryArgs::default()
    });
    assert_eq!(provider, format!("libexpat1={NEW}\n"));
    let files = local.query(QueryArgs {
        names: vec!["libexpat1".to_owned()],
        files: true,
        ..QueryArgs::default()
    });
    assert!(
        files
            .lines()
            .any(|line| line == "/lib/x86_64-linux-gnu/libexpat.so.1"),
        "{files}"
    );
    let lsl = local.query(QueryArgs {
        names: vec!["libexpat1:lib".to_owned()],
        lsl: true,
        ..QueryArgs::default()
    });
    assert!(
        lsl.lines().any(|line| line.starts_with("lrwxrwxrwx")
            && line.ends_with("/lib/x86_64-linux-gnu/libexpat.so.1 -> libexpat.so.1.8.10")),
        "{lsl}"
    );
    let full = local.query(QueryArgs {
        names: vec![format!("libexpat1={NEW}")],
        full_versions: true,
        flavors: true,
        ..QueryArgs::default()
    });
    assert_eq!(full, format!("libexpat1=/{LABEL}/{NEW}[is: x86_64]\n"));
    let db = conary_cli::system::open_readonly(&local.root()).expect("open");
    let error = query::run(
        &QueryArgs {
            names: vec![format!("libexpat1={OLD}")],
            ..QueryArgs::default()
        },
        &local.config,
        &db,
    )
    .expect_err("not that version");
    assert_eq!(
        error.to_string(),
        format!("libexpat1={OLD} is not installed")
    );
    let error = query::run(
        &QueryArgs {
            path: vec!["/etc/passwd".to_owned()],
            ..QueryArgs::default()
        },
        &local.config,
        &db,
    )
    .expect_err("nobody owns it");
    assert_eq!(error.to_string(), "no installed trove owns /etc/passwd");
}

#[test]
fn verify_lists_what_differs_with_a_diff_of_text() {
    let local = Local::new();
    local
        .update(Verb::Update, &["libexpat1"], |_| {})
        .expect("install");
    let changelog = local
        .root()
        .join("usr/share/doc/libexpat1/changelog.Debian.gz");
    let all = VerifyArgs {
        all: true,
        ..VerifyArgs::default()
    };
    let run = |args: &VerifyArgs| {
        let db = conary_cli::system::open_readonly(&local.root()).expect("open");
        verify::run(args, &db, Some(&local.source())).expect("verify")
    };
    assert_eq!(run(&all), "");
    std::fs::write(&changelog, b"now text\n").expect("write");
    let lib = local.root().join("lib/x86_64-linux-gnu/libexpat.so.1.8.10");
    std::fs::remove_file(&lib).expect("remove");
    assert_eq!(
        run(&all),
        "/lib/x86_64-linux-gnu/libexpat.so.1.8.10: missing\n\
         /usr/share/doc/libexpat1/changelog.Debian.gz: contents changed\n"
    );
    // The installed contents are gzip, not text: no diff, said so.
    let diff = run(&VerifyArgs {
        names: vec!["libexpat1".to_owned()],
        diff: true,
        ..VerifyArgs::default()
    });
    assert!(
        diff.ends_with("contents changed\n  (binary contents: no diff)\n"),
        "{diff}"
    );
}

#[test]
fn test_and_info_change_nothing_and_rollbacks_can_be_removed() {
    let local = Local::new();
    let root = local.root();
    let info = local
        .update(Verb::Update, &["libexpat1"], |args| {
            args.dry_run.info = true
        })
        .expect("info");
    assert_eq!(
        info.lines().next(),
        Some(format!("Install libexpat1(:doc :lib)={NEW}").as_str())
    );
    let test = local
        .update(Verb::Update, &["libexpat1"], |args| {
            args.dry_run.test = true
        })
        .expect("test");
    assert!(test.starts_with(&info), "{test}");
    assert!(
        test.contains("Test only, nothing changed: would have 3 installed"),
        "{test}"
    );
    assert!(!root.exists());

    local
        .update(Verb::Update, &[&format!("libexpat1={OLD}")], |_| {})
        .expect("install");
    local.update(Verb::UpdateAll, &[], |_| {}).expect("update");
    let db = conary_cli::system::open_readonly(&root).expect("open");
    let listed = rollback::list(&db).expect("rblist");
    drop(db);
    let heads: Vec<&str> = listed
        .lines()
        .filter(|line| !line.starts_with('\t'))
        .collect();
    assert_eq!(heads, ["r.2:", "r.1:"]);
    let removed = rollback::remove(
        &RmRollbackArgs {
            target: "1".to_owned(),
            dry_run: Default::default(),
        },
        &root,
    )
    .expect("rmrollback");
    assert_eq!(removed, "removed 1 rollbacks: r.1\n");
    let db = conary_cli::system::open_readonly(&root).expect("open");
    assert!(rollback::list(&db).expect("rblist").starts_with("r.2:\n"));
    drop(db);
    assert_eq!(
        rollback::revert(&Default::default(), &root).expect("revert"),
        "no interrupted transaction to revert\n"
    );

    // Nothing left to update.
    assert_eq!(
        local.update(Verb::UpdateAll, &[], |_| {}).expect("update"),
        "Nothing to do\n"
    );
}

#[test]
fn from_file_installs_what_the_file_holds() {
    let local = Local::new();
    let ccs = local.temp.path().join("expat.ccs");
    let newest = local
        .source()
        .trove_versions(
            &conary_api::TroveQuery::on_label(LABEL.parse().expect("label"))
                .named(["libexpat1".parse().expect("name")]),
        )
        .expect("versions")
        .remove(0);
    let job = Job::install(newest.name, newest.version, newest.flavor);
    let mut file = File::create(&ccs).expect("create");
    local
        .source()
        .changeset(&[job], true, &mut file)
        .expect("changeset");
    drop(file);
    let ccs_text = ccs.to_str().expect("UTF-8");
    let done = local
        .update(Verb::Update, &[], |args| args.from_file = vec![ccs.clone()])
        .expect("from file");
    assert!(
        done.starts_with(&format!("Install libexpat1(:doc :lib)={NEW}\n")),
        "{done}"
    );
    // No repository fetch: the summary names no download.
    assert!(done.ends_with("; 8 files written, 0 removed\n"), "{done}");
    let again = local
        .update(Verb::Update, &[ccs_text], |_| {})
        .expect("again");
    assert_eq!(again, "Nothing to do\n");
}

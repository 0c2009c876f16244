//! The planner against a real repository: the shared corpus of Debian
//! packages imported with `cvc import-deb`'s engine, served by a local
//! repository.

use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;

use conary_api::{TroveQuery, TroveSource};
use conary_build::import::{ImportOptions, MemorySink, import_deb, order_for_import};
use conary_core::config::Config;
use conary_core::spec::parse_change_list;
use conary_core::trove::Trove;
use conary_core::version::Version;
use conary_repository::{Credentials, LocalSource, Repository};
use conary_system::plan::{MemorySystem, PlanError, PlanOptions, Planner};

const HOST: &str = "deb.example.com";
const LABEL: &str = "deb.example.com@debian:bookworm";

/// The corpus directory, beside the repository or in one of its parents
/// (as `conary-build`'s tests find it), or `CONARY_DEBIAN_CORPUS`.
fn corpus_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CONARY_DEBIAN_CORPUS") {
        return PathBuf::from(dir);
    }
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .ancestors()
        .map(|dir| dir.join("shared/corpus/debian"))
        .find(|dir| dir.join("MANIFEST").is_file())
        .expect("the Debian corpus (shared/corpus/debian) is beside the repository")
}

/// The corpus packages the test needs, and some it does not, to choose
/// from (importing the whole corpus takes long in a debug build).
const PACKAGES: [&str; 5] = ["curl", "libcurl4", "libssl3", "openssl", "ca-certificates"];

/// A repository holding every version of [`PACKAGES`] in the corpus,
/// committed oldest first.
fn corpus_repository() -> (tempfile::TempDir, Repository) {
    let dir = tempfile::tempdir().expect("temp dir");
    let repository = Repository::init(dir.path().join("repo"), HOST).expect("init");
    repository.add_user("root", "pw", true).expect("user");
    let root = repository
        .authenticate(&Credentials::Basic {
            user: "root".into(),
            password: "pw".into(),
        })
        .expect("root");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("corpus readable")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "deb"))
        .filter(|path| {
            let name = path
                .file_name()
                .map(|name| name.to_string_lossy().into_owned());
            name.is_some_and(|name| {
                PACKAGES
                    .iter()
                    .any(|package| name.starts_with(&format!("{package}_")))
            })
        })
        .collect();
    paths.sort();
    let label = LABEL.parse().expect("label");
    for candidate in order_for_import(&paths).expect("ordered") {
        let file = BufReader::new(File::open(&candidate.path).expect("open"));
        let mut sink = MemorySink::new();
        let imported =
            import_deb(file, &label, &ImportOptions::default(), &mut sink).expect("imports");
        let changeset = imported.to_changeset(&sink).expect("changeset");
        repository
            .commit_changeset(&changeset, &sink, &root)
            .unwrap_or_else(|error| panic!("{}: {error}", candidate.path.display()));
    }
    (dir, repository)
}

/// What the base system of a Debian machine provides, as one installed
/// trove: the libraries the corpus packages need but do not hold.
fn base_system(missing: &[String]) -> Trove {
    let version =
        Version::thaw("/base.example.com@debian:bookworm/1000.000:12-1-1").expect("version");
    let mut base = Trove::new(
        "debian-base".parse().expect("name"),
        version,
        Default::default(),
    );
    for dependency in missing {
        base.provides
            .insert(dependency.parse().expect("a dependency"));
    }
    base
}

#[test]
fn curl_resolves_libcurl4_and_the_rest_from_the_repository() {
    let (_dir, repository) = corpus_repository();
    let identity = repository
        .authenticate(&Credentials::Basic {
            user: "root".into(),
            password: "pw".into(),
        })
        .expect("root");
    let source = LocalSource::new(&repository, identity);
    let mut config = Config::default();
    config
        .apply_text(
            &format!("installLabelPath {LABEL}\nflavor is: x86_64\n"),
            "conaryrc",
        )
        .expect("config");
    let specs = parse_change_list(&["curl"]).expect("spec");
    let resolving = PlanOptions {
        resolve: Some(true),
        ..PlanOptions::default()
    };

    // On an empty machine, what nothing in the repository provides stays
    // unresolved; those are the base system's job.
    let empty = MemorySystem::new();
    let error = Planner::new(&source, &empty, &config, resolving.clone())
        .plan(&specs)
        .expect_err("libc6 and friends are not in the corpus");
    let PlanError::Unresolved { problems } = &error else {
        panic!("unexpected error: {error}");
    };
    assert!(
        problems
            .iter()
            .any(|problem| problem.dependency.name() == "libc6"),
        "{error}"
    );
    assert!(
        problems
            .iter()
            .all(|problem| problem.dependency.name() != "libcurl4"),
        "libcurl4 is resolved from the repository: {error}"
    );
    let missing: Vec<String> = problems
        .iter()
        .map(|problem| {
            // Provide exactly what is asked for, with a version that fits.
            let dependency = &problem.dependency;
            let version = dependency
                .deb_constraints()
                .iter()
                .map(|constraint| constraint.version().to_string())
                .max()
                .unwrap_or_else(|| "1".to_owned());
            format!("deb: {}(={version})", dependency.name())
        })
        .collect();

    let mut system = MemorySystem::new();
    system.install(base_system(&missing));
    let plan = Planner::new(&source, &system, &config, resolving)
        .plan(&specs)
        .unwrap_or_else(|error| panic!("{error}"));
    let names: Vec<String> = plan
        .jobs
        .iter()
        .filter(|job| !job.name.is_component())
        .map(|job| job.name.to_string())
        .collect();
    assert!(names.contains(&"curl".to_owned()), "{plan}");
    assert!(names.contains(&"libcurl4".to_owned()), "{plan}");
    assert!(plan.jobs.iter().all(|job| job.old.is_none()), "{plan}");
    // The newest curl and libcurl4 of the corpus.
    let text = plan.to_string();
    assert!(
        text.contains("Install curl=7.88.1_10+deb12u15-1-1\n"),
        "{text}"
    );
    assert!(
        text.contains("Install libcurl4=7.88.1_10+deb12u15-1-1\n"),
        "{text}"
    );
    assert!(
        text.contains("Install libcurl4:lib=7.88.1_10+deb12u15-1-1\n"),
        "{text}"
    );
    assert!(
        plan.resolved_deps
            .iter()
            .any(|resolution| resolution.provider.name.as_str() == "libcurl4"
                && resolution.requirer.name.as_str() == "curl"),
        "{text}"
    );
    assert_eq!(plan.primary.len(), 1);
    assert!(plan.download_size > 0);
    assert!(text.contains("\nDownload size: "), "{text}");
    // libcurl4 needs libssl3, which comes too.
    assert!(
        text.contains("Install libssl3=3.0.22_1~deb12u2-1-1\n"),
        "{text}"
    );

    // Without --resolve the missing libraries are named.
    let error = Planner::new(&source, &system, &config, PlanOptions::default())
        .plan(&specs)
        .expect_err("libcurl4 is not installed");
    assert!(
        error.to_string().contains("curl=deb.example.com@debian:bookworm/7.88.1_10+deb12u15-1-1[is: x86_64] requires deb: libcurl4"),
        "{error}"
    );
}

/// Installs the oldest version of `name` in the repository, with its
/// by-default components, as if it had been installed earlier.
fn install_oldest(source: &dyn TroveSource, system: &mut MemorySystem, name: &str) {
    let query = TroveQuery::on_label(LABEL.parse().expect("label"))
        .named([name.parse().expect("name")])
        .all_versions();
    let mut versions = source.trove_versions(&query).expect("versions");
    versions.sort_by_key(|tuple| tuple.version.timestamp());
    let oldest = versions.first().cloned().expect("a version");
    let package = source
        .troves(std::slice::from_ref(&oldest))
        .expect("manifest")
        .remove(0);
    let members: Vec<_> = package
        .iter_refs()
        .filter(|(_, by_default, _)| *by_default)
        .map(|(tuple, _, _)| tuple.clone())
        .collect();
    system.install(package);
    for member in source.troves(&members).expect("members") {
        system.install(member);
    }
}

#[test]
fn updating_curl_updates_the_installed_libcurl4_it_needs() {
    let (_dir, repository) = corpus_repository();
    let identity = repository
        .authenticate(&Credentials::Basic {
            user: "root".into(),
            password: "pw".into(),
        })
        .expect("root");
    let source = LocalSource::new(&repository, identity);
    let mut config = Config::default();
    config
        .apply_text(
            &format!("installLabelPath {LABEL}\nflavor is: x86_64\nautoResolve True\n"),
            "conaryrc",
        )
        .expect("config");
    let mut system = MemorySystem::new();
    for name in ["curl", "libcurl4", "libssl3"] {
        install_oldest(&source, &mut system, name);
    }
    // What the base system provides, taken from the requirements left
    // open on this machine.
    let specs = parse_change_list(&["curl"]).expect("spec");
    let mut base = base_system(&[]);
    for installed in conary_system::plan::InstalledSystem::installed(&system).expect("system") {
        let provides = installed.trove.provides.clone();
        for required in installed.trove.requires.iter() {
            if !provides.satisfies_dependency(required)
                && required.name() != "libcurl4"
                && required.name() != "libssl3"
            {
                let version = required
                    .deb_constraints()
                    .iter()
                    .map(|constraint| constraint.version().to_string())
                    .max()
                    .unwrap_or_else(|| "1".to_owned());
                base.provides.insert(
                    format!("deb: {}(={version})", required.name())
                        .parse()
                        .expect("dependency"),
                );
            }
        }
    }
    system.install(base);
    let no_deps = PlanOptions {
        no_deps: true,
        resolve: Some(false),
        ..PlanOptions::default()
    };
    let open = Planner::new(&source, &system, &config, no_deps)
        .plan(&specs)
        .expect("plan");
    assert!(!open.unresolved.is_empty(), "{open}");
    for problem in &open.unresolved {
        assert_eq!(
            problem.dependency.name(),
            "libcurl4",
            "only libcurl4 is missing: {open}"
        );
    }

    let plan = Planner::new(&source, &system, &config, PlanOptions::default())
        .plan(&specs)
        .unwrap_or_else(|error| panic!("{error}"));
    let text = plan.to_string();
    assert!(
        text.starts_with("Update curl (7.88.1_10+deb12u5-1-1 -> 7.88.1_10+deb12u15-1-1)\n"),
        "{text}"
    );
    assert!(
        text.contains("Update libcurl4 (7.88.1_10+deb12u5-1-1 -> 7.88.1_10+deb12u15-1-1)\n"),
        "{text}"
    );
    assert!(
        text.contains("Update libcurl4:lib (7.88.1_10+deb12u5-1-1 -> 7.88.1_10+deb12u15-1-1)\n"),
        "{text}"
    );
    // The installed libssl3 is new enough: it stays.
    assert!(!text.contains("libssl3"), "{text}");
    assert!(plan.jobs.iter().all(|job| job.old.is_some()), "{text}");
}

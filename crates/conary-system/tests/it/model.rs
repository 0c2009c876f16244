//! The system model against an in-process repository: a model evaluated,
//! synced with the planner into a root, edited, synced again, and the
//! model kept with the rollback entry written back by a rollback.

use conary_api::Job;
use conary_core::config::Config;
use conary_system::apply::{ApplyOptions, NoProgress};
use conary_system::db::Database;
use conary_system::model::{
    ModelFiles, SystemModel, newest_rollback, save_for_rollbacks, sync_specs,
};
use conary_system::plan::{Plan, PlanOptions, Planner};
use conary_system::rollback::{self, RollbackTarget};

use crate::fixtures::{LABEL, Repo, run_jobs};

const DEBS: [&str; 4] = [
    "sudo_1.9.13p3-1+deb12u2_amd64.deb",
    "sudo_1.9.13p3-1+deb12u4_amd64.deb",
    "tzdata_2025b-0+deb12u1_all.deb",
    "nginx-common_1.22.1-9+deb12u9_all.deb",
];

/// The plan that brings `db` to `text`.
fn plan_sync(repo: &Repo, db: &Database, text: &str) -> Plan {
    let model = SystemModel::parse(text).expect("model");
    let evaluation = model.evaluate().expect("evaluates");
    let mut config = Config::default();
    config
        .apply_text("flavor is: x86_64", "conaryrc")
        .expect("config");
    config.install_label_path = evaluation.label_path.clone();
    let options = PlanOptions {
        resolve: Some(false),
        no_deps: true,
        keep_required: Some(true),
        ..PlanOptions::default()
    };
    let source = repo.source();
    let planner = Planner::new(&source, db, &config, options);
    let specs = sync_specs(&evaluation, db).expect("specs");
    planner.plan(&specs).expect("plans")
}

/// The jobs of a plan as text, one a line, sorted.
fn jobs(plan: &Plan) -> Vec<String> {
    let mut lines: Vec<String> = plan
        .jobs
        .iter()
        .filter(|job| !job.name.is_component())
        .map(|job: &Job| match (job.old_tuple(), job.new_tuple()) {
            (None, Some(new)) => {
                format!("install {}={}", new.name, new.version.trailing_revision())
            }
            (Some(old), None) => format!("erase {}", old.name),
            (Some(old), Some(new)) => format!(
                "update {} {} -> {}",
                new.name,
                old.version.trailing_revision(),
                new.version.trailing_revision()
            ),
            (None, None) => "nothing".to_owned(),
        })
        .collect();
    lines.sort();
    lines
}

#[test]
fn syncs_install_update_erase_and_roll_back_the_model() {
    let repo = Repo::new();
    repo.import(&DEBS);
    let root = tempfile::tempdir().expect("root");
    let mut db = Database::open(root.path()).expect("db");

    // The latest on the search path, held versions exactly.
    let first = format!("# machine\nsearch {LABEL}\ninstall sudo==1.9.13p3_1+deb12u2-1-1 tzdata\n");
    let plan = plan_sync(&repo, &db, &first);
    assert_eq!(
        jobs(&plan),
        [
            "install sudo=1.9.13p3_1+deb12u2-1-1",
            "install tzdata=2025b_0+deb12u1-1-1"
        ]
    );
    run_jobs(&mut db, &repo, &plan.jobs);
    assert!(
        plan_sync(&repo, &db, &first).is_empty(),
        "a second sync has nothing to do"
    );

    // Moving sudo, erasing tzdata, adding nginx-common.
    let second = format!("{first}update sudo\nerase tzdata\ninstall nginx-common\n");
    let plan = plan_sync(&repo, &db, &second);
    assert_eq!(
        jobs(&plan),
        [
            "erase tzdata",
            "install nginx-common=1.22.1_9+deb12u9-1-1",
            "update sudo 1.9.13p3_1+deb12u2-1-1 -> 1.9.13p3_1+deb12u4-1-1",
        ]
    );
    let files = ModelFiles::new(root.path());
    files.write(&first).expect("model");
    files.write_next(&second).expect("snapshot");
    let since = newest_rollback(&db).expect("stack");
    run_jobs(&mut db, &repo, &plan.jobs);
    files.commit_next().expect("commit");
    assert_eq!(save_for_rollbacks(&db, since, &first).expect("saved"), 1);
    assert_eq!(
        files.read().expect("read").map(|(_, t)| t),
        Some(second.clone())
    );
    assert!(plan_sync(&repo, &db, &second).is_empty());

    // Troves installed by nothing in the model go.
    let plan = plan_sync(&repo, &db, &format!("search {LABEL}\ninstall sudo\n"));
    assert_eq!(jobs(&plan), ["erase nginx-common"]);

    // Rolling the sync back writes the model before it back.
    let source = repo.source();
    rollback::rollback(
        &mut db,
        RollbackTarget::Count(1),
        Some(&source),
        &ApplyOptions::default(),
        &NoProgress,
    )
    .expect("rollback");
    assert_eq!(
        files.read().expect("read").map(|(_, t)| t),
        Some(first.clone())
    );
    assert!(plan_sync(&repo, &db, &first).is_empty());
}

#[test]
fn a_rollback_without_a_kept_model_leaves_the_model_alone() {
    let repo = Repo::new();
    repo.import(&DEBS[2..3]);
    let root = tempfile::tempdir().expect("root");
    let mut db = Database::open(root.path()).expect("db");
    let text = format!("search {LABEL}\ninstall tzdata\n");
    let plan = plan_sync(&repo, &db, &text);
    run_jobs(&mut db, &repo, &plan.jobs);
    let files = ModelFiles::new(root.path());
    files.write("# edited by hand\n").expect("model");
    let source = repo.source();
    rollback::rollback(
        &mut db,
        RollbackTarget::Count(1),
        Some(&source),
        &ApplyOptions::default(),
        &NoProgress,
    )
    .expect("rollback");
    assert_eq!(
        files.read().expect("read").map(|(_, t)| t).as_deref(),
        Some("# edited by hand\n")
    );
}

/// In memory: dependencies of a sync resolve from the model's search path
/// and `offer` lines, and what wanted troves need stays installed.
mod resolution {
    use conary_core::config::Config;
    use conary_core::trove::{Trove, TroveTuple};
    use conary_core::version::{Timestamp, Version};
    use conary_system::model::{SystemModel, sync_plan_specs};
    use conary_system::plan::{MemorySource, MemorySystem, PlanError, PlanOptions, Planner};

    const L1: &str = "conary.example.com@rpl:1";
    const L2: &str = "other.example.com@rpl:2";
    const SO_FOO: &str = "soname: ELF64/libfoo.so.1(SysV x86_64)";
    const SO_BAR: &str = "soname: ELF64/libbar.so.1(SysV x86_64)";

    /// A package `name` with one component `:lib` or `:runtime` that
    /// provides and requires what is given; the package and component.
    fn package(
        troves: &mut Vec<Trove>,
        name: &str,
        label: &str,
        secs: u64,
        provides: &str,
        requires: &str,
    ) -> (Trove, Trove) {
        let version: Version = format!("/{label}/1.0-1-1").parse().expect("version");
        let version = version.with_timestamp(Timestamp::from_secs(secs));
        let mut component = Trove::new(
            format!("{name}:lib").parse().expect("name"),
            version.clone(),
            Default::default(),
        );
        component.provides = format!("trove: {name}:lib\n{provides}")
            .trim_end()
            .parse()
            .expect("provides");
        if !requires.is_empty() {
            component.requires = requires.parse().expect("requires");
        }
        let mut package = Trove::new(name.parse().expect("name"), version, Default::default());
        package.add_strong_ref(component.tuple(), true);
        troves.push(package.clone());
        troves.push(component.clone());
        (package, component)
    }

    struct Machine {
        source: MemorySource,
        system: MemorySystem,
        troves: Vec<Trove>,
    }

    impl Machine {
        fn new() -> Machine {
            let mut troves = Vec::new();
            package(&mut troves, "app", L1, 1_000, "", SO_FOO);
            package(&mut troves, "libfoo", L1, 1_010, SO_FOO, "");
            package(&mut troves, "tool", L1, 1_020, "", SO_BAR);
            package(&mut troves, "libbar", L2, 1_030, SO_BAR, "");
            Machine {
                source: MemorySource::from_troves(troves.clone()),
                system: MemorySystem::new(),
                troves,
            }
        }

        /// The plan's text for a sync to `text`.
        fn sync(&self, text: &str) -> Result<String, PlanError> {
            let evaluation = SystemModel::parse(text)
                .expect("model")
                .evaluate()
                .expect("evaluates");
            let config = Config {
                install_label_path: evaluation.label_path.clone(),
                ..Config::default()
            };
            let options = PlanOptions {
                resolve: Some(true),
                keep_required: Some(true),
                ..PlanOptions::default()
            };
            let planner = Planner::new(&self.source, &self.system, &config, options);
            let specs = sync_plan_specs(&evaluation, &self.system, &planner)?;
            Ok(planner.plan(&specs)?.to_string())
        }

        /// Records the new troves of a plan's text as installed.
        fn install(&mut self, names: &[&str]) {
            let chosen: Vec<Trove> = self
                .troves
                .iter()
                .filter(|trove| names.contains(&trove.name.package().as_str()))
                .cloned()
                .collect();
            for trove in chosen {
                self.system.install(trove);
            }
        }

        fn installed(&self) -> Vec<TroveTuple> {
            use conary_system::plan::InstalledSystem as _;
            self.system
                .installed()
                .expect("installed")
                .iter()
                .map(|trove| trove.tuple())
                .collect()
        }
    }

    #[test]
    fn dependencies_resolve_from_the_search_path_and_stay() {
        let mut machine = Machine::new();
        let model = format!("search {L1}\ninstall app\n");
        let plan = machine.sync(&model).expect("plans");
        assert!(
            plan.contains("Install app=") && plan.contains("Install libfoo="),
            "{plan}"
        );
        machine.install(&["app", "libfoo"]);
        assert_eq!(machine.installed().len(), 4);
        // libfoo is in no line of the model, but app needs it: kept.
        let plan = machine.sync(&model).expect("plans");
        assert!(!plan.contains("Erase"), "{plan}");
        // Without app, both go.
        let plan = machine.sync(&format!("search {L1}\n")).expect("plans");
        assert!(
            plan.contains("Erase app=") && plan.contains("Erase libfoo="),
            "{plan}"
        );
    }

    #[test]
    fn offer_lines_make_troves_available_to_resolution_only() {
        let machine = Machine::new();
        let error = machine
            .sync(&format!("search {L1}\ninstall tool\n"))
            .expect_err("libbar is on no searched label");
        assert!(error.to_string().contains(SO_BAR), "{error}");
        let plan = machine
            .sync(&format!("search {L1}\noffer libbar={L2}\ninstall tool\n"))
            .expect("the offer resolves it");
        assert!(
            plan.contains("Install tool=") && plan.contains("Install libbar="),
            "{plan}"
        );
        // An offer alone installs nothing.
        let plan = machine
            .sync(&format!("search {L1}\noffer libbar={L2}\n"))
            .expect("plans");
        assert_eq!(plan, "");
    }
}

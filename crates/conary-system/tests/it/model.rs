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

//! The planner and the executor together: the database is the planner's
//! installed system, the planner's jobs are what the executor applies.

use conary_core::config::Config;
use conary_core::spec::parse_change_list;
use conary_system::db::Database;
use conary_system::plan::{InstalledSystem, PlanOptions, Planner};

use crate::fixtures::{LABEL, Repo, apply, assert_root_is};

const OLD: &str = "libexpat1_2.5.0-1+deb12u2_amd64.deb";
const NEW: &str = "libexpat1_2.5.0-1+deb12u5_amd64.deb";

fn plan_and_apply(db: &mut Database, repo: &Repo, spec: &str) -> conary_system::apply::ApplyReport {
    let mut config = Config::default();
    config
        .apply_text(
            &format!("installLabelPath {LABEL}\nflavor is: x86_64\n"),
            "conaryrc",
        )
        .expect("config");
    let options = PlanOptions {
        // libc6 and friends are not in the corpus.
        no_deps: true,
        ..PlanOptions::default()
    };
    let source = repo.source();
    let specs = parse_change_list(&[spec]).expect("spec");
    let plan = Planner::new(&source, &*db, &config, options)
        .plan(&specs)
        .unwrap_or_else(|error| panic!("{error}"));
    let mut bytes = Vec::new();
    conary_api::TroveSource::changeset(&source, &plan.jobs, false, &mut bytes).expect("changeset");
    apply(db, repo, &plan.jobs, &bytes, &Default::default()).expect("applies")
}

#[test]
fn planned_jobs_install_and_update_through_the_database() {
    let repo = Repo::new();
    let old = repo.import(&[OLD]).remove(0);
    let root = tempfile::tempdir().expect("root");
    let mut db = Database::open(root.path()).expect("open");
    let report = plan_and_apply(&mut db, &repo, "libexpat1");
    assert!(report.installed.contains(&old));
    assert_root_is(root.path(), &[OLD]);

    let seen = InstalledSystem::installed(&db).expect("installed");
    assert!(
        seen.iter()
            .any(|installed| installed.tuple() == old && !installed.pinned)
    );
    assert!(db.set_pinned(&old, true).expect("pin"));
    let seen = InstalledSystem::installed(&db).expect("installed");
    assert!(
        seen.iter()
            .any(|installed| installed.tuple() == old && installed.pinned)
    );
    assert!(db.set_pinned(&old, false).expect("unpin"));

    let new = repo.import(&[NEW]).remove(0);
    let report = plan_and_apply(&mut db, &repo, "libexpat1");
    assert!(
        report
            .updated
            .iter()
            .any(|(from, to)| *from == old && *to == new),
        "{report:?}"
    );
    assert_root_is(root.path(), &[NEW]);
}

#[test]
fn a_pinned_trove_is_never_replaced_by_the_executor() {
    let repo = Repo::new();
    let tuples = repo.import(&[OLD, NEW]);
    let root = tempfile::tempdir().expect("root");
    let mut db = Database::open(root.path()).expect("open");
    crate::fixtures::run_jobs(&mut db, &repo, &[crate::fixtures::install_job(&tuples[0])]);
    db.set_pinned(&tuples[0], true).expect("pin");
    let jobs = [crate::fixtures::update_job(&tuples[0], &tuples[1])];
    let bytes = repo.changeset(&jobs);
    let error = apply(&mut db, &repo, &jobs, &bytes, &Default::default()).expect_err("pinned");
    assert!(
        error.to_string().ends_with("is pinned: unpin it first"),
        "{error}"
    );
    assert_eq!(
        db.pinned().expect("pinned"),
        std::slice::from_ref(&tuples[0])
    );
}

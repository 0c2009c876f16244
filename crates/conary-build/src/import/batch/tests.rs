//! The batch over small packages built in memory and a target that keeps
//! commits in memory, stamping each as a repository does.

use std::cell::RefCell;
use std::path::PathBuf;

use conary_changeset::{ChangeSetReader, NoContents};
use conary_core::version::Timestamp;

use super::*;
use crate::deb::test_support::{control_tar, deb, sample_data};

/// Commits kept in memory: every trove of a changeset, stamped with a
/// commit time that grows by one second per commit.
#[derive(Default)]
struct Memory {
    troves: RefCell<Vec<TroveTuple>>,
    commits: RefCell<usize>,
    refuse: Option<&'static str>,
}

impl ImportTarget for Memory {
    fn versions_on_branch(
        &self,
        name: &TroveName,
        branch: &Branch,
    ) -> Result<Vec<(Version, Flavor)>, TargetError> {
        Ok(self
            .troves
            .borrow()
            .iter()
            .filter(|tuple| &tuple.name == name && tuple.version.branch() == branch)
            .map(|tuple| (tuple.version.clone(), tuple.flavor.clone()))
            .collect())
    }

    fn commit(&self, changeset: &Path) -> Result<bool, TargetError> {
        if let Some(reason) = self.refuse {
            return Err(reason.into());
        }
        let mut reader = ChangeSetReader::new(BufReader::new(File::open(changeset)?))?;
        while let Some(mut payload) = reader.next_payload(&NoContents)? {
            payload.copy_to(&mut std::io::sink())?;
        }
        let changeset = reader.finish()?;
        let mut commits = self.commits.borrow_mut();
        *commits += 1;
        let stamp = Timestamp::from_millis(1_700_000_000_000 + 1000 * *commits as u64);
        let mut new = false;
        for tuple in changeset.troves.keys() {
            let present = self.troves.borrow().iter().any(|t| t == tuple);
            if !present {
                let version = tuple.version.clone().with_timestamp(Some(stamp));
                let stamped = TroveTuple::new(tuple.name.clone(), version, tuple.flavor.clone());
                self.troves.borrow_mut().push(stamped);
                new = true;
            }
        }
        Ok(new)
    }
}

/// Records what the batch reports.
#[derive(Default)]
struct Log(RefCell<Vec<String>>);

impl ImportProgress for Log {
    fn on_plan(&self, total: usize) {
        self.0.borrow_mut().push(format!("plan {total}"));
    }
    fn on_start(&self, candidate: &ImportCandidate) {
        self.0
            .borrow_mut()
            .push(format!("start {}", candidate.version));
    }
    fn on_done(&self, outcome: &ImportOutcome) {
        self.0
            .borrow_mut()
            .push(format!("{} {}", outcome.status.word(), outcome.tuple));
    }
}

fn label() -> Label {
    "deb.example.com@debian:12".parse().expect("label")
}

/// Writes `hello_VERSION_amd64.deb` into `dir`.
fn hello(dir: &Path, version: &str) -> PathBuf {
    let control = format!("Package: hello\nVersion: {version}\nArchitecture: amd64\n");
    let path = dir.join(format!("hello_{version}_amd64.deb"));
    std::fs::write(&path, deb(&control_tar(&control, &[]), &sample_data())).expect("write deb");
    path
}

fn lines(outcomes: &[ImportOutcome]) -> Vec<String> {
    outcomes
        .iter()
        .map(|outcome| format!("{} {}", outcome.status.word(), outcome.tuple))
        .collect()
}

#[test]
fn oldest_first_then_a_reimport_is_a_no_op() {
    let dir = tempfile::tempdir().expect("temp dir");
    let debs = [hello(dir.path(), "2.0-1"), hello(dir.path(), "1.0-1")];
    let target = Memory::default();
    let log = Log::default();
    let spool = tempfile::tempdir().expect("spool");
    let outcomes =
        import_batch(&debs, &label(), false, &target, spool.path(), &log).expect("imports");
    assert_eq!(
        lines(&outcomes),
        [
            "imported hello=/deb.example.com@debian:12/1.0_1-1-1[is: x86_64]",
            "imported hello=/deb.example.com@debian:12/2.0_1-1-1[is: x86_64]",
        ]
    );
    assert_eq!(
        log.0.borrow().as_slice(),
        [
            "plan 2",
            "start 1.0-1",
            "imported hello=/deb.example.com@debian:12/1.0_1-1-1[is: x86_64]",
            "start 2.0-1",
            "imported hello=/deb.example.com@debian:12/2.0_1-1-1[is: x86_64]",
        ]
    );
    let commits = *target.commits.borrow();
    let again = import_batch(
        &debs,
        &label(),
        false,
        &target,
        spool.path(),
        &NoImportProgress,
    )
    .expect("no-op");
    assert_eq!(
        lines(&again),
        [
            "already present hello=/deb.example.com@debian:12/1.0_1-1-1[is: x86_64]",
            "already present hello=/deb.example.com@debian:12/2.0_1-1-1[is: x86_64]",
        ]
    );
    assert_eq!(*target.commits.borrow(), commits, "nothing committed again");
}

#[test]
fn an_older_package_needs_force() {
    let dir = tempfile::tempdir().expect("temp dir");
    let spool = tempfile::tempdir().expect("spool");
    let target = Memory::default();
    let newer = [hello(dir.path(), "2.0-1")];
    let older = [hello(dir.path(), "1.0-1")];
    import_batch(
        &newer,
        &label(),
        false,
        &target,
        spool.path(),
        &NoImportProgress,
    )
    .expect("imports");
    let error = import_batch(
        &older,
        &label(),
        false,
        &target,
        spool.path(),
        &NoImportProgress,
    )
    .expect_err("older");
    assert!(error.to_string().contains("1.0-1"), "{error}");
    let outcomes = import_batch(
        &older,
        &label(),
        true,
        &target,
        spool.path(),
        &NoImportProgress,
    )
    .expect("forced");
    assert_eq!(outcomes.len(), 1);
    assert_eq!(outcomes[0].status, ImportStatus::ImportedOlder);
    assert_eq!(outcomes[0].status.word(), "imported");
}

#[test]
fn a_refused_commit_names_the_package() {
    let dir = tempfile::tempdir().expect("temp dir");
    let spool = tempfile::tempdir().expect("spool");
    let target = Memory {
        refuse: Some("permission denied"),
        ..Memory::default()
    };
    let debs = [hello(dir.path(), "1.0-1")];
    let error = import_batch(
        &debs,
        &label(),
        false,
        &target,
        spool.path(),
        &NoImportProgress,
    )
    .expect_err("refused");
    assert_eq!(
        error.to_string(),
        "cannot commit hello=/deb.example.com@debian:12/1.0_1-1-1: permission denied"
    );
}

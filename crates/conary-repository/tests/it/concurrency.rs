//! Concurrent commits, from threads sharing a repository and from
//! separate handles (as separate processes would have): all land, none is
//! corrupted, and timestamps stay strictly increasing on the branch.

use std::sync::Arc;

use conary_repository::{Query, Repository};

use crate::fixtures::{Bundle, Fixture, HOST, LABEL, version};

const THREADS: usize = 6;
const COMMITS: usize = 5;

#[test]
fn concurrent_commits_all_land() {
    let fixture = Fixture::new(HOST);
    let shared = Arc::new(Repository::open(fixture.path()).expect("open"));
    let root = fixture.root();
    let mut handles = Vec::new();
    for thread in 0..THREADS {
        let path = fixture.path().to_path_buf();
        let shared = Arc::clone(&shared);
        let root = root.clone();
        handles.push(std::thread::spawn(move || {
            // Half share one handle, half open their own connection.
            let own = (thread % 2 == 0).then(|| Repository::open(&path).expect("open"));
            let repository = own.as_ref().unwrap_or(&shared);
            for commit in 0..COMMITS {
                let mut bundle = Bundle::new();
                let v = version(&format!("/conary.example.com@rpl:2/1.{commit}-1-1"));
                let name = format!("pkg{thread}:runtime");
                let shared_file = "shared by every commit\n".to_owned();
                let own_file = format!("thread {thread} commit {commit}\n");
                bundle.component(
                    &name,
                    &v,
                    &[
                        ("/usr/share/shared", &shared_file),
                        ("/usr/share/own", &own_file),
                    ],
                );
                crate::fixtures::commit_changeset(
                    repository,
                    &bundle.absolute(),
                    &bundle.contents,
                    &root,
                )
                .expect("commit");
            }
        }));
    }
    for handle in handles {
        handle.join().expect("thread");
    }
    let all = fixture
        .repository
        .trove_versions(
            &Query::on_label(LABEL.parse().expect("label")).all_versions(),
            &root,
        )
        .expect("all");
    assert_eq!(all.len(), THREADS * COMMITS);
    let mut stamps: Vec<u64> = all
        .iter()
        .map(|tuple| tuple.version.timestamp().expect("stamped").as_millis())
        .collect();
    stamps.sort_unstable();
    stamps.dedup();
    assert_eq!(
        stamps.len(),
        THREADS * COMMITS,
        "no two versions share a timestamp"
    );
    assert_eq!(fixture.blobs(), 1 + THREADS * COMMITS);
    let manifests = fixture
        .repository
        .manifests(&all, &root)
        .expect("manifests");
    assert!(manifests.iter().all(|trove| trove.files.len() == 2));
}

/// The environment variable that makes [`child_commits`] commit into a
/// repository (its directory) instead of doing nothing.
const CHILD_REPOSITORY: &str = "CONARY_TEST_CHILD_REPOSITORY";
/// Which child this is.
const CHILD_INDEX: &str = "CONARY_TEST_CHILD_INDEX";

/// Run by [`concurrent_processes_all_land`] in child processes: commits
/// [`COMMITS`] troves of its own. Does nothing in a normal test run.
#[test]
fn child_commits() {
    let (Ok(path), Ok(index)) = (std::env::var(CHILD_REPOSITORY), std::env::var(CHILD_INDEX))
    else {
        return;
    };
    let repository = Repository::open(&path).expect("open");
    let root = repository
        .authenticate(&conary_repository::Credentials::Basic {
            user: "root".into(),
            password: "pw".into(),
        })
        .expect("root");
    for commit in 0..COMMITS {
        let mut bundle = Bundle::new();
        let v = version(&format!("/conary.example.com@rpl:2/2.{commit}-1-1"));
        let own_file = format!("process {index} commit {commit}\n");
        bundle.component(
            &format!("proc{index}:runtime"),
            &v,
            &[
                ("/usr/share/shared", "shared by every process\n"),
                ("/usr/share/own", &own_file),
            ],
        );
        crate::fixtures::commit_changeset(&repository, &bundle.absolute(), &bundle.contents, &root)
            .expect("commit");
    }
}

#[test]
fn concurrent_processes_all_land() {
    const PROCESSES: usize = 3;
    let fixture = Fixture::new(HOST);
    let exe = std::env::current_exe().expect("test binary");
    let children: Vec<_> = (0..PROCESSES)
        .map(|index| {
            std::process::Command::new(&exe)
                .args([
                    "--exact",
                    "concurrency::child_commits",
                    "--test-threads=1",
                    "--quiet",
                ])
                .env(CHILD_REPOSITORY, fixture.path())
                .env(CHILD_INDEX, index.to_string())
                .stdout(std::process::Stdio::null())
                .spawn()
                .expect("spawn child")
        })
        .collect();
    for mut child in children {
        assert!(child.wait().expect("wait").success(), "a child failed");
    }
    let all = fixture
        .repository
        .trove_versions(&Query::everywhere().all_versions(), &fixture.root())
        .expect("all");
    assert_eq!(all.len(), PROCESSES * COMMITS);
    let mut stamps: Vec<u64> = all
        .iter()
        .map(|tuple| tuple.version.timestamp().expect("stamped").as_millis())
        .collect();
    stamps.sort_unstable();
    stamps.dedup();
    assert_eq!(stamps.len(), PROCESSES * COMMITS);
    assert_eq!(fixture.blobs(), 1 + PROCESSES * COMMITS);
}

//! Deltas prepared in the background after a commit: the commit answers at
//! once, a changeset asked for while or after the work runs is the same,
//! and the repository's delta store fills.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use conary_api::Job;
use conary_api::wire::{ChangesetRequest, WireJob, WireTuple};
use conary_changeset::{ChangeSetReader, ContentKind};
use conary_core::trove::TroveTuple;
use conary_repository::cache::CACHE_DIR;
use conary_repository::deltas::DELTAS_DIR;

use crate::support::{Fixture, component_changeset, fixture, post, post_json};

/// Pseudo-random bytes (xorshift).
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

/// A `.ccs` of foo:lib version `n`: a library changed a little each time.
fn version_changeset(n: u8) -> Vec<u8> {
    let mut lib = noise(1, 100_000);
    lib[500] = n;
    component_changeset("foo:lib", &format!("1.{n}-1-1"), "/usr/lib/libfoo.so", lib)
}

async fn commit(fixture: &Fixture, n: u8) -> TroveTuple {
    let answer = post(
        fixture,
        "/api/v1/commit",
        Some("root"),
        version_changeset(n),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    let list: Vec<WireTuple> =
        serde_json::from_value(answer.json()["committed"].clone()).expect("tuples");
    list[0].to_tuple().expect("tuple")
}

/// The update old → new, made afresh (the changeset cache emptied).
async fn update(fixture: &Fixture, old: &TroveTuple, new: &TroveTuple) -> Vec<u8> {
    let _ = std::fs::remove_dir_all(fixture.repository.dir().join(CACHE_DIR));
    let job = Job::update(
        new.name.clone(),
        (old.version.clone(), old.flavor.clone()),
        (new.version.clone(), new.flavor.clone()),
    );
    let request = ChangesetRequest {
        jobs: vec![WireJob::from(&job)],
        recurse: true,
        contents: true,
    };
    let answer = post_json(fixture, "/api/v1/changeset", Some("root"), &request).await;
    assert_eq!(answer.status, StatusCode::OK);
    answer.body
}

fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if !path
                .file_name()
                .is_some_and(|name| name.to_string_lossy().starts_with("tmp-"))
            {
                found.push(path);
            }
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commits_prepare_deltas_in_the_background() {
    let fixture = fixture();
    let store = fixture.repository.dir().join(DELTAS_DIR);
    let v1 = commit(&fixture, 1).await;
    let v2 = commit(&fixture, 2).await;
    // Asked for at once, while the worker may still be running.
    let first = update(&fixture, &v1, &v2).await;
    let changeset = ChangeSetReader::new(&first[..])
        .expect("changeset")
        .changeset()
        .clone();
    assert!(
        changeset
            .contents
            .values()
            .all(|contents| matches!(contents.kind, ContentKind::Delta { .. })),
        "{:?}",
        changeset.contents
    );
    // The worker stores both directions: the update and its rollback.
    let deadline = Instant::now() + Duration::from_secs(60);
    while entries(&store).len() < 2 {
        assert!(Instant::now() < deadline, "no deltas after 60 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Two commits in a row more: both are prepared, nothing is damaged.
    let v3 = commit(&fixture, 3).await;
    let v4 = commit(&fixture, 4).await;
    // v3 pairs with v2 and v1, v4 with v3, v2 and v1: both ways.
    while entries(&store).len() < 2 + 2 * (2 + 3) {
        assert!(Instant::now() < deadline, "no deltas after 60 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(update(&fixture, &v1, &v2).await, first);
    let from_store = update(&fixture, &v1, &v4).await;
    let rollback = update(&fixture, &v4, &v1).await;
    let from_v3 = update(&fixture, &v3, &v4).await;
    // The same bytes as made without the store.
    std::fs::remove_dir_all(&store).expect("empty the store");
    assert_eq!(update(&fixture, &v1, &v4).await, from_store);
    assert_eq!(update(&fixture, &v4, &v1).await, rollback);
    assert_eq!(update(&fixture, &v3, &v4).await, from_v3);
}

//! The trove routes: commit, listings, manifests, changesets, dependency
//! suggestions, marking removed, and what each caller may see of them.

use axum::http::StatusCode;
use conary_api::Job;
use conary_api::wire::{
    ChangesetRequest, CommitResult, DepRequest, DepSuggestions, TroveList, TroveListRequest,
    WireJob, WireTuple,
};
use conary_changeset::{ChangeSetReader, NoContents};
use conary_core::digest::Digest;
use conary_core::trove::{Trove, TroveTuple, TroveType};

use crate::support::{Fixture, LABEL, auth, component_changeset, fixture, get, post, post_json};

/// Commits a component as `user`, answering the status and result.
async fn commit(fixture: &Fixture, user: &str, ccs: Vec<u8>) -> (StatusCode, serde_json::Value) {
    let answer = post(fixture, "/api/v1/commit", Some(user), ccs).await;
    (answer.status, answer.json())
}

fn tuples(value: &serde_json::Value, key: &str) -> Vec<TroveTuple> {
    let list: Vec<WireTuple> = serde_json::from_value(value[key].clone()).expect("tuples");
    list.iter()
        .map(|tuple| tuple.to_tuple().expect("tuple"))
        .collect()
}

async fn list(fixture: &Fixture, user: &str) -> Vec<TroveTuple> {
    let request = TroveListRequest {
        label: Some(LABEL.into()),
        branch: None,
        names: None,
        all_versions: true,
    };
    let answer = post_json(fixture, "/api/v1/troves", Some(user), &request).await;
    assert_eq!(answer.status, StatusCode::OK);
    let list: TroveList = serde_json::from_slice(&answer.body).expect("list");
    list.troves
        .iter()
        .map(|tuple| tuple.to_tuple().expect("tuple"))
        .collect()
}

#[tokio::test]
async fn commits_are_checked_per_trove() {
    let fixture = fixture();
    let foo_tuple = component_changeset("foo:runtime", "1.0-1-1", "/usr/bin/foo", "foo\n");
    for user in ["reader", "nobody"] {
        let (status, body) = commit(&fixture, user, foo_tuple.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{user}: {body}");
    }
    let key = format!("Bearer {}", fixture.key);
    let answer = crate::support::call(
        &fixture,
        conary_server::Limits::default(),
        axum::http::Method::POST,
        "/api/v1/commit",
        Some(&key),
        foo_tuple.clone(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(
        fixture.repository.store().iter().count(),
        0,
        "refusals store nothing"
    );
    assert!(list(&fixture, "root").await.is_empty());

    let (status, body) = commit(&fixture, "narrow", foo_tuple.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let committed = tuples(&body, "committed");
    assert_eq!(committed.len(), 1);
    assert!(committed[0].version.timestamp().is_some());
    let (status, body) = commit(&fixture, "narrow", foo_tuple).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(tuples(&body, "already_present"), committed);
    let result: CommitResult = serde_json::from_value(body).expect("result");
    assert!(result.committed.is_empty());

    let other = component_changeset("foo:runtime", "1.0-1-1", "/usr/bin/foo", "other\n");
    let (status, body) = commit(&fixture, "narrow", other).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, body) = commit(&fixture, "narrow", b"not a changeset".to_vec()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["error"]
            .as_str()
            .expect("message")
            .starts_with("changeset error")
    );
}

#[tokio::test]
async fn listings_and_manifests_follow_read_access() {
    let fixture = fixture();
    for (name, path) in [
        ("foo:runtime", "/usr/bin/foo"),
        ("bar:runtime", "/usr/bin/bar"),
    ] {
        let ccs = component_changeset(name, "1.0-1-1", path, format!("{name}\n"));
        assert_eq!(commit(&fixture, "root", ccs).await.0, StatusCode::OK);
    }
    let all = list(&fixture, "reader").await;
    assert_eq!(all.len(), 2);
    let visible = list(&fixture, "fooreader").await;
    assert_eq!(visible.len(), 1);
    assert_eq!(visible[0].name.as_str(), "foo:runtime");

    let both = TroveListRequest {
        label: Some(LABEL.into()),
        branch: Some(format!("/{LABEL}")),
        names: None,
        all_versions: false,
    };
    let answer = post_json(&fixture, "/api/v1/troves", Some("reader"), &both).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    let by_branch = TroveListRequest {
        label: None,
        branch: Some(format!("/{LABEL}")),
        names: Some(vec!["bar:runtime".into()]),
        all_versions: false,
    };
    let answer = post_json(&fixture, "/api/v1/troves", Some("reader"), &by_branch).await;
    let found: TroveList = serde_json::from_slice(&answer.body).expect("list");
    assert_eq!(found.troves.len(), 1);

    let request = TroveList {
        troves: all.iter().map(WireTuple::from).collect(),
    };
    let answer = post_json(&fixture, "/api/v1/manifests", Some("reader"), &request).await;
    assert_eq!(answer.status, StatusCode::OK);
    let mut rest = &answer.body[..];
    let mut troves = Vec::new();
    while let Some((length, tail)) = rest.split_first_chunk::<8>() {
        let length = usize::try_from(u64::from_be_bytes(*length)).expect("length");
        let (encoding, tail) = tail.split_at(length);
        troves.push(Trove::decode(encoding).expect("trove"));
        rest = tail;
    }
    assert_eq!(troves.iter().map(Trove::tuple).collect::<Vec<_>>(), all);
    let answer = post_json(&fixture, "/api/v1/manifests", Some("fooreader"), &request).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND, "bar is hidden");

    let bar_tuple = all
        .iter()
        .find(|tuple| tuple.name.as_str() == "bar:runtime")
        .expect("bar");
    let foo_tuple = all
        .iter()
        .find(|tuple| tuple.name.as_str() == "foo:runtime")
        .expect("foo");
    let blob = |contents: &str| format!("/api/v1/blobs/{}", Digest::of(contents.as_bytes()));
    let fooreader = auth("fooreader");
    assert_eq!(
        get(&fixture, &blob("foo:runtime\n"), Some(&fooreader))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        get(&fixture, &blob("bar:runtime\n"), Some(&fooreader))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    let request = DepRequest {
        labels: vec![LABEL.into()],
        requires: "trove: bar:runtime\ntrove: foo:runtime".into(),
    };
    let answer = post_json(&fixture, "/api/v1/deps", Some("fooreader"), &request).await;
    let suggestions: DepSuggestions = serde_json::from_slice(&answer.body).expect("suggestions");
    assert_eq!(suggestions.suggestions.len(), 1);
    assert_eq!(suggestions.suggestions[0].0, "trove: foo:runtime");
    assert_eq!(suggestions.suggestions[0].1, [WireTuple::from(foo_tuple)]);
    let _ = bar_tuple;
}

#[tokio::test]
async fn changesets_stream_and_removed_troves_stop_being_served() {
    let fixture = fixture();
    let ccs = component_changeset("foo:runtime", "1.0-1-1", "/usr/bin/foo", "foo\n");
    let (_, body) = commit(&fixture, "root", ccs).await;
    let foo_tuple = tuples(&body, "committed").remove(0);
    let job = Job::install(
        foo_tuple.name.clone(),
        foo_tuple.version.clone(),
        foo_tuple.flavor.clone(),
    );
    let request = ChangesetRequest {
        jobs: vec![WireJob::from(&job)],
        recurse: true,
        contents: true,
    };
    let answer = post_json(&fixture, "/api/v1/changeset", Some("fooreader"), &request).await;
    assert_eq!(answer.status, StatusCode::OK);
    let mut reader = ChangeSetReader::new(&answer.body[..]).expect("changeset");
    let mut payload = reader
        .next_payload(&NoContents)
        .expect("payload")
        .expect("one");
    assert_eq!(payload.read_to_vec().expect("contents"), b"foo\n");
    drop(payload);
    let changeset = reader.finish().expect("whole");
    assert_eq!(changeset.troves.keys().collect::<Vec<_>>(), [&foo_tuple]);
    // Asked again, it comes from the repository's changeset cache: the
    // same bytes; a caller who may not read the trove is still refused.
    let again = post_json(&fixture, "/api/v1/changeset", Some("fooreader"), &request).await;
    assert_eq!((again.status, &again.body), (StatusCode::OK, &answer.body));
    let answer = post_json(&fixture, "/api/v1/changeset", Some("nobody"), &request).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    // Without contents: the same troves and streams, no payload; refused
    // alike.
    let streams_only = ChangesetRequest {
        contents: false,
        ..request.clone()
    };
    let answer = post_json(
        &fixture,
        "/api/v1/changeset",
        Some("fooreader"),
        &streams_only,
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    let mut reader = ChangeSetReader::new(&answer.body[..]).expect("streams changeset");
    assert!(reader.next_payload(&NoContents).expect("payload").is_none());
    let streams = reader.finish().expect("whole");
    assert_eq!(streams.troves, changeset.troves);
    assert_eq!(streams.files, changeset.files);
    let answer = post_json(&fixture, "/api/v1/changeset", Some("nobody"), &streams_only).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);

    let marked = TroveList {
        troves: vec![WireTuple::from(&foo_tuple)],
    };
    let answer = post_json(&fixture, "/api/v1/markremoved", Some("narrow"), &marked).await;
    assert_eq!(
        answer.status,
        StatusCode::FORBIDDEN,
        "writing is not administering"
    );
    let answer = post_json(&fixture, "/api/v1/markremoved", Some("root"), &marked).await;
    assert_eq!(answer.status, StatusCode::OK);
    let done: TroveList = serde_json::from_slice(&answer.body).expect("list");
    assert_eq!(done, marked);
    assert!(list(&fixture, "root").await.is_empty());
    let blob = format!("/api/v1/blobs/{}", Digest::of(b"foo\n"));
    assert_eq!(
        get(&fixture, &blob, Some(&auth("root"))).await.status,
        StatusCode::NOT_FOUND
    );
    let answer = post_json(&fixture, "/api/v1/changeset", Some("root"), &request).await;
    let changeset = ChangeSetReader::new(&answer.body[..])
        .expect("changeset")
        .finish()
        .expect("no payloads");
    let stub = &changeset.troves.values().next().expect("stub").new;
    assert_eq!(stub.trove_type, TroveType::Removed);
}

#[tokio::test]
async fn commit_bodies_are_streamed_within_the_limit() {
    let fixture = fixture();
    // Several megabytes of poorly compressible contents: many chunks.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let noise: String = (0..3_000_000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(b'a' + (state % 26) as u8)
        })
        .collect();
    let ccs = component_changeset("foo:data", "1.0-1-1", "/usr/share/foo", &noise);
    assert!(ccs.len() > 1 << 20);
    let small = conary_server::Limits {
        max_body: 1 << 20,
        ..conary_server::Limits::default()
    };
    let answer = crate::support::call(
        &fixture,
        small,
        axum::http::Method::POST,
        "/api/v1/commit",
        Some(&auth("root")),
        ccs.clone(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(fixture.repository.store().iter().count(), 0);
    let (status, body) = commit(&fixture, "root", ccs).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let digest = conary_store::Digest::of(noise.as_bytes());
    assert!(
        fixture
            .repository
            .store()
            .contains(&digest)
            .expect("contains")
    );
}

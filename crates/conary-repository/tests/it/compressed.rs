//! Contents kept compressed: a commit stores full payloads as the zstd
//! frames they arrived in, changesets copy those frames, and stores
//! holding plain blobs (earlier versions) keep working.

use std::path::PathBuf;

use conary_api::Job;
use conary_changeset::{ChangeSetReader, NoContents};
use conary_core::digest::Digest;

use crate::fixtures::{Bundle, Fixture, HOST, tuple, version};

/// Where the repository's store keeps blob `digest` compressed.
fn frame_path(fixture: &Fixture, digest: &Digest) -> PathBuf {
    let hex = digest.to_string();
    fixture
        .path()
        .join("contents")
        .join(&hex[..2])
        .join(format!("{}.zst", &hex[2..]))
}

fn bundle(text: &str) -> (Bundle, Digest) {
    let v = version("/conary.example.com@rpl:2/1.0-1-1");
    let mut bundle = Bundle::new();
    bundle.component("foo:runtime", &v, &[("/usr/share/foo/data", text)]);
    (bundle, Digest::of(text.as_bytes()))
}

fn install_changeset(fixture: &Fixture, bundle: &Bundle) -> Vec<u8> {
    let trove = bundle.trove("foo:runtime");
    let t = tuple("foo:runtime", &trove.version);
    let job = Job::install(t.name.clone(), t.version.clone(), t.flavor.clone());
    let mut bytes = Vec::new();
    fixture
        .repository
        .changeset(&[job], false, &fixture.root(), &mut bytes)
        .expect("changeset");
    bytes
}

fn read_back(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut reader = ChangeSetReader::new(bytes).expect("reader");
    let mut payloads = Vec::new();
    while let Some(mut payload) = reader.next_payload(&NoContents).expect("payload") {
        payloads.push(payload.read_to_vec().expect("contents"));
    }
    reader.finish().expect("finish");
    payloads
}

#[test]
fn committed_contents_are_kept_as_frames_and_copied_into_changesets() {
    let fixture = Fixture::new(HOST);
    let text = "compressed contents, ".repeat(500);
    let (bundle, digest) = bundle(&text);
    fixture.commit(&bundle, &fixture.root()).expect("commit");
    let path = frame_path(&fixture, &digest);
    let frame = std::fs::read(&path).expect("kept as a .zst frame");
    assert!(frame.len() < text.len() / 10, "{} bytes", frame.len());
    // Read plain, verified.
    let store = fixture.repository.store();
    assert_eq!(store.get_bytes(&digest).expect("get"), text.as_bytes());
    assert_eq!(store.size(&digest).expect("size"), text.len() as u64);
    // An absolute changeset carries that very frame.
    let bytes = install_changeset(&fixture, &bundle);
    assert!(bytes.windows(frame.len()).any(|window| window == frame));
    assert_eq!(read_back(&bytes), [text.as_bytes().to_vec()]);
    // The store's own check reads it back whole.
    assert_eq!(
        store.iter().collect::<Result<Vec<_>, _>>().expect("iter"),
        [digest]
    );
}

#[test]
fn plain_blobs_of_earlier_stores_are_still_served() {
    let fixture = Fixture::new(HOST);
    let text = "stored plain by an earlier version\n".repeat(40);
    let (bundle, digest) = bundle(&text);
    fixture.commit(&bundle, &fixture.root()).expect("commit");
    // Turn the kept frame into the plain file an earlier version wrote.
    let frame_path = frame_path(&fixture, &digest);
    let plain_path = frame_path.with_extension("");
    std::fs::write(&plain_path, text.as_bytes()).expect("plain blob");
    std::fs::remove_file(&frame_path).expect("remove frame");
    let store = fixture.repository.store();
    assert_eq!(store.get_frame(&digest).expect("get_frame"), None);
    assert_eq!(store.get_bytes(&digest).expect("get"), text.as_bytes());
    let bytes = install_changeset(&fixture, &bundle);
    assert_eq!(read_back(&bytes), [text.as_bytes().to_vec()]);
}

/// A full payload the store cannot keep as it is (here two zstd frames,
/// which a reader decodes as one stream) is decoded and stored plain.
#[test]
fn payloads_the_store_cannot_keep_are_stored_plain() {
    let fixture = Fixture::new(HOST);
    let text = "two frames make one payload\n".repeat(200);
    let (bundle, digest) = bundle(&text);
    let bytes = conary_changeset::write_changeset(Vec::new(), &bundle.absolute(), &bundle.contents)
        .expect("write");
    // The writer's frame is the store's form of the same contents.
    let frame = conary_store::frame::compress(text.as_bytes(), 3).expect("compress");
    let chunk = |payload: &[u8]| {
        let mut out = Vec::new();
        conary_core::encoding::write_varint(&mut out, payload.len() as u64);
        out.extend_from_slice(payload);
        out.push(0);
        out
    };
    let original = chunk(&frame);
    let at = bytes
        .windows(original.len())
        .position(|window| window == original)
        .expect("the payload as one chunk");
    let (first, second) = text.as_bytes().split_at(text.len() / 2 + 5);
    let mut two = conary_store::frame::compress(first, 3).expect("compress");
    two.extend(conary_store::frame::compress(second, 3).expect("compress"));
    let mut changed = bytes[..at].to_vec();
    changed.extend(chunk(&two));
    changed.extend_from_slice(&bytes[at + original.len()..]);
    let reader = ChangeSetReader::new(&changed[..]).expect("reader");
    fixture
        .repository
        .commit(reader, &fixture.root())
        .expect("commit");
    let frame_path = frame_path(&fixture, &digest);
    assert!(!frame_path.exists(), "not kept as a frame");
    assert!(frame_path.with_extension("").is_file(), "stored plain");
    let store = fixture.repository.store();
    assert_eq!(store.get_bytes(&digest).expect("get"), text.as_bytes());
    // A payload whose frames decode to other contents is refused.
    let mut wrong = conary_store::frame::compress(second, 3).expect("compress");
    wrong.extend(conary_store::frame::compress(first, 3).expect("compress"));
    let mut changed = bytes[..at].to_vec();
    changed.extend(chunk(&wrong));
    changed.extend_from_slice(&bytes[at + original.len()..]);
    let other = Fixture::new(HOST);
    let reader = ChangeSetReader::new(&changed[..]).expect("reader");
    let error = other
        .repository
        .commit(reader, &other.root())
        .expect_err("refused");
    assert!(error.to_string().contains(&digest.to_string()), "{error}");
}

#[test]
fn absolute_changesets_are_not_cached() {
    let fixture = Fixture::new(HOST);
    let (bundle, _) = bundle("made by copying frames\n");
    fixture.commit(&bundle, &fixture.root()).expect("commit");
    let first = install_changeset(&fixture, &bundle);
    assert!(!fixture.repository.changeset_cache().dir().exists());
    assert_eq!(install_changeset(&fixture, &bundle), first);
}

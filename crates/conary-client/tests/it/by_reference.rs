//! Distributed by reference: two real servers on two loopback ports. A
//! label on server B holds a shadow of a trove on server A; B stores only
//! what is new, and `NetworkSource` fetches the rest from A.

use std::collections::BTreeSet;
use std::io::Cursor;
use std::sync::{Arc, Mutex};

use conary_api::{Job, TroveQuery, TroveSource};
use conary_changeset::{ContentKind, MemContents, NoContents};
use conary_client::{ClientError, Progress};
use conary_core::digest::Digest;
use conary_core::trove::{Trove, TroveTuple};

use crate::repos::{Bundle, ReadBack, Served, as_user, named, regular, source, version};

const A: &str = "a.example.com";
const B: &str = "b.example.com";

const BINARY: &[u8] = b"\x7fELF the binary of foo, unchanged on the shadow\n";
const CONFIG_A: &[u8] = b"colour=red\n";
const CONFIG_B: &[u8] = b"colour=blue\n";
const DOC: &[u8] = b"foo's manual, as written on A\n";

/// Two servers: foo and foo:runtime 1.0-1-1 committed on A, and on B a
/// shadow of foo:runtime whose config file changed (the rest keeps A's
/// file versions and contents), committed by reference.
struct World {
    a: Served,
    b: Served,
    /// What A holds: foo, foo:runtime.
    on_a: Vec<TroveTuple>,
    /// The shadow of foo:runtime on B.
    shadow: TroveTuple,
}

fn world() -> World {
    let a = Served::start(A);
    let b = Served::start(B);
    let v = version(&format!("/{}/1.0-1-1", a.label()));
    let mut parent = Bundle::default();
    let runtime = parent
        .component(
            "foo:runtime",
            &v,
            &[
                ("/usr/bin/foo", BINARY),
                ("/etc/foo.conf", CONFIG_A),
                ("/usr/share/doc/foo", DOC),
            ],
        )
        .tuple();
    parent.collection("foo", &v, &[runtime]);
    let on_a = parent.commit(&source(&[&a], &as_user("writer"))).committed;
    let reader = source(&[&a], &as_user("reader"));
    let parent_trove = reader
        .troves(&[named(&on_a, "foo:runtime").clone()])
        .expect("manifest")
        .remove(0);

    // The shadow: by hand, as `cvc shadow` then a change to the config file
    // would make it.
    let shadow_version = parent_trove
        .version
        .create_shadow(b.label().parse().expect("label"))
        .expect("shadow")
        .increment_source_count()
        .expect("modified shadow")
        .increment_build_count()
        .expect("build");
    let mut shadow: Trove = parent_trove.clone();
    shadow.version = shadow_version.clone();
    let changed = regular(CONFIG_B, true);
    let config = shadow
        .files
        .values_mut()
        .find(|file| file.path == "/etc/foo.conf")
        .expect("config file");
    config.file_id = changed.file_id();
    config.file_version = shadow_version;
    let mut on_b = Bundle {
        streams: parent.streams.clone(),
        contents: MemContents::new(),
        ..Bundle::default()
    };
    on_b.streams.insert(changed.file_id(), changed);
    on_b.contents.insert(CONFIG_B.to_vec());
    on_b.troves.push(shadow);
    let bytes = on_b.changeset(&[Digest::of(BINARY), Digest::of(DOC)]);
    let size = Some(bytes.len() as u64);
    let committed = source(&[&a, &b], &as_user("writer"))
        .commit(Cursor::new(bytes), size)
        .expect("commit the shadow on B")
        .committed;
    World {
        a,
        b,
        on_a,
        shadow: committed[0].clone(),
    }
}

/// Records the contents downloaded whole.
#[derive(Default)]
struct Fetched(Mutex<BTreeSet<Digest>>);

impl Progress for Fetched {
    fn on_blob_done(&self, digest: &Digest, _size: u64) {
        self.0.lock().expect("lock").insert(*digest);
    }
}

fn install(tuple: &TroveTuple) -> Job {
    Job::install(
        tuple.name.clone(),
        tuple.version.clone(),
        tuple.flavor.clone(),
    )
}

#[test]
fn b_stores_only_what_is_new() {
    let world = world();
    assert_eq!(world.b.blobs(), 1, "B holds the changed config file only");
    assert!(world.b.holds(&Digest::of(CONFIG_B)));
    assert!(!world.b.holds(&Digest::of(BINARY)));
    assert!(!world.b.holds(&Digest::of(DOC)));
    assert_eq!(world.a.blobs(), 3);
    assert!(world.shadow.version.is_after(&world.on_a[0].version));
}

#[test]
fn the_shadow_arrives_complete_with_contents_from_a() {
    let world = world();
    let progress = Arc::new(Fetched::default());
    let network = source(&[&world.a, &world.b], &as_user("reader"))
        .with_parallelism(2)
        .with_progress(Arc::clone(&progress) as Arc<dyn Progress + Send>);

    let mut bytes = Vec::new();
    let written = network
        .changeset(&[install(&world.shadow)], false, &mut bytes)
        .expect("changeset of the shadow");
    let fetched = progress.0.lock().expect("lock").clone();
    assert_eq!(
        fetched,
        BTreeSet::from([Digest::of(BINARY), Digest::of(DOC)]),
        "A's contents were fetched, each once"
    );
    assert_eq!(written, bytes.len() as u64);
    let read = ReadBack::of(&bytes, &NoContents);
    assert!(read.changeset.is_absolute());
    assert_eq!(read.names(), ["foo:runtime".to_string()].into());
    for contents in [BINARY, CONFIG_B, DOC] {
        let digest = Digest::of(contents);
        assert_eq!(
            read.changeset.contents[&digest].kind,
            ContentKind::Full,
            "{digest} carried"
        );
        assert!(read.contents[&digest] == contents, "byte for byte");
    }
    let change = read.changeset.troves.values().next().expect("one trove");
    assert_eq!(change.new.tuple(), world.shadow);
    assert_eq!(
        change.new.version.freeze(),
        world.shadow.version.freeze(),
        "B's timestamps"
    );
    let hosts: Vec<(&str, &str)> = change
        .new
        .files
        .values()
        .map(|file| (file.path.as_str(), file.file_version.host()))
        .collect();
    assert!(hosts.contains(&("/usr/bin/foo", A)) && hosts.contains(&("/etc/foo.conf", B)));

    // Contents by digest: from A, which holds them, found without a hint
    // (every configured host is tried).
    let fresh = source(&[&world.a, &world.b], &as_user("reader"));
    for contents in [BINARY, CONFIG_B] {
        let mut out = Vec::new();
        fresh
            .contents(&Digest::of(contents), &mut out)
            .expect("contents");
        assert!(out == contents);
    }
}

#[test]
fn an_update_from_a_to_the_shadow_stays_an_update() {
    let world = world();
    let network = source(&[&world.a, &world.b], &as_user("reader"));
    let parent = named(&world.on_a, "foo:runtime");
    let job = Job::update(
        world.shadow.name.clone(),
        (parent.version.clone(), parent.flavor.clone()),
        (world.shadow.version.clone(), world.shadow.flavor.clone()),
    );
    let mut bytes = Vec::new();
    network
        .changeset(&[job], false, &mut bytes)
        .expect("update changeset");
    let read = ReadBack::of(&bytes, &NoContents);
    let change = read.changeset.troves.values().next().expect("one trove");
    assert_eq!(change.old.as_ref(), Some(parent), "relative to A's trove");
    assert_eq!(
        read.changeset.primary.iter().collect::<Vec<_>>(),
        [&world.shadow]
    );
    assert_eq!(read.contents[&Digest::of(BINARY)], BINARY);
    assert_eq!(read.contents[&Digest::of(CONFIG_B)], CONFIG_B);
}

#[test]
fn jobs_on_both_servers_make_one_changeset() {
    let world = world();
    let network = source(&[&world.a, &world.b], &as_user("reader"));
    let package = named(&world.on_a, "foo");
    let mut bytes = Vec::new();
    network
        .changeset(
            &[install(&world.shadow), install(package)],
            true,
            &mut bytes,
        )
        .expect("one changeset from two servers");
    let read = ReadBack::of(&bytes, &NoContents);
    let tuples: Vec<&TroveTuple> = read.changeset.troves.keys().collect();
    assert_eq!(tuples.len(), 3, "{tuples:?}");
    assert!(read.changeset.troves.contains_key(&world.shadow));
    assert!(
        read.changeset
            .troves
            .contains_key(named(&world.on_a, "foo:runtime"))
    );
    assert_eq!(read.changeset.primary.len(), 2);
    for contents in [BINARY, CONFIG_A, CONFIG_B, DOC] {
        assert!(read.contents[&Digest::of(contents)] == contents);
    }
}

#[test]
fn groups_on_b_recurse_into_troves_on_a() {
    let world = world();
    let writer = source(&[&world.a, &world.b], &as_user("writer"));
    let v = version(&format!("/{}/1-1-1", world.b.label()));
    let mut group = Bundle::default();
    group.collection(
        "group-dist",
        &v,
        &[named(&world.on_a, "foo").clone(), world.shadow.clone()],
    );
    let committed = group.commit(&writer).committed;
    let network = source(&[&world.a, &world.b], &as_user("reader"));
    let mut bytes = Vec::new();
    network
        .changeset(&[install(&committed[0])], true, &mut bytes)
        .expect("recursive changeset");
    let read = ReadBack::of(&bytes, &NoContents);
    assert_eq!(read.changeset.troves.len(), 4, "{:?}", read.names());
    assert!(
        read.changeset
            .troves
            .contains_key(named(&world.on_a, "foo"))
    );
    assert!(
        read.changeset
            .troves
            .contains_key(named(&world.on_a, "foo:runtime"))
    );
    assert!(read.changeset.troves.contains_key(&world.shadow));
    assert_eq!(
        read.changeset.primary.iter().collect::<Vec<_>>(),
        [&committed[0]],
        "troves reached by recursion are not primary"
    );
    for contents in [BINARY, CONFIG_A, CONFIG_B, DOC] {
        assert!(read.contents[&Digest::of(contents)] == contents);
    }
}

#[test]
fn commits_spanning_servers_are_refused() {
    let world = world();
    let mut bundle = Bundle::default();
    bundle.component(
        "bar:runtime",
        &version(&format!("/{}/1.0-1-1", world.a.label())),
        &[("/usr/bin/bar", b"bar on a\n")],
    );
    bundle.component(
        "baz:runtime",
        &version(&format!("/{}/1.0-1-1", world.b.label())),
        &[("/usr/bin/baz", b"baz on b\n")],
    );
    let bytes = bundle.changeset(&[]);
    let error = source(&[&world.a, &world.b], &as_user("root"))
        .commit(Cursor::new(bytes), None)
        .expect_err("two repositories");
    assert!(matches!(error, ClientError::SpansHosts { .. }), "{error}");
    assert!(
        error.to_string().contains("a.example.com, b.example.com"),
        "{error}"
    );
    assert_eq!((world.a.blobs(), world.b.blobs()), (3, 1), "nothing stored");
    let bars = TroveQuery::on_label(world.a.label().parse().expect("label"))
        .named(["bar:runtime".parse().expect("name")]);
    let network = source(&[&world.a, &world.b], &as_user("reader"));
    assert!(network.trove_versions(&bars).expect("query").is_empty());
}

#[test]
fn a_missing_server_is_named() {
    let world = world();
    // Only B is configured: the shadow's contents on A cannot be fetched.
    let only_b = source(&[&world.b], &as_user("reader"));
    let error = only_b
        .changeset(&[install(&world.shadow)], false, &mut Vec::new())
        .expect_err("A unreachable");
    assert!(
        error
            .to_string()
            .contains("add 'repositoryMap a.example.com URL'"),
        "{error}"
    );
}

/// A large text whose revisions differ a little (worth a delta).
fn big_text(revision: u32) -> Vec<u8> {
    let mut text = String::new();
    for line in 0..4000u32 {
        let mixed = line.wrapping_mul(2_654_435_761) ^ 0x5bd1_e995;
        text.push_str(&format!("line {line} {mixed:08x}\n"));
    }
    text.push_str(&format!("revision {revision}\n"));
    text.into_bytes()
}

#[test]
fn deltas_and_text_diffs_survive_a_merge() {
    let world = world();
    let writer = source(&[&world.a], &as_user("writer"));
    let mut committed = Vec::new();
    for (revision, config) in [(1, &b"mode=a\nsize=1\n"[..]), (2, b"mode=b\nsize=1\n")] {
        let v = version(&format!("/{}/2.0-{revision}-1", world.a.label()));
        let mut bundle = Bundle::default();
        bundle.component(
            "bar:runtime",
            &v,
            &[
                ("/usr/bin/bar", &big_text(revision)),
                ("/etc/bar.conf", config),
            ],
        );
        committed.push(bundle.commit(&writer).committed.remove(0));
    }
    let network = source(&[&world.a, &world.b], &as_user("reader"));
    let update = Job::update(
        committed[1].name.clone(),
        (committed[0].version.clone(), committed[0].flavor.clone()),
        (committed[1].version.clone(), committed[1].flavor.clone()),
    );

    // Alone, A's changeset carries a delta and a text diff.
    let mut alone = Vec::new();
    network
        .changeset(std::slice::from_ref(&update), false, &mut alone)
        .expect("relative changeset");
    let mut bases = MemContents::new();
    bases.insert(big_text(1));
    bases.insert(b"mode=a\nsize=1\n".to_vec());
    let read = ReadBack::of(&alone, &bases);
    assert!(matches!(
        read.changeset.contents[&Digest::of(&big_text(2))].kind,
        ContentKind::Delta { .. }
    ));
    assert_eq!(read.text_diffs, 1);

    // Merged with B's shadow: the delta was decoded (its base fetched from
    // A) and travels whole; the text diff is kept.
    let mut merged = Vec::new();
    network
        .changeset(&[update, install(&world.shadow)], false, &mut merged)
        .expect("merged changeset");
    let read = ReadBack::of(&merged, &NoContents);
    assert_eq!(read.changeset.troves.len(), 2);
    let big = Digest::of(&big_text(2));
    assert_eq!(read.changeset.contents[&big].kind, ContentKind::Full);
    assert!(read.contents[&big] == big_text(2));
    assert_eq!(read.text_diffs, 1, "the config file's diff");
    let bar = &read.changeset.troves[&committed[1]];
    assert_eq!(bar.old.as_ref(), Some(&committed[0]));
    assert!(read.contents[&Digest::of(BINARY)] == BINARY);
}

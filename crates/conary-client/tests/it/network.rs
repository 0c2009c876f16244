//! `NetworkSource` against a real repository server: queries, manifests,
//! changesets, dependency suggestions, commits and who may make them.

use std::io::Cursor;

use conary_api::{Job, SourceError, TroveQuery, TroveSource};
use conary_changeset::{ContentKind, MemContents, NoContents};
use conary_client::ClientError;
use conary_core::digest::Digest;
use conary_core::trove::TroveTuple;
use conary_core::version::Label;
use conary_repository::{Credentials, LocalSource};

use crate::repos::{Bundle, ReadBack, Served, as_user, named, source, version};

const A: &str = "a.example.com";

fn install(tuple: &TroveTuple) -> Job {
    Job::install(
        tuple.name.clone(),
        tuple.version.clone(),
        tuple.flavor.clone(),
    )
}

fn update(old: &TroveTuple, new: &TroveTuple) -> Job {
    Job::update(
        new.name.clone(),
        (old.version.clone(), old.flavor.clone()),
        (new.version.clone(), new.flavor.clone()),
    )
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

/// Commits foo (package) and foo:runtime at `revision` of A's label.
fn commit_foo(served: &Served, revision: &str, files: &[(&str, &[u8])]) -> Vec<TroveTuple> {
    let v = version(&format!("/{}/{revision}", served.label()));
    let mut bundle = Bundle::default();
    let runtime = bundle.component("foo:runtime", &v, files).tuple();
    bundle.collection("foo", &v, &[runtime]);
    bundle
        .commit(&source(&[served], &as_user("writer")))
        .committed
}

#[test]
fn queries_and_manifests_follow_the_label() {
    let a = Served::start(A);
    let v1 = commit_foo(&a, "1.0-1-1", &[("/usr/bin/foo", b"foo 1\n")]);
    let v2 = commit_foo(&a, "1.0-2-1", &[("/usr/bin/foo", b"foo 2\n")]);
    let network = source(&[&a], &as_user("reader"));
    let label = a.label().parse().expect("label");

    let latest = network
        .trove_versions(&TroveQuery::on_label(label))
        .expect("latest");
    assert_eq!(latest, v2, "the latest of each name, with timestamps");
    assert_eq!(
        latest[0].version.freeze(),
        v2[0].version.freeze(),
        "timestamps travel"
    );
    let branch = v1[0].version.branch().clone();
    let all = network
        .trove_versions(
            &TroveQuery::on_branch(branch)
                .named(["foo".parse().expect("name")])
                .all_versions(),
        )
        .expect("all versions");
    assert_eq!(all, [v1[0].clone(), v2[0].clone()]);

    let asked = [v2[1].clone(), v1[0].clone(), v1[1].clone()];
    let troves = network.troves(&asked).expect("manifests");
    let tuples: Vec<TroveTuple> = troves.iter().map(|trove| trove.tuple()).collect();
    assert_eq!(tuples, asked, "in the order asked");
    assert!(
        troves[0]
            .files
            .values()
            .any(|file| file.path == "/usr/bin/foo")
    );
    assert_eq!(
        troves[1].iter_refs().count(),
        1,
        "the package holds its component"
    );

    let missing = TroveTuple::new(
        "bar".parse().expect("name"),
        v1[0].version.clone(),
        Default::default(),
    );
    let error = network.troves(&[missing]).expect_err("no such trove");
    assert!(matches!(error, SourceError::NotFound(_)), "{error}");
    let elsewhere = TroveQuery::on_label("c.example.com@rpl:2".parse().expect("label"));
    let error = network
        .trove_versions(&elsewhere)
        .expect_err("unmapped host");
    assert!(
        error
            .to_string()
            .contains("add 'repositoryMap c.example.com URL'"),
        "{error}"
    );
}

#[test]
fn changesets_come_back_verified() {
    let a = Served::start(A);
    let v1 = commit_foo(
        &a,
        "1.0-1-1",
        &[
            ("/usr/bin/foo", &big_text(1)),
            ("/etc/foo.conf", b"colour=red\nsize=1\n"),
            ("/usr/share/same", b"same\n"),
        ],
    );
    let v2 = commit_foo(
        &a,
        "1.0-2-1",
        &[
            ("/usr/bin/foo", &big_text(2)),
            ("/etc/foo.conf", b"colour=blue\nsize=1\n"),
            ("/usr/share/same", b"same\n"),
        ],
    );
    let network = source(&[&a], &as_user("reader"));
    let runtime1 = named(&v1, "foo:runtime");
    let runtime2 = named(&v2, "foo:runtime");

    // Absolute: everything travels whole, and it is exactly what the
    // repository makes (one server, nothing to complete).
    let mut bytes = Vec::new();
    let written = network
        .changeset(&[install(runtime1)], false, &mut bytes)
        .expect("absolute changeset");
    assert_eq!(written, bytes.len() as u64);
    let read = ReadBack::of(&bytes, &NoContents);
    assert!(read.changeset.is_absolute());
    assert_eq!(read.contents[&Digest::of(&big_text(1))], big_text(1));
    assert_eq!(read.contents.len(), 3);
    let root = a
        .repository
        .authenticate(&Credentials::Basic {
            user: "reader".into(),
            password: "readerpw".into(),
        })
        .expect("reader");
    let mut local = Vec::new();
    LocalSource::new(&a.repository, root)
        .changeset(&[install(runtime1)], false, &mut local)
        .expect("local changeset");
    assert!(
        bytes == local,
        "the repository's own changeset, byte for byte"
    );

    // Relative: only what changed, the binary as a delta.
    let mut bytes = Vec::new();
    network
        .changeset(&[update(runtime1, runtime2)], false, &mut bytes)
        .expect("relative changeset");
    let mut bases = MemContents::new();
    bases.insert(big_text(1));
    bases.insert(b"colour=red\nsize=1\n".to_vec());
    let read = ReadBack::of(&bytes, &bases);
    let change = read.changeset.troves.values().next().expect("one trove");
    assert_eq!(change.old.as_ref(), Some(runtime1));
    assert_eq!(
        read.changeset.files.len(),
        2,
        "the unchanged file stays out"
    );
    assert!(matches!(
        read.changeset.contents[&Digest::of(&big_text(2))].kind,
        ContentKind::Delta { .. }
    ));
    assert_eq!(read.contents[&Digest::of(&big_text(2))], big_text(2));
    assert_eq!(read.text_diffs, 1, "the config file's diff");

    // Recursion brings the package's component.
    let mut bytes = Vec::new();
    network
        .changeset(&[install(named(&v2, "foo"))], true, &mut bytes)
        .expect("recursive changeset");
    let read = ReadBack::of(&bytes, &NoContents);
    assert_eq!(
        read.names(),
        ["foo", "foo:runtime"].map(String::from).into()
    );
    assert_eq!(read.changeset.primary.len(), 1);

    // Contents by digest, from the host that has them.
    let mut contents = Vec::new();
    let size = network
        .contents(&Digest::of(b"same\n"), &mut contents)
        .expect("contents");
    assert_eq!((size, contents.as_slice()), (5, &b"same\n"[..]));
    let error = network
        .contents(&Digest::of(b"nobody has this"), &mut Vec::new())
        .expect_err("missing");
    assert!(matches!(error, SourceError::NotFound(_)), "{error}");

    let nothing = TroveTuple::new(
        "nothing".parse().expect("name"),
        runtime1.version.clone(),
        Default::default(),
    );
    let error = network
        .changeset(&[install(&nothing)], false, &mut Vec::new())
        .expect_err("no such trove");
    assert!(matches!(error, SourceError::NotFound(_)), "{error}");
}

#[test]
fn dependency_suggestions_come_from_the_first_label() {
    let a = Served::start(A);
    let b = Served::start("b.example.com");
    let mut providers = Vec::new();
    for served in [&a, &b] {
        let mut bundle = Bundle::default();
        let v = version(&format!("/{}/1.0-1-1", served.label()));
        bundle.component("libfoo:lib", &v, &[]).provides =
            "soname: ELF64/libfoo.so.1(SysV x86_64) trove: libfoo:lib"
                .parse()
                .expect("provides");
        let committed = bundle
            .commit(&source(&[served], &as_user("writer")))
            .committed;
        providers.push(committed);
    }
    let network = source(&[&a, &b], &as_user("reader"));
    let requires = "soname: ELF64/libfoo.so.1(x86_64)"
        .parse()
        .expect("requires");
    let label_a: Label = a.label().parse().expect("label");
    let label_b: Label = b.label().parse().expect("label");
    let other: Label = "a.example.com@rpl:other".parse().expect("label");
    let cases = [
        (vec![label_a.clone(), label_b.clone()], &providers[0]),
        (vec![label_b.clone(), label_a.clone()], &providers[1]),
        (vec![other, label_b.clone(), label_a.clone()], &providers[1]),
    ];
    for (labels, expected) in cases {
        let found = network
            .dep_suggestions(&labels, &requires)
            .expect("suggestions");
        assert_eq!(found.len(), 1, "{labels:?}");
        assert_eq!(found.values().next().expect("one"), expected, "{labels:?}");
    }
    let none = "soname: ELF64/libbar.so.1(x86_64)"
        .parse()
        .expect("requires");
    assert!(
        network
            .dep_suggestions(&[label_a], &none)
            .expect("no providers")
            .is_empty()
    );
}

#[test]
fn commits_need_write_access_and_refusals_store_nothing() {
    let a = Served::start(A);
    let v = version(&format!("/{}/1.0-1-1", a.label()));
    let mut bundle = Bundle::default();
    bundle.component("foo:runtime", &v, &[("/usr/bin/foo", b"foo\n")]);
    let bytes = bundle.changeset(&[]);
    let size = Some(bytes.len() as u64);

    for user in ["reader", "nobody"] {
        let error = source(&[&a], &as_user(user))
            .commit(Cursor::new(bytes.clone()), size)
            .expect_err("refused");
        assert!(
            matches!(error, ClientError::PermissionDenied { ref host, .. } if host == A),
            "{user}: {error}"
        );
    }
    let error = source(&[&a], "")
        .commit(Cursor::new(bytes.clone()), size)
        .expect_err("anonymous");
    assert!(
        matches!(error, ClientError::CredentialsRequired { .. }),
        "{error}"
    );
    assert_eq!(a.blobs(), 0, "nothing stored");
    let everything = TroveQuery::on_label(a.label().parse().expect("label"));
    let root = source(&[&a], &as_user("root"));
    assert!(root.trove_versions(&everything).expect("query").is_empty());

    let writer = source(&[&a], &as_user("writer"));
    let result = writer
        .commit(Cursor::new(bytes.clone()), size)
        .expect("commit");
    assert_eq!(result.committed.len(), 1);
    assert!(
        result.committed[0].version.timestamp().is_some(),
        "stamped on commit"
    );
    assert_eq!(a.blobs(), 1);
    let again = writer.commit(Cursor::new(bytes), None).expect("again");
    assert_eq!((again.committed.len(), again.already_present.len()), (0, 1));

    // Marking removed is for admins.
    let error = writer
        .mark_removed(&result.committed)
        .expect_err("not an admin");
    assert!(
        matches!(error, ClientError::PermissionDenied { .. }),
        "{error}"
    );
    assert_eq!(
        root.mark_removed(&result.committed).expect("admin"),
        result.committed
    );
    assert!(root.trove_versions(&everything).expect("query").is_empty());

    let garbage = writer
        .commit(Cursor::new(b"not a changeset".to_vec()), None)
        .expect_err("garbage");
    assert!(
        matches!(garbage, ClientError::BadCommit { .. }),
        "{garbage}"
    );
}

#[test]
fn entitlements_and_credentials_reach_the_server() {
    let a = Served::start(A);
    commit_foo(&a, "1.0-1-1", &[("/usr/bin/foo", b"foo\n")]);
    let query = TroveQuery::on_label(a.label().parse().expect("label"));

    let entitled = source(&[&a], &format!("entitlement {A} {}\n", a.key));
    assert_eq!(entitled.trove_versions(&query).expect("entitled").len(), 2);
    let whoami = entitled
        .repositories()
        .for_host(A)
        .expect("client")
        .whoami()
        .expect("whoami");
    assert_eq!(
        (whoami.kind.as_str(), whoami.name.as_deref()),
        ("entitlement", Some("customers"))
    );

    let anonymous = source(&[&a], "");
    let error = anonymous.trove_versions(&query).expect_err("anonymous");
    assert!(matches!(error, SourceError::Unauthorized(_)), "{error}");
    let wrong = source(&[&a], "user * reader wrong\n");
    let error = wrong.trove_versions(&query).expect_err("wrong password");
    assert!(matches!(error, SourceError::Unauthorized(_)), "{error}");
    assert!(error.to_string().contains("user 'reader'"), "{error}");
    let nobody = source(&[&a], &as_user("nobody"));
    assert!(
        nobody
            .trove_versions(&query)
            .expect("nothing readable")
            .is_empty(),
        "troves hidden from the caller are left out"
    );
}

/// Bytes that do not compress.
fn noise(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[0]
        })
        .collect()
}

/// A commit far larger than the socket buffers, refused as soon as the
/// server has its headers (no or wrong credentials) or its index (no
/// write permission): the refusal is the error, not the upload cut off.
#[test]
fn large_commits_refused_early_say_why() {
    let a = Served::start(A);
    let v = version(&format!("/{}/1.0-1-1", a.label()));
    let mut bundle = Bundle::default();
    bundle.component("big:runtime", &v, &[("/usr/lib/big", &noise(16 << 20))]);
    let bytes = bundle.changeset(&[]);
    assert!(bytes.len() > 16 << 20);
    let commit = |lines: &str| {
        source(&[&a], lines)
            .commit(Cursor::new(bytes.clone()), Some(bytes.len() as u64))
            .expect_err("refused")
    };
    let error = commit("");
    assert!(
        matches!(error, ClientError::CredentialsRequired { .. }),
        "{error}"
    );
    let error = commit("user * writer wrong\n");
    assert!(
        matches!(error, ClientError::AuthenticationFailed { .. }),
        "{error}"
    );
    let error = commit(&as_user("nobody"));
    assert!(
        matches!(error, ClientError::PermissionDenied { ref message, .. } if message.contains("big:runtime")),
        "{error}"
    );
    assert_eq!(a.blobs(), 0, "nothing stored");
}

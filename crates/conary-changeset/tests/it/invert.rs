//! Inverse changesets, as rollbacks store them.

use conary_changeset::{ChangeSetBuilder, ContentKind, MemContents, NoContents, invert};

use crate::fixtures::{config, read_all, regular, streams, trove, tuple, version, write};

#[test]
fn inverse_of_an_update_restores_the_old_trove() {
    let mut old_contents = MemContents::new();
    let mut new_contents = MemContents::new();
    let bin_1 = regular(&mut old_contents, b"binary version one\n");
    let bin_2 = regular(&mut new_contents, b"binary version two\n");
    let conf_1 = config(&mut old_contents, b"edited locally\n");
    let conf_2 = config(&mut new_contents, b"shipped config\n");
    let old = trove(
        "foo:runtime",
        &version("1-1-1", 1),
        &[("/usr/bin/foo", &bin_1), ("/etc/foo", &conf_1)],
    );
    let new = trove(
        "foo:runtime",
        &version("1-2-1", 2),
        &[("/usr/bin/foo", &bin_2), ("/etc/foo", &conf_2)],
    );
    let installed = trove("bar:runtime", &version("1-1-1", 3), &[]);
    let erased = trove(
        "baz:runtime",
        &version("1-1-1", 4),
        &[("/usr/bin/baz", &bin_1)],
    );

    let all = streams([&bin_1, &bin_2, &conf_1, &conf_2]);
    let mut builder = ChangeSetBuilder::new();
    builder.add_primary(new.tuple());
    builder
        .add_relative(&old, new.clone(), &all)
        .expect("relative");
    builder
        .add_absolute(installed.clone(), &all)
        .expect("absolute");
    builder.erase(erased.tuple());
    let changeset = builder.build(&old_contents, &new_contents).expect("build");

    let olds = [(old.tuple(), old.clone()), (erased.tuple(), erased.clone())]
        .into_iter()
        .collect();
    // The binary can be fetched again from the repository; the config was
    // edited on the machine, so only the machine has it.
    let in_repository =
        |digest: &conary_core::digest::Digest| Some(*digest) == bin_1.content_digest();
    let inverse = invert(&changeset, &olds, &all, &in_repository).expect("invert");

    assert_eq!(inverse.primary, [old.tuple()].into_iter().collect());
    assert_eq!(inverse.erased, [installed.tuple()].into_iter().collect());
    let back = &inverse.troves[&old.tuple()];
    assert_eq!(back.old, Some(new.tuple()));
    assert!(inverse.troves[&erased.tuple()].is_absolute());
    let kind = |stream: &conary_core::files::FileStream| {
        inverse.contents[&stream.content_digest().expect("regular")].kind
    };
    assert_eq!(kind(&bin_1), ContentKind::Reference);
    assert_eq!(kind(&conf_1), ContentKind::Full);
    assert!(inverse.text_diffs.is_empty());

    let bytes = write(&inverse, &old_contents);
    let (read, payloads) = read_all(&bytes, &NoContents).expect("read inverse");
    assert_eq!(read, inverse);
    assert_eq!(payloads.len(), 1);
    assert_eq!(
        payloads.values().next().map(Vec::as_slice),
        Some(&b"edited locally\n"[..])
    );
}

#[test]
fn inverse_needs_the_old_manifests() {
    let mut builder = ChangeSetBuilder::new();
    builder.erase(tuple("gone=/conary.example.com@plat:1/1-1-1[]"));
    let changeset = builder.build(&NoContents, &NoContents).expect("build");
    let error = invert(
        &changeset,
        &Default::default(),
        &Default::default(),
        &|_| true,
    )
    .expect_err("no manifest");
    assert_eq!(
        error.to_string(),
        "inconsistent changeset: the manifest of trove gone=/conary.example.com@plat:1/1-1-1[] is needed to invert the changeset"
    );
}

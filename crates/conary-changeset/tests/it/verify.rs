//! `verify`: every payload checked, deltas when their base is at hand.

use conary_changeset::{BuildOptions, ChangeSetBuilder, Limits, MemContents, NoContents, verify};

use crate::fixtures::{noise, regular, streams, trove, version, write};

/// A relative changeset whose one file travels as a delta, with the old
/// and new contents.
fn delta_changeset() -> (Vec<u8>, MemContents) {
    let old = noise(7, 200_000);
    let mut new = old.clone();
    for index in (0..new.len()).step_by(10_000) {
        new[index] ^= 0x55;
    }
    let mut old_contents = MemContents::new();
    let mut new_contents = MemContents::new();
    let s1 = regular(&mut old_contents, &old);
    let s2 = regular(&mut new_contents, &new);
    let old_trove = trove("big:lib", &version("1-1-1", 1), &[("/usr/lib/big", &s1)]);
    let new_trove = trove("big:lib", &version("1-2-1", 2), &[("/usr/lib/big", &s2)]);
    let mut builder = ChangeSetBuilder::with_options(BuildOptions::default());
    builder
        .add_relative(&old_trove, new_trove, &streams([&s1, &s2]))
        .expect("relative");
    let changeset = builder.build(&old_contents, &new_contents).expect("build");
    (
        write(&changeset, &(&new_contents, &old_contents)),
        old_contents,
    )
}

#[test]
fn deltas_are_verified_when_the_base_is_there() {
    let (bytes, old_contents) = delta_changeset();
    let without = verify(&bytes[..], Limits::default(), &NoContents).expect("framing");
    assert_eq!((without.verified, without.framing_only), (0, 1));
    let with = verify(&bytes[..], Limits::default(), &old_contents).expect("verified");
    assert_eq!((with.verified, with.framing_only), (1, 0));
}

#[test]
fn a_damaged_full_payload_is_refused() {
    let mut contents = MemContents::new();
    let stream = regular(&mut contents, &noise(9, 100_000));
    let new_trove = trove("x:lib", &version("1-1-1", 1), &[("/usr/lib/x", &stream)]);
    let mut builder = ChangeSetBuilder::new();
    builder
        .add_absolute(new_trove, &streams([&stream]))
        .expect("absolute");
    let changeset = builder.build(&NoContents, &contents).expect("build");
    let mut bytes = write(&changeset, &contents);
    let report = verify(&bytes[..], Limits::default(), &NoContents).expect("intact");
    assert_eq!(report.verified, 1);
    let middle = bytes.len() - 50_000;
    bytes[middle] ^= 0xff;
    assert!(verify(&bytes[..], Limits::default(), &NoContents).is_err());
    bytes.push(0);
    assert!(verify(&bytes[..], Limits::default(), &NoContents).is_err());
}

//! Cut or damaged changesets never panic, and a cut one is never accepted.

use conary_changeset::{ChangeSetBuilder, MemContents, PayloadId, fuzz_read};

use crate::fixtures::{config, noise, read_all, regular, streams, symlink, trove, version, write};

/// A small relative changeset with every kind of payload, and the old
/// contents its deltas need.
fn sample() -> (Vec<u8>, MemContents) {
    let mut old_contents = MemContents::new();
    let mut new_contents = MemContents::new();
    let old_lib = noise(11, 6_000);
    let mut new_lib = old_lib.clone();
    new_lib[100] ^= 0x55;
    let lib_1 = regular(&mut old_contents, &old_lib);
    let lib_2 = regular(&mut new_contents, &new_lib);
    let conf_1 = config(&mut old_contents, b"a = 1\nb = 2\nc = 3\n");
    let conf_2 = config(&mut new_contents, b"a = 1\nb = 20\nc = 3\n");
    let added = regular(&mut new_contents, b"brand new contents\n");
    let link = symlink("libx.so.1");
    let old = trove(
        "x:lib",
        &version("1-1-1", 1),
        &[("/usr/lib/libx.so.1", &lib_1), ("/etc/x.conf", &conf_1)],
    );
    let new = trove(
        "x:lib",
        &version("1-2-1", 2),
        &[
            ("/usr/lib/libx.so.1", &lib_2),
            ("/etc/x.conf", &conf_2),
            ("/usr/share/x/new", &added),
            ("/usr/lib/libx.so", &link),
        ],
    );
    let mut builder = ChangeSetBuilder::new();
    builder.add_primary(new.tuple());
    builder
        .add_relative(
            &old,
            new,
            &streams([&lib_1, &lib_2, &conf_1, &conf_2, &added, &link]),
        )
        .expect("relative");
    let changeset = builder.build(&old_contents, &new_contents).expect("build");
    assert_eq!(
        changeset.payloads().count(),
        4,
        "delta, full, full config, text diff"
    );
    let bytes = write(&changeset, &(&new_contents, &old_contents));
    (bytes, old_contents)
}

#[test]
fn every_cut_is_refused() {
    let (bytes, bases) = sample();
    read_all(&bytes, &bases).expect("whole changeset");
    for len in 0..bytes.len() {
        let cut = &bytes[..len];
        assert!(
            read_all(cut, &bases).is_err(),
            "cut at {len} of {} accepted",
            bytes.len()
        );
        fuzz_read(cut);
    }
}

#[test]
fn damage_anywhere_never_panics_nor_yields_wrong_contents() {
    let (bytes, bases) = sample();
    for offset in 0..bytes.len() {
        for flip in [0x01u8, 0x80, 0xff] {
            let mut damaged = bytes.clone();
            damaged[offset] ^= flip;
            fuzz_read(&damaged);
            if let Ok((_, payloads)) = read_all(&damaged, &bases) {
                for (id, data) in payloads {
                    if let PayloadId::Contents(digest) = id {
                        assert_eq!(conary_core::digest::Digest::of(&data), digest);
                    }
                }
            }
        }
    }
}

#[test]
fn arbitrary_prefixes_of_valid_headers_never_panic() {
    for bytes in [
        &b""[..],
        b"C",
        b"CNYC",
        b"CNYC\x00",
        b"CNYC\x00\x01",
        b"CNYC\x00\x01\xff",
        b"CNYC\x00\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff",
        b"CNYC\x00\x01\x00\x05",
        b"CNYC\x00\x01\x00\x00",
    ] {
        fuzz_read(bytes);
        assert!(read_all(bytes, &MemContents::new()).is_err() || bytes == b"CNYC\x00\x01\x00");
    }
}

//! What `showcs` shows.

use conary_changeset::{ChangeSetBuilder, Limits, MemContents, Summary};

use crate::fixtures::{config, noise, regular, streams, trove, version, write};

#[test]
fn summary_lists_troves_files_kinds_and_bytes() {
    let mut old_contents = MemContents::new();
    let mut new_contents = MemContents::new();
    let old_lib = noise(2, 30_000);
    let mut new_lib = old_lib.clone();
    new_lib[5] ^= 1;
    let lib_1 = regular(&mut old_contents, &old_lib);
    let lib_2 = regular(&mut new_contents, &new_lib);
    let conf_1 = config(&mut old_contents, b"x = 1\n");
    let conf_2 = config(&mut new_contents, b"x = 2\n");
    let doc = regular(&mut old_contents, b"docs\n");
    let old = trove(
        "foo:lib",
        &version("1-1-1", 1),
        &[
            ("/usr/lib/libfoo.so.1", &lib_1),
            ("/etc/foo", &conf_1),
            ("/usr/share/doc/foo", &doc),
        ],
    );
    let new = trove(
        "foo:lib",
        &version("1-2-1", 2),
        &[
            ("/usr/lib/libfoo.so.1", &lib_2),
            ("/etc/foo", &conf_2),
            ("/usr/share/doc/foo", &doc),
        ],
    );
    let mut builder = ChangeSetBuilder::new();
    builder.add_primary(new.tuple());
    builder
        .add_relative(
            &old,
            new,
            &streams([&lib_1, &lib_2, &conf_1, &conf_2, &doc]),
        )
        .expect("relative");
    let changeset = builder.build(&old_contents, &new_contents).expect("build");
    let bytes = write(&changeset, &(&new_contents, &old_contents));

    let summary = Summary::read(&bytes[..], Limits::default()).expect("summary");
    assert_eq!(summary.stored, Some(bytes.len() as u64));
    assert_eq!(summary.totals["delta"].count, 1);
    assert_eq!(summary.totals["delta"].size, 30_000);
    assert_eq!(summary.totals["full"].count, 1);
    assert_eq!(summary.totals["text diff"].count, 1);
    let text = summary.to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        format!(
            "relative changeset: 1 troves, 0 erased, {} bytes",
            bytes.len()
        )
    );
    assert_eq!(
        lines[1],
        "update foo:lib=/conary.example.com@plat:1/1-1-1[] -> foo:lib=/conary.example.com@plat:1/1-2-1[] (primary)"
    );
    assert!(lines[2].starts_with("  /etc/foo 6 bytes full ("), "{text}");
    assert!(lines[2].ends_with(" stored) +text diff"), "{text}");
    assert!(
        lines[3].starts_with("  /usr/lib/libfoo.so.1 30000 bytes delta ("),
        "{text}"
    );
    assert_eq!(lines[4], "  1 unchanged files");

    // From the index alone, stored sizes are unknown.
    let plain = Summary::of(&changeset);
    assert_eq!(plain.stored, None);
    assert!(
        plain.troves[0]
            .files
            .iter()
            .all(|file| file.stored.is_none())
    );
}

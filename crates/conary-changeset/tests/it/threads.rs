//! Weighing contents on several threads builds the same changeset, with
//! the same prepared payloads, as on one.

use conary_changeset::{ChangeSetBuilder, ChangeSetWriter, MemContents};

use crate::fixtures::{noise, regular, streams, trove, version};

#[test]
fn threads_build_what_one_thread_builds() {
    let mut contents = MemContents::new();
    let (mut olds, mut news) = (Vec::new(), Vec::new());
    for n in 0..40u64 {
        let old = noise(n, 2_000 + 300 * n as usize);
        let mut new = old.clone();
        new.truncate(old.len() - (n as usize % 5) * 100);
        new.extend_from_slice(&noise(n + 100, 50 * (n as usize % 7)));
        olds.push(regular(&mut contents, &old));
        news.push(regular(&mut contents, &new));
    }
    let paths: Vec<String> = (0..40).map(|n| format!("/usr/lib/file{n}")).collect();
    let builder = || {
        let v1 = version("1.0-1-1", 1);
        let v2 = version("1.0-2-1", 2);
        let old_files: Vec<(&str, _)> = paths.iter().map(String::as_str).zip(&olds).collect();
        let new_files: Vec<(&str, _)> = paths.iter().map(String::as_str).zip(&news).collect();
        let old = trove("foo:lib", &v1, &old_files);
        let new = trove("foo:lib", &v2, &new_files);
        let mut builder = ChangeSetBuilder::new();
        builder
            .add_relative(&old, new, &streams(olds.iter().chain(&news)))
            .expect("add");
        builder
    };
    let (one, one_prepared) = builder()
        .build_prepared(&contents, &contents)
        .expect("one thread");
    for threads in [2, 3, 64] {
        let (many, many_prepared) = builder()
            .build_prepared_threads(&contents, &contents, threads)
            .expect("threads");
        assert_eq!(many, one, "{threads} threads");
        assert_eq!(many_prepared, one_prepared, "{threads} threads");
    }
    let write = |prepared| {
        let mut writer = ChangeSetWriter::new(Vec::new(), &one).expect("writer");
        writer.use_prepared(prepared);
        writer.write_all(&contents).expect("write");
        writer.finish().expect("finish")
    };
    assert_eq!(write(one_prepared.clone()), write(one_prepared));
    // A missing base or new contents is reported as on one thread.
    let empty = MemContents::new();
    let one_error = builder()
        .build_prepared(&empty, &empty)
        .expect_err("nothing to read");
    let many_error = builder()
        .build_prepared_threads(&empty, &empty, 4)
        .expect_err("nothing to read");
    assert_eq!(many_error.to_string(), one_error.to_string());
}

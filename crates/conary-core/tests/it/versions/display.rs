//! Display against a context, closeness, and ordering by commit time.

use std::cmp::Ordering;

use conary_core::version::{Label, Version};

use super::{branch, label, revision, version};

#[test]
fn versions_against_a_default_branch() {
    let cases = [
        (
            "/foo.com@spc:bar/1.2-3/bang.com@spc:branch/2.4-5",
            "/foo.com@spc:bar",
            "1.2-3/bang.com@spc:branch/2.4-5",
        ),
        ("/a@b:c//d@e:f/1.0-1.1-1", "/a@b:c", "d@e:f/1.0-1.1-1"),
        ("/a@b:c/1.0-1-1", "/a@b:c", "1.0-1-1"),
        ("/a@b:c/1.0-1-1", "/x@y:z", "/a@b:c/1.0-1-1"),
        ("/a@b:c//d/1.0-1.1", "/a@b:c//d", "1.0-1.1"),
        ("/a@b:c//d/1.0-1.1", "/a@b:c", "a@b:d/1.0-1.1"),
        ("/a@b:c/1.0-1", "/a@b:c/1.0-1/d", "/a@b:c/1.0-1"),
    ];
    for (text, default, expected) in cases {
        assert_eq!(
            version(text).as_string_against(&branch(default)),
            expected,
            "{text}"
        );
    }
    let branch_cases = [
        ("/a@b:c/1.0-1/d", "/a@b:c", "1.0-1/a@b:d"),
        ("/a@b:c//d", "/a@b:c//d", "/a@b:c//d"),
    ];
    for (text, default, expected) in branch_cases {
        assert_eq!(
            branch(text).as_string_against(&branch(default)),
            expected,
            "{text}"
        );
    }
}

#[test]
fn versions_relative_to_a_default_branch() {
    let cases = [
        ("1.2-3", "/foo.com@spc:bar", "/foo.com@spc:bar/1.2-3"),
        ("/x@y:z/1-1", "/foo.com@spc:bar", "/x@y:z/1-1"),
        ("1.0-1-1", "/a@b:c//shadow", "/a@b:c//shadow/1.0-1-1"),
        (
            "1.2-3/bang.com@spc:branch/2.4-5",
            "/foo.com@spc:bar",
            "/foo.com@spc:bar/1.2-3/bang.com@spc:branch/2.4-5",
        ),
    ];
    for (text, default, expected) in cases {
        let parsed = Version::parse_relative(text, &branch(default)).expect("valid");
        assert_eq!(parsed.to_string(), expected, "{text}");
    }
}

#[test]
fn labels_against_a_previous_label() {
    let cases = [
        ("foo@spc:shadow", "foo@spc:linux", "shadow"),
        ("foo@abc:shadow", "foo@spc:linux", "abc:shadow"),
        ("bar@spc:shadow", "foo@spc:linux", "bar@spc:shadow"),
        ("@rpl:1", "@rpl:devel", "1"),
    ];
    for (text, versus, expected) in cases {
        assert_eq!(
            label(text).as_string_against(&label(versus)),
            expected,
            "{text}"
        );
    }
}

#[test]
fn revisions_against_a_previous_revision() {
    let cases = [
        ("1.2-3-4", "1.2-3-1", "4"),
        ("1.2-4-2", "1.2-3-1", "4-2"),
        ("2.0-1-1", "1.2-3-1", "2.0-1-1"),
        ("1.2-4", "1.2-3", "4"),
        ("1.2-3", "1.2-3", "3"),
        ("1.3-4", "1.2-3", "1.3-4"),
        // The short form is only used between revisions of the same kind.
        ("1.2-4-1", "1.2-3", "1.2-4-1"),
        ("1.2-3", "1.2-3-1", "1.2-3"),
    ];
    for (text, versus, expected) in cases {
        assert_eq!(
            revision(text).as_string_against(&revision(versus)),
            expected,
            "{text}"
        );
    }
}

#[test]
fn versions_against_an_install_label_path() {
    let path: Vec<Label> = vec![
        label("conary.rpath.com@rpl:trunk"),
        label("contrib.rpath.com@rpl:devel"),
    ];
    let cases = [
        ("/conary.rpath.com@rpl:trunk/2.2.3-4-2", "2.2.3-4-2"),
        (
            "/conary.rpath.com@rpl:trunk/2.2.3-4/release-1/5",
            "conary.rpath.com@rpl:release-1/2.2.3-5",
        ),
        (
            "/contrib.rpath.com@rpl:devel/1.0-1-1",
            "contrib.rpath.com@rpl:devel/1.0-1-1",
        ),
        (
            "/foo.com@spc:trunk/1.2-3-1/bar.com@spc:linux/4",
            "bar.com@spc:linux/1.2-3-4",
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(
            version(text).as_string_against_label_path(&path),
            expected,
            "{text}"
        );
    }
    assert_eq!(
        version("/a@b:c/1-1").as_string_against_label_path(&[]),
        "a@b:c/1-1"
    );
}

#[test]
fn closeness_for_branch_affinity() {
    let cases = [
        ("/a@b:c/1.1-1", "/a@b:c/1.1-1/d@e:f/1.2-1", 2.0 / 3.0),
        ("/a@b:c/1.1-1", "/a@b:c//d@e:f/1.2-1", 1.0 / 4.0),
        ("/a@b:c//d@e:f/1-1", "/a@b:c//d@e:f//g@h:i/1-1", 4.0 / 2.0),
    ];
    for (first, second, expected) in cases {
        let measured = version(first).closeness(&version(second));
        assert!(
            (measured - expected).abs() < 1e-9,
            "{first} vs {second}: {measured}"
        );
    }
    let branch_cases = [
        ("/a@b:c//d@e:f", "/a@b:c//d@e:f//g@h:i", 1.5),
        ("/a@b:c//d@e:f//j@k:l", "/a@b:c//d@e:f//g@h:i", 0.75),
        ("/a@b:c/1.1-1/d@e:f", "/a@b:c/1.1-2/d@e:f", 1.5),
        ("/a@b:c/1.1-1/d@e:f", "/a@b:c//d@e:f", 3.0),
    ];
    for (first, second, expected) in branch_cases {
        let measured = branch(first).closeness(&branch(second));
        assert!(
            (measured - expected).abs() < 1e-9,
            "{first} vs {second}: {measured}"
        );
    }
    assert!(branch("/a@b:c").closeness(&branch("/a@b:c")).is_infinite());
}

#[test]
fn ordering_is_by_trailing_timestamp_only() {
    // As time goes forward the source counts go down: order follows time.
    let mut list: Vec<Version> = (1..10)
        .map(|i| Version::thaw(&format!("/foo.com@spc:bar/{}:1.0-{}", 10 - i, i)).expect("valid"))
        .collect();
    list.sort_by(|a, b| a.cmp_by_time(b).unwrap_or(Ordering::Equal));
    for (index, v) in list.iter().enumerate() {
        assert_eq!(
            v.freeze(),
            format!("/foo.com@spc:bar/{}.000:1.0-{}", index + 1, 9 - index)
        );
    }
    let cases = [
        ("/foo@a:b/2:1-1", "/foo@a:b/1:1-1", Some(Ordering::Greater)),
        ("/foo@a:b/1:1-1", "/foo@a:b/1:1-1", Some(Ordering::Equal)),
        ("/foo@a:b/1:1-1", "/foo@a:b/2:1-1", Some(Ordering::Less)),
        ("/foo@a:b/1:9.9-9", "/foo@a:b/2:0.1-1", Some(Ordering::Less)),
        ("/x@y:z/5:1-1/d/1:1", "/foo@a:b/2:1-1", Some(Ordering::Less)),
        ("/foo@a:b/0:1-1", "/foo@a:b/2:1-1", None),
    ];
    for (first, second, expected) in cases {
        let first = Version::thaw(first).expect("valid");
        let second = Version::thaw(second).expect("valid");
        assert_eq!(first.cmp_by_time(&second), expected);
        assert_eq!(first.is_after(&second), expected == Some(Ordering::Greater));
    }
    // Equality ignores timestamps.
    assert_eq!(
        Version::thaw("/foo@a:b/1:1-1").expect("valid"),
        version("/foo@a:b/1-1")
    );
}

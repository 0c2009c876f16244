//! Parent versions, canonical versions, modified shadows, source versions.

use conary_core::version::{Timestamp, Version};

use super::{branch, version};

#[test]
fn parent_versions() {
    let cases: &[(&str, Option<&str>)] = &[
        ("/a@b:c/1.0-1", None),
        (
            "/foo.com@spc:bar/1.2-3/bang.com@spc:branch/2.4-5",
            Some("/foo.com@spc:bar/1.2-3"),
        ),
        (
            "/foo.com@spc:bar//shadow1/1.0-2.1",
            Some("/foo.com@spc:bar/1.0-2"),
        ),
        (
            "/foo.com@spc:bar//shadow1//shadow2/1.0-2.1",
            Some("/foo.com@spc:bar//shadow1/1.0-2.1"),
        ),
        ("/foo.com@spc:bar//shadow1/3.0-0.1", None),
        (
            "/foo.com@spc:bar//shadow1//shadow2/3.0-0.1.1",
            Some("/foo.com@spc:bar//shadow1/3.0-0.1"),
        ),
        (
            "/foo.com@spc:bar//shadow1/3.0-1-1",
            Some("/foo.com@spc:bar/3.0-1-1"),
        ),
        ("/foo.com@spc:bar//shadow1/3.0-1-0.1", None),
        (
            "/foo.com@spc:bar//shadow1//shadow2/3.0-1-0.1",
            Some("/foo.com@spc:bar//shadow1/3.0-1-0.1"),
        ),
        (
            "/foo@spc:linux//shadow/1.2-1-1",
            Some("/foo@spc:linux/1.2-1-1"),
        ),
        ("/foo@spc:linux//shadow/1.2-1", Some("/foo@spc:linux/1.2-1")),
        ("/foo@spc:linux//shadow/1.2-1-0.1", None),
        ("/foo@spc:linux//shadow/1.2-1.1-1", None),
        // The `-0` of a binary branch point is not a build of its own.
        ("/a@b:c/4.1.25-18-0/d//e/22.3-1", None),
        (
            "/c.r.com@rpl:devel//a.r.org@rpl:devel//1/nubb-0.1",
            Some("/c.r.com@rpl:devel//a.r.org@rpl:devel/nubb-0.1"),
        ),
        (
            "/c.r.com@rpl:devel//a.r.org@rpl:devel//1/nubb-1",
            Some("/c.r.com@rpl:devel//a.r.org@rpl:devel/nubb-1"),
        ),
        (
            "/c.r.com@rpl:devel//1//p.r.com@rpath:widgets/yarr-1.0.2",
            Some("/c.r.com@rpl:devel//1/yarr-1"),
        ),
        (
            "/c.r.com@rpl:devel//1//p.r.com@rpath:widgets/yarr-0.1.2",
            Some("/c.r.com@rpl:devel//1/yarr-0.1"),
        ),
        (
            "/c.r.com@rpl:devel//1//p.r.com@rpath:widgets/yarr-0.0.1",
            None,
        ),
        (
            "/conary.rpath.com@rpl:devel//1//rpl-live.rb.rpath.com@rpl:1//local@local:COOK/1.0.1-0.6",
            Some("/conary.rpath.com@rpl:devel//1//rpl-live.rb.rpath.com@rpl:1/1.0.1-0.6"),
        ),
        ("/a@rpl:linux/4.3-1-0/autoconf213/1", None),
        (
            "/a@rpl:linux/4.3-1-1/autoconf213/1",
            Some("/a@rpl:linux/4.3-1-1"),
        ),
        ("/a@b:c/1.0-1-0/d//e/1.0-2-1", Some("/a@b:c/1.0-1-0/d/2-1")),
    ];
    for (text, expected) in cases {
        let v = version(text);
        assert_eq!(v.has_parent_version(), expected.is_some(), "{text}");
        let parent = v.parent_version().map(|p| p.to_string());
        assert_eq!(parent.as_deref(), *expected, "{text}");
    }
}

#[test]
fn parent_timestamps() {
    // The parent of a branch is the branch point, timestamp and all.
    let branched = Version::thaw("/foo.com@spc:bar/123.0:1.2-3/branch/456:1.1-2").expect("valid");
    let parent = branched.parent_version().expect("branched source");
    assert_eq!(parent.to_string(), "/foo.com@spc:bar/1.2-3");
    assert_eq!(parent.timestamp(), Some(Timestamp::from_millis(123_000)));
    assert!(!parent.has_parent_version());
    // The parent of a shadow is computed and has no timestamp.
    let shadowed = Version::thaw(
        "/conary.rpath.com@rpl:devel//1//rpl-live.rb.rpath.com@rpl:1//local@local:COOK/123:1.0.1-0.6",
    )
    .expect("valid");
    let parent = shadowed.parent_version().expect("unmodified shadow");
    assert_eq!(parent.timestamp(), None);
}

#[test]
fn canonical_versions() {
    let cases = [
        ("/foo@spc:linux/1.1-1", "/foo@spc:linux/1.1-1"),
        ("/foo@spc:linux//shadow/1.1-1", "/foo@spc:linux/1.1-1"),
        (
            "/foo@spc:linux//shadow//shadow2/1.1-1",
            "/foo@spc:linux/1.1-1",
        ),
        (
            "/foo@spc:linux//shadow//shadow2/1.1-1/branch//shadow3/2",
            "/foo@spc:linux//shadow//shadow2/1.1-1/branch/2",
        ),
        ("/a@b:c//d/1.0-0.1", "/a@b:c//d/1.0-0.1"),
        ("/a@b:c//d//e/1.0-1.1", "/a@b:c//d/1.0-1.1"),
        ("/a@b:c//d//e/1.0-1-0.1", "/a@b:c//d/1.0-1-0.1"),
        ("/a@b:c/1.2-3/d/2.4-5", "/a@b:c/1.2-3/d/2.4-5"),
    ];
    for (text, expected) in cases {
        let canonical = version(text).canonical_version();
        assert_eq!(canonical.to_string(), expected, "{text}");
        assert!(!canonical.is_unmodified_shadow(), "{text}");
    }
}

#[test]
fn modified_and_unmodified_shadows() {
    // (version, is a shadow, modified on the last shadow)
    let cases = [
        ("/foo@spc:linux/1.1-1", false, false),
        ("/foo@spc:linux//shadow/1.1-1", true, false),
        ("/foo@spc:linux//shadow/1.2-1.1", true, true),
        ("/foo@spc:linux//shadow//shadow2/1.2-1.1", true, false),
        ("/foo@spc:linux//shadow//shadow2/1.2-1.0.1", true, true),
        ("/foo@spc:linux//shadow/1.2-1-0.1", true, true),
        ("/foo@spc:linux//shadow//shadow2/1.2-1-0.1", true, false),
        ("/foo@spc:linux//shadow/1.1-1/branch/2", false, false),
    ];
    for (text, shadow, modified) in cases {
        let v = version(text);
        assert_eq!(v.is_shadow(), shadow, "{text}");
        assert_eq!(v.is_modified_shadow(), modified, "{text}");
        assert_eq!(v.is_unmodified_shadow(), shadow && !modified, "{text}");
    }
}

#[test]
fn source_versions_of_binaries() {
    // (binary, branched binary, its source)
    let cases = [
        (
            "/conary.rpath.com@rpl:linux/4.3-1-0/autconf213/1",
            false,
            "/conary.rpath.com@rpl:linux/4.3-1/autconf213/1",
        ),
        (
            "/conary.rpath.com@rpl:linux/4.3-1-1/autconf213/1",
            true,
            "/conary.rpath.com@rpl:linux/4.3-1",
        ),
        ("/a@b:c/1.0-1-1", false, "/a@b:c/1.0-1"),
        ("/a@b:c//d/1.0-1-1", true, "/a@b:c/1.0-1"),
        ("/a@b:c//d/1.0-1.1-1", false, "/a@b:c//d/1.0-1.1"),
        ("/a@b:c//d/1.0-1-0.1", false, "/a@b:c//d/1.0-1"),
        ("/a@b:c/1.0-1", false, "/a@b:c/1.0-1"),
    ];
    for (text, branched, source) in cases {
        let v = version(text);
        assert_eq!(v.is_branched_binary(), branched, "{text}");
        assert_eq!(v.source_version().to_string(), source, "{text}");
        assert!(v.source_version().is_source_version(), "{text}");
    }
    // Timestamps are removed.
    let v = Version::thaw("/conary.rpath.com@rpl:linux/1:4.3-1-0/autconf213/2:1").expect("valid");
    assert_eq!(v.source_version().timestamps(), vec![None, None]);
    let v = Version::thaw("/conary.rpath.com@rpl:linux/1:4.3-1-1/autconf213/2:1").expect("valid");
    assert_eq!(v.source_version().timestamps(), vec![None]);
}

#[test]
fn binary_branches() {
    let cases = [
        (
            "/foo.com@spc:bar/1.2-3/bang.com@spc:branch",
            "/foo.com@spc:bar/1.2-3-0/bang.com@spc:branch",
        ),
        ("/a@b:c//d", "/a@b:c//d"),
        ("/a@b:c/1-1-1/d", "/a@b:c/1-1-1/d"),
    ];
    for (text, expected) in cases {
        assert_eq!(branch(text).binary_branch().to_string(), expected, "{text}");
    }
}

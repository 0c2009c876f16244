//! Version specs as users type them, resolved against an install label
//! path (the original's findtrove cases).

use conary_core::version::{Label, LabelSpec, VersionError, VersionSpec};

use super::{assert_error, label, version};

fn spec(text: &str) -> VersionSpec {
    text.parse()
        .unwrap_or_else(|e| panic!("test spec {text:?} should parse: {e}"))
}

fn labels(texts: &[&str]) -> Vec<Label> {
    texts.iter().map(|t| label(t)).collect()
}

#[test]
fn specs_resolve_against_the_install_label_path() {
    let path = labels(&["localhost@rpl:linux"]);
    // (spec, labels searched, revision to match, names a label)
    let cases: &[(&str, &[&str], Option<&str>, bool)] = &[
        ("1.0-1-1", &["localhost@rpl:linux"], Some("1.0-1-1"), false),
        ("1.0", &["localhost@rpl:linux"], Some("1.0"), false),
        ("1.0-1", &["localhost@rpl:linux"], Some("1.0-1"), false),
        ("localhost@rpl:linux", &["localhost@rpl:linux"], None, true),
        ("@rpl:linux", &["localhost@rpl:linux"], None, true),
        ("localhost@", &["localhost@rpl:linux"], None, true),
        (":linux", &["localhost@rpl:linux"], None, true),
        (":branch", &["localhost@rpl:branch"], None, true),
        (
            "localhost@rpl:branch",
            &["localhost@rpl:branch"],
            None,
            true,
        ),
        (
            "@rpl:branch/1.0",
            &["localhost@rpl:branch"],
            Some("1.0"),
            true,
        ),
        (":branch/2.0", &["localhost@rpl:branch"], Some("2.0"), true),
        (
            "localhost@/1.0",
            &["localhost@rpl:linux"],
            Some("1.0"),
            true,
        ),
        ("other.host@", &["other.host@rpl:linux"], None, true),
        (
            "localhost@rpl:linux/1-1-1",
            &["localhost@rpl:linux"],
            Some("1-1-1"),
            true,
        ),
        ("/localhost@rpl:linux", &["localhost@rpl:linux"], None, true),
        (
            "/localhost@rpl:linux/1.0-1-1",
            &["localhost@rpl:linux"],
            Some("1.0-1-1"),
            true,
        ),
        (
            "/localhost@rpl:linux/1.0-1-0/branch/1",
            &["localhost@rpl:branch"],
            Some("1.0-1-1"),
            true,
        ),
    ];
    for (text, searched, revision, names_label) in cases {
        let parsed = spec(text);
        let query = parsed.resolve(&path).expect("resolvable");
        assert_eq!(query.labels, labels(searched), "{text}");
        assert_eq!(
            query.revision.map(|r| r.to_string()).as_deref(),
            *revision,
            "{text}"
        );
        assert_eq!(parsed.names_label(), *names_label, "{text}");
        assert_eq!(parsed.to_string(), *text, "{text}");
    }
}

#[test]
fn partial_labels_apply_to_every_label_of_the_path() {
    let path = labels(&[
        "conary.rpath.com@rpl:devel",
        "contrib.rpath.com@rpl:devel",
        "conary.rpath.com@rpl:1",
    ]);
    let cases: &[(&str, &[&str])] = &[
        (":1", &["conary.rpath.com@rpl:1", "contrib.rpath.com@rpl:1"]),
        (
            "@foo:bar",
            &["conary.rpath.com@foo:bar", "contrib.rpath.com@foo:bar"],
        ),
        ("x.com@", &["x.com@rpl:devel", "x.com@rpl:1"]),
        ("a@b:c", &["a@b:c"]),
        (
            "1.0",
            &[
                "conary.rpath.com@rpl:devel",
                "contrib.rpath.com@rpl:devel",
                "conary.rpath.com@rpl:1",
            ],
        ),
    ];
    for (text, expected) in cases {
        let query = spec(text).resolve(&path).expect("resolvable");
        assert_eq!(query.labels, labels(expected), "{text}");
    }
}

#[test]
fn partial_specs_need_a_label_path() {
    let cases = [":1", "@rpl:1", "localhost@", "1", "1.0-1-1", ":1/1.0"];
    for text in cases {
        let result = spec(text).resolve(&[]);
        assert!(
            matches!(result, Err(VersionError::LabelPathNeeded { .. })),
            "{text}"
        );
    }
    for text in [
        "localhost@rpl:linux",
        "/localhost@rpl:linux",
        "/localhost@rpl:linux/1-1-1",
        "a@b:c/1.0",
    ] {
        assert!(spec(text).resolve(&[]).is_ok(), "{text}");
    }
}

#[test]
fn invalid_specs() {
    let cases = [
        ("", "empty version"),
        ("localhost@rpl:li:nux", "more than one ':'"),
        ("1-0-1-1", "too many '-' characters"),
        (":rpl/devel/1.0", "may hold only one '/'"),
        ("rpl/1.0", "'rpl' is not a label"),
        ("@rpl", "missing ':' after namespace"),
        ("@", "missing ':' after namespace"),
        (":", "empty tag"),
        (":a@b", "only allowed as separators"),
        ("a:b@", "only allowed as separators"),
        ("foo:bar", "':' is not allowed in an upstream version"),
        ("/a@b:c/1.0-1.1", "too many shadow serial numbers"),
        ("a b", "is not allowed in an upstream version"),
        ("localhost@rpl:linux/1.0-x", "source count 'x'"),
        ("/a@b:c/", "ends with '/'"),
    ];
    for (text, fragment) in cases {
        assert_error(text, text.parse::<VersionSpec>(), fragment);
    }
}

#[test]
fn specs_match_versions() {
    let cases = [
        ("1.0", "/localhost@rpl:linux/1.0-1-1", true),
        ("1.0-1", "/localhost@rpl:linux/1.0-1-1", true),
        ("1.0-1-1", "/localhost@rpl:linux/1.0-1-1", true),
        ("1.0-1-2", "/localhost@rpl:linux/1.0-1-1", false),
        ("1.0-2", "/localhost@rpl:linux/1.0-1-1", false),
        ("2.0", "/localhost@rpl:linux/1.0-1-1", false),
        ("1.0-1", "/localhost@rpl:linux/1.0-1", true),
        (":linux", "/localhost@rpl:linux/1.0-1-1", true),
        (":branch", "/localhost@rpl:linux/1.0-1-1", false),
        ("localhost@", "/localhost@rpl:linux/1.0-1-1", true),
        ("other@", "/localhost@rpl:linux/1.0-1-1", false),
        ("@rpl:linux/1.0-1", "/localhost@rpl:linux/1.0-1-1", true),
        ("@rpl:linux/2.0", "/localhost@rpl:linux/1.0-1-1", false),
        (
            "localhost@rpl:linux",
            "/localhost@rpl:linux/1.0-1-0/branch/1",
            false,
        ),
        ("/localhost@rpl:linux", "/localhost@rpl:linux/1.0-1-1", true),
        (
            "/localhost@rpl:linux",
            "/localhost@rpl:linux//shadow/1.0-1-1",
            false,
        ),
        (
            "/localhost@rpl:linux/1.0-1-1",
            "/localhost@rpl:linux/1.0-1-1",
            true,
        ),
        (
            "/localhost@rpl:linux/1.0-1-0/branch/1",
            "/localhost@rpl:linux/1.0-1-0/branch/1.0-1-1",
            true,
        ),
        (
            ":branch/1",
            "/localhost@rpl:linux/1.0-1-0/branch/1-1-1",
            true,
        ),
    ];
    for (text, candidate, expected) in cases {
        assert_eq!(
            spec(text).matches(&version(candidate)),
            expected,
            "{text} vs {candidate}"
        );
    }
}

#[test]
fn label_specs() {
    let cases = [
        (":devel", LabelSpec::Tag("devel".to_owned())),
        (
            "@rpl:devel",
            LabelSpec::NamespaceTag {
                namespace: "rpl".to_owned(),
                tag: "devel".to_owned(),
            },
        ),
        ("host.com@", LabelSpec::Host("host.com".to_owned())),
        ("a@b:c", LabelSpec::Label(label("a@b:c"))),
    ];
    for (text, expected) in cases {
        let parsed: LabelSpec = text.parse().expect("valid label spec");
        assert_eq!(parsed, expected);
        assert_eq!(parsed.to_string(), text);
    }
}

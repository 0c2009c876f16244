//! Tests for names: trove names, their kinds and parts, and errors.

use conary_core::name::{NameError, STANDARD_COMPONENT_SUFFIXES, TroveKind, TroveName};
use proptest::prelude::*;

fn name(text: &str) -> TroveName {
    text.parse()
        .unwrap_or_else(|error| panic!("{text:?} should parse: {error}"))
}

/// (name, kind, package part, component suffix).
const NAME_CASES: &[(&str, TroveKind, &str, Option<&str>)] = &[
    ("gzip", TroveKind::Package, "gzip", None),
    (
        "gzip:runtime",
        TroveKind::Component,
        "gzip",
        Some("runtime"),
    ),
    ("gzip:doc", TroveKind::Component, "gzip", Some("doc")),
    ("gzip:source", TroveKind::Source, "gzip", Some("source")),
    ("libstdc++", TroveKind::Package, "libstdc++", None),
    (
        "libstdc++:devellib",
        TroveKind::Component,
        "libstdc++",
        Some("devellib"),
    ),
    ("python2.4", TroveKind::Package, "python2.4", None),
    (
        "perl-Foo-Bar:perl",
        TroveKind::Component,
        "perl-Foo-Bar",
        Some("perl"),
    ),
    ("gtk+:lib", TroveKind::Component, "gtk+", Some("lib")),
    ("_private", TroveKind::Package, "_private", None),
    ("3proxy", TroveKind::Package, "3proxy", None),
    (
        "foo:my_custom-comp",
        TroveKind::Component,
        "foo",
        Some("my_custom-comp"),
    ),
    ("group-dist", TroveKind::Group, "group-dist", None),
    (
        "group-dist:source",
        TroveKind::Source,
        "group-dist",
        Some("source"),
    ),
    ("fileset-base", TroveKind::Fileset, "fileset-base", None),
    (
        "fileset-base:source",
        TroveKind::Source,
        "fileset-base",
        Some("source"),
    ),
    ("factory-python", TroveKind::Factory, "factory-python", None),
    (
        "factory-python:source",
        TroveKind::Source,
        "factory-python",
        Some("source"),
    ),
    ("info-apache", TroveKind::Info, "info-apache", None),
    (
        "info-apache:user",
        TroveKind::Component,
        "info-apache",
        Some("user"),
    ),
    (
        "info-apache:group",
        TroveKind::Component,
        "info-apache",
        Some("group"),
    ),
    ("groupware", TroveKind::Package, "groupware", None),
    ("information", TroveKind::Package, "information", None),
    ("Group-dist", TroveKind::Package, "Group-dist", None),
];

#[test]
fn kinds_and_parts() {
    for &(text, kind, package, suffix) in NAME_CASES {
        let parsed = name(text);
        assert_eq!(parsed.to_string(), text);
        assert_eq!(parsed.as_str(), text);
        assert_eq!(parsed.kind(), kind, "{text}");
        assert_eq!(parsed.package().as_str(), package, "{text}");
        assert_eq!(parsed.package_str(), package, "{text}");
        assert_eq!(parsed.component_suffix(), suffix, "{text}");
        assert_eq!(parsed.is_component(), suffix.is_some(), "{text}");
        assert_eq!(parsed.package().kind() == kind, suffix.is_none(), "{text}");
    }
}

/// (name, is a collection) after the original's `troveIsCollection`.
const COLLECTION_CASES: &[(&str, bool)] = &[
    ("foo", true),
    ("group-foo", true),
    ("info-foo", true),
    ("factory-foo", true),
    ("fileset-foo", false),
    ("foo:runtime", false),
    ("foo:source", false),
    ("group-foo:source", false),
];

#[test]
fn collections() {
    for &(text, expected) in COLLECTION_CASES {
        assert_eq!(name(text).is_collection(), expected, "{text}");
    }
    assert!(name("foo:source").is_source());
    assert!(!name("foo:runtime").is_source());
}

/// (text, exact error message).
const ERROR_CASES: &[(&str, &str)] = &[
    ("", "invalid trove name '': empty name"),
    ("foo:", "invalid trove name 'foo:': empty component suffix"),
    (
        ":runtime",
        "invalid trove name ':runtime': empty package name",
    ),
    (":", "invalid trove name ':': empty package name"),
    ("a:b:c", "invalid trove name 'a:b:c': more than one ':'"),
    (
        "foo bar",
        "invalid trove name 'foo bar': character ' ' not allowed in package name",
    ),
    (
        "foo/bar",
        "invalid trove name 'foo/bar': character '/' not allowed in package name",
    ),
    (
        "foo=1.0",
        "invalid trove name 'foo=1.0': character '=' not allowed in package name",
    ),
    (
        "foo[ssl]",
        "invalid trove name 'foo[ssl]': character '[' not allowed in package name",
    ),
    (
        "!foo",
        "invalid trove name '!foo': character '!' not allowed in package name",
    ),
    (
        "~foo",
        "invalid trove name '~foo': character '~' not allowed in package name",
    ),
    (
        "foo,bar",
        "invalid trove name 'foo,bar': character ',' not allowed in package name",
    ),
    (
        "foo(x)",
        "invalid trove name 'foo(x)': character '(' not allowed in package name",
    ),
    (
        "foo:run.time",
        "invalid trove name 'foo:run.time': character '.' not allowed in component suffix",
    ),
    (
        "foo:runtime+",
        "invalid trove name 'foo:runtime+': character '+' not allowed in component suffix",
    ),
    (
        "föö",
        "invalid trove name 'föö': character 'ö' not allowed in package name",
    ),
    (
        "-foo",
        "invalid trove name '-foo': must start with a letter, a digit or '_'",
    ),
    (
        "+foo",
        "invalid trove name '+foo': must start with a letter, a digit or '_'",
    ),
    (
        ".foo",
        "invalid trove name '.foo': must start with a letter, a digit or '_'",
    ),
    (
        "group-",
        "invalid trove name 'group-': nothing after the reserved prefix 'group-'",
    ),
    (
        "fileset-:source",
        "invalid trove name 'fileset-:source': nothing after the reserved prefix 'fileset-'",
    ),
    (
        "info-",
        "invalid trove name 'info-': nothing after the reserved prefix 'info-'",
    ),
    (
        "factory-",
        "invalid trove name 'factory-': nothing after the reserved prefix 'factory-'",
    ),
];

#[test]
fn errors() {
    for &(text, message) in ERROR_CASES {
        let error: NameError = text.parse::<TroveName>().expect_err(text);
        assert_eq!(error.to_string(), message, "{text:?}");
    }
}

#[test]
fn building_names() {
    let package = name("gzip");
    assert_eq!(
        package.with_component("runtime").expect("valid").as_str(),
        "gzip:runtime"
    );
    assert_eq!(
        name("gzip:doc")
            .with_component("devel")
            .expect("valid")
            .as_str(),
        "gzip:devel"
    );
    assert_eq!(name("gzip:doc").source().as_str(), "gzip:source");
    assert!(package.with_component("").is_err());
    assert!(package.with_component("a:b").is_err());
}

#[test]
fn standard_suffixes() {
    for suffix in [
        "runtime",
        "lib",
        "devel",
        "devellib",
        "doc",
        "docs",
        "config",
        "data",
        "locale",
        "python",
        "perl",
        "debuginfo",
        "test",
        "source",
    ] {
        assert!(STANDARD_COMPONENT_SUFFIXES.contains(&suffix), "{suffix}");
        let component = name(&format!("foo:{suffix}"));
        assert!(component.has_standard_suffix(), "{suffix}");
    }
    for suffix in STANDARD_COMPONENT_SUFFIXES {
        assert!(format!("foo:{suffix}").parse::<TroveName>().is_ok());
    }
    assert!(!name("foo:mine").has_standard_suffix());
    assert!(!name("foo").has_standard_suffix());
}

#[test]
fn kind_names() {
    let cases = [
        (TroveKind::Package, "package"),
        (TroveKind::Component, "component"),
        (TroveKind::Source, "source"),
        (TroveKind::Group, "group"),
        (TroveKind::Fileset, "fileset"),
        (TroveKind::Factory, "factory"),
        (TroveKind::Info, "info"),
    ];
    for (kind, text) in cases {
        assert_eq!(kind.to_string(), text);
    }
}

#[test]
fn names_sort_as_text() {
    let mut names = [name("foo:runtime"), name("bar"), name("foo")];
    names.sort();
    let sorted: Vec<&str> = names.iter().map(TroveName::as_str).collect();
    assert_eq!(sorted, ["bar", "foo", "foo:runtime"]);
}

proptest! {
    #[test]
    fn format_then_parse_is_identity(
        text in "[A-Za-z0-9_][A-Za-z0-9._+-]{0,12}(:[A-Za-z0-9_-]{1,8})?"
    ) {
        if let Ok(parsed) = text.parse::<TroveName>() {
            let reparsed: TroveName = parsed.to_string().parse().expect("reparse");
            prop_assert_eq!(&reparsed, &parsed);
            prop_assert!(!parsed.package().is_component());
        }
    }

    #[test]
    fn parse_never_panics(text in "\\PC{0,40}") {
        if let Ok(parsed) = text.parse::<TroveName>() {
            prop_assert_eq!(parsed.to_string(), text);
            let _ = parsed.kind();
            let _ = parsed.source();
        }
    }
}

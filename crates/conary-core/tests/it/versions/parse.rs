//! Parsing and formatting: labels, serial numbers, timestamps, revisions,
//! branches, versions and their frozen forms.

use conary_core::version::{
    Branch, Label, Revision, SerialNumber, Timestamp, Version, VersionError,
};

use super::{assert_error, label, revision, version};

#[test]
fn valid_labels() {
    let cases = [
        (
            "conary.rpath.com@rpl:devel",
            "conary.rpath.com",
            "rpl",
            "devel",
        ),
        ("this@nm:that", "this", "nm", "that"),
        ("@rpl:devel", "", "rpl", "devel"),
        ("localhost@rpl:linux", "localhost", "rpl", "linux"),
        ("local@local:LOCAL", "local", "local", "LOCAL"),
        (
            "my-host.example.com@ns-1:tag_2.0",
            "my-host.example.com",
            "ns-1",
            "tag_2.0",
        ),
        ("h@n:1-devel", "h", "n", "1-devel"),
    ];
    for (text, host, namespace, tag) in cases {
        let parsed = label(text);
        assert_eq!(
            (parsed.host(), parsed.namespace(), parsed.tag()),
            (host, namespace, tag),
            "{text}"
        );
        assert_eq!(parsed.to_string(), text);
        assert_eq!(Label::new(host, namespace, tag).as_ref(), Ok(&parsed));
    }
}

#[test]
fn invalid_labels() {
    let cases = [
        ("1.2-1", "missing 'host@namespace:' before tag"),
        ("bang", "missing 'host@namespace:' before tag"),
        ("foo@bar@bang", "more than one '@'"),
        ("foo@bar@bang:bash", "more than one '@'"),
        ("foo:bar@bang", "'@' must come before ':'"),
        (
            "foo@bar",
            "invalid label 'foo@bar': missing ':' after namespace",
        ),
        ("bar@bang", "missing ':' after namespace"),
        ("foo:bang", "missing '@' before namespace"),
        ("foo@bar:ba:ng", "more than one ':'"),
        ("1/2@foo:bar", "'/' is not allowed"),
        ("1'2@foo:bar", "''' is not allowed"),
        ("1\"2@foo:bar", "'\"' is not allowed"),
        ("1\\2@foo:bar", "'\\' is not allowed"),
        ("1(2@foo:bar", "'(' is not allowed"),
        ("1)2@foo:bar", "')' is not allowed"),
        ("1[2@foo:bar", "'[' is not allowed"),
        ("1]2@foo:bar", "']' is not allowed"),
        ("foo=bar@bang:baz", "'=' is not allowed"),
        ("foo@bar:", "empty tag"),
        ("foo@:bar", "empty namespace"),
        ("", "empty label"),
        ("a b@c:d", "is not allowed"),
        ("a@c:d\n", "is not allowed"),
    ];
    for (text, fragment) in cases {
        assert_error(text, text.parse::<Label>(), fragment);
    }
    assert_error("new", Label::new("h", "", "t"), "empty namespace");
    assert_error(
        "new",
        Label::new("h", "n:x", "t"),
        "only allowed as separators",
    );
}

#[test]
fn labels_relative_to_a_template() {
    let cases = [
        ("a@b:c", "d", "a@b:d"),
        ("a@b:c", "x:y", "a@x:y"),
        ("a@b:c", "h@x:y", "h@x:y"),
        ("a@b:c", "@x:y", "@x:y"),
        ("a@b:c", "1.0-2", "a@b:1.0-2"),
    ];
    for (template, text, expected) in cases {
        let parsed = Label::parse_relative(text, &label(template));
        assert_eq!(
            parsed.map(|l| l.to_string()),
            Ok(expected.to_owned()),
            "{text}"
        );
    }
    assert_error(
        "bar@bang",
        Label::parse_relative("bar@bang", &label("a@b:c")),
        "missing ':'",
    );
}

#[test]
fn serial_numbers() {
    let valid = [
        ("1", vec![1]),
        ("3.1", vec![3, 1]),
        ("0.1", vec![0, 1]),
        ("1.0.1", vec![1, 0, 1]),
    ];
    for (text, counts) in valid {
        let parsed: SerialNumber = text.parse().expect("valid count");
        assert_eq!(parsed.counts(), counts.as_slice());
        assert_eq!(parsed.shadow_count(), counts.len() - 1);
        assert_eq!(parsed.to_string(), text);
    }
    let invalid = [
        ("", "empty count"),
        ("1..2", "empty part"),
        ("1.", "empty part"),
        ("a", "numbers separated by dots"),
        ("+1", "numbers separated by dots"),
        ("99999999999999999999", "too large"),
    ];
    for (text, fragment) in invalid {
        assert_error(text, text.parse::<SerialNumber>(), fragment);
    }
    assert!("0".parse::<SerialNumber>().expect("valid").is_zero());
    assert!(!"1".parse::<SerialNumber>().expect("valid").is_zero());
    assert_eq!(SerialNumber::new(Vec::new()), None);
}

#[test]
fn timestamps() {
    let valid = [
        ("15", 15_000),
        ("15.000", 15_000),
        ("1.5", 1_500),
        ("123.0", 123_000),
        ("1234567890.123", 1_234_567_890_123),
        ("1.2345", 1_235),
        ("1.0004", 1_000),
    ];
    for (text, millis) in valid {
        let parsed: Timestamp = text.parse().expect("valid timestamp");
        assert_eq!(parsed.as_millis(), millis, "{text}");
    }
    assert_eq!(Timestamp::from_millis(1_500).to_string(), "1.500");
    assert_eq!(
        Timestamp::from_secs(15).map(|t| t.to_string()),
        Some("15.000".to_owned())
    );
    let invalid = [
        ("", "expected seconds"),
        ("-1", "expected seconds"),
        ("1e9", "expected seconds"),
        ("1.", "missing digits"),
        ("1.x", "fraction must be digits"),
        ("99999999999999999999", "too large"),
    ];
    for (text, fragment) in invalid {
        assert_error(text, text.parse::<Timestamp>(), fragment);
    }
}

#[test]
fn valid_revisions() {
    let cases = [
        ("1.2a-3", "1.2a", "3", None),
        (".2a-3", ".2a", "3", None),
        ("a(b)-1", "a(b)", "1", None),
        ("1.2-2.1", "1.2", "2.1", None),
        ("1.2-2.1-3.4", "1.2", "2.1", Some("3.4")),
        ("2.2.3-4-2", "2.2.3", "4", Some("2")),
        ("1,2;3+4~5_6-1", "1,2;3+4~5_6", "1", None),
    ];
    for (text, upstream, source, build) in cases {
        let parsed = revision(text);
        assert_eq!(parsed.upstream(), upstream, "{text}");
        assert_eq!(parsed.source_count().to_string(), source, "{text}");
        assert_eq!(
            parsed.build_count().map(|b| b.to_string()).as_deref(),
            build,
            "{text}"
        );
        assert_eq!(parsed.is_source(), build.is_none());
        assert_eq!(parsed.to_string(), text);
    }
}

#[test]
fn invalid_revisions() {
    let cases = [
        ("-", "invalid revision '-': empty upstream version"),
        ("1-abc", "source count 'abc'"),
        ("1-3:4", "source count '3:4'"),
        ("1@2", "'@' is not allowed in an upstream version"),
        ("12", "missing source count"),
        ("1-2.a", "source count '2.a'"),
        ("1-0-1-1", "too many '-' characters"),
        ("1.0-1-", "build count ''"),
        ("", "empty revision"),
        ("1 0-1", "is not allowed in an upstream version"),
        ("1.0-99999999999999999999", "too large"),
    ];
    for (text, fragment) in cases {
        assert_error(text, text.parse::<Revision>(), fragment);
    }
    // Every character outside [A-Za-z0-9()+,.;_~] is refused.
    let mut refused: Vec<char> = "!\"#$%&'*-/:<=>?@[]^`{|}\\".chars().collect();
    refused.extend((0u8..0x20).map(char::from));
    refused.extend(['\u{7f}', 'é', '\u{a0}', '€']);
    for c in refused {
        let text = format!("1{c}-1");
        assert!(
            text.parse::<Revision>().is_err(),
            "{text:?} should be refused"
        );
    }
}

#[test]
fn revisions_relative_to_a_template() {
    let cases = [
        ("1.2-3-1", "4", "1.2-3-4"),
        ("1.2-3-1", "4-2", "1.2-4-2"),
        ("1.2-3-1", "2.0-1-1", "2.0-1-1"),
        ("1.2-3", "4", "1.2-4"),
        ("1.2-3", "1.3-4", "1.3-4"),
        ("1.2-3", "1.3-4-5", "1.3-4-5"),
    ];
    for (template, text, expected) in cases {
        let parsed = Revision::parse_relative(text, &revision(template));
        assert_eq!(
            parsed.map(|r| r.to_string()),
            Ok(expected.to_owned()),
            "{text}"
        );
    }
    assert_error(
        "1.2a",
        Revision::parse_relative("1.2a", &revision("1-1")),
        "source count",
    );
}

/// Full or abbreviated input and the canonical (abbreviated) text.
#[test]
fn versions_parse_and_print_abbreviated() {
    let cases = [
        (
            "/foo.com@spc:trunk/1.2-3/foo.com@spc:linux/1.2-4",
            "/foo.com@spc:trunk/1.2-3/linux/4",
        ),
        (
            "/foo.com@spc:trunk/1.2-3/foo.com@spc:linux/1.3-4",
            "/foo.com@spc:trunk/1.2-3/linux/1.3-4",
        ),
        (
            "/foo.com@spc:trunk/1.2-3/foo.com@new:linux/1.3-4",
            "/foo.com@spc:trunk/1.2-3/new:linux/1.3-4",
        ),
        (
            "/foo.com@spc:trunk/1.2-3/bar.com@spc:linux/1.2-4",
            "/foo.com@spc:trunk/1.2-3/bar.com@spc:linux/4",
        ),
        (
            "/foo.com@spc:trunk/1.2-3-1/bar.com@spc:linux/1.2-4-2",
            "/foo.com@spc:trunk/1.2-3-1/bar.com@spc:linux/4-2",
        ),
        (
            "/foo.com@spc:trunk/1.2-3-1/bar.com@spc:linux/1.2-3-4",
            "/foo.com@spc:trunk/1.2-3-1/bar.com@spc:linux/4",
        ),
        (
            "/foo@spc:linux//foo@spc:shadow/1.1-2-3",
            "/foo@spc:linux//shadow/1.1-2-3",
        ),
        (
            "/foo@spc:linux//foo@spc:shadow/1.1-2-3.1",
            "/foo@spc:linux//shadow/1.1-2-3.1",
        ),
        (
            "/foo@spc:linux//shadow/1-1.2",
            "/foo@spc:linux//shadow/1-1.2",
        ),
        (
            "/foo@spc:linux//shadow/1-1-1.2",
            "/foo@spc:linux//shadow/1-1-1.2",
        ),
        (
            "/foo@spc:linux//shadow/1-1-1/branch//shadow2/1.1",
            "/foo@spc:linux//shadow/1-1-1/branch//shadow2/1.1",
        ),
        (
            "/foo@spc:linux//shadow/1-1-1/branch//shadow2//shadow3/1.1.1",
            "/foo@spc:linux//shadow/1-1-1/branch//shadow2//shadow3/1.1.1",
        ),
        (
            "/localhost@rpl:linux/1.0-1-0/local@local:EMERGE/1/COOK/2",
            "/localhost@rpl:linux/1.0-1-0/local@local:EMERGE/1/COOK/2",
        ),
        ("/@rpl:devel/1.0-1", "/@rpl:devel/1.0-1"),
        ("/a@b:c/1.0-01", "/a@b:c/1.0-1"),
    ];
    for (input, printed) in cases {
        let parsed = version(input);
        assert_eq!(parsed.to_string(), printed, "{input}");
        assert_eq!(version(printed), parsed, "{printed}");
    }
}

#[test]
fn branches_parse_and_print_abbreviated() {
    let cases = [
        (
            "/foo@spc:linux//bar@rpl:shadow",
            "/foo@spc:linux//bar@rpl:shadow",
        ),
        ("/foo@spc:linux//foo@spc:shadow", "/foo@spc:linux//shadow"),
        (
            "/foo@spc:linux//foo@abc:shadow",
            "/foo@spc:linux//abc:shadow",
        ),
        (
            "/foo@spc:linux//foo@spc:shadow/1.1-2-3/foo@spc:bar",
            "/foo@spc:linux//shadow/1.1-2-3/bar",
        ),
        ("/a@b:c/1.0-1/1.0-2", "/a@b:c/1.0-1/1.0-2"),
    ];
    for (input, printed) in cases {
        let parsed: Branch = input.parse().expect("valid branch");
        assert_eq!(parsed.to_string(), printed, "{input}");
    }
    // A bare label-like part after a revision is the tag of the previous label.
    let odd: Branch = "/a@b:c/1.0-1/1.0-2".parse().expect("valid branch");
    assert_eq!(odd.label().to_string(), "a@b:1.0-2");
}

#[test]
fn invalid_versions() {
    let cases = [
        ("0.50.1", "a full version must start with '/'"),
        ("", "must start with '/'"),
        ("/", "empty label"),
        ("//a@b:c/1.0-1", "empty label"),
        ("/a@b:c/", "ends with '/'"),
        (
            "/a@b:c/1.0-1.1",
            "too many shadow serial numbers in '1.0-1.1'",
        ),
        (
            "/foo@spc:linux//shadow/1-1.2.3",
            "too many shadow serial numbers",
        ),
        (
            "/foo@spc:linux//shadow/1-1-1.2.3",
            "too many shadow serial numbers",
        ),
        (
            "/foo@spc:linux//shadow/1-1-1/branch/1.1",
            "too many shadow serial numbers",
        ),
        (
            "/foo@spc:linux//shadow/1-1-1/branch//shadow2/1.1.1",
            "too many shadow serial numbers",
        ),
        (
            "/foo@spc:linux//shadow/1-1-1/branch//shadow2//shadow3/1.1.1.1",
            "too many shadow serial numbers",
        ),
        (
            "/foo@bar/1.0-1",
            "invalid label 'foo@bar': missing ':' after namespace",
        ),
        ("/a@b:c/1.0-1//d", "empty label"),
        ("/a@b:c/1.0", "missing source count"),
        ("/a@b:c", "ends with a label"),
        ("/a@b:c/1.0-1/d/1.0-1-1-1", "too many '-'"),
        ("/a@b:c/1.0-1/x:y:z", "more than one ':'"),
        ("/a@b:c/1.0-1-1/d/1.0-2", "too many shadow serial numbers"),
    ];
    for (text, fragment) in cases {
        assert_error(text, text.parse::<Version>(), fragment);
    }
    assert_error(
        "/a@b:c/1.0-1",
        "/a@b:c/1.0-1".parse::<Branch>(),
        "ends with a revision",
    );
    let nested = "/foo@bar/1.0-1".parse::<Version>();
    assert!(matches!(
        nested,
        Err(VersionError::InvalidVersionPart { .. })
    ));
}

#[test]
fn frozen_versions() {
    let cases = [
        (
            "/foo.com@spc:bar/1.000:1.2-3/bang.com@spc:branch/10.000:2.4-5",
            "/foo.com@spc:bar/1.000:1.2-3/bang.com@spc:branch/10.000:2.4-5",
            vec![1_000, 10_000],
        ),
        (
            "/foo.com@spc:bar/1:1.2-3/bang.com@spc:branch/2:2.4-5",
            "/foo.com@spc:bar/1.000:1.2-3/bang.com@spc:branch/2.000:2.4-5",
            vec![1_000, 2_000],
        ),
        (
            "/a@b:c/1234567890.123:1.0-1-1",
            "/a@b:c/1234567890.123:1.0-1-1",
            vec![1_234_567_890_123],
        ),
        (
            "/foo.com@spec:bar/10:1.2-3",
            "/foo.com@spec:bar/10.000:1.2-3",
            vec![10_000],
        ),
        (
            "/foo@spc:linux//shadow/5:1-1-1/branch//shadow2/6:1.1",
            "/foo@spc:linux//shadow/5.000:1-1-1/branch//shadow2/6.000:1.1",
            vec![5_000, 6_000],
        ),
    ];
    for (input, frozen, millis) in cases {
        let thawed = Version::thaw(input).expect("valid frozen version");
        assert_eq!(thawed.freeze(), frozen, "{input}");
        let stamps: Vec<Option<u64>> = thawed
            .timestamps()
            .iter()
            .map(|t| t.map(Timestamp::as_millis))
            .collect();
        let expected: Vec<Option<u64>> = millis.into_iter().map(Some).collect();
        assert_eq!(stamps, expected, "{input}");
    }
    // No timestamp freezes as 0.000, which thaws to no timestamp.
    let plain = version("/a@b:c/1.0-1");
    assert_eq!(plain.freeze(), "/a@b:c/0.000:1.0-1");
    assert_eq!(
        Version::thaw(&plain.freeze()).expect("valid").timestamp(),
        None
    );
    // Branches freeze their branch points.
    let frozen_branch = "/foo.com@spc:bar/1.000:1.2-3/bang.com@spc:branch";
    let thawed = Branch::thaw(frozen_branch).expect("valid frozen branch");
    assert_eq!(thawed.freeze(), frozen_branch);
    assert_eq!(
        thawed.to_string(),
        "/foo.com@spc:bar/1.2-3/bang.com@spc:branch"
    );
    assert_error(
        "/a@b:c/1.0-1",
        Version::thaw("/a@b:c/1.0-1"),
        "missing 'TIMESTAMP:'",
    );
    assert_error(
        "/a@b:c/x:1.0-1",
        Version::thaw("/a@b:c/x:1.0-1"),
        "invalid timestamp 'x'",
    );
    let rev = Revision::thaw("15:1.2a-2").expect("valid");
    assert_eq!(rev.timestamp().map(Timestamp::as_millis), Some(15_000));
    assert_eq!(rev.to_string(), "1.2a-2");
    assert_eq!(rev.freeze(), "15.000:1.2a-2");
}

#[test]
fn timestamps_set_on_every_revision() {
    let cases = [
        ("/a@b:c/1.0-1", vec![123], "/a@b:c/123.000:1.0-1"),
        (
            "/a@b:c/1.0-1/d//e/1.2-3",
            vec![123, 456],
            "/a@b:c/123.000:1.0-1/d//e/456.000:1.2-3",
        ),
        ("/a@b:c//d/1.0-1.1", vec![7], "/a@b:c//d/7.000:1.0-1.1"),
    ];
    for (text, secs, frozen) in cases {
        let stamps: Vec<Timestamp> = secs
            .iter()
            .filter_map(|s| Timestamp::from_secs(*s))
            .collect();
        let stamped = version(text).with_timestamps(&stamps).expect("right count");
        assert_eq!(stamped.freeze(), frozen);
        assert_eq!(
            stamped.without_timestamps().freeze(),
            version(text).freeze()
        );
    }
    let one = [Timestamp::from_millis(1)];
    assert_error(
        "two revisions",
        version("/a@b:c/1.0-1/d/2").with_timestamps(&one),
        "has 2 revisions but 1 timestamps",
    );
}

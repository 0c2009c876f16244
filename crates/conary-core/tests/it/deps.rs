//! Tests for deps: the text form of each class, errors, sets, satisfaction,
//! the frozen form and Debian versions. Cases follow the original's
//! `conary_test/depstest/depstest.py` where it has them.

use std::cmp::Ordering;

use conary_core::deps::{
    DebConstraint, DebRelation, DebVersion, DepClass, DepError, Dependency, DependencySet,
};
use proptest::prelude::*;

fn set(text: &str) -> DependencySet {
    text.parse()
        .unwrap_or_else(|error| panic!("{text:?} should parse: {error}"))
}

fn dep(text: &str) -> Dependency {
    text.parse()
        .unwrap_or_else(|error| panic!("{text:?} should parse: {error}"))
}

/// (input, canonical text): parsing then printing gives the canonical text.
const PARSE_CASES: &[(&str, &str)] = &[
    (
        "soname: ELF32/libstdc++.so.5(GLIBC_2.0 SysV x86)",
        "soname: ELF32/libstdc++.so.5(GLIBC_2.0 SysV x86)",
    ),
    (
        "soname: ELF64/libc.so.6(GLIBC_2.34 SysV x86_64)",
        "soname: ELF64/libc.so.6(GLIBC_2.34 SysV x86_64)",
    ),
    (
        "soname: ELF64/usr/lib64/foo/libbar.so(SysV x86_64)",
        "soname: ELF64/usr/lib64/foo/libbar.so(SysV x86_64)",
    ),
    ("file: /bin/bash", "file: /bin/bash"),
    ("file: /bin/sh", "file: /bin/sh"),
    ("file:/usr/lib/a,b@c", "file: /usr/lib/a,b@c"),
    ("trove: bash", "trove: bash"),
    ("trove: libstdc++", "trove: libstdc++"),
    ("trove: bash:test", "trove: bash:test"),
    ("trove: foo:runtime", "trove: foo:runtime"),
    (
        "trove: sqlite:runtime(threadsafe addcolumn)",
        "trove: sqlite:runtime(addcolumn threadsafe)",
    ),
    ("trove: bash:test()", "trove: bash:test"),
    ("userinfo: apache", "userinfo: apache"),
    ("groupinfo: apache", "groupinfo: apache"),
    (
        "CIL: System.EnterpriseServices(1.0.5000.0 2.0.3600.0)",
        "CIL: System.EnterpriseServices(1.0.5000.0 2.0.3600.0)",
    ),
    ("abi: ELF32(SysV  x86)", "abi: ELF32(SysV x86)"),
    ("abi: ELF32 ( SysV x86 )", "abi: ELF32(SysV x86)"),
    (
        "abi:   ELF32(SysV  x86)  trove:  sqlite:runtime",
        "abi: ELF32(SysV x86)\ntrove: sqlite:runtime",
    ),
    ("perl: LWP", "perl: LWP"),
    ("perl: Foo::Bar", "perl: Foo::Bar"),
    (
        "perl: File::Glob::More::Globs",
        "perl: File::Glob::More::Globs",
    ),
    ("perl: bits::a.out", "perl: bits::a.out"),
    ("python: os(2.7 lib64)", "python: os(2.7 lib64)"),
    ("python: os.path", "python: os.path"),
    ("python: os(lib64 2.7 lib64)", "python: os(2.7 lib64)"),
    ("java: org.foo.Bar", "java: org.foo.Bar"),
    (
        "java: sun.util.calendar.Gregorian",
        "java: sun.util.calendar.Gregorian",
    ),
    ("ruby: digest/md5(1.8)", "ruby: digest/md5(1.8)"),
    ("php: pear(5.3)", "php: pear(5.3)"),
    ("rpm: libc.so.6", "rpm: libc.so.6"),
    ("rpm: libc.so.6(ABC DEF)", "rpm: libc.so.6(ABC DEF)"),
    ("rpm: foo[something](flag)", "rpm: foo[something](flag)"),
    ("rpm: foo(:flag)", "rpm: foo(:flag)"),
    ("rpmlib: PayloadIsXz(5.2-1)", "rpmlib: PayloadIsXz(5.2-1)"),
    ("deb: libc6(>=2.34)", "deb: libc6(>=2.34)"),
    ("deb: foo(<<2.0 >=1.0)", "deb: foo(<<2.0 >=1.0)"),
    ("deb: python3:any", "deb: python3:any"),
    ("deb: libc6(=1:2.36-9~rc1)", "deb: libc6(=1:2.36-9~rc1)"),
    ("unknown-65535: some(flag1)", "unknown-65535: some(flag1)"),
    (
        "trove: b file: /bin/sh trove: a",
        "file: /bin/sh\ntrove: a\ntrove: b",
    ),
    (
        "file: /bin/sh\ntrove: foo:runtime\n",
        "file: /bin/sh\ntrove: foo:runtime",
    ),
    ("\t python: os(a)\n\npython: os(b) ", "python: os(a b)"),
    ("", ""),
    ("   \n ", ""),
];

#[test]
fn parse_and_format() {
    for &(input, canonical) in PARSE_CASES {
        let parsed = set(input);
        assert_eq!(parsed.to_string(), canonical, "{input:?}");
        assert_eq!(set(canonical), parsed, "{canonical:?} reparses");
    }
}

/// (input, fragment of the error message).
const ERROR_CASES: &[(&str, &str)] = &[
    (
        "foo: ELF32/libstdc++.so.5(GLIBC_2.0 SysV x86)",
        "unknown dependency class 'foo'",
    ),
    (
        "soname: ELF32/libstdc!!(GLIBC_2.0 SysV x86)",
        "character '!' not allowed",
    ),
    (
        "soname: ELF32/libstdc(GLIBC_2.0,SysV,x86)",
        "invalid flag 'GLIBC_2.0,SysV,x86'",
    ),
    ("soname: libc.so.6(SysV)", "missing ABI"),
    ("soname: ELF64/libc.so.6", "flags required"),
    ("soname: ELF64/libc.so.6()", "flags required"),
    ("trove: test:runtime trove: test:", "empty component suffix"),
    ("CIL: System.EnterpriseServices", "flags required"),
    ("CIL: System.EnterpriseServices()", "flags required"),
    ("CIL: System.Xml(1.0a)", "invalid flag '1.0a'"),
    (
        "trove: test:runtime+",
        "'+' not allowed in component suffix",
    ),
    ("trove: foo(:flag)", "invalid flag ':flag'"),
    ("trove: foo[something](flag)", "'[' not allowed"),
    ("groupinfo: apache(flag)", "flags not allowed"),
    ("groupinfo: apache()", "flags not allowed"),
    ("userinfo: apache(x)", "flags not allowed"),
    ("file: /bin/sh(x)", "flags not allowed"),
    ("file: bin/sh", "not an absolute path"),
    ("file: /usr//bin", "empty path component"),
    ("file: /usr/../bin", "path component '..' not allowed"),
    ("file: /", "empty path component"),
    ("use: foo", "'use:' is a flavor class"),
    ("is: x86", "'is:' is a flavor class"),
    ("target: x86", "'target:' is a flavor class"),
    (
        "oldsoname: ELF32/libfoo.so.5",
        "'oldsoname:' is a flavor class",
    ),
    ("perl: File:SingleColon", "character ':' not allowed"),
    (
        "perl: File::DoubleColon:SingleColon",
        "character ':' not allowed",
    ),
    (
        "perl: File:SingleColon::DoubleColon",
        "character ':' not allowed",
    ),
    ("perl: File::", "empty part"),
    ("abi: ELF32", "flags required"),
    ("trove foo", "missing ':' after the class"),
    (": foo", "missing class before ':'"),
    ("trove:", "missing name after the class"),
    ("trove: foo(a", "missing ')'"),
    ("trove: foo(a)b", "expected white space after ')'"),
    ("trove: foo(a(b)", "'(' inside the flags"),
    (
        "unknown-6: foo",
        "class 'unknown-6' is known, write 'soname:'",
    ),
    ("unknown-06: foo", "unknown dependency class 'unknown-06'"),
    ("deb: libc6(>= 2.34)", "invalid flag '2.34'"),
    ("deb: libc6(>2.34)", "'<' and '>' are ambiguous"),
    ("deb: libc6(2.34)", "expected '<<', '<=', '=', '>=' or '>>'"),
    ("deb: libc6(>=abc)", "does not start with a digit"),
    ("deb: Libc6", "must start with a lowercase letter"),
    ("deb: a", "shorter than two characters"),
    ("deb: foo(=1.0-)", "empty revision"),
    ("deb: foo(=x:1.0)", "epoch is not a number"),
    ("python: os(a|b)", "character '|' not allowed"),
];

#[test]
fn parse_errors() {
    for &(input, fragment) in ERROR_CASES {
        let error = input.parse::<DependencySet>().expect_err(input).to_string();
        assert!(
            error.contains(fragment),
            "{input:?}: {error:?} lacks {fragment:?}"
        );
    }
}

#[test]
fn error_messages_name_the_text() {
    let cases = [
        (
            "trove: foo:",
            "invalid trove dependency 'trove: foo:': invalid trove name 'foo:': empty component suffix",
        ),
        (
            "groupinfo: apache(flag)",
            "invalid groupinfo dependency 'groupinfo: apache(flag)': flags not allowed",
        ),
        (
            "file: /bin/sh bogus: x",
            "invalid dependency 'bogus: x': unknown dependency class 'bogus'",
        ),
    ];
    for (input, message) in cases {
        let error = input.parse::<DependencySet>().expect_err(input);
        assert_eq!(error.to_string(), message);
    }
}

#[test]
fn single_dependency() {
    let dependency = dep("trove: foo:runtime(ssl)");
    assert_eq!(dependency.class(), DepClass::Trove);
    assert_eq!(dependency.name(), "foo:runtime");
    assert!(dependency.has_flag("ssl"));
    let error = "file: /a file: /b"
        .parse::<Dependency>()
        .expect_err("two dependencies");
    assert!(matches!(error, DepError::NotOneDependency { count: 2, .. }));
    assert!("".parse::<Dependency>().is_err());
}

#[test]
fn new_checks_like_the_text_form() {
    let built = Dependency::new(DepClass::Python, "os", ["lib64", "2.7"]).expect("valid");
    assert_eq!(built, dep("python: os(2.7 lib64)"));
    let no_flags: [&str; 0] = [];
    assert!(Dependency::new(DepClass::Soname, "ELF64/libc.so.6", no_flags).is_err());
    assert!(Dependency::new(DepClass::File, "/bin/sh", ["x"]).is_err());
    assert!(Dependency::new(DepClass::Trove, "foo:", no_flags).is_err());
}

#[test]
fn classes() {
    for &class in DepClass::known() {
        let tag = class.to_string();
        assert_eq!(tag.parse::<DepClass>().expect("known tag"), class);
        assert_eq!(DepClass::from_id(class.id()), class);
    }
    assert_eq!(DepClass::Cil.to_string(), "CIL");
    assert!(matches!(DepClass::from_id(1), DepClass::Unknown(_)));
    assert!(matches!(DepClass::from_id(18), DepClass::Unknown(_)));
    assert!(DepClass::Abi < DepClass::File);
    assert!(DepClass::File < DepClass::Trove);
    assert!(DepClass::Trove < DepClass::Soname);
    assert!(DepClass::RpmLib < DepClass::Deb);
    assert!(DepClass::Deb < DepClass::from_id(65535));
}

/// (provides, requires, satisfied).
const SATISFY_CASES: &[(&str, &str, bool)] = &[
    ("file: /bin/sh", "file: /bin/sh", true),
    ("file: /bin/sh", "file: /bin/bash", false),
    ("trove: foo:runtime", "trove: foo:runtime", true),
    ("trove: foo:runtime(ssl)", "trove: foo:runtime", true),
    ("trove: foo:runtime", "trove: foo:runtime(ssl)", false),
    ("trove: foo:runtime", "trove: foo:lib", false),
    (
        "soname: ELF64/libc.so.6(GLIBC_2.2.5 GLIBC_2.34 SysV x86_64)",
        "soname: ELF64/libc.so.6(GLIBC_2.34 SysV x86_64)",
        true,
    ),
    (
        "soname: ELF64/libc.so.6(GLIBC_2.2.5 SysV x86_64)",
        "soname: ELF64/libc.so.6(GLIBC_2.34 SysV x86_64)",
        false,
    ),
    (
        "soname: ELF32/libc.so.6(GLIBC_2.34 SysV x86)",
        "soname: ELF64/libc.so.6(GLIBC_2.34 SysV x86_64)",
        false,
    ),
    ("python: os(2.7 lib64)", "python: os(2.7)", true),
    ("python: os(2.7)", "python: os(2.7 lib64)", false),
    ("perl: Foo::Bar", "perl: Foo::Bar", true),
    ("perl: Foo::Bar", "python: Foo", false),
    ("userinfo: apache", "userinfo: apache", true),
    ("userinfo: apache", "groupinfo: apache", false),
    ("CIL: System(1.0 2.0)", "CIL: System(2.0)", true),
    ("java: org.foo.Bar", "java: org.foo.Bar", true),
    ("ruby: digest", "ruby: digest", true),
    ("php: pear", "php: pear", true),
    ("rpm: foo[bar](a b)", "rpm: foo[bar](a)", true),
    ("rpmlib: PayloadIsXz", "rpmlib: PayloadIsXz", true),
    ("abi: ELF64(SysV x86_64)", "abi: ELF64(SysV)", true),
    ("unknown-99: x(a b)", "unknown-99: x(b)", true),
    ("unknown-99: x", "unknown-98: x", false),
    // Debian: versions compared as dpkg does.
    ("deb: libc6(=2.36-9)", "deb: libc6(>=2.34)", true),
    ("deb: libc6(=2.36-9)", "deb: libc6", true),
    ("deb: libc6(=2.33-1)", "deb: libc6(>=2.34)", false),
    ("deb: libc6(=2.34)", "deb: libc6(>=2.34)", true),
    ("deb: libc6(=2.34)", "deb: libc6(>>2.34)", false),
    ("deb: libc6(=2.34~rc1)", "deb: libc6(<<2.34)", true),
    ("deb: foo(=1.5)", "deb: foo(<<2.0 >=1.0)", true),
    ("deb: foo(=2.0)", "deb: foo(<<2.0 >=1.0)", false),
    ("deb: foo(=1:0.1)", "deb: foo(>=9.0)", true),
    ("deb: foo(=1.0)", "deb: foo(=1.00)", true),
    ("deb: foo(=1.0)", "deb: foo(<=1.0)", true),
    (
        "deb: mail-transport-agent",
        "deb: mail-transport-agent",
        true,
    ),
    (
        "deb: mail-transport-agent",
        "deb: mail-transport-agent(>=1.0)",
        false,
    ),
    ("deb: foo(>=1.0)", "deb: foo(>=1.0)", false),
    ("deb: foo(=1.0 =2.0)", "deb: foo(>=1.5)", true),
    ("deb: libc6(=2.36)", "deb: libc6:any(>=2.34)", false),
];

#[test]
fn satisfaction() {
    for &(provides, requires, expected) in SATISFY_CASES {
        let (provides, requires) = (set(provides), set(requires));
        assert_eq!(
            provides.satisfies(&requires),
            expected,
            "{provides} satisfies {requires}"
        );
        let unsatisfied = requires.unsatisfied_by(&provides);
        assert_eq!(unsatisfied.is_empty(), expected, "{requires} by {provides}");
    }
}

#[test]
fn set_satisfaction_grows_with_provides() {
    // After the original's testDepSet.
    let mut requires = set("file: /bin/sed file: /bin/awk trove: foo:runtime");
    let mut provides = requires.clone();
    assert!(provides.satisfies(&requires));
    provides.insert(dep("file: /bin/grep"));
    assert!(provides.satisfies(&requires));
    requires.insert(dep("file: /bin/grep"));
    assert!(provides.satisfies(&requires));
    requires.insert(dep("trove: bar:runtime"));
    assert!(!provides.satisfies(&requires));
    assert_eq!(
        requires.unsatisfied_by(&provides).to_string(),
        "trove: bar:runtime"
    );
    provides.insert(dep("trove: bar:runtime"));
    assert!(provides.satisfies(&requires));
    assert!(DependencySet::new().satisfies(&DependencySet::new()));
    assert!(provides.satisfies(&DependencySet::new()));
}

#[test]
fn unsatisfied_keeps_whole_requirements() {
    let requires = set("file: /bin/sh soname: ELF64/libz.so.1(SysV x86_64) deb: libc6(>=2.34)");
    let provides = set("file: /bin/sh soname: ELF64/libz.so.1(SysV) deb: libc6(=2.31-13)");
    assert_eq!(
        requires.unsatisfied_by(&provides).to_string(),
        "soname: ELF64/libz.so.1(SysV x86_64)\ndeb: libc6(>=2.34)"
    );
}

#[test]
fn union_and_difference() {
    let first = set("file: /bin/sh trove: foo python: os(a)");
    let second = set("file: /bin/awk file: /bin/grep python: os(b)");
    assert_eq!(
        first.union(&second).to_string(),
        "file: /bin/awk\nfile: /bin/grep\nfile: /bin/sh\ntrove: foo\npython: os(a b)"
    );
    let mut merged = first.clone();
    merged.merge(&second);
    assert_eq!(merged, first.union(&second));

    let cases = [
        ("file: /a file: /b", "file: /b", "file: /a"),
        ("python: os(a b)", "python: os(a)", "python: os(b)"),
        ("python: os(a b)", "python: os(c)", "python: os(a b)"),
        ("python: os(a)", "python: os(a b)", ""),
        ("python: os", "python: os(a)", ""),
        ("trove: foo", "trove: foo", ""),
        ("trove: foo", "file: /foo", "trove: foo"),
        ("", "trove: foo", ""),
    ];
    for (left, right, expected) in cases {
        assert_eq!(
            set(left).difference(&set(right)).to_string(),
            expected,
            "{left} - {right}"
        );
    }
    let all = set("trove: foo:runtime");
    assert!(all.difference(&all).is_empty());
}

#[test]
fn set_operations() {
    let mut set = set("file: /bin/foo trove: bar");
    assert_eq!(set.to_string(), "file: /bin/foo\ntrove: bar");
    assert!(set.remove(DepClass::Soname, "foo").is_none());
    assert!(set.remove(DepClass::File, "foo").is_none());
    assert!(set.remove(DepClass::File, "/bin/foo").is_some());
    assert_eq!(set.to_string(), "trove: bar");
    assert_eq!(set.classes().collect::<Vec<_>>(), [DepClass::Trove]);
    assert!(set.remove(DepClass::Trove, "bar").is_some());
    assert_eq!(set.to_string(), "");
    assert_eq!(set, DependencySet::new());
    assert_eq!(set.freeze(), "");

    let set = self::set("trove: a trove: b(x) file: /c");
    assert!(set.contains(&dep("trove: b(x)")));
    assert!(!set.contains(&dep("trove: b")));
    assert_eq!(set.iter_class(DepClass::Trove).count(), 2);
    assert_eq!((&set).into_iter().count(), 3);
    assert_eq!(
        set.get(DepClass::Trove, "b").map(ToString::to_string),
        Some("trove: b(x)".to_owned())
    );
}

#[test]
fn ordering_follows_class_then_name() {
    // After the original's testSorting.
    assert_eq!(
        set("abi: ELF32(SysV) file: /foo"),
        set("file: /foo abi: ELF32(SysV)")
    );
    assert!(dep("abi: ELF32(SysV)") < dep("file: /foo"));
    assert!(dep("abi: aaa(3)") < dep("abi: bbb(2)"));
    assert!(dep("abi: aaa(2)") < dep("abi: aaa(3)"));
}

/// (text form, frozen form).
const FROZEN_CASES: &[(&str, &str)] = &[
    ("rpm: foo(:flag)", r"16#foo:\:flag"),
    ("perl: foo::bar", "12#foo::::bar"),
    ("rpm: libc.so.6", "16#libc.so.6"),
    ("rpm: libc.so.6(ABC DEF)", "16#libc.so.6:ABC:DEF"),
    ("rpm: foo[something](flag)", "16#foo[something]:flag"),
    ("trove: blam trove: foo", "4#blam|4#foo"),
    (
        "file: /bin/sed file: /bin/awk trove: foo:runtime",
        "3#/bin/awk|3#/bin/sed|4#foo::runtime",
    ),
    (
        "soname: ELF64/libc.so.6(SysV x86_64 GLIBC_2.34)",
        "6#ELF64/libc.so.6:GLIBC_2.34:SysV:x86_64",
    ),
    ("deb: libc6(>=1:2.34)", r"100#libc6:>=1\:2.34"),
    ("deb: python3:any", "100#python3::any"),
    ("unknown-65535: some(flag1)", "65535#some:flag1"),
    ("", ""),
];

#[test]
fn freeze_and_thaw() {
    for &(text, frozen) in FROZEN_CASES {
        let parsed = set(text);
        assert_eq!(parsed.freeze(), frozen, "{text}");
        let thawed = DependencySet::thaw(frozen).expect(frozen);
        assert_eq!(thawed, parsed, "{frozen}");
        assert_eq!(set(&parsed.to_string()).freeze(), frozen);
    }
}

#[test]
fn freeze_orders_by_name() {
    let set: DependencySet = (0..10).map(|i| dep(&format!("file: /bin/{i}"))).collect();
    let frozen = set.freeze();
    let last_digits: Vec<char> = frozen
        .split('|')
        .filter_map(|piece| piece.chars().last())
        .collect();
    assert_eq!(last_digits, "0123456789".chars().collect::<Vec<_>>());
}

#[test]
fn thaw_unknown_and_lenient() {
    let unknown = DependencySet::thaw("65535#some:flag1").expect("unknown class");
    assert_eq!(unknown.to_string(), "unknown-65535: some(flag1)");
    // A flavor class id in frozen data survives as an unknown class.
    let flavor = DependencySet::thaw("1#x86:~!i686").expect("flavor class id");
    assert_eq!(flavor.to_string(), "unknown-1: x86(~!i686)");
    assert_eq!(flavor.freeze(), "1#x86:~!i686");
    // Old data may hold a soname without flags.
    let old = DependencySet::thaw("6#ELF32/libc.so.6").expect("flagless soname");
    assert_eq!(old.freeze(), "6#ELF32/libc.so.6");
    // Leading zeros in a class id are read.
    assert_eq!(
        DependencySet::thaw("04#foo")
            .expect("leading zero")
            .freeze(),
        "4#foo"
    );
}

#[test]
fn thaw_errors() {
    let cases = [
        ("4#foo|", "empty dependency"),
        ("|4#foo", "empty dependency"),
        ("foo", "missing '#'"),
        ("x#foo", "class id is not a number"),
        ("#foo", "class id is not a number"),
        ("99999999999#foo", "class id is too large"),
        ("4#", "empty name"),
        ("4#foo:", "empty flag"),
        ("3#/bin/sh:x", "flags not allowed"),
        ("4#foo::bar::baz", "more than one ':'"),
        ("4#foo\\", "'\\' at the end"),
    ];
    for (frozen, fragment) in cases {
        let error = DependencySet::thaw(frozen).expect_err(frozen).to_string();
        assert!(error.contains(fragment), "{frozen:?}: {error:?}");
        assert!(error.contains(frozen), "{frozen:?}: {error:?}");
    }
}

/// (a, b, dpkg order of a against b).
const DEB_VERSION_CASES: &[(&str, &str, Ordering)] = &[
    ("1.0", "1.0", Ordering::Equal),
    ("1.0", "1.00", Ordering::Equal),
    ("1.0", "0:1.0", Ordering::Equal),
    ("1.0", "1.0-0", Ordering::Equal),
    ("1.0-1", "1.0-1", Ordering::Equal),
    ("1.0~rc1", "1.0", Ordering::Less),
    ("1.0~rc1", "1.0~rc2", Ordering::Less),
    ("1.0~~", "1.0~", Ordering::Less),
    ("1.0~", "1.0", Ordering::Less),
    ("1.0", "1.0a", Ordering::Less),
    ("1.0a", "1.0b", Ordering::Less),
    ("1.0Z", "1.0a", Ordering::Less),
    ("1.0a", "1.0+", Ordering::Less),
    ("1.0+", "1.0.", Ordering::Less),
    ("1.0", "1.0.1", Ordering::Less),
    ("1.2", "1.10", Ordering::Less),
    ("1.9", "1.10", Ordering::Less),
    ("10", "9", Ordering::Greater),
    ("1:0.1", "2.0", Ordering::Greater),
    ("1:1.0", "2:0.1", Ordering::Less),
    ("2.36-9", "2.36-10", Ordering::Less),
    ("2.36-9+deb12u4", "2.36-9", Ordering::Greater),
    ("2.36-9+deb12u4", "2.36-9+deb12u10", Ordering::Less),
    ("1.2.3-1ubuntu1", "1.2.3-1", Ordering::Greater),
    ("1.2.3-1~bpo1", "1.2.3-1", Ordering::Less),
    ("7.6p2-4", "7.6-0", Ordering::Greater),
    ("1.0-a-1", "1.0-1", Ordering::Greater),
    ("2:1.0", "1:9.9", Ordering::Greater),
];

#[test]
fn debian_version_order() {
    for &(a, b, expected) in DEB_VERSION_CASES {
        let (left, right): (DebVersion, DebVersion) = (
            a.parse().expect("valid version"),
            b.parse().expect("valid version"),
        );
        assert_eq!(left.cmp_dpkg(&right), expected, "{a} vs {b}");
        assert_eq!(right.cmp_dpkg(&left), expected.reverse(), "{b} vs {a}");
        if expected != Ordering::Equal {
            assert_eq!(left.cmp(&right), expected, "Ord agrees: {a} vs {b}");
        }
    }
}

#[test]
fn debian_version_parts() {
    let version: DebVersion = "1:2.36-9+deb12u4".parse().expect("valid");
    assert_eq!(version.epoch(), Some(1));
    assert_eq!(version.upstream(), "2.36");
    assert_eq!(version.revision(), Some("9+deb12u4"));
    let version: DebVersion = "1.0-a-1".parse().expect("valid");
    assert_eq!(version.upstream(), "1.0-a");
    assert_eq!(version.revision(), Some("1"));
    let version: DebVersion = "2.0".parse().expect("valid");
    assert_eq!((version.epoch(), version.revision()), (None, None));
    let errors = [
        ("", "empty upstream version"),
        (":1.0", "epoch is not a number"),
        ("a:1.0", "epoch is not a number"),
        ("99999999999:1.0", "epoch is too large"),
        ("1:", "empty upstream version"),
        ("-1", "empty upstream version"),
        ("abc", "does not start with a digit"),
        ("1.0 beta", "' ' not allowed in upstream version"),
        ("1.0-1_2", "'_' not allowed in revision"),
        ("1.0-", "empty revision"),
    ];
    for (text, fragment) in errors {
        let error = text.parse::<DebVersion>().expect_err(text).to_string();
        assert!(error.contains(fragment), "{text:?}: {error}");
    }
}

#[test]
fn debian_constraints() {
    let cases = [
        (">=2.34", "2.34", true),
        (">=2.34", "2.33.9", false),
        (">>2.34", "2.34", false),
        (">>2.34", "2.34.0.1", true),
        ("<=2.34", "2.34", true),
        ("<<2.34", "2.34~rc1", true),
        ("<<2.34", "2.34", false),
        ("=2.34", "2.34", true),
        ("=2.34", "2.34-0", true),
        ("=2.34", "2.34-1", false),
    ];
    for (constraint, version, expected) in cases {
        let constraint: DebConstraint = constraint.parse().expect("valid constraint");
        let version: DebVersion = version.parse().expect("valid version");
        assert_eq!(
            constraint.matches(&version),
            expected,
            "{constraint} {version}"
        );
    }
    let relations = ["<<", "<=", "=", ">=", ">>"];
    for text in relations {
        let relation: DebRelation = text.parse().expect("relation");
        assert_eq!(relation.to_string(), text);
    }
    assert!("<".parse::<DebRelation>().is_err());
    let constraint = dep("deb: foo(<<2.0 >=1.0)").deb_constraints();
    assert_eq!(constraint.len(), 2);
    assert!(dep("trove: foo").deb_constraints().is_empty());
}

// ---- property tests ----

fn word() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_][A-Za-z0-9._+-]{0,8}"
}

fn dependency_strategy() -> impl Strategy<Value = Dependency> {
    let flags = || prop::collection::vec(word(), 0..3);
    let required_flags = || prop::collection::vec(word(), 1..3);
    let built = prop_oneof![
        ("[A-Za-z0-9_-]{1,6}", required_flags()).prop_map(|(name, flags)| (
            DepClass::Abi,
            name,
            flags
        )),
        prop::collection::vec(word(), 1..4).prop_map(|parts| (
            DepClass::File,
            format!("/{}", parts.join("/")),
            Vec::new()
        )),
        ("[a-z0-9_][a-z0-9._+-]{0,8}(:[a-z0-9_-]{1,6})?", flags()).prop_map(|(name, flags)| (
            DepClass::Trove,
            name,
            flags
        )),
        ("[A-Za-z0-9_-]{1,6}", word(), required_flags()).prop_map(|(abi, soname, flags)| (
            DepClass::Soname,
            format!("{abi}/{soname}"),
            flags
        )),
        word().prop_map(|name| (DepClass::UserInfo, name, Vec::new())),
        (word(), flags()).prop_map(|(name, flags)| (DepClass::Python, name, flags)),
        (prop::collection::vec(word(), 1..3), flags()).prop_map(|(parts, flags)| (
            DepClass::Perl,
            parts.join("::"),
            flags
        )),
        (
            "[A-Za-z0-9._+:\\[\\]-]{1,8}",
            prop::collection::vec("[A-Za-z0-9._+:-]{1,6}", 0..3)
        )
            .prop_map(|(name, flags)| (DepClass::Rpm, name, flags)),
        (
            "[a-z0-9][a-z0-9+.-]{1,8}",
            prop::collection::vec(
                (
                    prop::sample::select(vec!["<<", "<=", "=", ">=", ">>"]),
                    "([0-9]{1,3}:)?[0-9][0-9a-z.+~]{0,5}(-[0-9a-z.+~]{1,4})?",
                ),
                0..3
            )
        )
            .prop_map(|(name, constraints)| (
                DepClass::Deb,
                name,
                constraints
                    .into_iter()
                    .map(|(relation, version)| format!("{relation}{version}"))
                    .collect()
            )),
        (
            20u32..2000,
            "[^\\s()|\\\\]{1,8}",
            prop::collection::vec("[^\\s()|\\\\]{1,6}", 0..3)
        )
            .prop_map(|(id, name, flags)| (DepClass::from_id(id), name, flags)),
    ];
    built.prop_filter_map("valid dependency", |(class, name, flags)| {
        Dependency::new(class, name, flags).ok()
    })
}

fn set_strategy() -> impl Strategy<Value = DependencySet> {
    prop::collection::vec(dependency_strategy(), 0..8)
        .prop_map(|dependencies| dependencies.into_iter().collect())
}

proptest! {
    #[test]
    fn format_then_parse_is_identity(set in set_strategy()) {
        let text = set.to_string();
        let reparsed: DependencySet = text.parse().expect("canonical text parses");
        prop_assert_eq!(reparsed, set);
    }

    #[test]
    fn space_separated_form_parses_too(set in set_strategy()) {
        let text = set.iter().map(ToString::to_string).collect::<Vec<_>>().join(" ");
        let reparsed: DependencySet = text.parse().expect("space separated text parses");
        prop_assert_eq!(reparsed, set);
    }

    #[test]
    fn freeze_then_thaw_is_identity(set in set_strategy()) {
        let frozen = set.freeze();
        let thawed = DependencySet::thaw(&frozen).expect("frozen form thaws");
        prop_assert_eq!(thawed.freeze(), frozen);
        prop_assert_eq!(thawed, set);
    }

    #[test]
    fn a_set_satisfies_itself(set in set_strategy()) {
        // A `deb:` provide satisfies through its `=VERSION` flags only.
        let set: DependencySet = set
            .iter()
            .filter(|dependency| {
                dependency.class() != DepClass::Deb
                    || dependency.flags().iter().all(|flag| flag.starts_with('='))
            })
            .cloned()
            .collect();
        prop_assert!(set.satisfies(&set));
        prop_assert!(set.unsatisfied_by(&set).is_empty());
        prop_assert!(set.difference(&set).is_empty());
    }

    #[test]
    fn parse_never_panics(text in "\\PC{0,60}") {
        let _ = text.parse::<DependencySet>();
        let _ = DependencySet::thaw(&text);
    }

    #[test]
    fn parse_never_panics_on_near_misses(text in "[a-z:/() ~!|#\\\\<>=.0-9\n]{0,40}") {
        if let Ok(set) = text.parse::<DependencySet>() {
            let reparsed: DependencySet = set.to_string().parse().expect("output reparses");
            prop_assert_eq!(reparsed, set);
        }
        let _ = DependencySet::thaw(&text);
        let _ = text.parse::<DebVersion>();
    }

    #[test]
    fn dpkg_order_is_antisymmetric(
        a in "([0-9]:)?[0-9][0-9a-z.+~]{0,6}(-[0-9a-z.+~]{1,4})?",
        b in "([0-9]:)?[0-9][0-9a-z.+~]{0,6}(-[0-9a-z.+~]{1,4})?",
    ) {
        let (a, b): (DebVersion, DebVersion) = (a.parse().expect("a"), b.parse().expect("b"));
        prop_assert_eq!(a.cmp_dpkg(&b), b.cmp_dpkg(&a).reverse());
        prop_assert_eq!(a.cmp(&b) == Ordering::Equal, a == b);
        prop_assert_eq!(a.to_string().parse::<DebVersion>().expect("reparse"), a);
    }
}

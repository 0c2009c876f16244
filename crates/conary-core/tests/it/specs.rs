//! Tests for trove specs and change specs. Cases follow the original's
//! `conary_test/trovetuptest.py` (TroveSpec, TroveTuple), the
//! `parseTroveSpec` cases of `conary_test/clienttest/cmdlinetest.py`, the
//! command lines of `conary_test/cmdlinetest.py` (`rdiff`, `shadow`,
//! `derive`, `update`) and the jobs checked by the update tests
//! (`group-dist=--1.0`, `redirect:lib=0.1--`).

use conary_core::spec::{
    ChangeJob, ChangeSpec, SpecError, SpecKind, Transition, TroveSpec, parse_change_list,
};
use proptest::prelude::*;

fn trove(text: &str) -> TroveSpec {
    text.parse()
        .unwrap_or_else(|e| panic!("test trove spec {text:?} should parse: {e}"))
}

fn change(text: &str) -> ChangeSpec {
    text.parse()
        .unwrap_or_else(|e| panic!("test change spec {text:?} should parse: {e}"))
}

/// A trove spec case: input, name, version, flavor, canonical form.
type TroveCase = (
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    &'static str,
);

/// A job case: spec, update by default, keep existing, old, new, absolute.
type JobCase = (
    &'static str,
    bool,
    bool,
    Option<&'static str>,
    Option<&'static str>,
    bool,
);

fn shown<T: ToString>(value: Option<&T>) -> Option<String> {
    value.map(ToString::to_string)
}

#[test]
fn trove_specs_parse_into_name_version_and_flavor() {
    #[rustfmt::skip]
    let cases: &[TroveCase] = &[
        ("foo", "foo", None, None, "foo"),
        ("foo=1.2", "foo", Some("1.2"), None, "foo=1.2"),
        ("foo=1.2[asdf]", "foo", Some("1.2"), Some("asdf"), "foo=1.2[asdf]"),
        ("foo[asdf]", "foo", None, Some("asdf"), "foo[asdf]"),
        ("foo=/bar@baz:1/2-3-4", "foo", Some("/bar@baz:1/2-3-4"), None, "foo=/bar@baz:1/2-3-4"),
        ("   foo=/bar@baz:1/2-3-4\n\n\n", "foo", Some("/bar@baz:1/2-3-4"), None, "foo=/bar@baz:1/2-3-4"),
        ("baz=baz.rpath.org@rpl:devel", "baz", Some("baz.rpath.org@rpl:devel"), None, "baz=baz.rpath.org@rpl:devel"),
        ("postfix=conary.rpath.com@rpl:devel", "postfix", Some("conary.rpath.com@rpl:devel"), None, "postfix=conary.rpath.com@rpl:devel"),
        ("trv=c.r.c@rpl:1", "trv", Some("c.r.c@rpl:1"), None, "trv=c.r.c@rpl:1"),
        ("tmpwatch=/conary.rpath.com@rpl:devel//2/2.9.10-2-0.1[is: x86_64]", "tmpwatch",
            Some("/conary.rpath.com@rpl:devel//2/2.9.10-2-0.1"), Some("is: x86_64"),
            "tmpwatch=/conary.rpath.com@rpl:devel//2/2.9.10-2-0.1[is: x86_64]"),
        ("foo[is:x86_64]", "foo", None, Some("is: x86_64"), "foo[is: x86_64]"),
        ("foo[ is: x86_64 ]", "foo", None, Some("is: x86_64"), "foo[is: x86_64]"),
        ("foo[]", "foo", None, Some(""), "foo[]"),
        ("bash:runtime=:devel", "bash:runtime", Some(":devel"), None, "bash:runtime=:devel"),
        ("group-dist=@rpl:1/2.0[~ssl,!pam is: x86(i686) x86_64]", "group-dist", Some("@rpl:1/2.0"),
            Some("!pam,~ssl is: x86(i686) x86_64"), "group-dist=@rpl:1/2.0[!pam,~ssl is: x86(i686) x86_64]"),
        ("kernel=localhost@[smp]", "kernel", Some("localhost@"), Some("smp"), "kernel=localhost@[smp]"),
        ("gcc=4.1.2-1-2", "gcc", Some("4.1.2-1-2"), None, "gcc=4.1.2-1-2"),
        ("foo[a--b]", "foo", None, Some("a--b"), "foo[a--b]"),
        ("info-foo:user", "info-foo:user", None, None, "info-foo:user"),
    ];
    for (input, name, version, flavor, canonical) in cases {
        let spec = trove(input);
        assert_eq!(spec.name().as_str(), *name, "{input:?}");
        assert_eq!(shown(spec.version()).as_deref(), *version, "{input:?}");
        assert_eq!(shown(spec.flavor()).as_deref(), *flavor, "{input:?}");
        assert_eq!(spec.to_string(), *canonical, "{input:?}");
        assert_eq!(trove(canonical), spec, "{input:?}");
    }
}

#[test]
fn bad_trove_specs_say_what_is_wrong() {
    #[rustfmt::skip]
    let cases: &[(&str, &str)] = &[
        ("", "invalid trove spec '': empty spec"),
        ("  \t", "invalid trove spec '  \t': empty spec"),
        ("spam=foo=bar", "invalid trove spec 'spam=foo=bar': more than one '='"),
        ("spam=foo[bar", "invalid trove spec 'spam=foo[bar': missing ']'"),
        ("foo=[ssl", "invalid trove spec 'foo=[ssl': missing ']'"),
        ("spam=foo]", "invalid trove spec 'spam=foo]': unexpected ']'"),
        ("spam]foo[bar]", "invalid trove spec 'spam]foo[bar]': unexpected ']'"),
        ("foo[[ssl]]", "invalid trove spec 'foo[[ssl]]': unexpected '['"),
        ("spam=foo[bar]x", "invalid trove spec 'spam=foo[bar]x': unexpected 'x' after the flavor"),
        ("foo[ssl][pam]", "invalid trove spec 'foo[ssl][pam]': unexpected '[pam]' after the flavor"),
        ("spam\u{ff}=foo[bar]", "invalid trove spec 'spam\u{ff}=foo[bar]': invalid trove name 'spam\u{ff}'"),
        ("spam=", "invalid trove spec 'spam=': empty version after '='"),
        ("foo=[ssl]", "invalid trove spec 'foo=[ssl]': empty version after '='"),
        ("=1.2", "invalid trove spec '=1.2': missing trove name"),
        ("[ssl]", "invalid trove spec '[ssl]': missing trove name"),
        ("foo=1.0--2.0", "invalid trove spec 'foo=1.0--2.0': '--' belongs in change specs only"),
        ("-foo", "invalid trove spec '-foo': invalid trove name '-foo'"),
        ("+foo", "invalid trove spec '+foo': invalid trove name '+foo'"),
        ("foo bar", "invalid trove spec 'foo bar': invalid trove name 'foo bar'"),
        ("foo[is: x86(]", "invalid trove spec 'foo[is: x86(]': invalid flavor 'is: x86(': missing ')'"),
        ("foo=a/b/c", "invalid trove spec 'foo=a/b/c': invalid version spec 'a/b/c'"),
        ("foo=1.0 [ssl]", "invalid trove spec 'foo=1.0 [ssl]': invalid"),
        ("foo:=1.0", "invalid trove spec 'foo:=1.0': invalid trove name 'foo:': empty component suffix"),
    ];
    for (input, message) in cases {
        let error = input
            .parse::<TroveSpec>()
            .expect_err(&format!("{input:?} should not parse"));
        let text = error.to_string();
        assert!(
            text.starts_with(message),
            "{input:?}: {text:?} should start with {message:?}"
        );
    }
    assert!(matches!(
        "foo=[ssl".parse::<TroveSpec>(),
        Err(SpecError::MissingBracket {
            kind: SpecKind::Trove,
            ..
        })
    ));
    assert!(matches!(
        "foo bar".parse::<TroveSpec>(),
        Err(SpecError::Name { .. })
    ));
    assert!(matches!(
        "foo=a/b/c".parse::<TroveSpec>(),
        Err(SpecError::Version { .. })
    ));
    assert!(matches!(
        "foo[!]".parse::<TroveSpec>(),
        Err(SpecError::Flavor { .. })
    ));
}

/// What a change spec must read as, in its canonical form.
enum Expect {
    Unmarked(&'static str),
    Install(&'static str),
    Erase(&'static str),
    Transition(Option<&'static str>, Option<&'static str>),
}

#[test]
fn change_specs_parse_as_the_original_reads_them() {
    #[rustfmt::skip]
    let cases: &[(&str, Expect, &str)] = &[
        ("test", Expect::Unmarked("test"), "test"),
        ("group-errata", Expect::Unmarked("group-errata"), "group-errata"),
        ("+foo", Expect::Install("foo"), "+foo"),
        ("-foo", Expect::Erase("foo"), "-foo"),
        ("+foo=:devel", Expect::Install("foo=:devel"), "+foo=:devel"),
        ("-foo=1.0[ssl]", Expect::Erase("foo=1.0[ssl]"), "-foo=1.0[ssl]"),
        (" -foo ", Expect::Erase("foo"), "-foo"),
        ("foo[is: x86_64]", Expect::Unmarked("foo[is: x86_64]"), "foo[is: x86_64]"),
        ("foo=1.1--1.2", Expect::Transition(Some("foo=1.1"), Some("foo=1.2")), "foo=1.1--1.2"),
        ("foo=1[is:x]--2[is:y]", Expect::Transition(Some("foo=1[is: x]"), Some("foo=2[is: y]")), "foo=1[is: x]--2[is: y]"),
        ("group-dist=--1.0", Expect::Transition(None, Some("group-dist=1.0")), "group-dist=--1.0"),
        ("test:runtime=--1.0", Expect::Transition(None, Some("test:runtime=1.0")), "test:runtime=--1.0"),
        ("keepprov:runtime=--2.0", Expect::Transition(None, Some("keepprov:runtime=2.0")), "keepprov:runtime=--2.0"),
        ("redirect:lib=0.1--", Expect::Transition(Some("redirect:lib=0.1"), None), "redirect:lib=0.1--"),
        ("foo--1.0", Expect::Transition(None, Some("foo=1.0")), "foo=--1.0"),
        ("foo[!ssl]--[ssl]", Expect::Transition(Some("foo[!ssl]"), Some("foo[ssl]")), "foo=[!ssl]--[ssl]"),
        ("foo=[]--1.0", Expect::Transition(Some("foo[]"), Some("foo=1.0")), "foo=[]--1.0"),
        ("foo=1.0--[ssl]", Expect::Transition(Some("foo=1.0"), Some("foo[ssl]")), "foo=1.0--[ssl]"),
        ("foo[a--b]--[c--d]", Expect::Transition(Some("foo[a--b]"), Some("foo[c--d]")), "foo=[a--b]--[c--d]"),
        ("foo=:1--/localhost@rpl:linux/1.0-1-1", Expect::Transition(Some("foo=:1"), Some("foo=/localhost@rpl:linux/1.0-1-1")),
            "foo=:1--/localhost@rpl:linux/1.0-1-1"),
    ];
    for (input, expect, canonical) in cases {
        let spec = change(input);
        let matches = match (&spec, expect) {
            (ChangeSpec::Unmarked(trove), Expect::Unmarked(text))
            | (ChangeSpec::Install(trove), Expect::Install(text))
            | (ChangeSpec::Erase(trove), Expect::Erase(text)) => trove.to_string() == *text,
            (ChangeSpec::Transition(transition), Expect::Transition(old, new)) => {
                shown(transition.old()).as_deref() == *old
                    && shown(transition.new_side()).as_deref() == *new
            }
            _ => false,
        };
        assert!(matches, "{input:?} parsed as {spec:?}");
        assert_eq!(spec.to_string(), *canonical, "{input:?}");
        assert_eq!(change(canonical), spec, "{input:?}");
    }
}

#[test]
fn bad_change_specs_say_what_is_wrong() {
    #[rustfmt::skip]
    let cases: &[(&str, &str)] = &[
        ("", "invalid change spec '': empty spec"),
        ("foo=1--2--3", "invalid change spec 'foo=1--2--3': more than one '--'"),
        ("-foo=1--2", "invalid change spec '-foo=1--2': '+' and '-' cannot mark a transition"),
        ("+foo--2", "invalid change spec '+foo--2': '+' and '-' cannot mark a transition"),
        ("foo--", "invalid change spec 'foo--': nothing on either side of '--'"),
        ("foo=--", "invalid change spec 'foo=--': nothing on either side of '--'"),
        ("--foo", "invalid change spec '--foo': missing trove name"),
        ("=1--2", "invalid change spec '=1--2': missing trove name"),
        ("+", "invalid change spec '+': missing trove name"),
        ("-", "invalid change spec '-': missing trove name"),
        ("-[ssl]", "invalid change spec '-[ssl]': missing trove name"),
        ("+-foo", "invalid change spec '+-foo': invalid trove name '-foo'"),
        ("foo=1--a=2", "invalid change spec 'foo=1--a=2': more than one '='"),
        ("foo=1--2[ssl", "invalid change spec 'foo=1--2[ssl': missing ']'"),
        ("foo=1.0[ssl--2.0", "invalid change spec 'foo=1.0[ssl--2.0': missing ']'"),
        ("foo=1--2]", "invalid change spec 'foo=1--2]': unexpected ']'"),
        ("foo=1---2", "invalid change spec 'foo=1---2': invalid revision '-2'"),
        ("foo=1--x/y/z", "invalid change spec 'foo=1--x/y/z': invalid version spec 'x/y/z'"),
        ("foo=1[ssl]x--2", "invalid change spec 'foo=1[ssl]x--2': unexpected 'x' after the flavor"),
        ("foo=", "invalid change spec 'foo=': empty version after '='"),
        ("foo=1--2[!]", "invalid change spec 'foo=1--2[!]': invalid flavor '!'"),
    ];
    for (input, message) in cases {
        let error = input
            .parse::<ChangeSpec>()
            .expect_err(&format!("{input:?} should not parse"));
        let text = error.to_string();
        assert!(
            text.starts_with(message),
            "{input:?}: {text:?} should start with {message:?}"
        );
    }
    let error = "foo".parse::<Transition>().expect_err("no '--' in 'foo'");
    assert_eq!(
        error.to_string(),
        "invalid change spec 'foo': not a transition (NAME=OLD--NEW)"
    );
}

#[test]
fn change_specs_read_as_jobs() {
    #[rustfmt::skip]
    let cases: &[JobCase] = &[
        ("foo", true, false, None, Some("foo"), true),
        ("foo", true, true, None, Some("foo"), false),
        ("foo=1.0", false, false, Some("foo=1.0"), None, false),
        ("+foo", false, false, None, Some("foo"), true),
        ("-foo=1.0[ssl]", true, false, Some("foo=1.0[ssl]"), None, false),
        ("foo=1--2", true, false, Some("foo=1"), Some("foo=2"), false),
        ("foo=--2", true, false, None, Some("foo=2"), false),
        ("foo=1--", false, true, Some("foo=1"), None, false),
    ];
    for (input, update_by_default, keep_existing, old, new, absolute) in cases {
        let spec = change(input);
        let ChangeJob {
            name,
            old: job_old,
            new: job_new,
            absolute: job_absolute,
        } = spec.job(*update_by_default, *keep_existing);
        assert_eq!(name.as_str(), "foo", "{input:?}");
        assert_eq!(spec.name(), &name, "{input:?}");
        assert_eq!(shown(job_old.as_ref()).as_deref(), *old, "{input:?}");
        assert_eq!(shown(job_new.as_ref()).as_deref(), *new, "{input:?}");
        assert_eq!(job_absolute, *absolute, "{input:?}");
    }
}

#[test]
fn change_lists_drop_repeats_and_keep_order() {
    let list = parse_change_list(&[
        "foo",
        "foo",
        "+foo",
        " foo",
        "-foo",
        "foo=1--2",
        "bar--1.0",
        "foo=1--2",
        "bar=--1.0",
    ])
    .expect("valid specs");
    let texts: Vec<String> = list.iter().map(ToString::to_string).collect();
    assert_eq!(texts, ["foo", "+foo", "-foo", "foo=1--2", "bar=--1.0"]);

    let owned: Vec<String> = vec!["a".to_owned(), "b=1.0[ssl".to_owned(), "c".to_owned()];
    let error = parse_change_list(&owned).expect_err("the second spec is bad");
    assert_eq!(
        error.to_string(),
        "invalid change spec 'b=1.0[ssl': missing ']'"
    );
    assert_eq!(
        parse_change_list::<&str>(&[]).expect("nothing to parse"),
        []
    );
}

#[test]
fn constructors_check_what_text_could_not_hold() {
    let name: conary_core::name::TroveName = "foo--bar".parse().expect("a valid trove name");
    let error = TroveSpec::new(name.clone(), None, None).expect_err("'--' in the name");
    assert!(matches!(error, SpecError::UnexpectedTransition { .. }));
    assert_eq!(
        TroveSpec::from_name("foo".parse().expect("valid")).to_string(),
        "foo"
    );
    let foo: conary_core::name::TroveName = "foo".parse().expect("valid");
    let error = Transition::new(foo.clone(), (None, None), (None, None))
        .expect_err("nothing on either side");
    assert_eq!(
        error.to_string(),
        "invalid change spec 'foo=--': nothing on either side of '--'"
    );
    let version = "1.0".parse().expect("valid version spec");
    let transition =
        Transition::new(foo, (None, None), (Some(version), None)).expect("one side is enough");
    assert_eq!(transition.to_string(), "foo=--1.0");
    assert!(transition.old().is_none());
}

// ---------------------------------------------------------------- properties

fn names() -> impl Strategy<Value = String> {
    "(group-|info-)?[a-z0-9_][a-z0-9_+.]{0,6}(-[a-z0-9]{1,3})?(:[a-z][a-z_]{0,5})?"
}

fn versions() -> impl Strategy<Value = String> {
    let revision = "[0-9][0-9a-z.+_~]{0,5}(-[1-9][0-9]{0,2}(\\.[1-9])?(-[1-9](\\.[1-9])?)?)?";
    let label = "[a-z][a-z0-9.-]{0,6}@[a-z]{1,3}:[a-z0-9][a-z0-9._]{0,4}";
    prop_oneof![
        revision.prop_map(|r| r),
        label.prop_map(|l| l),
        (label, "[0-9][0-9.]{0,3}").prop_map(|(l, r)| format!("{l}/{r}")),
        ":[a-z0-9]{1,5}".prop_map(|t| t),
        "@[a-z]{1,3}:[a-z0-9]{1,4}".prop_map(|t| t),
        "[a-z][a-z.]{0,6}@".prop_map(|h| h),
        Just("/localhost@rpl:linux".to_owned()),
        Just("/localhost@rpl:linux/1.0-1-1".to_owned()),
        Just("/conary.rpath.com@rpl:devel//2/2.9.10-2-0.1".to_owned()),
    ]
    .prop_filter("a spec never holds '--'", |v| !v.contains("--"))
}

fn flavors() -> impl Strategy<Value = String> {
    let flag = "(~!|~|!)?[a-z][a-z0-9_]{0,4}";
    let uses = prop::collection::vec(flag, 0..3).prop_map(|flags| flags.join(","));
    let arches = prop::option::of(prop_oneof![
        Just("x86"),
        Just("x86_64"),
        Just("x86(i686,~sse2)"),
        Just("x86(~!mmx) x86_64")
    ]);
    (uses, arches).prop_map(|(uses, arch)| match arch {
        Some(arch) if uses.is_empty() => format!("is: {arch}"),
        Some(arch) => format!("{uses} is: {arch}"),
        None => uses,
    })
}

prop_compose! {
    fn trove_spec_texts()(
        name in names(),
        version in prop::option::of(versions()),
        flavor in prop::option::of(flavors()),
    ) -> String {
        let mut text = name;
        if let Some(version) = version {
            text.push('=');
            text.push_str(&version);
        }
        if let Some(flavor) = flavor {
            text.push_str(&format!("[{flavor}]"));
        }
        text
    }
}

/// One side of a transition, `[VERSION][[FLAVOR]]`, possibly empty.
fn sides() -> impl Strategy<Value = String> {
    (prop::option::of(versions()), prop::option::of(flavors())).prop_map(|(version, flavor)| {
        let mut text = version.unwrap_or_default();
        if let Some(flavor) = flavor {
            text.push_str(&format!("[{flavor}]"));
        }
        text
    })
}

fn change_spec_texts() -> impl Strategy<Value = String> {
    prop_oneof![
        trove_spec_texts(),
        trove_spec_texts().prop_map(|t| format!("+{t}")),
        trove_spec_texts().prop_map(|t| format!("-{t}")),
        (names(), sides(), sides())
            .prop_filter("a transition needs one side", |(_, old, new)| {
                !old.is_empty() || !new.is_empty()
            })
            .prop_map(|(name, old, new)| format!("{name}={old}--{new}")),
    ]
}

/// Text made of the pieces of the spec grammar, to reach deep into the parser.
fn specish_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("foo"),
        Just("bar:runtime"),
        Just("="),
        Just("["),
        Just("]"),
        Just("--"),
        Just("-"),
        Just("+"),
        Just("1.0"),
        Just("1.0-1-1"),
        Just(":devel"),
        Just("@rpl:1"),
        Just("localhost@"),
        Just("/localhost@rpl:linux"),
        Just("/"),
        Just("ssl"),
        Just("is: x86_64"),
        Just(" "),
        Just("\u{e9}"),
    ];
    prop::collection::vec(piece, 0..10).prop_map(|pieces| pieces.concat())
}

proptest! {
    #[test]
    fn trove_specs_print_and_parse_back(text in trove_spec_texts()) {
        let spec: TroveSpec = text.parse().map_err(|e| TestCaseError::fail(format!("{text:?}: {e}")))?;
        let printed = spec.to_string();
        let again: TroveSpec = printed.parse().map_err(|e| TestCaseError::fail(format!("{printed:?}: {e}")))?;
        prop_assert_eq!(&again, &spec);
        prop_assert_eq!(again.to_string(), printed.clone());
        // every trove spec is also an unmarked change spec
        prop_assert_eq!(printed.parse::<ChangeSpec>().ok(), Some(ChangeSpec::Unmarked(spec)));
    }

    #[test]
    fn change_specs_print_and_parse_back(text in change_spec_texts()) {
        let spec: ChangeSpec = text.parse().map_err(|e| TestCaseError::fail(format!("{text:?}: {e}")))?;
        let printed = spec.to_string();
        let again: ChangeSpec = printed.parse().map_err(|e| TestCaseError::fail(format!("{printed:?}: {e}")))?;
        prop_assert_eq!(&again, &spec);
        prop_assert_eq!(again.to_string(), printed);
    }

    #[test]
    fn parsing_never_panics(text in any::<String>()) {
        let _ = text.parse::<TroveSpec>();
        let _ = text.parse::<ChangeSpec>();
        let _ = text.parse::<Transition>();
        let _ = parse_change_list(&[text.as_str(), text.as_str()]);
    }

    #[test]
    fn canonical_forms_are_stable(text in specish_text()) {
        if let Ok(spec) = text.parse::<TroveSpec>() {
            let printed = spec.to_string();
            let again: TroveSpec = printed.parse().map_err(|e| TestCaseError::fail(format!("{printed:?} from {text:?}: {e}")))?;
            prop_assert_eq!(again.to_string(), printed);
            prop_assert_eq!(again, spec);
        }
        if let Ok(spec) = text.parse::<ChangeSpec>() {
            let printed = spec.to_string();
            let again: ChangeSpec = printed.parse().map_err(|e| TestCaseError::fail(format!("{printed:?} from {text:?}: {e}")))?;
            prop_assert_eq!(again.to_string(), printed);
            prop_assert_eq!(again, spec);
        }
    }
}

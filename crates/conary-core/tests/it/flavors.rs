//! Tests for flavors: cases taken from the original's `conary_test/depstest/depstest.py`,
//! `depstest/archtest.py`, `flavortest.py` and `repositorytest/trovesourcetest.py`.
//!
//! Case tables keep one case per line (`rustfmt::skip`) so they read as tables.

use std::collections::BTreeMap;

use conary_core::flavor::{
    Flavor, FlavorCheck, FlavorClass, FlavorError, FlavorPreferences, FlavorSelector, MergeMode,
    Sense, best_flavor, flag_score,
};
use proptest::prelude::*;

fn fl(text: &str) -> Flavor {
    text.parse()
        .unwrap_or_else(|error| panic!("test flavor '{text}' must parse: {error}"))
}

fn fls(texts: &[&str]) -> Vec<Flavor> {
    texts.iter().map(|text| fl(text)).collect()
}

fn texts<'a>(flavors: impl IntoIterator<Item = &'a Flavor>) -> Vec<String> {
    flavors.into_iter().map(Flavor::to_string).collect()
}

/// A found (version, flavor) as plain values, to compare with a table row.
fn found(result: Option<(&u32, &Flavor)>) -> Option<(u32, String)> {
    result.map(|(version, flavor)| (*version, flavor.to_string()))
}

fn expected(row: Option<(u32, &str)>) -> Option<(u32, String)> {
    row.map(|(version, flavor)| (version, flavor.to_string()))
}

// ---------------------------------------------------------------- scoring

#[test]
fn the_whole_flavor_scores_table() {
    use Sense::{Disallowed, PreferNot, Preferred, Required};
    #[rustfmt::skip]
    let table: &[(Option<Sense>, Sense, Option<i32>)] = &[
        (None, Required, None),               (None, Disallowed, Some(0)),
        (None, Preferred, Some(-1)),          (None, PreferNot, Some(1)),
        (Some(Required), Required, Some(2)),  (Some(Required), Disallowed, None),
        (Some(Required), Preferred, Some(1)), (Some(Required), PreferNot, None),
        (Some(Disallowed), Required, None),   (Some(Disallowed), Disallowed, Some(2)),
        (Some(Disallowed), Preferred, None),  (Some(Disallowed), PreferNot, Some(1)),
        (Some(Preferred), Required, Some(1)), (Some(Preferred), Disallowed, None),
        (Some(Preferred), Preferred, Some(2)), (Some(Preferred), PreferNot, Some(-1)),
        (Some(PreferNot), Required, Some(-2)), (Some(PreferNot), Disallowed, Some(1)),
        (Some(PreferNot), Preferred, Some(-1)), (Some(PreferNot), PreferNot, Some(1)),
    ];
    for (system, trove, score) in table {
        assert_eq!(
            flag_score(*system, *trove),
            *score,
            "{system:?} against {trove:?}"
        );
        // the same through whole flavors, as a use flag and as an instruction set flag
        let system_flag = system.map(|sense| format!("{}ssl", sense.prefix()));
        let trove_flag = format!("{}ssl", trove.prefix());
        let system_text = system_flag.clone().unwrap_or_default();
        assert_eq!(fl(&system_text).score(&fl(&trove_flag)), *score);
        let system_arch =
            system_flag.map_or("is: x86".to_string(), |flag| format!("is: x86({flag})"));
        let trove_arch = format!("is: x86({trove_flag})");
        assert_eq!(
            fl(&system_arch).score(&fl(&trove_arch)),
            score.map(|score| score + 1)
        );
    }
}

#[rustfmt::skip]
const SCORES: &[(&str, &str, Option<i32>)] = &[
    // conary_test/depstest/depstest.py testScoreFlavors
    ("", "!ssl", Some(0)),
    ("", "~!ssl", Some(1)),
    ("", "~!ssl, ~!foo", Some(2)),
    ("", "~ssl", Some(-1)),
    ("", "ssl", None),
    ("is:x86", "is:x86", Some(1)),
    ("is:x86", "is:x86 x86_64", None),
    ("is:x86 x86_64", "is:x86 x86_64", Some(2)),
    ("is:x86(!mmx) x86_64", "is:x86(~!mmx) x86_64", Some(3)),
    ("is:x86_64", "is:x86", None),
    ("", "is:x86", None),
    ("", "is:x86(!i686)", None),
    ("is:x86_64", "is:x86(!i686)", None),
    // the reference's appendix: each matching instruction set adds 1
    ("is: x86", "is: x86(~!i686)", Some(2)),
    ("is: x86", "is: x86", Some(1)),
    // flags the system has but the trove does not mention do not count
    ("ssl", "", Some(0)),
    ("ssl,pam is: x86(i686,sse2) x86_64", "ssl", Some(2)),
    ("ssl is: x86(i686)", "is: x86", Some(1)),
    // use flags name nothing; instruction sets and targets must be present
    ("ssl", "is:", Some(0)),
    ("is:", "is: x86", None),
    ("use:", "!ssl", Some(0)),
    ("is: x86", "target: x86", None),
    ("target: x86", "target: x86", Some(1)),
    ("is: x86 target: arm", "is: x86 target: arm(v7)", None),
    ("is: x86 target: arm(v7)", "is: x86 target: arm(v7)", Some(4)),
    ("kernel.smp", "kernel.smp", Some(2)),
    ("~kernel.smp", "!kernel.smp", None),
    // strongly-not against prefers-not
    ("~!ssl", "ssl", Some(-2)),
    ("~ssl", "~!ssl", Some(-1)),
    ("!ssl", "~!ssl", Some(1)),
    ("readline,ssl", "~!readline,ssl", None),
    ("~!readline,ssl", "readline,ssl", Some(0)),
    ("!readline,ssl", "readline,ssl", None),
    ("~!readline,ssl", "~!readline,ssl", Some(3)),
    ("ssl,~builddocs is: x86(i686,sse2) x86_64", "~!builddocs,ssl is: x86(i686)", Some(4)),
    // instruction set subsets
    ("is: x86(i686)", "is: x86(i686,sse2)", None),
    ("is: x86(i686,sse2)", "is: x86(i686)", Some(3)),
    ("is: x86(i686,sse2)", "is: x86(i686,sse2)", Some(5)),
    ("is: x86(~i686,~sse2)", "is: x86(i686,sse2)", Some(3)),
    ("is: x86(i686)", "is: x86(i686,~sse2)", Some(2)),
    ("is: x86(i686,~!sse2)", "is: x86(i686,sse2)", Some(1)),
    ("is: x86(i686,!sse2)", "is: x86(i686,sse2)", None),
];

#[test]
fn scores() {
    for (system, trove, score) in SCORES {
        let (system_flavor, trove_flavor) = (fl(system), fl(trove));
        assert_eq!(
            system_flavor.score(&trove_flavor),
            *score,
            "'{system}' against '{trove}'"
        );
        assert_eq!(system_flavor.satisfies(&trove_flavor), score.is_some());
    }
}

#[test]
fn strong_satisfaction() {
    // (system, trove, satisfies, strongly satisfies)
    #[rustfmt::skip]
    let cases: &[(&str, &str, bool, bool)] = &[
        ("", "~ssl", true, false),
        ("~ssl", "~ssl", true, true),
        ("ssl", "~ssl", true, true),
        ("!ssl", "~!ssl", true, true),
        ("", "~!ssl", true, true),
        ("~!ssl", "ssl", true, false),
        ("~!ssl", "~ssl", true, false),
        ("is: x86(~sse2)", "is: x86(~!sse2)", true, false),
        ("is: x86(i686,~sse2) x86_64", "is: x86_64", true, true),
        ("is: x86_64", "is: x86", false, false),
    ];
    for (system, trove, satisfies, strongly) in cases {
        let (system_flavor, trove_flavor) = (fl(system), fl(trove));
        assert_eq!(
            system_flavor.satisfies(&trove_flavor),
            *satisfies,
            "'{system}' satisfies '{trove}'"
        );
        assert_eq!(
            system_flavor.strongly_satisfies(&trove_flavor),
            *strongly,
            "'{system}' strongly '{trove}'"
        );
    }
}

#[test]
fn strong_and_weak_forms() {
    // (flavor, strong, weak)
    #[rustfmt::skip]
    let cases: &[(&str, &str, &str)] = &[
        ("~foo,~bar,~!bam is: x86(~!i586)", "!bam,bar,foo is: x86(!i586)", "~!bam,~bar,~foo is: x86(~!i586)"),
        ("ssl,!pam", "!pam,ssl", "~!pam,~ssl"),
        ("is: x86 target: arm(~v7)", "is: x86 target: arm(v7)", "is: x86 target: arm(~v7)"),
        ("", "", ""),
    ];
    for (text, strong, weak) in cases {
        assert_eq!(fl(text).to_strong().to_string(), *strong);
        assert_eq!(fl(text).to_weak().to_string(), *weak);
    }
    // conary_test/depstest/depstest.py testStrongFlavor
    let strong = fl("~foo,~bar,~!bam is: x86(~!i586)").to_strong();
    assert_eq!(strong.freeze(), "1#x86:!i586|5#use:!bam:bar:foo");
    assert!(fl("is:").to_strong().has_class(FlavorClass::InstructionSet));
}

// ---------------------------------------------------------------- merging

/// (old, new, Prefs, Normal, DropConflicts) from testOverrideWeakPrefs,
/// testMergeNormal and testMergeDropConflicts; `None` is a conflict error.
#[rustfmt::skip]
const MERGE_TABLE: &[(&str, &str, &str, Option<&str>, &str)] = &[
    ("~foo", "foo", "~foo", Some("foo"), "foo"),
    ("~foo", "~foo", "~foo", Some("~foo"), "~foo"),
    ("~foo", "~!foo", "~!foo", None, ""),
    ("~foo", "!foo", "~!foo", Some("!foo"), "!foo"),
    ("~!foo", "foo", "~foo", Some("foo"), "foo"),
    ("~!foo", "~foo", "~foo", None, ""),
    ("~!foo", "~!foo", "~!foo", Some("~!foo"), "~!foo"),
    ("~!foo", "!foo", "~!foo", Some("!foo"), "!foo"),
    ("foo", "foo", "foo", Some("foo"), "foo"),
    ("foo", "~foo", "foo", Some("foo"), "foo"),
    ("foo", "~!foo", "~!foo", Some("foo"), "foo"),
    ("foo", "!foo", "!foo", None, ""),
    ("!foo", "foo", "foo", None, ""),
    ("!foo", "~foo", "~foo", Some("!foo"), "!foo"),
    ("!foo", "~!foo", "!foo", Some("!foo"), "!foo"),
    ("!foo", "!foo", "!foo", Some("!foo"), "!foo"),
];

type Merge = dyn Fn(&Flavor, &Flavor, MergeMode) -> Result<Flavor, FlavorError>;

fn check_merge(merge: &Merge, how: &str) {
    for (old, new, prefs, normal, drop) in MERGE_TABLE {
        let (old_flavor, new_flavor) = (fl(old), fl(new));
        let merged = |mode| merge(&old_flavor, &new_flavor, mode).map(|flavor| flavor.to_string());
        let context = format!("{how} '{old}' then '{new}'");
        assert_eq!(
            merged(MergeMode::Prefs).as_deref(),
            Ok(*prefs),
            "{context} prefs"
        );
        assert_eq!(
            merged(MergeMode::Override).as_deref(),
            Ok(*new),
            "{context} override"
        );
        assert_eq!(
            merged(MergeMode::DropConflicts).as_deref(),
            Ok(*drop),
            "{context} drop"
        );
        match normal {
            Some(normal) => assert_eq!(
                merged(MergeMode::Normal).as_deref(),
                Ok(*normal),
                "{context}"
            ),
            None => assert!(
                matches!(
                    merged(MergeMode::Normal),
                    Err(FlavorError::MergeConflict { .. })
                ),
                "{context} must conflict"
            ),
        }
    }
}

#[test]
fn merge_modes_with_override() {
    check_merge(
        &|old, new, mode| old.override_with(new, mode),
        "override_with",
    );
}

#[test]
fn merge_modes_with_union() {
    let union = |old: &Flavor, new: &Flavor, mode| {
        let mut merged = old.clone();
        merged.union(new, mode).map(|()| merged)
    };
    check_merge(&union, "union");
}

#[test]
fn merge_modes_with_merge_list() {
    check_merge(
        &|old, new, mode| Flavor::merge_list(&[old.clone(), new.clone()], mode),
        "merge_list",
    );
}

#[test]
fn dropped_conflicts_leave_the_empty_flavor() {
    let merged = fl("!foo").override_with(&fl("foo"), MergeMode::DropConflicts);
    assert_eq!(merged, Ok(Flavor::default()));
}

#[rustfmt::skip]
const UNIONS: &[(&str, &str, MergeMode, Option<&str>)] = &[
    // conary_test/depstest/depstest.py testDepClass and testDepUnion
    ("is: x86(i686,mmx)", "is: x86(cmov,i686)", MergeMode::Normal, Some("is: x86(cmov,i686,mmx)")),
    ("is: x86(~i686,mmx)", "is: x86(i686,~!mmx)", MergeMode::Normal, Some("is: x86(i686,mmx)")),
    ("is: x86(~!i686,!mmx)", "is: x86(!i686,~mmx)", MergeMode::Normal, Some("is: x86(!i686,!mmx)")),
    ("is: x86(!i686)", "is: x86(i686)", MergeMode::Normal, None),
    ("is: x86(!i686)", "is: x86(i686)", MergeMode::Override, Some("is: x86(i686)")),
    ("is: x86(i686)", "is: x86(i686)", MergeMode::Prefs, Some("is: x86(i686)")),
    ("is: x86(i686)", "is: x86(i686)", MergeMode::DropConflicts, Some("is: x86(i686)")),
    ("is: x86(~!i686)", "is: x86(~i686)", MergeMode::Normal, None),
    ("is: x86(~!i686)", "is: x86(~i686)", MergeMode::DropConflicts, Some("is: x86")),
    ("is: x86(~!i686)", "is: x86(~i686)", MergeMode::Override, Some("is: x86(~i686)")),
    ("is: x86(~!i686)", "is: x86(~i686)", MergeMode::Prefs, Some("is: x86(~i686)")),
    ("is: x86(!i686)", "is: x86(~!i686)", MergeMode::DropConflicts, Some("is: x86(!i686)")),
    ("is: x86(!i686)", "is: x86(~!i686)", MergeMode::Override, Some("is: x86(~!i686)")),
    ("is: x86(!i686)", "is: x86(~!i686)", MergeMode::Prefs, Some("is: x86(!i686)")),
    // classes only one side has
    ("is: x86", "is: x86_64", MergeMode::Normal, Some("is: x86 x86_64")),
    ("ssl", "is: x86", MergeMode::Normal, Some("ssl is: x86")),
    ("ssl is: x86", "is:", MergeMode::Normal, Some("ssl is: x86")),
    ("is:", "ssl", MergeMode::Normal, Some("ssl")),
    ("target: arm", "target: arm(v7)", MergeMode::Normal, Some("target: arm(v7)")),
];

#[test]
fn union_of_instruction_sets() {
    for (first, second, mode, expected) in UNIONS {
        let mut flavor = fl(first);
        let result = flavor.union(&fl(second), *mode);
        let context = format!("'{first}' with '{second}' {mode:?}");
        match expected {
            Some(expected) => {
                assert_eq!(result, Ok(()), "{context}");
                assert_eq!(flavor.to_string(), *expected, "{context}");
            }
            None => {
                assert!(result.is_err(), "{context} must conflict");
                assert_eq!(
                    flavor,
                    fl(first),
                    "a failed union leaves the flavor unchanged"
                );
            }
        }
    }
    let error = fl("ssl")
        .override_with(&fl("!ssl"), MergeMode::Normal)
        .expect_err("conflict");
    assert_eq!(
        error.to_string(),
        "conflicting flags in merge: 'ssl' and '!ssl'"
    );
}

#[test]
fn override_flavor() {
    // (configured flavor, flavor given by the user, result) in the default Override mode
    #[rustfmt::skip]
    let cases: &[(&str, &str, &str)] = &[
        // conary_test/depstest/depstest.py testOverrideFlavor
        ("foo,bar is:x86(i686)", "!foo is:x86_64", "bar,!foo is: x86_64"),
        ("foo is:x86(i686,!i586)", "!foo is:x86(i586)", "!foo is: x86(i586,i686)"),
        ("foo is:x86(i686,!i586) x86_64", "!foo is:x86(i586)", "!foo is: x86(i586,i686)"),
        // the command line over the configuration: `foo[!ssl]`
        ("ssl is: x86_64", "!ssl", "!ssl is: x86_64"),
        ("ssl is: x86_64", "is:", "ssl"),
        ("ssl is: x86 x86_64", "is: x86", "ssl is: x86"),
        ("ssl is: x86 x86_64", "pam", "pam,ssl is: x86 x86_64"),
        ("is: x86 target: arm", "target: ppc", "is: x86 target: ppc"),
        ("is: x86 target: arm(v7)", "target: arm(!v7)", "is: x86 target: arm(!v7)"),
        ("~readline,ssl is: x86", "~!readline", "~!readline,ssl is: x86"),
        ("", "ssl is: x86", "ssl is: x86"),
    ];
    for (old, new, result) in cases {
        let flavor = fl(old)
            .override_with(&fl(new), MergeMode::Override)
            .expect("never fails");
        assert_eq!(flavor.to_string(), *result, "'{new}' over '{old}'");
    }
    let frozen = |old: &str, new: &str| {
        fl(old)
            .override_with(&fl(new), MergeMode::Override)
            .map(|f| f.freeze())
    };
    assert_eq!(
        frozen("foo,bar is:x86(i686)", "!foo is:x86_64").as_deref(),
        Ok("1#x86_64|5#use:bar:!foo")
    );
    let frozen_two = frozen("foo is:x86(i686,!i586) x86_64", "!foo is:x86(i586)");
    assert_eq!(frozen_two.as_deref(), Ok("1#x86:i586:i686|5#use:!foo"));
}

#[test]
fn merge_list_of_many() {
    // conary_test/depstest/depstest.py testMergeFlavorList
    #[rustfmt::skip]
    let cases: &[(&[&str], MergeMode, &str)] = &[
        (&["foo", "~bar", "!bar", "baz"], MergeMode::Normal, "!bar,baz,foo"),
        (&["foo", "~foo", "~!foo", "!foo"], MergeMode::DropConflicts, ""),
        (&["foo", "~foo", "~!foo", "bar"], MergeMode::DropConflicts, "bar,foo"),
        (&["foo", "!foo"], MergeMode::DropConflicts, ""),
        (&["is:", "is:"], MergeMode::DropConflicts, ""),
        (&["foo", "~foo", "~foo"], MergeMode::Prefs, "foo"),
        (&["foo", "~foo", "~!foo"], MergeMode::Prefs, "~!foo"),
        (&["foo", "~!foo", ""], MergeMode::Prefs, "~!foo"),
        (&["is:x86(!i686)", "~!foo", "is:x86_64", "is:x86(i686)"], MergeMode::Prefs, "~!foo is: x86(i686) x86_64"),
        (&["ssl", "~!ssl", "!ssl"], MergeMode::Override, "!ssl"),
        (&[], MergeMode::Normal, ""),
    ];
    for (flavors, mode, merged) in cases {
        let result = Flavor::merge_list(&fls(flavors), *mode).expect("no conflict");
        assert_eq!(result.to_string(), *merged, "{flavors:?} {mode:?}");
    }
    let empty = Flavor::merge_list(&fls(&["is:", "is:"]), MergeMode::DropConflicts);
    assert_eq!(empty, Ok(Flavor::default()));
    assert!(Flavor::merge_list(&fls(&["foo", "~foo", "!foo"]), MergeMode::Normal).is_err());
}

#[test]
fn fill_missing_classes_from_a_base() {
    // conary_test/depstest/depstest.py testParseFlavor, the mergeFlavor part
    #[rustfmt::skip]
    let cases: &[(&str, &str, &str)] = &[
        ("is: x86(sse)", "use: gtk", "gtk is: x86(sse)"),
        ("gnome is: x86(sse)", "use: gtk", "gnome is: x86(sse)"),
        ("use: gnome", "is: x86(mmx)", "gnome is: x86(mmx)"),
        ("use: gnome is:", "is: x86(mmx)", "gnome"),
        ("use: is: ", "", ""),
        ("use: is: ", "ssl is: x86(mmx)", ""),
        ("use: ssl is: x86", "use: gtk is: x86(mmx)", "ssl is: x86"),
        ("use: ssl", "is: x86(mmx) x86_64", "ssl is: x86(mmx) x86_64"),
        ("target: arm", "ssl is: x86 target: ppc", "ssl is: x86 target: arm"),
        ("", "ssl is: x86 target: ppc", "ssl is: x86"),
    ];
    for (flavor, base, merged) in cases {
        assert_eq!(
            fl(flavor).fill_from(&fl(base)).to_string(),
            *merged,
            "'{flavor}' on '{base}'"
        );
    }
}

// ---------------------------------------------------------------- choosing a flavor

/// (system flavor path, machine arches for preferences, candidates, best)
type BestCase = (
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
    Option<&'static str>,
);

#[rustfmt::skip]
const BEST: &[BestCase] = &[
    // the query flavor decides (conary_test/flavortest.py testFlavorQueries)
    (&["readline,ssl"], &[], &["readline,ssl", "~!readline,ssl"], Some("readline,ssl")),
    (&["~!readline,ssl"], &[], &["readline,ssl", "~!readline,ssl"], Some("~!readline,ssl")),
    (&["!readline,ssl"], &[], &["readline,ssl", "~!readline,ssl"], Some("~!readline,ssl")),
    (&["~!readline,ssl"], &[], &["readline,ssl"], Some("readline,ssl")),
    (&["!readline,ssl"], &[], &["readline,ssl"], None),
    (&["~readline"], &[], &["readline,ssl", "~!readline,ssl"], None),
    // instruction set subsets
    (&["is: x86(i686)"], &[], &["is: x86(i686,sse2)", "is: x86(i686)"], Some("is: x86(i686)")),
    (&["is: x86(i686,sse2)"], &[], &["is: x86(i686)", "is: x86(i686,sse2)"], Some("is: x86(i686,sse2)")),
    (&["is: x86(~i686,~sse2)"], &[], &["is: x86(i686)", "is: x86(i686,sse2)"], Some("is: x86(i686,sse2)")),
    (&["is: x86(i686,!sse2)"], &[], &["is: x86(i686)", "is: x86(i686,sse2)"], Some("is: x86(i686)")),
    (&["is: x86(i686,~!sse2)"], &[], &["is: x86(i686,sse2)", "is: x86(i686)"], Some("is: x86(i686)")),
    (&["is: x86"], &[], &["is: x86", "is: x86(~!i686)"], Some("is: x86(~!i686)")),
    // preferences beat a higher score; the query's own arches bring preferences
    (&["ssl is: x86(i686) x86_64"], &["x86_64"], &["ssl is: x86(i686)", "is: x86_64"], Some("is: x86_64")),
    (&["ssl is: x86(i686) x86_64"], &[], &["ssl is: x86(i686)", "is: x86_64"], Some("is: x86_64")),
    (&["ssl is: x86(i686)"], &[], &["ssl is: x86(i686)", "is: x86_64"], Some("ssl is: x86(i686)")),
    (&["is: x86 x86_64"], &["x86_64"], &["is: x86", "is: x86 x86_64"], Some("is: x86 x86_64")),
    (&["is: x86 x86_64"], &["x86_64"], &["is: x86", ""], Some("is: x86")),
    (&["is: x86 x86_64"], &["x86_64"], &["", "ssl"], Some("")),
    // the flavor path: the first entry with a result wins
    (&["is: x86_64", "is: x86 x86_64"], &["x86_64"], &["is: x86", "is: x86_64"], Some("is: x86_64")),
    (&["is: x86_64", "is: x86 x86_64"], &["x86_64"], &["is: x86"], Some("is: x86")),
    (&["is: ppc", "is: x86"], &[], &["is: x86_64"], None),
    (&[], &[], &["is: x86"], None),
    (&["is: x86"], &[], &[], None),
];

#[test]
fn best_flavor_with_preferences() {
    for (path, arches, candidates, best) in BEST {
        let (path, candidates) = (fls(path), fls(candidates));
        let preferences = FlavorPreferences::for_arches(arches);
        let found = best_flavor(&path, &preferences, &candidates).map(Flavor::to_string);
        assert_eq!(
            found.as_deref(),
            *best,
            "path {path:?} among {candidates:?}"
        );
    }
}

const V1: u32 = 1;
const V2: u32 = 2;

/// The troves of conary_test/repositorytest/trovesourcetest.py testFlavorMatchingAsRepository.
fn trove_source() -> Vec<(u32, Flavor)> {
    let troves = [
        (V1, "readline,!ssl"),
        (V1, "!readline,ssl"),
        (V2, "!readline,!ssl"),
        (V2, "readline,ssl"),
    ];
    troves
        .iter()
        .map(|(version, flavor)| (*version, fl(flavor)))
        .collect()
}

type LatestCase = (&'static str, Option<(u32, &'static str)>);

/// (troves as version and flavor, the best trove)
type VersionedCase = (&'static [(u32, &'static str)], Option<(u32, &'static str)>);

fn check_latest(selector: &FlavorSelector, troves: &[(u32, Flavor)], cases: &[LatestCase]) {
    for (query, best) in cases {
        assert_eq!(
            found(selector.latest(&fl(query), troves)),
            expected(*best),
            "query '{query}'"
        );
    }
}

#[test]
fn latest_as_repository() {
    let selector = FlavorSelector::default();
    #[rustfmt::skip]
    check_latest(&selector, &trove_source(), &[
        ("readline,!ssl", Some((V1, "readline,!ssl"))),
        ("", Some((V2, "!readline,!ssl"))),
        ("ssl", Some((V1, "!readline,ssl"))),
        ("~!readline,~ssl", Some((V2, "readline,ssl"))),
        ("readline,ssl", Some((V2, "readline,ssl"))),
        // troves without instruction sets do not care about the system's
        ("is: x86", Some((V2, "!readline,!ssl"))),
        ("readline,pam,ssl", Some((V2, "readline,ssl"))),
    ]);
    let flavors: Vec<Flavor> = trove_source()
        .into_iter()
        .map(|(_, flavor)| flavor)
        .collect();
    let allowed = selector.allowed(&fl("~readline,~!ssl"), &flavors);
    assert_eq!(texts(allowed), ["readline,!ssl", "readline,ssl"]);
}

#[test]
fn latest_as_database() {
    let selector = FlavorSelector::default().with_check(FlavorCheck::Strong);
    #[rustfmt::skip]
    check_latest(&selector, &trove_source(), &[
        ("readline,!ssl", Some((V1, "readline,!ssl"))),
        ("ssl", Some((V2, "readline,ssl"))),
        ("readline", Some((V2, "readline,ssl"))),
        ("~!readline,~ssl", Some((V1, "!readline,ssl"))),
        ("~readline,~!ssl", Some((V1, "readline,!ssl"))),
    ]);
    // every flavor scores the same against the empty query; the newest version wins
    let troves = trove_source();
    assert_eq!(
        selector
            .latest(&Flavor::default(), &troves)
            .map(|(v, _)| *v),
        Some(V2)
    );
    let flavors: Vec<Flavor> = troves.into_iter().map(|(_, flavor)| flavor).collect();
    assert_eq!(
        texts(selector.allowed(&fl("~readline,~!ssl"), &flavors)),
        ["readline,!ssl"]
    );
}

#[test]
fn latest_with_flavor_queries() {
    // conary_test/flavortest.py testFlavorQueries and testLatestByLabel
    let selector = FlavorSelector::default();
    let troves = vec![
        (V1, fl("readline,ssl")),
        (V1, fl("~!readline,ssl")),
        (V2, fl("readline,ssl")),
    ];
    #[rustfmt::skip]
    check_latest(&selector, &troves, &[
        ("readline,ssl", Some((V2, "readline,ssl"))),
        ("~!readline,ssl", Some((V2, "readline,ssl"))),
        ("!readline,ssl", Some((V1, "~!readline,ssl"))),
    ]);
    // conary_test/flavortest.py testLeavesFlavor: the least desirable but newest wins
    let troves = vec![
        (9, fl("flag1,flag2,flag3")),
        (1, fl("flag1")),
        (2, fl("flag1,flag2")),
    ];
    let found = selector
        .latest(&fl("~!flag1,~!flag2,~!flag3"), &troves)
        .map(|(v, _)| *v);
    assert_eq!(found, Some(9));
}

#[test]
fn latest_with_preferences() {
    let selector = FlavorSelector::new(FlavorPreferences::for_arches(&["x86", "x86_64"]));
    let query = fl("is: x86 x86_64");
    #[rustfmt::skip]
    let cases: &[VersionedCase] = &[
        // an older trove of a preferred arch beats a newer one of a worse arch
        (&[(1, "is: x86_64"), (2, "is: x86")], Some((1, "is: x86_64"))),
        (&[(1, "is: x86_64"), (2, "is: x86_64"), (3, "is: x86")], Some((2, "is: x86_64"))),
        (&[(1, "is: x86"), (2, "is: x86")], Some((2, "is: x86"))),
        // a newer trove that matches no preference (no instruction set) wins
        (&[(1, "is: x86_64"), (2, "")], Some((2, ""))),
        (&[(1, "is: x86_64"), (2, "is: x86"), (3, "")], Some((3, ""))),
        (&[(1, ""), (2, "is: x86_64")], Some((2, "is: x86_64"))),
        // within a version, the best preference and then the best score
        (&[(1, "is: x86"), (1, "is: x86_64"), (1, "is: x86 x86_64")], Some((1, "is: x86 x86_64"))),
        (&[(1, "is: ppc")], None),
    ];
    for (troves, best) in cases {
        let troves: Vec<(u32, Flavor)> = troves.iter().map(|(v, f)| (*v, fl(f))).collect();
        assert_eq!(
            found(selector.latest(&query, &troves)),
            expected(*best),
            "among {troves:?}"
        );
    }
    // without preferences the newest compatible version wins, whatever its score
    let plain = FlavorSelector::default();
    let troves = vec![(1, fl("ssl")), (2, fl(""))];
    assert_eq!(plain.latest(&fl("ssl"), &troves).map(|(v, _)| *v), Some(2));
    // ... unless the query's instruction sets bring their own preferences
    let troves = vec![(1, fl("is: x86_64")), (2, fl("is: x86"))];
    assert_eq!(
        plain
            .latest(&fl("is: x86(i686) x86_64"), &troves)
            .map(|(v, _)| *v),
        Some(1)
    );
    assert_eq!(
        plain.latest(&fl("is: x86(i686)"), &troves).map(|(v, _)| *v),
        Some(2)
    );
}

#[test]
fn primary_flavor_must_hold_strongly() {
    let candidates = fls(&["readline,ssl", "~readline,!ssl", "!readline"]);
    // "readline,ssl" fails the query itself; "~readline" counts as "readline" when made strong
    let selector = FlavorSelector::default().with_primary(fl("readline"));
    assert_eq!(
        texts(selector.allowed(&Flavor::default(), &candidates)),
        ["~readline,!ssl"]
    );
    let selector = FlavorSelector::default().with_primary(fl("~!readline"));
    assert_eq!(selector.best(&fl("~readline,ssl"), &candidates), None);
    assert_eq!(
        selector
            .best(&fl("ssl"), &candidates)
            .map(Flavor::to_string)
            .as_deref(),
        Some("!readline")
    );
}

// ---------------------------------------------------------------- properties

fn sense() -> impl Strategy<Value = Sense> {
    prop_oneof![
        Just(Sense::Required),
        Just(Sense::Disallowed),
        Just(Sense::Preferred),
        Just(Sense::PreferNot)
    ]
}

type ArchList = Vec<(String, Vec<(String, Sense)>)>;

fn arches() -> impl Strategy<Value = ArchList> {
    let flags = prop::collection::vec(("[a-z0-9][a-z0-9_-]{0,4}", sense()), 0..3);
    prop::collection::vec(("[a-z][a-z0-9_]{0,5}", flags), 1..3)
}

prop_compose! {
    fn flavors()(
        use_flags in prop::option::of(prop::collection::vec(
            ("[a-z][a-z0-9_-]{0,5}(\\.[a-z0-9][a-z0-9_]{0,3})?", sense()), 1..5)),
        instruction_sets in prop::option::of(arches()),
        targets in prop::option::of(arches()),
    ) -> Flavor {
        let mut flavor = Flavor::new();
        for (name, sense) in use_flags.into_iter().flatten() {
            flavor.set_use_flag(&name, sense).expect("generated names are valid");
        }
        for (class, arches) in [(FlavorClass::InstructionSet, instruction_sets), (FlavorClass::Target, targets)] {
            // a repeated flag or instruction set keeps the last one, as a flag list does
            let arches: BTreeMap<String, BTreeMap<String, Sense>> = arches
                .into_iter()
                .flatten()
                .map(|(arch, flags)| (arch, flags.into_iter().collect()))
                .collect();
            for (arch, flags) in &arches {
                let flags: Vec<(&str, Sense)> = flags.iter().map(|(name, sense)| (name.as_str(), *sense)).collect();
                flavor.add_arch(class, arch, &flags).expect("generated names are valid");
            }
        }
        flavor
    }
}

/// Text made of the pieces of the flavor grammar, to reach deep into the parser.
fn flavorish_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("use:".to_string()),
        Just("is:".to_string()),
        Just("target:".to_string()),
        "[a-z0-9_.-]{1,6}",
        "[ ,()!~:.]{1,2}",
        Just("\u{e9}".to_string()),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|pieces| pieces.concat())
}

/// Explicitly empty classes print as nothing, so they do not survive a round
/// trip through text; merging onto the empty flavor drops them the same way.
fn without_empty_classes(flavor: &Flavor) -> Flavor {
    let mut copy = Flavor::new();
    copy.union(flavor, MergeMode::Normal)
        .expect("merging onto the empty flavor never conflicts");
    copy
}

proptest! {
    #[test]
    fn format_then_parse_is_identity(flavor in flavors()) {
        let text = flavor.to_string();
        let parsed: Flavor = text.parse().expect("canonical text parses");
        prop_assert_eq!(&parsed, &flavor);
        prop_assert_eq!(parsed.to_string(), text);
    }

    #[test]
    fn freeze_then_thaw_is_identity(flavor in flavors()) {
        prop_assert_eq!(Flavor::thaw(&flavor.freeze()).expect("frozen form thaws"), flavor);
    }

    #[test]
    fn parse_never_panics(text in any::<String>()) {
        let _ = text.parse::<Flavor>();
        let _ = Flavor::thaw(&text);
    }

    #[test]
    fn canonical_formatting_is_stable(text in flavorish_text()) {
        if let Ok(flavor) = text.parse::<Flavor>() {
            let canonical = flavor.to_string();
            let again: Flavor = canonical.parse().expect("canonical text parses");
            prop_assert_eq!(again.to_string(), canonical);
            prop_assert_eq!(again, without_empty_classes(&flavor));
        }
    }

    #[test]
    fn a_flavor_satisfies_itself_and_its_strong_self(flavor in flavors()) {
        let strong = flavor.to_strong();
        prop_assert!(flavor.satisfies(&flavor));
        prop_assert!(flavor.strongly_satisfies(&flavor));
        prop_assert!(flavor.satisfies(&strong));
        prop_assert!(strong.satisfies(&flavor));
        prop_assert!(strong.satisfies(&strong));
        prop_assert!(flavor.score(&flavor).is_some_and(|score| score >= 0));
    }

    #[test]
    fn strong_and_weak_are_idempotent(flavor in flavors()) {
        prop_assert_eq!(flavor.to_strong().to_strong(), flavor.to_strong());
        prop_assert_eq!(flavor.to_weak().to_weak(), flavor.to_weak());
        prop_assert_eq!(flavor.to_weak().to_strong(), flavor.to_strong());
    }

    #[test]
    fn merging_with_itself_changes_nothing(flavor in flavors()) {
        for mode in [MergeMode::Normal, MergeMode::Override, MergeMode::Prefs, MergeMode::DropConflicts] {
            let mut merged = flavor.clone();
            merged.union(&flavor, mode).expect("a flavor never conflicts with itself");
            prop_assert_eq!(&merged, &flavor);
            prop_assert_eq!(&flavor.override_with(&flavor, mode).expect("no conflict"), &flavor);
        }
        prop_assert!(flavor.difference(&flavor, true).is_empty());
        prop_assert_eq!(flavor.intersection(&flavor, true), flavor.clone());
        prop_assert!(flavor.is_compatible_with(&flavor));
    }

    #[test]
    fn override_takes_the_new_flags_and_arches(old in flavors(), new in flavors()) {
        let merged = old.override_with(&new, MergeMode::Override).expect("override never fails");
        for (flag, sense) in new.use_flags() {
            prop_assert_eq!(merged.use_flag(flag), Some(sense));
        }
        // the new flavor's instruction sets replace the old ones when it names any
        let new_arches: Vec<&str> = new.instruction_sets().collect();
        let merged_arches: Vec<&str> = merged.instruction_sets().collect();
        if new_arches.is_empty() {
            prop_assert_eq!(merged_arches, old.instruction_sets().collect::<Vec<_>>());
        } else {
            prop_assert_eq!(merged_arches, new_arches);
        }
    }
}

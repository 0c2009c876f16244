//! Unit tests of the clone map and label mappings over an in-memory
//! trove source.

use std::collections::BTreeSet;

use conary_core::trove::{Trove, TroveTuple};
use conary_core::version::{Branch, Label, Version};
use proptest::prelude::*;

use super::{
    CloneError, CloneOptions, Destination, LabelMapping, check_related, plan, reshape,
    target_for_label,
};

const DEV: &str = "conary.example.com@rpl:dev";

type Memory = crate::test_source::MemorySource;

fn version(text: &str) -> Version {
    Version::thaw(text).expect("version")
}

fn tuple(name: &str, version_text: &str, flavor: &str) -> TroveTuple {
    TroveTuple::new(
        name.parse().expect("name"),
        version(version_text),
        flavor.parse().expect("flavor"),
    )
}

/// A world on `dev`: `tunable` in two flavors and `hello`, each with a
/// runtime component and a source, and `group-dist` holding them.
fn world() -> (Memory, TroveTuple) {
    let mut memory = Memory::default();
    let source_version = format!("/{DEV}/1700000000.000:1.0-1");
    let binary = format!("/{DEV}/1700000001.000:1.0-1-1");
    let mut group = Trove::new(
        "group-dist".parse().expect("name"),
        version(&format!("/{DEV}/1700000002.000:1.0-1-1")),
        Default::default(),
    );
    for (name, flavor) in [("tunable", "ssl"), ("tunable", "!ssl"), ("hello", "")] {
        let source = Trove::new(
            format!("{name}:source").parse().expect("name"),
            version(&source_version),
            Default::default(),
        );
        memory.put(source.clone());
        let runtime = tuple(&format!("{name}:runtime"), &binary, flavor);
        let mut component = Trove::new(
            runtime.name.clone(),
            runtime.version.clone(),
            runtime.flavor.clone(),
        );
        component.info.source_name = Some(source.name.clone());
        component.info.source_version = Some(source.version.clone());
        memory.put(component);
        let mut package = Trove::new(
            name.parse().expect("name"),
            runtime.version.clone(),
            runtime.flavor.clone(),
        );
        package.info.source_name = Some(source.name.clone());
        package.info.source_version = Some(source.version.clone());
        package.add_strong_ref(runtime.clone(), true);
        memory.put(package.clone());
        // The group names one flavor of tunable; the other comes along.
        if flavor != "ssl" {
            group.add_strong_ref(package.tuple(), true);
            group.add_weak_ref(runtime, true);
        }
    }
    let group_tuple = group.tuple();
    memory.put(group);
    (memory, group_tuple)
}

fn promote(to: &str) -> Destination {
    let default: Label = DEV.parse().expect("label");
    Destination::Labels(vec![LabelMapping::parse(to, Some(&default)).expect("map")])
}

#[test]
fn a_group_is_promoted_with_its_packages_sources_and_all_flavors() {
    let (mut memory, group) = world();
    let planned = plan(
        &memory,
        std::slice::from_ref(&group),
        &promote(":dev--:qa"),
        &CloneOptions::default(),
    )
    .expect("plan");
    let copies: BTreeSet<String> = planned
        .troves
        .iter()
        .map(|t| t.tuple().to_string())
        .collect();
    let qa = "/conary.example.com@rpl:qa/1.0-1";
    let expected: BTreeSet<String> = [
        format!("group-dist={qa}-1[]"),
        format!("hello={qa}-1[]"),
        format!("hello:runtime={qa}-1[]"),
        format!("hello:source={qa}[]"),
        format!("tunable={qa}-1[ssl]"),
        format!("tunable={qa}-1[!ssl]"),
        format!("tunable:runtime={qa}-1[ssl]"),
        format!("tunable:runtime={qa}-1[!ssl]"),
        format!("tunable:source={qa}[]"),
    ]
    .into_iter()
    .collect();
    assert_eq!(copies, expected);
    let copy = planned
        .troves
        .iter()
        .find(|t| t.name.as_str() == "group-dist")
        .expect("group copy");
    assert_eq!(
        copy.info.cloned_from.as_ref().map(Version::freeze),
        Some(group.version.freeze())
    );
    assert_eq!(copy.info.cloned_from_list, vec![group.version.clone()]);
    for (member, _, _) in copy.iter_refs() {
        assert_eq!(member.version.trailing_label().tag(), "qa", "{member}");
    }
    let hello = planned
        .troves
        .iter()
        .find(|t| t.name.as_str() == "hello")
        .expect("hello copy");
    assert_eq!(
        hello.info.source_version.as_ref().map(ToString::to_string),
        Some(qa.to_owned())
    );
    assert_eq!(planned.primary.len(), 1);

    // Once committed, promoting again is a no-op; so is a second hop's
    // repeat.
    memory.commit(&planned.troves);
    let again = plan(
        &memory,
        std::slice::from_ref(&group),
        &promote(":dev--:qa"),
        &CloneOptions::default(),
    )
    .expect("plan");
    assert!(again.is_noop());
    assert!(again.entries.iter().all(|entry| entry.already));
    assert_eq!(again.entries.len(), 9);
}

#[test]
fn exact_flavors_and_without_sources() {
    let (memory, group) = world();
    let options = CloneOptions {
        all_flavors: false,
        with_sources: false,
        ..CloneOptions::default()
    };
    let error = plan(&memory, &[group], &promote(":dev--:qa"), &options).expect_err("no source");
    assert!(
        matches!(error, CloneError::Lineage { what: "source", .. }),
        "{error}"
    );
    let (memory, group) = world();
    let options = CloneOptions {
        all_flavors: false,
        ..CloneOptions::default()
    };
    let planned = plan(&memory, &[group], &promote(":dev--:qa"), &options).expect("plan");
    assert!(
        !planned
            .troves
            .iter()
            .any(|t| t.name.as_str() == "tunable" && t.flavor.to_string() == "ssl"),
        "only the flavor named"
    );
}

#[test]
fn a_build_requirement_missing_on_the_target_breaks_lineage() {
    let (mut memory, group) = world();
    let libc = Trove::new(
        "libc:runtime".parse().expect("name"),
        version(&format!("/{DEV}/1600000000.000:2.0-1-1")),
        Default::default(),
    );
    memory.put(libc.clone());
    let mut hello = memory
        .troves
        .values()
        .find(|t| t.name.as_str() == "hello:runtime")
        .expect("hello")
        .clone();
    hello.info.build_requirements.insert(libc.tuple());
    memory.put(hello);
    let error = plan(
        &memory,
        std::slice::from_ref(&group),
        &promote(":dev--:qa"),
        &CloneOptions::default(),
    )
    .expect_err("lineage");
    let text = error.to_string();
    assert!(
        text.starts_with("lineage would break: build requirement libc:runtime="),
        "{text}"
    );
    assert!(
        text.contains("is not on /conary.example.com@rpl:qa"),
        "{text}"
    );
    let skipped = CloneOptions {
        skip_build_info: true,
        ..CloneOptions::default()
    };
    plan(&memory, &[group], &promote(":dev--:qa"), &skipped).expect("skipped");
}

#[test]
fn clone_to_a_branch_refuses_unrelated_targets_and_conflicts() {
    let (mut memory, group) = world();
    let hello = tuple("hello", &format!("/{DEV}/1700000001.000:1.0-1-1"), "");
    let other: Branch = "/other.example.com@x:y".parse().expect("branch");
    let error = plan(
        &memory,
        std::slice::from_ref(&hello),
        &Destination::Branch(other),
        &CloneOptions::default(),
    )
    .expect_err("unrelated");
    assert!(matches!(error, CloneError::Unrelated { .. }), "{error}");

    // A different trove already holds the version on the target.
    let mut squatter = Trove::new(
        "hello".parse().expect("name"),
        version("/conary.example.com@rpl:qa/1700000009.000:1.0-1-1"),
        Default::default(),
    );
    squatter.info.cloned_from = None;
    memory.put(squatter);
    let qa: Branch = "/conary.example.com@rpl:qa".parse().expect("branch");
    let error = plan(
        &memory,
        &[hello],
        &Destination::Branch(qa),
        &CloneOptions::default(),
    )
    .expect_err("conflict");
    assert!(matches!(error, CloneError::Conflict { .. }), "{error}");

    // Troves of two branches in one clone.
    let elsewhere = Trove::new(
        "other".parse().expect("name"),
        version("/conary.example.com@rpl:misc/1700000000.000:1.0-1-1"),
        Default::default(),
    );
    memory.put(elsewhere.clone());
    let qa: Branch = "/conary.example.com@rpl:qa".parse().expect("branch");
    let error = plan(
        &memory,
        &[group, elsewhere.tuple()],
        &Destination::Branch(qa),
        &CloneOptions::default(),
    )
    .expect_err("two branches");
    assert!(
        error.to_string().contains("clone each branch on its own"),
        "{error}"
    );
}

#[test]
fn targets_are_siblings_or_parents() {
    let label = |text: &str| -> Label { text.parse().expect("label") };
    let branch = |text: &str| -> Branch { text.parse().expect("branch") };
    assert_eq!(
        target_for_label(&branch("/a@r:dev"), &label("a@r:qa"))
            .expect("trunk")
            .to_string(),
        "/a@r:qa"
    );
    assert_eq!(
        target_for_label(&branch("/a@r:1//b@r:dev"), &label("b@r:qa"))
            .expect("sibling shadow")
            .to_string(),
        "/a@r:1//b@r:qa"
    );
    assert_eq!(
        target_for_label(&branch("/a@r:1//b@r:dev"), &label("a@r:1"))
            .expect("uphill")
            .to_string(),
        "/a@r:1"
    );
    check_related(&branch("/a@r:1//b@r:dev"), &branch("/a@r:1")).expect("parent");
    check_related(&branch("/a@r:1//b@r:dev"), &branch("/a@r:1//b@r:qa")).expect("sibling");
    check_related(&branch("/a@r:dev"), &branch("/a@r:qa")).expect("trunks");
    check_related(&branch("/a@r:dev"), &branch("/b@r:prod")).expect("another repository");
    assert!(check_related(&branch("/a@r:dev"), &branch("/a@other:qa")).is_err());
    assert!(check_related(&branch("/a@r:1//b@r:dev"), &branch("/c@r:1//b@r:qa")).is_err());

    // A shadow's dotted revision does not fit its parent.
    let changed = version("/a@r:1//b@r:dev/1700000000.000:1.0-1.1-1");
    let error = reshape(&changed, &branch("/a@r:1")).expect_err("too many counts");
    assert!(matches!(error, CloneError::Reshape { .. }), "{error}");
    let reshaped = reshape(&changed, &branch("/a@r:1//b@r:qa")).expect("fits");
    assert_eq!(reshaped.to_string(), "/a@r:1//b@r:qa/1.0-1.1-1");
    assert_eq!(reshaped.timestamp(), None);
}

#[test]
fn label_mappings_parse_full_and_abbreviated() {
    let default: Label = DEV.parse().expect("label");
    let both = |text: &str| {
        let m = LabelMapping::parse(text, Some(&default)).expect(text);
        (m.from.to_string(), m.to.to_string())
    };
    let qa = "conary.example.com@rpl:qa".to_owned();
    let prod = "conary.example.com@rpl:prod".to_owned();
    assert_eq!(both(":qa--:prod"), (qa.clone(), prod.clone()));
    assert_eq!(both("@rpl:qa--@rpl:prod"), (qa.clone(), prod.clone()));
    assert_eq!(both(&format!("{qa}--{prod}")), (qa.clone(), prod.clone()));
    assert_eq!(
        both(&format!("{qa}--other.example.com@")),
        (qa.clone(), "other.example.com@rpl:qa".to_owned())
    );
    for bad in [":qa", ":qa--", "--:prod", ":qa--:qa", ":q/a--:prod", ""] {
        let error = LabelMapping::parse(bad, Some(&default)).expect_err(bad);
        assert!(
            error
                .to_string()
                .starts_with(&format!("invalid label mapping '{bad}'")),
            "{error}"
        );
    }
    let error = LabelMapping::parse(":qa--:prod", None).expect_err("no default");
    assert!(error.to_string().contains("no buildLabel"), "{error}");
}

proptest! {
    #[test]
    fn abbreviated_tags_keep_host_and_namespace(
        from in "[a-z][a-z0-9.]{0,8}",
        to in "[a-z][a-z0-9.]{0,8}",
        host in "[a-z]{1,6}\\.example\\.com",
        namespace in "[a-z]{1,5}",
    ) {
        let default = Label::new(&host, &namespace, "devel").expect("label");
        let parsed = LabelMapping::parse(&format!(":{from}--:{to}"), Some(&default));
        if from == to {
            prop_assert!(parsed.is_err());
        } else {
            let mapping = parsed.expect("valid");
            prop_assert_eq!(mapping.from.to_string(), format!("{host}@{namespace}:{from}"));
            prop_assert_eq!(mapping.to.to_string(), format!("{host}@{namespace}:{to}"));
            let full = format!("{}--{}", mapping.from, mapping.to);
            prop_assert_eq!(LabelMapping::parse(&full, None).expect("full"), mapping);
        }
    }

    #[test]
    fn any_text_parses_or_fails_without_panicking(text in ".{0,40}") {
        let default: Label = DEV.parse().expect("label");
        let _ = LabelMapping::parse(&text, Some(&default));
        let _ = LabelMapping::parse(&text, None);
    }
}

#[test]
fn default_only_and_exclude_groups_narrow_the_clone() {
    let (mut memory, group) = world();
    let hello = memory
        .troves
        .values()
        .find(|t| t.name.as_str() == "hello")
        .expect("hello")
        .clone();
    let debuginfo = Trove::new(
        "hello:debuginfo".parse().expect("name"),
        hello.version.clone(),
        hello.flavor.clone(),
    );
    let mut package = hello.clone();
    package.add_strong_ref(debuginfo.tuple(), false);
    memory.put(debuginfo.clone());
    memory.put(package);

    let all = plan(
        &memory,
        std::slice::from_ref(&group),
        &promote(":dev--:qa"),
        &CloneOptions::default(),
    )
    .expect("plan");
    assert!(
        all.troves
            .iter()
            .any(|t| t.name.as_str() == "hello:debuginfo")
    );

    let options = CloneOptions {
        default_only: true,
        exclude_groups: true,
        ..CloneOptions::default()
    };
    let narrow = plan(&memory, &[group], &promote(":dev--:qa"), &options).expect("plan");
    let names: BTreeSet<&str> = narrow.troves.iter().map(|t| t.name.as_str()).collect();
    assert!(!names.contains("hello:debuginfo"), "{names:?}");
    assert!(!names.contains("group-dist"), "{names:?}");
    assert!(
        names.contains("hello") && names.contains("tunable:runtime"),
        "{names:?}"
    );
    let copy = narrow
        .troves
        .iter()
        .find(|t| t.name.as_str() == "hello")
        .expect("hello copy");
    assert_eq!(
        copy.strong_refs.len(),
        1,
        "the debuginfo reference is dropped"
    );
}

/// `foo` (source, package, runtime) at `version_text` (binary) and
/// `source_text`.
fn put_foo(memory: &mut Memory, source_text: &str, binary_text: &str) -> TroveTuple {
    let source = Trove::new(
        "foo:source".parse().expect("name"),
        version(source_text),
        Default::default(),
    );
    let runtime = tuple("foo:runtime", binary_text, "");
    let mut component = Trove::new(
        runtime.name.clone(),
        runtime.version.clone(),
        Default::default(),
    );
    component.info.source_name = Some(source.name.clone());
    component.info.source_version = Some(source.version.clone());
    let mut package = Trove::new(
        "foo".parse().expect("name"),
        runtime.version.clone(),
        Default::default(),
    );
    package.info = component.info.clone();
    package.add_strong_ref(runtime, true);
    let root = package.tuple();
    memory.put(source);
    memory.put(component);
    memory.put(package);
    root
}

#[test]
fn uphill_clones_reuse_the_parent_or_number_after_it() {
    let mut memory = Memory::default();
    put_foo(
        &mut memory,
        "/a@r:1/1700000000.000:1.0-1",
        "/a@r:1/1700000001.000:1.0-1-1",
    );
    let unmodified = put_foo(
        &mut memory,
        "/a@r:1//sh/1700000002.000:1.0-1",
        "/a@r:1//sh/1700000003.000:1.0-1-1",
    );
    let parent: Branch = "/a@r:1".parse().expect("branch");
    let options = CloneOptions {
        with_sources: true,
        ..CloneOptions::default()
    };
    let planned = plan(
        &memory,
        &[unmodified],
        &Destination::Branch(parent.clone()),
        &options,
    )
    .expect("plan");
    assert!(
        planned.is_noop(),
        "the parent holds them: {:?}",
        planned.troves
    );

    let modified = put_foo(
        &mut memory,
        "/a@r:1//sh/1700000004.000:1.0-1.1",
        "/a@r:1//sh/1700000005.000:1.0-1.1-1",
    );
    let planned = plan(
        &memory,
        std::slice::from_ref(&modified),
        &Destination::Branch(parent.clone()),
        &options,
    )
    .expect("plan");
    let copies: BTreeSet<String> = planned
        .troves
        .iter()
        .map(|t| t.tuple().to_string())
        .collect();
    let expected: BTreeSet<String> = [
        "foo:source=/a@r:1/1.0-2[]",
        "foo=/a@r:1/1.0-2-1[]",
        "foo:runtime=/a@r:1/1.0-2-1[]",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    assert_eq!(copies, expected);
    let package = planned
        .troves
        .iter()
        .find(|t| t.name.as_str() == "foo")
        .expect("foo");
    let refs: Vec<String> = package
        .strong_refs
        .keys()
        .map(ToString::to_string)
        .collect();
    assert_eq!(refs, vec!["foo:runtime=/a@r:1/1.0-2-1[]".to_owned()]);
    assert_eq!(
        package
            .info
            .source_version
            .as_ref()
            .map(ToString::to_string),
        Some("/a@r:1/1.0-2".to_owned())
    );

    // Cloned once, the next clone finds the copies by clonedFrom.
    memory.commit(&planned.troves);
    let again = plan(&memory, &[modified], &Destination::Branch(parent), &options).expect("plan");
    assert!(again.is_noop(), "{:?}", again.troves);
    assert_eq!(again.entries.len(), 3);
}

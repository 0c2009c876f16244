//! Property tests: format∘parse is the identity on structured values,
//! freeze∘thaw keeps timestamps, and no parser panics on any input.

use conary_core::version::{
    Branch, Label, Revision, SerialNumber, Timestamp, Version, VersionSpec,
};
use proptest::prelude::*;

fn label_strategy() -> impl Strategy<Value = Label> {
    ("[a-z0-9.-]{0,10}", "[a-z0-9_]{1,6}", "[A-Za-z0-9._+-]{1,8}")
        .prop_filter_map("valid label parts", |(host, namespace, tag)| {
            Label::new(&host, &namespace, &tag).ok()
        })
}

/// A count with at most `max_parts` parts.
fn serial_strategy(max_parts: usize) -> impl Strategy<Value = SerialNumber> {
    prop::collection::vec(0u64..2000, 1..=max_parts.max(1))
        .prop_filter_map("not empty", SerialNumber::new)
}

fn upstream_strategy() -> impl Strategy<Value = String> {
    "[A-Za-z0-9()+,.;_~]{1,10}"
}

/// A revision fitting shadow depth `depth`; `binary` decides the build count.
fn revision_strategy(depth: usize, binary: bool) -> impl Strategy<Value = Revision> {
    (
        upstream_strategy(),
        serial_strategy(depth + 1),
        serial_strategy(depth + 1),
        prop::option::of(1u64..4_000_000_000_000),
    )
        .prop_filter_map("valid revision", move |(upstream, source, build, stamp)| {
            let build = binary.then_some(build);
            Revision::new(&upstream, source, build)
                .ok()
                .map(|r| r.with_timestamp(stamp.map(Timestamp::from_millis)))
        })
}

/// One step of a generated branch: a shadow, or a branch off a revision.
#[derive(Clone, Debug)]
enum Plan {
    Shadow(Label),
    Branch(Label, u64, u64, u64),
}

fn plan_strategy() -> impl Strategy<Value = Plan> {
    prop_oneof![
        label_strategy().prop_map(Plan::Shadow),
        (label_strategy(), 0u64..100, 0u64..100, 1u64..4_000_000_000)
            .prop_map(|(l, s, b, t)| Plan::Branch(l, s, b, t)),
    ]
}

/// Builds a branch through the public operations; all revisions are of one
/// kind (source or binary), as real versions are.
fn build_branch(root: Label, plans: &[Plan], binary: bool) -> Option<Branch> {
    let mut branch = Branch::new(root);
    for (index, plan) in plans.iter().enumerate() {
        // Distinct tags keep every shadow legal.
        let unique =
            |l: &Label| Label::new(l.host(), l.namespace(), &format!("{}{index}", l.tag())).ok();
        match plan {
            Plan::Shadow(label) => branch = branch.create_shadow(unique(label)?).ok()?,
            Plan::Branch(label, source, build, stamp) => {
                let depth = branch.shadow_depth();
                let counts = vec![*source; depth + 1];
                let source = SerialNumber::new(counts)?;
                let build = binary.then(|| SerialNumber::single(*build));
                let revision = Revision::new("1.0", source, build)
                    .ok()?
                    .with_timestamp(Some(Timestamp::from_millis(*stamp)));
                let version = branch.create_version(revision).ok()?;
                branch = version.create_branch(unique(label)?).ok()?;
            }
        }
    }
    Some(branch)
}

fn branch_and_kind() -> impl Strategy<Value = (Branch, bool)> {
    (
        label_strategy(),
        prop::collection::vec(plan_strategy(), 0..5),
        any::<bool>(),
    )
        .prop_filter_map("buildable", |(root, plans, binary)| {
            build_branch(root, &plans, binary).map(|b| (b, binary))
        })
}

fn branch_strategy() -> impl Strategy<Value = Branch> {
    branch_and_kind().prop_map(|(branch, _)| branch)
}

fn version_strategy() -> impl Strategy<Value = Version> {
    branch_and_kind().prop_flat_map(|(branch, binary)| {
        let depth = branch.shadow_depth();
        revision_strategy(depth, binary)
            .prop_filter_map("fits", move |rev| branch.create_version(rev).ok())
    })
}

proptest! {
    #[test]
    fn labels_round_trip(label in label_strategy()) {
        prop_assert_eq!(label.to_string().parse::<Label>(), Ok(label));
    }

    #[test]
    fn serial_numbers_round_trip(count in serial_strategy(4)) {
        prop_assert_eq!(count.to_string().parse::<SerialNumber>(), Ok(count));
    }

    #[test]
    fn timestamps_round_trip(millis in any::<u64>()) {
        let ts = Timestamp::from_millis(millis);
        prop_assert_eq!(ts.to_string().parse::<Timestamp>(), Ok(ts));
    }

    #[test]
    fn revisions_round_trip(rev in revision_strategy(3, true), source in revision_strategy(2, false)) {
        prop_assert_eq!(rev.to_string().parse::<Revision>(), Ok(rev.clone()));
        prop_assert_eq!(source.to_string().parse::<Revision>(), Ok(source.clone()));
        let thawed = Revision::thaw(&rev.freeze()).expect("frozen form parses");
        prop_assert_eq!(thawed.timestamp(), rev.timestamp());
        prop_assert_eq!(thawed, rev.clone());
        // An abbreviated revision reads back against its template.
        let short = rev.as_string_against(&source);
        prop_assert_eq!(Revision::parse_relative(&short, &source), Ok(rev));
    }

    #[test]
    fn branches_round_trip(branch in branch_strategy()) {
        prop_assert_eq!(branch.to_string().parse::<Branch>(), Ok(branch.clone()));
        let thawed = Branch::thaw(&branch.freeze()).expect("frozen form parses");
        prop_assert_eq!(thawed.freeze(), branch.freeze());
    }

    #[test]
    fn versions_round_trip(version in version_strategy()) {
        let text = version.to_string();
        prop_assert_eq!(text.parse::<Version>(), Ok(version.clone()));
        let spec: VersionSpec = text.parse().expect("a full version is a spec");
        prop_assert!(spec.matches(&version));
        prop_assert_eq!(spec.to_string(), text);
    }

    #[test]
    fn versions_freeze_and_thaw(version in version_strategy()) {
        let thawed = Version::thaw(&version.freeze()).expect("frozen form parses");
        prop_assert_eq!(thawed.timestamps(), version.timestamps());
        prop_assert_eq!(thawed, version);
    }

    #[test]
    fn version_operations_keep_versions_valid(version in version_strategy()) {
        let mut results = vec![version.canonical_version(), version.source_version()];
        results.extend(version.parent_version());
        results.extend(version.increment_source_count().ok());
        results.extend(version.increment_build_count().ok());
        results.extend(Version::next_build_version(&version.source_version(), std::slice::from_ref(&version)).ok());
        for result in results {
            let text = result.to_string();
            prop_assert_eq!(text.parse::<Version>(), Ok(result.clone()), "{}", text);
        }
        prop_assert_eq!(version.has_parent_version(), version.parent_version().is_some());
        prop_assert!(version.closeness(&version).is_infinite());
    }

    #[test]
    fn canonical_version_undoes_unmodified_shadows_one_by_one(version in version_strategy()) {
        let strip = version
            .shadow_depth()
            .saturating_sub(version.trailing_revision().shadow_count());
        let mut stepped = version.clone();
        for _ in 0..strip {
            stepped = stepped.parent_version().expect("an unmodified shadow has a parent");
        }
        let canonical = version.canonical_version();
        prop_assert_eq!(canonical.to_string(), stepped.to_string());
        prop_assert_eq!(canonical.freeze(), stepped.freeze());
    }

    #[test]
    fn parsers_never_panic(text in "\\PC{0,40}") {
        let _ = text.parse::<Label>();
        let _ = text.parse::<SerialNumber>();
        let _ = text.parse::<Timestamp>();
        let _ = text.parse::<Revision>();
        let _ = Revision::thaw(&text);
        let _ = text.parse::<Branch>();
        let _ = text.parse::<Version>();
        let _ = Version::thaw(&text);
        let _ = Branch::thaw(&text);
        let _ = text.parse::<VersionSpec>();
    }

    #[test]
    fn version_like_strings_never_panic(text in "[/@:.a-c0-2-]{0,40}") {
        let parsed = text.parse::<Version>();
        if let Ok(version) = parsed {
            let _ = version.parent_version();
            let _ = version.canonical_version();
            let _ = version.increment_build_count();
            let _ = version.source_version();
        }
        let _ = text.parse::<Branch>();
        let _ = Version::thaw(&text);
        if let Ok(spec) = text.parse::<VersionSpec>() {
            let path: Vec<Label> = vec!["a@b:c".parse().expect("valid label")];
            let _ = spec.resolve(&path);
        }
    }
}

//! Parses trove specs and change specs from any UTF-8 input, and each line
//! of it as a change list. What parses must print and read back to the same
//! spec (up to explicitly empty flavor classes, which print as nothing).
#![no_main]

use conary_core::flavor::{Flavor, FlavorClass};
use conary_core::spec::{ChangeSpec, Transition, TroveSpec, parse_change_list};
use libfuzzer_sys::fuzz_target;

/// Whether the flavor holds a class with nothing in it (`is:` alone).
fn has_empty_class(flavor: &Flavor) -> bool {
    (flavor.has_class(FlavorClass::Use) && flavor.use_flags().next().is_none())
        || (flavor.has_class(FlavorClass::InstructionSet)
            && flavor.instruction_sets().next().is_none())
        || (flavor.has_class(FlavorClass::Target) && flavor.targets().next().is_none())
}

fn trove_has_empty_class(spec: Option<&TroveSpec>) -> bool {
    spec.and_then(TroveSpec::flavor)
        .is_some_and(has_empty_class)
}

fn change_has_empty_class(spec: &ChangeSpec) -> bool {
    match spec {
        ChangeSpec::Unmarked(trove) | ChangeSpec::Install(trove) | ChangeSpec::Erase(trove) => {
            trove_has_empty_class(Some(trove))
        }
        ChangeSpec::Transition(transition) => {
            trove_has_empty_class(transition.old()) || trove_has_empty_class(transition.new_side())
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(spec) = text.parse::<TroveSpec>() {
        let printed = spec.to_string();
        let reparsed = printed.parse::<TroveSpec>().unwrap_or_else(|error| {
            panic!("{printed:?} (from {text:?}) does not reparse: {error}")
        });
        if !trove_has_empty_class(Some(&spec)) {
            assert_eq!(reparsed, spec, "{text:?} printed as {printed:?}");
        }
        assert_eq!(
            reparsed.to_string(),
            printed,
            "{text:?}: printing is not stable"
        );
        // every trove spec is an unmarked change spec
        let change = printed.parse::<ChangeSpec>().unwrap_or_else(|error| {
            panic!("{printed:?} (from {text:?}) is no change spec: {error}")
        });
        assert_eq!(change, ChangeSpec::Unmarked(reparsed), "{text:?}");
    }
    if let Ok(spec) = text.parse::<ChangeSpec>() {
        let printed = spec.to_string();
        let reparsed = printed.parse::<ChangeSpec>().unwrap_or_else(|error| {
            panic!("{printed:?} (from {text:?}) does not reparse: {error}")
        });
        if !change_has_empty_class(&spec) {
            assert_eq!(reparsed, spec, "{text:?} printed as {printed:?}");
        }
        assert_eq!(
            reparsed.to_string(),
            printed,
            "{text:?}: printing is not stable"
        );
        let _ = spec.job(true, false);
        let _ = spec.job(false, true);
    }
    let _ = text.parse::<Transition>();
    let lines: Vec<&str> = text.lines().collect();
    if let Ok(list) = parse_change_list(&lines) {
        assert!(list.len() <= lines.len());
        for (index, spec) in list.iter().enumerate() {
            assert!(!list[..index].contains(spec), "{text:?}: repeated {spec}");
        }
    }
});

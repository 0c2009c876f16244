//! From a recipe's [`GroupOp`]s to one [`GroupPlan`] per group: what each
//! group references strongly, with every trove spec bound to an exact
//! trove, and what to remove, replace and require.
//!
//! Two passes: the first reads the recipe-wide settings (`setSearchPath`,
//! `setAutoResolve`: the last call wins, wherever it stands), the second
//! runs the other operations in call order, binding specs on the final
//! search path.

use std::collections::{BTreeMap, BTreeSet};

use conary_api::find::{FindError, Finder};
use conary_core::flavor::{FlavorPreferences, MergeMode};
use conary_core::name::TroveName;
use conary_core::spec::TroveSpec;
use conary_core::trove::TroveTuple;
use conary_core::version::Label;

use super::GroupContext;
use super::error::GroupError;
use crate::recipe::model::{GroupOp, Located, Location, Recipe, RecipeKind};

/// What one group of the recipe asks for.
#[derive(Debug, Clone)]
pub(crate) struct GroupPlan {
    /// The default for later `add`s (`setByDefault`).
    pub(crate) by_default: bool,
    /// Troves referenced strongly, with their by-default flag.
    pub(crate) strong: BTreeMap<TroveTuple, bool>,
    /// Groups of this recipe referenced strongly, with their flag.
    pub(crate) new_groups: BTreeMap<TroveName, bool>,
    /// `remove` operations, in call order.
    pub(crate) removes: Vec<Located<TroveName>>,
    /// `replace` operations that apply to this group, in call order.
    pub(crate) replaces: Vec<Located<(TroveName, TroveTuple)>>,
    /// `requires` of the group.
    pub(crate) requires: BTreeSet<TroveName>,
    /// Trove scripts of the group (`addPostInstallScript`, …).
    pub(crate) scripts: conary_core::troveinfo::TroveScripts,
    /// The group's compatibility class (`setCompatibilityClass`).
    pub(crate) compatibility_class: Option<u16>,
    /// `addPostRollbackScript(toClass=…)`: where, and the classes; made
    /// conversions from the group's class once every operation is read.
    pub(crate) rollback_to: Option<(Location, Vec<u16>)>,
}

impl GroupPlan {
    fn new() -> GroupPlan {
        GroupPlan {
            by_default: true,
            strong: BTreeMap::new(),
            new_groups: BTreeMap::new(),
            removes: Vec::new(),
            replaces: Vec::new(),
            requires: BTreeSet::new(),
            scripts: conary_core::troveinfo::TroveScripts::default(),
            compatibility_class: None,
            rollback_to: None,
        }
    }
}

/// Every group of the recipe, bound.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    /// The group being cooked (the recipe's name).
    pub(crate) main: TroveName,
    /// Where specs without a label are looked up.
    pub(crate) search_path: Vec<Label>,
    /// Search path entries that are trove specs, not labels (not used yet).
    pub(crate) ignored_search_specs: Vec<String>,
    /// Whether missing dependencies are pulled in.
    pub(crate) auto_resolve: bool,
    /// Every group by name, the main group included.
    pub(crate) groups: BTreeMap<TroveName, GroupPlan>,
    /// `replace` operations for every group, with whether one matched.
    pub(crate) recipe_replaces: Vec<Located<(TroveName, TroveTuple)>>,
}

/// Reads the operations of `recipe` and binds their specs through `ctx`.
pub(crate) fn plan(recipe: &Recipe, ctx: &GroupContext<'_>) -> Result<Plan, GroupError> {
    let main = TroveName::new(&recipe.name)
        .ok()
        .filter(|name| recipe.kind == RecipeKind::Group && name.as_str().starts_with("group-"))
        .ok_or_else(|| GroupError::NotAGroup {
            file: recipe.file.clone(),
            name: recipe.name.clone(),
        })?;
    let mut plan = Plan {
        main: main.clone(),
        search_path: ctx.label_path.clone(),
        ignored_search_specs: Vec::new(),
        auto_resolve: ctx.auto_resolve,
        groups: BTreeMap::from([(main, GroupPlan::new())]),
        recipe_replaces: Vec::new(),
    };
    for op in &recipe.group_ops {
        match &op.item {
            GroupOp::SetSearchPath { path } => {
                let (labels, specs) = search_path(&op.at, path)?;
                plan.search_path = labels;
                plan.ignored_search_specs = specs;
            }
            GroupOp::SetAutoResolve { auto_resolve } => plan.auto_resolve = *auto_resolve,
            _ => {}
        }
    }
    let binder = Binder {
        ctx,
        finder: Finder::new(
            ctx.source,
            plan.search_path.clone(),
            Vec::new(),
            FlavorPreferences::default(),
        ),
    };
    for op in &recipe.group_ops {
        apply(&mut plan, &binder, op)?;
    }
    for (name, group) in &mut plan.groups {
        rollback_conversions(name, group)?;
    }
    Ok(plan)
}

/// The conversions of a postRollback script with `toClass`: from the
/// group's compatibility class to each class named, as the original's
/// `addPostRollbackScript(toClass=)` records them (a rollback across such
/// a class change keeps the rollback stack).
fn rollback_conversions(name: &TroveName, group: &mut GroupPlan) -> Result<(), GroupError> {
    let Some((at, to_class)) = &group.rollback_to else {
        return Ok(());
    };
    let Some(class) = group.compatibility_class else {
        return Err(GroupError::ToClassWithoutClass {
            at: at.clone(),
            group: name.to_string(),
        });
    };
    if let Some(script) = group
        .scripts
        .scripts
        .get_mut(&conary_core::troveinfo::ScriptSlot::PostRollback)
    {
        script
            .conversions
            .extend(to_class.iter().map(|to| (class, *to)));
    }
    Ok(())
}

/// Splits a `setSearchPath` list into labels and (ignored) trove specs.
fn search_path(at: &Location, path: &[String]) -> Result<(Vec<Label>, Vec<String>), GroupError> {
    let mut labels = Vec::new();
    let mut specs = Vec::new();
    for entry in path {
        // A label is `host@namespace:tag`; anything with `=` or without
        // `@` is a trove spec (a group whose contents are searched).
        if entry.contains('=') || !entry.contains('@') {
            // TODO: search the contents of trove-spec entries (a group) too.
            specs.push(entry.clone());
            continue;
        }
        let label = entry
            .parse::<Label>()
            .map_err(|error| GroupError::InvalidLabel {
                at: at.clone(),
                label: entry.clone(),
                reason: error.to_string(),
            })?;
        labels.push(label);
    }
    Ok((labels, specs))
}

/// Runs one operation of the second pass.
fn apply(plan: &mut Plan, binder: &Binder<'_>, op: &Located<GroupOp>) -> Result<(), GroupError> {
    let at = &op.at;
    match &op.item {
        GroupOp::SetSearchPath { .. } | GroupOp::SetAutoResolve { .. } => {}
        GroupOp::Add {
            spec,
            group,
            by_default,
        } => {
            let tuple = binder.bind(at, spec)?;
            let target = target(plan, at, group.as_deref())?;
            // An explicit `byDefault` wins; otherwise the group's default
            // (`setByDefault`).
            let flag = by_default.unwrap_or(target.by_default);
            target.strong.insert(tuple, flag);
        }
        GroupOp::AddAll { spec, group } => {
            let tuple = binder.bind(at, spec)?;
            let manifest = binder.manifest(&tuple)?;
            if manifest.strong_refs.is_empty() {
                return Err(GroupError::EmptyAddAll {
                    at: at.clone(),
                    spec: spec.clone(),
                    tuple: tuple.to_string(),
                });
            }
            let target = target(plan, at, group.as_deref())?;
            for (child, by_default) in manifest.iter_strong_refs() {
                target
                    .strong
                    .insert(child.clone(), by_default && target.by_default);
            }
        }
        GroupOp::Remove { name, group } => {
            let name = trove_name(at, name)?;
            let target = target(plan, at, group.as_deref())?;
            target.removes.push(Located {
                at: at.clone(),
                item: name,
            });
        }
        GroupOp::Replace { name, spec, group } => {
            let name = trove_name(at, name)?;
            let tuple = binder.bind(at, spec)?;
            let replace = Located {
                at: at.clone(),
                item: (name, tuple),
            };
            match group {
                Some(group) => target(plan, at, Some(group))?.replaces.push(replace),
                None => plan.recipe_replaces.push(replace),
            }
        }
        GroupOp::CreateGroup { name, by_default } => {
            let group = trove_name(at, name)?;
            if !group.as_str().starts_with("group-") || group.is_component() {
                return Err(GroupError::BadGroupName {
                    at: at.clone(),
                    name: name.clone(),
                });
            }
            if plan.groups.contains_key(&group) {
                return Err(GroupError::GroupExists {
                    at: at.clone(),
                    name: name.clone(),
                });
            }
            plan.groups.insert(group.clone(), GroupPlan::new());
            let main = plan.main.clone();
            target(plan, at, Some(main.as_str()))?
                .new_groups
                .insert(group, *by_default);
        }
        GroupOp::AddNewGroup {
            name,
            group,
            by_default,
        } => {
            let child = trove_name(at, name)?;
            if child == plan.main || !plan.groups.contains_key(&child) {
                return Err(GroupError::UnknownGroup {
                    at: at.clone(),
                    name: name.clone(),
                });
            }
            let parent = group.clone().unwrap_or_else(|| plan.main.to_string());
            if let Some(cycle) = cycle_through(plan, &child, &parent) {
                return Err(GroupError::GroupCycle {
                    at: at.clone(),
                    cycle,
                });
            }
            target(plan, at, Some(&parent))?
                .new_groups
                .insert(child, *by_default);
        }
        GroupOp::SetByDefault { by_default, group } => {
            target(plan, at, group.as_deref())?.by_default = *by_default;
        }
        GroupOp::Requires { name, group } => {
            let name = trove_name(at, name)?;
            target(plan, at, group.as_deref())?.requires.insert(name);
        }
        GroupOp::AddScript {
            slot,
            contents,
            group,
            to_class,
        } => {
            let slot: conary_core::troveinfo::ScriptSlot =
                slot.parse().map_err(|_| GroupError::BadScriptSlot {
                    at: at.clone(),
                    slot: slot.clone(),
                })?;
            let target = target(plan, at, group.as_deref())?;
            target
                .scripts
                .scripts
                .insert(slot, conary_core::troveinfo::TroveScript::new(contents));
            if slot == conary_core::troveinfo::ScriptSlot::PostRollback {
                // A later postRollback script replaces the earlier, and its
                // conversions with it.
                target.rollback_to = (!to_class.is_empty()).then(|| (at.clone(), to_class.clone()));
            }
        }
        GroupOp::SetCompatibilityClass { class, group } => {
            target(plan, at, group.as_deref())?.compatibility_class = Some(*class);
        }
    }
    Ok(())
}

/// The group an operation applies to (`None`: the main group).
fn target<'p>(
    plan: &'p mut Plan,
    at: &Location,
    group: Option<&str>,
) -> Result<&'p mut GroupPlan, GroupError> {
    let name = match group {
        None => plan.main.clone(),
        Some(text) => trove_name(at, text)?,
    };
    plan.groups
        .get_mut(&name)
        .ok_or_else(|| GroupError::UnknownGroup {
            at: at.clone(),
            name: name.to_string(),
        })
}

/// If `parent` is reachable from `child` (or is `child`), the cycle that
/// linking `child` into `parent` would close, as text. Iterative, so a
/// long chain of nested groups cannot exhaust the stack.
fn cycle_through(plan: &Plan, child: &TroveName, parent: &str) -> Option<String> {
    // Breadth first from `child`, remembering how each group was reached.
    let mut reached_from: BTreeMap<TroveName, Option<TroveName>> =
        BTreeMap::from([(child.clone(), None)]);
    let mut queue = std::collections::VecDeque::from([child.clone()]);
    let mut found = None;
    while let Some(name) = queue.pop_front() {
        if name.as_str() == parent {
            found = Some(name);
            break;
        }
        let Some(group) = plan.groups.get(&name) else {
            continue;
        };
        for next in group.new_groups.keys() {
            if !reached_from.contains_key(next) {
                reached_from.insert(next.clone(), Some(name.clone()));
                queue.push_back(next.clone());
            }
        }
    }
    let mut path = vec![found?];
    while let Some(Some(previous)) = path.last().and_then(|last| reached_from.get(last)) {
        path.push(previous.clone());
    }
    path.reverse();
    path.push(child.clone());
    let names: Vec<String> = path.iter().map(ToString::to_string).collect();
    Some(names.join(" -> "))
}

/// A trove name as written in an operation.
fn trove_name(at: &Location, text: &str) -> Result<TroveName, GroupError> {
    TroveName::new(text).map_err(|error| GroupError::InvalidName {
        at: at.clone(),
        name: text.to_owned(),
        reason: error.to_string(),
    })
}

/// Binds trove specs to exact troves.
struct Binder<'c> {
    ctx: &'c GroupContext<'c>,
    finder: Finder<'c>,
}

impl Binder<'_> {
    /// The trove `text` names: on the first label of the search path that
    /// has the name, the newest version with the best flavor for the
    /// cooked flavor (narrowed by a flavor in the spec).
    fn bind(&self, at: &Location, text: &str) -> Result<TroveTuple, GroupError> {
        let parsed: TroveSpec = text
            .parse()
            .map_err(
                |error: conary_core::spec::SpecError| GroupError::InvalidSpec {
                    at: at.clone(),
                    spec: text.to_owned(),
                    reason: error.to_string(),
                },
            )?;
        let flavor = match parsed.flavor() {
            Some(narrow) => self
                .ctx
                .flavor
                .override_with(narrow, MergeMode::Override)
                .map_err(|source| GroupError::Flavor {
                    context: format!("{at}: flavor of '{text}'"),
                    source,
                })?,
            None => self.ctx.flavor.clone(),
        };
        // An empty flavor scores nothing: then every flavor is a candidate.
        let flavor = (!flavor.is_empty()).then_some(flavor);
        let (name, version, _) = parsed.into_parts();
        let spec =
            TroveSpec::new(name, version, flavor).map_err(|error| GroupError::InvalidSpec {
                at: at.clone(),
                spec: text.to_owned(),
                reason: error.to_string(),
            })?;
        self.finder.find_one(&spec).map_err(|error| match error {
            FindError::NotFound { labels, .. } => GroupError::NotFound {
                at: at.clone(),
                spec: text.to_owned(),
                labels,
            },
            FindError::Ambiguous { flavors, .. } => GroupError::Ambiguous {
                at: at.clone(),
                spec: text.to_owned(),
                flavors,
            },
            FindError::Source(source) => GroupError::Source(source),
            other => GroupError::Lookup {
                at: at.clone(),
                spec: text.to_owned(),
                reason: other.to_string(),
            },
        })
    }

    /// The manifest of one trove.
    fn manifest(&self, tuple: &TroveTuple) -> Result<conary_core::trove::Trove, GroupError> {
        self.ctx
            .source
            .troves(std::slice::from_ref(tuple))?
            .pop()
            .ok_or_else(|| GroupError::MissingManifest {
                tuple: tuple.to_string(),
            })
    }
}

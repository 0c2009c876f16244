//! Cooking a group recipe: binding its [`GroupOp`]s to exact troves from a
//! [`TroveSource`], checking the dependency closure, and producing the
//! group trove(s).
//!
//! Start at [`cook_group`]. The steps, each in its own module:
//!
//! 1. `plan`: the operations become one plan per group (the main group,
//!    named by the recipe, and those `createGroup` makes); every trove
//!    spec is bound on the search path — the first label that has the
//!    name, the newest version there by commit time, the flavor that fits
//!    the cooked flavor best (narrowed by a flavor in the spec), as
//!    [`conary_api::find::Finder`] chooses.
//! 2. `contents`: a group's strong references are followed through their
//!    manifests; everything they include becomes a weak reference, by
//!    default when the whole path to it is. One trove name in two
//!    versions is a conflict.
//! 3. `closure`: what the by-default troves of the main group require
//!    must be provided by its by-default troves; with autoResolve the
//!    providers the source suggests are added (a package rather than its
//!    component) until it is.
//! 4. `assemble`: replaces and removes; a component the recipe names is
//!    referenced through its package (the other components not by
//!    default) unless the package is named too; then the group trove: a
//!    collection providing `trove: NAME`, with the cook's trove info.
//!
//! Groups a recipe creates are cooked first (they are included by the
//! main group and may include each other), all with the cooked version.
//!
//! [`GroupOp`]: crate::recipe::model::GroupOp

mod assemble;
mod closure;
mod contents;
mod error;
mod plan;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

use conary_api::TroveSource;
use conary_core::flavor::Flavor;
use conary_core::name::TroveName;
use conary_core::trove::{Trove, TroveTuple};
use conary_core::troveinfo::TroveInfo;
use conary_core::version::{Label, Version};

pub use error::GroupError;

use crate::recipe::model::Recipe;

/// What cooking a group cannot do without.
pub struct GroupContext<'a> {
    /// Where troves come from.
    pub source: &'a dyn TroveSource,
    /// The default search path (buildLabel, then installLabelPath);
    /// `r.setSearchPath` overrides it.
    pub label_path: Vec<Label>,
    /// The flavor cooked: of several flavors of a trove, the one that
    /// scores best against it is bound.
    pub flavor: Flavor,
    /// The version every group trove gets (`/LABEL/UPSTREAM-SRC-BUILD`).
    pub version: Version,
    /// Lineage the cook fills (source name and version, build time...),
    /// copied into every group trove.
    pub info: TroveInfo,
    /// Config `autoResolve`; `r.setAutoResolve` overrides it.
    pub auto_resolve: bool,
}

impl std::fmt::Debug for GroupContext<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupContext")
            .field("label_path", &self.label_path)
            .field("flavor", &self.flavor)
            .field("version", &self.version)
            .field("auto_resolve", &self.auto_resolve)
            .finish_non_exhaustive()
    }
}

/// The troves a group recipe cooks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookedGroups {
    /// The main group first, then the groups the recipe created, by name;
    /// each complete (strong and weak references).
    pub groups: Vec<Trove>,
    /// Troves autoResolve pulled into the main group, in the order added.
    pub resolved: Vec<TroveTuple>,
}

impl CookedGroups {
    /// The main group (the recipe's name).
    pub fn main(&self) -> Option<&Trove> {
        self.groups.first()
    }

    /// The group named `name`.
    pub fn group(&self, name: &str) -> Option<&Trove> {
        self.groups.iter().find(|trove| trove.name.as_str() == name)
    }
}

/// Cooks a group recipe (`recipe.kind` is Group, `recipe.name` is
/// `group-*`): binds its operations to troves of `ctx.source` and returns
/// the group troves.
///
/// Errors name the operation at fault (`FILE:LINE:COLUMN: ...`), or the
/// group for conflicts and unresolved dependencies.
///
/// ```rust
/// use conary_build::group::{GroupContext, cook_group};
/// use conary_build::recipe::model::{GroupOp, Located, Location, Recipe, RecipeKind};
/// # use conary_api::{Job, SourceError, TroveQuery, TroveSource};
/// # use conary_core::trove::{Trove, TroveTuple};
/// # struct Empty;
/// # impl TroveSource for Empty {
/// #     fn trove_versions(&self, _: &TroveQuery) -> Result<Vec<TroveTuple>, SourceError> { Ok(Vec::new()) }
/// #     fn troves(&self, _: &[TroveTuple]) -> Result<Vec<Trove>, SourceError> { Ok(Vec::new()) }
/// #     fn changeset(&self, _: &[Job], _: bool, _: &mut dyn std::io::Write) -> Result<u64, SourceError> { Ok(0) }
/// #     fn contents(&self, _: &conary_core::digest::Digest, _: &mut dyn std::io::Write) -> Result<u64, SourceError> { Ok(0) }
/// #     fn dep_suggestions(&self, _: &[conary_core::version::Label], _: &conary_core::deps::DependencySet)
/// #         -> Result<std::collections::BTreeMap<conary_core::deps::Dependency, Vec<TroveTuple>>, SourceError> { Ok(Default::default()) }
/// # }
/// let at = Location { file: "group-foo.recipe".into(), line: 5, column: 5 };
/// let recipe = Recipe {
///     file: "group-foo.recipe".into(), name: "group-foo".into(), version: "1.0".into(),
///     kind: RecipeKind::Group, build_requires: Vec::new(), factory: None,
///     use_flags: Default::default(), reads_arch: false, macros: Default::default(),
///     actions: Vec::new(), policy: Vec::new(),
///     group_ops: vec![Located { at, item: GroupOp::Add { spec: "nosuch".into(), group: None, by_default: None } }],
/// };
/// let ctx = GroupContext {
///     source: &Empty,
///     label_path: vec!["conary.example.com@rpl:devel".parse()?],
///     flavor: "is: x86_64".parse()?,
///     version: "/conary.example.com@rpl:devel/1.0-1-1".parse()?,
///     info: Default::default(),
///     auto_resolve: false,
/// };
/// let error = cook_group(&recipe, &ctx).expect_err("nothing there");
/// assert_eq!(error.to_string(),
///     "group-foo.recipe:5:5: trove 'nosuch' not found on conary.example.com@rpl:devel");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn cook_group(recipe: &Recipe, ctx: &GroupContext<'_>) -> Result<CookedGroups, GroupError> {
    let plan = plan::plan(recipe, ctx)?;
    let order = children_first(&plan);
    let mut manifests = contents::Manifests::new(ctx.source);
    let mut cooked: BTreeMap<TroveName, Trove> = BTreeMap::new();
    let mut resolved = Vec::new();
    let mut replaces_matched = BTreeSet::new();
    for name in order {
        let group = assemble::cook_one(
            &name,
            &plan,
            &cooked,
            &mut manifests,
            ctx,
            &mut replaces_matched,
        )?;
        resolved.extend(group.resolved);
        manifests.insert(group.trove.clone());
        cooked.insert(name, group.trove);
    }
    for (index, op) in plan.recipe_replaces.iter().enumerate() {
        if !replaces_matched.contains(&index) {
            return Err(GroupError::NothingToReplace {
                at: op.at.clone(),
                name: op.item.0.to_string(),
                group: None,
            });
        }
    }
    let mut groups = Vec::with_capacity(cooked.len());
    if let Some(main) = cooked.remove(&plan.main) {
        groups.push(main);
    }
    groups.extend(cooked.into_values());
    Ok(CookedGroups { groups, resolved })
}

/// The groups of `plan`, each after every group it includes (the plan
/// refuses cycles); ties in name order. Iterative, so a long chain of
/// nested groups cannot exhaust the stack.
fn children_first(plan: &plan::Plan) -> Vec<TroveName> {
    let mut done: BTreeSet<TroveName> = BTreeSet::new();
    let mut order = Vec::new();
    for root in plan.groups.keys() {
        // (group, whether its children were pushed already)
        let mut stack = vec![(root.clone(), false)];
        while let Some((name, expanded)) = stack.pop() {
            if expanded {
                if done.insert(name.clone()) {
                    order.push(name);
                }
                continue;
            }
            if done.contains(&name) {
                continue;
            }
            stack.push((name.clone(), true));
            if let Some(group) = plan.groups.get(&name) {
                for child in group.new_groups.keys().rev() {
                    if !done.contains(child) {
                        stack.push((child.clone(), false));
                    }
                }
            }
        }
    }
    order
}

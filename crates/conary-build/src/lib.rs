//! cvc: source troves, recipes, cooking, policy, groups, shadows, promote, .deb import.
//!
//! Where to start reading:
//!
//! - [`cook`]: `cvc cook`, the whole pipeline: [`recipe`] (Starlark
//!   recipes evaluated into a model), [`build`], [`policy`] or [`group`],
//!   then versions, lineage and one changeset.
//! - [`deb`]: a streaming reader of Debian binary packages (`.deb`), their
//!   control files, versions and relationships, and the component policy.
//! - [`build`]: the build executor, which runs a recipe's actions in a
//!   build directory and installs into a destdir.
//! - [`import`]: `cvc import-deb`, which turns a `.deb` into a package trove
//!   and its components, with file streams and contents.
//! - [`source`]: source control (`cvc newpkg`, `checkout`, `add`, `remove`,
//!   `commit`, `diff`, `log`, `rdiff`, `merge`) and the `CONARY` state file.
//! - [`shadow`]: `cvc shadow` and `cvc branch`: troves relabelled onto a
//!   shadow or branch, referencing the parent's files.
//! - [`derive`](mod@derive): derived packages (`cvc derive`, recipes with
//!   `derived = True`): a parent package's files changed without a rebuild.
//! - [`group`]: cooking a group recipe: its operations bound to exact
//!   troves, dependency closure, group troves.
//! - [`policy`]: packaging policy, which turns a build's destdir into
//!   component troves, a package trove and their changeset.
//! - [`clone`]: `cvc clone` and `cvc promote`: the clone map, troves
//!   copied to a related branch or label with `clonedFrom`.
//! - [`redirect`]: `cvc redirect`: redirect troves that send updates to
//!   another name, branch or repository.

pub mod build;
pub mod clone;
pub mod cook;
pub mod deb;
pub mod derive;
pub mod group;
pub mod import;
pub mod policy;
pub mod recipe;
pub mod redirect;
pub mod shadow;
pub mod source;
#[cfg(test)]
mod test_source;

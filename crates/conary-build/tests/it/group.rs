//! Cooking group recipes (`conary_build::group`) against a local
//! repository: binding, references, removes, nested groups, replaces,
//! conflicts and dependency closure.

mod binding;
mod closure;
mod debs;
mod fixture;
mod references;

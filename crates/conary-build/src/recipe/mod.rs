//! Recipes: Starlark files that say how to build a package or a group.
//!
//! [`model`] is what a recipe says, as data. Evaluation (Starlark to
//! [`model::Recipe`]) lives beside it.

pub mod model;

//! Recipes: Starlark files that say how to build a package or a group.
//!
//! [`model`] is what a recipe says, as data. [`evaluate`] turns a recipe
//! file into a [`model::Recipe`]: it runs the file's top level (`name`,
//! `version`, `build_requires`, `factory`), then calls `setup(r)`, where
//! every method called on `r` records one located action, policy
//! directive or group operation. `docs/RECIPES.md` is the language
//! reference.
//!
//! Where to start reading: [`evaluate`] here, then `eval.rs` (the
//! driver), `methods.rs` (the methods of `r`), `values.rs` (`r`, `use`,
//! `r.macros`), `limits.rs` (the bounds that keep any input safe) and
//! `error.rs`.
//!
//! ```rust
//! use conary_build::recipe::{RecipeContext, evaluate};
//! use conary_build::recipe::model::Action;
//!
//! let text = r#"
//! name = "hello"
//! version = "1.0"
//!
//! def setup(r):
//!     r.addArchive("hello-1.0.tar.gz")
//!     r.Make("CFLAGS=-O2" if use.opt else "")
//! "#;
//! let recipe = evaluate("hello.recipe", text, &RecipeContext::default())?;
//! assert_eq!(recipe.name, "hello");
//! assert_eq!(recipe.actions[1].item, Action::Make { args: String::new() });
//! assert_eq!(recipe.actions[1].at.to_string(), "hello.recipe:7:5");
//! assert_eq!(recipe.use_flags.get("opt"), Some(&false));
//! # Ok::<(), conary_build::recipe::RecipeError>(())
//! ```

mod error;
mod eval;
mod limits;
mod methods;
pub mod model;
mod values;

#[cfg(test)]
mod tests;

use conary_core::flavor::Flavor;

pub use error::RecipeError;
pub use eval::MAX_RECIPE_STEPS;
pub use limits::{MAX_NESTING, MAX_RECIPE_BYTES};

use model::Recipe;

/// What the cook supplies to evaluation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecipeContext {
    /// The flavor being cooked: `use.ssl` is true iff flag `ssl` is on
    /// (required or preferred) in it; `arch` is its instruction set name
    /// (e.g. `x86_64`) or `""`.
    pub flavor: Flavor,
    /// File names of the `:source` trove besides the recipe (`r.sources`).
    pub source_files: Vec<String>,
}

/// A recipe's top-level identity, read without calling `setup`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipeMetadata {
    /// Top-level `name`.
    pub name: String,
    /// Top-level `version`.
    pub version: String,
    /// Top-level `factory`, if any.
    pub factory: Option<String>,
    /// Top-level `derived = True`: a derived package, whose cook starts
    /// from its parent's files (see `crate::derive`).
    pub derived: bool,
}

/// Evaluates a recipe: its top level, then `setup(r)`.
///
/// `file` names the recipe in locations and messages. A recipe that names
/// a `factory` and has no `setup` evaluates to its top level only (no
/// actions); cook it with [`evaluate_with_factory`].
pub fn evaluate(file: &str, text: &str, ctx: &RecipeContext) -> Result<Recipe, RecipeError> {
    guarded(file, || eval::evaluate(file, text, ctx))
}

/// Only the top-level `name`, `version` and `factory`, without calling
/// `setup` (for `cvc commit`). Use flags read at top level are off.
pub fn evaluate_metadata(file: &str, text: &str) -> Result<RecipeMetadata, RecipeError> {
    guarded(file, || eval::evaluate_metadata(file, text))
}

/// Evaluates a package recipe that names `factory = "factory-NAME"` and
/// has no `setup`: the factory's recipe text (which defines `setup(r)`)
/// is run for it, `r.name`, `r.version` and `r.sources` being the
/// package's. The result is the package's recipe (its file, name,
/// version, kind and `factory`), with the factory's actions, policy and
/// build requirements (after the package's own). When the package does
/// define `setup`, that is used instead, as by [`evaluate`].
pub fn evaluate_with_factory(
    file: &str,
    text: &str,
    factory_file: &str,
    factory_text: &str,
    ctx: &RecipeContext,
) -> Result<Recipe, RecipeError> {
    guarded(file, || {
        eval::evaluate_with_factory(file, text, factory_file, factory_text, ctx)
    })
}

/// The stack of the thread a recipe is evaluated on: Starlark's compiler
/// and our checks recurse over the syntax tree, and a deeply nested
/// expression must become an error, not a stack overflow of the caller.
const EVALUATION_STACK_BYTES: usize = 64 << 20;

/// Runs an evaluation on its own thread with a large stack, so that deep
/// nesting (bounded by [`eval`]'s checks) fits, and so that a panic inside
/// the Starlark interpreter (a bug there, on some input) becomes an error
/// naming the recipe rather than ending the cook.
fn guarded<T: Send>(
    file: &str,
    evaluation: impl FnOnce() -> Result<T, RecipeError> + Send,
) -> Result<T, RecipeError> {
    let failed = |message: &str| RecipeError::EvaluationInFile {
        file: file.to_owned(),
        message: message.to_owned(),
    };
    std::thread::scope(|scope| {
        let thread = std::thread::Builder::new()
            .name("recipe".to_owned())
            .stack_size(EVALUATION_STACK_BYTES)
            .spawn_scoped(scope, evaluation)
            .map_err(|_| failed("cannot start a thread to evaluate the recipe"))?;
        thread.join().unwrap_or_else(|_| {
            Err(failed(
                "internal error of the Starlark interpreter while evaluating the recipe",
            ))
        })
    })
}

//! `cvc cook`: a recipe and its sources into troves.
//!
//! A cook runs in four steps, each owned by its module:
//!
//! 1. [`crate::recipe::evaluate`] turns the recipe (or, for a source that
//!    names a factory, the factory's recipe) into a
//!    [`Recipe`](crate::recipe::model::Recipe) for one flavor;
//! 2. [`crate::build::run_actions`] runs its build actions in a fresh
//!    build directory, installing into a separate destdir;
//! 3. [`crate::policy::apply_policy`] packages the destdir: components,
//!    flags, discovered dependencies, the `is:` flavor;
//! 4. [`assemble`] gives every flavor's troves the version and the
//!    lineage (source, build time, builder, build flavor, build
//!    requirements bound to exact versions) and writes one changeset.
//!
//! Group recipes skip steps 2 and 3: [`crate::group::cook_group`] binds
//! their members. Where the changeset goes (a file, or a commit with the
//! next build count) is the caller's choice; see `cvc cook`.

mod assemble;
mod fetch;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use conary_core::flavor::Flavor;

use crate::build::{BuildDirs, DirSources, Macros, run_actions};
use crate::policy::{Packaged, PolicyInput, apply_policy_with_root};
use crate::recipe::model::{Located, PolicyDirective, Recipe, RecipeKind};
use crate::recipe::{RecipeContext, evaluate, evaluate_with_factory};

pub use assemble::{Assembled, assemble_groups, assemble_packages, built_flavor, local_version};
pub use fetch::extract_source;

/// Why a cook failed.
#[derive(Debug, thiserror::Error)]
pub enum CookError {
    /// The recipe could not be evaluated (the message carries `FILE:LINE:COL`).
    #[error("{0}")]
    Recipe(#[from] crate::recipe::RecipeError),
    /// A build action failed (the message carries the recipe location).
    #[error("{0}")]
    Build(#[from] crate::build::BuildError),
    /// Policy refused the destdir.
    #[error("{0}")]
    Policy(#[from] crate::policy::PolicyError),
    /// Binding a group failed.
    #[error("{0}")]
    Group(#[from] crate::group::GroupError),
    /// A macro in a policy pattern could not be expanded.
    #[error("{at}: {message}")]
    Macro {
        /// Where the directive was.
        at: crate::recipe::model::Location,
        /// What is wrong.
        message: String,
    },
    /// The source trove could not be read from the repository.
    #[error("{0}")]
    Source(String),
    /// The changeset could not be made.
    #[error("cannot make the changeset: {0}")]
    ChangeSet(#[from] conary_changeset::ChangeSetError),
    /// Something about the cook's inputs is wrong.
    #[error("{0}")]
    Invalid(String),
    /// A local file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
}

impl CookError {
    fn io(path: &Path, source: std::io::Error) -> CookError {
        CookError::Io {
            path: path.to_owned(),
            source,
        }
    }
}

/// A recipe and the files beside it: a checkout, or a `:source` trove
/// written out by [`extract_source`].
#[derive(Debug, Clone)]
pub struct SourceTree {
    /// The directory holding the recipe and its files.
    pub dir: PathBuf,
    /// The recipe's file name in `dir` (`hello.recipe`).
    pub recipe_file: String,
    /// The other files' names (sources, patches).
    pub files: Vec<String>,
}

impl SourceTree {
    /// The source tree of a directory: `NAME.recipe` (the only `*.recipe`
    /// file in it) and every other plain file except `CONARY`.
    ///
    /// # Errors
    /// [`CookError::Invalid`] when the directory holds no recipe or several.
    pub fn from_dir(dir: &Path) -> Result<SourceTree, CookError> {
        let (recipes, files) = list_dir(dir)?;
        match recipes.as_slice() {
            [recipe] => Ok(SourceTree {
                dir: dir.to_owned(),
                recipe_file: recipe.clone(),
                files,
            }),
            [] => Err(CookError::Invalid(format!(
                "{}: no *.recipe file",
                dir.display()
            ))),
            _ => Err(CookError::Invalid(format!(
                "{}: several recipes ({}); name one",
                dir.display(),
                recipes.join(", ")
            ))),
        }
    }

    /// The tree of a recipe file and the other files of its directory.
    ///
    /// # Errors
    /// [`CookError::Invalid`] when `path` has no file name.
    pub fn from_recipe(path: &Path) -> Result<SourceTree, CookError> {
        let dir = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
            _ => PathBuf::from("."),
        };
        let recipe_file = path
            .file_name()
            .and_then(|name| name.to_str())
            .ok_or_else(|| CookError::Invalid(format!("{}: not a recipe file", path.display())))?
            .to_owned();
        let (_, files) = list_dir(&dir)?;
        let tree = SourceTree {
            dir,
            recipe_file,
            files,
        };
        Ok(tree)
    }

    /// The recipe's text.
    ///
    /// # Errors
    /// [`CookError::Io`] when it cannot be read.
    pub fn recipe_text(&self) -> Result<String, CookError> {
        let path = self.dir.join(&self.recipe_file);
        std::fs::read_to_string(&path).map_err(|error| CookError::io(&path, error))
    }
}

/// The recipes (`*.recipe`) and the other plain files of a directory,
/// each sorted; `CONARY` and hidden files are left out.
fn list_dir(dir: &Path) -> Result<(Vec<String>, Vec<String>), CookError> {
    let mut recipes = Vec::new();
    let mut files = Vec::new();
    let entries = std::fs::read_dir(dir).map_err(|error| CookError::io(dir, error))?;
    for entry in entries {
        let entry = entry.map_err(|error| CookError::io(dir, error))?;
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        let kind = entry
            .file_type()
            .map_err(|error| CookError::io(dir, error))?;
        if !kind.is_file() || name == "CONARY" || name.starts_with('.') {
            continue;
        }
        if name.ends_with(".recipe") {
            recipes.push(name);
        } else {
            files.push(name);
        }
    }
    recipes.sort();
    files.sort();
    Ok((recipes, files))
}

/// A factory's recipe, for a source that names `factory = "factory-NAME"`.
#[derive(Debug, Clone)]
pub struct FactoryRecipe {
    /// The factory recipe's file name (`factory-NAME.recipe`).
    pub file: String,
    /// Its text.
    pub text: String,
}

/// Settings of a cook beyond the recipe.
#[derive(Debug, Clone, Default)]
pub struct CookOptions {
    /// The local source cache: URL sources are taken from here.
    pub cache: Option<PathBuf>,
    /// Macros over the recipe's (`--macro 'NAME VALUE'`).
    pub macros: BTreeMap<String, String>,
    /// The mtime every packaged file gets (deterministic builds).
    pub mtime: u64,
    /// The build root whose installed tag descriptions
    /// (`etc/conary/tags/*`) policy applies besides the destdir's.
    pub build_root: Option<PathBuf>,
}

/// Evaluates the recipe of `tree` for `flavor`, through `factory` when the
/// recipe names one.
///
/// # Errors
/// [`CookError::Recipe`] for a bad recipe; [`CookError::Invalid`] when the
/// recipe names a factory that was not given.
pub fn evaluate_tree(
    tree: &SourceTree,
    flavor: &Flavor,
    factory: Option<&FactoryRecipe>,
) -> Result<Recipe, CookError> {
    let text = tree.recipe_text()?;
    let ctx = RecipeContext {
        flavor: flavor.clone(),
        source_files: tree.files.clone(),
    };
    let metadata = crate::recipe::evaluate_metadata(&tree.recipe_file, &text)?;
    match (&metadata.factory, factory) {
        (Some(_), Some(factory)) => Ok(evaluate_with_factory(
            &tree.recipe_file,
            &text,
            &factory.file,
            &factory.text,
            &ctx,
        )?),
        (Some(name), None) => Err(CookError::Invalid(format!(
            "{}: names factory '{name}', which was not found",
            tree.recipe_file
        ))),
        (None, _) => Ok(evaluate(&tree.recipe_file, &text, &ctx)?),
    }
}

/// One flavor of a package, built and packaged; its destdir lives as long
/// as this does (the changeset reads contents from it).
#[derive(Debug)]
pub struct BuiltFlavor {
    /// The recipe as evaluated for this flavor.
    pub recipe: Recipe,
    /// The flavor the troves get: use flags read plus the `is:` found.
    pub flavor: Flavor,
    /// The flavor the cook ran for.
    pub cook_flavor: Flavor,
    /// The packaged destdir.
    pub packaged: Packaged,
    /// What the build commands printed.
    pub log: Vec<u8>,
    dirs: tempfile::TempDir,
}

impl BuiltFlavor {
    /// The directory holding the build directory and the destdir.
    pub fn work_dir(&self) -> &Path {
        self.dirs.path()
    }
}

/// Builds and packages one flavor of a package recipe in a new directory
/// under `work` (the caller keeps `work` for as long as it needs the
/// result). The build log is kept in the result, and on failure is
/// written to `log` too.
///
/// # Errors
/// Whatever step fails, with the recipe location where there is one.
pub fn build_flavor(
    tree: &SourceTree,
    recipe: Recipe,
    cook_flavor: &Flavor,
    options: &CookOptions,
    work: &Path,
    log: &mut dyn std::io::Write,
) -> Result<BuiltFlavor, CookError> {
    if recipe.kind == RecipeKind::Group {
        return Err(CookError::Invalid(format!(
            "{}: '{}' is a group recipe, not a package",
            recipe.file, recipe.name
        )));
    }
    let dirs = tempfile::Builder::new()
        .prefix("cook-")
        .tempdir_in(work)
        .map_err(|error| CookError::io(work, error))?;
    let builddir = dirs.path().join("build");
    let destdir = dirs.path().join("destdir");
    for dir in [&builddir, &destdir] {
        std::fs::create_dir(dir).map_err(|error| CookError::io(dir, error))?;
    }
    let arch = instruction_set(cook_flavor);
    let mut macros = Macros::defaults(&recipe.name, &recipe.version, &destdir, &builddir, &arch);
    // Debug information names the source directory, not the temporary
    // build directory, so that a rebuild gives the same bytes.
    macros.set(
        "cflags",
        &format!(
            "-O2 -g -ffile-prefix-map={}=/usr/src/debug/{}-{}",
            builddir.display(),
            recipe.name,
            recipe.version
        ),
    );
    macros.set("cxxflags", "%(cflags)s");
    for (key, value) in recipe.macros.iter().chain(options.macros.iter()) {
        macros.set(key, value);
    }
    let sources = DirSources {
        dir: tree.dir.clone(),
        cache: options.cache.clone(),
    };
    let build_dirs = BuildDirs {
        builddir,
        destdir: destdir.clone(),
    };
    let mut build_log = Vec::new();
    if let Err(error) = run_actions(
        &recipe.actions,
        &macros,
        &sources,
        &build_dirs,
        &mut build_log,
    ) {
        let _ = log.write_all(&build_log);
        return Err(error.into());
    }
    let directives = expand_directives(&recipe.policy, &macros)?;
    let packaged = apply_policy_with_root(
        &PolicyInput {
            name: &recipe.name,
            destdir: &destdir,
            directives: &directives,
            mtime: options.mtime,
        },
        options.build_root.as_deref(),
    )?;
    let flavor = built_flavor(&recipe, &packaged.flavor, cook_flavor)?;
    Ok(BuiltFlavor {
        recipe,
        flavor,
        cook_flavor: cook_flavor.clone(),
        packaged,
        log: build_log,
        dirs,
    })
}

/// The instruction set a flavor names (`x86_64` for `is: x86_64`), or "".
fn instruction_set(flavor: &Flavor) -> String {
    flavor
        .instruction_sets()
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// Policy directives with macros expanded in their patterns (not in the
/// dependency patterns of `Requires`/`Provides` exceptions).
fn expand_directives(
    directives: &[Located<PolicyDirective>],
    macros: &Macros,
) -> Result<Vec<Located<PolicyDirective>>, CookError> {
    directives
        .iter()
        .map(|located| {
            let mut item = located.item.clone();
            let patterns = match &mut item {
                PolicyDirective::Requires { dep: None, .. }
                | PolicyDirective::Provides { dep: None, .. } => None,
                PolicyDirective::ComponentSpec { patterns, .. }
                | PolicyDirective::Config { patterns }
                | PolicyDirective::InitialContents { patterns }
                | PolicyDirective::Transient { patterns }
                | PolicyDirective::TagSpec { patterns, .. }
                | PolicyDirective::ExcludeDirectories { patterns }
                | PolicyDirective::Requires { patterns, .. }
                | PolicyDirective::Provides { patterns, .. }
                | PolicyDirective::Ownership { patterns, .. } => Some(patterns),
            };
            for pattern in patterns.into_iter().flatten() {
                *pattern = macros.expand(pattern).map_err(|error| CookError::Macro {
                    at: located.at.clone(),
                    message: error.to_string(),
                })?;
            }
            Ok(Located {
                at: located.at.clone(),
                item,
            })
        })
        .collect()
}

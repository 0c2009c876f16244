//! What a recipe says, as plain data: the result of evaluating a recipe
//! file, before anything is built.
//!
//! [`crate::recipe`] evaluates a Starlark recipe into a [`Recipe`]; the
//! build executor runs its [`Action`]s, policy applies its
//! [`PolicyDirective`]s, and group cooking binds its [`GroupOp`]s. Every
//! item carries the [`Location`] of the call that made it, so an error
//! found later (a failing `Make`, a file outside the destdir) still names
//! the recipe line.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// A place in a recipe file: `FILE:LINE:COLUMN`, lines and columns from 1.
///
/// ```rust
/// use conary_build::recipe::model::Location;
/// let at = Location { file: "hello.recipe".into(), line: 3, column: 5 };
/// assert_eq!(at.to_string(), "hello.recipe:3:5");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Location {
    /// The recipe file's name as the user gave it.
    pub file: String,
    /// The line, from 1.
    pub line: u32,
    /// The column, from 1.
    pub column: u32,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// An item of a recipe with the place of the call that made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    /// Where the recipe asked for it.
    pub at: Location,
    /// What it asked for.
    pub item: T,
}

/// What kind of trove a recipe cooks, from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RecipeKind {
    /// A package and its components (any name that is not one of the below).
    Package,
    /// `group-*`: a group of troves bound to exact versions.
    Group,
    /// `factory-*`: a recipe template for other sources.
    Factory,
}

/// A recipe after evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipe {
    /// The recipe file's name, for messages.
    pub file: String,
    /// Top-level `name`: the package (or `group-*`, `factory-*`) name.
    pub name: String,
    /// Top-level `version`: the upstream version, e.g. `1.2.3`.
    pub version: String,
    /// What kind of trove it cooks (from `name`).
    pub kind: RecipeKind,
    /// Top-level `build_requires`: trove specs, e.g. `gcc:runtime`,
    /// `zlib:devel=:1`.
    pub build_requires: Vec<String>,
    /// Top-level `factory`: the `factory-NAME` that cooks this source, if
    /// the recipe has no `setup` of its own.
    pub factory: Option<String>,
    /// The use flags the recipe read (`use.ssl`), with the value each had;
    /// they make the built flavor (`ssl,!pam`).
    pub use_flags: BTreeMap<String, bool>,
    /// Whether the recipe read `arch` (the instruction set), so the built
    /// troves carry the `is:` flavor even without ELF files.
    pub reads_arch: bool,
    /// Macros set by the recipe (`r.macros.foo = ...` or `r.Macros(...)`),
    /// over the defaults.
    pub macros: BTreeMap<String, String>,
    /// Build actions, in call order.
    pub actions: Vec<Located<Action>>,
    /// Policy directives, in call order.
    pub policy: Vec<Located<PolicyDirective>>,
    /// Group operations, in call order (group recipes only).
    pub group_ops: Vec<Located<GroupOp>>,
}

/// A build action: one call on `r` in `setup(r)`.
///
/// Paths inside the destdir are absolute as installed (`/usr/bin/hello`);
/// paths in the build directory are relative to it. Strings may hold
/// macros (`%(prefix)s`), expanded by the executor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// `r.addArchive(NAME, dir=None)`: unpack a tarball (`.tar`, `.tar.gz`,
    /// `.tgz`, `.tar.bz2`, `.tar.xz`, `.tar.zst`) from the source trove (or
    /// the local cache when NAME is a URL) into the build directory; `dir`
    /// is where, relative to the build directory (default: the build
    /// directory itself). A single top-level directory in the archive
    /// becomes the directory later actions run in.
    AddArchive {
        /// File name in the source trove, or a URL.
        name: String,
        /// Directory to unpack into, relative to the build directory.
        dir: Option<String>,
    },
    /// `r.addSource(NAME, dest=None, mode=None, macros=False)`: copy a file
    /// of the source trove into the build directory (`dest` relative to
    /// it), or, when `dest` is absolute, into the destdir.
    AddSource {
        /// File name in the source trove, or a URL.
        name: String,
        /// Where to put it (default: its own name in the build directory).
        dest: Option<String>,
        /// Permission bits, e.g. `0o755`.
        mode: Option<u32>,
        /// Whether to expand macros in its contents.
        macros: bool,
    },
    /// `r.addPatch(NAME, level=1)`: apply a patch from the source trove in
    /// the working directory (`patch -pLEVEL`).
    AddPatch {
        /// File name in the source trove, or a URL.
        name: String,
        /// Leading path components to strip.
        level: u32,
    },
    /// `r.Configure(ARGS="")`: `./configure --prefix=%(prefix)s … ARGS`.
    Configure {
        /// Extra arguments.
        args: String,
    },
    /// `r.Make(ARGS="")`: `make ARGS` in the working directory.
    Make {
        /// Extra arguments.
        args: String,
    },
    /// `r.MakeInstall(ARGS="")`: `make install DESTDIR=%(destdir)s ARGS`.
    MakeInstall {
        /// Extra arguments.
        args: String,
    },
    /// `r.Run(COMMAND, dir=None)`: `sh -c COMMAND` in the working
    /// directory (or `dir`, relative to it).
    Run {
        /// The shell command.
        command: String,
        /// Directory to run in, relative to the working directory.
        dir: Option<String>,
    },
    /// `r.Install(FROM, TO, mode=None)`: copy a file (or, when FROM ends in
    /// `/`, a directory tree) from the working directory to the destdir
    /// path TO; a TO ending in `/` keeps FROM's file name.
    Install {
        /// Source path, relative to the working directory.
        from: String,
        /// Destination, absolute as installed.
        to: String,
        /// Permission bits (default: FROM's, or 0o644 / 0o755 if executable).
        mode: Option<u32>,
    },
    /// `r.Create(PATH, contents="", mode=0o644)`: write a file in the destdir.
    Create {
        /// Absolute path as installed.
        path: String,
        /// The file's contents (macros expanded).
        contents: String,
        /// Permission bits.
        mode: u32,
    },
    /// `r.Symlink(TARGET, LINK)`: make LINK (absolute as installed) point at
    /// TARGET (written as given).
    Symlink {
        /// What the link points at.
        target: String,
        /// The link's path, absolute as installed.
        link: String,
    },
    /// `r.Remove(PATH…, recursive=False)`: delete paths from the destdir.
    Remove {
        /// Absolute paths as installed (globs allowed: `*`, `?`).
        paths: Vec<String>,
        /// Whether directories are removed with their contents.
        recursive: bool,
    },
    /// `r.SetModes(PATH…, MODE)`: set permission bits in the destdir.
    SetModes {
        /// Absolute paths as installed (globs allowed).
        paths: Vec<String>,
        /// Permission bits, e.g. `0o4755`.
        mode: u32,
    },
    /// `r.Environment(NAME, VALUE)`: set a variable for the commands that
    /// follow.
    Environment {
        /// Variable name.
        name: String,
        /// Its value (macros expanded).
        value: String,
    },
}

/// A policy directive: one call on `r` that changes how the built files
/// are packaged. Patterns are regular expressions matched against the
/// absolute installed path from its start (as the original's filters do:
/// `/usr/include/` matches everything below it; end with `$` to match one
/// path exactly); macros are expanded first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyDirective {
    /// `r.ComponentSpec(COMPONENT, PATTERN…)`: files matching go to
    /// `NAME:COMPONENT` (checked before the built-in rules).
    ComponentSpec {
        /// Component suffix without the colon, e.g. `runtime`.
        component: String,
        /// Patterns.
        patterns: Vec<String>,
    },
    /// `r.Config(PATTERN…)`: mark files config (besides everything under `/etc`).
    Config {
        /// Patterns.
        patterns: Vec<String>,
    },
    /// `r.InitialContents(PATTERN…)`: files written once, never updated.
    InitialContents {
        /// Patterns.
        patterns: Vec<String>,
    },
    /// `r.Transient(PATTERN…)`: files always replaced on update.
    Transient {
        /// Patterns.
        patterns: Vec<String>,
    },
    /// `r.TagSpec(TAG, PATTERN…)`: give matching files a tag.
    TagSpec {
        /// Tag name, e.g. `shlib`.
        tag: String,
        /// Patterns.
        patterns: Vec<String>,
    },
    /// `r.ExcludeDirectories(PATTERN…)`: leave matching directories out
    /// of the package (by default empty directories are packaged).
    ExcludeDirectories {
        /// Patterns.
        patterns: Vec<String>,
    },
    /// `r.Requires(DEP, PATTERN…)`: add a requirement (`soname: libfoo.so.1`,
    /// `trove: bar:runtime`, `file: /bin/sh`) to matching files; with
    /// `exceptions=PATTERN` drop discovered requirements matching it instead.
    Requires {
        /// The dependency in Conary's text form, or `None` for an exception.
        dep: Option<String>,
        /// Patterns of files (or, for an exception, of dependencies).
        patterns: Vec<String>,
    },
    /// `r.Provides(DEP, PATTERN…)`: add a provide to matching files; with
    /// `exceptions=PATTERN` drop discovered provides matching it instead.
    Provides {
        /// The dependency in Conary's text form, or `None` for an exception.
        dep: Option<String>,
        /// Patterns of files (or, for an exception, of dependencies).
        patterns: Vec<String>,
    },
    /// `r.Ownership(USER, GROUP, PATTERN…)`: owner and group of matching files
    /// (by default every file is `root`/`root`).
    Ownership {
        /// User name.
        user: String,
        /// Group name.
        group: String,
        /// Patterns.
        patterns: Vec<String>,
    },
}

/// One operation of a group recipe. `group` names the group it applies to
/// (`None` = the group being cooked, the recipe's `name`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupOp {
    /// `r.add(SPEC, versionStr=None, flavor=None, groupName=None, byDefault=None)`:
    /// add a trove (package, component or group) by trove spec.
    Add {
        /// Trove spec: `NAME[=VERSION-OR-LABEL][[FLAVOR]]`.
        spec: String,
        /// Target group.
        group: Option<String>,
        /// Installed by default: `None` takes the group's default
        /// (`setByDefault`, true unless changed).
        by_default: Option<bool>,
    },
    /// `r.addAll(SPEC, groupName=None)`: add every trove an existing group
    /// references, as that group does.
    AddAll {
        /// Trove spec of a group.
        spec: String,
        /// Target group.
        group: Option<String>,
    },
    /// `r.remove(NAME, groupName=None)`: drop a trove (or a component of a
    /// package: it becomes not-by-default).
    Remove {
        /// Trove name, e.g. `foo:doc`.
        name: String,
        /// Target group.
        group: Option<String>,
    },
    /// `r.replace(NAME, SPEC, groupName=None)`: replace every reference to
    /// NAME with SPEC.
    Replace {
        /// Trove name to replace.
        name: String,
        /// The new trove spec.
        spec: String,
        /// Target group (`None`: every group of the recipe).
        group: Option<String>,
    },
    /// `r.createGroup(NAME, byDefault=True)`: a nested group, referenced by
    /// the main group.
    CreateGroup {
        /// `group-*` name.
        name: String,
        /// Installed by default.
        by_default: bool,
    },
    /// `r.addNewGroup(NAME, groupName=None, byDefault=True)`: reference a
    /// group created in this recipe from another one.
    AddNewGroup {
        /// The created group.
        name: String,
        /// The group that references it.
        group: Option<String>,
        /// Installed by default.
        by_default: bool,
    },
    /// `r.setSearchPath(LABEL-OR-SPEC…)`: where specs without a label are
    /// looked up (default: the build label path).
    SetSearchPath {
        /// Labels (or trove specs), in order.
        path: Vec<String>,
    },
    /// `r.setByDefault(BOOL, groupName=None)`: default for later adds.
    SetByDefault {
        /// The new default.
        by_default: bool,
        /// Target group.
        group: Option<String>,
    },
    /// `r.requires(SPEC, groupName=None)`: a trove requirement of the group.
    Requires {
        /// Trove name.
        name: String,
        /// Target group.
        group: Option<String>,
    },
    /// `r.setAutoResolve(BOOL)`: pull missing dependencies in from the
    /// search path instead of failing.
    SetAutoResolve {
        /// Whether to resolve.
        auto_resolve: bool,
    },
    /// `r.addPostInstallScript(contents=TEXT, groupName=None)` and the
    /// other seven slots (`addPreInstallScript`, `addPreUpdateScript`,
    /// `addPostUpdateScript`, `addPreEraseScript`, `addPostEraseScript`,
    /// `addPreRollbackScript`, `addPostRollbackScript`): a trove script of
    /// the group, run when it is installed, updated, erased or rolled back.
    AddScript {
        /// The slot, as trove info names it (`postInstall`).
        slot: String,
        /// The script (`#!` first line, or run with `/bin/sh -c`).
        contents: String,
        /// Target group.
        group: Option<String>,
        /// For `postRollback` (`toClass=`): the compatibility classes the
        /// script converts the system to, from the group's own class.
        to_class: Vec<u16>,
    },
    /// `r.setCompatibilityClass(N, groupName=None)`: the group's
    /// compatibility class, for rollback invalidation.
    SetCompatibilityClass {
        /// The class.
        class: u16,
        /// Target group.
        group: Option<String>,
    },
}

/// Every flag a recipe may read through `use.NAME` defaults to off unless
/// the cook's flavor turns it on; this is the set a recipe read, for the
/// flavor of the result.
pub type UseFlags = BTreeSet<String>;

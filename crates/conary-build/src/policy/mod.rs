//! Packaging policy: after a build, turn the destdir into Conary troves.
//!
//! Where to start reading: [`apply_policy`] walks the destdir (without
//! following symlinks), checks it, and gives every file its component,
//! owner, flags, tags and dependencies, as [`Packaged`];
//! [`Packaged::to_troves`] makes the component troves and the package
//! trove ([`BuiltTroves`]), and [`BuiltTroves::to_changeset`] the absolute
//! changeset that installs them, reading contents from the destdir
//! ([`BuiltTroves::write_changeset`] writes it as a `.ccs` file).
//!
//! The rules, in the order they apply:
//!
//! 1. **What is packaged.** Regular files and symlinks; a directory only
//!    when it is empty and no `ExcludeDirectories` pattern matches it (a
//!    non-empty directory comes with its files). A fifo, device or socket
//!    is refused, and so is a destdir holding nothing.
//! 2. **Symlinks.** A target is resolved inside the destdir (relative to
//!    the link's directory, or from the destdir's root when absolute,
//!    following the destdir's own symlinks). A relative target that leads
//!    to nothing is a broken symlink; an absolute one may belong to
//!    another package; a target that climbs above the root with `..` is
//!    refused.
//! 3. **Components.** `ComponentSpec` directives first (first match wins),
//!    then the built-in rules of [`component_for`]
//!    (`:debuginfo`, tag handlers in `:runtime`, `:config`, `:python`,
//!    `:perl`, `:doc`, `:locale`, `:devel`, `:data`, `:lib`, `:runtime`),
//!    shared with `cvc import-deb`. As there, man pages of sections 2 and
//!    3 go to `:devel`, `:data` (`/usr/share`) is decided before `:lib`,
//!    and `/var/lib` is not a library directory. A `ComponentSpec` may
//!    name a component of its own (`:manual`): any suffix of letters,
//!    digits, `_` and `-` but `source`.
//! 4. **Owners** are `root`/`root` unless an `Ownership` directive
//!    matches (first match wins); a file owned by another user or group
//!    requires `userinfo: USER` / `groupinfo: GROUP`. Modes come from disk,
//!    mtimes are all [`PolicyInput::mtime`].
//! 5. **Flags.** Regular files under `/etc` and scripts under
//!    `/usr/libexec/conary/tags` (not ELF files) are config, and so is
//!    whatever a `Config` directive matches. `InitialContents` and
//!    `Transient` mark files too; they take over from the implicit config
//!    of `/etc`, but a file cannot be both config (by directive) and one
//!    of them, nor both of them. `TagSpec` adds tags, and so does a tag
//!    description the destdir ships in `/etc/conary/tags` (or the build
//!    root has installed: [`apply_policy_with_root`]) to the files its
//!    `include`/`exclude` filters match (`tagdesc.rs`); policy adds
//!    `taghandler` (`/usr/libexec/conary/tags/*`), `tagdescription`
//!    (`/etc/conary/tags/*`) and `shlib` (a shared object with a soname in
//!    a system library directory).
//! 6. **Dependencies.** ELF files (see `elf.rs`): a shared object provides
//!    its soname, every ELF file requires the sonames it needs and sets the
//!    `is:` flavor of its stream and of [`Packaged::flavor`] (detached
//!    debug files under `/usr/lib/debug` set the flavor only; an ELF file
//!    goblin cannot read is packaged as plain data). An
//!    executable `#!` script requires `file: INTERPRETER`. The component
//!    of a file (not a directory) in `/bin`, `/sbin`, `/usr/bin`,
//!    `/usr/sbin` or `/usr/libexec` provides `file: PATH`
//!    ([`Packaged::path_provides`]). `Provides`/`Requires` exceptions drop
//!    discovered dependencies whose text or name they match; their other
//!    form adds a dependency to the regular files and symlinks matched.
//!    Last, requirements the package satisfies itself are dropped (a
//!    provide of one of its files, one of its components, or a `file:`
//!    path it holds).
//!
//! Patterns are regular expressions matched from the start of the
//! absolute installed path (Python's `re.match`), macros already expanded
//! by the caller.

mod directives;
mod elf;
mod error;
mod scan;
mod tagdesc;
mod troves;
mod walk;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use conary_core::deps::{DepClass, Dependency, DependencySet};
use conary_core::digest::Digest;
use conary_core::files::{FileFlags, FileKind, FileStream, Mode};
use conary_core::flavor::{Flavor, FlavorClass};
use conary_core::name::TroveName;

use directives::{DepRule, Rules, excepted};
pub use error::PolicyError;
use scan::Scanned;
pub use troves::{BuiltTroves, path_id_for};
use walk::{Entry, EntryKind};

use crate::deb::{DebEntry, DebEntryKind, DebOwner, component_for};
use crate::recipe::model::{Located, PolicyDirective};

/// What [`apply_policy`] packages.
#[derive(Debug, Clone, Copy)]
pub struct PolicyInput<'a> {
    /// The package name, e.g. `hello`.
    pub name: &'a str,
    /// The directory the build installed into.
    pub destdir: &'a Path,
    /// The recipe's policy directives, macros expanded.
    pub directives: &'a [Located<PolicyDirective>],
    /// The mtime of every file stream (deterministic builds: the source's
    /// commit time, or 0).
    pub mtime: u64,
}

/// One packaged file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackagedFile {
    /// Its component suffix, e.g. `runtime`.
    pub component: String,
    /// Its stream: kind, mode, owner, flags, tags, dependencies, flavor.
    pub stream: FileStream,
    /// For a regular file, where its contents are in the destdir.
    pub contents: Option<PathBuf>,
}

/// A destdir after policy: every packaged file by absolute installed path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packaged {
    /// Absolute installed path -> file.
    pub files: BTreeMap<String, PackagedFile>,
    /// `is: ARCH` from the ELF machine types found (empty if none).
    pub flavor: Flavor,
    /// Paths the component holding them provides as `file: PATH`: every
    /// file but a directory in `/bin`, `/sbin`, `/usr/bin`, `/usr/sbin`
    /// and `/usr/libexec`, unless a `Provides` exception matches. A trove
    /// provides them, not the file streams, so that a fileId does not
    /// depend on the path.
    pub path_provides: BTreeSet<String>,
}

/// The directories whose files are path dependency targets.
const BIN_DIRS: [&str; 5] = ["/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/libexec"];

/// Applies packaging policy to `input.destdir`.
///
/// ```rust
/// use conary_build::policy::{PolicyInput, apply_policy};
/// let destdir = tempfile::tempdir()?;
/// std::fs::create_dir_all(destdir.path().join("usr/bin"))?;
/// std::fs::write(destdir.path().join("usr/bin/hello"), "#!/bin/sh\necho hello\n")?;
/// # use std::os::unix::fs::PermissionsExt;
/// std::fs::set_permissions(destdir.path().join("usr/bin/hello"), std::fs::Permissions::from_mode(0o755))?;
/// let input = PolicyInput { name: "hello", destdir: destdir.path(), directives: &[], mtime: 0 };
/// let packaged = apply_policy(&input)?;
/// let file = &packaged.files["/usr/bin/hello"];
/// assert_eq!(file.component, "runtime");
/// assert_eq!(file.stream.requires.to_string(), "file: /bin/sh");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn apply_policy(input: &PolicyInput<'_>) -> Result<Packaged, PolicyError> {
    apply_policy_with_root(input, None)
}

/// [`apply_policy`], with the tag descriptions installed in `build_root`
/// (`R/etc/conary/tags/*`, for `cvc cook --root R`) applied too: a
/// package built on a system with a tag handler gets its files tagged. A
/// description in the destdir replaces the root's of the same name.
///
/// # Errors
/// As [`apply_policy`]; a broken description of the root is named by its
/// path under the root.
pub fn apply_policy_with_root(
    input: &PolicyInput<'_>,
    build_root: Option<&Path>,
) -> Result<Packaged, PolicyError> {
    let package = TroveName::new(input.name).map_err(|error| PolicyError::InvalidPackageName {
        name: input.name.to_owned(),
        reason: error.to_string(),
    })?;
    let rules = Rules::compile(&package, input.directives)?;
    let entries = walk::walk(input.destdir)?;
    let tag_filters = tagdesc::read_all(input.destdir, build_root)?;
    walk::check_symlinks(&entries)?;

    let mut files: BTreeMap<String, Draft> = BTreeMap::new();
    let mut flavor = Flavor::new();
    for (path, entry) in &entries {
        if let EntryKind::Directory { empty } = entry.kind
            && (!empty
                || rules
                    .exclude_directories
                    .iter()
                    .any(|matcher| matcher.matches(path)))
        {
            continue;
        }
        let scanned = match entry.kind {
            EntryKind::Regular { .. } => Some(scan::scan(&entry.disk)?),
            _ => None,
        };
        if let Some(arch) = scanned.as_ref().and_then(|s| s.elf.as_ref()?.arch) {
            add_arch(&mut flavor, path, arch)?;
        }
        let mut draft = Draft::new(&rules, path, entry, scanned, &entries, input.mtime)?;
        if !matches!(entry.kind, EntryKind::Directory { .. }) {
            draft.stream.tags.extend(
                tag_filters
                    .iter()
                    .filter(|description| description.matches(path))
                    .map(|description| description.tag.clone()),
            );
        }
        files.insert(path.clone(), draft);
    }

    if files.is_empty() {
        // Only excluded directories.
        return Err(PolicyError::NothingInstalled);
    }

    // What the package provides itself: file provides, its components,
    // and every path it holds.
    let mut provides = DependencySet::new();
    for draft in files.values() {
        provides.merge(&draft.stream.provides);
        let component = package.with_component(&draft.component).map_err(|error| {
            PolicyError::InvalidPackageName {
                name: input.name.to_owned(),
                reason: error.to_string(),
            }
        })?;
        provides.insert(Dependency::trove(&component));
    }
    let self_provided = |required: &Dependency| {
        provides.satisfies_dependency(required)
            || (required.class() == DepClass::File && entries.contains_key(required.name()))
    };

    let mut path_provides = BTreeSet::new();
    for (path, draft) in &files {
        let dir = path.rsplit_once('/').map_or("", |(dir, _)| dir);
        if BIN_DIRS.contains(&dir)
            && draft.stream.kind != FileKind::Directory
            && let Ok(dependency) =
                Dependency::new(DepClass::File, path.clone(), Vec::<String>::new())
            && !excepted(&rules.provides, &dependency)
        {
            path_provides.insert(path.clone());
        }
    }

    let link_groups = link_groups(input.name, &entries, &files);
    let mut packaged = BTreeMap::new();
    for (path, mut draft) in files {
        draft.stream.requires = draft
            .stream
            .requires
            .iter()
            .filter(|required| !self_provided(required))
            .cloned()
            .collect();
        if let FileKind::Regular { link_group, .. } = &mut draft.stream.kind {
            *link_group = link_groups.get(path.as_str()).copied();
        }
        packaged.insert(
            path,
            PackagedFile {
                component: draft.component,
                stream: draft.stream,
                contents: draft.contents,
            },
        );
    }
    Ok(Packaged {
        files: packaged,
        flavor,
        path_provides,
    })
}

/// A file on its way to a [`PackagedFile`].
struct Draft {
    component: String,
    stream: FileStream,
    contents: Option<PathBuf>,
}

impl Draft {
    fn new(
        rules: &Rules,
        path: &str,
        entry: &Entry,
        scanned: Option<Scanned>,
        entries: &BTreeMap<String, Entry>,
        mtime: u64,
    ) -> Result<Draft, PolicyError> {
        let component = match rules.component_of(path) {
            Some(component) => component.to_owned(),
            None => builtin_component(path, entry).to_owned(),
        };
        let kind = match (&entry.kind, &scanned) {
            (EntryKind::Regular { .. }, Some(scanned)) => FileKind::Regular {
                size: scanned.size,
                digest: scanned.digest,
                link_group: None,
            },
            (EntryKind::Symlink { target }, _) => FileKind::Symlink {
                target: target.clone(),
            },
            _ => FileKind::Directory,
        };
        let is_regular = matches!(kind, FileKind::Regular { .. });
        let mode = Mode::new(entry.mode).map_err(|_| PolicyError::Mode {
            path: path.to_owned(),
            mode: entry.mode,
        })?;
        let (user, group) = rules.owner_of(path);
        let mut stream = FileStream::new(kind, mode, user, group);
        stream.mtime = mtime;
        if is_regular {
            let is_elf = scanned.as_ref().is_some_and(|s| s.is_elf);
            stream.flags = flags(rules, path, is_elf)?;
        }
        stream.tags = rules
            .tags
            .iter()
            .filter(|(_, matcher)| matcher.matches(path))
            .map(|(tag, _)| tag.clone())
            .collect();
        if is_regular {
            stream
                .tags
                .extend(automatic_tag(path, scanned.as_ref()).map(str::to_owned));
        }
        if let Some(arch) = scanned.as_ref().and_then(|s| s.elf.as_ref()?.arch) {
            stream.flavor = Flavor::new();
            add_arch(&mut stream.flavor, path, arch)?;
        }
        if !matches!(entry.kind, EntryKind::Directory { .. }) {
            let (provides, requires) =
                dependencies(rules, path, entry, scanned.as_ref(), entries, (user, group))?;
            stream.provides = provides;
            stream.requires = requires;
        }
        Ok(Draft {
            component,
            stream,
            contents: is_regular.then(|| entry.disk.clone()),
        })
    }
}

/// The built-in component of `path`, as `cvc import-deb` decides it.
fn builtin_component(path: &str, entry: &Entry) -> &'static str {
    let kind = match &entry.kind {
        EntryKind::Regular { .. } => DebEntryKind::Regular,
        EntryKind::Directory { .. } => DebEntryKind::Directory,
        EntryKind::Symlink { target } => DebEntryKind::Symlink {
            target: target.clone(),
        },
    };
    let root = DebOwner { name: None, id: 0 };
    let deb_entry = DebEntry {
        path: path.to_owned(),
        kind,
        mode: entry.mode,
        owner: root.clone(),
        group: root,
        mtime: 0,
        size: 0,
    };
    component_for(&deb_entry, false).name()
}

/// The tag a regular file gets by itself: `taghandler` for a handler in
/// `/usr/libexec/conary/tags`, `tagdescription` for a description in
/// `/etc/conary/tags`, `shlib` for a shared object with a soname in a
/// system library directory.
fn automatic_tag(path: &str, scanned: Option<&Scanned>) -> Option<&'static str> {
    let dir = path.rsplit_once('/').map_or("", |(dir, _)| dir);
    if dir == "/usr/libexec/conary/tags" {
        return Some("taghandler");
    }
    if dir == "/etc/conary/tags" {
        return Some("tagdescription");
    }
    let elf = scanned?.elf.as_ref()?;
    (elf.soname.is_some() && elf::is_system_lib_dir(dir)).then_some("shlib")
}

/// Whether `path` is strictly inside `directory`.
fn under(path: &str, directory: &str) -> bool {
    path.strip_prefix(directory)
        .is_some_and(|rest| rest.len() > 1 && rest.starts_with('/'))
}

/// The flags of a regular file (see the module docs, rule 5).
fn flags(rules: &Rules, path: &str, is_elf: bool) -> Result<FileFlags, PolicyError> {
    let implicit_config =
        !is_elf && (under(path, "/etc") || under(path, "/usr/libexec/conary/tags"));
    let config_directive = rules.config.iter().find(|matcher| matcher.matches(path));
    let initial = rules
        .initial_contents
        .iter()
        .find(|matcher| matcher.matches(path));
    let transient = rules.transient.iter().find(|matcher| matcher.matches(path));
    let conflict = |at: &directives::Matcher, first, second| PolicyError::ConflictingFlags {
        at: at.at.clone(),
        path: path.to_owned(),
        first,
        second,
    };
    if let (Some(_), Some(initial)) = (config_directive, initial) {
        return Err(conflict(initial, "config", "initialContents"));
    }
    if let (Some(_), Some(transient)) = (config_directive, transient) {
        return Err(conflict(transient, "config", "transient"));
    }
    if let (Some(_), Some(transient)) = (initial, transient) {
        return Err(conflict(transient, "initialContents", "transient"));
    }
    let mut flags = FileFlags::empty();
    let config =
        config_directive.is_some() || (implicit_config && initial.is_none() && transient.is_none());
    flags.set(FileFlags::CONFIG, config);
    flags.set(FileFlags::INITIAL_CONTENTS, initial.is_some());
    flags.set(FileFlags::TRANSIENT, transient.is_some());
    Ok(flags)
}

/// The provides and requires of a regular file or symlink, before
/// self-provided requirements are dropped.
fn dependencies(
    rules: &Rules,
    path: &str,
    entry: &Entry,
    scanned: Option<&Scanned>,
    entries: &BTreeMap<String, Entry>,
    (user, group): (&str, &str),
) -> Result<(DependencySet, DependencySet), PolicyError> {
    let discovered = |class: DepClass, name: String, flags: Vec<String>| {
        Dependency::new(class, name.clone(), flags.clone()).map_err(|error| {
            PolicyError::DiscoveredDependency {
                path: path.to_owned(),
                dependency: format!("{class}: {name}({})", flags.join(" ")),
                reason: error.to_string(),
            }
        })
    };
    let mut provides = Vec::new();
    let mut requires = Vec::new();
    let dir = path.rsplit_once('/').map_or("", |(dir, _)| dir);
    let executable = match entry.kind {
        EntryKind::Symlink { .. } => true,
        _ => entry.mode & 0o111 != 0,
    };
    if let Some(info) = scanned.and_then(|s| s.elf.as_ref())
        && !under(path, "/usr/lib/debug")
    {
        if let Some(soname) = &info.soname {
            let mut flags = info.base_flags();
            flags.extend(info.defined_versions.iter().cloned());
            provides.push(soname_dep(info.class, dir, soname, flags, &discovered)?);
        }
        for (needed, versions) in &info.needed {
            let mut flags = info.base_flags();
            flags.extend(versions.iter().cloned());
            let found_in = info
                .search_paths
                .iter()
                .map(|search| search_dir(search, dir))
                .find(|search| entries.contains_key(&format!("{search}/{needed}")))
                .unwrap_or_else(|| "/usr/lib".to_owned());
            requires.push(soname_dep(
                info.class,
                &found_in,
                needed,
                flags,
                &discovered,
            )?);
        }
    }
    if let Some(interpreter) = scanned.and_then(|s| s.interpreter.as_ref())
        && executable
        && interpreter.starts_with('/')
        && let Ok(dependency) =
            Dependency::new(DepClass::File, interpreter.clone(), Vec::<String>::new())
    {
        requires.push(dependency);
    }
    if user != "root" {
        requires.push(discovered(DepClass::UserInfo, user.to_owned(), Vec::new())?);
    }
    if group != "root" {
        requires.push(discovered(
            DepClass::GroupInfo,
            group.to_owned(),
            Vec::new(),
        )?);
    }
    let provides = apply_rules(&rules.provides, path, provides);
    let requires = apply_rules(&rules.requires, path, requires);
    Ok((provides, requires))
}

/// A soname dependency, named with its directory when that is not a
/// system library directory and makes a valid name, else without.
fn soname_dep(
    class: &str,
    dir: &str,
    soname: &str,
    flags: Vec<String>,
    discovered: &impl Fn(DepClass, String, Vec<String>) -> Result<Dependency, PolicyError>,
) -> Result<Dependency, PolicyError> {
    let name = elf::soname_dep_name(class, dir, soname);
    Dependency::new(DepClass::Soname, name, flags.clone())
        .or_else(|_| discovered(DepClass::Soname, format!("{class}/{soname}"), flags))
}

/// A `DT_RUNPATH`/`DT_RPATH` entry as an absolute, normal directory
/// (`$ORIGIN` is the directory of the file, `dir`).
fn search_dir(search: &str, dir: &str) -> String {
    let expanded = search.replace("${ORIGIN}", dir).replace("$ORIGIN", dir);
    let mut parts: Vec<&str> = Vec::new();
    for part in expanded.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    format!("/{}", parts.join("/"))
}

/// Exceptions drop discovered dependencies; additions are then made to
/// the files matched.
fn apply_rules(rules: &[DepRule], path: &str, discovered: Vec<Dependency>) -> DependencySet {
    let mut set: DependencySet = discovered
        .into_iter()
        .filter(|dependency| !excepted(rules, dependency))
        .collect();
    for rule in rules {
        if let DepRule::Add(dependency, matcher) = rule
            && matcher.matches(path)
        {
            set.insert(dependency.clone());
        }
    }
    set
}

fn add_arch(flavor: &mut Flavor, path: &str, arch: &str) -> Result<(), PolicyError> {
    flavor
        .add_arch(FlavorClass::InstructionSet, arch, &[])
        .map_err(|error| PolicyError::Flavor {
            path: path.to_owned(),
            arch: arch.to_owned(),
            reason: error.to_string(),
        })
}

/// The link group of every regular file that shares its inode with
/// another packaged file of the same component: derived from the package
/// name and the first path of the group.
fn link_groups(
    package: &str,
    entries: &BTreeMap<String, Entry>,
    files: &BTreeMap<String, Draft>,
) -> BTreeMap<String, Digest> {
    let mut groups: BTreeMap<((u64, u64), &str), Vec<&str>> = BTreeMap::new();
    for (path, draft) in files {
        if let Some(Entry {
            kind: EntryKind::Regular { inode: Some(inode) },
            ..
        }) = entries.get(path)
        {
            groups
                .entry((*inode, draft.component.as_str()))
                .or_default()
                .push(path);
        }
    }
    let mut link_groups = BTreeMap::new();
    for paths in groups.values().filter(|paths| paths.len() > 1) {
        let Some(first) = paths.first() else {
            continue;
        };
        let group = troves::link_group_for(package, first);
        for path in paths {
            link_groups.insert((*path).to_owned(), group);
        }
    }
    link_groups
}

impl Packaged {
    /// The component suffixes that hold files.
    pub fn components(&self) -> BTreeSet<&str> {
        self.files
            .values()
            .map(|file| file.component.as_str())
            .collect()
    }
}

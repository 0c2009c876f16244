//! Derived packages (`cvc derive`, and the cook of a recipe with
//! `derived = True`): a package changed without rebuilding it from
//! source. The parent's files are put in the destdir, the recipe's
//! actions change them (`r.Create` replacing a config file, `r.Remove`),
//! and the result is packaged against the parent: a file the actions did
//! not touch keeps the parent's pathId, stream and file version (its
//! contents stay where the parent's are, by reference); a changed file
//! gets a new stream at the new version in the same component; a removed
//! file is dropped; a new file goes to the component of its nearest
//! parent directory (`:runtime` when none). Dependencies are the
//! parent's. The troves get [`TroveFlags::DERIVED`] and `derived_from`.
//!
//! Where to start: [`derived_recipe`] (what `cvc derive` writes),
//! [`find_parent`], then [`cook_derived`].

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufWriter, Write as _};
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Component, Path, PathBuf};

use conary_api::{Job, TroveQuery, TroveSource};
use conary_changeset::{ChangeSetBuilder, ChangeSetReader, MemContents, NoContents, PayloadId};
use conary_core::digest::{Digest, FileId, PathId};
use conary_core::files::{FileKind, FileStream, Mode};
use conary_core::name::TroveName;
use conary_core::trove::{FileRef, Trove, TroveRef, TroveTuple};
use conary_core::troveinfo::TroveFlags;
use conary_core::version::Version;

use crate::build::{BuildDirs, DirSources, Macros, run_actions_over};
use crate::cook::{CookOptions, SourceTree};
use crate::recipe::model::Recipe;

/// Why a derived package could not be made.
#[derive(Debug, thiserror::Error)]
pub enum DeriveError {
    /// The repository could not answer.
    #[error("{what}: {source}")]
    Repository {
        /// What was asked.
        what: String,
        /// Why.
        source: conary_api::SourceError,
    },
    /// No parent package to derive from.
    #[error("no parent of {name} {version} on {branch}: shadow the package first (cvc derive)")]
    NoParent {
        /// The package.
        name: String,
        /// The recipe's upstream version.
        version: String,
        /// The branch searched.
        branch: String,
    },
    /// The parent's troves or files are not usable.
    #[error("parent {trove}: {reason}")]
    BadParent {
        /// The parent trove.
        trove: String,
        /// What is wrong.
        reason: String,
    },
    /// A recipe action failed (the message names the recipe line).
    #[error("{0}")]
    Build(#[from] crate::build::BuildError),
    /// The changeset could not be made.
    #[error("cannot make the changeset: {0}")]
    ChangeSet(#[from] conary_changeset::ChangeSetError),
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> DeriveError + '_ {
    move |source| DeriveError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The recipe `cvc derive` writes for package `name` at upstream
/// `version`: `derived = True` and a `setup` to fill in.
///
/// ```rust
/// let text = conary_build::derive::derived_recipe("foo", "1.0");
/// assert!(text.contains("derived = True"));
/// ```
pub fn derived_recipe(name: &str, version: &str) -> String {
    format!(
        "name = '{name}'\nversion = '{version}'\n# A derived package: the cook starts from the parent's files.\nderived = True\n\ndef setup(r):\n    # Change the parent's files here, e.g.\n    # r.Create('/etc/{name}.conf', contents = 'setting = 1\\n')\n    # r.Remove('/usr/share/doc/{name}/README')\n    pass\n"
    )
}

/// The parent of a derived cook of `name` (upstream `upstream`) from the
/// source `source_version`: the newest build of `name` on the source's
/// binary branch with that upstream version that is not itself derived
/// (the package `cvc derive` shadowed), every flavor of it.
pub fn find_parent(
    source: &dyn TroveSource,
    name: &TroveName,
    upstream: &str,
    source_version: &Version,
) -> Result<Vec<Trove>, DeriveError> {
    let branch = source_version.branch().binary_branch();
    let what = format!("cannot list {name} on {branch}");
    let query = TroveQuery::on_branch(branch.clone())
        .named([name.clone()])
        .all_versions();
    let tuples: Vec<TroveTuple> = source
        .trove_versions(&query)
        .map_err(|source| DeriveError::Repository {
            what: what.clone(),
            source,
        })?
        .into_iter()
        .filter(|tuple| &tuple.name == name)
        .filter(|tuple| tuple.version.trailing_revision().upstream() == upstream)
        .collect();
    let troves = source
        .troves(&tuples)
        .map_err(|source| DeriveError::Repository { what, source })?;
    let mut parents: Vec<Trove> = troves
        .into_iter()
        .filter(|trove| !trove.info.flags.contains(TroveFlags::DERIVED))
        .collect();
    let newest = parents.iter().map(|trove| trove.version.timestamp()).max();
    parents.retain(|trove| Some(trove.version.timestamp()) == newest);
    if parents.is_empty() {
        return Err(DeriveError::NoParent {
            name: name.to_string(),
            version: upstream.to_owned(),
            branch: branch.to_string(),
        });
    }
    Ok(parents)
}

/// A parent package with its components, streams and contents.
struct Parent {
    package: Trove,
    components: Vec<Trove>,
    streams: BTreeMap<FileId, FileStream>,
    contents: BTreeMap<Digest, Vec<u8>>,
}

fn fetch_parent(source: &dyn TroveSource, package: &Trove) -> Result<Parent, DeriveError> {
    let tuple = package.tuple();
    let what = format!("cannot fetch {tuple}");
    let mut bytes = Vec::new();
    let job = Job::install(
        tuple.name.clone(),
        tuple.version.clone(),
        tuple.flavor.clone(),
    );
    source
        .changeset(&[job], true, &mut bytes)
        .map_err(|source| DeriveError::Repository {
            what: what.clone(),
            source,
        })?;
    let mut reader = ChangeSetReader::new(&bytes[..])?;
    let mut contents = BTreeMap::new();
    while let Some(mut payload) = reader.next_payload(&NoContents)? {
        let id = payload.id();
        let data = payload.read_to_vec()?;
        if let PayloadId::Contents(digest) = id {
            contents.insert(digest, data);
        }
    }
    let changeset = reader.finish()?;
    let components: Vec<Trove> = changeset
        .troves
        .values()
        .map(|change| change.new.clone())
        .filter(|trove| package.strong_refs.contains_key(&trove.tuple()))
        .collect();
    Ok(Parent {
        package: package.clone(),
        components,
        streams: changeset.files,
        contents,
    })
}

/// `path` (absolute, as installed) under `root`, refusing `..` and the
/// like.
fn under(root: &Path, path: &str, trove: &Trove) -> Result<PathBuf, DeriveError> {
    let relative = Path::new(path.trim_start_matches('/'));
    if !path.starts_with('/')
        || relative
            .components()
            .any(|part| !matches!(part, Component::Normal(_)))
    {
        return Err(DeriveError::BadParent {
            trove: trove.tuple().to_string(),
            reason: format!("unsafe path '{path}'"),
        });
    }
    Ok(root.join(relative))
}

/// The first directory between `root` and `path` that is a symbolic link.
fn symlinked_ancestor(root: &Path, path: &Path) -> Option<PathBuf> {
    let relative = path.strip_prefix(root).ok()?;
    let mut here = root.to_path_buf();
    let parts: Vec<Component<'_>> = relative.components().collect();
    for part in parts.iter().take(parts.len().saturating_sub(1)) {
        here.push(part);
        if std::fs::symlink_metadata(&here).is_ok_and(|meta| meta.file_type().is_symlink()) {
            return Some(here);
        }
    }
    None
}

/// Writes the parent's files into `destdir`.
fn populate(destdir: &Path, parent: &Parent) -> Result<(), DeriveError> {
    for component in &parent.components {
        for file in component.files.values() {
            let bad = |reason: String| DeriveError::BadParent {
                trove: component.tuple().to_string(),
                reason,
            };
            let path = under(destdir, &file.path, component)?;
            let stream = parent
                .streams
                .get(&file.file_id)
                .ok_or_else(|| bad(format!("no stream for {}", file.path)))?;
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(io(dir))?;
            }
            // A parent whose symlink stands where a directory of a later
            // path is would have that path written outside the destdir.
            if let Some(link) = symlinked_ancestor(destdir, &path) {
                return Err(bad(format!(
                    "{} lies under the symbolic link {}",
                    file.path,
                    link.display()
                )));
            }
            match &stream.kind {
                FileKind::Regular { digest, .. } => {
                    let data = parent
                        .contents
                        .get(digest)
                        .ok_or_else(|| bad(format!("no contents for {}", file.path)))?;
                    std::fs::write(&path, data).map_err(io(&path))?;
                    let mode = u32::from(stream.mode.bits()) & 0o777;
                    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))
                        .map_err(io(&path))?;
                }
                FileKind::Directory => std::fs::create_dir_all(&path).map_err(io(&path))?,
                FileKind::Symlink { target } => {
                    std::os::unix::fs::symlink(target, &path).map_err(io(&path))?;
                }
                // Devices, fifos and sockets cannot be changed by a recipe;
                // they are kept as the parent has them.
                _ => {}
            }
        }
    }
    Ok(())
}

/// What is at a path of the destdir after the actions ran.
#[derive(Debug, PartialEq, Eq)]
enum Found {
    Regular { contents: Vec<u8>, mode: u32 },
    Symlink(String),
    Directory,
}

/// Every path under `destdir`, as installed (`/etc/foo.conf`).
fn scan(destdir: &Path) -> Result<BTreeMap<String, Found>, DeriveError> {
    let mut found = BTreeMap::new();
    let mut pending = vec![destdir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).map_err(io(&dir))? {
            let entry = entry.map_err(io(&dir))?;
            let path = entry.path();
            let relative = path.strip_prefix(destdir).unwrap_or(&path);
            let name = format!("/{}", relative.to_string_lossy());
            let meta = std::fs::symlink_metadata(&path).map_err(io(&path))?;
            if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&path).map_err(io(&path))?;
                found.insert(name, Found::Symlink(target.to_string_lossy().into_owned()));
            } else if meta.is_dir() {
                found.insert(name, Found::Directory);
                pending.push(path);
            } else if meta.is_file() {
                let contents = std::fs::read(&path).map_err(io(&path))?;
                let mode = meta.permissions().mode() & 0o7777;
                found.insert(name, Found::Regular { contents, mode });
            }
        }
    }
    Ok(found)
}

/// Whether `found` is the parent's file `stream` unchanged.
fn unchanged(stream: &FileStream, found: &Found) -> bool {
    match (&stream.kind, found) {
        (FileKind::Regular { digest, .. }, Found::Regular { contents, mode }) => {
            Digest::of(contents) == *digest && u32::from(stream.mode.bits()) & 0o777 == mode & 0o777
        }
        (FileKind::Symlink { target }, Found::Symlink(now)) => target == now,
        (FileKind::Directory, Found::Directory) => true,
        _ => false,
    }
}

/// What a derived cook needs besides the recipe.
#[derive(Debug)]
pub struct DeriveRequest<'a> {
    /// The recipe's source tree (the checkout of the derived source).
    pub tree: &'a SourceTree,
    /// The recipe, evaluated.
    pub recipe: &'a Recipe,
    /// The derived source version (trove info `source_version`).
    pub source_version: &'a Version,
    /// The version the derived troves get.
    pub version: &'a Version,
    /// Build time and builder recorded in the trove info.
    pub build_time: u64,
    /// Who built it.
    pub builder: &'a str,
    /// Cook settings (the mtime of new files, the source cache, macros).
    pub options: &'a CookOptions,
    /// A directory for the destdirs.
    pub work: &'a Path,
}

/// Cooks a derived package from each parent (one per flavor, from
/// [`find_parent`]) and writes one changeset to `out`; returns the package
/// tuples (primary) and every trove written.
pub fn cook_derived(
    source: &dyn TroveSource,
    parents: &[Trove],
    request: &DeriveRequest<'_>,
    out: &Path,
) -> Result<(Vec<TroveTuple>, Vec<TroveTuple>), DeriveError> {
    let mut builder = ChangeSetBuilder::new();
    let mut streams: BTreeMap<FileId, FileStream> = BTreeMap::new();
    let mut contents = MemContents::new();
    let mut primary = Vec::new();
    let mut all = Vec::new();
    for (index, package) in parents.iter().enumerate() {
        let parent = fetch_parent(source, package)?;
        let dirs = request.work.join(format!("derive-{index}"));
        let builddir = dirs.join("build");
        let destdir = dirs.join("destdir");
        for dir in [&builddir, &destdir] {
            std::fs::create_dir_all(dir).map_err(io(dir))?;
        }
        populate(&destdir, &parent)?;
        let arch = package
            .flavor
            .instruction_sets()
            .next()
            .unwrap_or_default()
            .to_owned();
        let mut macros = Macros::defaults(
            &request.recipe.name,
            &request.recipe.version,
            &destdir,
            &builddir,
            &arch,
        );
        for (key, value) in request
            .recipe
            .macros
            .iter()
            .chain(request.options.macros.iter())
        {
            macros.set(key, value);
        }
        let sources = DirSources {
            dir: request.tree.dir.clone(),
            cache: request.options.cache.clone(),
        };
        let build_dirs = BuildDirs {
            builddir,
            destdir: destdir.clone(),
        };
        let mut log = Vec::new();
        run_actions_over(
            &request.recipe.actions,
            &macros,
            &sources,
            &build_dirs,
            &mut log,
        )?;
        let found = scan(&destdir)?;
        let troves = package_against(&parent, found, request, &mut streams, &mut contents)?;
        for trove in &troves {
            all.push(trove.tuple());
        }
        for (_, stream) in parent.streams {
            if let Some(digest) = stream.content_digest() {
                builder.assume_available(digest);
            }
        }
        primary.push(troves[0].tuple());
        for trove in troves {
            builder.add_absolute(trove, &streams)?;
        }
    }
    for tuple in &primary {
        builder.add_primary(tuple.clone());
    }
    let changeset = builder.build(&NoContents, &contents)?;
    let file = std::fs::File::create(out).map_err(io(out))?;
    let mut writer =
        conary_changeset::write_changeset(BufWriter::new(file), &changeset, &contents)?;
    writer.flush().map_err(io(out))?;
    Ok((primary, all))
}

/// The derived package (first) and its components: the parent's, with
/// the destdir's changes.
fn package_against(
    parent: &Parent,
    mut found: BTreeMap<String, Found>,
    request: &DeriveRequest<'_>,
    streams: &mut BTreeMap<FileId, FileStream>,
    contents: &mut MemContents,
) -> Result<Vec<Trove>, DeriveError> {
    let version = request.version;
    let parent_tuple = parent.package.tuple();
    let derived_info = |trove: &Trove| {
        let mut info = trove.info.clone();
        info.source_version = Some(request.source_version.clone());
        info.build_time = Some(request.build_time);
        info.builder = Some(request.builder.to_owned());
        info.flags.set(TroveFlags::DERIVED, true);
        info.derived_from = BTreeSet::from([parent_tuple.clone()]);
        info.cloned_from = None;
        info.cloned_from_list.clear();
        info
    };
    let mut components: BTreeMap<TroveName, Trove> = BTreeMap::new();
    // Which component each directory's files went to, for new files.
    let mut dir_component: BTreeMap<String, TroveName> = BTreeMap::new();
    for component in &parent.components {
        let mut trove = Trove::new(
            component.name.clone(),
            version.clone(),
            component.flavor.clone(),
        );
        trove.provides = component.provides.clone();
        trove.requires = component.requires.clone();
        trove.info = derived_info(component);
        for (path_id, file) in &component.files {
            let stream =
                parent
                    .streams
                    .get(&file.file_id)
                    .ok_or_else(|| DeriveError::BadParent {
                        trove: component.tuple().to_string(),
                        reason: format!("no stream for {}", file.path),
                    })?;
            let keep_special = !matches!(
                stream.kind,
                FileKind::Regular { .. } | FileKind::Symlink { .. } | FileKind::Directory
            );
            let Some(now) = found.remove(&file.path) else {
                if keep_special {
                    streams.insert(file.file_id, stream.clone());
                    trove.files.insert(*path_id, file.clone());
                }
                continue;
            };
            if let Some(dir) = Path::new(&file.path).parent() {
                dir_component
                    .entry(dir.to_string_lossy().into_owned())
                    .or_insert_with(|| component.name.clone());
            }
            if unchanged(stream, &now) {
                streams.insert(file.file_id, stream.clone());
                trove.files.insert(*path_id, file.clone());
                continue;
            }
            let mut changed = stream.clone();
            set_kind(&mut changed, now, contents, request.options.mtime)?;
            let file_id = changed.file_id();
            streams.insert(file_id, changed);
            trove
                .files
                .insert(*path_id, FileRef::new(&file.path, file_id, version.clone()));
        }
        components.insert(trove.name.clone(), trove);
    }
    // New files: the component of the nearest directory that has one.
    let package_name = parent.package.name.clone();
    for (path, now) in found {
        if now == Found::Directory {
            continue;
        }
        let component = nearest_component(&path, &dir_component)
            .or_else(|| package_name.with_component("runtime").ok())
            .ok_or_else(|| DeriveError::BadParent {
                trove: parent_tuple.to_string(),
                reason: format!("no component for {path}"),
            })?;
        let mode = Mode::new(0o644).map_err(|e| DeriveError::BadParent {
            trove: parent_tuple.to_string(),
            reason: e.to_string(),
        })?;
        let mut stream = FileStream::new(FileKind::Directory, mode, "root", "root");
        set_kind(&mut stream, now, contents, request.options.mtime)?;
        if path.starts_with("/etc/") {
            stream
                .flags
                .set(conary_core::files::FileFlags::CONFIG, true);
        }
        let file_id = stream.file_id();
        streams.insert(file_id, stream);
        let path_id =
            PathId::derive(format!("derived\0{package_name}\0{path}\0{version}").as_bytes());
        let trove = components.entry(component.clone()).or_insert_with(|| {
            let mut trove = Trove::new(
                component.clone(),
                version.clone(),
                parent.package.flavor.clone(),
            );
            trove.info = derived_info(&parent.package);
            trove
        });
        trove
            .files
            .insert(path_id, FileRef::new(&path, file_id, version.clone()));
    }
    let mut package = Trove::new(package_name, version.clone(), parent.package.flavor.clone());
    package.provides = parent.package.provides.clone();
    package.requires = parent.package.requires.clone();
    package.info = derived_info(&parent.package);
    for component in components.values() {
        let by_default = parent
            .package
            .strong_refs
            .iter()
            .find(|(tuple, _)| tuple.name == component.name)
            .map_or(TroveRef::new(true), |(_, reference)| reference.clone());
        package.strong_refs.insert(component.tuple(), by_default);
    }
    let mut troves = vec![package];
    troves.extend(components.into_values());
    Ok(troves)
}

/// The component of the nearest directory of `path` in `dirs`.
fn nearest_component(path: &str, dirs: &BTreeMap<String, TroveName>) -> Option<TroveName> {
    let mut dir = Path::new(path).parent();
    while let Some(here) = dir {
        if let Some(component) = dirs.get(here.to_string_lossy().as_ref()) {
            return Some(component.clone());
        }
        dir = here.parent();
    }
    None
}

/// Gives `stream` what was found: its kind, mode and `mtime`; regular
/// contents go into `contents`.
fn set_kind(
    stream: &mut FileStream,
    found: Found,
    contents: &mut MemContents,
    mtime: u64,
) -> Result<(), DeriveError> {
    let bad_mode = |e: conary_core::files::FileError| DeriveError::BadParent {
        trove: "derived".to_owned(),
        reason: e.to_string(),
    };
    match found {
        Found::Regular {
            contents: data,
            mode,
        } => {
            let size = data.len() as u64;
            let digest = contents.insert(data);
            stream.kind = FileKind::Regular {
                size,
                digest,
                link_group: None,
            };
            stream.mode = Mode::new(mode).map_err(bad_mode)?;
        }
        Found::Symlink(target) => {
            stream.kind = FileKind::Symlink { target };
            stream.mode = Mode::new(0o777).map_err(bad_mode)?;
        }
        Found::Directory => {
            stream.kind = FileKind::Directory;
            stream.mode = Mode::new(0o755).map_err(bad_mode)?;
        }
    }
    stream.mtime = mtime;
    Ok(())
}

/// Writes the files of `package` (a parent, with its components) under
/// `dir`, as `cvc derive --extract` puts them in `_ROOT_`.
pub fn extract_parent(
    source: &dyn TroveSource,
    package: &Trove,
    dir: &Path,
) -> Result<(), DeriveError> {
    let parent = fetch_parent(source, package)?;
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    populate(dir, &parent)
}

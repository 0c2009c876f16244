//! `addArchive`: unpacking a (compressed) tarball into the build directory,
//! refusing entries that would land outside it.
//!
//! Each entry's path must be relative without `..`; its directory is
//! resolved with [`Tree`] (so a symlink unpacked earlier cannot carry a
//! later entry out of the build directory); an existing file at the
//! destination is removed first, so a file is never written through a
//! link. Hard links must name a path inside the archive's directory.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fs::{self, File};
use std::io::{BufReader, Read};
use std::path::{Component, Path, PathBuf};

use crate::build::error::BuildError;
use crate::build::paths::{Tree, create_dirs};

/// What [`unpack`] found: the archive's top-level names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unpacked {
    /// The first component of every entry.
    pub top_level: BTreeSet<OsString>,
}

/// How a file is compressed, from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Compression {
    /// Not compressed.
    None,
    /// gzip (`.gz`, `.tgz`).
    Gzip,
    /// bzip2 (`.bz2`, `.tbz2`).
    Bzip2,
    /// xz (`.xz`, `.txz`).
    Xz,
    /// zstd (`.zst`, `.tzst`).
    Zstd,
}

impl Compression {
    /// The compression a name's extension says, and whether the name is a
    /// tarball (`.tar`, `.tar.gz`, `.tgz`, …).
    pub fn of(name: &str) -> (Compression, bool) {
        let lower = name.to_ascii_lowercase();
        let table = [
            (".tar", Compression::None, true),
            (".tar.gz", Compression::Gzip, true),
            (".tgz", Compression::Gzip, true),
            (".tar.bz2", Compression::Bzip2, true),
            (".tbz2", Compression::Bzip2, true),
            (".tar.xz", Compression::Xz, true),
            (".txz", Compression::Xz, true),
            (".tar.zst", Compression::Zstd, true),
            (".tzst", Compression::Zstd, true),
            (".gz", Compression::Gzip, false),
            (".bz2", Compression::Bzip2, false),
            (".xz", Compression::Xz, false),
            (".zst", Compression::Zstd, false),
        ];
        table
            .into_iter()
            .find(|(extension, _, _)| lower.ends_with(extension))
            .map_or((Compression::None, false), |(_, compression, tar)| {
                (compression, tar)
            })
    }

    /// Opens `path`, decompressing as this says.
    pub fn open(self, name: &str, path: &Path) -> Result<Box<dyn Read>, BuildError> {
        let file = BufReader::new(File::open(path).map_err(BuildError::io("open", path))?);
        Ok(match self {
            Compression::None => Box::new(file),
            Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(file)),
            Compression::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(file)),
            Compression::Xz => Box::new(liblzma::read::XzDecoder::new_multi_decoder(file)),
            Compression::Zstd => Box::new(zstd::stream::read::Decoder::with_buffer(file).map_err(
                |source| BuildError::Archive {
                    archive: name.to_owned(),
                    source,
                },
            )?),
        })
    }
}

/// Whether `name` has an extension [`unpack`] reads.
pub(crate) fn is_archive(name: &str) -> bool {
    Compression::of(name).1
}

/// Unpacks the archive `name` (local file `path`) into the directory
/// `into` (components below the build directory's root).
pub(crate) fn unpack(
    name: &str,
    path: &Path,
    tree: &Tree,
    into: &[OsString],
) -> Result<Unpacked, BuildError> {
    let reader = Compression::of(name).0.open(name, path)?;
    let read_error = |source| BuildError::Archive {
        archive: name.to_owned(),
        source,
    };
    let mut archive = tar::Archive::new(reader);
    archive.set_preserve_permissions(true);
    archive.set_preserve_mtime(true);
    archive.set_overwrite(true);
    let mut top_level = BTreeSet::new();
    create_dirs(&tree.join(into))?;
    for entry in archive.entries().map_err(read_error)? {
        let mut entry = entry.map_err(read_error)?;
        let raw = String::from_utf8_lossy(&entry.path_bytes())
            .escape_debug()
            .to_string();
        let entry_error = |problem: String| BuildError::ArchiveEntry {
            archive: name.to_owned(),
            entry: raw.clone(),
            problem,
        };
        let kind = entry.header().entry_type();
        if kind.is_pax_global_extensions()
            || kind.is_pax_local_extensions()
            || kind.is_gnu_longname()
            || kind.is_gnu_longlink()
        {
            continue;
        }
        let relative = entry.path().map_err(read_error)?.into_owned();
        let parts = checked_parts(&relative).map_err(|problem| entry_error(problem.to_owned()))?;
        let Some(first) = parts.first() else {
            // `./` itself: the directory we unpack into.
            continue;
        };
        top_level.insert(first.clone());
        let wanted: PathBuf = parts.iter().collect();
        let resolved =
            tree.resolve_from(into, &wanted, &raw, false)
                .map_err(|error| match error {
                    BuildError::OutsideBuildDir { .. } => {
                        entry_error("leads outside the build directory through a symlink".into())
                    }
                    other => other,
                })?;
        if resolved.components.len() <= into.len() || !resolved.components.starts_with(into) {
            return Err(entry_error(
                "leads outside the directory it is unpacked into".into(),
            ));
        }
        tree.create_parents(&resolved)?;
        let destination = resolved.path;
        if let Ok(existing) = fs::symlink_metadata(&destination)
            && !existing.is_dir()
        {
            fs::remove_file(&destination).map_err(BuildError::io("replace", &destination))?;
        }
        if kind.is_hard_link() {
            let target = entry
                .link_name()
                .map_err(read_error)?
                .ok_or_else(|| entry_error("is a hard link without a target".into()))?
                .into_owned();
            let target_parts = checked_parts(&target).map_err(|problem| {
                entry_error(format!("links to '{}': it {problem}", target.display()))
            })?;
            let target_path: PathBuf = target_parts.iter().collect();
            let source = tree
                .resolve_from(into, &target_path, &raw, false)
                .map_err(|error| match error {
                    BuildError::OutsideBuildDir { .. } => entry_error(format!(
                        "links to '{}' outside the build directory",
                        target.display()
                    )),
                    other => other,
                })?;
            fs::hard_link(&source.path, &destination)
                .map_err(|error| entry_error(format!("cannot be linked: {error}")))?;
            continue;
        }
        entry
            .unpack(&destination)
            .map_err(|error| entry_error(format!("cannot be unpacked: {error}")))?;
        if kind.is_dir() {
            ensure_writable_dir(&destination)?;
        }
    }
    Ok(Unpacked { top_level })
}

/// The normal components of an entry path, or why it is refused.
fn checked_parts(path: &Path) -> Result<Vec<OsString>, &'static str> {
    let mut parts = Vec::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => parts.push(part.to_os_string()),
            Component::CurDir => {}
            Component::ParentDir => return Err("has a '..' component"),
            Component::RootDir | Component::Prefix(_) => return Err("has an absolute path"),
        }
    }
    Ok(parts)
}

/// Keeps an unpacked directory writable by its owner, so later entries
/// (and the build) can write in it.
fn ensure_writable_dir(path: &Path) -> Result<(), BuildError> {
    use std::os::unix::fs::PermissionsExt;
    let metadata = fs::symlink_metadata(path).map_err(BuildError::io("inspect", path))?;
    let mode = metadata.permissions().mode();
    if mode & 0o700 != 0o700 {
        fs::set_permissions(path, fs::Permissions::from_mode(mode | 0o700))
            .map_err(BuildError::io("set permissions of", path))?;
    }
    Ok(())
}

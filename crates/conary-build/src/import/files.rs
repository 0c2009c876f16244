//! The files of an imported package: one [`FileStream`] per data entry,
//! its pathId and its component.

use std::collections::BTreeMap;
use std::io::Read;

use conary_core::digest::{Digest, PathId};
use conary_core::files::{FileFlags, FileKind, FileStream, Mode};

use super::error::ImportError;
use super::sink::{ContentSink, HashingReader};
use crate::deb::{ComponentSuffix, DebEntry, DebEntryKind, DebError, DebOwner, component_for};

/// One file of an imported package.
///
/// ```rust
/// use conary_build::deb::ComponentSuffix;
/// use conary_build::import::{ImportedFile, path_id_for};
/// use conary_core::files::{FileKind, FileStream, Mode};
/// let stream = FileStream::new(FileKind::Directory, Mode::new(0o755).expect("mode"), "root", "root");
/// let file = ImportedFile { path_id: path_id_for("hello", "/usr/bin"), component: ComponentSuffix::Runtime, stream };
/// assert_eq!(file.stream.file_type().to_string(), "directory");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportedFile {
    /// The file's pathId (see [`path_id_for`]).
    pub path_id: PathId,
    /// The component that holds it.
    pub component: ComponentSuffix,
    /// Its stream, with its own mtime.
    pub stream: FileStream,
}

/// The pathId of `path` in every version of Debian package `package`: the
/// first 16 bytes of the BLAKE3 digest of `deb-pathid\0PACKAGE\0PATH`.
///
/// ```rust
/// use conary_build::import::path_id_for;
/// assert_eq!(path_id_for("sudo", "/usr/bin/sudo"), path_id_for("sudo", "/usr/bin/sudo"));
/// assert_ne!(path_id_for("sudo", "/usr/bin/sudo"), path_id_for("sudo-ldap", "/usr/bin/sudo"));
/// ```
pub fn path_id_for(package: &str, path: &str) -> PathId {
    PathId::derive(&seed("deb-pathid", package, path))
}

/// The link group shared by the paths of a hard-link group of Debian
/// package `package` whose first path (the regular file the others link
/// to) is `path`: the BLAKE3 digest of `deb-linkgroup\0PACKAGE\0PATH`.
///
/// ```rust
/// use conary_build::import::link_group_for;
/// assert_ne!(link_group_for("a", "/usr/bin/x"), link_group_for("a", "/usr/bin/y"));
/// ```
pub fn link_group_for(package: &str, path: &str) -> Digest {
    Digest::of(&seed("deb-linkgroup", package, path))
}

fn seed(domain: &str, package: &str, path: &str) -> Vec<u8> {
    [domain.as_bytes(), package.as_bytes(), path.as_bytes()].join(&0u8)
}

/// A data entry as read, with the digest of its contents for a regular
/// file or a hard link.
pub(crate) struct RawFile {
    pub(crate) entry: DebEntry,
    pub(crate) digest: Option<Digest>,
}

/// Collects the data entries while the package streams, spooling regular
/// files into the sink.
pub(crate) struct Collector<'s> {
    sink: &'s mut dyn ContentSink,
    pub(crate) files: Vec<RawFile>,
    /// Contents digest and size of each regular file, by path.
    regular: BTreeMap<String, (Digest, u64)>,
    /// The newest mtime of any entry, the archive root included.
    pub(crate) newest_mtime: Option<u64>,
}

impl<'s> Collector<'s> {
    pub(crate) fn new(sink: &'s mut dyn ContentSink) -> Collector<'s> {
        Collector {
            sink,
            files: Vec::new(),
            regular: BTreeMap::new(),
            newest_mtime: None,
        }
    }

    /// Takes one data entry; the archive root `/` is left out.
    pub(crate) fn visit(
        &mut self,
        entry: &DebEntry,
        contents: &mut dyn Read,
    ) -> Result<(), ImportError> {
        self.newest_mtime = self.newest_mtime.max(Some(entry.mtime));
        if entry.path == "/" {
            return Ok(());
        }
        let digest = match &entry.kind {
            DebEntryKind::Regular => {
                let digest = self.store(entry, contents)?;
                self.regular
                    .insert(entry.path.clone(), (digest, entry.size));
                Some(digest)
            }
            DebEntryKind::Hardlink { target } => {
                let (digest, _) =
                    self.regular
                        .get(target)
                        .ok_or_else(|| DebError::BadHardlink {
                            member: "data.tar".to_owned(),
                            path: entry.path.clone(),
                            target: target.clone(),
                        })?;
                Some(*digest)
            }
            _ => None,
        };
        self.files.push(RawFile {
            entry: entry.clone(),
            digest,
        });
        Ok(())
    }

    fn store(&mut self, entry: &DebEntry, contents: &mut dyn Read) -> Result<Digest, ImportError> {
        let mut hashing = HashingReader::new(contents);
        let stored = self
            .sink
            .put(&mut hashing)
            .map_err(|source| ImportError::Sink {
                path: entry.path.clone(),
                source,
            })?;
        let (digest, read) = hashing.finish();
        if read != entry.size {
            return Err(ImportError::SinkIncomplete {
                path: entry.path.clone(),
                read,
                size: entry.size,
            });
        }
        if stored != digest {
            return Err(ImportError::SinkDigest {
                path: entry.path.clone(),
                expected: digest.to_string(),
                found: stored.to_string(),
            });
        }
        Ok(digest)
    }

    /// The size of the regular file at `path`.
    fn size_of(&self, path: &str) -> u64 {
        self.regular.get(path).map_or(0, |(_, size)| *size)
    }
}

/// Turns the collected entries into files: streams, pathIds, components.
///
/// Components: a file that is not a directory gets [`component_for`]; a
/// directory gets the component of the first file below it, in path order,
/// that is not a directory, or [`component_for`] when it holds none.
pub(crate) fn build_files(
    package: &str,
    collector: &Collector<'_>,
    is_conffile: impl Fn(&str) -> bool,
) -> Result<BTreeMap<String, ImportedFile>, ImportError> {
    let mut components: BTreeMap<&str, ComponentSuffix> = BTreeMap::new();
    for raw in &collector.files {
        if raw.entry.kind != DebEntryKind::Directory {
            let suffix = component_for(&raw.entry, is_conffile(&raw.entry.path));
            components.insert(raw.entry.path.as_str(), suffix);
        }
    }
    let mut link_groups: BTreeMap<&str, Digest> = BTreeMap::new();
    for raw in &collector.files {
        if let DebEntryKind::Hardlink { target } = &raw.entry.kind {
            let group = link_group_for(package, target);
            link_groups.insert(target.as_str(), group);
            link_groups.insert(raw.entry.path.as_str(), group);
        }
    }
    let mut files = BTreeMap::new();
    for raw in &collector.files {
        let entry = &raw.entry;
        let component = match entry.kind {
            DebEntryKind::Directory => directory_component(entry, &components, &is_conffile),
            _ => components
                .get(entry.path.as_str())
                .copied()
                .unwrap_or(ComponentSuffix::Runtime),
        };
        let link_group = link_groups.get(entry.path.as_str()).copied();
        let kind = match (&entry.kind, raw.digest) {
            (DebEntryKind::Regular, Some(digest)) => FileKind::Regular {
                size: entry.size,
                digest,
                link_group,
            },
            (DebEntryKind::Hardlink { target }, Some(digest)) => FileKind::Regular {
                size: collector.size_of(target),
                digest,
                link_group,
            },
            (DebEntryKind::Symlink { target }, _) => FileKind::Symlink {
                target: target.clone(),
            },
            (DebEntryKind::CharDevice { major, minor }, _) => FileKind::CharDevice {
                major: *major,
                minor: *minor,
            },
            (DebEntryKind::BlockDevice { major, minor }, _) => FileKind::BlockDevice {
                major: *major,
                minor: *minor,
            },
            (DebEntryKind::Fifo, _) => FileKind::Fifo,
            _ => FileKind::Directory,
        };
        let is_regular = matches!(kind, FileKind::Regular { .. });
        let mode = Mode::new(entry.mode).map_err(|source| ImportError::Mode {
            path: entry.path.clone(),
            source,
        })?;
        let mut stream = FileStream::new(
            kind,
            mode,
            &owner_name(&entry.owner),
            &owner_name(&entry.group),
        );
        stream.mtime = entry.mtime;
        if is_regular && is_conffile(&entry.path) {
            stream.flags.set(FileFlags::CONFIG, true);
        }
        let file = ImportedFile {
            path_id: path_id_for(package, &entry.path),
            component,
            stream,
        };
        files.insert(entry.path.clone(), file);
    }
    Ok(files)
}

/// The component of a directory: that of the first non-directory below
/// it in path order, else what the policy says.
fn directory_component(
    entry: &DebEntry,
    components: &BTreeMap<&str, ComponentSuffix>,
    is_conffile: &impl Fn(&str) -> bool,
) -> ComponentSuffix {
    let prefix = format!("{}/", entry.path);
    components
        .range(prefix.as_str()..)
        .next()
        .filter(|(path, _)| path.starts_with(&prefix))
        .map_or_else(
            || component_for(entry, is_conffile(&entry.path)),
            |(_, suffix)| *suffix,
        )
}

/// A user or group name for a file stream: the name the archive records;
/// without one, `root` for id 0 and the decimal id otherwise.
fn owner_name(owner: &DebOwner) -> String {
    match (&owner.name, owner.id) {
        (Some(name), _) if !name.is_empty() => name.clone(),
        (_, 0) => "root".to_owned(),
        (_, id) => id.to_string(),
    }
}

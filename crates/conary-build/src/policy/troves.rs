//! The troves of a packaged destdir, and the changeset that installs them.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use conary_changeset::{ChangeSet, ChangeSetBuilder, FileContents, NoContents};
use conary_core::deps::{DepClass, Dependency, DependencySet};
use conary_core::digest::{Digest, FileId, PathId};
use conary_core::files::{FileKind, FileStream};
use conary_core::flavor::Flavor;
use conary_core::name::TroveName;
use conary_core::trove::{Trove, TroveTuple};
use conary_core::troveinfo::{TroveFlags, TroveInfo, path_hash};
use conary_core::version::Version;

use super::Packaged;
use super::error::PolicyError;

/// The pathId of `path` in every version of package `package` built by
/// cooking: the first 16 bytes of the BLAKE3 digest of
/// `cook-pathid\0PACKAGE\0PATH` (import uses its own domain, `deb-pathid`).
///
/// ```rust
/// use conary_build::policy::path_id_for;
/// assert_eq!(path_id_for("hello", "/usr/bin/hello"), path_id_for("hello", "/usr/bin/hello"));
/// assert_ne!(path_id_for("hello", "/usr/bin/hello"), conary_build::import::path_id_for("hello", "/usr/bin/hello"));
/// ```
pub fn path_id_for(package: &str, path: &str) -> PathId {
    PathId::derive(&seed("cook-pathid", package, path))
}

/// The link group of a hard-link group whose first path is `path`.
pub(crate) fn link_group_for(package: &str, path: &str) -> Digest {
    Digest::of(&seed("cook-linkgroup", package, path))
}

fn seed(domain: &str, package: &str, path: &str) -> Vec<u8> {
    [domain.as_bytes(), package.as_bytes(), path.as_bytes()].join(&0u8)
}

/// The troves of one built package, with what a changeset needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltTroves {
    /// The package trove `NAME`: strong references to its components.
    pub package: Trove,
    /// The component troves by suffix (`runtime` -> `NAME:runtime`).
    pub components: BTreeMap<String, Trove>,
    /// The stream of every file, by fileId.
    pub streams: BTreeMap<FileId, FileStream>,
    /// Where the contents of each regular file are, by digest.
    pub contents: BTreeMap<Digest, PathBuf>,
}

impl Packaged {
    /// The component troves `NAME:SUFFIX` and the package trove `NAME`,
    /// all with `version` and `flavor`, each with a clone of `info` (the
    /// caller fills the lineage: source name and version, build time,
    /// builder, build flavor, build requirements).
    ///
    /// A component holds its files (pathIds from [`path_id_for`], file
    /// versions `version`), provides `trove: NAME:SUFFIX`, its files'
    /// provides and `file: PATH` for its [`Packaged::path_provides`], and
    /// requires its files' requirements that no component of
    /// the package satisfies. Its size counts each hard-link group once.
    /// The package references every component strongly, by default except
    /// `:debuginfo`, and is flagged a collection.
    pub fn to_troves(
        &self,
        name: &str,
        version: &Version,
        flavor: &Flavor,
        info: &TroveInfo,
    ) -> Result<BuiltTroves, PolicyError> {
        let invalid = |reason: String| PolicyError::InvalidPackageName {
            name: name.to_owned(),
            reason,
        };
        let package_name = TroveName::new(name).map_err(|error| invalid(error.to_string()))?;
        if package_name.is_component() {
            return Err(invalid("a package name has no component suffix".to_owned()));
        }
        let mut components: BTreeMap<String, Trove> = BTreeMap::new();
        let mut sizes: BTreeMap<String, u64> = BTreeMap::new();
        let mut counted_groups = std::collections::BTreeSet::new();
        let mut streams = BTreeMap::new();
        let mut contents = BTreeMap::new();
        for (path, file) in &self.files {
            let trove = match components.entry(file.component.clone()) {
                std::collections::btree_map::Entry::Occupied(entry) => entry.into_mut(),
                std::collections::btree_map::Entry::Vacant(entry) => {
                    let component = package_name
                        .with_component(&file.component)
                        .map_err(|error| invalid(error.to_string()))?;
                    let mut trove = Trove::new(component.clone(), version.clone(), flavor.clone());
                    trove.info = info.clone();
                    trove.provides.insert(Dependency::trove(&component));
                    entry.insert(trove)
                }
            };
            let file_id = file.stream.file_id();
            trove.add_file(path_id_for(name, path), path, file_id, version.clone());
            trove.info.path_hashes.insert(path_hash(path));
            trove.provides.merge(&file.stream.provides);
            if self.path_provides.contains(path) {
                let provide = Dependency::new(DepClass::File, path.clone(), Vec::<String>::new())
                    .map_err(|error| PolicyError::DiscoveredDependency {
                    path: path.clone(),
                    dependency: format!("file: {path}"),
                    reason: error.to_string(),
                })?;
                trove.provides.insert(provide);
            }
            trove.requires.merge(&file.stream.requires);
            if let FileKind::Regular {
                size,
                digest,
                link_group,
            } = &file.stream.kind
            {
                if link_group.is_none_or(|group| counted_groups.insert(group)) {
                    let total = sizes.entry(file.component.clone()).or_default();
                    *total = total.saturating_add(*size);
                }
                if let Some(disk) = &file.contents {
                    contents.entry(*digest).or_insert_with(|| disk.clone());
                }
            }
            streams
                .entry(file_id)
                .or_insert_with(|| file.stream.clone());
        }
        let mut provides = DependencySet::new();
        for trove in components.values() {
            provides.merge(&trove.provides);
        }
        let mut package = Trove::new(package_name, version.clone(), flavor.clone());
        package.info = info.clone();
        package.info.flags.set(TroveFlags::COLLECTION, true);
        let mut total = 0u64;
        for (suffix, trove) in &mut components {
            trove.requires = trove.requires.unsatisfied_by(&provides);
            let size = sizes.get(suffix).copied().unwrap_or(0);
            trove.info.size = Some(size);
            total = total.saturating_add(size);
            let tuple = TroveTuple::new(trove.name.clone(), version.clone(), flavor.clone());
            package.add_strong_ref(tuple, suffix != "debuginfo");
        }
        package.info.size = Some(total);
        Ok(BuiltTroves {
            package,
            components,
            streams,
            contents,
        })
    }
}

impl BuiltTroves {
    /// The package trove then the components, in suffix order.
    pub fn troves(&self) -> impl Iterator<Item = &Trove> {
        std::iter::once(&self.package).chain(self.components.values())
    }

    /// The destdir files as a content source, by digest.
    pub fn content_source(&self) -> FileContents {
        let mut source = FileContents::new();
        for (digest, path) in &self.contents {
            source.insert(*digest, path.clone());
        }
        source
    }

    /// An absolute changeset that installs these troves (the package is
    /// the primary trove), every regular file's contents in full. Write it
    /// with [`BuiltTroves::content_source`], or use
    /// [`BuiltTroves::write_changeset`].
    pub fn to_changeset(&self) -> Result<ChangeSet, PolicyError> {
        let mut builder = ChangeSetBuilder::new();
        for trove in self.troves() {
            builder.add_absolute(trove.clone(), &self.streams)?;
        }
        builder.add_primary(self.package.tuple());
        Ok(builder.build(&NoContents, &self.content_source())?)
    }

    /// Builds the changeset and writes it to `out` as a `.ccs` file,
    /// reading contents from the destdir; returns `out`.
    pub fn write_changeset<W: Write>(&self, out: W) -> Result<W, PolicyError> {
        let changeset = self.to_changeset()?;
        Ok(conary_changeset::write_changeset(
            out,
            &changeset,
            &self.content_source(),
        )?)
    }
}

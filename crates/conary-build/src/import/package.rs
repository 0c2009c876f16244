//! [`import_deb`] and what it returns, [`ImportedPackage`].

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;

use conary_core::digest::{Digest, FileId};
use conary_core::files::FileStream;
use conary_core::flavor::Flavor;
use conary_core::name::{TroveKind, TroveName};
use conary_core::trove::{Trove, TroveTuple};
use conary_core::version::{Branch, Label, Revision, SerialNumber, Version};

use super::error::ImportError;
use super::files::{Collector, ImportedFile, build_files};
use super::info::{deb_capsule, deb_metadata};
use super::relations::{flavor_for_architecture, package_provides, package_requires};
use super::sink::{ContentSink, DigestOnlySink};
use super::troves::{TroveParts, assemble};
use crate::deb::{
    ComponentSuffix, DebLimits, DebMetadata, DebReader, DebVersion, deb_to_conary_upstream, escape,
};

/// Knobs of an import.
///
/// ```rust
/// let options = conary_build::import::ImportOptions::default();
/// assert_eq!(options.limits.max_path_len, 4096);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// Limits of the `.deb` reader.
    pub limits: DebLimits,
}

/// A `.deb` turned into troves: the package trove, its components, the
/// stream of every file and the digests of the contents put in the sink.
///
/// ```rust,no_run
/// use conary_build::import::{ImportOptions, MemorySink, import_deb};
/// let file = std::fs::File::open("sudo_1.9.13p3-1+deb12u4_amd64.deb")?;
/// let label = "deb.example.com@debian:bookworm".parse()?;
/// let mut sink = MemorySink::new();
/// let imported = import_deb(std::io::BufReader::new(file), &label, &ImportOptions::default(), &mut sink)?;
/// assert_eq!(imported.package().name.to_string(), "sudo");
/// assert_eq!(imported.contents().len(), sink.len());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportedPackage {
    deb_name: String,
    deb_version: DebVersion,
    architecture: String,
    package: Trove,
    components: BTreeMap<ComponentSuffix, Trove>,
    files: BTreeMap<String, ImportedFile>,
    contents: BTreeSet<Digest>,
    metadata: DebMetadata,
}

impl ImportedPackage {
    /// The Debian package name.
    pub fn deb_name(&self) -> &str {
        &self.deb_name
    }

    /// The Debian version.
    pub fn deb_version(&self) -> &DebVersion {
        &self.deb_version
    }

    /// The Debian architecture (`amd64`, `all`, ...).
    pub fn architecture(&self) -> &str {
        &self.architecture
    }

    /// What `control.tar` held.
    pub fn deb_metadata(&self) -> &DebMetadata {
        &self.metadata
    }

    /// The package trove (`NAME`), which references its components.
    pub fn package(&self) -> &Trove {
        &self.package
    }

    /// The component troves (`NAME:SUFFIX`), by suffix.
    pub fn components(&self) -> &BTreeMap<ComponentSuffix, Trove> {
        &self.components
    }

    /// The component trove with `suffix`, if the package has one.
    pub fn component(&self, suffix: ComponentSuffix) -> Option<&Trove> {
        self.components.get(&suffix)
    }

    /// Every trove: the package first, then the components in suffix order.
    pub fn troves(&self) -> impl Iterator<Item = &Trove> {
        std::iter::once(&self.package).chain(self.components.values())
    }

    /// The package trove's name, version and flavor.
    pub fn tuple(&self) -> TroveTuple {
        self.package.tuple()
    }

    /// Every file by path, each with its own stream (mtime included).
    pub fn files(&self) -> &BTreeMap<String, ImportedFile> {
        &self.files
    }

    /// The file at `path`.
    pub fn file(&self, path: &str) -> Option<&ImportedFile> {
        self.files.get(path)
    }

    /// The file streams by fileId, as troves reference them. Files whose
    /// streams differ only in mtime share a fileId; the stream kept is that
    /// of the first such path in path order.
    pub fn streams(&self) -> BTreeMap<FileId, FileStream> {
        let mut streams = BTreeMap::new();
        for file in self.files.values() {
            streams
                .entry(file.stream.file_id())
                .or_insert_with(|| file.stream.clone());
        }
        streams
    }

    /// The digests of the contents of the regular files, each once.
    pub fn contents(&self) -> &BTreeSet<Digest> {
        &self.contents
    }
}

/// Imports one `.deb`: reads it once, puts each regular file's contents in
/// `sink`, and builds the package trove and its components on `label` (see
/// the module docs of [`crate::import`] for every rule).
///
/// Everything that can refuse the package from its control file alone (the
/// name, version, architecture and relationship fields) is checked before
/// any contents reach the sink.
pub fn import_deb<R: Read>(
    reader: R,
    label: &Label,
    options: &ImportOptions,
    sink: &mut dyn ContentSink,
) -> Result<ImportedPackage, ImportError> {
    let reader = DebReader::with_limits(reader, options.limits.clone())?;
    let metadata = reader.metadata().clone();
    let control = metadata.control();
    let deb_name = control.package()?.to_owned();
    let deb_version = control.version()?;
    let architecture = control.architecture()?.to_owned();
    let flavor: Flavor = flavor_for_architecture(&architecture)?;
    let name = package_name(&deb_name)?;
    let version = import_version(label, &deb_version)?;
    let provides = package_provides(control, &deb_name, &deb_version)?;
    let requires = package_requires(control, &provides)?;

    let mut collector = Collector::new(sink);
    reader.for_each_entry(|entry, contents| collector.visit(entry, contents))?;
    let files = build_files(&deb_name, &collector, |path| metadata.is_conffile(path))?;
    let contents: BTreeSet<Digest> = collector
        .files
        .iter()
        .filter_map(|raw| raw.digest)
        .collect();
    let build_time = collector.newest_mtime;

    let trove_metadata = deb_metadata(control);
    let parts = TroveParts {
        name: &name,
        version: &version,
        flavor: &flavor,
        build_time,
        metadata: &trove_metadata,
        provides,
        requires,
        capsule: deb_capsule(&metadata),
    };
    let (package, components) = assemble(parts, &files)?;
    Ok(ImportedPackage {
        deb_name,
        deb_version,
        architecture,
        package,
        components,
        files,
        contents,
        metadata,
    })
}

/// Imports a whole `.deb` from memory into a [`DigestOnlySink`] and
/// discards the result; the entry point of a fuzz target. Never panics,
/// whatever the bytes.
///
/// ```rust
/// conary_build::import::fuzz_import(b"!<arch>\nnot really a package");
/// ```
pub fn fuzz_import(bytes: &[u8]) {
    let label = Label::new("fuzz.example.com", "fuzz", "1").expect("a valid label");
    let _ = import_deb(
        bytes,
        &label,
        &ImportOptions::default(),
        &mut DigestOnlySink,
    );
}

/// The package trove's name: the Debian name, which must name a package
/// (not a group, fileset, factory or info trove).
fn package_name(deb_name: &str) -> Result<TroveName, ImportError> {
    let refuse = |reason: String| ImportError::PackageName {
        package: escape(deb_name.as_bytes()),
        reason,
    };
    let name: TroveName = deb_name
        .parse()
        .map_err(|err: conary_core::name::NameError| refuse(err.to_string()))?;
    match name.kind() {
        TroveKind::Package => Ok(name),
        kind => Err(refuse(format!("its name would make it a {kind} trove"))),
    }
}

/// The version of every trove of an import: `/LABEL/UPSTREAM-1-1`, where
/// UPSTREAM is [`deb_to_conary_upstream`] of the Debian version; no
/// timestamp (the repository assigns it on commit).
///
/// ```rust
/// let label = "deb.example.com@debian:bookworm".parse().expect("label");
/// let version = conary_build::import::import_version(&label, &"5:7.0.15-1~deb12u7".parse().expect("version"))?;
/// assert_eq!(version.to_string(), "/deb.example.com@debian:bookworm/5;7.0.15_1~deb12u7-1-1");
/// # Ok::<(), conary_build::import::ImportError>(())
/// ```
pub fn import_version(label: &Label, deb_version: &DebVersion) -> Result<Version, ImportError> {
    let error = |source| ImportError::Version {
        version: deb_version.to_string(),
        source,
    };
    let revision = Revision::new(
        &deb_to_conary_upstream(deb_version),
        SerialNumber::single(1),
        Some(SerialNumber::single(1)),
    )
    .map_err(error)?;
    Branch::new(label.clone())
        .create_version(revision)
        .map_err(error)
}

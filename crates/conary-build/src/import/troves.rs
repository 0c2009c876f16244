//! Assembling the package trove and its component troves.

use std::collections::{BTreeMap, BTreeSet};

use conary_core::deps::{Dependency, DependencySet};
use conary_core::files::FileKind;
use conary_core::flavor::Flavor;
use conary_core::name::TroveName;
use conary_core::trove::{Trove, TroveTuple};
use conary_core::troveinfo::{Capsule, Metadata, TroveFlags, path_hash};
use conary_core::version::Version;

use super::error::ImportError;
use super::files::ImportedFile;
use crate::deb::ComponentSuffix;

/// Everything the troves of one package share.
pub(crate) struct TroveParts<'a> {
    pub(crate) name: &'a TroveName,
    pub(crate) version: &'a Version,
    pub(crate) flavor: &'a Flavor,
    pub(crate) build_time: Option<u64>,
    pub(crate) metadata: &'a Metadata,
    pub(crate) provides: DependencySet,
    pub(crate) requires: DependencySet,
    pub(crate) capsule: Capsule,
}

/// The package trove and its components, by suffix.
pub(crate) fn assemble(
    parts: TroveParts<'_>,
    files: &BTreeMap<String, ImportedFile>,
) -> Result<(Trove, BTreeMap<ComponentSuffix, Trove>), ImportError> {
    let mut components: BTreeMap<ComponentSuffix, Trove> = BTreeMap::new();
    let mut sizes: BTreeMap<ComponentSuffix, u64> = BTreeMap::new();
    let mut counted_groups = BTreeSet::new();
    for (path, file) in files {
        let trove = match components.entry(file.component) {
            std::collections::btree_map::Entry::Occupied(entry) => entry.into_mut(),
            std::collections::btree_map::Entry::Vacant(entry) => {
                let name = parts.name.with_component(file.component.name())?;
                let mut trove =
                    Trove::new(name.clone(), parts.version.clone(), parts.flavor.clone());
                trove.provides.insert(Dependency::trove(&name));
                entry.insert(trove)
            }
        };
        trove.add_file(
            file.path_id,
            path,
            file.stream.file_id(),
            parts.version.clone(),
        );
        trove.info.path_hashes.insert(path_hash(path));
        if let FileKind::Regular {
            size, link_group, ..
        } = &file.stream.kind
        {
            // A hard-link group takes space once.
            let first_of_group = link_group.is_none_or(|group| counted_groups.insert(group));
            if first_of_group {
                let total = sizes.entry(file.component).or_default();
                *total = total.saturating_add(*size);
            }
        }
    }
    let source_name = parts.name.source();
    let mut package = Trove::new(
        parts.name.clone(),
        parts.version.clone(),
        parts.flavor.clone(),
    );
    let mut total_size = 0u64;
    for (suffix, trove) in &mut components {
        let size = sizes.get(suffix).copied().unwrap_or(0);
        total_size = total_size.saturating_add(size);
        fill_info(trove, &parts, &source_name, size);
        let by_default = *suffix != ComponentSuffix::Debuginfo;
        package.add_strong_ref(
            TroveTuple::new(
                trove.name.clone(),
                parts.version.clone(),
                parts.flavor.clone(),
            ),
            by_default,
        );
    }
    fill_info(&mut package, &parts, &source_name, total_size);
    package.info.flags.set(TroveFlags::COLLECTION, true);
    package.provides = parts.provides;
    package.requires = parts.requires;
    package.info.capsule = Some(parts.capsule);
    Ok((package, components))
}

fn fill_info(trove: &mut Trove, parts: &TroveParts<'_>, source_name: &TroveName, size: u64) {
    trove.info.source_name = Some(source_name.clone());
    trove.info.build_time = parts.build_time;
    trove.info.size = Some(size);
    trove.info.metadata = parts.metadata.clone();
}

//! Versions, lineage and the changeset of a cook.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use conary_changeset::{ChangeSet, ChangeSetBuilder, ContentSource, NoContents, write_changeset};
use conary_core::digest::{Digest, FileId};
use conary_core::files::FileStream;
use conary_core::flavor::{Flavor, MergeMode, Sense};
use conary_core::trove::{Trove, TroveTuple};
use conary_core::troveinfo::TroveInfo;
use conary_core::version::Version;

use super::{BuiltFlavor, CookError};
use crate::recipe::model::Recipe;

/// The flavor a built package gets: every use flag the recipe read
/// (`ssl` when it was on, `!ssl` when off), plus the instruction set the
/// packaged ELF files were built for (`found`), or, when there are none
/// but the recipe read `arch`, the instruction set cooked for.
///
/// # Errors
/// [`CookError::Invalid`] when a flag name is not a valid use flag.
pub fn built_flavor(recipe: &Recipe, found: &Flavor, cooked: &Flavor) -> Result<Flavor, CookError> {
    let mut flavor = Flavor::default();
    for (name, on) in &recipe.use_flags {
        let sense = if *on {
            Sense::Required
        } else {
            Sense::Disallowed
        };
        flavor.set_use_flag(name, sense).map_err(|error| {
            CookError::Invalid(format!("{}: use flag '{name}': {error}", recipe.file))
        })?;
    }
    let arch = if found.instruction_sets().next().is_some() {
        found.instruction_set_flavor()
    } else if recipe.reads_arch {
        cooked.instruction_set_flavor()
    } else {
        Flavor::default()
    };
    flavor
        .union(&arch, MergeMode::Normal)
        .map_err(|error| CookError::Invalid(format!("{}: flavor: {error}", recipe.file)))?;
    Ok(flavor)
}

/// The version of a local cook (`cvc cook FILE.recipe`), which is not on
/// any repository: `/local@local:COOK/UPSTREAM-1-1`.
///
/// # Errors
/// [`CookError::Invalid`] when `upstream` is not a valid upstream version.
pub fn local_version(upstream: &str) -> Result<Version, CookError> {
    let text = format!("/local@local:COOK/{upstream}-1-1");
    text.parse::<Version>()
        .map_err(|error| CookError::Invalid(format!("version '{upstream}': {error}")))
}

/// A cook's result, ready to be written or committed.
#[derive(Debug)]
pub struct Assembled {
    /// The changeset (absolute: it installs the troves from nothing).
    pub changeset: ChangeSet,
    /// The troves asked for (the package of each flavor, or the groups).
    pub primary: Vec<TroveTuple>,
    /// Every trove made, components included.
    pub troves: Vec<TroveTuple>,
    contents: PathContents,
}

impl Assembled {
    /// Writes the changeset file to `path`.
    ///
    /// # Errors
    /// [`CookError::Io`] or [`CookError::ChangeSet`] when writing fails.
    pub fn write(&self, path: &Path) -> Result<(), CookError> {
        let file = File::create(path).map_err(|error| CookError::io(path, error))?;
        let out = write_changeset(io::BufWriter::new(file), &self.changeset, &self.contents)?;
        let file = out
            .into_inner()
            .map_err(|error| CookError::io(path, error.into_error()))?;
        file.sync_all().map_err(|error| CookError::io(path, error))
    }
}

/// Contents read from files (the destdirs of a cook).
#[derive(Debug, Default)]
struct PathContents(BTreeMap<Digest, PathBuf>);

impl ContentSource for PathContents {
    fn open(&self, digest: &Digest) -> io::Result<Option<Box<dyn Read + '_>>> {
        match self.0.get(digest) {
            Some(path) => Ok(Some(Box::new(io::BufReader::new(File::open(path)?)))),
            None => Ok(None),
        }
    }
}

/// The troves of every built flavor with `version`, each carrying `info`
/// (lineage) with its own build flavor, in one changeset.
///
/// # Errors
/// [`CookError::Invalid`] when two flavors came out the same, or policy
/// and changeset errors.
pub fn assemble_packages(
    built: &[BuiltFlavor],
    version: &Version,
    info: &TroveInfo,
) -> Result<Assembled, CookError> {
    let mut builder = ChangeSetBuilder::new();
    let mut contents = PathContents::default();
    let mut primary = Vec::new();
    let mut troves = Vec::new();
    let mut streams: BTreeMap<FileId, FileStream> = BTreeMap::new();
    let mut all: Vec<Trove> = Vec::new();
    for flavor in built {
        let mut info = info.clone();
        info.build_flavor = Some(flavor.cook_flavor.clone());
        let made =
            flavor
                .packaged
                .to_troves(&flavor.recipe.name, version, &flavor.flavor, &info)?;
        let tuple = made.package.tuple();
        if primary.contains(&tuple) {
            return Err(CookError::Invalid(format!(
                "two flavors cooked to the same trove {tuple}: the recipe reads no flag that tells them apart"
            )));
        }
        primary.push(tuple);
        streams.extend(made.streams.clone());
        contents.0.extend(made.contents.clone());
        all.push(made.package.clone());
        all.extend(made.components.values().cloned());
    }
    for trove in all {
        troves.push(trove.tuple());
        builder.add_absolute(trove, &streams)?;
    }
    for tuple in &primary {
        builder.add_primary(tuple.clone());
    }
    let changeset = builder.build(&NoContents, &contents)?;
    Ok(Assembled {
        changeset,
        primary,
        troves,
        contents,
    })
}

/// Group troves (cooked by [`crate::group::cook_group`]) in one changeset;
/// the first is the primary trove.
///
/// # Errors
/// [`CookError::ChangeSet`] when the changeset cannot be made.
pub fn assemble_groups(groups: Vec<Trove>) -> Result<Assembled, CookError> {
    let mut builder = ChangeSetBuilder::new();
    let streams = BTreeMap::new();
    let primary: Vec<TroveTuple> = groups.first().map(Trove::tuple).into_iter().collect();
    let troves: Vec<TroveTuple> = groups.iter().map(Trove::tuple).collect();
    for group in groups {
        builder.add_absolute(group, &streams)?;
    }
    for tuple in &primary {
        builder.add_primary(tuple.clone());
    }
    let contents = PathContents::default();
    let changeset = builder.build(&NoContents, &contents)?;
    Ok(Assembled {
        changeset,
        primary,
        troves,
        contents,
    })
}

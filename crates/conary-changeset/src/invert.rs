//! The inverse of an applied changeset: what a rollback applies.
//!
//! Each transaction stores its inverse: repository references for
//! unchanged repository contents, local copies of what only the machine
//! had. Deltas and text diffs are never used in an inverse, so applying a
//! rollback depends on nothing but the machine and the repository.

use std::collections::BTreeMap;

use conary_core::digest::{Digest, FileId};
use conary_core::files::FileStream;
use conary_core::trove::{Trove, TroveTuple};

use crate::build::{BuildOptions, ChangeSetBuilder};
use crate::error::ChangeSetError;
use crate::model::ChangeSet;
use crate::source::NoContents;

/// The changeset that undoes `changeset` once it has been applied.
///
/// - `old_troves`: the manifests of the troves the changeset replaced or
///   erased, as they were installed (the local database has them).
/// - `streams`: the file streams of those troves (those of the new troves
///   are taken from the changeset itself, or from here when unchanged).
/// - `in_repository`: whether contents can be fetched again from the
///   repository; those travel as references, all others as full contents,
///   so write the inverse with a source holding the local copies.
///
/// A relative change `old -> new` becomes `new -> old`; an installed trove
/// is erased; an erased trove is installed again from its manifest.
///
/// ```rust
/// use conary_changeset::{ChangeSet, invert};
/// let inverse = invert(&ChangeSet::default(), &Default::default(), &Default::default(), &|_| true)?;
/// assert!(inverse.is_empty());
/// # Ok::<(), conary_changeset::ChangeSetError>(())
/// ```
pub fn invert(
    changeset: &ChangeSet,
    old_troves: &BTreeMap<TroveTuple, Trove>,
    streams: &BTreeMap<FileId, FileStream>,
    in_repository: &dyn Fn(&Digest) -> bool,
) -> Result<ChangeSet, ChangeSetError> {
    let options = BuildOptions {
        deltas: false,
        text_diffs: false,
        ..BuildOptions::default()
    };
    let mut builder = ChangeSetBuilder::with_options(options);
    let mut all_streams = streams.clone();
    all_streams.extend(
        changeset
            .files
            .iter()
            .map(|(file_id, stream)| (*file_id, stream.clone())),
    );
    let old_trove = |tuple: &TroveTuple| {
        old_troves.get(tuple).ok_or_else(|| {
            ChangeSetError::inconsistent(format!(
                "the manifest of trove {tuple} is needed to invert the changeset"
            ))
        })
    };
    for (new_tuple, change) in &changeset.troves {
        let primary = changeset.primary.contains(new_tuple);
        match &change.old {
            Some(old) => {
                let restored = old_trove(old)?.clone();
                if primary {
                    builder.add_primary(restored.tuple());
                }
                builder.add_relative(&change.new, restored, &all_streams)?;
            }
            None => {
                if primary {
                    builder.add_primary(new_tuple.clone());
                }
                builder.erase(new_tuple.clone());
            }
        }
    }
    for erased in &changeset.erased {
        let restored = old_trove(erased)?.clone();
        if changeset.primary.contains(erased) {
            builder.add_primary(erased.clone());
        }
        builder.add_absolute(restored, &all_streams)?;
    }
    for stream in all_streams.values() {
        if let Some(digest) = stream.content_digest()
            && in_repository(&digest)
        {
            builder.assume_available(digest);
        }
    }
    builder.build(&NoContents, &NoContents)
}

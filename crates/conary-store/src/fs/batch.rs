//! The [`Batch`] of an [`FsStore`]: temporary files now, one sync later.
//!
//! `put` streams each blob into `tmp/` and closes it (a commit may hold
//! thousands, more than a process may keep open), unsynced unless the
//! store syncs [each file](Durability::EachFile). `sync` then:
//!
//! 1. makes the contents of the new blobs durable: one `syncfs`
//!    ([`Durability::FileSystem`]; with [`Durability::EachFile`] each file
//!    was synced as it was written);
//! 2. renames each into place, creating fan-out directories unsynced; a
//!    name therefore never points at contents that a crash could lose;
//! 3. makes the new names, and those of the blobs relied on, durable: one
//!    more `syncfs`, or an fsync of every directory from each blob's
//!    directory up to the store's root.
//!
//! A crash before step 2 leaves temporary files only; during or after it,
//! whole blobs that nothing references yet.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use conary_util::{UtilError, fsync_dir};
use tempfile::TempPath;

use super::{Durability, FsStore};
use crate::batch::Batch;
use crate::digest::Digest;
use crate::error::StoreError;

/// A batch of puts into an [`FsStore`].
pub(super) struct FsBatch<'s> {
    store: &'s FsStore,
    /// New blobs, in closed temporary files, by digest, with whether each
    /// is a zstd frame (published as `….zst`).
    written: BTreeMap<Digest, (TempPath, bool)>,
    /// Blobs already stored that the caller relies on.
    relied: BTreeSet<Digest>,
}

impl<'s> FsBatch<'s> {
    pub(super) fn new(store: &'s FsStore) -> Self {
        Self {
            store,
            written: BTreeMap::new(),
            relied: BTreeSet::new(),
        }
    }

    /// Makes everything written to the store's file system durable; `false`
    /// when `syncfs` is not supported here, so each file must be synced.
    fn sync_file_system(&self) -> Result<bool, StoreError> {
        match conary_util::syncfs(&self.store.root) {
            Ok(()) => Ok(true),
            Err(UtilError::Io { source, .. }) if source.kind() == io::ErrorKind::Unsupported => {
                Ok(false)
            }
            Err(error) => Err(error.into()),
        }
    }

    /// Syncs every directory from each of `directories` up to the root.
    fn sync_directories(&self, directories: &BTreeSet<PathBuf>) -> Result<(), StoreError> {
        let mut chain: BTreeSet<&Path> = BTreeSet::new();
        for directory in directories {
            let mut current = Some(directory.as_path());
            while let Some(path) = current {
                if !path.starts_with(&self.store.root) || !chain.insert(path) {
                    break;
                }
                current = path.parent();
            }
        }
        // Deepest first: a directory's entry in its parent is synced after
        // the directory's own entries.
        for directory in chain.into_iter().rev() {
            fsync_dir(directory)?;
        }
        Ok(())
    }
}

impl fmt::Debug for FsBatch<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FsBatch")
            .field("root", &self.store.root)
            .field("written", &self.written.len())
            .field("relied", &self.relied.len())
            .finish()
    }
}

impl Batch for FsBatch<'_> {
    fn put(&mut self, reader: &mut dyn Read) -> Result<(Digest, u64), StoreError> {
        let mut temp = self.store.temporary("batch-")?;
        let temp_path = temp.path().to_path_buf();
        let (digest, size) = FsStore::copy_hashing(reader, temp.as_file_mut(), &temp_path)?;
        if self.written.contains_key(&digest) || self.rely_on(&digest)? {
            return Ok((digest, size));
        }
        let file = temp.as_file();
        if self.store.durability == Durability::EachFile {
            file.sync_all()
                .map_err(|error| StoreError::io("sync", &temp_path, error))?;
        }
        FsStore::freeze(file, &temp_path)?;
        self.written.insert(digest, (temp.into_temp_path(), false));
        Ok((digest, size))
    }

    fn put_frame(&mut self, frame: &[u8]) -> Result<(Digest, u64), StoreError> {
        let (digest, size) = crate::frame::check(frame)?;
        if self.written.contains_key(&digest) || self.rely_on(&digest)? {
            return Ok((digest, size));
        }
        let mut temp = self.store.temporary("batch-")?;
        let temp_path = temp.path().to_path_buf();
        temp.as_file_mut()
            .write_all(frame)
            .map_err(|error| StoreError::io("write", &temp_path, error))?;
        let file = temp.as_file();
        if self.store.durability == Durability::EachFile {
            file.sync_all()
                .map_err(|error| StoreError::io("sync", &temp_path, error))?;
        }
        FsStore::freeze(file, &temp_path)?;
        self.written.insert(digest, (temp.into_temp_path(), true));
        Ok((digest, size))
    }

    fn rely_on(&mut self, digest: &Digest) -> Result<bool, StoreError> {
        if self.written.contains_key(digest) || self.relied.contains(digest) {
            return Ok(true);
        }
        let stored = self.store.locate(digest)?.is_some();
        if stored {
            self.relied.insert(*digest);
        }
        Ok(stored)
    }

    fn len(&self) -> usize {
        self.written.len() + self.relied.len()
    }

    fn sync(&mut self) -> Result<(), StoreError> {
        let written = std::mem::take(&mut self.written);
        let relied = std::mem::take(&mut self.relied);
        if written.is_empty() && relied.is_empty() {
            return Ok(());
        }
        let mut whole = self.store.durability == Durability::FileSystem;
        if whole && !written.is_empty() && !self.sync_file_system()? {
            whole = false;
            for (temp, _) in written.values() {
                File::open(temp)
                    .and_then(|file| file.sync_all())
                    .map_err(|error| StoreError::io("sync", temp.to_path_buf(), error))?;
            }
        }
        let mut directories = BTreeSet::new();
        for (digest, (temp, is_frame)) in written {
            let destination = if is_frame {
                self.store.frame_path(&digest)
            } else {
                self.store.blob_path(&digest)
            };
            let directory = destination.parent().unwrap_or(&self.store.root);
            if !directories.contains(directory) {
                std::fs::create_dir_all(directory)
                    .map_err(|error| StoreError::io("create directory", directory, error))?;
                directories.insert(directory.to_path_buf());
            }
            temp.persist(&destination)
                .map_err(|error| StoreError::io("rename blob to", &destination, error.error))?;
        }
        if whole && self.sync_file_system()? {
            return Ok(());
        }
        for digest in &relied {
            let path = self
                .store
                .locate(digest)?
                .ok_or(StoreError::NotFound { digest: *digest })?;
            directories.insert(path.parent().unwrap_or(&self.store.root).to_path_buf());
        }
        self.sync_directories(&directories)
    }
}

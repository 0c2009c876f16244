//! The `.ccs` changeset format: what travels when troves are installed,
//! updated, erased or rolled back.
//!
//! A changeset is the difference between two states of some troves
//! (*relative*) or a whole state (*absolute*). A `.ccs` file is an *index*
//! — trove manifests, the file streams of new or changed files, and a
//! content index — followed by the *payloads*: file contents compressed with
//! zstd, as a binary delta against the old contents when that is smaller,
//! and unified diffs of config files. The byte layout is in
//! `docs/FORMATS.md`.
//!
//! Where to start reading:
//!
//! - [`ChangeSet`]: the index as plain data.
//! - [`ChangeSetBuilder`]: decides, file by file, what travels and how
//!   (unchanged, new stream, full contents, delta, reference, text diff).
//! - [`ChangeSetWriter`] and [`ChangeSetReader`]: streaming, never holding
//!   contents in memory (except the base of a delta). The reader checks the
//!   whole index — unsafe or duplicate paths, missing streams or contents,
//!   limits — before handing out the first payload, and checks every
//!   payload's size and digest as it is read.
//! - [`invert`]: the inverse changeset a rollback applies.
//! - [`Summary`]: what `conary showcs` shows; [`verify`] checks every
//!   payload of a changeset file first.
//!
//! No network, no database: contents come from a [`ContentSource`] that
//! the caller implements over its blob store, root or repository.
//!
//! ```rust
//! use conary_changeset::{ChangeSetBuilder, ChangeSetReader, MemContents, NoContents, write_changeset};
//! use conary_core::digest::PathId;
//! use conary_core::files::{FileKind, FileStream, Mode};
//! use conary_core::trove::Trove;
//! use conary_core::version::Version;
//!
//! let mut contents = MemContents::new();
//! let digest = contents.insert(b"#!/bin/sh\necho hi\n".to_vec());
//! let kind = FileKind::Regular { size: 18, digest, link_group: None };
//! let stream = FileStream::new(kind, Mode::new(0o755).expect("mode"), "root", "root");
//! let version = Version::thaw("/conary.example.com@plat:1/1700000000.000:1.0-1-1").expect("version");
//! let mut trove = Trove::new("hello:runtime".parse().expect("name"), version.clone(), Default::default());
//! trove.add_file(PathId::derive(b"/usr/bin/hello"), "/usr/bin/hello", stream.file_id(), version);
//!
//! let mut builder = ChangeSetBuilder::new();
//! builder.add_absolute(trove, &[stream].into_iter().map(|s| (s.file_id(), s)).collect())?;
//! let changeset = builder.build(&NoContents, &contents)?;
//! let bytes = write_changeset(Vec::new(), &changeset, &contents)?;
//!
//! let mut reader = ChangeSetReader::new(&bytes[..])?;
//! let mut payload = reader.next_payload(&NoContents)?.expect("one payload");
//! assert_eq!(payload.read_to_vec()?, b"#!/bin/sh\necho hi\n");
//! drop(payload);
//! assert_eq!(reader.finish()?, changeset);
//! # Ok::<(), conary_changeset::ChangeSetError>(())
//! ```

mod build;
mod chunk;
mod compress;
mod error;
mod index;
mod invert;
mod model;
mod prepared;
mod read;
mod source;
mod summary;
mod textdiff;
mod validate;
mod verify;
mod write;

use std::io;

pub use build::{BuildOptions, ChangeSetBuilder};
pub use compress::{DEFAULT_DELTA_LEVEL, DEFAULT_LEVEL};
pub use error::ChangeSetError;
pub use index::{CHANGESET_FORMAT, INDEX_LEVEL, LOCAL_INDEX_LEVEL, with_index_level};
pub use invert::invert;
pub use model::{ChangeSet, ContentKind, Contents, PayloadId, TextDiff, TextDiffKey, TroveChange};
pub use prepared::PreparedPayloads;
pub use read::{ChangeSetReader, PayloadReader, RawFrame};
pub use source::{
    ContentSource, DeltaKey, DeltaStore, FileContents, MemContents, NoContents, StoredDelta,
    delta_encoding,
};
pub use summary::{FileSummary, KindTotal, Summary, TroveSummary};
pub use textdiff::{apply_text_diff, is_text, text_diff};
pub use validate::Limits;
pub use verify::{Verification, verify};
pub use write::{ChangeSetWriter, WriteOptions, write_changeset};

/// Encodes the index of `changeset` without checking it: what
/// [`ChangeSetWriter`] writes first, after checking. For tests and tools
/// that need exact bytes, hostile ones included.
///
/// ```rust
/// let bytes = conary_changeset::encode_index(&conary_changeset::ChangeSet::default());
/// assert_eq!(bytes, b"CNYC\x00\x01\x00");
/// ```
pub fn encode_index(changeset: &ChangeSet) -> Vec<u8> {
    index::encode(changeset)
}

/// Reads untrusted bytes as a changeset, payloads and all, discarding what
/// it reads; the entry point for fuzzing. Never panics. Deltas fail (no base
/// contents are available), and contents are limited to 16 MiB so that a
/// fuzzer is not slowed by large outputs.
pub fn fuzz_read(bytes: &[u8]) {
    let limits = Limits {
        max_entry_size: 16 << 20,
        ..Limits::default()
    };
    let Ok(mut reader) = ChangeSetReader::with_limits(bytes, limits) else {
        return;
    };
    let _ = summary::Summary::of(reader.changeset()).to_string();
    loop {
        match reader.next_payload(&NoContents) {
            Ok(Some(mut payload)) => {
                if io::copy(&mut payload, &mut io::sink()).is_err() {
                    return;
                }
            }
            Ok(None) => break,
            Err(_) => return,
        }
    }
    let _ = reader.finish();
}

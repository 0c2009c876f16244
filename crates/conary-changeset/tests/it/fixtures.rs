//! Builders of troves, streams and contents shared by the tests.

use std::collections::BTreeMap;
use std::io::Read;

use conary_changeset::{
    ChangeSet, ChangeSetError, ChangeSetReader, ContentSource, MemContents, PayloadId,
    write_changeset,
};
use conary_core::digest::{Digest, FileId, PathId};
use conary_core::files::{FileFlags, FileKind, FileStream, Mode};
use conary_core::trove::{Trove, TroveTuple};
use conary_core::version::Version;

/// A version on the test label, e.g. `version("1.0-1-1", 1)`.
pub fn version(revision: &str, seconds: u64) -> Version {
    Version::thaw(&format!(
        "/conary.example.com@plat:1/{}.000:{revision}",
        1_700_000_000 + seconds
    ))
    .expect("test version")
}

/// A regular file stream for `bytes`, kept in `contents`.
pub fn regular(contents: &mut MemContents, bytes: &[u8]) -> FileStream {
    let digest = contents.insert(bytes.to_vec());
    let kind = FileKind::Regular {
        size: bytes.len() as u64,
        digest,
        link_group: None,
    };
    FileStream::new(kind, Mode::new(0o644).expect("mode"), "root", "root")
}

/// A config file stream for `bytes`, kept in `contents`.
pub fn config(contents: &mut MemContents, bytes: &[u8]) -> FileStream {
    let mut stream = regular(contents, bytes);
    stream.flags.set(FileFlags::CONFIG, true);
    stream
}

/// A symlink stream.
pub fn symlink(target: &str) -> FileStream {
    let kind = FileKind::Symlink {
        target: target.to_owned(),
    };
    FileStream::new(kind, Mode::new(0o777).expect("mode"), "root", "root")
}

/// A directory stream.
pub fn directory() -> FileStream {
    FileStream::new(
        FileKind::Directory,
        Mode::new(0o755).expect("mode"),
        "root",
        "root",
    )
}

/// A trove of `files` (path, stream), pathIds derived from the paths.
pub fn trove(name: &str, version: &Version, files: &[(&str, &FileStream)]) -> Trove {
    let mut trove = Trove::new(
        name.parse().expect("name"),
        version.clone(),
        Default::default(),
    );
    for (path, stream) in files {
        trove.add_file(
            PathId::derive(path.as_bytes()),
            path,
            stream.file_id(),
            version.clone(),
        );
    }
    trove
}

/// The streams of `files` by fileId.
pub fn streams<'a>(
    files: impl IntoIterator<Item = &'a FileStream>,
) -> BTreeMap<FileId, FileStream> {
    files
        .into_iter()
        .map(|stream| (stream.file_id(), stream.clone()))
        .collect()
}

/// A tuple from its text.
pub fn tuple(text: &str) -> TroveTuple {
    text.parse().expect("tuple")
}

/// Writes `changeset` with `contents`.
pub fn write(changeset: &ChangeSet, contents: &dyn ContentSource) -> Vec<u8> {
    write_changeset(Vec::new(), changeset, contents).expect("write changeset")
}

/// Reads a whole changeset: its index and every payload, decoded.
pub fn read_all(
    bytes: &[u8],
    bases: &dyn ContentSource,
) -> Result<(ChangeSet, BTreeMap<PayloadId, Vec<u8>>), ChangeSetError> {
    let mut reader = ChangeSetReader::new(bytes)?;
    let mut payloads = BTreeMap::new();
    while let Some(mut payload) = reader.next_payload(bases)? {
        let id = payload.id();
        let mut data = Vec::new();
        payload
            .read_to_end(&mut data)
            .map_err(|e| ChangeSetError::from_io(e, "read payload"))?;
        payloads.insert(id, data);
    }
    Ok((reader.finish()?, payloads))
}

/// Frames `data` as one payload: one chunk and the end marker.
pub fn frame(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    conary_core::encoding::write_varint(&mut out, data.len() as u64);
    out.extend_from_slice(data);
    out.push(0);
    out
}

/// zstd-compresses `data` the plain way.
pub fn zstd(data: &[u8]) -> Vec<u8> {
    zstd::bulk::compress(data, 3).expect("compress")
}

/// Pseudo-random bytes from a seed (xorshift), for incompressible data.
pub fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

/// The digest of `bytes`.
pub fn digest(bytes: &[u8]) -> Digest {
    Digest::of(bytes)
}

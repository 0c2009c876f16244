//! A directory tree seen as one trove: streams, pathIds derived from the
//! paths, contents in files. Shared by the tests and the benchmark.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use conary_changeset::FileContents;
use conary_core::digest::{FileId, PathId};
use conary_core::files::{FileFlags, FileKind, FileStream, Mode};
use conary_core::trove::Trove;
use conary_core::version::Version;

/// A scanned tree.
pub struct Scanned {
    pub trove: Trove,
    pub streams: BTreeMap<FileId, FileStream>,
    pub contents: FileContents,
    /// The total size of the regular files.
    pub bytes: u64,
}

/// Scans `root` into trove `name` at `version`; files under `/etc` are
/// config files.
pub fn scan(root: &Path, name: &str, version: &Version) -> std::io::Result<Scanned> {
    let mut scanned = Scanned {
        trove: Trove::new(
            name.parse().expect("trove name"),
            version.clone(),
            Default::default(),
        ),
        streams: BTreeMap::new(),
        contents: FileContents::new(),
        bytes: 0,
    };
    walk(root, "", &mut scanned, version)?;
    Ok(scanned)
}

fn walk(dir: &Path, prefix: &str, scanned: &mut Scanned, version: &Version) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|entry| entry.file_name());
    for entry in entries {
        let name = entry.file_name().into_string().expect("utf-8 file name");
        let path = format!("{prefix}/{name}");
        let metadata = std::fs::symlink_metadata(entry.path())?;
        let mode = Mode::new(metadata.permissions().mode() & 0o7777).expect("mode");
        let kind = if metadata.file_type().is_symlink() {
            let target = std::fs::read_link(entry.path())?;
            FileKind::Symlink {
                target: target.to_str().expect("utf-8 target").to_owned(),
            }
        } else if metadata.is_dir() {
            walk(&entry.path(), &path, scanned, version)?;
            FileKind::Directory
        } else {
            let (digest, size) = scanned.contents.add(&entry.path())?;
            scanned.bytes += size;
            FileKind::Regular {
                size,
                digest,
                link_group: None,
            }
        };
        let mut stream = FileStream::new(kind, mode, "root", "root");
        if path.starts_with("/etc/") && stream.size().is_some() {
            stream.flags.set(FileFlags::CONFIG, true);
        }
        let file_id = stream.file_id();
        scanned.streams.insert(file_id, stream);
        scanned.trove.add_file(
            PathId::derive(path.as_bytes()),
            &path,
            file_id,
            version.clone(),
        );
    }
    Ok(())
}

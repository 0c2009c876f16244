//! Builders of small (and hostile) `.deb` files in memory, for the unit tests.

use std::io::Write;

use tar::{EntryType, Header};

use super::{Compression, DebEntry, DebError, DebLimits, DebMetadata, DebReader};

/// Builds a tar archive entry by entry, writing names straight into the
/// header so that paths the `tar` crate would refuse can be tested.
pub(crate) struct TarBuilder {
    builder: tar::Builder<Vec<u8>>,
}

impl TarBuilder {
    pub(crate) fn new() -> Self {
        TarBuilder {
            builder: tar::Builder::new(Vec::new()),
        }
    }

    /// Appends an entry with the raw `path` (at most 100 bytes) and `link`.
    pub(crate) fn raw(
        mut self,
        path: &[u8],
        entry_type: EntryType,
        mode: u32,
        link: &[u8],
        data: &[u8],
    ) -> Self {
        let mut header = Header::new_gnu();
        header.as_old_mut().name[..path.len()].copy_from_slice(path);
        header.as_old_mut().linkname[..link.len()].copy_from_slice(link);
        header.set_entry_type(entry_type);
        header.set_mode(mode);
        header.set_uid(0);
        header.set_gid(0);
        header.set_username("root").expect("short name");
        header.set_groupname("root").expect("short name");
        header.set_mtime(1_700_000_000);
        header.set_size(data.len() as u64);
        header.set_cksum();
        self.builder
            .append(&header, data)
            .expect("append to memory");
        self
    }

    pub(crate) fn dir(self, path: &str) -> Self {
        self.raw(path.as_bytes(), EntryType::Directory, 0o755, b"", b"")
    }

    pub(crate) fn file(self, path: &str, mode: u32, data: &[u8]) -> Self {
        self.raw(path.as_bytes(), EntryType::Regular, mode, b"", data)
    }

    pub(crate) fn symlink(self, path: &str, target: &str) -> Self {
        self.raw(
            path.as_bytes(),
            EntryType::Symlink,
            0o777,
            target.as_bytes(),
            b"",
        )
    }

    pub(crate) fn hardlink(self, path: &str, target: &str) -> Self {
        self.raw(
            path.as_bytes(),
            EntryType::Link,
            0o644,
            target.as_bytes(),
            b"",
        )
    }

    /// Appends a header whose fields `edit` sets freely (size included),
    /// followed by `data`.
    pub(crate) fn with_header(mut self, edit: impl FnOnce(&mut Header), data: &[u8]) -> Self {
        let mut header = Header::new_gnu();
        header.set_mode(0o644);
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(0);
        header.set_size(data.len() as u64);
        edit(&mut header);
        header.set_cksum();
        self.builder
            .append(&header, data)
            .expect("append to memory");
        self
    }

    /// Appends a file whose path comes from a pax `path` record.
    pub(crate) fn pax_file(mut self, pax_path: &[u8], data: &[u8]) -> Self {
        self.builder
            .append_pax_extensions([("path", pax_path)])
            .expect("append to memory");
        self.file("placeholder", 0o644, data)
    }

    /// Appends a file through the `tar` crate's own path handling (GNU long
    /// names for long paths).
    pub(crate) fn long_file(mut self, path: &str, data: &[u8]) -> Self {
        let mut header = Header::new_gnu();
        header.set_mode(0o644);
        header.set_size(data.len() as u64);
        header.set_entry_type(EntryType::Regular);
        self.builder
            .append_data(&mut header, path, data)
            .expect("append to memory");
        self
    }

    pub(crate) fn finish(self) -> Vec<u8> {
        self.builder.into_inner().expect("finish tar in memory")
    }
}

/// An `ar` archive of `members`, as `dpkg-deb` writes it.
pub(crate) fn ar(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = b"!<arch>\n".to_vec();
    for (name, data) in members {
        let header = format!(
            "{name:<16}{:<12}{:<6}{:<6}{:<8}{:<10}`\n",
            0,
            0,
            0,
            "100644",
            data.len()
        );
        assert_eq!(header.len(), 60, "member name {name} too long");
        out.extend_from_slice(header.as_bytes());
        out.extend_from_slice(data);
        if data.len() % 2 == 1 {
            out.push(b'\n');
        }
    }
    out
}

pub(crate) const CONTROL: &str =
    "Package: hello\nVersion: 1:2.10-3\nArchitecture: amd64\nDepends: libc6 (>= 2.34)\n";

/// A `control.tar` with `control` and the `extra` members.
pub(crate) fn control_tar(control: &str, extra: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = TarBuilder::new()
        .dir("./")
        .file("./control", 0o644, control.as_bytes());
    for (name, data) in extra {
        builder = builder.file(&format!("./{name}"), 0o644, data);
    }
    builder.finish()
}

/// A plain `.deb` of an uncompressed control and data archive.
pub(crate) fn deb(control: &[u8], data: &[u8]) -> Vec<u8> {
    ar(&[
        ("debian-binary", b"2.0\n"),
        ("control.tar", control),
        ("data.tar", data),
    ])
}

/// A small valid data archive.
pub(crate) fn sample_data() -> Vec<u8> {
    TarBuilder::new()
        .dir("./")
        .dir("./usr/")
        .dir("./usr/bin/")
        .file("./usr/bin/hello", 0o4755, b"#!/bin/sh\necho hello\n")
        .hardlink("./usr/bin/hi", "./usr/bin/hello")
        .symlink("./usr/bin/hey", "hello")
        .dir("./etc/")
        .file("./etc/hello.conf", 0o644, b"greeting=hi\n")
        .finish()
}

pub(crate) fn compress(compression: Compression, data: &[u8]) -> Vec<u8> {
    match compression {
        Compression::None => data.to_vec(),
        Compression::Gzip => {
            let mut encoder =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            encoder.write_all(data).expect("gzip to memory");
            encoder.finish().expect("gzip to memory")
        }
        Compression::Xz => {
            let mut encoder = liblzma::write::XzEncoder::new(Vec::new(), 6);
            encoder.write_all(data).expect("xz to memory");
            encoder.finish().expect("xz to memory")
        }
        Compression::Lzma => {
            let options = liblzma::stream::LzmaOptions::new_preset(6).expect("preset 6");
            let stream = liblzma::stream::Stream::new_lzma_encoder(&options).expect("encoder");
            let mut encoder = liblzma::write::XzEncoder::new_stream(Vec::new(), stream);
            encoder.write_all(data).expect("lzma to memory");
            encoder.finish().expect("lzma to memory")
        }
        Compression::Zstd => zstd::encode_all(data, 3).expect("zstd to memory"),
        Compression::Bzip2 => {
            let mut encoder =
                bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
            encoder.write_all(data).expect("bzip2 to memory");
            encoder.finish().expect("bzip2 to memory")
        }
    }
}

/// An entry and its contents.
pub(crate) type EntryWithContents = (DebEntry, Vec<u8>);

/// Reads a whole package from memory: metadata and every entry with its contents.
pub(crate) fn read_all(
    bytes: &[u8],
    limits: DebLimits,
) -> Result<(DebMetadata, Vec<EntryWithContents>), DebError> {
    let reader = DebReader::with_limits(bytes, limits)?;
    let mut entries = Vec::new();
    let summary = reader.for_each_entry(|entry, contents| {
        let mut data = Vec::new();
        contents
            .read_to_end(&mut data)
            .map_err(|source| DebError::Io {
                member: entry.path.clone(),
                source,
            })?;
        entries.push((entry.clone(), data));
        Ok::<(), DebError>(())
    })?;
    Ok((summary.metadata, entries))
}

/// The error message of reading `bytes` with `limits`.
pub(crate) fn read_error(bytes: &[u8], limits: DebLimits) -> String {
    match read_all(bytes, limits) {
        Ok(_) => "no error".to_owned(),
        Err(err) => err.to_string(),
    }
}

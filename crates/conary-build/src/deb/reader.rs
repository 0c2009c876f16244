//! [`DebReader`]: the member sequence of a `.deb` (`deb(5)`), the limits, and
//! the tar pipeline shared by `control.tar` and `data.tar`.

use std::io::{self, Read};
use std::rc::Rc;

use super::ar::{ArMemberHeader, ArReader};
use super::compression::Compression;
use super::data::{DataVisitor, read_data_tar};
use super::entry::DebEntry;
use super::error::{DebError, escape};
use super::metadata::{DebMetadata, read_control_tar};
use super::stream::{Budgeted, Decoded, StreamState};

/// Limits that keep a hostile package from exhausting memory or time.
/// The defaults admit every package of Debian.
///
/// ```rust
/// let limits = conary_build::deb::DebLimits { max_entries: 10, ..Default::default() };
/// assert_eq!(limits.max_path_len, 4096);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DebLimits {
    /// Decompressed size of `control.tar`, which is held in memory (64 MiB).
    pub max_control_size: u64,
    /// Number of entries of `data.tar` (1,000,000).
    pub max_entries: u64,
    /// Bytes of a path, symlink or hardlink target (4096, Linux's `PATH_MAX`).
    pub max_path_len: usize,
    /// Declared size of one regular file (64 GiB).
    pub max_entry_size: u64,
    /// Bytes of tar headers and extension records (GNU long names, pax) in
    /// front of one entry, which the tar reader holds in memory (1 MiB).
    pub max_header_size: u64,
    /// Decompressed bytes after the end-of-archive marker of a tar member,
    /// which are read and discarded (1 MiB).
    pub max_trailing_size: u64,
}

impl Default for DebLimits {
    fn default() -> Self {
        DebLimits {
            max_control_size: 64 << 20,
            max_entries: 1_000_000,
            max_path_len: 4096,
            max_entry_size: 64 << 30,
            max_header_size: 1 << 20,
            max_trailing_size: 1 << 20,
        }
    }
}

/// What [`DebReader::for_each_entry`] saw.
///
/// ```rust
/// let summary = conary_build::deb::DebSummary::default();
/// assert_eq!((summary.entries, summary.regular_bytes), (0, 0));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DebSummary {
    /// Number of data entries, the root directory `./` included.
    pub entries: u64,
    /// Sum of the sizes of the regular files.
    pub regular_bytes: u64,
    /// The package metadata, handed back.
    pub metadata: DebMetadata,
}

/// A streaming reader of one `.deb`.
///
/// [`DebReader::new`] reads the `ar` magic, `debian-binary` and the whole
/// `control.tar` (small, bounded by [`DebLimits::max_control_size`]);
/// [`DebReader::for_each_entry`] then streams `data.tar` entry by entry, so
/// the package is never held in memory. The reader needs only [`Read`].
///
/// ```rust,no_run
/// use conary_build::deb::{DebError, DebReader};
/// let file = std::fs::File::open("sudo_1.9.13p3-1+deb12u4_amd64.deb")?;
/// let reader = DebReader::new(std::io::BufReader::new(file))?;
/// let package = reader.metadata().control().package()?.to_owned();
/// let summary = reader.for_each_entry(|entry, contents| {
///     let copied = std::io::copy(contents, &mut std::io::sink()).map_err(|source| DebError::Io { member: entry.path.clone(), source })?;
///     assert_eq!(copied, entry.size);
///     Ok::<(), DebError>(())
/// })?;
/// assert!(summary.entries > 0 && !package.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct DebReader<R> {
    ar: ArReader<R>,
    limits: DebLimits,
    metadata: DebMetadata,
    /// The `data.tar` member header, already read.
    data_member: ArMemberHeader,
    data_compression: Compression,
}

impl<R: Read> DebReader<R> {
    /// Opens a package with the default [`DebLimits`].
    pub fn new(reader: R) -> Result<Self, DebError> {
        Self::with_limits(reader, DebLimits::default())
    }

    /// Opens a package: checks the magic and `debian-binary`, reads
    /// `control.tar`, and stops at the header of `data.tar`.
    pub fn with_limits(reader: R, limits: DebLimits) -> Result<Self, DebError> {
        let mut ar = ArReader::new(reader)?;
        let first = ar.next_member()?.ok_or(DebError::MissingMember {
            name: "debian-binary",
        })?;
        if first.name != "debian-binary" {
            return Err(DebError::UnexpectedMember {
                name: escape(first.name.as_bytes()),
                reason: "the first member must be debian-binary",
            });
        }
        check_format_version(&ar.read_member_to_vec("debian-binary", 64)?)?;

        let mut metadata = None;
        loop {
            let Some(header) = ar.next_member()? else {
                return Err(DebError::MissingMember {
                    name: if metadata.is_some() {
                        "data.tar.*"
                    } else {
                        "control.tar.*"
                    },
                });
            };
            if header.name.starts_with('_') {
                // Members starting with '_' are for other tools (signatures); dpkg skips them.
                continue;
            }
            if metadata.is_none() {
                let compression = member_compression(&header, "control.tar")?;
                metadata = Some(read_control_tar(
                    &mut ar,
                    &header.name,
                    compression,
                    &limits,
                )?);
                continue;
            }
            let data_compression = member_compression(&header, "data.tar")?;
            let metadata = metadata.unwrap_or_default();
            return Ok(DebReader {
                ar,
                limits,
                metadata,
                data_member: header,
                data_compression,
            });
        }
    }

    /// The contents of `control.tar`.
    pub fn metadata(&self) -> &DebMetadata {
        &self.metadata
    }

    /// Streams every entry of `data.tar` to `visit`, in archive order, with
    /// a reader of the entry's contents (empty for anything but a regular
    /// file). What `visit` leaves unread is skipped. Then checks that only
    /// `_`-prefixed members follow.
    ///
    /// An error of `visit` stops the walk and is returned as is, unless the
    /// package stream itself failed while `visit` was reading it: then the
    /// package's [`DebError`] is returned.
    pub fn for_each_entry<E, F>(mut self, visit: F) -> Result<DebSummary, E>
    where
        E: From<DebError>,
        F: FnMut(&DebEntry, &mut dyn Read) -> Result<(), E>,
    {
        let member = self.data_member.name.clone();
        let counts = read_data_tar(
            &mut self.ar,
            &member,
            self.data_compression,
            &self.limits,
            DataVisitor::new(visit),
        )?;
        while let Some(header) = self.ar.next_member()? {
            if !header.name.starts_with('_') {
                return Err(DebError::UnexpectedMember {
                    name: escape(header.name.as_bytes()),
                    reason: "only members starting with '_' may follow data.tar",
                }
                .into());
            }
        }
        Ok(DebSummary {
            entries: counts.entries,
            regular_bytes: counts.regular_bytes,
            metadata: self.metadata,
        })
    }
}

/// Reads a whole `.deb` from memory and discards the result; the entry
/// point of the fuzz target. Never panics, whatever the bytes.
///
/// ```rust
/// conary_build::deb::fuzz_read(b"!<arch>\nnot really a package");
/// ```
pub fn fuzz_read(bytes: &[u8]) {
    let Ok(reader) = DebReader::new(bytes) else {
        return;
    };
    let control = reader.metadata().control();
    let _ = control.package();
    let _ = control.version();
    let _ = control.relations("Depends");
    let _ = reader.for_each_entry(|entry, contents| {
        let _ = super::component_for(entry, false);
        io::copy(contents, &mut io::sink()).map_err(|source| DebError::Io {
            member: entry.path.clone(),
            source,
        })?;
        Ok::<(), DebError>(())
    });
}

fn check_format_version(contents: &[u8]) -> Result<(), DebError> {
    let text = contents.strip_suffix(b"\n").unwrap_or(contents);
    if text == b"2.0" {
        Ok(())
    } else {
        Err(DebError::BadFormatVersion {
            found: escape(contents),
        })
    }
}

fn member_compression(header: &ArMemberHeader, stem: &str) -> Result<Compression, DebError> {
    if let Some(compression) = Compression::for_member(&header.name, stem) {
        return Ok(compression);
    }
    let name = escape(header.name.as_bytes());
    if header.name.starts_with(stem) {
        Err(DebError::UnknownCompression { name })
    } else {
        Err(DebError::UnexpectedMember {
            name,
            reason: if stem == "control.tar" {
                "expected control.tar.* after debian-binary"
            } else {
                "expected data.tar.* after control.tar.*"
            },
        })
    }
}

/// The tar reader over a decompressed member.
pub(crate) type TarArchive<'a> = tar::Archive<Budgeted<Decoded<Box<dyn Read + 'a>>>>;

/// Runs `body` over the tar archive of the current member, then reads and
/// discards what follows the tar end marker (at most
/// [`DebLimits::max_trailing_size`] decompressed bytes).
pub(crate) fn with_tar_member<R, T, E>(
    ar: &mut ArReader<R>,
    member: &str,
    compression: Compression,
    limits: &DebLimits,
    body: impl FnOnce(&mut TarArchive<'_>, &Rc<StreamState>) -> Result<T, E>,
) -> Result<T, E>
where
    R: Read,
    E: From<DebError>,
{
    let state = StreamState::new_shared();
    let decoder = compression
        .decoder(ar.member(Rc::clone(&state)))
        .map_err(|source| DebError::Decompress {
            member: member.to_owned(),
            source,
        })?;
    let decoded = Decoded::new(decoder, Rc::clone(&state));
    let mut archive = tar::Archive::new(Budgeted::new(decoded, Rc::clone(&state)));
    let result = body(&mut archive, &state)?;
    state.set_budget(
        "data after the end of the tar archive",
        limits.max_trailing_size,
    );
    let mut rest = archive.into_inner();
    io::copy(&mut rest, &mut io::sink()).map_err(|err| state.classify(member, err))?;
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::check_format_version;

    #[test]
    fn format_version() {
        assert!(check_format_version(b"2.0\n").is_ok());
        assert!(check_format_version(b"2.0").is_ok());
        for bad in [&b"2.1\n"[..], b"1.0\n", b"", b"2.0\n\n", b"2.0 \n"] {
            assert!(check_format_version(bad).is_err(), "{bad:?}");
        }
    }
}

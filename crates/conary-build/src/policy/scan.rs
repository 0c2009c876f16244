//! Reading a regular file once: its digest and size, and what its first
//! bytes say (an ELF file, a `#!` script).

use std::fs::File;
use std::io::Read;
use std::path::Path;

use conary_core::digest::{Digest, Hasher};

use super::elf::{self, ElfInfo};
use super::error::PolicyError;

/// How much of a file is read at a time.
const CHUNK: usize = 64 << 10;

/// What one regular file holds.
#[derive(Debug, Clone)]
pub(crate) struct Scanned {
    pub(crate) digest: Digest,
    pub(crate) size: u64,
    /// The ELF reading, for an ELF file goblin understands.
    pub(crate) elf: Option<ElfInfo>,
    /// Whether the file starts with the ELF magic.
    pub(crate) is_elf: bool,
    /// The interpreter of a `#!` script: the first word after `#!`.
    pub(crate) interpreter: Option<String>,
}

/// Hashes the file at `disk` and reads its kind. An ELF file is read
/// whole (goblin needs it in memory); anything else in chunks.
pub(crate) fn scan(disk: &Path) -> Result<Scanned, PolicyError> {
    let io = |source| PolicyError::Io {
        path: disk.to_path_buf(),
        source,
    };
    let mut file = File::open(disk).map_err(io)?;
    let mut first = Vec::with_capacity(CHUNK);
    (&mut file)
        .take(CHUNK as u64)
        .read_to_end(&mut first)
        .map_err(io)?;
    let mut hasher = Hasher::new();
    if elf::is_elf(&first) {
        file.read_to_end(&mut first).map_err(io)?;
        hasher.update(&first);
        return Ok(Scanned {
            digest: hasher.finalize(),
            size: first.len() as u64,
            elf: elf::analyze(&first),
            is_elf: true,
            interpreter: None,
        });
    }
    hasher.update(&first);
    let mut size = first.len() as u64;
    let interpreter = interpreter(&first);
    if first.len() == CHUNK {
        let mut buffer = first;
        loop {
            let read = file.read(&mut buffer).map_err(io)?;
            let Some(chunk) = buffer.get(..read).filter(|chunk| !chunk.is_empty()) else {
                break;
            };
            hasher.update(chunk);
            size = size.saturating_add(read as u64);
        }
    }
    Ok(Scanned {
        digest: hasher.finalize(),
        size,
        elf: None,
        is_elf: false,
        interpreter,
    })
}

/// The first word after `#!` on the first line, if the file starts so.
pub(crate) fn interpreter(bytes: &[u8]) -> Option<String> {
    let rest = bytes.strip_prefix(b"#!")?;
    let line = rest.split(|&byte| byte == b'\n').next()?;
    let line = std::str::from_utf8(line).ok()?;
    line.split_whitespace().next().map(str::to_owned)
}

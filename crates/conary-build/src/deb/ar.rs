//! A streaming reader of the `ar` container of a `.deb`.
//!
//! The `ar` crate was considered and not taken: its last release (0.9.0) is
//! from 2021, and it reads GNU/BSD symbol and name tables that a `.deb` never
//! has. A `.deb` uses the plain common format only (`deb(5)`): the magic
//! `!<arch>\n`, then for each member a 60-byte header of fixed ASCII fields
//! and the data padded to an even length. This reader accepts just that,
//! never trusts a declared size for an allocation, and reports a short
//! stream as [`DebError::Truncated`].

use std::io::{self, Read};
use std::rc::Rc;

use super::error::DebError;
use super::stream::StreamState;

const MAGIC: &[u8; 8] = b"!<arch>\n";
const HEADER_LEN: usize = 60;

/// One member header: the name (a trailing GNU `/` removed) and the data size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ArMemberHeader {
    pub(crate) name: String,
    pub(crate) size: u64,
}

/// Reads the members of an `ar` archive one after the other.
pub(crate) struct ArReader<R> {
    inner: R,
    /// Bytes consumed from `inner` so far.
    offset: u64,
    /// Data bytes of the current member not yet consumed.
    remaining: u64,
    /// Whether the current member is followed by a padding byte.
    padded: bool,
    /// The stream ended where the last member's padding byte would be.
    at_end: bool,
}

impl<R: Read> ArReader<R> {
    /// Checks the magic at the start of `inner`.
    pub(crate) fn new(mut inner: R) -> Result<Self, DebError> {
        let mut magic = [0u8; MAGIC.len()];
        let read = read_full(&mut inner, &mut magic).map_err(|source| DebError::Io {
            member: "ar archive".to_owned(),
            source,
        })?;
        if read != MAGIC.len() || &magic != MAGIC {
            return Err(DebError::BadMagic);
        }
        Ok(ArReader {
            inner,
            offset: MAGIC.len() as u64,
            remaining: 0,
            padded: false,
            at_end: false,
        })
    }

    /// Skips the rest of the current member and reads the next header;
    /// `None` at the end of the archive.
    pub(crate) fn next_member(&mut self) -> Result<Option<ArMemberHeader>, DebError> {
        self.skip_rest()?;
        if self.at_end {
            return Ok(None);
        }
        let header_offset = self.offset;
        let mut header = [0u8; HEADER_LEN];
        let read = read_full(&mut self.inner, &mut header).map_err(|source| DebError::Io {
            member: "ar archive".to_owned(),
            source,
        })?;
        self.offset = self.offset.saturating_add(read as u64);
        if read == 0 {
            self.at_end = true;
            return Ok(None);
        }
        if read < HEADER_LEN {
            return Err(DebError::Truncated {
                member: format!("ar member header at offset {header_offset}"),
            });
        }
        let parsed = parse_header(&header).map_err(|reason| DebError::BadArHeader {
            offset: header_offset,
            reason,
        })?;
        self.remaining = parsed.size;
        self.padded = parsed.size % 2 == 1;
        Ok(Some(parsed))
    }

    /// A reader over the current member's data.
    pub(crate) fn member(&mut self, state: Rc<StreamState>) -> ArMember<'_, R> {
        ArMember { ar: self, state }
    }

    /// Reads the whole current member into memory after checking its size
    /// against `limit`.
    pub(crate) fn read_member_to_vec(
        &mut self,
        name: &str,
        limit: u64,
    ) -> Result<Vec<u8>, DebError> {
        if self.remaining > limit {
            return Err(DebError::LimitExceeded {
                member: name.to_owned(),
                what: "member size",
                limit,
            });
        }
        let state = StreamState::new_shared();
        let mut data = Vec::new();
        self.member(Rc::clone(&state))
            .read_to_end(&mut data)
            .map_err(|err| state.classify(name, err))?;
        Ok(data)
    }

    fn skip_rest(&mut self) -> Result<(), DebError> {
        if self.remaining > 0 {
            let state = StreamState::new_shared();
            io::copy(&mut self.member(Rc::clone(&state)), &mut io::sink())
                .map_err(|err| state.classify("ar member", err))?;
        }
        if self.padded {
            self.padded = false;
            let mut pad = [0u8; 1];
            let read = read_full(&mut self.inner, &mut pad).map_err(|source| DebError::Io {
                member: "ar archive".to_owned(),
                source,
            })?;
            self.offset = self.offset.saturating_add(read as u64);
            // Some writers leave out the padding of the last member; accept that.
            if read == 0 {
                self.at_end = true;
            }
        }
        Ok(())
    }
}

/// The data of the current member: exactly its declared size, or an error.
pub(crate) struct ArMember<'a, R> {
    ar: &'a mut ArReader<R>,
    state: Rc<StreamState>,
}

impl<R: Read> Read for ArMember<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.ar.remaining == 0 || buf.is_empty() {
            return Ok(0);
        }
        let allowed = usize::try_from(self.ar.remaining)
            .unwrap_or(usize::MAX)
            .min(buf.len());
        match self
            .ar
            .inner
            .read(buf.get_mut(..allowed).unwrap_or_default())
        {
            Ok(0) => {
                self.state.note_truncation();
                Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "ar member is truncated",
                ))
            }
            Ok(read) => {
                self.ar.remaining = self.ar.remaining.saturating_sub(read as u64);
                self.ar.offset = self.ar.offset.saturating_add(read as u64);
                Ok(read)
            }
            Err(err) => {
                if err.kind() != io::ErrorKind::Interrupted {
                    self.state.note_io_failure();
                }
                Err(err)
            }
        }
    }
}

/// Parses the fixed fields of a member header.
fn parse_header(header: &[u8; HEADER_LEN]) -> Result<ArMemberHeader, String> {
    let field = |start: usize, end: usize| header.get(start..end).unwrap_or_default();
    if field(58, 60) != b"`\n" {
        return Err("bad header terminator".to_owned());
    }
    let raw_name = trim_spaces(field(0, 16));
    let name = raw_name.strip_suffix(b"/").unwrap_or(raw_name);
    if name.is_empty() {
        return Err("empty member name".to_owned());
    }
    if !name
        .iter()
        .all(|byte| byte.is_ascii_graphic() && *byte != b'/')
    {
        return Err(format!(
            "member name '{}' is not a plain name",
            super::escape(raw_name)
        ));
    }
    let size_field = trim_spaces(field(48, 58));
    if size_field.is_empty() || !size_field.iter().all(u8::is_ascii_digit) {
        return Err(format!(
            "member size '{}' is not a decimal number",
            super::escape(field(48, 58))
        ));
    }
    // At most ten digits, so this cannot overflow.
    let size = size_field
        .iter()
        .fold(0u64, |total, digit| total * 10 + u64::from(digit - b'0'));
    Ok(ArMemberHeader {
        name: String::from_utf8_lossy(name).into_owned(),
        size,
    })
}

fn trim_spaces(bytes: &[u8]) -> &[u8] {
    let end = bytes
        .iter()
        .rposition(|byte| *byte != b' ')
        .map_or(0, |last| last + 1);
    bytes.get(..end).unwrap_or_default()
}

/// Reads until `buf` is full or the stream ends; returns the count read.
pub(crate) fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(buf.get_mut(filled..).unwrap_or_default()) {
            Ok(0) => break,
            Ok(read) => filled += read,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(name: &str, size: &str) -> [u8; HEADER_LEN] {
        let mut header = [b' '; HEADER_LEN];
        header[..name.len()].copy_from_slice(name.as_bytes());
        header[48..48 + size.len()].copy_from_slice(size.as_bytes());
        header[58] = b'`';
        header[59] = b'\n';
        header
    }

    #[test]
    fn parses_headers() {
        let parsed = parse_header(&header("debian-binary", "4")).expect("valid header");
        assert_eq!(parsed.name, "debian-binary");
        assert_eq!(parsed.size, 4);
        let gnu = parse_header(&header("data.tar.xz/", "9999999999")).expect("valid header");
        assert_eq!(gnu.name, "data.tar.xz");
        assert_eq!(gnu.size, 9_999_999_999);
    }

    #[test]
    fn rejects_bad_headers() {
        let cases: &[([u8; HEADER_LEN], &str)] = &[
            (
                header("x", "1x"),
                "member size '1x        ' is not a decimal number",
            ),
            (
                header("x", ""),
                "member size '          ' is not a decimal number",
            ),
            (
                header("x", "-1"),
                "member size '-1        ' is not a decimal number",
            ),
            (header("/", "1"), "empty member name"),
            (header("a/b", "1"), "member name 'a/b' is not a plain name"),
            (header("//", "1"), "member name '//' is not a plain name"),
        ];
        for (bytes, reason) in cases {
            assert_eq!(parse_header(bytes).expect_err("must be refused"), *reason);
        }
        let mut bad_end = header("x", "1");
        bad_end[59] = b'x';
        assert_eq!(
            parse_header(&bad_end).expect_err("must be refused"),
            "bad header terminator"
        );
    }
}

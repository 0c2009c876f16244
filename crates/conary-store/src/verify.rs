//! [`VerifyingReader`]: reads a blob and checks it against its digest.

use std::fmt;
use std::io::{self, Read};

use crate::digest::Digest;
use crate::error::StoreError;

/// Wraps a reader of a blob's bytes, hashing them as they pass; at the end of
/// the stream it returns an error instead of end-of-file when the bytes do
/// not hash to the expected digest or are not the expected size.
///
/// The error is an [`io::Error`] of kind [`io::ErrorKind::InvalidData`] that
/// carries a [`StoreError::Corrupt`] or [`StoreError::WrongSize`]
/// ([`StoreError::from_read`] gets it back). Data is only known good once the
/// stream has been read to its end: consumers must not act on a blob they
/// stopped reading early (an [`io::copy`] into a temporary file that is
/// renamed afterwards is the usual pattern).
///
/// ```rust
/// use std::io::Read;
/// use conary_store::{Digest, VerifyingReader};
/// let digest = Digest::of(b"contents");
/// let mut good = Vec::new();
/// VerifyingReader::new(&b"contents"[..], digest, Some(8)).read_to_end(&mut good)?;
/// assert_eq!(good, b"contents");
/// let mut bad = Vec::new();
/// assert!(VerifyingReader::new(&b"c0ntents"[..], digest, None).read_to_end(&mut bad).is_err());
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct VerifyingReader<R> {
    inner: R,
    hasher: blake3::Hasher,
    expected: Digest,
    expected_size: Option<u64>,
    read: u64,
    state: State,
}

#[derive(Clone, Copy, Debug)]
enum State {
    Reading,
    Verified,
    Failed(Mismatch),
}

#[derive(Clone, Copy, Debug)]
enum Mismatch {
    Size { actual: u64, expected: u64 },
    Digest(Digest),
}

impl<R: Read> VerifyingReader<R> {
    /// Verifies `inner` against `expected`, and against `expected_size` when given.
    pub fn new(inner: R, expected: Digest, expected_size: Option<u64>) -> Self {
        Self {
            inner,
            hasher: blake3::Hasher::new(),
            expected,
            expected_size,
            read: 0,
            state: State::Reading,
        }
    }

    /// The digest the contents must have.
    pub fn expected(&self) -> Digest {
        self.expected
    }

    fn error(&self, mismatch: Mismatch) -> io::Error {
        let error = match mismatch {
            Mismatch::Size { actual, expected } => StoreError::WrongSize {
                digest: self.expected,
                expected,
                actual,
            },
            Mismatch::Digest(actual) => StoreError::Corrupt {
                expected: self.expected,
                actual,
            },
        };
        io::Error::new(io::ErrorKind::InvalidData, error)
    }

    fn fail(&mut self, mismatch: Mismatch) -> io::Error {
        self.state = State::Failed(mismatch);
        self.error(mismatch)
    }

    fn finish(&mut self) -> io::Result<usize> {
        if let Some(expected) = self.expected_size
            && self.read != expected
        {
            return Err(self.fail(Mismatch::Size {
                actual: self.read,
                expected,
            }));
        }
        let actual = crate::digest::from_hash(self.hasher.finalize());
        if actual != self.expected {
            return Err(self.fail(Mismatch::Digest(actual)));
        }
        self.state = State::Verified;
        Ok(0)
    }
}

impl<R: Read> Read for VerifyingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.state {
            State::Reading => {}
            State::Verified => return Ok(0),
            State::Failed(mismatch) => return Err(self.error(mismatch)),
        }
        if buf.is_empty() {
            return Ok(0);
        }
        let count = self.inner.read(buf)?;
        let Some(chunk) = buf.get(..count) else {
            return Err(io::Error::other(
                "reader returned more bytes than asked for",
            ));
        };
        if count == 0 {
            return self.finish();
        }
        self.read = self
            .read
            .checked_add(chunk.len() as u64)
            .ok_or_else(|| io::Error::other(StoreError::TooLarge))?;
        if let Some(expected) = self.expected_size
            && self.read > expected
        {
            return Err(self.fail(Mismatch::Size {
                actual: self.read,
                expected,
            }));
        }
        self.hasher.update(chunk);
        Ok(count)
    }
}

impl<R> fmt::Debug for VerifyingReader<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyingReader")
            .field("expected", &self.expected)
            .field("expected_size", &self.expected_size)
            .field("read", &self.read)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(reader: &mut impl Read) -> Result<Vec<u8>, StoreError> {
        let mut bytes = Vec::new();
        reader
            .read_to_end(&mut bytes)
            .map_err(|error| StoreError::from_read(Digest::of(b""), error))?;
        Ok(bytes)
    }

    #[test]
    fn table() {
        let digest = Digest::of(b"hello");
        let cases: &[(&[u8], Option<u64>, &str)] = &[
            (b"hello", None, "ok"),
            (b"hello", Some(5), "ok"),
            (b"hellO", None, "corrupt"),
            (b"hellO", Some(5), "corrupt"),
            (b"hell", Some(5), "size"),
            (b"hello!", Some(5), "size"),
            (b"hello!", None, "corrupt"),
            (b"", None, "corrupt"),
        ];
        for (bytes, size, expected) in cases {
            let result = read_all(&mut VerifyingReader::new(*bytes, digest, *size));
            let got = match &result {
                Ok(read) => {
                    assert_eq!(read, bytes);
                    "ok"
                }
                Err(StoreError::Corrupt { expected, actual }) => {
                    assert_eq!(*expected, digest);
                    assert_eq!(*actual, Digest::of(bytes));
                    "corrupt"
                }
                Err(StoreError::WrongSize { .. }) => "size",
                Err(other) => panic!("unexpected {other}"),
            };
            assert_eq!(got, *expected, "{bytes:?} {size:?}");
        }
    }

    #[test]
    fn failure_repeats_and_success_stays_at_eof() {
        let digest = Digest::of(b"abc");
        let mut bad = VerifyingReader::new(&b"abd"[..], digest, None);
        let mut sink = Vec::new();
        assert!(bad.read_to_end(&mut sink).is_err());
        let again = bad.read(&mut [0u8; 4]).expect_err("still failing");
        assert_eq!(again.kind(), io::ErrorKind::InvalidData);
        let mut good = VerifyingReader::new(&b"abc"[..], digest, None);
        assert_eq!(read_all(&mut good).expect("verified"), b"abc");
        assert_eq!(good.read(&mut [0u8; 4]).expect("eof"), 0);
    }

    #[test]
    fn empty_buffer_is_not_end_of_stream() {
        let digest = Digest::of(b"abc");
        let mut reader = VerifyingReader::new(&b"abc"[..], digest, None);
        assert_eq!(reader.read(&mut []).expect("empty read"), 0);
        assert_eq!(read_all(&mut reader).expect("verified"), b"abc");
    }

    #[test]
    fn other_errors_are_read_errors() {
        let error = StoreError::from_read(Digest::of(b""), io::Error::other("disk on fire"));
        assert!(matches!(error, StoreError::ReadBlob { .. }), "{error:?}");
    }
}

//! The framing of payloads after the index: each payload is a run of
//! chunks, `varint length` then that many bytes, ended by a zero length.
//!
//! Chunks let a writer stream a payload whose compressed length it does not
//! know in advance, and let a reader skip a payload without decompressing
//! it. Where the boundaries fall carries no meaning.

use std::io::{self, BufRead, BufReader, Read, Write};

use crate::error::ChangeSetError;
use crate::model::PayloadId;

/// The length of the chunks a writer emits.
pub(crate) const CHUNK_LEN: usize = 128 << 10;

fn push_varint(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let low = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(low);
            return;
        }
        out.push(low | 0x80);
    }
}

/// Frames everything written to it as chunks on `out`; counts the bytes it
/// emits, framing included.
pub(crate) struct ChunkWriter<'w, W: Write> {
    out: &'w mut W,
    buffer: Vec<u8>,
    emitted: u64,
}

impl<'w, W: Write> ChunkWriter<'w, W> {
    pub(crate) fn new(out: &'w mut W) -> ChunkWriter<'w, W> {
        ChunkWriter {
            out,
            buffer: Vec::with_capacity(CHUNK_LEN),
            emitted: 0,
        }
    }

    fn emit(&mut self) -> io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let mut header = Vec::with_capacity(4);
        push_varint(&mut header, self.buffer.len() as u64);
        self.out.write_all(&header)?;
        self.out.write_all(&self.buffer)?;
        self.emitted += (header.len() + self.buffer.len()) as u64;
        self.buffer.clear();
        Ok(())
    }

    /// Emits what is buffered and the end marker; returns the bytes emitted.
    pub(crate) fn finish(mut self) -> io::Result<u64> {
        self.emit()?;
        self.out.write_all(&[0])?;
        Ok(self.emitted + 1)
    }
}

impl<W: Write> Write for ChunkWriter<'_, W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let room = CHUNK_LEN.saturating_sub(self.buffer.len());
        let take = data.len().min(room);
        self.buffer
            .extend_from_slice(data.get(..take).unwrap_or(data));
        if self.buffer.len() >= CHUNK_LEN {
            self.emit()?;
        }
        Ok(take)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The changeset being read, buffered, with the offset of the next byte.
pub(crate) struct Input<R> {
    inner: BufReader<R>,
    offset: u64,
}

impl<R: Read> Input<R> {
    pub(crate) fn new(inner: R) -> Input<R> {
        Input {
            inner: BufReader::with_capacity(CHUNK_LEN, inner),
            offset: 0,
        }
    }

    pub(crate) fn offset(&self) -> u64 {
        self.offset
    }

    /// Fills `buffer` or reports what is missing as truncation of `what`.
    pub(crate) fn read_exact(
        &mut self,
        buffer: &mut [u8],
        what: &str,
    ) -> Result<(), ChangeSetError> {
        let mut filled = 0usize;
        while let Some(rest) = buffer.get_mut(filled..).filter(|rest| !rest.is_empty()) {
            let read = self
                .read(rest)
                .map_err(|e| ChangeSetError::io("read the changeset", e))?;
            if read == 0 {
                return Err(ChangeSetError::Truncated {
                    what: format!(
                        "{what} at byte {} needs {} more bytes",
                        self.offset,
                        buffer.len() - filled
                    ),
                });
            }
            filled += read;
        }
        Ok(())
    }

    /// Reads a varint of at most 64 bits, in its shortest form.
    pub(crate) fn varint(&mut self, what: &str) -> Result<u64, ChangeSetError> {
        let start = self.offset;
        let mut value = 0u64;
        for index in 0..10u32 {
            let mut byte = [0u8];
            self.read_exact(&mut byte, what)?;
            let [byte] = byte;
            let group = u64::from(byte & 0x7f);
            if (index == 9 && group > 1) || (byte == 0 && index > 0) {
                break;
            }
            value |= group << (7 * index);
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(ChangeSetError::Corrupt {
            what: what.to_owned(),
            reason: format!("bad varint at byte {start}"),
        })
    }

    /// True when no byte is left.
    pub(crate) fn at_end(&mut self) -> Result<bool, ChangeSetError> {
        let buffer = self
            .inner
            .fill_buf()
            .map_err(|e| ChangeSetError::io("read the changeset", e))?;
        Ok(buffer.is_empty())
    }
}

impl<R: Read> Read for Input<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buffer)?;
        self.offset += read as u64;
        Ok(read)
    }
}

/// Where the reader is within the chunks of the current payload.
#[derive(Debug, Default)]
pub(crate) struct ChunkState {
    /// Bytes left in the current chunk.
    remaining: u64,
    /// True once the end marker of the current payload has been read.
    pub(crate) done: bool,
    /// The bytes of the payload read so far, framing included.
    pub(crate) stored: u64,
}

impl ChunkState {
    /// The state at the start of a payload.
    pub(crate) fn start() -> ChunkState {
        ChunkState::default()
    }
}

/// Reads the bytes of one payload, across its chunks, up to its end marker.
pub(crate) struct ChunkReader<'a, R> {
    pub(crate) input: &'a mut Input<R>,
    pub(crate) state: &'a mut ChunkState,
    pub(crate) id: PayloadId,
    pub(crate) max_chunk_len: u64,
}

impl<R: Read> ChunkReader<'_, R> {
    fn next_chunk(&mut self) -> Result<(), ChangeSetError> {
        let what = self.id.to_string();
        let start = self.input.offset();
        let len = self.input.varint(&what)?;
        self.state.stored += self.input.offset() - start;
        if len == 0 {
            self.state.done = true;
        } else if len > self.max_chunk_len {
            return Err(ChangeSetError::Corrupt {
                what,
                reason: format!(
                    "chunk of {len} bytes at byte {start}, over the limit of {}",
                    self.max_chunk_len
                ),
            });
        }
        self.state.remaining = len;
        Ok(())
    }

    fn read_payload(&mut self, buffer: &mut [u8]) -> Result<usize, ChangeSetError> {
        if buffer.is_empty() {
            return Ok(0);
        }
        while !self.state.done && self.state.remaining == 0 {
            self.next_chunk()?;
        }
        if self.state.done {
            return Ok(0);
        }
        let want = usize::try_from(self.state.remaining)
            .unwrap_or(usize::MAX)
            .min(buffer.len());
        let target = buffer.get_mut(..want).unwrap_or_default();
        let read = self
            .input
            .read(target)
            .map_err(|e| ChangeSetError::io("read the changeset", e))?;
        if read == 0 {
            return Err(ChangeSetError::Truncated {
                what: format!(
                    "{} at byte {} needs {} more bytes",
                    self.id,
                    self.input.offset(),
                    self.state.remaining
                ),
            });
        }
        self.state.remaining -= read as u64;
        self.state.stored += read as u64;
        Ok(read)
    }

    /// Reads and drops the rest of the payload.
    pub(crate) fn skip(&mut self) -> Result<(), ChangeSetError> {
        let mut buffer = vec![0u8; 64 << 10];
        while self.read_payload(&mut buffer)? > 0 {}
        Ok(())
    }
}

impl<R: Read> Read for ChunkReader<'_, R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        self.read_payload(buffer).map_err(io::Error::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use conary_core::digest::Digest;

    fn reader<'a>(
        input: &'a mut Input<&'a [u8]>,
        state: &'a mut ChunkState,
    ) -> ChunkReader<'a, &'a [u8]> {
        ChunkReader {
            input,
            state,
            id: PayloadId::Contents(Digest::of(b"")),
            max_chunk_len: 1 << 20,
        }
    }

    #[test]
    fn chunks_round_trip_across_boundaries() {
        let data: Vec<u8> = (0..(CHUNK_LEN * 2 + 17)).map(|n| n as u8).collect();
        let mut out = Vec::new();
        let mut writer = ChunkWriter::new(&mut out);
        for piece in data.chunks(1000) {
            writer.write_all(piece).expect("write");
        }
        let emitted = writer.finish().expect("finish");
        assert_eq!(emitted, out.len() as u64);
        // Three chunks (two full, one of 17 bytes) and the end marker.
        assert_eq!(out.len(), data.len() + 3 + 3 + 1 + 1);

        let mut input = Input::new(&out[..]);
        let mut state = ChunkState::start();
        let mut read = Vec::new();
        reader(&mut input, &mut state)
            .read_to_end(&mut read)
            .expect("read");
        assert_eq!(read, data);
        assert!(state.done);
        assert_eq!(state.stored, out.len() as u64);
    }

    #[test]
    fn empty_payload_is_one_end_marker() {
        let mut out = Vec::new();
        assert_eq!(ChunkWriter::new(&mut out).finish().expect("finish"), 1);
        assert_eq!(out, [0]);
    }

    #[test]
    fn bad_framing_is_refused() {
        let cases: &[(&[u8], &str)] = &[
            (b"", "truncated changeset: contents"),
            (b"\x05abc", "truncated changeset: contents"),
            (b"\x80\x00", "corrupt contents"),
            (b"\xff\xff\xff\xff\x0f", "corrupt contents"),
        ];
        for (bytes, message) in cases {
            let mut input = Input::new(*bytes);
            let mut state = ChunkState::start();
            let error = reader(&mut input, &mut state).skip().expect_err("refused");
            assert!(error.to_string().starts_with(message), "{error}");
        }
    }
}

//! zstd settings shared by writing, reading and sizing payloads.
//!
//! A delta is a zstd frame compressed with the old contents as a *reference
//! prefix*, the way `zstd --patch-from=OLD NEW` works: the window covers
//! the base and the new contents, so any run of the new contents that
//! appears anywhere in the old ones becomes a match. The decoder is told the
//! same prefix and allowed exactly that window.

use std::io::{self, BufRead, Read, Write};

use conary_core::digest::{Digest, Hasher};

/// The compression level of full payloads unless asked otherwise (zstd's
/// default).
pub const DEFAULT_LEVEL: i32 = 3;

/// The compression level of deltas unless asked otherwise. At level 3
/// zstd's match finder forgets most of a large base, so deltas of shared
/// libraries come out several times larger; level 9 finds most matches at a
/// few times the cost (measured on the Debian corpus: `docs/FORMATS.md`).
pub const DEFAULT_DELTA_LEVEL: i32 = 9;

/// Compression levels: one for full payloads and text diffs, one for
/// deltas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Levels {
    pub(crate) full: i32,
    pub(crate) delta: i32,
}

/// The widest window a delta may use (1 GiB), so that decoding never needs
/// more memory than that for its window.
const MAX_WINDOW_LOG: u32 = 30;

/// The widest window a full frame may use when read (zstd's own default
/// limit).
const FULL_WINDOW_LOG: u32 = 27;

/// Above this window log, long-distance matching helps find matches far
/// back in a large base.
const LONG_DISTANCE_LOG: u32 = 27;

/// The window log covering `base_len + size` bytes.
fn delta_window_log(base_len: u64, size: u64) -> u32 {
    let total = base_len.saturating_add(size).max(2);
    let log = 64 - (total - 1).leading_zeros();
    log.clamp(10, MAX_WINDOW_LOG)
}

/// The most bytes a delta and its base may span together: the widest window.
pub(crate) const MAX_DELTA_SPAN: u64 = 1 << MAX_WINDOW_LOG;

/// True when a delta of `size` bytes against a base of `base_len` bytes fits
/// in the widest window.
pub(crate) fn delta_fits(base_len: u64, size: u64) -> bool {
    base_len.saturating_add(size) <= MAX_DELTA_SPAN
}

/// An encoder for `size` bytes of contents onto `out`, against `base` for a
/// delta.
pub(crate) fn encoder<'a, W: Write>(
    out: W,
    levels: Levels,
    size: u64,
    base: Option<&'a [u8]>,
) -> io::Result<zstd::stream::write::Encoder<'a, W>> {
    let mut encoder = match base {
        Some(base) => {
            let mut encoder =
                zstd::stream::write::Encoder::with_ref_prefix(out, levels.delta, base)?;
            let log = delta_window_log(base.len() as u64, size);
            encoder.window_log(log)?;
            if log > LONG_DISTANCE_LOG {
                encoder.long_distance_matching(true)?;
            }
            encoder
        }
        None => zstd::stream::write::Encoder::new(out, levels.full)?,
    };
    encoder.set_pledged_src_size(Some(size))?;
    // Contents are checked against their BLAKE3 digest; zstd's own checksum
    // would only repeat that.
    encoder.include_checksum(false)?;
    Ok(encoder)
}

/// A decoder of one payload from `input`, against `base` for a delta.
pub(crate) fn decoder<'a, R: BufRead>(
    input: R,
    size: u64,
    base: Option<&'a [u8]>,
) -> io::Result<zstd::stream::read::Decoder<'a, R>> {
    match base {
        Some(base) => {
            let mut decoder = zstd::stream::read::Decoder::with_ref_prefix(input, base)?;
            decoder.window_log_max(delta_window_log(base.len() as u64, size))?;
            Ok(decoder)
        }
        None => {
            // Our frames never need a window wider than their contents, so
            // a hostile frame cannot make the decoder allocate more.
            let mut decoder = zstd::stream::read::Decoder::with_buffer(input)?;
            decoder.window_log_max(delta_window_log(0, size).min(FULL_WINDOW_LOG))?;
            Ok(decoder)
        }
    }
}

/// A decoder of one full payload from `input` (no base), decoding with
/// `context` (reset first) instead of creating a context of its own: a
/// reader of many payloads keeps one.
pub(crate) fn full_decoder<'a, R: BufRead>(
    input: R,
    size: u64,
    context: &'a mut zstd::zstd_safe::DCtx<'static>,
) -> io::Result<zstd::stream::read::Decoder<'a, R>> {
    let mut decoder = zstd::stream::read::Decoder::with_context(input, context);
    decoder.window_log_max(delta_window_log(0, size).min(FULL_WINDOW_LOG))?;
    Ok(decoder)
}

/// A writer that only counts.
#[cfg(test)]
struct Counter(u64);

#[cfg(test)]
impl Write for Counter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.0 += data.len() as u64;
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The compressed length of `data`, against `base` for a delta.
#[cfg(test)]
pub(crate) fn compressed_len(data: &[u8], levels: Levels, base: Option<&[u8]>) -> io::Result<u64> {
    let mut encoder = encoder(Counter(0), levels, data.len() as u64, base)?;
    encoder.write_all(data)?;
    Ok(encoder.finish()?.0)
}

/// `data` compressed, against `base` for a delta: exactly the frame a
/// writer emits for the same contents, size and levels.
pub(crate) fn compress(data: &[u8], levels: Levels, base: Option<&[u8]>) -> io::Result<Vec<u8>> {
    let out = Vec::with_capacity(data.len() / 2 + 64);
    let mut encoder = encoder(out, levels, data.len() as u64, base)?;
    encoder.write_all(data)?;
    encoder.finish()
}

/// Passes bytes through while hashing and counting them.
pub(crate) struct HashingReader<R> {
    inner: R,
    hasher: Hasher,
    count: u64,
}

impl<R: Read> HashingReader<R> {
    pub(crate) fn new(inner: R) -> HashingReader<R> {
        HashingReader {
            inner,
            hasher: Hasher::new(),
            count: 0,
        }
    }

    /// The digest and length of everything read.
    pub(crate) fn result(&self) -> (Digest, u64) {
        (self.hasher.finalize(), self.count)
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buffer)?;
        let data = buffer.get(..read).unwrap_or_default();
        self.hasher.update(data);
        self.count += read as u64;
        Ok(read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEVELS: Levels = Levels {
        full: DEFAULT_LEVEL,
        delta: DEFAULT_DELTA_LEVEL,
    };

    #[test]
    fn window_logs_cover_base_and_contents() {
        let cases = [
            (0, 0, 10),
            (0, 1024, 10),
            (0, 1025, 11),
            (1 << 20, 1 << 20, 21),
            (1 << 20, (1 << 20) + 1, 22),
            (1 << 40, 1, 30),
        ];
        for (base, size, log) in cases {
            assert_eq!(delta_window_log(base, size), log, "base {base} size {size}");
        }
        assert!(delta_fits(1 << 29, 1 << 29));
        assert!(!delta_fits(1 << 29, (1 << 29) + 1));
    }

    fn round_trip(data: &[u8], base: Option<&[u8]>) -> Vec<u8> {
        let mut compressed = Vec::new();
        let mut encoder =
            encoder(&mut compressed, LEVELS, data.len() as u64, base).expect("encoder");
        encoder.write_all(data).expect("compress");
        encoder.finish().expect("finish");
        let mut decoder = decoder(&compressed[..], data.len() as u64, base).expect("decoder");
        let mut out = Vec::new();
        decoder.read_to_end(&mut out).expect("decompress");
        out
    }

    #[test]
    fn full_and_delta_frames_round_trip() {
        let base: Vec<u8> = (0..200_000u32)
            .flat_map(|n| (n * 7).to_le_bytes())
            .collect();
        let mut data = base.clone();
        data.truncate(150_000);
        data.extend_from_slice(b"new tail");
        assert_eq!(round_trip(&data, None), data);
        assert_eq!(round_trip(&data, Some(&base)), data);
        assert_eq!(round_trip(b"", None), b"");
        let delta = compressed_len(&data, LEVELS, Some(&base)).expect("delta");
        let full = compressed_len(&data, LEVELS, None).expect("full");
        assert!(delta * 10 < full, "delta {delta} full {full}");
    }

    #[test]
    fn a_delta_needs_its_base() {
        let base: Vec<u8> = (0..10_000u32)
            .map(|n| (n.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let mut data = base.clone();
        data[5000] = 1;
        let mut compressed = Vec::new();
        let mut encoder =
            encoder(&mut compressed, LEVELS, data.len() as u64, Some(&base)).expect("encoder");
        encoder.write_all(&data).expect("compress");
        encoder.finish().expect("finish");
        let other: Vec<u8> = base.iter().map(|byte| byte ^ 0x5a).collect();
        let mut decoder =
            decoder(&compressed[..], data.len() as u64, Some(&other)).expect("decoder");
        let mut out = Vec::new();
        let wrong = decoder.read_to_end(&mut out).is_err() || out != data;
        assert!(
            wrong,
            "a delta decoded against the wrong base gave the right bytes"
        );
    }
}

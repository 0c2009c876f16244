//! Blobs kept compressed: one zstd frame per blob.
//!
//! A store may keep a blob as the zstd frame it arrived in (the payload of
//! a committed changeset) instead of its plain bytes, so that serving it
//! compressed, in a changeset, copies the frame instead of compressing
//! again ([`crate::BlobStore::get_frame`]). The blob is still named by the
//! BLAKE3 digest of its *decoded* contents, and
//! [`get`](crate::BlobStore::get) still returns those plain bytes,
//! verified.
//!
//! A frame is accepted ([`check`]) only when it is exactly one zstd frame
//! (not a skippable one, nothing after it), declares its content size in
//! its header, needs no dictionary, and decodes within a window no wider
//! than its contents ([`window_log`]: at least 1 KiB, at most 128 MiB).
//! These are the limits a changeset reader applies to a full payload, so a
//! stored frame can travel in a changeset as it is.
//!
//! ```rust
//! let frame = conary_store::frame::compress(b"hello, frame", 3)?;
//! let (digest, size) = conary_store::frame::check(&frame)?;
//! assert_eq!((digest, size), (conary_store::Digest::of(b"hello, frame"), 12));
//! assert_eq!(conary_store::frame::content_size(&frame)?, 12);
//! assert!(conary_store::frame::check(&frame[..frame.len() - 1]).is_err());
//! # Ok::<(), conary_store::StoreError>(())
//! ```

use std::io::{self, BufRead, Read, Write};

use crate::digest::Digest;
use crate::error::StoreError;

/// The smallest window log a frame is allowed (zstd's own minimum).
pub const MIN_WINDOW_LOG: u32 = 10;

/// The widest window log a frame is allowed (128 MiB, zstd's default
/// limit for decoding).
pub const MAX_WINDOW_LOG: u32 = 27;

/// The first four bytes of a zstd frame (little-endian `0xFD2FB528`).
const MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// The most bytes a frame header takes, enough to read its content size.
pub const MAX_HEADER_LEN: usize = 18;

/// The window log a frame of `size` bytes of contents may use: the
/// smallest power of two covering `size`, between [`MIN_WINDOW_LOG`] and
/// [`MAX_WINDOW_LOG`].
///
/// ```rust
/// use conary_store::frame::window_log;
/// assert_eq!((window_log(0), window_log(1025), window_log(1 << 40)), (10, 11, 27));
/// ```
pub fn window_log(size: u64) -> u32 {
    let size = size.max(2);
    let log = 64 - (size - 1).leading_zeros();
    log.clamp(MIN_WINDOW_LOG, MAX_WINDOW_LOG)
}

fn bad(reason: impl Into<String>) -> StoreError {
    StoreError::BadFrame {
        reason: reason.into(),
    }
}

/// The content size declared by the header at the start of `frame` (its
/// first [`MAX_HEADER_LEN`] bytes are enough).
pub fn content_size(frame: &[u8]) -> Result<u64, StoreError> {
    if frame.get(..4) != Some(&MAGIC[..]) {
        return Err(bad("not a zstd frame (bad magic number)"));
    }
    match zstd::zstd_safe::get_frame_content_size(frame) {
        Ok(Some(size)) => Ok(size),
        Ok(None) => Err(bad("the frame does not declare its content size")),
        Err(_) => Err(bad("the frame header is truncated or invalid")),
    }
}

/// A decoder of a checked frame's contents from `input`, allowed the
/// window of [`window_log`]`(size)`.
pub(crate) fn decoder<'a, R: BufRead>(
    input: R,
    size: u64,
) -> io::Result<zstd::stream::read::Decoder<'a, R>> {
    let mut decoder = zstd::stream::read::Decoder::with_buffer(input)?;
    decoder.window_log_max(window_log(size))?;
    Ok(decoder)
}

/// Checks that `frame` is a frame a store keeps (see the
/// [module documentation](self)) by decoding it; returns the digest and
/// size of its contents. Nothing decoded is kept in memory.
pub fn check(frame: &[u8]) -> Result<(Digest, u64), StoreError> {
    decode_into(frame, &mut io::sink())
}

/// [`check`], returning the decoded contents.
pub fn decode(frame: &[u8]) -> Result<Vec<u8>, StoreError> {
    let size = content_size(frame)?;
    let mut out = Vec::with_capacity(usize::try_from(size.min(64 << 20)).unwrap_or(0));
    decode_into(frame, &mut out)?;
    Ok(out)
}

/// Checks `frame`, writing its contents to `out`.
fn decode_into(frame: &[u8], out: &mut dyn Write) -> Result<(Digest, u64), StoreError> {
    let size = content_size(frame)?;
    let length = zstd::zstd_safe::find_frame_compressed_size(frame)
        .map_err(|_| bad("the frame is truncated or invalid"))?;
    if length != frame.len() {
        return Err(bad(format!(
            "{} bytes follow the frame",
            frame.len().saturating_sub(length)
        )));
    }
    let mut decoder =
        decoder(frame, size).map_err(|error| bad(format!("cannot start decoding: {error}")))?;
    let mut hasher = blake3::Hasher::new();
    let mut buffer = vec![0u8; 128 << 10];
    let mut produced: u64 = 0;
    loop {
        let read = match decoder.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(bad(format!("cannot decode: {error}"))),
        };
        let chunk = buffer.get(..read).unwrap_or_default();
        produced = produced.saturating_add(read as u64);
        if produced > size {
            return Err(bad(format!(
                "the frame decodes to more than the {size} bytes it declares"
            )));
        }
        hasher.update(chunk);
        out.write_all(chunk)
            .map_err(|error| bad(format!("cannot keep the decoded bytes: {error}")))?;
    }
    if produced != size {
        return Err(bad(format!(
            "the frame decodes to {produced} bytes, not the {size} it declares"
        )));
    }
    Ok((crate::digest::from_hash(hasher.finalize()), size))
}

/// `data` as a frame a store keeps: compressed at zstd `level`, its size
/// declared, without zstd's checksum (contents are checked against their
/// BLAKE3 digest).
pub fn compress(data: &[u8], level: i32) -> Result<Vec<u8>, StoreError> {
    let encode = || -> io::Result<Vec<u8>> {
        let out = Vec::with_capacity(data.len() / 2 + 64);
        let mut encoder = zstd::stream::write::Encoder::new(out, level)?;
        encoder.set_pledged_src_size(Some(data.len() as u64))?;
        encoder.include_checksum(false)?;
        encoder.include_contentsize(true)?;
        encoder.write_all(data)?;
        encoder.finish()
    };
    encode().map_err(|error| bad(format!("cannot compress: {error}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        (0..300_000u32)
            .flat_map(|n| (n % 1000).to_le_bytes())
            .collect()
    }

    #[test]
    fn frames_round_trip() {
        for data in [Vec::new(), b"x".to_vec(), sample()] {
            let frame = compress(&data, 3).expect("compress");
            assert_eq!(content_size(&frame).expect("size"), data.len() as u64);
            let (digest, size) = check(&frame).expect("check");
            assert_eq!((digest, size), (Digest::of(&data), data.len() as u64));
            assert_eq!(decode(&frame).expect("decode"), data);
        }
    }

    #[test]
    fn unusable_frames_are_refused() {
        let data = sample();
        let frame = compress(&data, 3).expect("compress");
        let mut two = frame.clone();
        two.extend_from_slice(&frame);
        let mut trailing = frame.clone();
        trailing.push(0);
        let mut flipped = frame.clone();
        let middle = flipped.len() / 2;
        flipped[middle] ^= 0xff;
        // No declared size: zstd's streaming encoder without a pledge.
        let mut unsized_frame = Vec::new();
        {
            let mut encoder =
                zstd::stream::write::Encoder::new(&mut unsized_frame, 3).expect("encoder");
            encoder.write_all(&data).expect("write");
            encoder.finish().expect("finish");
        }
        // A frame whose header lies about its size.
        let mut lying = Vec::new();
        {
            let mut encoder = zstd::stream::write::Encoder::new(&mut lying, 3).expect("encoder");
            encoder.set_pledged_src_size(Some(10)).expect("pledge");
            let _ = encoder.write_all(&data);
            let _ = encoder.finish();
        }
        let skippable = [0x50, 0x2a, 0x4d, 0x18, 0, 0, 0, 0];
        let cases: [(&str, &[u8]); 8] = [
            ("empty", b""),
            ("not zstd", b"plain bytes, not compressed"),
            ("two frames", &two),
            ("trailing byte", &trailing),
            ("truncated", &frame[..frame.len() - 3]),
            ("no size", &unsized_frame),
            ("skippable", &skippable),
            ("lying", &lying),
        ];
        for (name, bytes) in cases {
            let error = check(bytes).expect_err(name);
            assert!(
                matches!(error, StoreError::BadFrame { .. }),
                "{name}: {error}"
            );
        }
        // A corrupted frame either fails to decode or decodes to other
        // contents: never to the original digest.
        if let Ok((digest, _)) = check(&flipped) {
            assert_ne!(digest, Digest::of(&data));
        }
    }

    #[test]
    fn a_window_wider_than_the_contents_is_refused() {
        // A frame of 1000 bytes made with a 16 MiB window and no
        // single-segment header.
        let data = vec![7u8; 1000];
        let mut wide = Vec::new();
        {
            let mut encoder = zstd::stream::write::Encoder::new(&mut wide, 3).expect("encoder");
            encoder.window_log(24).expect("window");
            encoder.write_all(&data).expect("write");
            encoder.finish().expect("finish");
        }
        // zstd shrinks the window to the pledged size only when it knows
        // it; here it does not, so the frame has no size either.
        assert!(check(&wide).is_err());
    }
}

//! Payloads compressed while building, kept for writing:
//! [`PreparedPayloads`].
//!
//! To choose between a full payload and a delta, the builder compresses
//! the contents both ways. The form it chooses is exactly what the writer
//! would emit for that payload (same encoder, same levels, same pledged
//! size), so the builder can hand those bytes over and the writer copies
//! them into the changeset instead of compressing a third time. The bytes
//! on disk are the same either way; the writer falls back to compressing
//! any payload it has no prepared frame for.

use std::collections::BTreeMap;

use conary_core::digest::Digest;

use crate::compress::Levels;

/// The most compressed bytes kept in total: beyond it, payloads are
/// compressed again when written, so memory stays bounded for huge
/// changesets.
pub(crate) const MAX_PREPARED_BYTES: u64 = 64 << 20;

/// One compressed payload: a zstd frame of `size` bytes of contents,
/// against `base` for a delta.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Frame {
    /// The base of a delta, `None` for a full payload.
    pub(crate) base: Option<Digest>,
    /// The size of the contents (pledged in the frame).
    pub(crate) size: u64,
    /// The zstd frame.
    pub(crate) bytes: Vec<u8>,
}

/// Compressed payloads made by [`crate::ChangeSetBuilder::build_prepared`],
/// for [`crate::ChangeSetWriter::use_prepared`]. A frame is used only for
/// the same digest, size, base and compression levels it was made with.
///
/// ```rust
/// let prepared = conary_changeset::PreparedPayloads::default();
/// assert!(prepared.is_empty());
/// assert_eq!(prepared.bytes(), 0);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PreparedPayloads {
    levels: Option<Levels>,
    frames: BTreeMap<Digest, Frame>,
    bytes: u64,
}

impl PreparedPayloads {
    /// An empty set for payloads compressed at `levels`.
    pub(crate) fn new(levels: Levels) -> PreparedPayloads {
        PreparedPayloads {
            levels: Some(levels),
            ..PreparedPayloads::default()
        }
    }

    /// Keeps `frame` for `digest` unless that would exceed
    /// [`MAX_PREPARED_BYTES`]; returns whether it was kept.
    pub(crate) fn keep(&mut self, digest: Digest, frame: Frame) -> bool {
        let len = frame.bytes.len() as u64;
        if self.bytes.saturating_add(len) > MAX_PREPARED_BYTES {
            return false;
        }
        self.bytes += len;
        if let Some(old) = self.frames.insert(digest, frame) {
            self.bytes -= old.bytes.len() as u64;
        }
        true
    }

    /// Takes the frame for `digest` when it was made for `size` bytes
    /// against `base` at `levels`.
    pub(crate) fn take(
        &mut self,
        digest: &Digest,
        size: u64,
        base: Option<&Digest>,
        levels: Levels,
    ) -> Option<Vec<u8>> {
        if self.levels != Some(levels) {
            return None;
        }
        let fits = self
            .frames
            .get(digest)
            .is_some_and(|frame| frame.size == size && frame.base.as_ref() == base);
        if !fits {
            return None;
        }
        let frame = self.frames.remove(digest)?;
        self.bytes -= frame.bytes.len() as u64;
        Some(frame.bytes)
    }

    /// True when no frame is kept.
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// How many frames are kept.
    pub fn len(&self) -> usize {
        self.frames.len()
    }

    /// The compressed bytes kept.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEVELS: Levels = Levels { full: 3, delta: 9 };

    fn frame(base: Option<Digest>, len: usize) -> Frame {
        Frame {
            base,
            size: 10,
            bytes: vec![7; len],
        }
    }

    #[test]
    fn a_frame_is_taken_only_as_it_was_made() {
        let digest = Digest::of(b"new");
        let base = Digest::of(b"old");
        let mut prepared = PreparedPayloads::new(LEVELS);
        assert!(prepared.keep(digest, frame(Some(base), 5)));
        assert_eq!((prepared.len(), prepared.bytes()), (1, 5));
        assert_eq!(prepared.take(&digest, 10, None, LEVELS), None);
        assert_eq!(prepared.take(&digest, 11, Some(&base), LEVELS), None);
        let other = Levels { full: 3, delta: 19 };
        assert_eq!(prepared.take(&digest, 10, Some(&base), other), None);
        assert_eq!(
            prepared.take(&Digest::of(b""), 10, Some(&base), LEVELS),
            None
        );
        assert_eq!(
            prepared.take(&digest, 10, Some(&base), LEVELS),
            Some(vec![7; 5])
        );
        assert!(prepared.is_empty());
        assert_eq!(prepared.bytes(), 0);
        assert_eq!(prepared.take(&digest, 10, Some(&base), LEVELS), None);
    }

    #[test]
    fn memory_is_bounded() {
        let mut prepared = PreparedPayloads::new(LEVELS);
        let big = usize::try_from(MAX_PREPARED_BYTES).expect("fits") - 1;
        assert!(prepared.keep(Digest::of(b"a"), frame(None, big)));
        assert!(!prepared.keep(Digest::of(b"b"), frame(None, 2)));
        assert!(prepared.keep(Digest::of(b"c"), frame(None, 1)));
        assert_eq!(prepared.bytes(), MAX_PREPARED_BYTES);
        // Nothing prepared without levels (a default set) is ever taken.
        let mut empty = PreparedPayloads::default();
        assert!(empty.keep(Digest::of(b"d"), frame(None, 1)));
        assert_eq!(empty.take(&Digest::of(b"d"), 10, None, LEVELS), None);
    }
}

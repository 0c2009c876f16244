//! Contents a source keeps compressed: the writer copies their frame, the
//! builder weighs it without compressing, and a store reads full payloads
//! back as frames (`next_full_frame`).

use std::collections::BTreeMap;
use std::io::{self, Read};

use conary_changeset::{
    ChangeSetBuilder, ChangeSetError, ChangeSetReader, ContentKind, ContentSource, MemContents,
    NoContents, PayloadId,
};
use conary_core::digest::Digest;

use crate::fixtures::{noise, read_all, regular, streams, trove, version, write};

/// Contents in memory, some also kept as zstd frames (made at level 19,
/// so that copying them is told apart from compressing at level 3).
struct Framed {
    plain: MemContents,
    frames: BTreeMap<Digest, Vec<u8>>,
}

impl Framed {
    fn new(plain: MemContents) -> Framed {
        Framed {
            plain,
            frames: BTreeMap::new(),
        }
    }

    fn keep_frame(&mut self, bytes: &[u8]) -> Vec<u8> {
        let mut encoder = zstd::bulk::Compressor::new(19).expect("compressor");
        encoder
            .set_parameter(zstd::zstd_safe::CParameter::ChecksumFlag(false))
            .expect("no checksum");
        let frame = encoder.compress(bytes).expect("compress");
        self.frames.insert(Digest::of(bytes), frame.clone());
        frame
    }
}

impl ContentSource for Framed {
    fn open(&self, digest: &Digest) -> io::Result<Option<Box<dyn Read + '_>>> {
        self.plain.open(digest)
    }

    fn open_frame(&self, digest: &Digest) -> io::Result<Option<Vec<u8>>> {
        Ok(self.frames.get(digest).cloned())
    }
}

fn text(seed: u64) -> Vec<u8> {
    (0..40_000u64)
        .map(|n| b"abcdefgh"[((n * 7 + seed) % 8) as usize])
        .collect()
}

#[test]
fn absolute_changesets_copy_kept_frames() {
    let mut plain = MemContents::new();
    let kept = text(1);
    let other = noise(3, 5_000);
    let (a, b) = (regular(&mut plain, &kept), regular(&mut plain, &other));
    let mut source = Framed::new(plain);
    let frame = source.keep_frame(&kept);
    let v = version("1.0-1-1", 1);
    let mut builder = ChangeSetBuilder::new();
    builder
        .add_absolute(
            trove("foo:runtime", &v, &[("/a", &a), ("/b", &b)]),
            &streams([&a, &b]),
        )
        .expect("add");
    let changeset = builder.build(&NoContents, &source).expect("build");
    let bytes = write(&changeset, &source);
    assert!(
        bytes.windows(frame.len()).any(|window| window == frame),
        "the kept frame is copied as it is"
    );
    let (_, payloads) = read_all(&bytes, &NoContents).expect("read back");
    assert_eq!(payloads[&PayloadId::Contents(Digest::of(&kept))], kept);
    assert_eq!(payloads[&PayloadId::Contents(Digest::of(&other))], other);
    // A frame that does not declare the size the index announces is not
    // used: the writer compresses the contents itself.
    let mut lying = Framed::new(source.plain.clone());
    let shorter = source.keep_frame(&kept[..1000]);
    lying.frames.insert(Digest::of(&kept), shorter);
    let bytes = write(&changeset, &lying);
    let (_, payloads) = read_all(&bytes, &NoContents).expect("read back");
    assert_eq!(payloads[&PayloadId::Contents(Digest::of(&kept))], kept);
    // A frame of the right size but other contents is copied (the writer
    // trusts its source's frames) and the reader refuses it.
    let wrong = source.keep_frame(&text(2));
    lying.frames.insert(Digest::of(&kept), wrong);
    let bytes = write(&changeset, &lying);
    let error = read_all(&bytes, &NoContents).expect_err("caught by the reader");
    assert!(
        matches!(error, ChangeSetError::DigestMismatch { .. }),
        "{error}"
    );
}

#[test]
fn a_kept_frame_weighs_what_it_weighs() {
    // New contents whose kept frame is tiny: no delta can beat it, so they
    // travel full (copied); without the frame, a delta is chosen.
    let mut plain = MemContents::new();
    let old = noise(7, 30_000);
    let mut new = old.clone();
    new[100] ^= 1;
    let (s_old, s_new) = (regular(&mut plain, &old), regular(&mut plain, &new));
    let v1 = version("1.0-1-1", 1);
    let v2 = version("1.0-2-1", 2);
    let build = |source: &dyn ContentSource| {
        let mut builder = ChangeSetBuilder::new();
        let old_trove = trove("foo:runtime", &v1, &[("/f", &s_old)]);
        let new_trove = trove("foo:runtime", &v2, &[("/f", &s_new)]);
        builder
            .add_relative(&old_trove, new_trove, &streams([&s_old, &s_new]))
            .expect("add");
        builder.build(source, source).expect("build")
    };
    let delta = build(&plain);
    let kind = delta.contents[&Digest::of(&new)].kind;
    assert!(matches!(kind, ContentKind::Delta { .. }), "{kind:?}");
    let mut source = Framed::new(plain.clone());
    // A fake "frame" of the right size that is tiny: 30,000 zero bytes.
    let zeros = vec![0u8; 30_000];
    let tiny = source.keep_frame(&zeros);
    source.frames.insert(Digest::of(&new), tiny);
    let full = build(&source);
    assert_eq!(full.contents[&Digest::of(&new)].kind, ContentKind::Full);
}

#[test]
fn full_payloads_come_back_as_frames() {
    let mut plain = MemContents::new();
    let data = text(5);
    let s = regular(&mut plain, &data);
    let v = version("1.0-1-1", 1);
    let mut builder = ChangeSetBuilder::new();
    builder
        .add_absolute(trove("foo:runtime", &v, &[("/a", &s)]), &streams([&s]))
        .expect("add");
    let changeset = builder.build(&NoContents, &plain).expect("build");
    let bytes = write(&changeset, &plain);
    let mut reader = ChangeSetReader::new(&bytes[..]).expect("reader");
    // Too large for the caller's bound: nothing is consumed.
    assert!(reader.next_full_frame(10).expect("bounded").is_none());
    let frame = reader
        .next_full_frame(1 << 20)
        .expect("frame")
        .expect("one");
    assert_eq!(
        (frame.digest, frame.size),
        (Digest::of(&data), data.len() as u64)
    );
    assert_eq!(frame.decode().expect("decode"), data);
    assert!(reader.next_full_frame(1 << 20).expect("end").is_none());
    reader.finish().expect("finish");
    // A frame whose bytes were damaged is not trusted by decode.
    let mut damaged = frame.clone();
    let middle = damaged.bytes.len() / 2;
    damaged.bytes[middle] ^= 0x40;
    let error = damaged.decode().expect_err("damaged");
    assert!(
        matches!(
            error,
            ChangeSetError::Corrupt { .. } | ChangeSetError::DigestMismatch { .. }
        ),
        "{error}"
    );
}

#[test]
fn one_zstd_context_decodes_payload_after_payload() {
    // Full payloads share the reader's zstd context: one abandoned half
    // way does not disturb the next.
    let mut plain = MemContents::new();
    let texts: Vec<Vec<u8>> = (0..4).map(|n| text(n * 3 + 1)).collect();
    let streams_of: Vec<_> = texts.iter().map(|t| regular(&mut plain, t)).collect();
    let paths = ["/a", "/b", "/c", "/d"];
    let files: Vec<(&str, _)> = paths.iter().copied().zip(&streams_of).collect();
    let v = version("1.0-1-1", 1);
    let mut builder = ChangeSetBuilder::new();
    builder
        .add_absolute(trove("foo:runtime", &v, &files), &streams(&streams_of))
        .expect("add");
    let changeset = builder.build(&NoContents, &plain).expect("build");
    let bytes = write(&changeset, &plain);
    let mut reader = ChangeSetReader::new(&bytes[..]).expect("reader");
    let mut count = 0;
    while let Some(mut payload) = reader.next_payload(&NoContents).expect("payload") {
        let PayloadId::Contents(digest) = payload.id() else {
            panic!("only contents")
        };
        if count % 2 == 0 {
            let mut start = [0u8; 10];
            payload.read_exact(&mut start).expect("a start");
        } else {
            let data = payload.read_to_vec().expect("whole");
            assert_eq!(Digest::of(&data), digest);
        }
        count += 1;
    }
    assert_eq!(count, 4);
    reader.finish().expect("finish");
}

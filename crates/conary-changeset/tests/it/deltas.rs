//! Stored deltas (`ChangeSetBuilder::build_using`, `store_deltas`): a
//! delta made once is taken from the store, the changeset is the same byte
//! for byte, and contents kept as frames are not even read.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::io::{self, Read};

use conary_changeset::{
    ChangeSet, ChangeSetBuilder, ChangeSetWriter, ContentKind, ContentSource, DeltaKey, DeltaStore,
    MemContents, PreparedPayloads, StoredDelta, delta_encoding,
};
use conary_core::digest::Digest;

use crate::fixtures::{noise, regular, streams, trove, version};

/// Deltas in memory, counting lookups and hits.
#[derive(Default)]
struct MemDeltas {
    entries: RefCell<BTreeMap<DeltaKey, StoredDelta>>,
    hits: Cell<usize>,
}

impl DeltaStore for MemDeltas {
    fn get(&self, key: &DeltaKey) -> Option<StoredDelta> {
        let found = self.entries.borrow().get(key).cloned();
        if found.is_some() {
            self.hits.set(self.hits.get() + 1);
        }
        found
    }

    fn put(&self, key: &DeltaKey, delta: &StoredDelta) {
        self.entries.borrow_mut().insert(*key, delta.clone());
    }
}

/// Contents kept as level-3 frames (as a repository's store keeps them),
/// counting how often each is opened plain.
struct Counted {
    plain: MemContents,
    opened: RefCell<BTreeMap<Digest, usize>>,
}

impl Counted {
    fn new(plain: MemContents) -> Counted {
        Counted {
            plain,
            opened: RefCell::new(BTreeMap::new()),
        }
    }

    fn opened(&self, digest: &Digest) -> usize {
        self.opened.borrow().get(digest).copied().unwrap_or(0)
    }

    fn reset(&self) {
        self.opened.borrow_mut().clear();
    }
}

impl ContentSource for Counted {
    fn open(&self, digest: &Digest) -> io::Result<Option<Box<dyn Read + '_>>> {
        *self.opened.borrow_mut().entry(*digest).or_default() += 1;
        self.plain.open(digest)
    }

    fn open_frame(&self, digest: &Digest) -> io::Result<Option<Vec<u8>>> {
        let Some(bytes) = self.plain.get(digest) else {
            return Ok(None);
        };
        let mut encoder = zstd::bulk::Compressor::new(3)?;
        encoder.set_parameter(zstd::zstd_safe::CParameter::ChecksumFlag(false))?;
        encoder.include_contentsize(true)?;
        encoder.compress(bytes).map(Some)
    }
}

/// Old and new versions of three files: one that deltas well, one whose
/// delta loses (new noise), one unchanged.
struct Fixture {
    source: Counted,
    builder: fn(&Fixture) -> ChangeSetBuilder,
    old: conary_core::trove::Trove,
    new: conary_core::trove::Trove,
    files: BTreeMap<conary_core::digest::FileId, conary_core::files::FileStream>,
    delta_target: Digest,
    noise_target: Digest,
}

fn fixture() -> Fixture {
    let mut plain = MemContents::new();
    let old_lib = noise(1, 60_000);
    let mut new_lib = old_lib.clone();
    new_lib[1000] ^= 0x55;
    new_lib.extend_from_slice(b"a new tail");
    let old_noise = noise(2, 20_000);
    let new_noise = noise(3, 20_000);
    let same = noise(4, 3_000);
    let s = [
        regular(&mut plain, &old_lib),
        regular(&mut plain, &new_lib),
        regular(&mut plain, &old_noise),
        regular(&mut plain, &new_noise),
        regular(&mut plain, &same),
    ];
    let (v1, v2) = (version("1.0-1-1", 1), version("1.0-2-1", 2));
    let old = trove(
        "foo:lib",
        &v1,
        &[("/lib", &s[0]), ("/noise", &s[2]), ("/same", &s[4])],
    );
    let new = trove(
        "foo:lib",
        &v2,
        &[("/lib", &s[1]), ("/noise", &s[3]), ("/same", &s[4])],
    );
    Fixture {
        source: Counted::new(plain),
        builder: |fixture| {
            let mut builder = ChangeSetBuilder::new();
            builder
                .add_relative(&fixture.old, fixture.new.clone(), &fixture.files)
                .expect("add");
            builder
        },
        old,
        new,
        files: streams(&s),
        delta_target: Digest::of(&new_lib),
        noise_target: Digest::of(&new_noise),
    }
}

fn write(changeset: &ChangeSet, prepared: PreparedPayloads, source: &dyn ContentSource) -> Vec<u8> {
    let mut writer = ChangeSetWriter::new(Vec::new(), changeset).expect("writer");
    writer.use_prepared(prepared);
    writer.write_all(source).expect("write");
    writer.finish().expect("finish")
}

fn made(fixture: &Fixture, deltas: Option<&MemDeltas>) -> Vec<u8> {
    let builder = (fixture.builder)(fixture);
    let source = &fixture.source;
    let (changeset, prepared) = match deltas {
        Some(deltas) => builder.build_prepared_using(source, source, deltas),
        None => builder.build_prepared(source, source),
    }
    .expect("build");
    write(&changeset, prepared, source)
}

#[test]
fn stored_deltas_give_the_same_bytes_without_reading_contents() {
    let fixture = fixture();
    let plain = made(&fixture, None);
    let deltas = MemDeltas::default();
    let stored = (fixture.builder)(&fixture)
        .store_deltas(&fixture.source, &fixture.source, &deltas)
        .expect("store deltas");
    assert_eq!(stored, 2, "the library and the noise are weighed");
    {
        let entries = deltas.entries.borrow();
        assert_eq!(entries.len(), 2);
        let encoding = delta_encoding(conary_changeset::DEFAULT_DELTA_LEVEL);
        assert!(entries.keys().all(|key| key.encoding == encoding));
        let lib = entries
            .values()
            .find(|entry| entry.frame.is_some())
            .expect("the library's delta is kept");
        assert!(lib.len < 1_000, "{}", lib.len);
        let loser = entries
            .iter()
            .find(|(key, _)| key.target == fixture.noise_target)
            .map(|(_, entry)| entry)
            .expect("the noise's record");
        assert_eq!(loser.frame, None, "full is smaller: only the length kept");
    }
    fixture.source.reset();
    let from_store = made(&fixture, Some(&deltas));
    assert_eq!(from_store, plain, "byte for byte");
    assert_eq!(deltas.hits.get(), 2);
    assert_eq!(
        fixture.source.opened(&fixture.delta_target),
        0,
        "new not read"
    );
    assert_eq!(
        fixture.source.opened(&fixture.noise_target),
        0,
        "new not read"
    );
    // A store filled while building (nothing prepared) gives the same too.
    let fresh = MemDeltas::default();
    assert_eq!(made(&fixture, Some(&fresh)), plain);
    assert_eq!(fresh.entries.borrow().len(), 2);
    assert_eq!(*fresh.entries.borrow(), *deltas.entries.borrow());
}

#[test]
fn stored_records_decide_and_bad_ones_are_made_again() {
    let fixture = fixture();
    let plain = made(&fixture, None);
    let deltas = MemDeltas::default();
    (fixture.builder)(&fixture)
        .store_deltas(&fixture.source, &fixture.source, &deltas)
        .expect("store deltas");
    let key = *deltas
        .entries
        .borrow()
        .keys()
        .find(|key| key.target == fixture.delta_target)
        .expect("library key");
    let build = |deltas: &MemDeltas| {
        (fixture.builder)(&fixture)
            .build_using(&fixture.source, &fixture.source, deltas)
            .expect("build")
    };
    // A record that says the full payload is smaller is obeyed: the
    // library then travels full, and is not read.
    let mut record = deltas.entries.borrow()[&key].clone();
    record.frame = None;
    record.len = 1 << 30;
    deltas.put(&key, &record);
    fixture.source.reset();
    let changeset = build(&deltas);
    assert_eq!(
        changeset.contents[&fixture.delta_target].kind,
        ContentKind::Full
    );
    assert_eq!(fixture.source.opened(&fixture.delta_target), 0);
    // A record without its frame that would win is made again.
    record.len = 10;
    deltas.put(&key, &record);
    fixture.source.reset();
    let changeset = build(&deltas);
    assert_eq!(
        changeset.contents[&fixture.delta_target].kind,
        ContentKind::Delta { base: key.base }
    );
    assert!(fixture.source.opened(&fixture.delta_target) > 0);
    assert!(
        deltas.entries.borrow()[&key].frame.is_some(),
        "stored again"
    );
    // A record of another size is not used.
    let mut other = deltas.entries.borrow()[&key].clone();
    other.size += 1;
    other.frame = Some(b"not a delta".to_vec());
    deltas.put(&key, &other);
    assert_eq!(made(&fixture, Some(&deltas)), plain);
    // Another delta level is another key.
    let options = conary_changeset::BuildOptions {
        delta_level: 3,
        ..Default::default()
    };
    let level3 = MemDeltas::default();
    let mut builder = ChangeSetBuilder::with_options(options);
    builder
        .add_relative(&fixture.old, fixture.new.clone(), &fixture.files)
        .expect("add");
    builder
        .store_deltas(&fixture.source, &fixture.source, &level3)
        .expect("level 3");
    let level3_keys: Vec<DeltaKey> = level3.entries.borrow().keys().copied().collect();
    assert!(
        level3_keys
            .iter()
            .all(|key| !deltas.entries.borrow().contains_key(key))
    );
    assert_eq!(delta_encoding(3), level3_keys[0].encoding);
}

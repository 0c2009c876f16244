//! Every backend passes the whole conformance suite.

use conary_store::conformance::{self, Backend, FsBackend, MemBackend};

fn passes(backend: &mut dyn Backend) {
    if let Err(failures) = conformance::run(backend) {
        panic!("conformance failures:\n{}", conformance::report(failures));
    }
}

#[test]
fn fs_store_conforms() {
    passes(&mut FsBackend::new().expect("temp dir"));
}

#[test]
fn fs_store_syncing_each_file_conforms() {
    use conary_store::fs::Durability;
    passes(
        &mut FsBackend::new()
            .expect("temp dir")
            .with_durability(Durability::EachFile),
    );
}

#[test]
fn mem_store_conforms() {
    passes(&mut MemBackend::default());
}

/// The suite is not vacuous: a store that lies fails it.
#[test]
fn suite_catches_a_store_that_does_not_verify() {
    use std::io::Read;

    use conary_store::{Batch, BlobStore, Digest, MemStore, StoreError, StoreUrl};

    /// Serves blobs without checking them.
    #[derive(Debug)]
    struct Trusting(MemStore);

    impl BlobStore for Trusting {
        fn url(&self) -> StoreUrl {
            StoreUrl::Memory
        }
        fn put(&self, reader: &mut dyn Read) -> Result<(Digest, u64), StoreError> {
            self.0.put(reader)
        }
        fn batch(&self) -> Box<dyn Batch + '_> {
            self.0.batch()
        }
        fn get(&self, digest: &Digest) -> Result<Box<dyn Read + Send>, StoreError> {
            let mut inner = self.0.get(digest)?;
            let mut bytes = Vec::new();
            // Swallow the verification error: exactly the bug the suite looks for.
            let _ = inner.read_to_end(&mut bytes);
            Ok(Box::new(std::io::Cursor::new(bytes)))
        }
        fn contains(&self, digest: &Digest) -> Result<bool, StoreError> {
            self.0.contains(digest)
        }
        fn size(&self, digest: &Digest) -> Result<u64, StoreError> {
            self.0.size(digest)
        }
        fn iter(&self) -> Box<dyn Iterator<Item = Result<Digest, StoreError>> + '_> {
            self.0.iter()
        }
    }

    /// Hands out lying stores, and damages blobs in them.
    #[derive(Default)]
    struct TrustingBackend {
        current: Option<MemStore>,
    }

    impl Backend for TrustingBackend {
        fn create(&mut self) -> Result<Box<dyn BlobStore>, StoreError> {
            let store = MemStore::new();
            self.current = Some(store.clone());
            Ok(Box::new(Trusting(store)))
        }
        fn corrupt(&mut self, digest: &Digest) -> Result<(), String> {
            let store = self.current.as_ref().ok_or("no store")?;
            if store.flip_byte(digest, 0) {
                Ok(())
            } else {
                Err(format!("no byte to flip in {digest}"))
            }
        }
    }

    let failures = conformance::run(&mut TrustingBackend::default())
        .expect_err("a store that does not verify must fail");
    let checks: Vec<&str> = failures.iter().map(|failure| failure.check).collect();
    assert_eq!(checks, ["corrupt_blob_detected"]);
}

/// In the memory backend the moment of durability is observable: the sync
/// hook runs once per sync, with the batch's blobs (new and relied on),
/// while none of the new ones is visible yet.
#[test]
fn mem_store_syncs_before_publishing() {
    use std::sync::{Arc, Mutex};

    use conary_store::{BlobStore, MemStore};

    let store = MemStore::new();
    let (old, _) = store.put_bytes(b"stored before").expect("put");
    let events = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&events);
    let observer = store.clone();
    store.on_sync(move |digests| {
        let visible: Vec<bool> = digests
            .iter()
            .map(|digest| observer.contains(digest).expect("contains"))
            .collect();
        log.lock().expect("log").push((digests.to_vec(), visible));
        Ok(())
    });
    let mut batch = store.batch();
    let (new, _) = batch.put_bytes(b"new").expect("put");
    assert!(batch.rely_on(&old).expect("rely_on"));
    batch.sync().expect("sync");
    batch.sync().expect("nothing left to sync");
    let mut expected = vec![old, new];
    expected.sort_unstable();
    let visible_then: Vec<bool> = expected.iter().map(|digest| *digest == old).collect();
    assert_eq!(*events.lock().expect("log"), [(expected, visible_then)]);
    assert!(store.contains(&new).expect("contains"));
}

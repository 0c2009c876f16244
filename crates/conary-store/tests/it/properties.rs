//! Property tests: any bytes round-trip through every backend.

use conary_store::{BlobStore, Digest, FsStore, MemStore};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

fn round_trips(store: &dyn BlobStore) {
    let mut runner = TestRunner::new(Config::with_cases(256));
    runner
        .run(&prop::collection::vec(any::<u8>(), 0..20_000), |bytes| {
            let (digest, size) = store.put_bytes(&bytes).map_err(fail)?;
            prop_assert_eq!(digest, Digest::of(&bytes));
            prop_assert_eq!(size, bytes.len() as u64);
            prop_assert_eq!(store.get_bytes(&digest).map_err(fail)?, bytes);
            Ok(())
        })
        .expect("put/get round-trips");
}

fn fail(error: conary_store::StoreError) -> TestCaseError {
    TestCaseError::fail(error.to_string())
}

#[test]
fn fs_store_round_trips_any_bytes() {
    let dir = tempfile::tempdir().expect("temp dir");
    round_trips(&FsStore::open(dir.path()).expect("open"));
}

#[test]
fn mem_store_round_trips_any_bytes() {
    round_trips(&MemStore::new());
}

proptest! {
    #[test]
    fn digest_text_round_trips(bytes in any::<[u8; 32]>()) {
        let digest = Digest::from_bytes(bytes);
        prop_assert_eq!(digest.to_string().parse::<Digest>().expect("reparse"), digest);
    }

    #[test]
    fn digest_parse_never_panics(text in "\\PC*") {
        if let Ok(digest) = text.parse::<Digest>() {
            prop_assert_eq!(digest.to_string(), text);
        }
    }
}

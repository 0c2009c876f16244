//! Stores opened by URL.

use conary_store::{StoreUrl, open_store};
use proptest::prelude::*;

#[test]
fn file_url_opens_a_persistent_store() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = StoreUrl::File(dir.path().join("contents dir")).to_string();
    let digest = {
        let store = open_store(&url).expect("open");
        assert_eq!(store.url().to_string(), url);
        store.put_bytes(b"persisted").expect("put").0
    };
    let store = open_store(&url).expect("reopen");
    assert_eq!(store.get_bytes(&digest).expect("get"), b"persisted");
}

#[test]
fn memory_url_opens_an_empty_store_each_time() {
    let first = open_store("memory:").expect("open");
    first.put_bytes(b"x").expect("put");
    let second = open_store("memory:").expect("open");
    assert_eq!(second.iter().count(), 0);
}

#[test]
fn unknown_scheme_is_named() {
    let error = open_store("s3://bucket/contents").expect_err("unsupported");
    assert_eq!(
        error.to_string(),
        "invalid store url 's3://bucket/contents': unknown scheme 's3', expected 'file' or 'memory'"
    );
}

proptest! {
    #[test]
    fn file_urls_round_trip(path in "/[^\0]{0,40}") {
        let url = StoreUrl::File(path.into());
        prop_assert_eq!(url.to_string().parse::<StoreUrl>().expect("reparse"), url);
    }

    #[test]
    fn url_parse_never_panics(text in "\\PC{0,40}") {
        if let Ok(url) = text.parse::<StoreUrl>() {
            let again = url.to_string().parse::<StoreUrl>().expect("display reparses");
            prop_assert_eq!(again, url);
        }
    }
}

//! Single blobs: verified downloads, resume with `Range`, restart on `200`,
//! retries, corruption, limits, uploads.

use std::sync::Mutex;
use std::time::Duration;

use conary_client::{ClientError, Options, Progress, RetryPolicy};
use conary_core::digest::Digest;

use crate::server::{Behaviour, TestServer, add_blob, bytes, fast_options};

fn path(digest: &Digest) -> String {
    format!("/api/v1/blobs/{digest}")
}

/// Records every progress event, in order.
#[derive(Default)]
struct Events(Mutex<Vec<String>>);

impl Progress for Events {
    fn on_blob_start(&self, _: &Digest, size: Option<u64>) {
        self.0.lock().expect("lock").push(format!("start {size:?}"));
    }
    fn on_blob_bytes(&self, _: &Digest, bytes: u64) {
        self.0.lock().expect("lock").push(format!("bytes {bytes}"));
    }
    fn on_blob_retry(&self, _: &Digest, attempt: u32, _: &ClientError) {
        self.0
            .lock()
            .expect("lock")
            .push(format!("retry {attempt}"));
    }
    fn on_blob_done(&self, _: &Digest, size: u64) {
        self.0.lock().expect("lock").push(format!("done {size}"));
    }
}

impl Events {
    fn total_bytes(&self) -> u64 {
        self.0
            .lock()
            .expect("lock")
            .iter()
            .filter_map(|event| event.strip_prefix("bytes "))
            .map(|count| count.parse::<u64>().expect("count"))
            .sum()
    }

    fn without_bytes(&self) -> Vec<String> {
        self.0
            .lock()
            .expect("lock")
            .iter()
            .filter(|event| !event.starts_with("bytes "))
            .cloned()
            .collect()
    }
}

#[test]
fn downloads_and_verifies_blobs_of_many_sizes() {
    let mut behaviour = Behaviour::default();
    let sizes = [0usize, 1, 65_535, 65_536, 65_537, 1 << 20];
    let digests: Vec<(Digest, Vec<u8>)> = sizes
        .iter()
        .map(|&size| {
            let data = bytes(size as u64, size);
            (add_blob(&mut behaviour, data.clone()), data)
        })
        .collect();
    let server = TestServer::start(behaviour);
    let client = server.client("");
    for (digest, data) in &digests {
        let events = Events::default();
        let mut out = Vec::new();
        let size = client
            .fetch_blob_with_progress(digest, &mut out, &events)
            .expect("download");
        assert_eq!(size, data.len() as u64);
        assert!(out == *data, "blob of {} bytes differs", data.len());
        assert_eq!(events.total_bytes(), data.len() as u64);
        assert_eq!(
            events.without_bytes(),
            [
                format!("start Some({})", data.len()),
                format!("done {}", data.len())
            ]
        );
        assert_eq!(
            client.blob_size(digest).expect("head"),
            Some(data.len() as u64)
        );
    }
}

#[test]
fn resumes_with_range_after_a_dropped_connection() {
    let mut behaviour = Behaviour {
        honour_range: true,
        ..Behaviour::default()
    };
    let data = bytes(7, 1 << 20);
    let digest = add_blob(&mut behaviour, data.clone());
    behaviour.drop_after.insert(digest.to_string(), 300_000);
    let server = TestServer::start(behaviour);
    let events = Events::default();
    let mut out = Vec::new();
    server
        .client("")
        .fetch_blob_with_progress(&digest, &mut out, &events)
        .expect("resumed download");
    assert!(out == data, "resumed blob differs");
    let ranges: Vec<Option<String>> = server
        .requests_for(&path(&digest))
        .into_iter()
        .map(|logged| logged.range)
        .collect();
    assert_eq!(ranges, [None, Some("bytes=300000-".to_string())]);
    assert_eq!(events.total_bytes(), data.len() as u64);
    assert_eq!(
        events.without_bytes(),
        ["start Some(1048576)", "retry 1", "done 1048576"]
    );
}

#[test]
fn restarts_cleanly_when_the_server_ignores_range() {
    let mut behaviour = Behaviour::default();
    let data = bytes(8, 500_000);
    let digest = add_blob(&mut behaviour, data.clone());
    behaviour.drop_after.insert(digest.to_string(), 123_457);
    let server = TestServer::start(behaviour);
    let events = Events::default();
    let mut out = Vec::new();
    server
        .client("")
        .fetch_blob_with_progress(&digest, &mut out, &events)
        .expect("restarted download");
    // The sink saw every byte exactly once, in order.
    assert!(out == data, "restarted blob differs");
    assert_eq!(events.total_bytes(), data.len() as u64);
    let ranges: Vec<Option<String>> = server
        .requests_for(&path(&digest))
        .into_iter()
        .map(|logged| logged.range)
        .collect();
    assert_eq!(ranges, [None, Some("bytes=123457-".to_string())]);
}

#[test]
fn corrupt_bytes_fail_with_a_clear_error() {
    let mut behaviour = Behaviour::default();
    let digest = add_blob(&mut behaviour, bytes(9, 10_000));
    behaviour.corrupt.insert(digest.to_string());
    let server = TestServer::start(behaviour);
    let error = server
        .client("")
        .fetch_blob(&digest, &mut Vec::new())
        .expect_err("corrupt blob");
    let ClientError::Corrupt { actual, .. } = &error else {
        panic!("expected a corrupt blob, got {error}");
    };
    assert_eq!(
        error.to_string(),
        format!(
            "blob {digest} from {}api/v1/blobs/{digest} is corrupt: the bytes received hash to {actual}",
            server.url
        )
    );
    // Corruption is not retried: the same server would send the same bytes.
    assert_eq!(server.requests_for(&path(&digest)).len(), 1);
}

#[test]
fn server_errors_are_retried_then_succeed() {
    let mut behaviour = Behaviour::default();
    let data = bytes(10, 4096);
    let digest = add_blob(&mut behaviour, data.clone());
    behaviour.fail_next.extend([500, 503]);
    let server = TestServer::start(behaviour);
    let mut out = Vec::new();
    server
        .client("")
        .fetch_blob(&digest, &mut out)
        .expect("third attempt succeeds");
    assert!(out == data);
    assert_eq!(server.requests_for(&path(&digest)).len(), 3);
}

#[test]
fn retries_are_bounded_and_the_error_names_the_url() {
    let mut behaviour = Behaviour::default();
    let digest = add_blob(&mut behaviour, bytes(11, 10));
    behaviour.fail_next.extend([500; 5]);
    let server = TestServer::start(behaviour);
    let error = server
        .client("")
        .fetch_blob(&digest, &mut Vec::new())
        .expect_err("all attempts fail");
    assert_eq!(
        error.to_string(),
        format!(
            "{}api/v1/blobs/{digest} answered 500 after 3 attempt(s): injected failure",
            server.url
        )
    );
    assert_eq!(server.requests_for(&path(&digest)).len(), 3);
}

#[test]
fn missing_blobs_are_not_found_without_retries() {
    let server = TestServer::start(Behaviour::default());
    let digest = Digest::of(b"absent");
    let client = server.client("");
    let error = client
        .fetch_blob(&digest, &mut Vec::new())
        .expect_err("absent");
    assert_eq!(
        error.to_string(),
        format!(
            "blob {digest} not found at {}api/v1/blobs/{digest}",
            server.url
        )
    );
    assert_eq!(client.blob_size(&digest).expect("head"), None);
    let methods: Vec<String> = server
        .requests_for(&path(&digest))
        .into_iter()
        .map(|logged| logged.method)
        .collect();
    assert_eq!(methods, ["GET", "HEAD"]);
}

#[test]
fn unreachable_server_is_a_transfer_error() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("free port")
        .port();
    let mut config = conary_core::config::Config::default();
    config
        .apply_line(
            &format!("repositoryMap localhost http://127.0.0.1:{port}/"),
            "test",
        )
        .expect("config");
    let client = conary_client::Repositories::from_config(&config, fast_options())
        .expect("repositories")
        .for_host("localhost")
        .expect("mapped");
    let digest = Digest::of(b"x");
    let error = client
        .fetch_blob(&digest, &mut Vec::new())
        .expect_err("nothing listens");
    let text = error.to_string();
    assert!(
        text.starts_with(&format!(
            "transfer from http://127.0.0.1:{port}/api/v1/blobs/{digest} failed after 3 attempt(s): cannot connect"
        )),
        "{text}"
    );
}

#[test]
fn slow_answers_time_out_and_are_retried() {
    let mut behaviour = Behaviour {
        delay: Some(Duration::from_millis(400)),
        ..Behaviour::default()
    };
    let digest = add_blob(&mut behaviour, bytes(12, 10));
    let server = TestServer::start(behaviour);
    let options = Options {
        timeout: Duration::from_millis(100),
        retry: RetryPolicy {
            attempts: 2,
            first_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(1),
        },
        ..Options::default()
    };
    let error = server
        .client_with("", options)
        .fetch_blob(&digest, &mut Vec::new())
        .expect_err("too slow");
    assert!(
        error
            .to_string()
            .contains("failed after 2 attempt(s): timed out"),
        "{error}"
    );
}

#[test]
fn blobs_over_the_size_limit_are_refused() {
    let mut behaviour = Behaviour::default();
    let digest = add_blob(&mut behaviour, bytes(13, 1000));
    let server = TestServer::start(behaviour);
    let options = Options {
        max_blob_size: 999,
        ..fast_options()
    };
    let error = server
        .client_with("", options)
        .fetch_blob(&digest, &mut Vec::new())
        .expect_err("too large");
    assert!(
        matches!(error, ClientError::TooLarge { limit: 999, .. }),
        "{error}"
    );
}

#[test]
fn a_failing_destination_is_a_write_error() {
    struct Full;
    impl std::io::Write for Full {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk full"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut behaviour = Behaviour::default();
    let digest = add_blob(&mut behaviour, bytes(14, 100));
    let server = TestServer::start(behaviour);
    let error = server
        .client("")
        .fetch_blob(&digest, &mut Full)
        .expect_err("cannot write");
    assert_eq!(
        error.to_string(),
        format!(
            "cannot write blob {digest} from {}api/v1/blobs/{digest}: disk full",
            server.url
        )
    );
}

#[test]
fn uploads_are_hashed_and_checked() {
    let server = TestServer::start(Behaviour::default());
    let client = server.client("");
    let data = bytes(15, 300_000);
    let stored = client
        .put_blob(std::io::Cursor::new(data.clone()))
        .expect("upload");
    assert_eq!(stored.digest, Digest::of(&data));
    assert_eq!(stored.size, data.len() as u64);
    let mut out = Vec::new();
    client
        .fetch_blob(&stored.digest, &mut out)
        .expect("download");
    assert!(out == data);
}

#[test]
fn an_unreadable_upload_says_so() {
    struct Broken;
    impl std::io::Read for Broken {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("source vanished"))
        }
    }
    let server = TestServer::start(Behaviour::default());
    let error = server.client("").put_blob(Broken).expect_err("unreadable");
    assert_eq!(
        error.to_string(),
        format!(
            "cannot read the contents to upload to {}api/v1/blobs: source vanished",
            server.url
        )
    );
}

/// An upload refused before its body is read: the refusal is the error,
/// not the upload cut off. (Far larger uploads may lose the refusal when
/// the server closes the connection under them; commits ask again, see
/// `network::large_commits_refused_early_say_why`.)
#[test]
fn refusals_before_the_body_is_read_are_heard() {
    let behaviour = Behaviour {
        basic: Some(("alice".into(), "secret".into())),
        ..Behaviour::default()
    };
    let server = TestServer::start(behaviour);
    let data = bytes(16, 256 << 10);
    let upload = |config: &str| {
        server
            .client(config)
            .put_blob(std::io::Cursor::new(data.clone()))
            .expect_err("refused")
    };
    let error = upload("");
    assert!(
        matches!(error, ClientError::CredentialsRequired { .. }),
        "{error}"
    );
    let error = upload("user localhost alice wrong\n");
    assert!(
        matches!(error, ClientError::AuthenticationFailed { ref message, .. } if message == "bad credentials"),
        "{error}"
    );
    server.behaviour().forbid = true;
    let error = upload("user localhost alice secret\n");
    assert!(
        matches!(error, ClientError::PermissionDenied { ref message, .. } if message == "alice may not read blobs"),
        "{error}"
    );
    assert!(server.behaviour().blobs.is_empty());
}

#[test]
fn an_upload_nobody_answers_times_out() {
    let behaviour = Behaviour {
        delay: Some(Duration::from_millis(600)),
        ..Behaviour::default()
    };
    let server = TestServer::start(behaviour);
    let options = Options {
        timeout: Duration::from_millis(100),
        ..fast_options()
    };
    let error = server
        .client_with("", options)
        .put_blob(std::io::Cursor::new(bytes(17, 1000)))
        .expect_err("no answer in time");
    assert!(
        matches!(error, ClientError::Transfer { ref reason, .. } if reason.starts_with("timed out")),
        "{error}"
    );
}

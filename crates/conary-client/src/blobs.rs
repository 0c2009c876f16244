//! Blobs over HTTP: `HEAD`, verified and resumable `GET`, streamed `POST`.
//!
//! A download hashes every byte on its way to the destination. When the
//! connection breaks, the next attempt asks for the rest with
//! `Range: bytes=N-`; a server that answers `200` instead of `206` sends
//! the whole blob again, and the bytes already written are read and dropped,
//! so the destination sees each byte once, in order. The digest of exactly
//! what was written is checked at the end.

use std::io::{self, Read, Write};
use std::sync::{Arc, Mutex, PoisonError};

use conary_core::digest::{Digest, Hasher};
use reqwest::Method;
use reqwest::StatusCode;
use reqwest::Url;
use reqwest::blocking::Response;
use reqwest::header::{CONTENT_RANGE, RANGE};

use crate::error::{ClientError, chain};
use crate::progress::{NoProgress, Progress};
use crate::transport::{Failure, RepositoryClient, content_length};
use conary_api::wire::BlobStored;

/// The size of one read from the network.
const CHUNK: usize = 64 * 1024;

/// A blob the server stored: its digest and size.
///
/// ```rust
/// use conary_core::digest::Digest;
/// let stored = conary_client::StoredBlob { digest: Digest::of(b"abc"), size: 3 };
/// assert_eq!(stored.size, 3);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoredBlob {
    /// The BLAKE3 digest of the contents.
    pub digest: Digest,
    /// The size in bytes.
    pub size: u64,
}

/// What a download has written so far, across attempts.
struct Received {
    written: u64,
    hasher: Hasher,
    /// False once the server refused a range: ask for everything again.
    use_range: bool,
    started: bool,
}

impl RepositoryClient {
    /// `HEAD /api/v1/blobs/{digest}`: the blob's size, or `None` when the
    /// server does not have it.
    pub fn blob_size(&self, digest: &Digest) -> Result<Option<u64>, ClientError> {
        let url = self.server.endpoint(&format!("blobs/{digest}"));
        let what = format!("blob {digest}");
        let answer = self.retrying(
            |attempt| self.send(self.request(Method::HEAD, &url), &url, &what, attempt),
            |_, _| {},
        );
        match answer {
            Ok(response) => Ok(content_length(&response)),
            Err(ClientError::NotFound { .. }) => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// Downloads the blob `digest` into `dest`, verifying it; returns its
    /// size. On error `dest` may hold part of the blob: write to a temporary
    /// place and keep it only on success (as [`fetch_blobs`] does).
    ///
    /// [`fetch_blobs`]: RepositoryClient::fetch_blobs
    pub fn fetch_blob(&self, digest: &Digest, dest: &mut dyn Write) -> Result<u64, ClientError> {
        self.fetch_blob_with_progress(digest, dest, &NoProgress)
    }

    /// [`fetch_blob`](RepositoryClient::fetch_blob), reporting to `progress`.
    pub fn fetch_blob_with_progress(
        &self,
        digest: &Digest,
        dest: &mut dyn Write,
        progress: &dyn Progress,
    ) -> Result<u64, ClientError> {
        let size = self.download(digest, dest, progress)?;
        progress.on_blob_done(digest, size);
        Ok(size)
    }

    /// Downloads and verifies, without the final progress event.
    pub(crate) fn download(
        &self,
        digest: &Digest,
        dest: &mut dyn Write,
        progress: &dyn Progress,
    ) -> Result<u64, ClientError> {
        let url = self.server.endpoint(&format!("blobs/{digest}"));
        let mut received = Received {
            written: 0,
            hasher: Hasher::new(),
            use_range: true,
            started: false,
        };
        self.retrying(
            |attempt| self.download_attempt(&url, digest, dest, progress, &mut received, attempt),
            |attempt, error| progress.on_blob_retry(digest, attempt, error),
        )?;
        let actual = received.hasher.finalize();
        if actual != *digest {
            return Err(ClientError::Corrupt {
                digest: *digest,
                url: url.to_string(),
                actual,
            });
        }
        Ok(received.written)
    }

    /// One request of a download: asks for what is missing and writes it.
    fn download_attempt(
        &self,
        url: &Url,
        digest: &Digest,
        dest: &mut dyn Write,
        progress: &dyn Progress,
        received: &mut Received,
        attempt: u32,
    ) -> Result<(), Failure> {
        let bad = |reason: String| ClientError::BadResponse {
            url: url.to_string(),
            reason,
        };
        let ranged = received.written > 0 && received.use_range;
        let mut request = self.request(Method::GET, url);
        if ranged {
            request = request.header(RANGE, format!("bytes={}-", received.written));
        }
        let response = self.send_raw(request, url, attempt)?;
        let status = response.status();
        if status == StatusCode::RANGE_NOT_SATISFIABLE && ranged {
            received.use_range = false;
            return Err(Failure::Retry(bad(format!(
                "range from byte {} refused",
                received.written
            ))));
        }
        if !status.is_success() {
            return Err(self.status_failure(url, &format!("blob {digest}"), attempt, response));
        }
        let (start, total) = match status {
            StatusCode::OK => (0, content_length(&response)),
            StatusCode::PARTIAL_CONTENT if ranged => {
                let (start, total) = content_range(&response).ok_or_else(|| {
                    Failure::Fatal(bad("206 answer without a valid Content-Range".into()))
                })?;
                if start > received.written {
                    return Err(Failure::Fatal(bad(format!(
                        "range starts at byte {start}, after the {} bytes received",
                        received.written
                    ))));
                }
                (start, total)
            }
            other => {
                return Err(Failure::Fatal(bad(format!("unexpected status {other}"))));
            }
        };
        if !received.started {
            received.started = true;
            progress.on_blob_start(digest, total);
        }
        let limit = self.options().max_blob_size;
        if total.is_some_and(|total| total > limit) {
            return Err(Failure::Fatal(ClientError::TooLarge {
                url: url.to_string(),
                limit,
            }));
        }
        let announced = content_length(&response);
        let skip = received.written.saturating_sub(start);
        let read = self.copy_body(
            url, digest, response, skip, dest, progress, received, attempt,
        )?;
        if announced.is_some_and(|announced| read < announced) {
            return Err(Failure::Retry(ClientError::Transfer {
                url: url.to_string(),
                attempts: attempt,
                reason: format!("connection closed after {read} of {announced:?} bytes"),
            }));
        }
        if read < skip {
            return Err(Failure::Fatal(bad(format!(
                "the blob is now shorter ({read} bytes) than the {skip} bytes already received"
            ))));
        }
        Ok(())
    }

    /// Copies an answer's body to `dest`, dropping its first `skip` bytes
    /// (already written by an earlier attempt); returns the bytes read.
    #[allow(clippy::too_many_arguments)]
    fn copy_body(
        &self,
        url: &Url,
        digest: &Digest,
        mut response: Response,
        mut skip: u64,
        dest: &mut dyn Write,
        progress: &dyn Progress,
        received: &mut Received,
        attempt: u32,
    ) -> Result<u64, Failure> {
        let limit = self.options().max_blob_size;
        let mut buffer = vec![0u8; CHUNK];
        let mut read: u64 = 0;
        loop {
            let count = match response.read(&mut buffer) {
                Ok(0) => return Ok(read),
                Ok(count) => count,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => {
                    return Err(Failure::Retry(ClientError::Transfer {
                        url: url.to_string(),
                        attempts: attempt,
                        reason: chain(&error),
                    }));
                }
            };
            read = read.saturating_add(count as u64);
            let chunk = buffer.get(..count).unwrap_or_default();
            let dropped = usize::try_from(skip).unwrap_or(usize::MAX).min(count);
            skip -= dropped as u64;
            let fresh = chunk.get(dropped..).unwrap_or_default();
            if fresh.is_empty() {
                continue;
            }
            let written = received.written.saturating_add(fresh.len() as u64);
            if written > limit {
                return Err(Failure::Fatal(ClientError::TooLarge {
                    url: url.to_string(),
                    limit,
                }));
            }
            received.hasher.update(fresh);
            dest.write_all(fresh).map_err(|error| {
                Failure::Fatal(ClientError::Write {
                    digest: *digest,
                    url: url.to_string(),
                    reason: chain(&error),
                })
            })?;
            received.written = written;
            progress.on_blob_bytes(digest, fresh.len() as u64);
        }
    }

    /// `POST /api/v1/blobs`: uploads the contents of `reader`, hashing them
    /// on the way, and checks the server stored that digest and size. Not
    /// retried (a reader cannot be read twice).
    ///
    /// When the upload breaks off, the server may have refused it early
    /// and closed the connection before its answer was read; an empty
    /// upload then asks again, and a refusal it hears (credentials,
    /// permission) is the error.
    pub fn put_blob<R: Read + Send + 'static>(&self, reader: R) -> Result<StoredBlob, ClientError> {
        match self.put_blob_once(reader) {
            Err(error @ ClientError::Transfer { .. }) => match self.put_blob_once(std::io::empty())
            {
                Err(
                    refusal @ (ClientError::CredentialsRequired { .. }
                    | ClientError::AuthenticationFailed { .. }
                    | ClientError::PermissionDenied { .. }),
                ) => Err(refusal),
                _ => Err(error),
            },
            answer => answer,
        }
    }

    /// One `POST /api/v1/blobs` of `reader`'s contents.
    fn put_blob_once<R: Read + Send + 'static>(
        &self,
        reader: R,
    ) -> Result<StoredBlob, ClientError> {
        let hashing = HashingReader::new(reader);
        let state = Arc::clone(&hashing.state);
        let answer = self.post_stream("blobs", hashing, None);
        let url = self.server.endpoint("blobs");
        let state = state.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(reason) = &state.error {
            return Err(ClientError::ReadUpload {
                url: url.to_string(),
                reason: reason.clone(),
            });
        }
        let stored: BlobStored =
            self.read_json(&url, 1, answer?)
                .map_err(|failure| match failure {
                    Failure::Retry(error) | Failure::Fatal(error) => error,
                })?;
        let bad = |reason: String| ClientError::BadResponse {
            url: url.to_string(),
            reason,
        };
        let digest: Digest = stored
            .digest
            .parse()
            .map_err(|error| bad(format!("{error}")))?;
        let sent = state.hasher.finalize();
        if digest != sent || stored.size != state.size {
            return Err(bad(format!(
                "the server stored {digest} ({} bytes) but {sent} ({} bytes) was sent",
                stored.size, state.size
            )));
        }
        Ok(StoredBlob {
            digest,
            size: stored.size,
        })
    }
}

/// Parses `Content-Range: bytes START-END/TOTAL` (`TOTAL` may be `*`).
fn content_range(response: &Response) -> Option<(u64, Option<u64>)> {
    let value = response.headers().get(CONTENT_RANGE)?.to_str().ok()?;
    parse_content_range(value)
}

fn parse_content_range(value: &str) -> Option<(u64, Option<u64>)> {
    let rest = value.trim().strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let (start, end) = range.split_once('-')?;
    let start: u64 = start.trim().parse().ok()?;
    let end: u64 = end.trim().parse().ok()?;
    if end < start {
        return None;
    }
    let total = match total.trim() {
        "*" => None,
        total => Some(total.parse().ok()?),
    };
    Some((start, total))
}

/// What a [`HashingReader`] has seen.
#[derive(Default)]
struct HashState {
    hasher: Hasher,
    size: u64,
    error: Option<String>,
}

/// Hashes what passes through it, and keeps its source's error (the HTTP
/// client would otherwise report it as a failed request).
struct HashingReader<R> {
    inner: R,
    state: Arc<Mutex<HashState>>,
}

impl<R> HashingReader<R> {
    fn new(inner: R) -> Self {
        HashingReader {
            inner,
            state: Arc::default(),
        }
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let result = self.inner.read(buf);
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        match &result {
            Ok(count) => {
                state.hasher.update(buf.get(..*count).unwrap_or_default());
                state.size = state.size.saturating_add(*count as u64);
            }
            Err(error) if error.kind() != io::ErrorKind::Interrupted => {
                state.error = Some(chain(error));
            }
            Err(_) => {}
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_ranges() {
        let cases = [
            ("bytes 0-9/10", Some((0, Some(10)))),
            ("bytes 100-199/*", Some((100, None))),
            (" bytes 5-5/6 ", Some((5, Some(6)))),
            ("bytes 9-1/10", None),
            ("bytes */10", None),
            ("items 0-1/2", None),
            ("bytes a-b/c", None),
            ("bytes 0-1/x", None),
        ];
        for (value, expected) in cases {
            assert_eq!(parse_content_range(value), expected, "{value}");
        }
    }

    #[test]
    fn hashing_reader_counts_and_hashes() {
        let mut reader = HashingReader::new(&b"hello world"[..]);
        let mut out = Vec::new();
        reader.read_to_end(&mut out).expect("read");
        let state = reader.state.lock().expect("lock");
        assert_eq!(state.size, 11);
        assert_eq!(state.hasher.finalize(), Digest::of(b"hello world"));
        assert!(state.error.is_none());
    }
}

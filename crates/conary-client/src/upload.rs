//! Streamed uploads (a changeset to commit, a blob) that hear the
//! server's answer even when it comes before the body has been sent.
//!
//! A repository refuses a commit as early as it can: without credentials
//! before reading anything (`401`), without write permission as soon as
//! the index has arrived (`403`); then it stops reading and closes the
//! connection. That answer is what the caller needs to see. reqwest's
//! blocking client reports such an upload as a broken body ("receiver is
//! gone") and drops the answer, so uploads go through its async client on
//! a small runtime of their own, the body read from the caller's reader on
//! a thread and handed over in chunks.
//!
//! An answer can still be lost: when the server closes the connection
//! while much of the body is in flight, the client's next write fails
//! before the answer is read. [`NetworkSource::commit`] then asks again
//! with the changeset's index alone.
//!
//! [`NetworkSource::commit`]: crate::NetworkSource::commit
//!
//! Timing follows [`Options::timeout`](crate::Options::timeout): the
//! upload fails when neither the body moves nor an answer comes for that
//! long; a long upload that keeps moving never times out.

use std::io::{self, Read};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body::{Frame, SizeHint};
use reqwest::header::CONTENT_TYPE;
use reqwest::{StatusCode, Url};
use tokio::sync::mpsc;

use crate::credentials::Authorization;
use crate::error::{ClientError, chain};
use crate::transport::{RepositoryClient, transfer_error};

/// Bytes read from the caller's reader at a time.
const CHUNK: usize = 64 * 1024;

/// Chunks read ahead of the connection.
const QUEUE: usize = 4;

/// The answer to an upload: its status and its body, read whole up to
/// `limit` bytes (more is cut off; answers to uploads are short JSON
/// documents or error messages).
#[derive(Debug)]
pub(crate) struct Answer {
    /// The HTTP status.
    pub(crate) status: StatusCode,
    /// The body, or as much of it as arrived.
    pub(crate) body: Vec<u8>,
}

/// `POST`s `content_type` content read from `reader` (`size` bytes when
/// known, and then exactly that many are sent) to `url` with `client`'s
/// credentials; the server's answer, whether or not it read the whole
/// body first.
pub(crate) fn upload<R: Read + Send + 'static>(
    client: &RepositoryClient,
    url: &Url,
    content_type: &str,
    reader: R,
    size: Option<u64>,
) -> Result<Answer, ClientError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| ClientError::Local {
            action: format!("start the upload to {url}"),
            reason: chain(&error),
        })?;
    let started = Instant::now();
    let moved = Arc::new(AtomicU64::new(0));
    let (sender, receiver) = mpsc::channel(QUEUE);
    let pump = {
        let moved = Arc::clone(&moved);
        std::thread::spawn(move || pump(reader, size, &sender, started, &moved))
    };
    let body = ChannelBody { receiver, size };
    let mut request = client
        .transport
        .uploads
        .post(url.clone())
        .header(CONTENT_TYPE, content_type)
        .body(reqwest::Body::wrap(body));
    request = match client.server.credentials().authorization() {
        Authorization::None => request,
        Authorization::Basic { user, password } => request.basic_auth(user, Some(password)),
        Authorization::Bearer(key) => request.bearer_auth(key),
    };
    let timeout = client.options().timeout;
    let limit = client.options().max_json_size;
    let answer = runtime.block_on(async {
        let response = tokio::select! {
            response = request.send() => response.map_err(|error| Ended::Failed(transfer_error(url, 1, error)))?,
            () = stalled(started, &moved, timeout) => return Err(Ended::Stalled),
        };
        let status = response.status();
        Ok(Answer {
            status,
            body: read_answer(response, limit, timeout).await,
        })
    });
    // Dropping the runtime drops the connection and the body's receiver,
    // which stops the reader thread if it is still sending.
    drop(runtime);
    let read_error = pump
        .join()
        .unwrap_or_else(|_| Some(io::Error::other("the thread reading the upload panicked")));
    match answer {
        Ok(answer) => Ok(answer),
        Err(_) if read_error.is_some() => Err(ClientError::ReadUpload {
            url: url.to_string(),
            reason: read_error.map(|error| chain(&error)).unwrap_or_default(),
        }),
        Err(Ended::Failed(error)) => Err(error),
        Err(Ended::Stalled) => Err(ClientError::Transfer {
            url: url.to_string(),
            attempts: 1,
            reason: format!(
                "timed out: neither the upload moved nor an answer came for {}s",
                timeout.as_secs_f64()
            ),
        }),
    }
}

/// How an upload ended without an answer.
enum Ended {
    /// The request failed.
    Failed(ClientError),
    /// Nothing happened for the timeout.
    Stalled,
}

/// Resolves once nothing has moved for `timeout` (`moved` holds when the
/// body last moved, in milliseconds after `started`).
async fn stalled(started: Instant, moved: &AtomicU64, timeout: Duration) {
    loop {
        let last = Duration::from_millis(moved.load(Ordering::Relaxed));
        let deadline = last.saturating_add(timeout);
        let now = started.elapsed();
        if now >= deadline {
            return;
        }
        tokio::time::sleep(deadline.saturating_sub(now)).await;
    }
}

/// Reads at most `limit` bytes of an answer; what arrived when the
/// connection breaks off or stalls for `timeout`.
async fn read_answer(mut response: reqwest::Response, limit: u64, timeout: Duration) -> Vec<u8> {
    let mut body = Vec::new();
    while let Ok(Ok(Some(chunk))) = tokio::time::timeout(timeout, response.chunk()).await {
        let room = usize::try_from(limit.saturating_sub(body.len() as u64)).unwrap_or(usize::MAX);
        body.extend_from_slice(chunk.get(..room).unwrap_or(&chunk));
        if body.len() as u64 >= limit {
            break;
        }
    }
    body
}

/// Reads `reader` (its first `size` bytes when known) in chunks into
/// `sender` until it ends or the connection no longer wants them; the
/// reader's error, if it failed.
fn pump<R: Read>(
    reader: R,
    size: Option<u64>,
    sender: &mpsc::Sender<io::Result<Bytes>>,
    started: Instant,
    moved: &AtomicU64,
) -> Option<io::Error> {
    let mut reader = reader.take(size.unwrap_or(u64::MAX));
    loop {
        let mut chunk = vec![0; CHUNK];
        let read = match reader.read(&mut chunk) {
            Ok(0) => return None,
            Ok(read) => read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => {
                let _ = sender.blocking_send(Err(io::Error::new(error.kind(), error.to_string())));
                return Some(error);
            }
        };
        chunk.truncate(read);
        if sender.blocking_send(Ok(Bytes::from(chunk))).is_err() {
            return None;
        }
        let millis = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        moved.store(millis, Ordering::Relaxed);
    }
}

/// A request body fed by the reader thread.
struct ChannelBody {
    receiver: mpsc::Receiver<io::Result<Bytes>>,
    /// The bytes still to come, when known.
    size: Option<u64>,
}

impl http_body::Body for ChannelBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        match self.receiver.poll_recv(context) {
            Poll::Ready(Some(Ok(chunk))) => {
                if let Some(size) = &mut self.size {
                    *size = size.saturating_sub(chunk.len() as u64);
                }
                Poll::Ready(Some(Ok(Frame::data(chunk))))
            }
            Poll::Ready(Some(Err(error))) => Poll::Ready(Some(Err(error))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }

    fn size_hint(&self) -> SizeHint {
        self.size
            .map_or_else(SizeHint::default, SizeHint::with_exact)
    }
}

//! Bridges between the blocking blob store and async HTTP bodies.
//!
//! Stores are synchronous (`std::io::Read`), and must not run on the async
//! worker threads: a blocking task reads or writes the store, and a small
//! bounded channel carries chunks to or from the connection, so memory use
//! per transfer stays at a few chunks whatever the blob's size.

use std::io::{self, Read, Write};
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, header};
use http_body::{Body, Frame, SizeHint};
use tokio::sync::mpsc;

use crate::auth::ApiError;

/// Size of the chunks blobs are sent in.
pub(crate) const CHUNK: usize = 64 * 1024;

/// Chunks in flight between a blocking task and a connection.
pub(crate) const CHANNEL_DEPTH: usize = 4;

/// One chunk of a transfer, or the error that ended it.
pub(crate) type Chunk = Result<Bytes, io::Error>;

/// A response body fed by a blocking task through a channel.
pub(crate) struct ChannelBody {
    receiver: mpsc::Receiver<Chunk>,
    remaining: Option<u64>,
}

impl ChannelBody {
    /// A body of `size` bytes (when known) arriving on `receiver`.
    pub(crate) fn new(receiver: mpsc::Receiver<Chunk>, size: Option<u64>) -> Self {
        Self {
            receiver,
            remaining: size,
        }
    }
}

impl Body for ChannelBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        match self.receiver.poll_recv(context) {
            Poll::Ready(Some(Ok(bytes))) => {
                if let Some(remaining) = self.remaining.as_mut() {
                    *remaining = remaining.saturating_sub(bytes.len() as u64);
                }
                Poll::Ready(Some(Ok(Frame::data(bytes))))
            }
            Poll::Ready(Some(Err(error))) => Poll::Ready(Some(Err(error))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }

    fn size_hint(&self) -> SizeHint {
        self.remaining
            .map_or_else(SizeHint::default, SizeHint::with_exact)
    }
}

/// Reads `reader` to the end in chunks and sends them, from a blocking
/// task, leaving out the first `skip` bytes (read, so that a verifying
/// reader still sees the whole blob). Stops early when the receiving side
/// is gone (client went away).
pub(crate) fn pump(mut reader: Box<dyn Read + Send>, skip: u64, sender: &mpsc::Sender<Chunk>) {
    if skip > 0 {
        match io::copy(&mut (&mut reader).take(skip), &mut io::sink()) {
            Ok(skipped) if skipped == skip => {}
            Ok(skipped) => {
                let error = io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("blob ended after {skipped} of the {skip} bytes to skip"),
                );
                let _ = sender.blocking_send(Err(error));
                return;
            }
            Err(error) => {
                let _ = sender.blocking_send(Err(error));
                return;
            }
        }
    }
    let mut buffer = vec![0u8; CHUNK];
    loop {
        let chunk = match reader.read(&mut buffer) {
            Ok(0) => return,
            Ok(count) => match buffer.get(..count) {
                Some(bytes) => Ok(Bytes::copy_from_slice(bytes)),
                None => Err(io::Error::other(
                    "reader returned more bytes than asked for",
                )),
            },
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => Err(error),
        };
        let failed = chunk.is_err();
        if sender.blocking_send(chunk).is_err() || failed {
            return;
        }
    }
}

/// A blocking reader over chunks arriving on a channel: the request body
/// of an upload, as the store reads it.
pub(crate) struct ChannelReader {
    receiver: mpsc::Receiver<Chunk>,
    current: Bytes,
}

impl ChannelReader {
    /// A reader of the chunks arriving on `receiver`; the end of the
    /// channel is the end of the data.
    pub(crate) fn new(receiver: mpsc::Receiver<Chunk>) -> Self {
        Self {
            receiver,
            current: Bytes::new(),
        }
    }
}

impl Read for ChannelReader {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        while self.current.is_empty() {
            match self.receiver.blocking_recv() {
                Some(Ok(bytes)) => self.current = bytes,
                Some(Err(error)) => return Err(error),
                None => return Ok(0),
            }
        }
        let count = buffer.len().min(self.current.len());
        let chunk = self.current.split_to(count);
        buffer
            .get_mut(..count)
            .ok_or_else(|| io::Error::other("buffer shorter than its length"))?
            .copy_from_slice(&chunk);
        Ok(count)
    }
}

/// A blocking writer that sends what is written, in chunks, on a channel:
/// a streamed response written by a blocking task (a changeset).
pub(crate) struct ChannelWriter {
    sender: mpsc::Sender<Chunk>,
    pending: Vec<u8>,
}

impl ChannelWriter {
    /// A writer sending on `sender`.
    pub(crate) fn new(sender: mpsc::Sender<Chunk>) -> Self {
        Self {
            sender,
            pending: Vec::with_capacity(CHUNK),
        }
    }

    /// Sends what is pending.
    fn send_pending(&mut self) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(
            &mut self.pending,
            Vec::with_capacity(CHUNK),
        ));
        self.sender
            .blocking_send(Ok(chunk))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client went away"))
    }

    /// Ends the stream with `error`, so the client sees a broken body
    /// rather than a short one that looks whole.
    pub(crate) fn fail(self, error: io::Error) {
        let _ = self.sender.blocking_send(Err(error));
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(bytes);
        if self.pending.len() >= CHUNK {
            self.send_pending()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send_pending()
    }
}

/// Why feeding a request body stopped.
pub(crate) enum BodyEnd {
    /// The body ended, or the receiving side stopped reading (its own
    /// answer says why).
    Complete,
    /// The body is over the limit.
    TooLarge,
    /// The connection failed.
    Broken(String),
}

impl BodyEnd {
    /// `413` or `400` for a body that did not arrive whole.
    pub(crate) fn into_result(self, max: u64) -> Result<(), ApiError> {
        match self {
            BodyEnd::Complete => Ok(()),
            BodyEnd::TooLarge => Err(too_large(max)),
            BodyEnd::Broken(reason) => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                format!("cannot read request body: {reason}"),
            )),
        }
    }
}

/// `413` for a body over `max` bytes.
pub(crate) fn too_large(max: u64) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("request body is larger than {max} bytes"),
    )
}

/// `413` when the request announces a body over `max` bytes.
pub(crate) fn check_declared_length(headers: &HeaderMap, max: u64) -> Result<(), ApiError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > max) {
        return Err(too_large(max));
    }
    Ok(())
}

/// Sends the chunks of a request body on `sender` (to a blocking task
/// reading a [`ChannelReader`]) until it ends, passes `max` bytes or
/// breaks. A body that did not end well ends the reader with an error, so
/// whatever it feeds stores nothing.
pub(crate) async fn feed(
    body: &mut axum::body::Body,
    sender: mpsc::Sender<Chunk>,
    max: u64,
) -> BodyEnd {
    let mut received: u64 = 0;
    let end = loop {
        let frame = std::future::poll_fn(|context| Pin::new(&mut *body).poll_frame(context)).await;
        let data = match frame {
            None => break BodyEnd::Complete,
            Some(Err(error)) => break BodyEnd::Broken(error.to_string()),
            Some(Ok(frame)) => match frame.into_data() {
                Ok(data) => data,
                Err(_trailers) => continue,
            },
        };
        received = received.saturating_add(data.len() as u64);
        if received > max {
            break BodyEnd::TooLarge;
        }
        if sender.send(Ok(data)).await.is_err() {
            // The reader gave up; its error is reported by the caller.
            break BodyEnd::Complete;
        }
    };
    if !matches!(end, BodyEnd::Complete) {
        let _ = sender.send(Err(io::Error::other("upload abandoned"))).await;
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_reader_reassembles_chunks() {
        let (sender, receiver) = mpsc::channel(8);
        for chunk in [&b"hel"[..], b"", b"lo ", b"world"] {
            sender
                .try_send(Ok(Bytes::copy_from_slice(chunk)))
                .expect("send");
        }
        drop(sender);
        let mut text = String::new();
        ChannelReader::new(receiver)
            .read_to_string(&mut text)
            .expect("read");
        assert_eq!(text, "hello world");
    }

    #[test]
    fn channel_reader_passes_errors_on() {
        let (sender, receiver) = mpsc::channel(8);
        sender
            .try_send(Ok(Bytes::from_static(b"partial")))
            .expect("send");
        sender
            .try_send(Err(io::Error::other("too large")))
            .expect("send");
        let mut bytes = Vec::new();
        let error = ChannelReader::new(receiver)
            .read_to_end(&mut bytes)
            .expect_err("error");
        assert_eq!(error.to_string(), "too large");
    }
}

//! One log line per request: peer, caller, method, path, status, bytes sent
//! and milliseconds taken, written when the response body is finished (or
//! abandoned), so streamed downloads are counted whole.

use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use http_body::{Frame, SizeHint};

use crate::auth::LoggedSubject;

/// The address of the other end of a connection, given to every request
/// (see [`crate::Server`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Peer(pub SocketAddr);

/// Middleware: logs the request once its response is done.
pub(crate) async fn log_request(mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let subject = LoggedSubject::default();
    request.extensions_mut().insert(subject.clone());
    let peer = request
        .extensions()
        .get::<ConnectInfo<Peer>>()
        .map(|ConnectInfo(Peer(addr))| *addr);
    let method = request.method().clone();
    // The path only: queries may carry tokens one day.
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let status = response.status();
    response.map(|body| {
        Body::new(LoggedBody {
            inner: body,
            line: Some(LogLine {
                peer,
                subject,
                method,
                path,
                status,
                started,
            }),
            bytes: 0,
            complete: false,
        })
    })
}

/// What is known of a request before its body is sent.
struct LogLine {
    peer: Option<SocketAddr>,
    subject: LoggedSubject,
    method: Method,
    path: String,
    status: StatusCode,
    started: Instant,
}

/// A response body that counts what it sends and logs the request when
/// dropped.
struct LoggedBody {
    inner: Body,
    line: Option<LogLine>,
    bytes: u64,
    complete: bool,
}

impl http_body::Body for LoggedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(context);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    self.bytes = self.bytes.saturating_add(data.len() as u64);
                }
            }
            Poll::Ready(None) => self.complete = true,
            Poll::Ready(Some(Err(_))) | Poll::Pending => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        http_body::Body::is_end_stream(&self.inner)
    }

    fn size_hint(&self) -> SizeHint {
        http_body::Body::size_hint(&self.inner)
    }
}

impl Drop for LoggedBody {
    fn drop(&mut self) {
        let Some(line) = self.line.take() else {
            return;
        };
        let complete = self.complete || http_body::Body::is_end_stream(&self.inner);
        let milliseconds = line.started.elapsed().as_millis();
        let peer = line
            .peer
            .map_or_else(|| "-".to_owned(), |peer| peer.to_string());
        let subject = line.subject.0.get().map_or("-", String::as_str);
        tracing::info!(
            target: "conary_server::request",
            "{peer} [{subject}] {} {} {} {} bytes {milliseconds} ms{}",
            line.method,
            line.path,
            line.status.as_u16(),
            self.bytes,
            if complete { "" } else { " (incomplete)" },
        );
    }
}

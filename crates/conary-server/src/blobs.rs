//! The blob routes: contents by BLAKE3 digest, streamed both ways.
//!
//! Reading a blob needs read access to a trove that holds it (one not
//! marked removed); a blob no trove holds yet needs read access to every
//! label and trove. Storing one needs write access to all of them (the
//! commit route stores the contents of a changeset with per-trove
//! checks).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use conary_core::digest::{Digest, DigestError};
use conary_repository::Action;
use conary_store::StoreError;
use tokio::sync::mpsc;

use crate::app::AppState;
use crate::auth::{ApiError, Caller, DisplayChain};
use crate::body::{CHANNEL_DEPTH, ChannelBody, ChannelReader, check_declared_length, feed, pump};
use conary_api::wire::BlobStored;

/// Parses the digest of a blob route.
fn parse_digest(text: &str) -> Result<Digest, ApiError> {
    text.parse()
        .map_err(|error: DigestError| ApiError::new(StatusCode::BAD_REQUEST, error.to_string()))
}

fn store_error(error: &StoreError) -> ApiError {
    match error {
        StoreError::NotFound { digest } => {
            ApiError::new(StatusCode::NOT_FOUND, format!("no blob {digest}"))
        }
        other => ApiError::internal(&DisplayChain(other)),
    }
}

/// Checks that the caller may read blob `digest` (see
/// `Repository::check_contents_access`): held by a trove they may read and
/// not marked removed, or held by none and they read everything.
async fn check_read(state: &AppState, caller: &Caller, digest: &Digest) -> Result<(), ApiError> {
    let repository = Arc::clone(&state.repository);
    let identity = caller.0.clone();
    let digest = *digest;
    tokio::task::spawn_blocking(move || repository.check_contents_access(&digest, &identity))
        .await
        .map_err(|error| ApiError::internal(&error))?
        .map_err(ApiError::from)
}

/// Runs `work` on the blocking pool.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|error| ApiError::internal(&error))?
        .map_err(|error| store_error(&error))
}

/// The headers of a blob answer carrying `size` bytes.
fn blob_headers(response: &mut Response, digest: &Digest, size: u64) {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{digest}\"")) {
        headers.insert(header::ETAG, etag);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=31536000, immutable"),
    );
}

/// `HEAD /api/v1/blobs/{digest}`: `200` with the size, or `404`.
pub(crate) async fn exists(
    State(state): State<AppState>,
    caller: Caller,
    Path(digest): Path<String>,
) -> Result<Response, ApiError> {
    let digest = parse_digest(&digest)?;
    check_read(&state, &caller, &digest).await?;
    let repository = Arc::clone(&state.repository);
    let size = blocking(move || repository.store().size(&digest)).await?;
    let mut response = StatusCode::OK.into_response();
    blob_headers(&mut response, &digest, size);
    Ok(response)
}

/// What a `Range` header asks of a blob of some size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Wanted {
    /// The whole blob (no `Range`, or one this server ignores).
    Whole,
    /// The bytes from `start` to the end.
    From(u64),
    /// A range that starts at or after the end (`416`).
    Unsatisfiable,
}

/// Reads a `Range` header for a blob of `size` bytes. Honoured: one range
/// that runs to the end, `bytes=N-` (what a resuming download sends) or
/// `bytes=-N` (the last N bytes). Anything else — several ranges, a range
/// with an end, a unit other than bytes, bad syntax — is ignored and the
/// whole blob sent, as HTTP allows.
fn wanted(range: Option<&str>, size: u64) -> Wanted {
    let Some(spec) = range.and_then(|range| range.trim().strip_prefix("bytes=")) else {
        return Wanted::Whole;
    };
    let Some((first, last)) = spec.trim().split_once('-') else {
        return Wanted::Whole;
    };
    let digits = |text: &str| {
        (!text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit()))
            .then(|| text.parse::<u64>().ok())
            .flatten()
    };
    match (first.trim(), last.trim()) {
        (first, "") => match digits(first) {
            Some(start) if start < size => Wanted::From(start),
            Some(_) => Wanted::Unsatisfiable,
            None => Wanted::Whole,
        },
        ("", suffix) => match digits(suffix) {
            Some(0) => Wanted::Unsatisfiable,
            Some(_) if size == 0 => Wanted::Unsatisfiable,
            Some(length) => Wanted::From(size.saturating_sub(length)),
            None => Wanted::Whole,
        },
        _ => Wanted::Whole,
    }
}

/// `GET /api/v1/blobs/{digest}`: the blob, streamed. The store verifies
/// while reading; a blob found corrupt ends the response early, so the
/// client sees a short body rather than wrong bytes.
///
/// `Range: bytes=N-` (and `bytes=-N`) answer `206 Partial Content` with
/// `Content-Range: bytes N-LAST/SIZE`: the bytes before N are still read
/// (and verified) but not sent. A range starting at or past the end
/// answers `416` with `Content-Range: bytes */SIZE`.
pub(crate) async fn download(
    State(state): State<AppState>,
    caller: Caller,
    Path(digest): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let digest = parse_digest(&digest)?;
    check_read(&state, &caller, &digest).await?;
    let repository = Arc::clone(&state.repository);
    let size = {
        let repository = Arc::clone(&repository);
        blocking(move || repository.store().size(&digest)).await?
    };
    let range = headers
        .get(header::RANGE)
        .and_then(|value| value.to_str().ok());
    let start = match wanted(range, size) {
        Wanted::Whole => None,
        Wanted::From(start) => Some(start),
        Wanted::Unsatisfiable => {
            let mut response = ApiError::new(
                StatusCode::RANGE_NOT_SATISFIABLE,
                format!(
                    "range '{}' is outside blob {digest} of {size} bytes",
                    range.unwrap_or_default()
                ),
            )
            .into_response();
            if let Ok(value) = HeaderValue::from_str(&format!("bytes */{size}")) {
                response.headers_mut().insert(header::CONTENT_RANGE, value);
            }
            return Ok(response);
        }
    };
    let reader = blocking(move || repository.store().get(&digest)).await?;
    let skip = start.unwrap_or(0);
    let length = size.saturating_sub(skip);
    let (sender, receiver) = mpsc::channel(CHANNEL_DEPTH);
    tokio::task::spawn_blocking(move || pump(reader, skip, &sender));
    let mut response = Response::new(Body::new(ChannelBody::new(receiver, Some(length))));
    blob_headers(&mut response, &digest, length);
    if let Some(start) = start {
        *response.status_mut() = StatusCode::PARTIAL_CONTENT;
        let last = size.saturating_sub(1);
        if let Ok(value) = HeaderValue::from_str(&format!("bytes {start}-{last}/{size}")) {
            response.headers_mut().insert(header::CONTENT_RANGE, value);
        }
    }
    Ok(response)
}

/// `POST /api/v1/blobs[?digest=HEX]`: stores the body, hashing as it
/// arrives. With `digest`, answers `400` when the contents hash to
/// something else. Bodies over the upload limit get `413` and store
/// nothing; so do callers without write access (`403`), before any byte is
/// read.
pub(crate) async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    uri: Uri,
    headers: HeaderMap,
    mut body: Body,
) -> Result<Response, ApiError> {
    if !caller.0.can_everywhere(Action::Write) {
        return Err(ApiError::forbidden(&caller.0, "store blobs"));
    }
    let expected = uri
        .query()
        .unwrap_or_default()
        .split('&')
        .find_map(|pair| pair.strip_prefix("digest="))
        .map(parse_digest)
        .transpose()?;
    check_declared_length(&headers, state.limits.max_body)?;

    let (sender, receiver) = mpsc::channel(CHANNEL_DEPTH);
    let repository = Arc::clone(&state.repository);
    let store_task = tokio::task::spawn_blocking(move || {
        repository.store().put(&mut ChannelReader::new(receiver))
    });
    let end = feed(&mut body, sender, state.limits.max_body).await;
    let stored = store_task
        .await
        .map_err(|error| ApiError::internal(&error))?;
    end.into_result(state.limits.max_body)?;
    let (digest, size) = stored.map_err(|error| store_error(&error))?;
    if let Some(expected) = expected.filter(|expected| *expected != digest) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("contents hash to {digest}, not {expected}"),
        ));
    }
    let location = format!("/api/v1/blobs/{digest}");
    let mut response = (
        StatusCode::CREATED,
        axum::Json(BlobStored {
            digest: digest.to_string(),
            size,
        }),
    )
        .into_response();
    if let Ok(location) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        let cases = [
            (None, 10, Wanted::Whole),
            (Some("bytes=0-"), 10, Wanted::From(0)),
            (Some("bytes=4-"), 10, Wanted::From(4)),
            (Some(" bytes=9- "), 10, Wanted::From(9)),
            (Some("bytes=10-"), 10, Wanted::Unsatisfiable),
            (Some("bytes=0-"), 0, Wanted::Unsatisfiable),
            (Some("bytes=-3"), 10, Wanted::From(7)),
            (Some("bytes=-30"), 10, Wanted::From(0)),
            (Some("bytes=-0"), 10, Wanted::Unsatisfiable),
            (Some("bytes=-3"), 0, Wanted::Unsatisfiable),
            (Some("bytes=2-5"), 10, Wanted::Whole),
            (Some("bytes=0-1,4-"), 10, Wanted::Whole),
            (Some("bytes=+4-"), 10, Wanted::Whole),
            (Some("bytes=x-"), 10, Wanted::Whole),
            (Some("items=4-"), 10, Wanted::Whole),
            (Some("bytes=99999999999999999999999-"), 10, Wanted::Whole),
            (Some("bytes"), 10, Wanted::Whole),
        ];
        for (range, size, expected) in cases {
            assert_eq!(wanted(range, size), expected, "{range:?} of {size}");
        }
    }
}

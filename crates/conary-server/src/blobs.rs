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

fn blob_headers(response: &mut Response, digest: &Digest, size: u64) {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
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

/// `GET /api/v1/blobs/{digest}`: the blob, streamed. The store verifies
/// while reading; a blob found corrupt ends the response early, so the
/// client sees a short body rather than wrong bytes.
pub(crate) async fn download(
    State(state): State<AppState>,
    caller: Caller,
    Path(digest): Path<String>,
) -> Result<Response, ApiError> {
    let digest = parse_digest(&digest)?;
    check_read(&state, &caller, &digest).await?;
    let repository = Arc::clone(&state.repository);
    let (size, reader) = blocking(move || {
        let store = repository.store();
        Ok((store.size(&digest)?, store.get(&digest)?))
    })
    .await?;
    let (sender, receiver) = mpsc::channel(CHANNEL_DEPTH);
    tokio::task::spawn_blocking(move || pump(reader, &sender));
    let mut response = Response::new(Body::new(ChannelBody::new(receiver, Some(size))));
    blob_headers(&mut response, &digest, size);
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

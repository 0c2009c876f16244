//! The changeset routes: `POST /api/v1/changeset` streams a generated
//! `.ccs` to the client; `POST /api/v1/commit` streams one from the client
//! into the repository.
//!
//! Generating is planned before the answer starts (through the
//! repository's changeset cache), so a missing trove is a plain `404`; a failure while the changeset streams breaks the body (the
//! client's reader refuses it). A commit is checked as soon as its index
//! has arrived: a refusal (`403`, `400`) stores nothing, and the rest of
//! the body is not read.

use std::io;
use std::sync::Arc;

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use conary_api::wire::{ChangesetRequest, CommitResult};
use conary_changeset::ChangeSetReader;
use conary_repository::RepositoryError;
use tokio::sync::mpsc;

use crate::app::AppState;
use crate::auth::{ApiError, Caller};
use crate::body::{
    CHANNEL_DEPTH, ChannelBody, ChannelReader, ChannelWriter, check_declared_length, feed,
};
use crate::troves::{json_body, with_repository};

/// `POST /api/v1/changeset`: the changeset of the jobs asked for (with the
/// jobs of included troves when `recurse`), streamed.
pub(crate) async fn generate(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<ChangesetRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let request = json_body(body)?;
    let jobs = request
        .jobs
        .iter()
        .map(|job| {
            job.to_job()
                .map_err(|error| ApiError::bad_request(error.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let recurse = request.recurse;
    if !request.contents {
        // Troves and file streams only: small, made in memory, so that a
        // refusal is still an HTTP error.
        let bytes = with_repository(&state, caller, move |repository, identity| {
            let mut out = Vec::new();
            repository.streams_changeset(&jobs, recurse, identity, &mut out)?;
            Ok(out)
        })
        .await?;
        let mut response = Response::new(Body::from(bytes));
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/octet-stream"),
        );
        return Ok(response);
    }
    // Answered from the repository's changeset cache when the same
    // changeset was made before; otherwise the payloads compressed while
    // weighing deltas are copied into the stream as they are, and what was
    // written is kept in the cache.
    let planned = with_repository(&state, caller, move |repository, identity| {
        repository.plan_cached_changeset(&jobs, recurse, identity)
    })
    .await?;
    let (sender, receiver) = mpsc::channel(CHANNEL_DEPTH);
    let repository = Arc::clone(&state.repository);
    tokio::task::spawn_blocking(move || {
        let mut writer = ChannelWriter::new(sender);
        let written = repository
            .write_planned_changeset(planned, &mut writer)
            .and_then(|_| {
                io::Write::flush(&mut writer).map_err(|error| RepositoryError::Changeset {
                    reason: error.to_string(),
                    from_caller: false,
                })
            });
        if let Err(error) = written {
            tracing::warn!("changeset stream broken: {error}");
            writer.fail(io::Error::other(error.to_string()));
        }
    });
    let mut response = Response::new(Body::new(ChannelBody::new(receiver, None)));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    Ok(response)
}

/// `POST /api/v1/commit`: commits the `.ccs` changeset in the body (write
/// permission on each trove); answers what was committed and what was
/// already there.
pub(crate) async fn commit(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    mut body: Body,
) -> Result<Json<CommitResult>, ApiError> {
    let max = state.limits.max_body;
    check_declared_length(&headers, max)?;
    let (sender, receiver) = mpsc::channel(CHANNEL_DEPTH);
    let repository = Arc::clone(&state.repository);
    let identity = caller.0;
    let commit_task = tokio::task::spawn_blocking(move || {
        let reader = ChangeSetReader::new(ChannelReader::new(receiver)).map_err(|error| {
            RepositoryError::Changeset {
                reason: error.to_string(),
                from_caller: true,
            }
        })?;
        repository.commit(reader, &identity)
    });
    let end = feed(&mut body, sender, max).await;
    let result = commit_task
        .await
        .map_err(|error| ApiError::internal(&error))?;
    end.into_result(max)?;
    let result = result?;
    // The deltas of updates to what was committed are made in the
    // background; the answer does not wait for them.
    state.deltas.prepare(result.committed.clone());
    Ok(Json(CommitResult::from(&result)))
}

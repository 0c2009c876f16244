//! The trove routes: listings, manifests, dependency suggestions and
//! marking removed (JSON bodies of `conary_api::wire`).
//!
//! Troves the caller may not read are left out of listings silently; a
//! manifest asked for by exact tuple is `404` whether it is missing or
//! hidden.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use conary_api::Location;
use conary_api::wire::{DepRequest, DepSuggestions, TroveList, TroveListRequest, WireTuple};
use conary_core::trove::TroveTuple;
use conary_core::version::{Branch, Label};
use conary_repository::{Identity, Query, Repository, RepositoryError};

use crate::app::AppState;
use crate::auth::{ApiError, Caller};

/// The body of a JSON request, or `400` naming what is wrong with it.
pub(crate) fn json_body<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    body.map(|Json(value)| value)
        .map_err(|rejection| ApiError::bad_request(format!("invalid JSON body: {rejection}")))
}

/// Runs repository work for `caller` on the blocking pool.
pub(crate) async fn with_repository<T: Send + 'static>(
    state: &AppState,
    caller: Caller,
    work: impl FnOnce(&Repository, &Identity) -> Result<T, RepositoryError> + Send + 'static,
) -> Result<T, ApiError> {
    let repository = Arc::clone(&state.repository);
    let identity = caller.0;
    tokio::task::spawn_blocking(move || work(&repository, &identity))
        .await
        .map_err(|error| ApiError::internal(&error))?
        .map_err(ApiError::from)
}

/// Parses wire tuples, `400` on the first bad one.
pub(crate) fn parse_tuples(tuples: &[WireTuple]) -> Result<Vec<TroveTuple>, ApiError> {
    tuples
        .iter()
        .map(|tuple| {
            tuple
                .to_tuple()
                .map_err(|error| ApiError::bad_request(error.to_string()))
        })
        .collect()
}

/// Tuples as a wire list.
pub(crate) fn trove_list(tuples: &[TroveTuple]) -> TroveList {
    TroveList {
        troves: tuples.iter().map(WireTuple::from).collect(),
    }
}

/// The query a [`TroveListRequest`] asks.
fn parse_list_request(request: &TroveListRequest) -> Result<Query, ApiError> {
    let location = match (&request.label, &request.branch) {
        (Some(label), None) => Location::Label(
            label
                .parse::<Label>()
                .map_err(|error| ApiError::bad_request(error.to_string()))?,
        ),
        (None, Some(branch)) => Location::Branch(
            Branch::thaw(branch).map_err(|error| ApiError::bad_request(error.to_string()))?,
        ),
        _ => {
            return Err(ApiError::bad_request(
                "exactly one of 'label' and 'branch' must be given",
            ));
        }
    };
    let mut query = Query {
        location: Some(location),
        all_versions: request.all_versions,
        ..Query::default()
    };
    if let Some(names) = &request.names {
        let names = names
            .iter()
            .map(|name| {
                name.parse().map_err(|error: conary_core::name::NameError| {
                    ApiError::bad_request(error.to_string())
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        query.names = Some(names);
    }
    Ok(query)
}

/// `POST /api/v1/troves`: the troves on a label or branch.
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<TroveListRequest>, JsonRejection>,
) -> Result<Json<TroveList>, ApiError> {
    let query = parse_list_request(&json_body(body)?)?;
    let tuples = with_repository(&state, caller, move |repository, identity| {
        repository.trove_versions(&query, identity)
    })
    .await?;
    Ok(Json(trove_list(&tuples)))
}

/// `POST /api/v1/manifests`: the canonical encodings of the troves asked
/// for, in order, each after its length (u64, big-endian).
pub(crate) async fn manifests(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<TroveList>, JsonRejection>,
) -> Result<Response, ApiError> {
    let tuples = parse_tuples(&json_body(body)?.troves)?;
    let troves = with_repository(&state, caller, move |repository, identity| {
        repository.manifests(&tuples, identity)
    })
    .await?;
    let mut bytes = Vec::new();
    for trove in &troves {
        let encoding = trove.encode();
        bytes.extend_from_slice(&(encoding.len() as u64).to_be_bytes());
        bytes.extend_from_slice(&encoding);
    }
    let mut response = bytes.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    Ok(response)
}

/// `POST /api/v1/deps`: for each requirement, the troves that provide it
/// on the first label that has any.
pub(crate) async fn deps(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<DepRequest>, JsonRejection>,
) -> Result<Json<DepSuggestions>, ApiError> {
    let request = json_body(body)?;
    let labels = request
        .labels
        .iter()
        .map(|label| {
            label
                .parse::<Label>()
                .map_err(|error| ApiError::bad_request(error.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let requires: conary_core::deps::DependencySet = request
        .requires
        .parse()
        .map_err(|error: conary_core::deps::DepError| ApiError::bad_request(error.to_string()))?;
    let found = with_repository(&state, caller, move |repository, identity| {
        repository.dep_suggestions(&labels, &requires, identity)
    })
    .await?;
    let suggestions = found
        .iter()
        .map(|(dependency, tuples)| {
            (
                dependency.to_string(),
                tuples.iter().map(WireTuple::from).collect(),
            )
        })
        .collect();
    Ok(Json(DepSuggestions { suggestions }))
}

/// `POST /api/v1/markremoved`: marks the troves listed removed (admin on
/// each, all or none); answers the troves newly marked.
pub(crate) async fn mark_removed(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<TroveList>, JsonRejection>,
) -> Result<Json<TroveList>, ApiError> {
    let tuples = parse_tuples(&json_body(body)?.troves)?;
    let marked = with_repository(&state, caller, move |repository, identity| {
        repository.mark_removed(&tuples, identity)
    })
    .await?;
    Ok(Json(trove_list(&marked)))
}

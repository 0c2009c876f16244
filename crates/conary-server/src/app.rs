//! The HTTP application: routes, shared state and the small handlers.
//!
//! | route | answer |
//! |---|---|
//! | `GET /` | a page naming the server |
//! | `GET /api/v1/info` | [`ServerInfo`]: name and API version (callers who may read anything) |
//! | `GET /api/v1/whoami` | [`WhoAmI`]: the authenticated caller |
//! | `GET /api/v1/blobs/{digest}` | the blob's bytes, streamed (read on everything) |
//! | `HEAD /api/v1/blobs/{digest}` | whether the blob exists, and its size |
//! | `POST /api/v1/blobs` | stores the body, returns [`BlobStored`] (write on everything) |
//! | `POST /api/v1/troves` | `TroveListRequest` → `TroveList`: troves on a label or branch (readable ones) |
//! | `POST /api/v1/manifests` | `TroveList` → the canonical encodings, each after its length (u64 BE) |
//! | `POST /api/v1/changeset` | `ChangesetRequest` → the `.ccs` changeset, streamed (troves the caller may read) |
//! | `POST /api/v1/commit` | a `.ccs` changeset, streamed → `CommitResult` (write on each trove) |
//! | `POST /api/v1/deps` | `DepRequest` → `DepSuggestions` |
//! | `POST /api/v1/markremoved` | `TroveList` → `TroveList` of the troves newly marked removed (admin) |
//!
//! The JSON bodies are those of `conary_api::wire`.
//!
//! Missing or wrong credentials answer `401` with `WWW-Authenticate: Basic`;
//! known callers without the right are answered `403`; what does not
//! exist or is hidden from the caller `404`; a commit that conflicts with
//! what is stored `409`; a malformed request `400`.
//!
//! [`ServerInfo`]: conary_api::wire::ServerInfo
//! [`WhoAmI`]: conary_api::wire::WhoAmI
//! [`BlobStored`]: conary_api::wire::BlobStored

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, Uri};
use axum::response::Html;
use axum::routing::{get, post};
use conary_repository::{Repository, Subject};

use crate::auth::{ApiError, Caller};
use conary_api::wire::{API_VERSION, ServerInfo, WhoAmI};

/// Request size limits.
///
/// ```rust
/// let limits = conary_server::Limits::default();
/// assert_eq!(limits.max_body, 1 << 30);
/// assert_eq!(limits.max_json_body, 1 << 20);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest upload (blob or changeset) in bytes; larger ones get `413`.
    pub max_body: u64,
    /// Largest JSON request body in bytes; larger ones get `413`.
    pub max_json_body: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body: 1 << 30,
            max_json_body: 1 << 20,
        }
    }
}

/// What every handler shares.
#[derive(Clone, Debug)]
pub(crate) struct AppState {
    /// The repository served.
    pub(crate) repository: Arc<Repository>,
    /// Request size limits.
    pub(crate) limits: Limits,
    /// The background worker preparing deltas after commits.
    pub(crate) deltas: crate::deltas::DeltaWorker,
}

/// The application serving `repository`: every route, the request log and
/// the JSON body limit, and a background thread that prepares the deltas
/// of each commit (see `deltas.rs`; it ends once the router is dropped).
/// [`crate::Server`] runs it; tests can call it directly.
pub fn router(repository: Arc<Repository>, limits: Limits) -> Router {
    let deltas = crate::deltas::DeltaWorker::start(Arc::clone(&repository));
    let state = AppState {
        repository,
        limits,
        deltas,
    };
    let api = Router::new()
        .route("/info", get(info))
        .route("/whoami", get(whoami))
        .route("/blobs", post(crate::blobs::upload))
        .route("/troves", post(crate::troves::list))
        .route("/manifests", post(crate::troves::manifests))
        .route("/deps", post(crate::troves::deps))
        .route("/changeset", post(crate::changesets::generate))
        .route("/commit", post(crate::changesets::commit))
        .route("/markremoved", post(crate::troves::mark_removed))
        .route(
            "/blobs/{digest}",
            get(crate::blobs::download).head(crate::blobs::exists),
        );
    Router::new()
        .route("/", get(index))
        .nest("/api/v1", api)
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(limits.max_json_body))
        .layer(axum::middleware::from_fn(crate::log::log_request))
        .with_state(state)
}

/// `GET /`: a page naming the server (browse pages come later).
async fn index(State(state): State<AppState>) -> Html<String> {
    let name = escape_html(state.repository.name());
    Html(format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>{name}</title></head>\n\
         <body>\n<h1>{name}</h1>\n<p>A Conary repository. API: <a href=\"/api/v1/info\">/api/v1/info</a></p>\n\
         </body>\n</html>\n"
    ))
}

/// `GET /api/v1/info`.
async fn info(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> Result<axum::Json<ServerInfo>, ApiError> {
    if !caller.can_read_anything() {
        return Err(ApiError::forbidden(&caller, "read this repository"));
    }
    Ok(axum::Json(ServerInfo {
        name: state.repository.name().to_owned(),
        api_version: API_VERSION,
        server: concat!("conary-repos ", env!("CARGO_PKG_VERSION")).to_owned(),
    }))
}

/// `GET /api/v1/whoami`.
async fn whoami(Caller(caller): Caller) -> axum::Json<WhoAmI> {
    let (kind, name) = match caller.subject() {
        Subject::Anonymous => ("anonymous", None),
        Subject::User(name) => ("user", Some(name.clone())),
        Subject::Entitlement(class) => ("entitlement", Some(class.clone())),
    };
    axum::Json(WhoAmI {
        kind: kind.to_owned(),
        name,
        admin: caller.is_admin(),
        roles: caller.roles().iter().cloned().collect(),
    })
}

/// Anything else: `404` with a JSON body.
async fn not_found(uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        format!("no such resource '{}'", uri.path()),
    )
}

/// `text` with the characters that mean something in HTML escaped.
fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_html() {
        assert_eq!(escape_html("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&#39;");
        assert_eq!(escape_html("conary.example.com"), "conary.example.com");
    }
}

//! The client side of Conary's wire protocol: which server holds a label,
//! what credentials to send it, and HTTP transfers that are retried,
//! resumed and verified.
//!
//! Start with [`NetworkSource`]: every configured repository as one
//! `conary_api::TroveSource` (what the update planner and the build tools
//! take). It routes each query to the server of its label's host, and
//! writes changesets that span repositories, or whose contents live on
//! other hosts (a shadow on server B of a trove on server A keeps A's
//! contents on A), as one changeset carrying every content, verified.
//! Underneath, [`Repositories`] (built from a [`Config`]) routes a host to
//! its server through `repositoryMap HOST URL` and hands out a
//! [`RepositoryClient`] per server.
//!
//! - [`ServerMap`] / [`Server`]: `repositoryMap`, `user` and `entitlement`
//!   lines, and the files of `entitlementDirectory`; [`Credentials`] picks
//!   HTTP basic (a user) or a bearer key (an entitlement) per request.
//! - [`Transport`]: one blocking HTTP/1.1 client (reqwest, rustls) shared by
//!   every server, with [`Options`] for timeouts, [`RetryPolicy`] and limits.
//!   Uploads (commits, blobs) stream through reqwest's async client on a
//!   runtime of their own, so that a refusal the server sends before it has
//!   read the body (`401`, `403`) is what the caller sees.
//! - [`RepositoryClient`]: the routes of `/api/v1/`, typed
//!   ([`trove_versions`](RepositoryClient::trove_versions),
//!   [`manifests`](RepositoryClient::manifests),
//!   [`changeset_stream`](RepositoryClient::changeset_stream),
//!   [`dep_suggestions`](RepositoryClient::dep_suggestions),
//!   [`commit`](RepositoryClient::commit),
//!   [`mark_removed`](RepositoryClient::mark_removed)), on JSON and streamed
//!   helpers (`get_json`, `post_json`, `query_json`, `query_stream`, …); blobs: [`fetch_blob`](RepositoryClient::fetch_blob)
//!   (hashes every byte, resumes with `Range`, retries with backoff),
//!   [`fetch_blobs`](RepositoryClient::fetch_blobs) (parallel, into a
//!   [`BlobSink`] such as [`DirectorySink`]), [`put_blob`](RepositoryClient::put_blob).
//! - [`Progress`]: download events for the CLI to show; this crate never
//!   prints.
//! - [`ClientError`]: every failure, naming the host, URL and digest, and
//!   for configuration mistakes the line to add or fix.
//!
//! ```rust,no_run
//! use conary_core::config::Config;
//! use conary_core::digest::Digest;
//!
//! let mut config = Config::default();
//! config.apply_text("repositoryMap conary.example.com https://repo.example.com/\n\
//!                    user conary.example.com alice secret\n", "conaryrc")?;
//! let repositories = conary_client::Repositories::from_config(&config, Default::default())?;
//! let client = repositories.for_label(&"conary.example.com@rpl:2".parse()?)?;
//! let mut contents = Vec::new();
//! client.fetch_blob(&Digest::of(b"hello"), &mut contents)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [`Config`]: conary_core::config::Config

mod api;
mod blobs;
pub mod credentials;
mod error;
mod options;
mod parallel;
mod progress;
mod repositories;
mod server_map;
mod source;
mod transport;
mod upload;

pub use api::CommitResult;
pub use blobs::StoredBlob;
pub use conary_api::wire::{ServerInfo, WhoAmI};
pub use credentials::{Authorization, Credentials, Entitlement, User};
pub use error::ClientError;
pub use options::{Options, RetryPolicy};
pub use parallel::{BlobSink, BlobWriter, DirectorySink, FetchSummary};
pub use progress::{NoProgress, Progress};
pub use repositories::Repositories;
pub use server_map::{Server, ServerMap};
pub use source::NetworkSource;
pub use transport::{RepositoryClient, ResponseBody, Transport};

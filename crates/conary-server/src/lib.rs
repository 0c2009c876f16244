//! The HTTP API of a Conary repository (what `conary-repos serve` runs).
//!
//! HTTP/1.1 through axum and hyper, TLS through rustls; JSON for metadata,
//! raw streams for contents, under `/api/v1/` (routes in [`app`]). Every
//! request is authenticated by `conary-repository` (HTTP basic for users,
//! `Authorization: Bearer` for entitlement keys), size-limited
//! ([`Limits`]) and logged through `tracing` ([`log`]). This crate owns
//! the protocol and nothing of the repository's logic; the JSON bodies are
//! those of `conary_api::wire`, shared with the client.
//!
//! Start at [`Server`]: [`bind`](Server::bind) then [`run`](Server::run)
//! until [`shutdown_signal`]; or call [`router`] directly in tests.
//!
//! ```rust
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let repository = conary_repository::Repository::init(dir.path(), "conary.example.com")?;
//! let options = conary_server::ServerOptions::new("127.0.0.1:0".parse()?);
//! let server = conary_server::Server::bind(std::sync::Arc::new(repository), options).await?;
//! assert_ne!(server.local_addr().port(), 0);
//! server.run(async {}).await?; // stops at once
//! # Ok(()) }
//! ```

pub mod app;
mod auth;
mod blobs;
mod body;
mod changesets;
mod deltas;
pub mod error;
pub mod log;
pub mod server;
mod tls;
mod troves;

pub use app::{Limits, router};
pub use error::ServerError;
pub use log::Peer;
pub use server::{Server, ServerOptions, TlsFiles, shutdown_signal};

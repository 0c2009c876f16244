//! The error type of starting and running a server.

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;

/// What can stop a server from starting or running.
///
/// ```rust
/// use conary_server::ServerError;
/// let error = ServerError::Tls { path: "key.pem".into(), reason: "no private key found".into() };
/// assert_eq!(error.to_string(), "cannot use TLS file 'key.pem': no private key found");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// The listening socket cannot be opened.
    #[error("cannot listen on {addr}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// What the operating system reported.
        #[source]
        source: io::Error,
    },

    /// A certificate or key file cannot be read or used.
    #[error("cannot use TLS file '{}': {reason}", path.display())]
    Tls {
        /// The certificate or key file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },

    /// Serving failed.
    #[error("server failed")]
    Serve {
        /// What was reported.
        #[source]
        source: io::Error,
    },
}

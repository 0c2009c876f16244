//! [`ClientError`]: everything that can go wrong talking to a repository.

use std::path::PathBuf;

use conary_core::digest::Digest;

/// An error of the client. Every message names the host or URL at fault,
/// and the digest when a blob is involved; those about configuration say
/// which line to add or check.
///
/// ```rust
/// let error = conary_client::ClientError::NoServer { host: "conary.example.com".into() };
/// assert_eq!(
///     error.to_string(),
///     "no repositoryMap entry for host 'conary.example.com'; \
///      add 'repositoryMap conary.example.com URL' to your config"
/// );
/// ```
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// No `repositoryMap` line names the host of a label.
    #[error(
        "no repositoryMap entry for host '{host}'; add 'repositoryMap {host} URL' to your config"
    )]
    NoServer {
        /// The host, as written in the label.
        host: String,
    },
    /// The URL of a `repositoryMap` line cannot be used.
    #[error("bad repositoryMap URL '{url}' for host '{host}': {reason}")]
    BadServerUrl {
        /// The host of the `repositoryMap` line.
        host: String,
        /// The URL as written (any password removed).
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// An entitlement file cannot be read or holds no key.
    #[error("cannot read entitlement file '{}': {reason}", path.display())]
    EntitlementFile {
        /// The file at fault.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// The HTTP client cannot be set up (for example the TLS roots).
    #[error("cannot set up the HTTP client: {reason}")]
    Setup {
        /// What went wrong.
        reason: String,
    },
    /// The server asks for credentials and none are configured for its host.
    #[error("{url} requires authentication and no credentials are configured for {host}; {hint}")]
    CredentialsRequired {
        /// The repository host.
        host: String,
        /// The request URL.
        url: String,
        /// Which configuration line to add.
        hint: String,
    },
    /// The server refused the credentials sent (`401`).
    #[error("authentication failed for {host} at {url} ({hint}): {message}")]
    AuthenticationFailed {
        /// The repository host.
        host: String,
        /// The request URL.
        url: String,
        /// Which configuration line to check.
        hint: String,
        /// The server's explanation.
        message: String,
    },
    /// The server knows the caller but does not allow the request (`403`).
    #[error("permission denied by {host} at {url}: {message}")]
    PermissionDenied {
        /// The repository host.
        host: String,
        /// The request URL.
        url: String,
        /// The server's explanation.
        message: String,
    },
    /// The server has no such thing (`404`).
    #[error("{what} not found at {url}")]
    NotFound {
        /// What was asked for (`blob <digest>`, or the request path).
        what: String,
        /// The request URL.
        url: String,
    },
    /// The server answered with an unexpected status; server errors (`5xx`)
    /// only after every retry.
    #[error("{url} answered {status} after {attempts} attempt(s): {message}")]
    Status {
        /// The request URL.
        url: String,
        /// The HTTP status code.
        status: u16,
        /// How many requests were made.
        attempts: u32,
        /// The server's explanation.
        message: String,
    },
    /// The server could not be reached, or a transfer kept breaking off.
    #[error("transfer from {url} failed after {attempts} attempt(s): {reason}")]
    Transfer {
        /// The request URL.
        url: String,
        /// How many requests were made.
        attempts: u32,
        /// The last cause.
        reason: String,
    },
    /// A blob's bytes do not hash to its digest.
    #[error("blob {digest} from {url} is corrupt: the bytes received hash to {actual}")]
    Corrupt {
        /// The digest asked for.
        digest: Digest,
        /// The request URL.
        url: String,
        /// The digest of what arrived.
        actual: Digest,
    },
    /// A response is larger than the configured limit.
    #[error("response from {url} is larger than the limit of {limit} bytes")]
    TooLarge {
        /// The request URL.
        url: String,
        /// The limit in bytes.
        limit: u64,
    },
    /// The server's answer is not what the API promises.
    #[error("bad response from {url}: {reason}")]
    BadResponse {
        /// The request URL.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The destination of a blob refused its bytes.
    #[error("cannot write blob {digest} from {url}: {reason}")]
    Write {
        /// The blob being written.
        digest: Digest,
        /// The request URL.
        url: String,
        /// The cause.
        reason: String,
    },
    /// The contents of an upload could not be read.
    #[error("cannot read the contents to upload to {url}: {reason}")]
    ReadUpload {
        /// The request URL.
        url: String,
        /// The cause.
        reason: String,
    },
    /// No server holds the contents asked for.
    #[error("contents {digest} not found on {hosts}")]
    ContentsNotFound {
        /// The digest asked for.
        digest: Digest,
        /// The hosts asked, comma-separated (`no configured host` when none).
        hosts: String,
    },
    /// A request is not one the API can answer (a job with neither an old
    /// nor a new trove, say).
    #[error("invalid request: {reason}")]
    Invalid {
        /// What is wrong with it.
        reason: String,
    },
    /// A changeset to commit cannot be sent as it is.
    #[error("cannot commit the changeset: {reason}")]
    BadCommit {
        /// What is wrong with it.
        reason: String,
    },
    /// The jobs, troves or changeset of one request name troves of several
    /// repositories where one is needed.
    #[error("{what} spans several repositories ({hosts}): {hint}")]
    SpansHosts {
        /// What spans them (`the changeset to commit`).
        what: String,
        /// The hosts, comma-separated.
        hosts: String,
        /// What to do instead.
        hint: String,
    },
    /// The local work area (spooled changesets, downloaded contents)
    /// failed.
    #[error("cannot {action}: {reason}")]
    Local {
        /// What was being done, with the path.
        action: String,
        /// The cause.
        reason: String,
    },
}

/// One line naming an error and all its sources, for `reason` fields.
pub(crate) fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let next = cause.to_string();
        if !text.contains(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        source = cause.source();
    }
    text
}

/// How a [`TroveSource`](conary_api::TroveSource) caller sees a client
/// error: the message is kept whole, the variant says what kind of failure
/// it was.
///
/// ```rust
/// use conary_api::SourceError;
/// let error = conary_client::ClientError::NoServer { host: "a.example.com".into() };
/// assert!(matches!(SourceError::from(error), SourceError::Unavailable(_)));
/// ```
impl From<ClientError> for conary_api::SourceError {
    fn from(error: ClientError) -> Self {
        use conary_api::SourceError;
        let message = error.to_string();
        match error {
            ClientError::NotFound { .. } | ClientError::ContentsNotFound { .. } => {
                SourceError::NotFound(message)
            }
            ClientError::CredentialsRequired { .. } | ClientError::AuthenticationFailed { .. } => {
                SourceError::Unauthorized(message)
            }
            ClientError::PermissionDenied { .. } => SourceError::Denied(message),
            ClientError::Corrupt { .. }
            | ClientError::TooLarge { .. }
            | ClientError::BadResponse { .. }
            | ClientError::BadCommit { .. }
            | ClientError::Invalid { .. }
            | ClientError::SpansHosts { .. } => SourceError::Invalid(message),
            ClientError::Status { status, .. } if (400..500).contains(&status) => {
                SourceError::Invalid(message)
            }
            ClientError::Write { .. }
            | ClientError::ReadUpload { .. }
            | ClientError::Local { .. } => SourceError::Io(std::io::Error::other(message)),
            ClientError::NoServer { .. }
            | ClientError::BadServerUrl { .. }
            | ClientError::EntitlementFile { .. }
            | ClientError::Setup { .. }
            | ClientError::Status { .. }
            | ClientError::Transfer { .. } => SourceError::Unavailable(message),
        }
    }
}

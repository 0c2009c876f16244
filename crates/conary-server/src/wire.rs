//! The JSON bodies of the API (version 1). They move to `conary-api` when
//! the client needs them.

use serde::Serialize;

/// The version of the API this server speaks, as in `/api/v1/`.
pub const API_VERSION: u32 = 1;

/// `GET /api/v1/info`.
///
/// ```rust
/// let info = conary_server::wire::Info { name: "conary.example.com".into(), api_version: 1, server: "conary-repos 0.1.0".into() };
/// assert_eq!(serde_json::to_string(&info)?, r#"{"name":"conary.example.com","api_version":1,"server":"conary-repos 0.1.0"}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Info {
    /// The server name, which the repository's labels start with.
    pub name: String,
    /// [`API_VERSION`].
    pub api_version: u32,
    /// The program and its version.
    pub server: String,
}

/// `GET /api/v1/whoami`.
///
/// ```rust
/// let whoami = conary_server::wire::WhoAmI { kind: "user".into(), name: Some("alice".into()), admin: false, roles: vec!["devel".into()] };
/// assert_eq!(serde_json::to_string(&whoami)?, r#"{"kind":"user","name":"alice","admin":false,"roles":["devel"]}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WhoAmI {
    /// `user`, `entitlement` or `anonymous`.
    pub kind: String,
    /// The user name or entitlement class (none when anonymous).
    pub name: Option<String>,
    /// Whether the caller is an admin user.
    pub admin: bool,
    /// The roles whose ACLs apply, sorted.
    pub roles: Vec<String>,
}

/// `POST /api/v1/blobs` (`201 Created`).
///
/// ```rust
/// let stored = conary_server::wire::BlobStored { digest: "ab".repeat(32), size: 5 };
/// assert!(serde_json::to_string(&stored)?.ends_with(r#","size":5}"#));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BlobStored {
    /// The BLAKE3 digest of the contents, in hex.
    pub digest: String,
    /// The size in bytes.
    pub size: u64,
}

/// Every error answer.
///
/// ```rust
/// let body = conary_server::wire::ErrorBody { error: "bad credentials".into() };
/// assert_eq!(serde_json::to_string(&body)?, r#"{"error":"bad credentials"}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ErrorBody {
    /// One line saying what went wrong.
    pub error: String,
}

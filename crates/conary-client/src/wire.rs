//! The JSON bodies of API version 1 as the client reads them. They move to
//! `conary-api`, shared with the server, when that crate takes the wire
//! types; unknown fields are ignored so a newer server still parses.

use serde::{Deserialize, Serialize};

/// `GET /api/v1/info`.
///
/// ```rust
/// let info: conary_client::ServerInfo =
///     serde_json::from_str(r#"{"name":"conary.example.com","api_version":1,"server":"conary-repos 0.1.0"}"#)?;
/// assert_eq!(info.api_version, 1);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerInfo {
    /// The server name, which the repository's labels start with.
    pub name: String,
    /// The version of the API, as in `/api/v1/`.
    pub api_version: u32,
    /// The program and its version.
    #[serde(default)]
    pub server: String,
}

/// `GET /api/v1/whoami`.
///
/// ```rust
/// let whoami: conary_client::WhoAmI = serde_json::from_str(r#"{"kind":"anonymous","name":null}"#)?;
/// assert_eq!(whoami.kind, "anonymous");
/// assert!(whoami.roles.is_empty());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhoAmI {
    /// `user`, `entitlement` or `anonymous`.
    pub kind: String,
    /// The user name or entitlement class (none when anonymous).
    #[serde(default)]
    pub name: Option<String>,
    /// Whether the caller is an admin user.
    #[serde(default)]
    pub admin: bool,
    /// The roles whose ACLs apply, sorted.
    #[serde(default)]
    pub roles: Vec<String>,
}

/// `POST /api/v1/blobs` answers with this (`201 Created`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub(crate) struct BlobStored {
    /// The BLAKE3 digest of the contents, in hex.
    pub digest: String,
    /// The size in bytes.
    pub size: u64,
}

//! JSON bodies of the HTTP API (`/api/v1/`).
//!
//! | route | body | answer |
//! |---|---|---|
//! | `GET /api/v1/info` | | [`ServerInfo`] |
//! | `GET /api/v1/whoami` | | [`WhoAmI`] |
//! | `POST /api/v1/troves` | [`TroveListRequest`] | [`TroveList`] |
//! | `POST /api/v1/manifests` | [`TroveList`] | stream of canonical trove encodings, each length-prefixed (u64 BE) |
//! | `POST /api/v1/changeset` | [`ChangesetRequest`] | a `.ccs` stream |
//! | `POST /api/v1/commit` | a `.ccs` stream | [`CommitResult`] |
//! | `POST /api/v1/deps` | [`DepRequest`] | [`DepSuggestions`] |
//! | `POST /api/v1/markremoved` | [`TroveList`] | [`TroveList`] of the troves newly marked removed |
//! | `GET /api/v1/blobs/{digest}` | | the contents (`Range: bytes=N-` answers `206`) |
//! | `HEAD /api/v1/blobs/{digest}` | | the size (`Content-Length`), or `404` |
//! | `POST /api/v1/blobs` | the contents | [`BlobStored`] (`201`) |
//!
//! Every error answer's body is an [`ErrorBody`]. Readers ignore fields
//! they do not know, so a newer peer still parses.
//!
//! ```rust
//! use conary_api::wire::WireTuple;
//! let tuple: conary_core::trove::TroveTuple =
//!     "sudo=/conary.example.com@plat:1/1.9-1-1[is: x86_64]".parse().expect("tuple");
//! let wire = WireTuple::from(&tuple);
//! assert_eq!(wire.flavor, "is: x86_64");
//! assert_eq!(wire.to_tuple().expect("valid"), tuple);
//! ```

use serde::{Deserialize, Serialize};

use conary_core::trove::TroveTuple;
use conary_core::version::Version;

use crate::{Job, SourceError};

/// The API version this crate speaks.
pub const API_VERSION: u32 = 1;

/// `GET /api/v1/info`.
///
/// ```rust
/// let info: conary_api::wire::ServerInfo =
///     serde_json::from_str(r#"{"name":"conary.example.com","api_version":1,"server":"conary-repos 0.1.0"}"#)?;
/// assert_eq!(info.api_version, conary_api::wire::API_VERSION);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerInfo {
    /// The repository's host name (the host part of its labels).
    pub name: String,
    /// The API version the server speaks.
    pub api_version: u32,
    /// The program and its version (`conary-repos 0.1.0`).
    #[serde(default)]
    pub server: String,
}

/// `GET /api/v1/whoami`: who the server takes the caller for.
///
/// ```rust
/// let whoami: conary_api::wire::WhoAmI = serde_json::from_str(r#"{"kind":"anonymous","name":null}"#)?;
/// assert_eq!(whoami.kind, "anonymous");
/// assert!(whoami.roles.is_empty() && !whoami.admin);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
///
/// ```rust
/// let stored = conary_api::wire::BlobStored { digest: "ab".repeat(32), size: 5 };
/// assert!(serde_json::to_string(&stored)?.ends_with(r#","size":5}"#));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobStored {
    /// The BLAKE3 digest of the contents, in hex.
    pub digest: String,
    /// The size in bytes.
    pub size: u64,
}

/// A trove tuple on the wire: the version frozen (with timestamps).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct WireTuple {
    /// The trove's name.
    pub name: String,
    /// The frozen version (`Version::freeze`).
    pub version: String,
    /// The flavor in canonical text form.
    pub flavor: String,
}

impl From<&TroveTuple> for WireTuple {
    fn from(tuple: &TroveTuple) -> WireTuple {
        WireTuple {
            name: tuple.name.to_string(),
            version: tuple.version.freeze(),
            flavor: tuple.flavor.to_string(),
        }
    }
}

impl WireTuple {
    /// Parses the tuple back, naming what is wrong.
    pub fn to_tuple(&self) -> Result<TroveTuple, SourceError> {
        let invalid = |what: &str, error: String| SourceError::Invalid(format!("{what}: {error}"));
        Ok(TroveTuple::new(
            self.name
                .parse()
                .map_err(|e: conary_core::name::NameError| invalid("trove name", e.to_string()))?,
            Version::thaw(&self.version).map_err(|e| invalid("version", e.to_string()))?,
            self.flavor
                .parse()
                .map_err(|e: conary_core::flavor::FlavorError| invalid("flavor", e.to_string()))?,
        ))
    }
}

/// `POST /api/v1/troves`: which troves exist on a label or branch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TroveListRequest {
    /// A label (`host@ns:tag`); exactly one of `label` and `branch` is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// A frozen branch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// Names asked for; absent means all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub names: Option<Vec<String>>,
    /// Every version, not only the latest.
    #[serde(default)]
    pub all_versions: bool,
}

/// A list of trove tuples.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TroveList {
    /// The troves.
    pub troves: Vec<WireTuple>,
}

/// One job on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireJob {
    /// The trove's name.
    pub name: String,
    /// Frozen old version and flavor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old: Option<(String, String)>,
    /// Frozen new version and flavor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new: Option<(String, String)>,
}

impl From<&Job> for WireJob {
    fn from(job: &Job) -> WireJob {
        let side = |side: &Option<(Version, conary_core::flavor::Flavor)>| {
            side.as_ref()
                .map(|(version, flavor)| (version.freeze(), flavor.to_string()))
        };
        WireJob {
            name: job.name.to_string(),
            old: side(&job.old),
            new: side(&job.new),
        }
    }
}

impl WireJob {
    /// Parses the job back, naming what is wrong.
    pub fn to_job(&self) -> Result<Job, SourceError> {
        let side = |side: &Option<(String, String)>| -> Result<_, SourceError> {
            side.as_ref()
                .map(|(version, flavor)| {
                    Ok((
                        Version::thaw(version)
                            .map_err(|e| SourceError::Invalid(format!("version: {e}")))?,
                        flavor
                            .parse()
                            .map_err(|e: conary_core::flavor::FlavorError| {
                                SourceError::Invalid(format!("flavor: {e}"))
                            })?,
                    ))
                })
                .transpose()
        };
        Ok(Job {
            name: self
                .name
                .parse()
                .map_err(|e: conary_core::name::NameError| {
                    SourceError::Invalid(format!("trove name: {e}"))
                })?,
            old: side(&self.old)?,
            new: side(&self.new)?,
        })
    }
}

/// `POST /api/v1/changeset`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangesetRequest {
    /// The jobs.
    pub jobs: Vec<WireJob>,
    /// Include the jobs of included troves.
    #[serde(default)]
    pub recurse: bool,
    /// Carry the file contents (the default). When false, every contents
    /// is left out as a reference: for callers that read only the troves
    /// and file streams (`cvc shadow`, `clone`, `promote`). A
    /// server that does not know the field sends them all the same.
    #[serde(default = "carry_contents", skip_serializing_if = "is_true")]
    pub contents: bool,
}

fn carry_contents() -> bool {
    true
}

fn is_true(value: &bool) -> bool {
    *value
}

/// The answer to a commit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitResult {
    /// The troves that were new and are now stored.
    pub committed: Vec<WireTuple>,
    /// The troves that were already there (a no-op for them).
    pub already_present: Vec<WireTuple>,
}

/// `POST /api/v1/deps`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepRequest {
    /// Labels to search, in order.
    pub labels: Vec<String>,
    /// The requirements, one dependency per line (canonical text).
    pub requires: String,
}

/// For each requirement (canonical text), the troves that provide it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepSuggestions {
    /// Requirement → providers.
    pub suggestions: Vec<(String, Vec<WireTuple>)>,
}

/// The JSON body of an error answer.
///
/// ```rust
/// let body = conary_api::wire::ErrorBody { error: "bad credentials".into() };
/// assert_eq!(serde_json::to_string(&body)?, r#"{"error":"bad credentials"}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// One line saying what went wrong.
    pub error: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_round_trips_through_json() {
        let job = Job::update(
            "sudo".parse().expect("name"),
            (
                Version::thaw("/a@b:c/1700000000.000:1.0-1-1").expect("old"),
                "is: x86_64".parse().expect("flavor"),
            ),
            (
                Version::thaw("/a@b:c/1700000100.500:1.0-2-1").expect("new"),
                "is: x86_64".parse().expect("flavor"),
            ),
        );
        let json = serde_json::to_string(&WireJob::from(&job)).expect("serializes");
        let back: WireJob = serde_json::from_str(&json).expect("parses");
        let back = back.to_job().expect("valid");
        assert_eq!(back, job);
        let new_version = back.new.expect("update").0;
        assert_eq!(new_version.freeze(), "/a@b:c/1700000100.500:1.0-2-1");
    }

    #[test]
    fn bad_wire_tuple_names_the_field() {
        let tuple = WireTuple {
            name: "sudo".into(),
            version: "not a version".into(),
            flavor: String::new(),
        };
        let error = tuple.to_tuple().expect_err("invalid");
        assert!(
            error
                .to_string()
                .starts_with("invalid data from repository: version:")
        );
    }
}

//! The routes of API version 1 on one server, typed: what
//! [`NetworkSource`](crate::NetworkSource) is built from. Each method
//! parses the answer at the edge and checks it is the answer to the
//! question (the troves asked for, in order; versions with timestamps).

use std::collections::BTreeMap;
use std::io::Read;

use conary_api::wire::{
    ChangesetRequest, DepRequest, DepSuggestions, TroveList, TroveListRequest, WireJob, WireTuple,
};
use conary_api::{Job, Location, TroveQuery};
use conary_core::deps::{Dependency, DependencySet};
use conary_core::trove::{Trove, TroveTuple};
use conary_core::version::Label;

use crate::error::{ClientError, chain};
use crate::transport::{RepositoryClient, ResponseBody};

/// The largest trove manifest read (its canonical encoding), in bytes.
const MAX_MANIFEST: u64 = 256 << 20;

/// What a commit did: the troves stored, and those that were already there.
///
/// ```rust
/// let result = conary_client::CommitResult::default();
/// assert!(result.committed.is_empty() && result.already_present.is_empty());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CommitResult {
    /// The troves that were new and are now stored, with the timestamps the
    /// repository gave them.
    pub committed: Vec<TroveTuple>,
    /// The troves that were already there (a no-op for them).
    pub already_present: Vec<TroveTuple>,
}

/// The wire form of `query`.
pub(crate) fn list_request(query: &TroveQuery) -> TroveListRequest {
    let (label, branch) = match &query.location {
        Location::Label(label) => (Some(label.to_string()), None),
        Location::Branch(branch) => (None, Some(branch.freeze())),
    };
    TroveListRequest {
        label,
        branch,
        names: query
            .names
            .as_ref()
            .map(|names| names.iter().map(ToString::to_string).collect()),
        all_versions: query.all_versions,
    }
}

impl RepositoryClient {
    /// An error for an answer that is not what the API promises.
    fn bad(&self, path: &str, reason: impl Into<String>) -> ClientError {
        ClientError::BadResponse {
            url: self.server.endpoint(path).to_string(),
            reason: reason.into(),
        }
    }

    /// Parses wire tuples from the answer to `path`.
    fn tuples(&self, path: &str, tuples: &[WireTuple]) -> Result<Vec<TroveTuple>, ClientError> {
        tuples
            .iter()
            .map(|tuple| {
                tuple
                    .to_tuple()
                    .map_err(|error| self.bad(path, error.to_string()))
            })
            .collect()
    }

    /// `POST /api/v1/troves`: the troves answering `query` that the caller
    /// may read.
    pub fn trove_versions(&self, query: &TroveQuery) -> Result<Vec<TroveTuple>, ClientError> {
        let list: TroveList = self.query_json("troves", &list_request(query))?;
        self.tuples("troves", &list.troves)
    }

    /// `POST /api/v1/manifests`: the manifests of `tuples`, in order, each
    /// checked to be the trove asked for.
    pub fn manifests(&self, tuples: &[TroveTuple]) -> Result<Vec<Trove>, ClientError> {
        if tuples.is_empty() {
            return Ok(Vec::new());
        }
        let request = TroveList {
            troves: tuples.iter().map(WireTuple::from).collect(),
        };
        let path = "manifests";
        let mut body = self.query_stream(path, &request)?;
        let read_error = |error: std::io::Error| ClientError::Transfer {
            url: body_url(path, self),
            attempts: 1,
            reason: chain(&error),
        };
        let mut troves = Vec::with_capacity(tuples.len());
        for tuple in tuples {
            let mut length = [0u8; 8];
            body.read_exact(&mut length).map_err(read_error)?;
            let length = u64::from_be_bytes(length);
            if length > MAX_MANIFEST {
                return Err(self.bad(
                    path,
                    format!(
                        "manifest of {tuple} is {length} bytes, over the limit of {MAX_MANIFEST}"
                    ),
                ));
            }
            let mut encoding = Vec::new();
            (&mut body)
                .take(length)
                .read_to_end(&mut encoding)
                .map_err(read_error)?;
            if encoding.len() as u64 != length {
                return Err(self.bad(path, format!("manifest of {tuple} is cut short")));
            }
            let trove = Trove::decode(&encoding)
                .map_err(|error| self.bad(path, format!("manifest of {tuple}: {error}")))?;
            if trove.tuple() != *tuple {
                return Err(self.bad(
                    path,
                    format!("asked for {tuple}, got the manifest of {}", trove.tuple()),
                ));
            }
            troves.push(trove);
        }
        let mut rest = [0u8; 1];
        if body.read(&mut rest).map_err(read_error)? != 0 {
            return Err(self.bad(path, "more manifests than troves asked for"));
        }
        Ok(troves)
    }

    /// `POST /api/v1/changeset`: the `.ccs` changeset of `jobs` (with the
    /// jobs of included troves of this repository when `recurse`), as it
    /// arrives. The caller reads and verifies it.
    pub fn changeset_stream(
        &self,
        jobs: &[Job],
        recurse: bool,
    ) -> Result<ResponseBody, ClientError> {
        self.changeset_request(jobs, recurse, true)
    }

    /// `POST /api/v1/changeset` without contents: the troves and file
    /// streams of `jobs`, every contents a reference (see
    /// `ChangesetRequest::contents`). The caller reads it.
    pub fn streams_changeset_stream(
        &self,
        jobs: &[Job],
        recurse: bool,
    ) -> Result<ResponseBody, ClientError> {
        self.changeset_request(jobs, recurse, false)
    }

    fn changeset_request(
        &self,
        jobs: &[Job],
        recurse: bool,
        contents: bool,
    ) -> Result<ResponseBody, ClientError> {
        let request = ChangesetRequest {
            jobs: jobs.iter().map(WireJob::from).collect(),
            recurse,
            contents,
        };
        self.query_stream("changeset", &request)
    }

    /// `POST /api/v1/deps`: for each requirement, the troves providing it
    /// on the first of `labels` that has any.
    pub fn dep_suggestions(
        &self,
        labels: &[Label],
        requires: &DependencySet,
    ) -> Result<BTreeMap<Dependency, Vec<TroveTuple>>, ClientError> {
        let path = "deps";
        let request = DepRequest {
            labels: labels.iter().map(ToString::to_string).collect(),
            requires: requires.to_string(),
        };
        let answer: DepSuggestions = self.query_json(path, &request)?;
        let mut suggestions = BTreeMap::new();
        for (dependency, tuples) in &answer.suggestions {
            let dependency: Dependency =
                dependency
                    .parse()
                    .map_err(|error: conary_core::deps::DepError| {
                        self.bad(path, format!("dependency '{dependency}': {error}"))
                    })?;
            suggestions.insert(dependency, self.tuples(path, tuples)?);
        }
        Ok(suggestions)
    }

    /// `POST /api/v1/commit`: sends the `.ccs` changeset read from `reader`
    /// (`size` bytes, when known). Not retried. The repository checks
    /// everything before storing anything: a refusal (`403`, `400`, `409`)
    /// leaves it as it was.
    pub fn commit<R: Read + Send + 'static>(
        &self,
        reader: R,
        size: Option<u64>,
    ) -> Result<CommitResult, ClientError> {
        let path = "commit";
        let url = self.server.endpoint(path);
        let response = self.post_stream(path, reader, size)?;
        let answer: conary_api::wire::CommitResult = self
            .read_json(&url, 1, response)
            .map_err(crate::transport::Failure::into_error)?;
        Ok(CommitResult {
            committed: self.tuples(path, &answer.committed)?,
            already_present: self.tuples(path, &answer.already_present)?,
        })
    }

    /// After a commit whose upload broke off without an answer: sends
    /// `start` (the changeset's first bytes, its index at least) alone and
    /// answers what the server makes of it. A server that refuses commits
    /// early (`401` before reading anything, `403` once it has the index)
    /// closes the connection while the client is still sending, and the
    /// refusal can be lost on the way; a body this short is read whole
    /// before the answer, which then arrives. A server that accepts the
    /// index finds the body cut short and stores nothing.
    pub(crate) fn commit_refusal(&self, start: Vec<u8>) -> Result<CommitResult, ClientError> {
        let size = start.len() as u64;
        self.commit(std::io::Cursor::new(start), Some(size))
    }

    /// `POST /api/v1/markremoved`: marks `tuples` removed (admin; all or
    /// none); returns those newly marked.
    pub fn mark_removed(&self, tuples: &[TroveTuple]) -> Result<Vec<TroveTuple>, ClientError> {
        let path = "markremoved";
        let request = TroveList {
            troves: tuples.iter().map(WireTuple::from).collect(),
        };
        let answer: TroveList = self.post_json(path, &request)?;
        self.tuples(path, &answer.troves)
    }
}

/// The URL of route `path` of `client`, for messages.
fn body_url(path: &str, client: &RepositoryClient) -> String {
    client.server.endpoint(path).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_travel_as_wire_requests() {
        let label: Label = "a.example.com@rpl:2".parse().expect("label");
        let query = TroveQuery::on_label(label).named(["foo".parse().expect("name")]);
        let request = list_request(&query);
        assert_eq!(request.label.as_deref(), Some("a.example.com@rpl:2"));
        assert_eq!(request.branch, None);
        assert_eq!(request.names, Some(vec!["foo".to_string()]));
        let branch =
            conary_core::version::Branch::thaw("/a.example.com@rpl:2//b.example.com@rpl:2")
                .expect("branch");
        let request = list_request(&TroveQuery::on_branch(branch.clone()).all_versions());
        assert_eq!(request.branch, Some(branch.freeze()));
        assert!(request.all_versions && request.label.is_none() && request.names.is_none());
    }
}
